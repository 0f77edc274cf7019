"""Structural checks on every built page, with BeautifulSoup (never regexes over HTML)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.sitebuild import html_pages

ORIGIN = "https://news.example.org"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def url_of(output: Path, page: Path) -> str:
    relative = page.relative_to(output).as_posix()
    return ORIGIN + "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def target_exists(output: Path, href: str) -> bool:
    path = unquote(urlsplit(href).path)
    target = output / path.lstrip("/")
    return (target / "index.html").is_file() if path.endswith("/") or target.is_dir() else target.is_file()


def page_problems(output: Path, page: Path) -> list[str]:
    """Everything wrong with one page, as readable lines."""
    soup = soup_of(page)
    problems = []
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} <h1> elements")
    html = soup.find("html")
    if html is None or not html.get("lang"):
        problems.append("no lang on <html>")
    canonical = soup.find("link", rel="canonical")
    expected = url_of(output, page)
    if page.name != "404.html" and (canonical is None or canonical.get("href") != expected):
        problems.append(f"canonical is {canonical and canonical.get('href')!r}, not {expected!r}")
    for time in soup.find_all("time"):
        try:
            dt.datetime.fromisoformat(str(time.get("datetime", "")))
        except ValueError:
            problems.append(f"<time> without a valid datetime: {time}")
    for img in soup.find_all("img"):
        if img.get("alt") is None:
            problems.append(f"<img> without alt: {img}")
    for tag in soup.find_all(True):
        handlers = [name for name in tag.attrs if name.lower().startswith("on")]
        if handlers:
            problems.append(f"event handler attribute {handlers} on <{tag.name}>")
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            try:
                json.loads(script.string or "")
            except json.JSONDecodeError as exc:
                problems.append(f"JSON-LD does not parse: {exc}")
        elif not str(script.get("src", "")).startswith("/theme/"):
            problems.append(f"a script that is not ours: {script}")
    for link in soup.find_all(["a", "link"], href=True):
        href = str(link["href"])
        parts = urlsplit(href)
        if parts.scheme in ("mailto", "http", "https") and not href.startswith(ORIGIN):
            continue
        if href.startswith(ORIGIN):
            href = href[len(ORIGIN) :] or "/"
        if href.startswith("#") or not urlsplit(href).path:
            continue
        if not target_exists(output, href):
            problems.append(f"broken internal link {link['href']!r}")
    for span in soup.select(".reltime"):
        if span.get_text(strip=True):
            problems.append(f"a relative time in the static HTML: {span}")
    return problems


@pytest.mark.parametrize("site", ["fixture_site", "sample_site"])
def test_every_page_is_well_formed(site, request):
    output: Path = request.getfixturevalue(site)
    pages = html_pages(output)
    assert len(pages) > 20
    report = [f"{page.relative_to(output)}: {problem}" for page in pages for problem in page_problems(output, page)]
    assert not report, "\n".join(report[:40])


SAMPLE_PAGE_TYPES = [
    "index.html",
    "articles/index.html",
    "articles/page/2/index.html",
    "sections/index.html",
    "section/world/index.html",
    "section/business/index.html",
    "tags/index.html",
    "sources/index.html",
    "authors/index.html",
    "archives/index.html",
    "2026/index.html",
    "2026/10/index.html",
    "2026/11/index.html",
    "about/index.html",
    "404.html",
    "feeds/all.atom.xml",
    "feeds/section/world.atom.xml",
    "sitemap.xml",
    "robots.txt",
    "theme/css/site.css",
    "theme/js/site.js",
]


@pytest.mark.parametrize("path", SAMPLE_PAGE_TYPES)
def test_sample_site_has_every_page_type(sample_site, path):
    assert (sample_site / path).is_file()


@pytest.mark.parametrize(
    "pattern",
    [
        "tag/*/index.html",
        "source/*/index.html",
        "author/*/index.html",
        "2026/1[01]/[0-3][0-9]/index.html",
        "2026/1[01]/[0-3][0-9]/*/index.html",
        "feeds/tag/*.atom.xml",
        "feeds/source/*.atom.xml",
    ],
)
def test_sample_site_has_pages_of_each_kind(sample_site, pattern):
    assert len(list(sample_site.glob(pattern))) >= 4


def test_sample_site_sources_and_sections(sample_site):
    sources = soup_of(sample_site / "sources/index.html")
    links = {a["href"] for a in sources.select("main a[href^='/source/']")}
    assert len(links) >= 6
    assert len(list(sample_site.glob("section/*/index.html"))) >= 4
