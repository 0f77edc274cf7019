"""Navigation computed once the articles are read (signal: article_generator_finalized).

- `categories` reordered to follow NEWS_SECTIONS;
- `article.newer_in_section` / `article.older_in_section` on every listed article;
- `home`: the lead story, the top stories and the latest per section;
- `period_archives` rebuilt: Pelican groups the year/month/day archives with `groupby` over articles sorted
  by absolute time but keyed by each article's *local* date, so with outlets in several timezones one day
  can come out as two groups and the build fails writing it twice; its grouping is also quadratic. Ours
  groups by key in one pass;
- `period_neighbours`: for each date archive, the newer and older archive that has articles.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import logging
import operator
import re
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pelican.contents
import pelican.utils
from markupsafe import Markup, escape
from pelican.writers import FileOverwriteFailedError

logger = logging.getLogger(__name__)

HOME_DEFAULTS = {"HOME_TOP_STORIES": 4, "HOME_SECTION_STORIES": 4}


@dataclasses.dataclass(frozen=True)
class HomeSelection:
    """What the home page leads with."""

    lead: Any
    top: tuple[Any, ...]
    sections: tuple[tuple[Any, tuple[Any, ...]], ...]


def order_sections(categories: Sequence[tuple[Any, list[Any]]], order: Sequence[str]) -> list[tuple[Any, list[Any]]]:
    """Categories in NEWS_SECTIONS order; any others after them, by name."""
    rank = {name: index for index, name in enumerate(order)}
    return sorted(categories, key=lambda pair: (rank.get(pair[0].name, len(rank)), pair[0].name))


def link_sections(categories: Sequence[tuple[Any, list[Any]]]) -> None:
    """Set newer_in_section / older_in_section; each list is newest first."""
    for _, articles in categories:
        ordered = sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)
        for index, article in enumerate(ordered):
            article.newer_in_section = ordered[index - 1] if index > 0 else None
            article.older_in_section = ordered[index + 1] if index + 1 < len(ordered) else None


def select_home(
    articles: Sequence[Any], categories: Sequence[tuple[Any, list[Any]]], settings: Mapping[str, Any]
) -> HomeSelection | None:
    """Lead with the newest article that has an image among the newest few, then the next top stories;
    each section block lists its latest articles that are not already shown above."""
    if not articles:
        return None
    top_count = int(settings.get("HOME_TOP_STORIES", HOME_DEFAULTS["HOME_TOP_STORIES"]))
    per_section = int(settings.get("HOME_SECTION_STORIES", HOME_DEFAULTS["HOME_SECTION_STORIES"]))
    newest = list(articles[: top_count + 1])
    lead = next((a for a in newest if getattr(a, "image", None)), newest[0])
    top = tuple(a for a in newest if a is not lead)[:top_count]
    shown = {id(lead), *(id(a) for a in top)}  # the section blocks do not repeat the top stories
    sections = tuple(
        (category, tuple(a for a in items if id(a) not in shown)[:per_section]) for category, items in categories
    )
    sections = tuple((category, items) for category, items in sections if items)
    return HomeSelection(lead=lead, top=top, sections=sections)


PERIOD_KEYS = {
    "year": lambda d: (d.year,),
    "month": lambda d: (d.year, d.month),
    "day": lambda d: (d.year, d.month, d.day),
}


def build_period_archives(articles: Sequence[Any], settings: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Pelican's `period_archives` structure, grouped by each article's own (local) date."""
    newest_first = bool(settings.get("NEWEST_FIRST_ARCHIVES", True))
    archives: dict[str, list[dict[str, Any]]] = {}
    for granularity, key_of in PERIOD_KEYS.items():
        save_as_format = settings.get(f"{granularity.upper()}_ARCHIVE_SAVE_AS")
        if not save_as_format:
            continue
        url_format = settings.get(f"{granularity.upper()}_ARCHIVE_URL", "")
        groups: dict[tuple[int, ...], list[Any]] = {}
        for article in articles:
            groups.setdefault(key_of(article.date), []).append(article)
        entries = []
        for period_num in sorted(groups, reverse=newest_first):
            members = groups[period_num]
            first = members[0].date
            names = (
                (period_num[0], calendar.month_name[period_num[1]], *period_num[2:])
                if len(period_num) > 1
                else period_num
            )
            entries.append(
                {
                    "period": tuple(names),
                    "period_num": period_num,
                    "articles": members,
                    "dates": sorted(members, key=lambda a: a.date, reverse=newest_first),
                    "save_as": save_as_format.format(date=first),
                    "url": url_format.format(date=first),
                }
            )
        archives[granularity] = entries
    return archives


