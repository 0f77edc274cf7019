"""Stories, arcs, digests and cited-by in the build (signal: get_generators).

`StoriesGenerator` runs after the articles generator has read every article and merged its tags, and before any
page is written. Its phases:

- generate_context: settings checked; each article becomes a `StoryItem` (its front-matter overrides read);
  clusters and arcs found (clustering.py); copies folded; citations found; views made for the templates and
  set on each article (`story`, `arc`, `arc_chapter`, `also_published_by`, `copy_of`, `cited_by`); digests
  ranked (digests.py);
- generate_output: story pages, the stories index, arc timelines, digest pages with their email version, and the
  Atom feed of digests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import logging
import os
import re
import time
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from feedgenerator import Atom1Feed
from news_reader.errors import BuildError
from news_reader.reader import article_text, html_to_text
from news_related.ranking import duplicate_groups
from news_related.related import article_fingerprint, terms_memo
from news_related.similarity import candidates, pair_cosines
from pelican.generators import Generator

from .clustering import (
    NO_STORY,
    Arc,
    Cluster,
    ClusteringError,
    ClusterParams,
    StoryAnalyzer,
    StoryItem,
    cluster_centroids,
    cluster_items,
    find_arcs,
    story_vectors,
    text_candidates,
)
from .digests import Coverage, Digest, StoryCoverage, build_digests, two_lines

logger = logging.getLogger(__name__)

STORIES_DEFAULTS: dict[str, Any] = {
    "STORIES_THRESHOLD": 0.22,
    "STORIES_WINDOW_DAYS": 3.0,
    "STORIES_HALF_LIFE_DAYS": 2.0,
    "STORIES_ARC_THRESHOLD": 0.3,
    "STORIES_ARC_GAP_DAYS": 14.0,
    "STORIES_ARC_MIN_CHAPTERS": 3,
    "STORIES_ARC_MIN_SPAN_DAYS": 4.0,
    "STORIES_ARC_RECENT_CHAPTERS": 3,
    "STORIES_DUPLICATE_THRESHOLD": 0.8,
    "STORIES_INDEX_MAX": 20,
    "STORIES_RELATED_MAX": 3,
    "STORY_URL": "story/{slug}/",
    "STORY_SAVE_AS": "story/{slug}/index.html",
    "STORIES_URL": "stories/",
    "STORIES_SAVE_AS": "stories/index.html",
    "ARC_URL": "arc/{slug}/",
    "ARC_SAVE_AS": "arc/{slug}/index.html",
    "DIGEST_URL": "digest/{key}/",
    "DIGEST_SAVE_AS": "digest/{key}/index.html",
    "DIGEST_EMAIL_URL": "digest/{key}/email.html",
    "DIGEST_MAX_STORIES": 10,
    "DIGEST_FEED_ATOM": "feeds/digests.atom.xml",
    "DIGEST_FEED_MAX_ITEMS": 30,
    "STORY_ALIASES_SAVE_AS": "story/aliases/{shard}.json",
    "STORY_ALIASES_PER_FILE": 1000,
}
# Front-matter fields this plugin reads (pelicanconf.py adds them to NEWS_EXTRA_FIELDS).
OVERRIDE_FIELDS = ("story", "arc", "arc_name")
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_HREF_RE = re.compile(r"""href=["']([^"']+)["']""")


class StoriesSettingsError(BuildError, ValueError):
    """A STORIES_*/STORY_*/ARC_*/DIGEST_* setting has a value the plugin cannot use."""


class StoryOverrideError(BuildError, ValueError):
    """A `story`, `arc` or `arc_name` front-matter value that cannot be used; the message has file and line."""


@dataclasses.dataclass(frozen=True)
class StoriesSettings:
    params: ClusterParams
    duplicate_threshold: float
    index_max: int
    related_max: int
    urls: Mapping[str, str]
    digest_max: int
    digest_feed: str | None
    digest_feed_max: int
    site_origin: str
    timezone: dt.tzinfo
    aliases_save_as: str | None = None
    aliases_per_file: int = 1000


def _number(settings: Mapping[str, Any], name: str, low: float, high: float | None = None) -> float:
    value = settings.get(name, STORIES_DEFAULTS[name])
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bound = f"above {low:g}" + (f" and at most {high:g}" if high is not None else "")
        raise StoriesSettingsError(f"{name} is {value!r}; expected a number {bound}")
    return float(value)


def _whole(settings: Mapping[str, Any], name: str, least: int) -> int:
    value = settings.get(name, STORIES_DEFAULTS[name])
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise StoriesSettingsError(f"{name} is {value!r}; expected a whole number, {least} or more")
    return value


def read_settings(settings: Mapping[str, Any]) -> StoriesSettings:
    """The plugin's settings, validated once; errors name the setting, the value and what is expected."""
    params = ClusterParams(
        threshold=_number(settings, "STORIES_THRESHOLD", 0, 1),
        window_days=_number(settings, "STORIES_WINDOW_DAYS", 0),
        half_life_days=_number(settings, "STORIES_HALF_LIFE_DAYS", 0),
        arc_threshold=_number(settings, "STORIES_ARC_THRESHOLD", 0, 1),
        arc_gap_days=_number(settings, "STORIES_ARC_GAP_DAYS", 0),
        arc_min_chapters=_whole(settings, "STORIES_ARC_MIN_CHAPTERS", 2),
        arc_min_span_days=_number(settings, "STORIES_ARC_MIN_SPAN_DAYS", -1),
        arc_recent_chapters=_whole(settings, "STORIES_ARC_RECENT_CHAPTERS", 1),
    )
    urls = {}
    for name, field in (
        ("STORY_URL", "{slug}"),
        ("STORY_SAVE_AS", "{slug}"),
        ("STORIES_URL", ""),
        ("STORIES_SAVE_AS", ""),
        ("ARC_URL", "{slug}"),
        ("ARC_SAVE_AS", "{slug}"),
        ("DIGEST_URL", "{key}"),
        ("DIGEST_SAVE_AS", "{key}"),
        ("DIGEST_EMAIL_URL", "{key}"),
    ):
        value = settings.get(name, STORIES_DEFAULTS[name])
        if not isinstance(value, str) or field not in value or (name.endswith("SAVE_AS") and not value):
            example = STORIES_DEFAULTS[name]
            raise StoriesSettingsError(f"{name} is {value!r}; expected a path containing {field!r}, e.g. {example!r}")
        urls[name] = value
    feed = settings.get("DIGEST_FEED_ATOM", STORIES_DEFAULTS["DIGEST_FEED_ATOM"])
    if feed is not None and (not isinstance(feed, str) or not feed.endswith(".xml")):
        raise StoriesSettingsError(
            f"DIGEST_FEED_ATOM is {feed!r}; expected a file path ending in .xml, e.g. 'feeds/digests.atom.xml', "
            "or None (no feed)"
        )
    aliases = settings.get("STORY_ALIASES_SAVE_AS", STORIES_DEFAULTS["STORY_ALIASES_SAVE_AS"])
    if aliases is not None and (
        not isinstance(aliases, str) or not aliases.endswith(".json") or aliases.count("{shard}") != 1
    ):
        raise StoriesSettingsError(
            f"STORY_ALIASES_SAVE_AS is {aliases!r}; expected a file path with {{shard}} once, ending in .json, e.g. "
            "'story/aliases/{shard}.json', or None (no files: a merged story's old address is a plain 404)"
        )
    origin = settings.get("SITE_ORIGIN") or settings.get("SITEURL") or ""
    zone_name = settings.get("TIMEZONE", "UTC")
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise StoriesSettingsError(f"TIMEZONE is {zone_name!r}; expected an IANA zone name like 'UTC'") from None
    return StoriesSettings(
        params=params,
        duplicate_threshold=_number(settings, "STORIES_DUPLICATE_THRESHOLD", 0, 1),
        index_max=_whole(settings, "STORIES_INDEX_MAX", 1),
        related_max=_whole(settings, "STORIES_RELATED_MAX", 0),
        urls=urls,
        digest_max=_whole(settings, "DIGEST_MAX_STORIES", 1),
        digest_feed=feed or None,
        digest_feed_max=_whole(settings, "DIGEST_FEED_MAX_ITEMS", 1),
        site_origin=str(origin).rstrip("/"),
        timezone=zone,
        aliases_save_as=aliases or None,
        aliases_per_file=_whole(settings, "STORY_ALIASES_PER_FILE", 1),
    )


