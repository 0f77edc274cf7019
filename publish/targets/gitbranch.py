"""A git branch pushed to a remote: GitHub Pages' "deploy from a branch" (gh-pages by default).

The branch's last commit is cloned shallowly into a scratch folder (or a new branch is started when the remote
has none), the planned files are written and removed there, and one commit is pushed. Pages sets its own
headers and compresses on the fly, so files are stored as they are, with `.nojekyll` (serve every file as is)
and, when `cname` is set, `CNAME`. An unchanged site makes no commit and pushes nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from publish.config import MANIFEST_NAME, GitTarget
from publish.errors import TargetError, redact
from publish.plan import Manifest, ManifestEntry
from publish.site import Capabilities, LocalFile
from publish.targets import Advance

# `git ls-remote --exit-code` exits 2 when the remote has no such ref
_NO_SUCH_REF = 2


class GitPublisher:
    def __init__(self, config: GitTarget, work: Path) -> None:
        if shutil.which("git") is None:
            raise TargetError(f"target {config.name!r}: git is not installed; install it (apt-get install git)")
        self.name = config.name
        self.config = config
        self.checkout = work / "branch"
        self.description = f"branch {config.branch} of {redact(config.remote)}"
        self.capabilities = Capabilities(headers=False, encodings=())

    def extra_files(self) -> Mapping[str, bytes]:
        files = {".nojekyll": b""}
        if self.config.cname:
            files["CNAME"] = self.config.cname.encode("utf-8") + b"\n"
        return files

    def remote_paths(self, path: str, entry: ManifestEntry) -> tuple[str, ...]:
        return (path,)

    def _git(self, *args: str, what: str, cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> int:
        done = subprocess.run(
            ["git", "-c", "advice.detachedHead=false", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in ok:
            lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            detail = redact(lines[-1].strip()) if lines else "no message"
            raise TargetError(
                f"target {self.name!r}: git could not {what} {self.description} (exit {done.returncode}): {detail}"
            )
        return done.returncode

    def read_manifest(self) -> Manifest | None:
        remote, branch = self.config.remote, self.config.branch
        found = self._git(
            "ls-remote", "--exit-code", "--heads", remote, f"refs/heads/{branch}", what="reach", ok=(0, _NO_SUCH_REF)
        )
        if found == _NO_SUCH_REF:
            self._git("init", "--quiet", f"--initial-branch={branch}", str(self.checkout), what="start")
            self._git("remote", "add", "origin", remote, cwd=self.checkout, what="add the remote for")
            return None
        self._git(
            "clone",
            "--quiet",
            "--no-local",
            "--depth=1",
            f"--branch={branch}",
            "--single-branch",
            remote,
            str(self.checkout),
            what="clone",
        )
        manifest = self.checkout / MANIFEST_NAME
        if not manifest.is_file():
            return None
        return Manifest.from_json(manifest.read_bytes(), f"{self.description}: {MANIFEST_NAME}")

    def upload(self, files: Sequence[LocalFile], advance: Advance) -> int:
        sent = 0
        for file in files:
            target = self.checkout / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            data = file.read()
            target.write_bytes(data)
            sent += len(data)
            advance(file)
        return sent

    def delete(self, paths: Sequence[str]) -> None:
        for path in paths:
            target = self.checkout / path
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != self.checkout and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

    def finish(self, manifest: Manifest) -> None:
        (self.checkout / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
        config = self.config
        self._git("add", "--all", cwd=self.checkout, what="stage the site for")
        identity = ["-c", f"user.name={config.author_name}", "-c", f"user.email={config.author_email}"]
        identity += ["-c", "commit.gpgsign=false"]
        self._git(*identity, "commit", "--quiet", "-m", config.message, cwd=self.checkout, what="commit to")
        self._git("push", "--quiet", "origin", f"HEAD:refs/heads/{config.branch}", cwd=self.checkout, what="push to")