def period_label(period_num: tuple[int, ...]) -> str:
    """(2026,) -> '2026'; (2026, 11) -> 'November 2026'; (2026, 11, 3) -> '3 November 2026'."""
    if len(period_num) == 1:
        return str(period_num[0])
    month = calendar.month_name[period_num[1]]
    if len(period_num) == 2:
        return f"{month} {period_num[0]}"
    return f"{period_num[2]} {month} {period_num[0]}"


def period_neighbours(
    period_archives: Mapping[str, Sequence[Mapping[str, Any]]],
) -> dict[tuple[int, ...], dict[str, Any]]:
    """{period_num: {"newer": {url, label} | None, "older": ...}} — only periods with articles exist, so the
    links skip empty years, months and days."""
    neighbours: dict[tuple[int, ...], dict[str, Any]] = {}
    for archives in period_archives.values():
        ordered = sorted(archives, key=lambda archive: tuple(archive["period_num"]))
        links = [{"url": a["url"], "label": period_label(tuple(a["period_num"]))} for a in ordered]
        for index, archive in enumerate(ordered):
            neighbours[tuple(archive["period_num"])] = {
                "older": links[index - 1] if index > 0 else None,
                "newer": links[index + 1] if index + 1 < len(ordered) else None,
            }
    return neighbours


_ARCHIVE_SETTINGS = ("YEAR_ARCHIVE_SAVE_AS", "MONTH_ARCHIVE_SAVE_AS", "DAY_ARCHIVE_SAVE_AS")
_suspended: dict[int, dict[str, Any]] = {}  # id(generator) -> the archive settings it will get back


def suspend_period_archives(generator: Any) -> None:
    """At `article_generator_pretaxonomy`, just before Pelican builds `period_archives`: blank the three
    *_ARCHIVE_SAVE_AS settings, so that Pelican skips its quadratic grouping (for each period it tests every
    article against the period's list: 3 s at 10,000 articles, minutes at 100,000). `add_navigation` puts them
    back and builds the archives in one pass."""
    settings = generator.settings
    _suspended[id(generator)] = {name: settings.get(name) for name in _ARCHIVE_SETTINGS}
    for name in _ARCHIVE_SETTINGS:
        settings[name] = ""


def add_navigation(generator: Any) -> None:
    settings = generator.settings
    settings.update(_suspended.pop(id(generator), {}))
    generator.categories = order_sections(generator.categories, list(settings.get("NEWS_SECTIONS") or ()))
    link_sections(generator.categories)
    generator.context["categories"] = generator.categories
    generator.context["home"] = select_home(generator.articles, generator.categories, settings)
    generator.period_archives = build_period_archives(generator.articles, settings)
    generator.context["period_archives"] = generator.period_archives
    generator.context["period_neighbours"] = period_neighbours(generator.period_archives)