# --- front-matter overrides -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Overrides:
    story: str | None = None
    arc: str | None = None
    arc_name: str | None = None


def read_overrides(article: Any) -> Overrides:
    """The `story`, `arc` and `arc_name` fields of an article, as news_reader passes them on (`extra_fields`:
    the NEWS_EXTRA_FIELDS of its file, with their lines), checked here."""
    fields = getattr(article, "extra_fields", None) or {}
    path = article.source_path
    found: dict[str, str] = {}
    for name in OVERRIDE_FIELDS:
        if name not in fields:
            continue
        value, line = fields[name].value, fields[name].line
        if not isinstance(value, str) or not value.strip():
            raise StoryOverrideError(f"{path}:{line}: error: '{name}' must be text — write {name}: <value> on one line")
        value = " ".join(value.split())
        if name != "arc_name" and not _KEY_RE.match(value):
            raise StoryOverrideError(
                f"{path}:{line}: error: {name} {value!r} is not a usable id — use lowercase letters, digits and "
                f"hyphens (e.g. {name}: port-alder-ferry-strike), or '{NO_STORY}'"
            )
        found[name] = value
    return Overrides(**found)


# --- views for the templates ------------------------------------------------------------------------------


@dataclasses.dataclass
class StoryView:
    """A story as the templates show it. `entries`: (canonical article, its copies), earliest first."""

    ident: str
    slug: str
    url: str
    save_as: str
    headline: str
    lead: Any
    entries: list[tuple[Any, list[Any]]]
    sources: list[Any]
    first_seen: dt.datetime
    last_updated: dt.datetime
    related: list[StoryView] = dataclasses.field(default_factory=list)
    arc: ArcView | None = None
    chapter: ChapterView | None = None

    @property
    def articles(self) -> list[Any]:
        return [article for article, copies in self.entries for article in (article, *copies)]

    def other_sources(self, article: Any) -> list[Any]:
        """The story's sources other than the article's own (and other than its copies')."""
        own = {getattr(a.source, "name", None) for a in (article, *getattr(article, "also_published_by", []))}
        return [source for source in self.sources if source.name not in own]


