"""`article.related` on every published article (signal: article_generator_finalized).

The phases: read and check the settings; turn each article into a `Story` (plain text, section, tags, time,
duplicate group); reuse the previous build's answer when the cache file holds one for exactly these stories and
settings, otherwise rank (ranking.py) and write the cache; set `article.related`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from news_reader import BuildError, article_text, body_fingerprint, html_to_text, write_atomically
from news_reader.memo import TextMemo, code_version

from .ranking import DUPLICATE_THRESHOLD, Story, Weights, duplicate_groups, rank_related
from .similarity import Analyzer, SimilarityError

logger = logging.getLogger(__name__)

# Bump when the ranking changes, so caches written by an older version are not reused.
ALGORITHM_VERSION = 2  # 2: near-copies by text cosine (RELATED_DUPLICATE_THRESHOLD)
CACHE_FILE_NAME = "related.json"

RELATED_DEFAULTS: dict[str, Any] = {
    "RELATED_MAX": 5,
    "RELATED_WEIGHTS": {"text": 1.0, "tags": 0.3, "section": 0.1, "time": 0.1},
    "RELATED_HALF_LIFE_DAYS": 30.0,
    "RELATED_DUPLICATE_THRESHOLD": DUPLICATE_THRESHOLD,
    "RELATED_CACHE_PATH": None,  # None: <CACHE_PATH>/related.json; False: no cache
}


class RelatedSettingsError(BuildError):
    """A RELATED_* setting has a value the plugin cannot use."""


@dataclasses.dataclass(frozen=True)
class RelatedSettings:
    max_related: int
    weights: Weights
    cache_path: Path | None
    duplicate_threshold: float = DUPLICATE_THRESHOLD


def read_settings(settings: Mapping[str, Any]) -> RelatedSettings:
    """The RELATED_* settings with their defaults, checked; a RelatedSettingsError names the bad one."""
    maximum = settings.get("RELATED_MAX", RELATED_DEFAULTS["RELATED_MAX"])
    if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < 0:
        raise RelatedSettingsError(
            f"RELATED_MAX is {maximum!r}; expected a whole number, 0 or more (0 turns related articles off)"
        )
    given = settings.get("RELATED_WEIGHTS", RELATED_DEFAULTS["RELATED_WEIGHTS"])
    known = set(RELATED_DEFAULTS["RELATED_WEIGHTS"])
    if not isinstance(given, Mapping) or set(given) - known:
        raise RelatedSettingsError(
            f"RELATED_WEIGHTS is {given!r}; expected a dict with some of the keys {sorted(known)} "
            "and numbers 0 or more as values"
        )
    half_life = settings.get("RELATED_HALF_LIFE_DAYS", RELATED_DEFAULTS["RELATED_HALF_LIFE_DAYS"])
    try:
        weights = Weights(**{**RELATED_DEFAULTS["RELATED_WEIGHTS"], **given}, half_life_days=half_life)
    except SimilarityError as error:
        raise RelatedSettingsError(
            f"RELATED_WEIGHTS {given!r} / RELATED_HALF_LIFE_DAYS {half_life!r}: {error}"
        ) from None
    threshold = settings.get("RELATED_DUPLICATE_THRESHOLD", RELATED_DEFAULTS["RELATED_DUPLICATE_THRESHOLD"])
    if not isinstance(threshold, int | float) or isinstance(threshold, bool) or not threshold > 0:
        raise RelatedSettingsError(
            f"RELATED_DUPLICATE_THRESHOLD is {threshold!r}; expected a number above 0 (the text cosine at which "
            "two articles are copies; above 1: only the same body or near_duplicate_of)"
        )
    cache = settings.get("RELATED_CACHE_PATH", RELATED_DEFAULTS["RELATED_CACHE_PATH"])
    if cache is None:
        cache_path: Path | None = Path(settings.get("CACHE_PATH", "cache")) / CACHE_FILE_NAME
    elif cache is False:
        cache_path = None
    elif isinstance(cache, str | os.PathLike) and str(cache):
        cache_path = Path(cache)
    else:
        raise RelatedSettingsError(
            f"RELATED_CACHE_PATH is {cache!r}; expected a file path, None (<CACHE_PATH>/related.json) "
            "or False (no cache)"
        )
    return RelatedSettings(
        max_related=maximum, weights=weights, cache_path=cache_path, duplicate_threshold=float(threshold)
    )


_pending: list[tuple[Any, list[Any], RelatedSettings, str, Any, float]] = []


def add_related(generator: Any) -> None:
    """At `article_generator_finalized`: start ranking every article's related articles, in a worker process
    beside the build (news_output's compute_beside) unless the cache has them; `attach_related` sets them."""
    from news_output import compute_beside  # here: Pelican loads news_output after this plugin

    settings = read_settings(generator.settings)
    articles = sorted(generator.articles, key=lambda a: (str(getattr(a, "id", "") or ""), a.source_path))
    started = time.perf_counter()
    stories = stories_of(articles)
    key = cache_key(stories, settings)
    picks = load_cached(settings.cache_path, key, len(stories))
    if picks is not None:
        _pending.append((generator, articles, settings, key, picks, started))
        return
    memo = terms_memo(generator.settings, "news_related-terms", Analyzer())
    ranking = compute_beside(
        rank_related_kept, stories, settings, memo, what="news_related", settings=generator.settings
    )
    _pending.append((generator, articles, settings, key, ranking, started))


def rank_related_kept(
    stories: Sequence[Story], settings: RelatedSettings, memo: TextMemo[Any]
) -> list[tuple[int, ...]]:
    """rank_related, with each article's term counts taken from and kept in `memo`."""
    picks = rank_related(
        stories, settings.max_related, settings.weights, memo=memo, duplicate_threshold=settings.duplicate_threshold
    )
    memo.save()
    return picks


def terms_memo(settings: Mapping[str, Any], name: str, analyzer: Analyzer) -> TextMemo[Any]:
    """The memo `name` (news_reader's TextMemo in CACHE_PATH) of `analyzer`'s term counts per text; its version
    is the analyzer's class, code and language, so changing any of them starts the memo afresh."""
    version = f"{type(analyzer).__qualname__}:{analyzer.language}:{code_version(type(analyzer))}"
    return TextMemo.for_build(settings, name, version)


def attach_related(generators: Any) -> None:
    """At `all_generators_finalized`, before any page is planned: set `related` (a list of articles, best
    first) on every article, from the cache or the finished ranking."""
    while _pending:
        _, articles, settings, key, result, started = _pending.pop(0)
        if isinstance(result, list):
            picks, how = result, "reused from the cache"
        else:
            picks, how = result.result(), "computed"
            if settings.cache_path is not None:
                save_cached(settings.cache_path, key, picks)
        for article, chosen in zip(articles, picks, strict=True):
            article.related = [articles[index] for index in chosen]
        logger.info(
            "news_related: related articles for %d articles %s in %.2f s (beside the build)",
            len(articles),
            how,
            time.perf_counter() - started,
        )


# --- articles -> stories ---------------------------------------------------------------------------------


def stories_of(articles: Sequence[Any]) -> list[Story]:
    """One Story per article: title, summary and body as text; duplicates grouped by body and
    `near_duplicate_of`."""
    keys = [str(getattr(a, "id", "") or a.source_path) for a in articles]
    # The HTML as read, not `article.content`: that one resolves {static}/{filename} links and is memoised,
    # and at this point the static files and pages are not known yet.
    bodies = [article_text(a) for a in articles]
    groups = duplicate_groups(
        keys,
        [article_fingerprint(article) for article in articles],
        [getattr(a, "near_duplicate_of", None) for a in articles],
    )
    stories = []
    for article, key, body, group in zip(articles, keys, bodies, groups, strict=True):
        summary = getattr(article, "summary_text", None) or html_to_text(getattr(article, "summary", "") or "")
        stories.append(
            Story(
                key=key,
                text=f"{html_to_text(article.title)}\n\n{summary}\n\n{body}",
                section=article.category.name if getattr(article, "category", None) else "",
                tags=tuple(tag.name for tag in getattr(article, "tags", None) or ()),
                timestamp=article.date.timestamp(),
                group=group,
            )
        )
    return stories


def article_fingerprint(article: Any) -> str:
    """`body_fingerprint` of an article's text, for every plugin that groups copies by body (here and
    news_stories): the reader works it out with the reading (`_news_fingerprint`, kept in the content cache);
    for other content, once per object here (24 µs an article, about 2.4 s at 100,000 each time)."""
    cached = getattr(article, "_news_fingerprint", None)
    if cached is None:
        cached = article._news_fingerprint = body_fingerprint(article_text(article))
    return cached


# --- the cache -------------------------------------------------------------------------------------------


def cache_key(stories: Sequence[Story], settings: RelatedSettings) -> str:
    """A fingerprint of everything the result depends on: the stories, in order, and the settings."""
    digest = hashlib.sha256()
    header = [
        ALGORITHM_VERSION,
        settings.max_related,
        dataclasses.asdict(settings.weights),
        settings.duplicate_threshold,
    ]
    digest.update(json.dumps(header, sort_keys=True).encode("utf-8"))
    for story in stories:
        fields = [story.key, story.section, list(story.tags), story.timestamp, story.group, story.text]
        digest.update(json.dumps(fields, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def load_cached(path: Path | None, key: str, count: int) -> list[tuple[int, ...]] | None:
    """The cached result when `path` holds one for `key`; None otherwise (missing, stale or unreadable)."""
    if path is None or not path.is_file():
        return None
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        logger.info("news_related: ignoring the unreadable cache %s (%s); recomputing", path, error)
        return None
    if not isinstance(cached, dict) or cached.get("key") != key:
        return None
    related = cached.get("related")
    if not isinstance(related, list) or len(related) != count:
        return None
    if not all(isinstance(row, list) and all(isinstance(i, int) and 0 <= i < count for i in row) for row in related):
        return None
    return [tuple(row) for row in related]


def save_cached(path: Path, key: str, related: Sequence[tuple[int, ...]]) -> None:
    """Write the result beside `path`, then rename it over: never a half-written cache."""
    write_atomically(path, json.dumps({"key": key, "related": [list(row) for row in related]}, separators=(",", ":")))