class MemberList(list[Any]):
    """A list of articles whose `in` is a set lookup. Pelican's `generate_tags`, `generate_categories` and
    `generate_authors` test every article of the site against each tag's list (`[a for a in self.dates if a
    in articles]`), which is quadratic: about 7 minutes for the tags of 100,000 articles. Articles compare by
    identity (Pelican's Content defines no `__eq__`), so the answer is the same. Built once the lists are
    final; they are not changed afterwards."""

    # `in` without a Python frame: the property's getter (attrgetter, in C) hands Python the set's own
    # __contains__, bound to this list's members (half the time of a Python method, 2.7 million tests at
    # 10,000 articles).
    __contains__ = property(operator.attrgetter("_contains"))

    def __init__(self, items: Sequence[Any] = ()) -> None:
        super().__init__(items)
        if all(kind.__eq__ is object.__eq__ and kind.__hash__ is object.__hash__ for kind in {type(i) for i in self}):
            self._contains = frozenset(self).__contains__  # a set of objects that compare by identity
        else:  # objects with an equality of their own: still by identity
            ids = {id(item) for item in self}
            self._contains = lambda item: id(item) in ids


def remember_urls(generator: Any) -> None:
    """At `article_generator_pretaxonomy` (every article is read; slug, date and section are final) and
    `page_generator_finalized`: each article's and page's URL is formatted once and kept as `override_url`,
    which Pelican's `url` property returns as is. Pelican formats it from ARTICLE_URL, with its slow
    `strftime`, at every access: about 20 times per article (home, section, tag, source, archive, story and
    related lists, search, citations), and a page linked from the header once per page of the site."""
    contents = (
        *getattr(generator, "articles", ()),
        *getattr(generator, "pages", ()),
        *generator.translations,
        *getattr(generator, "hidden_articles", ()),
        *getattr(generator, "hidden_pages", ()),
        *getattr(generator, "hidden_translations", ()),
        *getattr(generator, "draft_pages", ()),
    )
    for content in contents:
        if not hasattr(content, "override_url"):
            content.override_url = content.url


def settle_lists(generators: Sequence[Any]) -> None:
    """At `all_generators_finalized`, once the lists are final: each tag, section and author list becomes a
    `MemberList`, and the articles generator writes their pages with `write_term_pages`."""
    for generator in generators:
        if not hasattr(generator, "tags") or not hasattr(generator, "dates"):
            continue  # not the articles generator
        for tag, members in list(generator.tags.items()):
            generator.tags[tag] = MemberList(members)
        generator.categories = [(category, MemberList(members)) for category, members in generator.categories]
        generator.authors = [(author, MemberList(members)) for author, members in generator.authors]
        for kind, method in (
            ("tag", "generate_tags"),
            ("category", "generate_categories"),
            ("author", "generate_authors"),
        ):
            setattr(generator, method, functools.partial(write_term_pages, generator, kind))


# What Pelican (4.12) passes when it writes a tag's, a section's or an author's page: the list, the
# keyword the term goes under, and the words of its log lines.
_TERM_PAGES = {
    "tag": (lambda g: g.tags.items(), "tag", "Tag", "tags"),
    "category": (lambda g: g.categories, "category", "Category", "categories"),
    "author": (lambda g: g.authors, "author", "Author", "authors"),
}


def write_term_pages(generator: Any, kind: str, write: Callable[..., Any]) -> None:
    """Pelican's `generate_tags`, `generate_categories` and `generate_authors`, with each term's `dates` (its
    articles in the order of the generator's `dates`) found in one pass over the term's own articles. Pelican
    tests every article of the site against each term's list: 3.6 ms per list at 100,000 articles even with a
    `MemberList`'s set lookup (about 1 s for 300 tags), against 0.04 ms here. The same calls of `write`, with the same
    arguments, in the same order, and the same handling of a term whose page cannot be written."""
    members_of, keyword, title, plural = _TERM_PAGES[kind]
    dates = generator.dates
    position = {id(article): index for index, article in enumerate(dates)}
    template = generator.get_template(kind)
    for term, articles in members_of(generator):
        found = sorted({position[id(a)] for a in articles if id(a) in position})
        try:
            write(
                term.save_as,
                template,
                generator.context,
                url=term.url,
                articles=articles,
                dates=[dates[index] for index in found],
                template_name=kind,
                blog=True,
                page_name=term.page_name,
                all_articles=generator.articles,
                **{keyword: term},
            )
        except FileOverwriteFailedError:
            if term.slug:
                logger.error('Failed to write %s page for "%s".', title, term)
                raise
            logger.info(
                '%s "%s" has an invalid slug; skipping writing %s page...',
                title,
                term,
                kind,
                extra={"limit_msg": f"Further {plural} with invalid slugs."},
            )