@dataclasses.dataclass
class ChapterView:
    number: int
    start: dt.datetime
    story: StoryView | None  # a story page when the chapter has 2+ articles
    articles: list[Any]

    @property
    def anchor(self) -> str:
        """The chapter's id on the arc's page, from its story's id (or its one article): unlike its number, it
        stays when an earlier chapter is inserted, so the pages that link to it need not change."""
        return f"ch-{self.story.ident if self.story else self.articles[0].slug}"


@dataclasses.dataclass
class ArcView:
    key: str
    name: str
    url: str
    save_as: str
    chapters: list[ChapterView]


@dataclasses.dataclass
class DigestItem:
    story: StoryView | None
    article: Any  # the lead article (the link when there is no story page)
    headline: str
    summary: str
    sources: int
    growth: int


@dataclasses.dataclass
class DigestView:
    kind: str
    key: str
    title: str
    start: dt.datetime
    end: dt.datetime
    url: str
    save_as: str
    email_url: str
    email_save_as: str
    items: list[DigestItem]
    articles: int
    previous: DigestView | None = None
    next: DigestView | None = None


# --- articles -> items -------------------------------------------------------------------------------------


def as_item(article: Any, overrides: Overrides) -> StoryItem:
    summary = getattr(article, "summary_text", None) or html_to_text(str(getattr(article, "summary", "") or ""))
    body = article_text(article)
    story = overrides.story
    return StoryItem(
        key=str(article.slug),
        title=html_to_text(str(article.title)),
        text=f"{summary}\n\n{body}",
        timestamp=article.date.timestamp(),
        tags=tuple(str(getattr(tag, "name", tag)) for tag in getattr(article, "tags", None) or ()),
        forced=story,
        arc=overrides.arc,
        added=added.timestamp() if (added := getattr(article, "added", None)) else None,
    )


