"""`invoke new`: a new article file with valid front matter at the right path."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .check import PLACEHOLDER
from .reader import slug_of

SUMMARY_PLACEHOLDER = PLACEHOLDER + "one or two sentences saying what happened."
BODY_PLACEHOLDER = PLACEHOLDER + "the article, in Markdown. Use ## for subheadings; do not repeat the title.\n"


class NewArticleError(ValueError):
    """The article cannot be created as asked (unknown section, file already there...)."""


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_article(
    content: Path,
    title: str,
    section: str,
    settings: Mapping[str, Any],
    *,
    source: str | None = None,
    source_url: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Write content/articles/YYYY/MM/<slug>.md and return its path; never overwrites a file."""
    title = " ".join(title.split())
    slug = slug_of(title)
    if not slug:
        raise NewArticleError(f'the title "{title}" has no letters or digits to make a file name from')
    sections = list(settings.get("NEWS_SECTIONS") or ())
    known = next((s for s in sections if s.casefold() == section.casefold()), None)
    if sections and known is None:
        raise NewArticleError(f'unknown section "{section}"; sections are: {", ".join(sections)}')
    if source_url and not source:
        raise NewArticleError("--source-url needs --source (the outlet's name)")
    zone = zoneinfo.ZoneInfo(settings.get("TIMEZONE", "UTC"))
    when = (now or dt.datetime.now(zone)).astimezone(zone).replace(microsecond=0)
    folder = content / settings.get("ARTICLE_PATHS", ["articles"])[0] / f"{when:%Y}" / f"{when:%m}"
    path = folder / f"{slug}.md"
    if path.exists():
        raise NewArticleError(f"{path} already exists; choose another title or edit that file")
    lines = [
        "---",
        f"id: contrib-{when:%Y-%m-%d}-{slug[:60].rstrip('-')}",
        f"title: {_quoted(title)}",
        f"date: {when.isoformat()}",
        f"added: {when.isoformat()}",  # when it entered the archive: stays if `date` is changed to an older day
        f"section: {known or section}",
        "tags: []",
        "authors: []",
    ]
    if source:
        lines.append(f"source: {_quoted(source)}")
    if source_url:
        lines.append(f"source_url: {source_url}")
    lines += [
        f"via: {'page' if source_url else 'contributor'}",
        f"summary: {_quoted(SUMMARY_PLACEHOLDER)}",
        f"lang: {settings.get('DEFAULT_LANG', 'en')}",
        "---",
        "",
        BODY_PLACEHOLDER,
    ]
    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".new-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        os.link(temporary, path)  # fails if someone created the file meanwhile: never overwrite
    except FileExistsError:
        raise NewArticleError(f"{path} already exists; choose another title or edit that file") from None
    finally:
        os.unlink(temporary)
    return path
