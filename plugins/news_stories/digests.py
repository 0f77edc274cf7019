"""Daily and weekly digests: the top stories of each period, without Pelican.

A story ranks in a period by how many sources covered it in that period, then by how much it grew (its articles
in the period), then by how many sources it has in all; ties go to the story whose latest article in the period
is newer, then to the lower id, so the same archive always gives the same digests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence


@dataclasses.dataclass(frozen=True)
class Coverage:
    """One article of a story, as the digests see it: when, and from which source ("" for a contributor)."""

    date: dt.datetime
    source: str


@dataclasses.dataclass(frozen=True)
class StoryCoverage:
    ident: str
    coverage: tuple[Coverage, ...]


@dataclasses.dataclass(frozen=True)
class DigestEntry:
    ident: str
    sources: int  # distinct sources in the period
    growth: int  # articles in the period
    total_sources: int
    newest: dt.datetime  # its newest article in the period


@dataclasses.dataclass(frozen=True)
class Digest:
    """One period: `kind` is "day" or "week"; `key` is 2026-10-15 or 2026-W42; `start` <= dates < `end`."""

    kind: str
    key: str
    start: dt.datetime
    end: dt.datetime
    entries: tuple[DigestEntry, ...]
    articles: int


def day_key(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def week_key(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _periods(moment: dt.datetime, zone: dt.tzinfo) -> Iterable[tuple[str, str, dt.datetime, dt.datetime]]:
    local = moment.astimezone(zone)
    day = dt.datetime(local.year, local.month, local.day, tzinfo=zone)
    yield "day", day_key(local), day, day + dt.timedelta(days=1)
    monday = day - dt.timedelta(days=local.weekday())
    yield "week", week_key(local), monday, monday + dt.timedelta(days=7)


def build_digests(stories: Sequence[StoryCoverage], zone: dt.tzinfo, max_entries: int) -> list[Digest]:
    """Every day and ISO week (in `zone`) with any article, oldest first, days before weeks on a tie."""
    per_period: dict[tuple[str, str], dict[str, list[Coverage]]] = {}
    bounds: dict[tuple[str, str], tuple[dt.datetime, dt.datetime]] = {}
    for story in stories:
        for item in story.coverage:
            for kind, key, start, end in _periods(item.date, zone):
                per_period.setdefault((kind, key), {}).setdefault(story.ident, []).append(item)
                bounds[(kind, key)] = (start, end)
    totals = {s.ident: len({c.source for c in s.coverage if c.source}) for s in stories}
    digests = []
    for (kind, key), found in per_period.items():
        entries = [
            DigestEntry(
                ident=ident,
                sources=len({c.source for c in items if c.source}),
                growth=len(items),
                total_sources=totals[ident],
                newest=max(c.date for c in items),
            )
            for ident, items in found.items()
        ]
        entries.sort(key=lambda e: (-e.sources, -e.growth, -e.total_sources, -e.newest.timestamp(), e.ident))
        start, end = bounds[(kind, key)]
        digests.append(Digest(kind, key, start, end, tuple(entries[:max_entries]), sum(len(v) for v in found.values())))
    digests.sort(key=lambda d: (d.start, d.kind != "day", d.key))
    return digests


def two_lines(text: str, limit: int = 220) -> str:
    """A summary cut to about two lines of an email, at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"