# --- old addresses ----------------------------------------------------------------------------------------


def story_aliases(stories: Sequence[StoryView]) -> dict[str, str]:
    """Each article of a story, by slug, to the story's id, but the article the story is named after: when two
    stories merge, the one named later loses its address, which names one of the merged story's articles. The
    404 page (site.js) looks such an address up and goes on to the story."""
    return {a.slug: story.ident for story in stories for a in story.articles if a.slug != story.ident}


def alias_files(aliases: Mapping[str, str], per_file: int) -> int:
    """How many files the map is split into: the power of two that keeps them at about `per_file` entries (1 on
    a small archive; 128 at 100,000 articles). It changes only when the map doubles or halves."""
    files = 1
    while len(aliases) > files * per_file:
        files *= 2
    return files


def alias_shard(slug: str, files: int) -> int:
    """The file of `slug`: 32-bit FNV-1a of its UTF-8 bytes, modulo `files` (site.js computes the same)."""
    value = 0x811C9DC5
    for byte in slug.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % files


def aliases_json(aliases: Mapping[str, str], files: int) -> list[str]:
    """The map split into `files` JSON texts, by alias_shard: a new article changes the file of its slug only,
    and a story address that moved costs the 404 page one small file, not the whole map (3 MB at 100,000
    articles)."""
    shards: list[dict[str, str]] = [{} for _ in range(files)]
    for slug, ident in aliases.items():
        shards[alias_shard(slug, files)][slug] = ident
    return [json.dumps({"aliases": shard}, sort_keys=True, separators=(",", ":")) + "\n" for shard in shards]


# --- cited by ----------------------------------------------------------------------------------------------


def find_citations(articles: Sequence[Any], content_path: str) -> dict[int, list[int]]:
    """For each article (by position), the positions of the articles that link to it: by `{filename}` link, by
    its URL on this site, or by its original `source_url`."""
    by_file: dict[str, int] = {}
    by_url: dict[str, int] = {}
    for index, article in enumerate(articles):
        relative = os.path.relpath(article.source_path, content_path).replace(os.sep, "/")
        by_file[relative] = index
        by_url[str(article.url).strip("/")] = index
        if getattr(article, "source_url", None):
            by_url[str(article.source_url).rstrip("/")] = index
    cited: dict[int, set[int]] = {}
    for index, article in enumerate(articles):
        for href in _HREF_RE.findall(getattr(article, "_content", None) or ""):
            href = html.unescape(href)
            target = None
            if href.startswith(("{filename}", "|filename|")):
                target = by_file.get(href.split("}", 1)[-1].split("|", 2)[-1].lstrip("/").split("#")[0])
            else:
                parts = urlsplit(href)
                if parts.scheme in ("http", "https"):
                    target = by_url.get(href.split("#")[0].rstrip("/"))
                elif not parts.scheme and parts.path.startswith("/"):
                    target = by_url.get(parts.path.strip("/"))
            if target is not None and target != index:
                cited.setdefault(target, set()).add(index)
    return {target: sorted(sources) for target, sources in cited.items()}


