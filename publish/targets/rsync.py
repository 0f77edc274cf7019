"""rsync to a web server over SSH, or to a local folder, with .gz/.br files beside every text file.

The files to send are staged in a scratch folder (hard links where possible, plus the precompressed siblings
that nginx's `gzip_static`/`brotli_static` serve) and sent in one rsync run whose `--files-from` lists exactly
the planned files; `-I` makes rsync send each of them whatever its size and time say. Deletions are a second
run with `--delete-missing-args` from an empty folder. The manifest is read and written with rsync too, so
the server needs nothing but rsync and SSH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from publish.compress import compress, suffix
from publish.config import MANIFEST_NAME, RsyncTarget
from publish.errors import TargetError, redact
from publish.plan import Manifest, ManifestEntry
from publish.site import Capabilities, LocalFile
from publish.targets import Advance

# rsync's exit code for "some files could not be transferred", which is how a missing manifest shows
_PARTIAL = 23


class RsyncPublisher:
    def __init__(self, config: RsyncTarget, work: Path) -> None:
        if shutil.which("rsync") is None:
            raise TargetError(f"target {config.name!r}: rsync is not installed; install it (apt-get install rsync)")
        self.name = config.name
        self.config = config
        self.work = work
        self.remote = ":" in config.destination.split("/", 1)[0]
        self.destination = config.destination.rstrip("/") + "/"
        self.description = f"rsync to {redact(self.destination)}"
        self.capabilities = Capabilities(headers=False, encodings=config.precompress)

    def extra_files(self) -> Mapping[str, bytes]:
        return {}

    def remote_paths(self, path: str, entry: ManifestEntry) -> tuple[str, ...]:
        return (path, *(path + suffix(encoding) for encoding in entry.encodings))

    def _command(self, *args: str) -> list[str]:
        shell = ["-e", self.config.ssh] if self.remote else []
        return ["rsync", *shell, *self.config.rsync_options, *args]

    def _fail(self, what: str, code: int, stderr: str) -> TargetError:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        detail = lines[0] if lines else "no message"
        return TargetError(
            f"target {self.name!r}: rsync could not {what} {redact(self.destination)} (exit {code}): {redact(detail)}"
        )

    def read_manifest(self) -> Manifest | None:
        local = self.work / "remote-manifest.json"
        done = subprocess.run(
            self._command("--quiet", self.destination + MANIFEST_NAME, str(local)),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == _PARTIAL and "No such file or directory" in done.stderr:
            return None  # a first publish: nothing there yet
        if done.returncode != 0:
            raise self._fail("read the manifest from", done.returncode, done.stderr)
        return Manifest.from_json(local.read_bytes(), f"{self.destination}{MANIFEST_NAME}")

    def _stage(self, files: Sequence[LocalFile], staging: Path) -> tuple[list[str], int]:
        """Put every file and its precompressed siblings under `staging`; returns their paths and total bytes."""
        names: list[str] = []
        total = 0
        jobs: list[tuple[LocalFile, str]] = []
        for file in files:
            target = staging / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.source is not None and file.data is None:
                try:
                    os.link(file.source, target)
                except OSError:
                    shutil.copyfile(file.source, target)
            else:
                target.write_bytes(file.read())
            names.append(file.path)
            total += file.size
            jobs.extend((file, encoding) for encoding in file.encodings)
        # Brotli at quality 11 is the slow part (about 0.6 MB/s a core); the compressors release the GIL.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            packed = pool.map(lambda job: compress(job[0].read(), job[1]), jobs)
            for (file, encoding), data in zip(jobs, packed, strict=True):
                sibling = file.path + suffix(encoding)
                (staging / sibling).write_bytes(data)
                names.append(sibling)
                total += len(data)
        return names, total

    def _run_listed(
        self,
        names: Sequence[str],
        source: Path,
        extra: Sequence[str],
        advance: Advance | None = None,
        files: Mapping[str, LocalFile] | None = None,
        what: str = "upload to",
    ) -> None:
        listing = self.work / "files-from"
        listing.write_bytes(b"\0".join(name.encode("utf-8") for name in names) + b"\0")
        command = self._command(
            *extra, "--from0", f"--files-from={listing}", "--out-format=%n", str(source) + "/", self.destination
        )
        errors = self.work / "rsync-stderr"
        with errors.open("w+", encoding="utf-8") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
            assert process.stdout is not None
            for line in process.stdout:
                done = (files or {}).get(line.rstrip("\n"))
                if done is not None and advance is not None:
                    advance(done)
            code = process.wait()
            stderr.seek(0)
            message = stderr.read()
        if code != 0:
            raise self._fail(what, code, message)

    def upload(self, files: Sequence[LocalFile], advance: Advance) -> int:
        staging = self.work / "staging"
        staging.mkdir()
        names, total = self._stage(files, staging)
        options = ["--times", "--ignore-times", "--mkpath", "--chmod=D755,F644"]
        self._run_listed(names, staging, options, advance, {f.path: f for f in files})
        shutil.rmtree(staging)
        return total

    def delete(self, paths: Sequence[str]) -> None:
        if not paths:
            return
        # An empty tree with the files' folders (rsync sends those implied folders; they must exist), no files.
        empty = self.work / "empty"
        for path in paths:
            (empty / path).parent.mkdir(parents=True, exist_ok=True)
        self._run_listed(paths, empty, ["--delete-missing-args"], what="delete files on")

    def finish(self, manifest: Manifest) -> None:
        folder = self.work / "manifest"
        folder.mkdir(exist_ok=True)
        (folder / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
        options = ["--times", "--ignore-times", "--mkpath", "--chmod=D755,F644"]
        self._run_listed([MANIFEST_NAME], folder, options, what="write the manifest to")
