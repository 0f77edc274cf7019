"""Trending in the build: the strip on every page, the file it is read from, and the /trending/ page (signal:
get_generators).

`TrendingGenerator` runs after the articles generator has read, merged (news_tags) and listed every article,
and before any page is written:

- generate_context: settings validated, "now" fixed (BUILD_TIME, else the newest article's date), the terms
  scored per window (scoring.py), each linked to its tag page or to a search, and put in the context:
  `trending` (the strip: the shortest window with anything rising), `trending_windows` (every window, for
  the page) and `trending_now`;
- generate_output: the strip's items as JSON at TRENDING_STRIP_SAVE_AS, which every page's strip reads in the
  browser (so that what trends is one file, not a part of every page: a rising term would otherwise change
  every page of the site), and the trending page (template `trending.html`) at TRENDING_SAVE_AS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from markupsafe import Markup
from news_reader import BuildError
from news_reader.memo import TextMemo, code_version
from pelican.generators import Generator

from .phrases import candidates
from .scoring import TrendConfig, TrendDocument, TrendWindow, WindowTrends, default_key, find_trends, first_with_trends

TRENDING_DEFAULTS: dict[str, Any] = {
    "TRENDING_WINDOWS": {"Last 24 hours": 24, "Last 7 days": 168},
    "TRENDING_BASELINE_DAYS": 30,
    "TRENDING_MIN_COUNT": 3,
    "TRENDING_MIN_LIFT": 2.0,
    "TRENDING_MIN_SCORE": 10.83,
    "TRENDING_MAX_ITEMS": 10,
    "TRENDING_STRIP_SIZE": 5,
    "TRENDING_GENERIC_WORDS": (),
    "TRENDING_SEARCH_URL": "search/?q={query}",
    "TRENDING_URL": "trending/",
    "TRENDING_SAVE_AS": "trending/index.html",
    "TRENDING_STRIP_SAVE_AS": "trending/strip.json",
    "BUILD_TIME": None,
}


class TrendingSettingsError(BuildError, ValueError):
    """A news_trending setting has a value the plugin cannot use."""


@dataclasses.dataclass(frozen=True)
class TrendingSettings:
    config: TrendConfig
    strip_size: int
    search_url: str | None
    url: str
    save_as: str | None
    build_time: dt.datetime | None
    strip_save_as: str | None = None


@dataclasses.dataclass(frozen=True)
class TrendLink:
    """One trending term as the templates show it; `url` is site-relative (no leading slash)."""

    label: str
    url: str
    count: int
    baseline_count: int
    kind: str


@dataclasses.dataclass(frozen=True)
class WindowView:
    label: str
    anchor: str
    start: dt.datetime
    end: dt.datetime
    documents: int
    baseline_documents: int
    items: tuple[TrendLink, ...]


def _whole(name: str, value: Any, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise TrendingSettingsError(f"{name} is {value!r}; expected a whole number, {least} or more")
    return value


def _number(name: str, value: Any, above: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= above:
        raise TrendingSettingsError(f"{name} is {value!r}; expected a number above {above:g}")
    return float(value)


def parse_build_time(value: Any) -> dt.datetime | None:
    """BUILD_TIME as an aware datetime: a datetime or an ISO 8601 text with a timezone offset, or None."""
    if value is None or value == "":
        return None
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise TrendingSettingsError(
                f"BUILD_TIME is {value!r}; expected an ISO 8601 date and time with an offset, "
                "e.g. '2026-11-21T12:00:00+00:00'"
            ) from None
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise TrendingSettingsError(
            f"BUILD_TIME is {value!r}; expected a date and time with a timezone, e.g. '2026-11-21T12:00:00+00:00'"
        )
    return moment


def read_settings(settings: Mapping[str, Any]) -> TrendingSettings:
    """The plugin's settings, validated once; errors name the setting, the value and what is expected."""
    windows_setting = settings.get("TRENDING_WINDOWS", TRENDING_DEFAULTS["TRENDING_WINDOWS"])
    if not isinstance(windows_setting, Mapping) or not windows_setting:
        raise TrendingSettingsError(
            f"TRENDING_WINDOWS is {windows_setting!r}; expected labels and hours, e.g. "
            '{"Last 24 hours": 24, "Last 7 days": 168}'
        )
    windows = []
    for label, hours in windows_setting.items():
        if not isinstance(label, str) or not label.strip():
            raise TrendingSettingsError(f"TRENDING_WINDOWS has the label {label!r}; expected a text")
        windows.append(TrendWindow(label, _number(f"TRENDING_WINDOWS[{label!r}]", hours, 0)))
    generic = settings.get("TRENDING_GENERIC_WORDS", TRENDING_DEFAULTS["TRENDING_GENERIC_WORDS"])
    if isinstance(generic, str) or not all(isinstance(word, str) for word in generic):
        raise TrendingSettingsError(f"TRENDING_GENERIC_WORDS is {generic!r}; expected a list of words")
    config = TrendConfig(
        windows=tuple(windows),
        baseline_days=_number(
            "TRENDING_BASELINE_DAYS",
            settings.get("TRENDING_BASELINE_DAYS", TRENDING_DEFAULTS["TRENDING_BASELINE_DAYS"]),
            0,
        ),
        min_count=_whole(
            "TRENDING_MIN_COUNT", settings.get("TRENDING_MIN_COUNT", TRENDING_DEFAULTS["TRENDING_MIN_COUNT"]), 1
        ),
        min_lift=_number(
            "TRENDING_MIN_LIFT", settings.get("TRENDING_MIN_LIFT", TRENDING_DEFAULTS["TRENDING_MIN_LIFT"]), 1
        ),
        min_score=_number(
            "TRENDING_MIN_SCORE", settings.get("TRENDING_MIN_SCORE", TRENDING_DEFAULTS["TRENDING_MIN_SCORE"]), -1
        ),
        max_items=_whole(
            "TRENDING_MAX_ITEMS", settings.get("TRENDING_MAX_ITEMS", TRENDING_DEFAULTS["TRENDING_MAX_ITEMS"]), 1
        ),
        extra_generic=frozenset(word.casefold() for word in generic),
    )
    search_url = settings.get("TRENDING_SEARCH_URL", TRENDING_DEFAULTS["TRENDING_SEARCH_URL"])
    if search_url is not None and (not isinstance(search_url, str) or "{query}" not in search_url):
        raise TrendingSettingsError(
            f"TRENDING_SEARCH_URL is {search_url!r}; expected a URL with {{query}}, e.g. 'search/?q={{query}}', "
            "or None (phrases without a link)"
        )
    url = settings.get("TRENDING_URL", TRENDING_DEFAULTS["TRENDING_URL"])
    save_as = settings.get("TRENDING_SAVE_AS", TRENDING_DEFAULTS["TRENDING_SAVE_AS"])
    if not isinstance(url, str):
        raise TrendingSettingsError(f"TRENDING_URL is {url!r}; expected the page's URL, e.g. 'trending/'")
    if save_as is not None and not isinstance(save_as, str):
        raise TrendingSettingsError(
            f"TRENDING_SAVE_AS is {save_as!r}; expected its file, e.g. 'trending/index.html' (None or '': no page)"
        )
    strip_save_as = settings.get("TRENDING_STRIP_SAVE_AS", TRENDING_DEFAULTS["TRENDING_STRIP_SAVE_AS"])
    if strip_save_as is not None and not isinstance(strip_save_as, str):
        raise TrendingSettingsError(
            f"TRENDING_STRIP_SAVE_AS is {strip_save_as!r}; expected the strip's file, e.g. 'trending/strip.json' "
            "(None or '': no strip)"
        )
    return TrendingSettings(
        config=config,
        strip_size=_whole(
            "TRENDING_STRIP_SIZE", settings.get("TRENDING_STRIP_SIZE", TRENDING_DEFAULTS["TRENDING_STRIP_SIZE"]), 0
        ),
        search_url=search_url or None,
        url=url,
        save_as=save_as or None,
        build_time=parse_build_time(settings.get("BUILD_TIME", TRENDING_DEFAULTS["BUILD_TIME"])),
        strip_save_as=strip_save_as or None,
    )


