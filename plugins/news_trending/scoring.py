"""What is rising now, without Pelican: documents in, a ranked list of terms per time window out.

    trends = find_trends(documents, now, TrendConfig())
    for window in trends:
        for trend in window.trends:
            print(window.window.label, trend.label, trend.kind, trend.count, round(trend.score, 1))

For each window (by default the last 24 hours and the last 7 days before `now`) the *baseline* is the
TrendConfig.baseline_days before the window. A term is a document's tags and the names and phrases of its
title and summary (phrases.py), each counted once per document. A term trends in a window when

- it is in at least `min_count` of the window's documents (support),
- its share of the window's documents is at least `min_lift` times its smoothed share of the baseline's
  (a term never seen before has a baseline share of 0.5 / (baseline documents + 1), not 0), and
- the rise is unlikely to be chance: Dunning's log-likelihood ratio G² of the 2×2 table (in the term or
  not × window or baseline) is at least `min_score` (10.83: a 1-in-1000 chance; strict, because
  thousands of terms are tested at once);

and terms are ranked by G², which weighs how surprising the rise is against how much evidence there is.
A term that is always common has the same share in both and never trends, however frequent. Of two overlapping terms
("export controls", "chip export controls") only the higher-ranked is listed.

The work is linear in the number of documents: each document in the window or its baseline is read once,
counts are kept in dictionaries, and scoring is per distinct term.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .phrases import candidates

if TYPE_CHECKING:
    from news_reader.memo import TextMemo

Kind = Literal["tag", "phrase"]


def default_key(text: str) -> str:
    """Two spellings of a term are one term when their keys are equal: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("’", "'").split())


@dataclasses.dataclass(frozen=True)
class TrendDocument:
    """An article as trending reads it: its date, title, summary (plain text) and tags."""

    date: dt.datetime
    title: str
    summary: str = ""
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class TrendWindow:
    """A period ending at `now`: a label for people ("Last 24 hours") and its length in hours."""

    label: str
    hours: float

    @property
    def span(self) -> dt.timedelta:
        return dt.timedelta(hours=self.hours)


DEFAULT_WINDOWS = (TrendWindow("Last 24 hours", 24), TrendWindow("Last 7 days", 24 * 7))


@dataclasses.dataclass(frozen=True)
class TrendConfig:
    windows: tuple[TrendWindow, ...] = DEFAULT_WINDOWS
    baseline_days: float = 30
    min_count: int = 3
    min_lift: float = 2.0
    min_score: float = 10.83  # G² of a 1-in-1000 chance (chi-squared, one degree of freedom)
    max_items: int = 10
    extra_generic: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Trend:
    """One rising term in one window."""

    key: str
    label: str
    kind: Kind  # "tag": it is one of the archive's tags; "phrase": a name or phrase from the texts
    count: int  # documents in the window with the term
    baseline_count: int  # documents in the baseline with the term
    lift: float  # the window's share over the smoothed baseline share
    score: float  # G², the ranking


@dataclasses.dataclass(frozen=True)
class WindowTrends:
    window: TrendWindow
    start: dt.datetime
    end: dt.datetime
    documents: int
    baseline_documents: int
    trends: tuple[Trend, ...]


@dataclasses.dataclass(frozen=True)
class _Term:
    key: str
    label: str
    is_tag: bool


def document_terms(
    document: TrendDocument, key: Callable[[str], str], extra_generic: frozenset[str] = frozenset()
) -> dict[str, _Term]:
    """{key: term} for one document: its tags, then the names and phrases of its title and summary."""
    terms: dict[str, _Term] = {}
    for tag in document.tags:
        k = key(tag)
        if k:
            terms.setdefault(k, _Term(k, tag, True))
    for text, headline in ((document.title, True), (document.summary, False)):
        for candidate in candidates(text, headline=headline, extra_generic=extra_generic):
            k = key(candidate.text)
            if k:
                terms.setdefault(k, _Term(k, candidate.text, False))
    return terms


def document_text(document: TrendDocument) -> str:
    """Everything of a document that its terms depend on, as one string (a memo's key)."""
    return json.dumps([document.tags, document.title, document.summary], ensure_ascii=False)


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """G² of the 2×2 table [[a, b], [c, d]] (a: term in window, b: others in window, c/d: the baseline)."""
    total = a + b + c + d
    if total == 0:
        return 0.0
    rows = (a + b, c + d)
    cols = (a + c, b + d)
    g2 = 0.0
    for observed, row, col in (
        (a, rows[0], cols[0]),
        (b, rows[0], cols[1]),
        (c, rows[1], cols[0]),
        (d, rows[1], cols[1]),
    ):
        if observed:
            g2 += observed * math.log(observed * total / (row * col))
    return 2.0 * g2