def date_text(value: dt.datetime, fmt: str) -> str:
    """The `date_text` template filter: `{{ article.date|date_text("%-d %B %Y") }}`. Pelican's dates are
    `SafeDatetime`, whose `strftime` re-implements format codes in Python for other platforms; listing pages
    call it hundreds of thousands of times. On Linux the C `strftime` gives the same text."""
    return dt.datetime.strftime(value, fmt)


# Pelican's own strftime (pelican.utils.strftime, which SafeDatetime.strftime calls, and with it every URL
# with a {date:...} field and every article's locale_date) formats each directive on its own in Python, so
# that "%-d" works on every platform: 2.4 to 5.6 µs a call against 1.2, 125,000 calls at 10,000 articles.
# For a format whose directives the C strftime formats the same way (Linux's), it is called on the whole format
# at once.
_DIRECTIVE = re.compile("%[-]?.")  # Pelican's pattern for a directive
_C_ALIKE = frozenset("aAbBcdfGHIjmMpSUuVwWxXyYzZ%")  # Pelican's C89 directives, formatted by the C strftime
_C_ALIKE_UNPADDED = frozenset("dHIjmMSUuVwWyG")  # numbers: "%-d" drops the leading zeros in both
_formats_alike: dict[str, bool] = {}
PELICANS_STRFTIME: Callable[[dt.datetime, str], str] = pelican.utils.strftime


def c_strftime_alike(date_format: str) -> bool:
    """Whether the C strftime formats `date_format` exactly as Pelican's strftime does: ASCII, every directive
    one of Pelican's C89 ones (with "-" only before a number), no other "%" (Pelican fails on a lone one)."""
    known = _formats_alike.get(date_format)
    if known is None:
        known = _formats_alike[date_format] = (
            date_format.isascii()
            and "%" not in _DIRECTIVE.sub("", date_format)
            and all(
                d[1] in _C_ALIKE if len(d) == 2 else d[2] in _C_ALIKE_UNPADDED for d in _DIRECTIVE.findall(date_format)
            )
        )
    return known


def pelican_strftime(date: dt.datetime, date_format: str) -> str:
    """Pelican's `strftime`, by the C strftime when that gives the same text (`c_strftime_alike`)."""
    if c_strftime_alike(date_format):
        return dt.datetime.strftime(date, date_format)
    return PELICANS_STRFTIME(date, date_format)


def install_strftime() -> None:
    """Make `pelican.utils.strftime` (which SafeDatetime.strftime and Pelican's `strftime` filter call)
    `pelican_strftime`."""
    pelican.utils.strftime = pelican_strftime


# Pelican's Content._expand_settings (what `url` and `save_as` call) formats a URL setting with `url_format`: a
# copy of the metadata plus the slug, language, date, author's and section's slugs and the source path relative
# to the content folder (os.path.relpath, 8 µs). About 25 µs a call, three calls an article (is_valid's and
# generate_articles' save_as, the URL once): 0.77 s at 10,000 articles (py-spy), 0.40 s with this. A setting
# that names only the slug, the date and the language, as this site's do, is formatted from those three alone:
# the same text, since url_format takes them from the same attributes.
_ONLY_FROM = frozenset({"slug", "date", "lang"})
_setting_fields: dict[str, frozenset[str] | None] = {}
PELICANS_EXPAND_SETTINGS: Callable[..., str] = pelican.contents.Content._expand_settings