def as_document(article: Any) -> TrendDocument:
    summary = getattr(article, "summary_text", None)
    if summary is None:
        summary = Markup(str(getattr(article, "summary", "") or "")).striptags()
    return TrendDocument(
        date=article.date,
        title=Markup(str(article.title)).striptags(),
        summary=str(summary),
        tags=tuple(str(tag) for tag in getattr(article, "tags", None) or ()),
    )


def link(label: str, tag: Any, search_url: str | None) -> str:
    """The tag page for a tag; else the search for the phrase ("" when there is no search)."""
    if tag is not None:
        return str(tag.url)
    if search_url:
        return search_url.format(query=quote_plus(label))
    return ""


def anchor(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-") or "window"


def views(results: Sequence[WindowTrends], tags_by_key: Mapping[str, Any], search_url: str | None) -> list[WindowView]:
    shown: list[WindowView] = []
    for result in results:
        items = []
        for trend in result.trends:
            tag = tags_by_key.get(trend.key)
            label = tag.name if tag is not None else trend.label
            kind = "tag" if tag is not None else "phrase"
            items.append(TrendLink(label, link(label, tag, search_url), trend.count, trend.baseline_count, kind))
        shown.append(
            WindowView(
                result.window.label,
                anchor(result.window.label),
                result.start,
                result.end,
                result.documents,
                result.baseline_documents,
                tuple(items),
            )
        )
    return shown


def terms_memo(settings: Mapping[str, Any], rules: Any, config: TrendConfig) -> TextMemo[Any]:
    """The memo of each article's terms in CACHE_PATH. Its version names all they depend on besides the
    article: the code that finds them, the tag aliases that key them, the extra generic words."""
    owner = type(rules) if rules is not None else default_key
    aliases = sorted(rules.aliases.items()) if rules is not None else []
    described = json.dumps([code_version(find_trends, candidates, owner), aliases, sorted(config.extra_generic)])
    version = hashlib.sha256(described.encode()).hexdigest()
    return TextMemo.for_build(settings, "news_trending-terms", version)


class TrendingGenerator(Generator):
    """Scores the listed articles and writes the trending page."""

    trending_settings: TrendingSettings

    def generate_context(self) -> None:
        self.trending_settings = config = read_settings(self.settings)
        articles = list(self.context.get("articles") or [])
        # "Now" is fixed by the archive, not the clock, so two builds of one archive are identical.
        now = config.build_time or max((a.date for a in articles), default=None)
        rules = self.context.get("tag_rules")
        key = rules.key if rules is not None else default_key
        tags_by_key = {key(tag.name): tag for tag, _ in self.context.get("tags") or []}
        tag_labels = {k: tag.name for k, tag in tags_by_key.items()}
        # Each article's terms are kept for the next build (news_reader's TextMemo).
        memo = terms_memo(self.settings, rules, config.config)
        documents = (as_document(a) for a in articles)
        results = find_trends(documents, now, config.config, key, tag_labels, memo) if now else ()
        memo.save()
        windows = views(results, tags_by_key, config.search_url)
        strip_window = first_with_trends(results)
        strip = next((view for view in windows if strip_window and view.label == strip_window.window.label), None)
        self.context["trending_windows"] = windows
        self.context["trending_window"] = strip
        self.context["trending"] = list(strip.items[: config.strip_size]) if strip else []
        self.context["trending_now"] = now
        self.context["trending_baseline_days"] = config.config.baseline_days
        self.context["trending_page_url"] = config.url if config.save_as else None
        self.context["trending_strip_url"] = config.strip_save_as

    def generate_output(self, writer: Any) -> None:
        config = self.trending_settings
        if config.strip_save_as:
            window = self.context.get("trending_window")
            write_strip(
                self.output_path, config.strip_save_as, window.label if window else None, self.context["trending"]
            )
        if not config.save_as:
            return
        writer.write_file(
            config.save_as,
            self.get_template("trending"),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=config.url,
            template_name="trending",
            page_name="trending",
        )


def strip_json(window: str | None, items: Sequence[TrendLink]) -> str:
    """The strip as the pages' script reads it: the window's label and each item's label and site-relative
    URL ("" for a phrase without a link)."""
    data = {"window": window, "items": [{"label": item.label, "url": item.url} for item in items]}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write_strip(output_path: str, save_as: str, window: str | None, items: Sequence[TrendLink]) -> Path:
    """Write the strip's JSON under the output folder (into the build's fresh output, as Pelican writes pages:
    news_output keeps the previous build until this one has finished)."""
    root = Path(output_path).resolve()
    path = (root / save_as).resolve()
    if root not in path.parents:
        raise TrendingSettingsError(f"TRENDING_STRIP_SAVE_AS is {save_as!r}; expected a file inside the output folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(strip_json(window, items), encoding="utf-8")
    return path