def _overlaps(a: str, b: str) -> bool:
    """One key's words are a consecutive part of the other's ("export controls" in "chip export controls")."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return f" {short} " in f" {long} "


def find_trends(
    documents: Iterable[TrendDocument],
    now: dt.datetime,
    config: TrendConfig = TrendConfig(),
    key: Callable[[str], str] = default_key,
    tag_labels: Mapping[str, str] | None = None,
    memo: TextMemo[Any] | None = None,
) -> tuple[WindowTrends, ...]:
    """The trending terms of each window ending at `now`, best first.

    `key` decides which spellings are one term (news_trending passes the tag rules, so "U.S." in a headline
    is the tag "United States"); `tag_labels` ({key: display name}) marks terms that are tags of the
    archive (default: the documents' own tags). `memo` keeps each document's terms between builds; its version
    must name `key` and `config.extra_generic` (news_trending's terms_version does)."""
    windows = config.windows
    baseline = dt.timedelta(days=config.baseline_days)
    oldest = now - max((w.span for w in windows), default=dt.timedelta(0)) - baseline
    window_docs = [0] * len(windows)
    baseline_docs = [0] * len(windows)
    window_counts: list[Counter[str]] = [Counter() for _ in windows]
    baseline_counts: list[Counter[str]] = [Counter() for _ in windows]
    labels: list[dict[str, Counter[str]]] = [defaultdict(Counter) for _ in windows]
    seen_tags: dict[str, str] = {}

    # Read each recent document once; count its terms in every window or baseline it falls in.
    recent = [document for document in documents if oldest < document.date <= now]

    def terms_of(document: TrendDocument) -> tuple[tuple[str, str, bool], ...]:
        return tuple((t.key, t.label, t.is_tag) for t in document_terms(document, key, config.extra_generic).values())

    found = memo.map(terms_of, recent, text=document_text) if memo is not None else map(terms_of, recent)
    for document, terms in zip(recent, found, strict=True):
        for term_key, label, is_tag in terms:
            if is_tag:
                seen_tags.setdefault(term_key, label)
        age = now - document.date
        for index, window in enumerate(windows):
            if age < window.span:
                window_docs[index] += 1
                window_counts[index].update(term_key for term_key, _, _ in terms)
                for term_key, label, _ in terms:
                    labels[index][term_key][label] += 1
            elif age < window.span + baseline:
                baseline_docs[index] += 1
                baseline_counts[index].update(term_key for term_key, _, _ in terms)

    tags = dict(tag_labels) if tag_labels is not None else seen_tags
    return tuple(
        _rank(
            window,
            now,
            config,
            window_docs[index],
            baseline_docs[index],
            window_counts[index],
            baseline_counts[index],
            labels[index],
            tags,
        )
        for index, window in enumerate(windows)
    )


def _rank(
    window: TrendWindow,
    now: dt.datetime,
    config: TrendConfig,
    n_window: int,
    n_baseline: int,
    counts: Counter[str],
    base: Counter[str],
    labels: Mapping[str, Counter[str]],
    tags: Mapping[str, str],
) -> WindowTrends:
    scored: list[Trend] = []
    if n_window and n_baseline:
        for term_key, count in counts.items():
            if count < config.min_count:
                continue
            before = base.get(term_key, 0)
            lift = (count / n_window) / ((before + 0.5) / (n_baseline + 1))
            if lift < config.min_lift:
                continue
            score = log_likelihood(count, n_window - count, before, n_baseline - before)
            if score < config.min_score:
                continue
            is_tag = term_key in tags
            label = tags[term_key] if is_tag else _most_common(labels[term_key])
            scored.append(Trend(term_key, label, "tag" if is_tag else "phrase", count, before, lift, score))
    scored.sort(key=lambda t: (-t.score, -t.count, t.kind != "tag", t.label.casefold(), t.key))
    chosen: list[Trend] = []
    for trend in scored:
        if len(chosen) == config.max_items:
            break
        if not any(_overlaps(trend.key, other.key) for other in chosen):
            chosen.append(trend)
    return WindowTrends(window, now - window.span, now, n_window, n_baseline, tuple(chosen))


def _most_common(spellings: Counter[str]) -> str:
    return min(spellings, key=lambda s: (-spellings[s], s))


def first_with_trends(results: Sequence[WindowTrends]) -> WindowTrends | None:
    """The shortest window that has anything trending (for the strip on every page)."""
    return next((result for result in results if result.trends), None)