def setting_fields(pattern: str) -> frozenset[str] | None:
    """The fields a URL setting formats ("{date:%Y}/{slug}/" -> date, slug); None when it cannot be told (a
    positional field, a malformed pattern)."""
    if pattern in _setting_fields:
        return _setting_fields[pattern]
    fields: set[str] = set()
    try:
        for _, name, _, _ in string.Formatter().parse(pattern):
            if name is not None:
                fields.add(re.split(r"[.\[]", name, maxsplit=1)[0])
        found = frozenset(fields) if all(field and not field.isdigit() for field in fields) else None
    except ValueError:
        found = None
    _setting_fields[pattern] = found
    return found


def expand_settings(self: Any, key: str, klass: str | None = None) -> str:
    """Pelican's `Content._expand_settings`, without `url_format` when the setting names only the slug, the
    date and the language (and the content has a date: Pelican would use the time of the call)."""
    pattern = self.settings.get(f"{klass or self.__class__.__name__}_{key}".upper())
    fields = setting_fields(pattern) if isinstance(pattern, str) else None
    if fields is None or not fields <= _ONLY_FROM or ("date" in fields and not hasattr(self, "date")):
        return PELICANS_EXPAND_SETTINGS(self, key, klass)
    slug, date, lang = getattr(self, "slug", ""), getattr(self, "date", None), getattr(self, "lang", "en")
    return pattern.format(slug=slug, date=date, lang=lang)


def install_url_formatting() -> None:
    """Make Pelican's `Content._expand_settings` `expand_settings`."""
    pelican.contents.Content._expand_settings = expand_settings


# time_tag's answers by the date object's identity and the arguments: an article's date is written on its own
# page, in every list it is in and under every page it is related to, the same object each time. The date is
# kept with its answer, so its id is not reused while the entry lives (datetimes cannot change).
_time_tags: dict[tuple[int, str, bool, bool], tuple[dt.datetime, Markup]] = {}
_TIME_TAGS_KEPT = 1 << 14  # 400 bytes each, 6.5 MB in all (in each render worker); then it starts again


def time_tag(value: dt.datetime, fmt: str = "%-d %B %Y, %H:%M", relative: bool = True, zone: bool = True) -> Markup:
    """The `time_tag` template filter: a date as `<time datetime="2026-11-24T09:05:07+00:00" data-relative>24
    November 2026, 09:05 UTC</time>`, then (when `relative`) the empty `<span class="reltime">` that site.js
    fills ("3 hours ago"); `zone` adds the timezone's name. One Python call, 4 µs a date, where the Jinja macro
    it replaced took 7 µs (measured on 20,000 dates; about 120,000 dates are written at 10,000 articles); the
    same date object with the same arguments again is a dictionary lookup."""
    key = (id(value), fmt, relative, zone)
    known = _time_tags.get(key)
    if known is not None and known[0] is value:
        return known[1]
    if len(_time_tags) >= _TIME_TAGS_KEPT:
        _time_tags.clear()
    tag = _time_tags[key] = (value, _time_tag(value, fmt, relative, zone))
    return tag[1]


def _time_tag(value: dt.datetime, fmt: str, relative: bool, zone: bool) -> Markup:
    name = value.tzname() if zone else None
    zone_text = f" {escape(name)}" if name else ""
    after = '<span class="reltime"></span>' if relative else ""
    return Markup(
        f'<time datetime="{escape(value.isoformat(timespec="seconds"))}"{" data-relative" if relative else ""}>'
        f"{escape(date_text(value, fmt))}{zone_text}</time>{after}"
    )


# Page records (news_output.pages) need not call these again to check a kept page: the same date and format give
# the same text (the settings, such as the locale, are part of every record's version).
date_text.depends_only_on_arguments = True  # type: ignore[attr-defined]
time_tag.depends_only_on_arguments = True  # type: ignore[attr-defined]


def add_template_filters(pelican: Any) -> None:
    """At `initialized`: give templates `date_text` and `time_tag` (a new dict: Pelican's defaults are shared)."""
    _time_tags.clear()  # a build in the same process (pelican --autoreload) may have another locale
    filters = pelican.settings.get("JINJA_FILTERS", {})
    pelican.settings["JINJA_FILTERS"] = {**filters, "date_text": date_text, "time_tag": time_tag}
