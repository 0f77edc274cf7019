"""sources.toml: the outlets ingest reads, validated once with errors that name the source and the key."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MODES = ("summary", "full")  # the feed's own text; or fetch and extract each item's article page


class ConfigError(ValueError):
    """sources.toml is wrong: says which source, which key, and what is expected."""


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    name: str
    feed: str  # http(s) URL, or a local file path (relative to sources.toml)
    section: str
    tags: tuple[str, ...] = ()
    mode: str = "summary"
    lang: str = "en"
    delay: float | None = None  # seconds between requests to this source's host (None: the default)


def _text(where: str, table: dict[str, Any], key: str, required: bool = True, default: str = "") -> str:
    value = table.get(key, None if required else default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be non-empty text, got {value!r}")
    return value.strip()


def source_from_table(table: dict[str, Any], where: str, base: Path, sections: tuple[str, ...] = ()) -> SourceConfig:
    name = _text(where, table, "name")
    where = f"{where} ({name})"
    feed = _text(where, table, "feed")
    if urlsplit(feed).scheme not in ("http", "https"):
        feed = str((base / feed).resolve())
    section = _text(where, table, "section")
    if sections and section not in sections:
        raise ConfigError(f"{where}: section {section!r} is not one of {', '.join(sections)}")
    tags = table.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{where}: 'tags' must be a list of text, got {tags!r}")
    mode = _text(where, table, "mode", required=False, default="summary")
    if mode not in MODES:
        raise ConfigError(f"{where}: mode {mode!r} is not a mode; use one of {', '.join(MODES)}")
    delay = table.get("delay")
    if delay is not None and (not isinstance(delay, int | float) or delay < 0):
        raise ConfigError(f"{where}: 'delay' must be a number of seconds, got {delay!r}")
    unknown = set(table) - {"name", "feed", "section", "tags", "mode", "lang", "delay"}
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    return SourceConfig(
        name,
        feed,
        section,
        tuple(tags),
        mode,
        _text(where, table, "lang", False, "en"),
        float(delay) if delay is not None else None,
    )


def load_sources(path: Path, sections: tuple[str, ...] = ()) -> list[SourceConfig]:
    """Every [[source]] in the file, in order; names must be unique."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: write each source as a [[source]] table")
    sources = [source_from_table(t, f"{path}: source {n}", path.parent, sections) for n, t in enumerate(tables, 1)]
    names = [s.name.casefold() for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{path}: source names must be unique, repeated: {', '.join(duplicates)}")
    return sources
