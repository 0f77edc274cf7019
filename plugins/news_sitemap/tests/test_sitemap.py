"""news_sitemap: URLs from output paths, lastmod, and a sitemap index above the URL limit."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from news_sitemap import SitemapEntry, build_sitemaps
from news_sitemap.sitemap import _output_name, page_url

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ORIGIN = "https://news.example.org"


def test_output_names_are_relative_to_the_output_folder(tmp_path, monkeypatch):
    output = tmp_path / "out"
    assert _output_name(str(output / "2026" / "10" / "slug" / "index.html"), str(output)) == "2026/10/slug/index.html"
    monkeypatch.chdir(tmp_path)  # a relative OUTPUT_PATH
    assert _output_name(str(output / "tag" / "x" / "index.html"), "out") == "tag/x/index.html"
    assert _output_name(str(tmp_path / "outside.html"), "out") == "../outside.html"  # as os.path.relpath says
    assert _output_name(str(tmp_path / "out-other" / "a.html"), "out") == "../out-other/a.html"  # not a prefix


def test_page_urls_are_clean_directories():
    assert page_url(ORIGIN, "index.html") == "https://news.example.org/"
    assert page_url(ORIGIN, "2026/10/14/ferry/index.html") == "https://news.example.org/2026/10/14/ferry/"
    assert page_url(ORIGIN, "404.html") == "https://news.example.org/404.html"


def test_one_sitemap_sorted_with_lastmod():
    when = dt.datetime(2026, 10, 14, 7, 30, tzinfo=dt.UTC)
    files = build_sitemaps(ORIGIN, [SitemapEntry("tag/b/index.html", None), SitemapEntry("a/index.html", when)], 10)
    assert list(files) == ["sitemap.xml"]
    root = ET.fromstring(files["sitemap.xml"])
    assert [u.findtext("s:loc", namespaces=NS) for u in root] == [f"{ORIGIN}/a/", f"{ORIGIN}/tag/b/"]
    assert root[0].findtext("s:lastmod", namespaces=NS) == "2026-10-14T07:30:00+00:00"
    assert root[1].find("s:lastmod", NS) is None


def test_index_above_the_limit():
    entries = [SitemapEntry(f"p{n:03d}/index.html", None) for n in range(7)]
    files = build_sitemaps(ORIGIN, entries, 3)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert [s.findtext("s:loc", namespaces=NS) for s in index] == [f"{ORIGIN}/sitemap-{n}.xml" for n in (1, 2, 3)]
    counts = [len(ET.fromstring(files[f"sitemap-{n}.xml"])) for n in (1, 2, 3)]
    assert counts == [3, 3, 1]


def test_excluded_paths_and_patterns_are_left_out(tmp_path):
    from news_sitemap import sitemap

    sitemap._pages.clear()
    context = {"OUTPUT_PATH": str(tmp_path), "SITEMAP_EXCLUDE": ("404.html", "digest/*/email.html")}
    for name in ("404.html", "digest/2026-11-02/email.html", "digest/2026-11-02/index.html", "feeds/all.atom.xml"):
        sitemap.record_page(str(tmp_path / name), context)
    assert sorted(sitemap._pages) == ["digest/2026-11-02/index.html"]
    sitemap._pages.clear()


def test_lastmod_is_the_pages_own_date():
    from types import SimpleNamespace

    from news_sitemap.sitemap import _lastmod

    old = SimpleNamespace(date=dt.datetime(2026, 10, 1, tzinfo=dt.UTC), modified=None)
    new = SimpleNamespace(
        date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), modified=dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    )
    site = [new, old]
    story_date = dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
    assert _lastmod({"articles": site, "lastmod": story_date}) == story_date  # given by the page's writer
    assert _lastmod({"articles": site, "article": old}) == old.date
    assert _lastmod({"articles": site, "articles_page": SimpleNamespace(object_list=[old])}) == old.date
    assert _lastmod({"articles": site}) == new.modified  # an index page: the newest of the site
    assert _lastmod({"articles": []}) is None
