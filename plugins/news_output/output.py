"""Keep unchanged output files as they were, so rsync, CDN uploads and caches see only what changed.

Pelican deletes `output/` and writes every file again on each build. With this plugin the previous build is
set aside first (one rename, `.<output>.previous` beside it); Pelican writes a complete, clean build; at the end
(once the render workers of writer.py are done) every file whose bytes equal the previous build's file is
swapped back for that file, which keeps its modification time and inode. Files the site no longer has are
gone with the set-aside folder. The result is byte for byte a clean build, whatever the previous one held.
"""

from __future__ import annotations

import atexit
import contextlib
import filecmp
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from pelican.log import console

from .settings import flag, worker_pages
from .writer import OutputError, finish_rendering, output_key, previous_builds, recording_outputs, start_rendering

logger = logging.getLogger(__name__)

_set_aside: dict[str, Path] = {}  # output folder -> the previous build, moved beside it
_exit_hook: list[Any] = []  # finish_all, once registered
_pending: set[str] = set()  # output folders whose set-aside build is removed at exit
_started: dict[str, float] = {}  # output folder -> when its build started (perf_counter)


def _enabled(settings: dict[str, Any]) -> bool:
    return flag(settings, "OUTPUT_KEEP_UNCHANGED") and bool(settings.get("DELETE_OUTPUT_DIRECTORY"))


def previous_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.previous")


def set_aside(pelican: Any) -> None:
    """Before Pelican empties the output folder: move the previous build beside it (keeping OUTPUT_RETENTION)."""
    if not _exit_hook:
        _exit_hook.append(atexit.register(finish_all))
    output = Path(pelican.output_path)
    finish(output)  # a build earlier in this process (pelican --autoreload) that has not been finished
    _started[str(output)] = time.perf_counter()
    flag(pelican.settings, "OUTPUT_STABLE_PAGINATION")  # checked now, not once every article is read
    worker_pages(pelican.settings)
    keeping = _enabled(pelican.settings)
    if flag(pelican.settings, "OUTPUT_PAGE_RECORDS") and keeping:  # pages.py: unchanged pages are not rendered
        recording_outputs.add(output_key(output))
    else:
        recording_outputs.discard(output_key(output))
    if not keeping:
        return None
    if not output.is_dir() or not any(output.iterdir()):
        return None
    previous = previous_folder(output)
    if previous.exists():
        shutil.rmtree(previous)  # left by a build that failed half way
    os.replace(output, previous)
    output.mkdir()
    for name in pelican.settings.get("OUTPUT_RETENTION", ()):
        if (previous / name).exists():
            os.replace(previous / name, output / name)
    _set_aside[str(output)] = previous
    previous_builds[os.path.normpath(output)] = str(previous)
    return None  # no generator: this receiver only marks the start of a build


def start_finishing(pelican: Any) -> None:
    """At `finalized`: queue the pages planned since the articles' pages for the render workers (writer.start)
    and return at once, so that the other plugins' `finalized` work (sitemap, hashed assets) runs while they
    render. The build is finished when the process exits (or when the next build of this process starts,
    under `pelican --autoreload`)."""
    start_rendering()
    _pending.add(str(Path(pelican.output_path)))


def finish_all() -> None:
    """At exit: wait for the pages, keep unchanged files, remove the set-aside folders. A page that failed
    fails the build: its error is logged and the exit status is 1."""
    try:
        for name in sorted(_pending):
            finish(Path(name))
        finish_rendering()  # a build that stopped before `finalized` may still have workers
    except OutputError as exc:
        # `pelican --fatal errors` raises after logging; the exit status below says it anyway.
        with contextlib.suppress(RuntimeError):
            logger.error("news_output: %s", exc)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


def finish(output: Path) -> None:
    """Wait for the render workers, then put back the previous build's file wherever the bytes are the
    same, and remove the set-aside folder (with the files the site no longer has)."""
    _pending.discard(str(output))
    pages = finish_rendering()
    previous = _set_aside.pop(str(output), None)
    previous_builds.pop(os.path.normpath(output), None)
    if previous is not None:
        kept, written = _keep_unchanged(output, previous)
        shutil.rmtree(previous, ignore_errors=True)
        logger.info(
            "news_output: %d more files unchanged since the last build kept as they were; %d changed or gone",
            kept,
            written,
        )
    started = _started.pop(str(output), None)
    if started is not None and pages:
        # Pelican's "Done" line is printed when the last pages are handed to the render workers.
        console.print(
            f"news_output: all {pages} pages written or kept as they were, "
            f"{time.perf_counter() - started:.2f} seconds after the build started."
        )


def _keep_unchanged(output: Path, previous: Path) -> tuple[int, int]:
    """Swap back every file left in the previous build whose bytes equal the new file's; (kept, not kept).
    Pages the render workers found unchanged were moved back already (writer._KeptIfSame): what is left here
    is the rest (feeds, search index, sitemap, static files) and the pages that changed or are gone."""
    kept = other = 0
    for folder, _, names in os.walk(previous):
        for name in names:
            old = Path(folder) / name
            new = output / old.relative_to(previous)
            if (
                not old.is_symlink()
                and new.is_file()
                and not new.is_symlink()
                and old.stat().st_size == new.stat().st_size
                and filecmp.cmp(old, new, shallow=False)
            ):
                os.replace(old, new)
                kept += 1
            else:
                other += 1
    return kept, other
