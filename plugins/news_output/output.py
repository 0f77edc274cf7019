"""Keep unchanged output files as they were, so rsync, CDN uploads and caches see only what changed.

Pelican deletes `output/` and writes every file again on each build. With this plugin the previous build is
set aside first (one rename, `.<output>.previous` beside it); Pelican writes a complete, clean build; at the end
every file whose bytes equal the previous build's file is swapped back for that file, which keeps its
modification time and inode. Files the site no longer has are gone with the set-aside folder. The result is
byte for byte a clean build, whatever the previous one held.

Rendering still happens for every page: this makes a rebuild cheap to publish, not fast to run.
"""

from __future__ import annotations

import filecmp
import logging
import os
import shutil
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

OUTPUT_DEFAULTS = {"OUTPUT_KEEP_UNCHANGED": True}

_set_aside: dict[str, Path] = {}  # output folder -> the previous build, moved beside it


class OutputSettingsError(ValueError):
    """OUTPUT_KEEP_UNCHANGED is not a boolean."""


def _enabled(settings: dict[str, Any]) -> bool:
    value = settings.get("OUTPUT_KEEP_UNCHANGED", OUTPUT_DEFAULTS["OUTPUT_KEEP_UNCHANGED"])
    if not isinstance(value, bool):
        raise OutputSettingsError(f"OUTPUT_KEEP_UNCHANGED is {value!r}; expected True or False")
    return value and bool(settings.get("DELETE_OUTPUT_DIRECTORY"))


def previous_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.previous")


def set_aside(pelican: Any) -> None:
    """Before Pelican empties the output folder: move the previous build beside it (keeping OUTPUT_RETENTION)."""
    if not _enabled(pelican.settings):
        return None
    output = Path(pelican.output_path)
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
    return None  # no generator: this receiver only marks the start of a build


def restore_unchanged(pelican: Any) -> None:
    """After every file is written: put back the previous build's file wherever the bytes are the same."""
    output = Path(pelican.output_path)
    previous = _set_aside.pop(str(output), None)
    if previous is None:
        return
    kept = written = 0
    for folder, _, names in os.walk(output):
        for name in names:
            new = Path(folder) / name
            old = previous / new.relative_to(output)
            if new.is_symlink() or not old.is_file() or old.is_symlink():
                written += 1
                continue
            if old.stat().st_size == new.stat().st_size and filecmp.cmp(old, new, shallow=False):
                os.replace(old, new)
                kept += 1
            else:
                written += 1
    shutil.rmtree(previous)
    logger.info(
        "news_output: %d files unchanged since the last build kept as they were, %d new or changed", kept, written
    )
