"""The sitemap lists every HTML page Pelican writes (signal: content_written), then is written at the end.

Each page's lastmod is the article's or page's modification time, or, for a list page, the newest
modification among the articles it shows. Above SITEMAP_MAX_URLS URLs (the protocol's limit is 50,000)
the URLs are split into sitemap-N.xml files and sitemap.xml becomes their index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import os
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

SITEMAP_DEFAULTS = {"SITEMAP_MAX_URLS": 50000, "SITEMAP_EXCLUDE": ("404.html",), "SITEMAP_ROBOTS": True}
_XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclasses.dataclass(frozen=True)
class SitemapEntry:
    path: str  # relative to the output directory, e.g. "2026/10/14/slug/index.html"
    lastmod: dt.datetime | None


_pages: dict[str, SitemapEntry] = {}


def reset(pelican: Any) -> None:
    _pages.clear()
    _newest.clear()


_newest: dict[int, tuple[Any, dt.datetime | None]] = {}  # id(list of articles) -> (the list, its newest date)


def _newest_of(items: Any) -> dt.datetime | None:
    """The newest date in a list of articles, computed once per list (every index page shares the site's)."""
    known = _newest.get(id(items))
    if known is not None and known[0] is items:
        return known[1]
    dates = [getattr(a, "modified", None) or a.date for a in items if hasattr(a, "date")]
    newest = max(dates) if dates else None
    _newest[id(items)] = (items, newest)
    return newest


def _lastmod(context: Mapping[str, Any]) -> dt.datetime | None:
    """A page's own date: `lastmod` given by the page's writer (story, arc, digest pages), the article's or
    page's date, the newest article of the list page shown, else the newest article of the site."""
    explicit = context.get("lastmod")
    if isinstance(explicit, dt.datetime):
        return explicit
    for key in ("article", "page"):
        item = context.get(key)
        if item is not None and hasattr(item, "date"):
            return getattr(item, "modified", None) or item.date
    page = context.get("articles_page")
    if page is not None:
        return _newest_of(page.object_list)
    return _newest_of(context.get("articles") or [])


_prefixes: dict[str, str] = {}  # OUTPUT_PATH -> its absolute path with a separator at the end


def _output_name(path: str, output: str) -> str:
    """`path` relative to the output folder, with "/" separators. The writer passes normalised absolute paths
    under it: a prefix is cut instead of calling os.path.relpath (0.5 s per 16,000 pages)."""
    prefix = _prefixes.get(output)
    if prefix is None:
        prefix = _prefixes[output] = os.path.join(os.path.abspath(output), "")
    name = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, output)
    return name.replace(os.sep, "/")


def record_page(path: str, context: Mapping[str, Any]) -> None:
    name = _output_name(path, context.get("OUTPUT_PATH", os.curdir))
    excluded = context.get("SITEMAP_EXCLUDE", SITEMAP_DEFAULTS["SITEMAP_EXCLUDE"])
    if not name.endswith(".html") or any(fnmatch.fnmatchcase(name, pattern) for pattern in excluded):
        return
    _pages[name] = SitemapEntry(name, _lastmod(context))


def page_url(origin: str, path: str) -> str:
    if path == "index.html":
        return origin + "/"
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return f"{origin}/{path}"


def _urlset(origin: str, entries: Iterable[SitemapEntry]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_XMLNS}">']
    for entry in entries:
        lastmod = f"<lastmod>{entry.lastmod.isoformat()}</lastmod>" if entry.lastmod else ""
        lines.append(f"<url><loc>{escape(page_url(origin, entry.path))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def build_sitemaps(origin: str, entries: Iterable[SitemapEntry], max_urls: int) -> dict[str, str]:
    """{file name: XML}: one sitemap.xml, or sitemap.xml as an index of sitemap-1.xml, sitemap-2.xml, ..."""
    ordered = sorted(entries, key=lambda entry: page_url(origin, entry.path))
    if len(ordered) <= max_urls:
        return {"sitemap.xml": _urlset(origin, ordered)}
    files: dict[str, str] = {}
    index = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_XMLNS}">']
    for number, start in enumerate(range(0, len(ordered), max_urls), start=1):
        chunk = ordered[start : start + max_urls]
        name = f"sitemap-{number}.xml"
        files[name] = _urlset(origin, chunk)
        newest = max((e.lastmod for e in chunk if e.lastmod), default=None)
        lastmod = f"<lastmod>{newest.isoformat()}</lastmod>" if newest else ""
        index.append(f"<sitemap><loc>{escape(origin)}/{name}</loc>{lastmod}</sitemap>")
    index.append("</sitemapindex>")
    files["sitemap.xml"] = "\n".join(index) + "\n"
    return files


def write_sitemaps(pelican: Any) -> None:
    settings = pelican.settings
    origin = str(settings.get("SITE_ORIGIN") or settings.get("SITEURL") or "").rstrip("/")
    max_urls = int(settings.get("SITEMAP_MAX_URLS", SITEMAP_DEFAULTS["SITEMAP_MAX_URLS"]))
    files = build_sitemaps(origin, _pages.values(), max_urls)
    if settings.get("SITEMAP_ROBOTS", SITEMAP_DEFAULTS["SITEMAP_ROBOTS"]):
        files["robots.txt"] = f"User-agent: *\nAllow: /\n\nSitemap: {origin}/sitemap.xml\n"
    for name, text in files.items():
        with open(os.path.join(pelican.output_path, name), "w", encoding="utf-8") as handle:
            handle.write(text)
