"""`invoke build` with nothing to do: when no input changed since the last build and its output is as it left it.

A build is a function of its inputs: the project's files (content, theme, plugins, settings files), the settings
they make (some come from the environment: `NEWS_SITE_ORIGIN`), the libraries installed, and how it was asked
for (`--production`, `--strict`). Nothing in it reads the clock. So when all of those are what they were at the
end of the last build that succeeded, and the output folder still holds exactly the files it wrote, building
again would write the same bytes: an ingest run that found nothing new, followed by `invoke build`, need not
spend a whole build (10 s at 10,000 articles, minutes at 100,000) to learn that.

`BuildStamp` says whether that is the case. The inputs are every file under the project's folder (by path, size
and modification time; not the output, the cache, `.git`, `node_modules` but for lunr.js and the npm lock file,
caches of Python tools, the test suite's screenshots), news_reader's reading fingerprint of the settings (every
plain setting, the libraries that read content), every installed distribution's version, the Python version and
the command. The output is every file and folder under it, by path, size and modification time. The stamp file is
deleted before a build starts and written when it has finished without error, so a failed or interrupted build
is never taken for a finished one. `invoke build --force` builds anyway.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

STAMP_FILE = "news_output-build.json"
NOTHING_TO_DO = "nothing changed since the last build"  # how `invoke build` begins to say it (the bench looks for it)
_FORMAT = "1"
# Folders that are no input of the build, wherever they are (node_modules: only lunr.js is copied, named below).
_NOT_INPUTS = frozenset({".git", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
_NPM_INPUTS = ("package-lock.json", "node_modules/lunr/lunr.min.js")
_TOOL_OUTPUTS = ("tests/artifacts",)  # written by `invoke test` (screenshots): a test run is no reason to build


def _walk(
    folder: Path, skip: frozenset[str] = frozenset(), skip_paths: Iterable[Path] = ()
) -> Iterable[tuple[str, str]]:
    """(relative path, "size mtime") of every file, and (relative path + "/", "") of every folder, in sorted
    order; folders named in `skip` and the paths in `skip_paths` are left out."""
    excluded = {os.path.abspath(path) for path in skip_paths}
    base = os.path.abspath(folder)
    for directory, folders, files in os.walk(base, followlinks=True):  # content/ may be a link to elsewhere
        folders[:] = sorted(
            name for name in folders if name not in skip and os.path.join(directory, name) not in excluded
        )
        relative = os.path.relpath(directory, base)
        prefix = "" if relative == os.curdir else relative + "/"
        if prefix:
            yield prefix, ""
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(directory, name))
            except OSError:  # gone since the listing (a dangling link): it counts by name only
                yield prefix + name, "missing"
                continue
            yield prefix + name, f"{stat.st_size} {stat.st_mtime_ns}"


def _digest(lines: Iterable[tuple[str, str]]) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    for name, value in lines:
        digest.update(f"{name}\0{value}\n".encode("utf-8", "surrogateescape"))
        count += not name.endswith("/")
    return digest.hexdigest(), count


def _environment() -> list[tuple[str, str]]:
    versions = sorted(
        (str(dist.metadata["Name"] or "").lower(), dist.version) for dist in importlib.metadata.distributions()
    )
    return [("python", sys.version), *((f"library {name}", version) for name, version in versions)]


@dataclasses.dataclass
class BuildStamp:
    """The inputs of a build about to start, and what the last finished build recorded (in `cache`)."""

    output: Path
    cache: Path
    inputs: str  # digest
    input_files: int

    @classmethod
    def of(cls, root: Path, output: Path, cache: Path, settings: Mapping[str, Any], command: str) -> BuildStamp:
        from news_reader.reader import reading_fingerprint

        root = Path(root)
        not_inputs = (output, cache, output.with_name(f".{output.name}.previous"), *(root / p for p in _TOOL_OUTPUTS))
        lines = list(_walk(root, _NOT_INPUTS, not_inputs))
        files = len([name for name, _ in lines if not name.endswith("/")])
        for name in _NPM_INPUTS:
            path = root / name
            stat = path.stat() if path.is_file() else None
            lines.append((name, f"{stat.st_size} {stat.st_mtime_ns}" if stat else "missing"))
        lines += [("settings", reading_fingerprint(settings)), ("command", command), *_environment()]
        inputs, _ = _digest([("format", _FORMAT), *lines])
        return cls(Path(output), Path(cache), inputs, files)

    @property
    def path(self) -> Path:
        return self.cache / STAMP_FILE

    def last(self) -> dict[str, Any] | None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                stored = json.load(handle)
        except (OSError, ValueError):
            return None
        return stored if isinstance(stored, dict) else None

    def unchanged(self) -> dict[str, Any] | None:
        """The last build's record when nothing changed since (its inputs and its output), else None."""
        stored = self.last()
        if stored is None or stored.get("inputs") != self.inputs or not self.output.is_dir():
            return None
        if list(_digest(_walk(self.output))) != [stored.get("output"), stored.get("output_files")]:
            return None
        return stored

    def nothing_to_do(self, last: Mapping[str, Any]) -> str:
        """What `invoke build` says when `unchanged()` gave it the last build's record."""
        return (
            f"{NOTHING_TO_DO} (finished {last['finished']}): {self.input_files:,} input files, the settings and the"
            f" libraries are as they were, and output/ holds the {last['output_files']:,} files it wrote."
            " `invoke build --force` builds anyway."
        )

    def forget(self) -> None:
        """Before a build: from now on the output is not the one recorded."""
        self.path.unlink(missing_ok=True)

    def save(self, finished: str) -> None:
        """After a build that succeeded: its inputs (as they were when it started) and its output."""
        output, files = _digest(_walk(self.output))
        record = {"inputs": self.inputs, "input_files": self.input_files, "output": output, "output_files": files,
                  "finished": finished}  # fmt: skip
        self.cache.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)