# --- copies ------------------------------------------------------------------------------------------------


def copy_groups(
    articles: Sequence[Any], items: Sequence[StoryItem], clusters: Sequence[Cluster], vectors: Any, threshold: float
) -> list[str]:
    """A group per article: the same body, `near_duplicate_of`, or (within one story) vectors at least
    `threshold` alike."""
    keys = [item.key for item in items]
    ids = {str(getattr(a, "id", "") or ""): a.slug for a in articles}
    duplicate_of = [ids.get(str(getattr(a, "near_duplicate_of", "") or "")) for a in articles]
    bodies = [article_fingerprint(a) for a in articles]
    # Every pair of members of each story, story by story, scored in one go.
    lefts, rights = [], []
    for cluster in clusters:
        if len(cluster.members) < 2:
            continue
        members = np.array(cluster.members, dtype=np.int64)
        first, second = np.triu_indices(len(members), k=1)  # (0, 1), (0, 2), ..., (1, 2), ...: pairs in order
        lefts.append(members[first])
        rights.append(members[second])
    if lefts:
        left, right = np.concatenate(lefts), np.concatenate(rights)
        alike = pair_cosines(vectors, left, right) >= threshold
        for a, b in zip(left[alike].tolist(), right[alike].tolist(), strict=True):
            if duplicate_of[b] is None:
                duplicate_of[b] = keys[a]
            elif duplicate_of[a] is None:
                duplicate_of[a] = keys[b]
    return duplicate_groups(keys, bodies, duplicate_of)


# --- the generator -----------------------------------------------------------------------------------------


def _headline_of(articles: Sequence[Any]) -> Any:
    """The article a story is named after: the first report by an outlet, else the first article."""
    return next((a for a in articles if getattr(a, "source", None)), articles[0])


def _arc_name(arc: Arc, clusters: Sequence[Cluster], articles: Sequence[Any]) -> str:
    """An arc's name from its tags: names (capitalised tags) in most chapters, then one topic word, e.g.
    "Veltran and Osmark: trade"; the first chapter's headline when no tag runs through it."""
    chapters_with: dict[str, int] = {}
    articles_with: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for chapter in arc.chapters:
        seen: set[str] = set()
        for index in clusters[chapter].members:
            for tag in getattr(articles[index], "tags", None) or ():
                name = str(getattr(tag, "name", tag))
                key = name.casefold()
                spelled.setdefault(key, name)
                articles_with[key] = articles_with.get(key, 0) + 1
                seen.add(key)
        for key in seen:
            chapters_with[key] = chapters_with.get(key, 0) + 1
    common = [k for k in chapters_with if chapters_with[k] * 2 > len(arc.chapters)]
    common.sort(key=lambda k: (-chapters_with[k], -articles_with[k], k))
    names = [spelled[k] for k in common if spelled[k][:1].isupper()][:2]
    topics = [spelled[k] for k in common if not spelled[k][:1].isupper()][:1]
    if names and topics:
        return f"{' and '.join(names)}: {topics[0]}"
    if names or topics:
        text = " and ".join(names or topics)
        return text[:1].upper() + text[1:]
    return html_to_text(str(_headline_of([articles[i] for i in clusters[arc.chapters[0]].members]).title))


class StoriesGenerator(Generator):
    """Finds stories and arcs, sets them on the articles and writes their pages and the digests."""

    stories_settings: StoriesSettings
    story_views: list[StoryView]
    arc_views: list[ArcView]
    digest_views: list[DigestView]
    story_aliases: dict[str, str]

    def generate_context(self) -> None:
        started = time.perf_counter()
        self.stories_settings = config = read_settings(self.settings)
        urls = config.urls
        # Articles in a fixed order (by date, then slug): the same archive gives the same stories.
        articles = sorted(self.context.get("articles") or [], key=lambda a: (a.date.timestamp(), a.slug))
        overrides = [read_overrides(a) for a in articles]
        items = [as_item(a, o) for a, o in zip(articles, overrides, strict=True)]
        overrides_by_slug = {a.slug: o for a, o in zip(articles, overrides, strict=True) if o != Overrides()}
        # Stories and arcs. Each article's term counts are kept for the next build (news_reader's TextMemo).
        analyzer = StoryAnalyzer()
        memo = terms_memo(self.settings, "news_stories-terms", analyzer)
        try:
            vectors = story_vectors(items, analyzer, memo)
            memo.save()
            found = text_candidates(vectors, config.params)
            clusters = cluster_items(items, config.params, vectors, found)
            arcs = find_arcs(items, clusters, vectors, config.params, found)
        except ClusteringError as error:
            raise StoriesSettingsError(str(error)) from None
        # Copies fold into their first article.
        groups = copy_groups(articles, items, clusters, vectors, config.duplicate_threshold)
        for article in articles:
            article.story = article.arc = article.arc_chapter = article.copy_of = None
            article.also_published_by = []
            article.cited_by = []
        by_group: dict[str, list[int]] = {}
        for index, group in enumerate(groups):
            by_group.setdefault(group, []).append(index)
        # Story views: every cluster of 2+ articles.
        views: dict[int, StoryView] = {}
        for number, cluster in enumerate(clusters):
            members = [articles[i] for i in cluster.members]
            entries: list[tuple[Any, list[Any]]] = []
            placed: set[int] = set()
            for index in cluster.members:
                if index in placed:
                    continue
                copies = [i for i in by_group[groups[index]] if i in cluster.members and i != index]
                placed.update([index, *copies])
                entries.append((articles[index], [articles[i] for i in copies]))
                for copy in copies:
                    articles[copy].copy_of = articles[index]
                for member in (index, *copies):
                    articles[member].also_published_by = [articles[i] for i in (index, *copies) if i != member]
            if len(cluster.members) < 2:
                continue
            sources: dict[str, Any] = {}
            for article in members:
                if getattr(article, "source", None):
                    sources.setdefault(article.source.name, article.source)
            lead = _headline_of(members)
            views[number] = StoryView(
                ident=cluster.ident,
                slug=cluster.ident,
                url=urls["STORY_URL"].format(slug=cluster.ident),
                save_as=urls["STORY_SAVE_AS"].format(slug=cluster.ident),
                headline=html_to_text(str(lead.title)),
                lead=lead,
                entries=entries,
                sources=[sources[name] for name in sorted(sources, key=str.casefold)],
                first_seen=members[0].date,
                last_updated=max(a.date for a in members),
            )
            for article in members:
                article.story = views[number]
        self._relate(clusters, views, vectors, config.related_max)
        self.arc_views = self._arcs(arcs, clusters, views, articles, overrides_by_slug, urls)
        # Cited by.
        for target, sources_of in find_citations(articles, self.settings.get("PATH", "content")).items():
            articles[target].cited_by = [articles[i] for i in sources_of]
        self.story_views = sorted(views.values(), key=lambda v: (v.first_seen.timestamp(), v.ident))
        self.digest_views = self._digests(clusters, views, articles, config)
        self.context["stories"] = self.story_views
        self.context["stories_biggest"] = sorted(
            self.story_views, key=lambda v: (-len(v.sources), -len(v.articles), -v.last_updated.timestamp(), v.ident)
        )[: config.index_max]
        self.context["stories_newest"] = sorted(self.story_views, key=lambda v: (-v.last_updated.timestamp(), v.ident))[
            : config.index_max
        ]
        self.context["arcs"] = self.arc_views
        self.context["digests"] = self.digest_views
        self.context["stories_page_url"] = urls["STORIES_URL"]
        self.story_aliases = story_aliases(self.story_views) if config.aliases_save_as else {}
        self.context["story_aliases_url"] = config.aliases_save_as
        self.context["story_aliases_files"] = alias_files(self.story_aliases, config.aliases_per_file)
        self.context["story_url_pattern"] = urls["STORY_URL"]
        logger.info(
            "news_stories: %d stories, %d arcs, %d digests from %d articles in %.2f s",
            len(self.story_views),
            len(self.arc_views),
            len(self.digest_views),
            len(articles),
            time.perf_counter() - started,
        )

    @staticmethod
    def _relate(clusters: Sequence[Cluster], views: Mapping[int, StoryView], vectors: Any, limit: int) -> None:
        """Each story's most similar other stories (by their centroids), best first."""
        numbers = sorted(views)
        if limit == 0 or len(numbers) < 2:
            return
        centroids = cluster_centroids(vectors, [clusters[n] for n in numbers])
        found = candidates(centroids, min(limit, len(numbers) - 1))
        for row, number in enumerate(numbers):
            views[number].related = [views[numbers[j]] for j in found[row].tolist() if j >= 0]

    @staticmethod
    def _arcs(
        arcs: Sequence[Arc],
        clusters: Sequence[Cluster],
        views: Mapping[int, StoryView],
        articles: Sequence[Any],
        overrides: Mapping[str, Overrides],
        urls: Mapping[str, str],
    ) -> list[ArcView]:
        shown = []
        for arc in arcs:
            named = sorted(
                {
                    overrides[articles[i].slug].arc_name or ""
                    for c in arc.chapters
                    for i in clusters[c].members
                    if articles[i].slug in overrides
                }
                - {""}
            )
            view = ArcView(
                key=arc.key,
                name=named[0] if named else _arc_name(arc, clusters, articles),
                url=urls["ARC_URL"].format(slug=arc.key),
                save_as=urls["ARC_SAVE_AS"].format(slug=arc.key),
                chapters=[],
            )
            for number, chapter in enumerate(arc.chapters, start=1):
                members = [articles[i] for i in clusters[chapter].members]
                story = views.get(chapter)
                chapter_view = ChapterView(number, members[0].date, story, members)
                view.chapters.append(chapter_view)
                if story is not None:
                    story.arc, story.chapter = view, chapter_view
                for article in members:
                    article.arc, article.arc_chapter = view, chapter_view
            shown.append(view)
        return shown

    def _digests(
        self,
        clusters: Sequence[Cluster],
        views: Mapping[int, StoryView],
        articles: Sequence[Any],
        config: StoriesSettings,
    ) -> list[DigestView]:
        coverage = [
            StoryCoverage(
                str(number),
                tuple(
                    Coverage(articles[i].date, getattr(getattr(articles[i], "source", None), "name", "") or "")
                    for i in cluster.members
                ),
            )
            for number, cluster in enumerate(clusters)
        ]
        digests = build_digests(coverage, config.timezone, config.digest_max)
        shown: list[DigestView] = []
        previous: dict[str, DigestView] = {}
        for digest in digests:
            view = self._digest_view(digest, clusters, views, articles, config)
            before = previous.get(digest.kind)
            if before is not None:
                before.next, view.previous = view, before
            previous[digest.kind] = view
            shown.append(view)
        return shown

    @staticmethod
    def _digest_view(
        digest: Digest,
        clusters: Sequence[Cluster],
        views: Mapping[int, StoryView],
        articles: Sequence[Any],
        config: StoriesSettings,
    ) -> DigestView:
        items = []
        for entry in digest.entries:
            number = int(entry.ident)
            members = [articles[i] for i in clusters[number].members]
            lead = _headline_of(members)
            summary = getattr(lead, "summary_text", None) or html_to_text(str(getattr(lead, "summary", "") or ""))
            items.append(
                DigestItem(
                    story=views.get(number),
                    article=lead,
                    headline=html_to_text(str(lead.title)),
                    summary=two_lines(str(summary)),
                    sources=entry.sources,
                    growth=entry.growth,
                )
            )
        if digest.kind == "day":
            title = f"Daily digest, {digest.start.strftime('%-d %B %Y')}"
        else:
            last = digest.end - dt.timedelta(days=1)
            title = f"Weekly digest, {digest.key}: {digest.start.strftime('%-d %B')} to {last.strftime('%-d %B %Y')}"
        urls = config.urls
        return DigestView(
            kind=digest.kind,
            key=digest.key,
            title=title,
            start=digest.start,
            end=digest.end,
            url=urls["DIGEST_URL"].format(key=digest.key),
            save_as=urls["DIGEST_SAVE_AS"].format(key=digest.key),
            email_url=urls["DIGEST_EMAIL_URL"].format(key=digest.key),
            email_save_as=urls["DIGEST_EMAIL_URL"].format(key=digest.key),
            items=items,
            articles=digest.articles,
        )

    def generate_output(self, writer: Any) -> None:
        config = self.stories_settings
        relative = self.settings["RELATIVE_URLS"]

        def write(save_as: str, template: str, url: str, **extra: Any) -> None:
            writer.write_file(
                save_as,
                self.get_template(template),
                self.context,
                relative_urls=relative,
                url=url,
                template_name=template,
                page_name=template,
                **extra,
            )

        # `lastmod`: the page's own date for the sitemap (news_sitemap), not the newest article of the site
        for story in self.story_views:
            write(story.save_as, "story", story.url, story=story, lastmod=story.last_updated)
        write(config.urls["STORIES_SAVE_AS"], "stories", config.urls["STORIES_URL"])
        for arc in self.arc_views:
            newest = max((a.date for chapter in arc.chapters for a in chapter.articles), default=None)
            write(arc.save_as, "arc", arc.url, arc=arc, lastmod=newest)
        for digest in self.digest_views:
            newest = max((item.article.date for item in digest.items), default=None)
            write(digest.save_as, "digest", digest.url, digest=digest, lastmod=newest)
            write(digest.email_save_as, "digest_email", digest.email_url, digest=digest)
        if config.digest_feed:
            self._write_feed(config)
        if config.aliases_save_as:
            files = aliases_json(self.story_aliases, self.context["story_aliases_files"])
            for shard, text in enumerate(files):
                path = Path(self.output_path) / config.aliases_save_as.format(shard=shard)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")

    def _write_feed(self, config: StoriesSettings) -> None:
        """The Atom feed of digests, newest first; links absolute on SITE_ORIGIN."""
        if not config.digest_feed:
            return
        origin = config.site_origin
        feed = Atom1Feed(
            title=f"{self.settings.get('SITENAME', '')}: digests",
            link=f"{origin}/{config.urls['STORIES_URL']}",
            feed_url=f"{origin}/{config.digest_feed}",
            description="The top stories of each day and week.",
            language=self.settings.get("DEFAULT_LANG", "en"),
        )
        newest = sorted(self.digest_views, key=lambda d: (d.end, d.kind == "day", d.key), reverse=True)
        for digest in newest[: config.digest_feed_max]:
            lines = []
            for item in digest.items:
                target = item.story.url if item.story else item.article.url
                lines.append(
                    f'<li><a href="{html.escape(origin)}/{html.escape(target)}">{html.escape(item.headline)}</a>'
                    f" — {html.escape(item.summary)}</li>"
                )
            feed.add_item(
                title=digest.title,
                link=f"{origin}/{digest.url}",
                unique_id=f"{origin}/{digest.url}",
                description=f"<ul>{''.join(lines)}</ul>",
                pubdate=digest.end,
                updateddate=digest.end,
            )
        path = Path(self.output_path) / config.digest_feed
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as out:
            feed.write(out, "utf-8")


__all__ = ["NO_STORY", "StoriesGenerator", "read_overrides", "read_settings"]
