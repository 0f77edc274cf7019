"""What the pages of the fixture archive say and link to, its feeds and sitemap, and whole-build properties."""

from __future__ import annotations

import filecmp
import json
import shutil
import xml.etree.ElementTree as ET

from tests.sitebuild import FIXTURES, build_site
from tests.test_site_structure import ORIGIN, soup_of

ATOM = {"a": "http://www.w3.org/2005/Atom"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def rel_link(soup, rel: str) -> str | None:
    found = soup.find(["a", "link"], rel=rel)
    return str(found["href"]) if found else None


def test_month_archives_skip_empty_months(fixture_site):
    february = soup_of(fixture_site / "2026/02/index.html")
    older = [a for a in february.find_all("a") if "December 2025" in a.get_text()]
    assert older, "February 2026 should link to December 2025 (January has no articles)"
    assert older[0]["href"] == "/2025/12/"
    december = soup_of(fixture_site / "2025/12/index.html")
    newer = [a for a in december.find_all("a") if "February 2026" in a.get_text()]
    assert newer
    assert newer[0]["href"] == "/2026/02/"
    assert not (fixture_site / "2026/01").exists()


def test_day_archive_lists_that_day(fixture_site):
    day = soup_of(fixture_site / "2026/02/03/index.html")
    titles = {a.get_text(strip=True) for a in day.select("main h2 a, main h3 a")}
    assert {"Ferry timetable changes from Monday", "Engineers begin bridge survey"} <= titles


def test_pagination_is_directory_style_and_labelled(fixture_site):
    # Stable pagination: the front page is the list's own URL, the older pages are numbered from the oldest.
    first = soup_of(fixture_site / "section/world/index.html")
    assert rel_link(first, "next") == "/section/world/page/1/"
    oldest = soup_of(fixture_site / "section/world/page/1/index.html")
    assert rel_link(oldest, "prev") == "/section/world/"
    assert rel_link(oldest, "next") is None
    nav = oldest.find("nav", attrs={"aria-label": "Pagination"})
    assert nav is not None
    assert "Newer" in nav.get_text()
    status = nav.find(class_="pagination__status").get_text(" ", strip=True)
    assert status.startswith("Page 1: "), status
    assert " to " in status, status
    assert first.find(class_="pagination__status").get_text(strip=True).startswith("Newest")


def test_every_article_of_a_list_is_on_exactly_one_of_its_pages(fixture_site):
    listed = []
    for page in ("section/world/index.html", "section/world/page/1/index.html"):
        listed += [a["href"] for a in soup_of(fixture_site / page).select("main .card-list h2 a")]
    numbered = list((fixture_site / "section/world").glob("page/*/index.html"))
    assert len(numbered) == 1
    assert len(listed) == len(set(listed)) == 6, listed


def test_hostile_title_is_text(fixture_site):
    page = fixture_site / "2026/02/06/hostile-title/index.html"
    soup = soup_of(page)
    assert soup.h1.get_text(strip=True) == "<img src=x onerror=alert(1)> & </script> headline"
    raw = page.read_text(encoding="utf-8")
    assert "<img src=x" not in raw
    assert "alert('x')" not in raw
    assert "javascript:" not in raw
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["headline"] == "<img src=x onerror=alert(1)> & </script> headline"


def test_article_page_shows_what_an_aggregator_shows(fixture_site):
    soup = soup_of(fixture_site / "2026/02/03/ferry-timetable-change/index.html")
    main = soup.find("main")
    hrefs = {a["href"] for a in main.find_all("a", href=True)}
    assert "/section/world/" in hrefs  # section label
    assert "/source/civic-wire/" in hrefs  # source
    assert "https://civicwire.example/2026/02/ferry-timetable-change" in hrefs  # read original
    assert "/author/desk-reporter/" in hrefs
    assert "/tag/ferries/" in hrefs
    time = main.find("time", attrs={"data-relative": True})
    assert time["datetime"] == "2026-02-03T06:15:00+00:00"
    assert "min read" in main.get_text()
    # newer / older in the World section: bridge-survey is later the same day, quay-lights-return older
    assert "/2026/02/03/bridge-survey/" in hrefs
    assert "/2025/12/02/quay-lights-return/" in hrefs
    image = main.find("img", src="/images/boat.svg")
    assert image["alt"] == "A small ferry drawn in outline"
    share = [h for h in hrefs if h.startswith("mailto:")]
    assert share
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["@type"] == "NewsArticle"
    assert ld["datePublished"] == "2026-02-03T06:15:00+00:00"
    main_entity = ld["mainEntityOfPage"]
    assert (main_entity.get("@id") if isinstance(main_entity, dict) else main_entity) == (
        f"{ORIGIN}/2026/02/03/ferry-timetable-change/"
    )
    images = ld["image"] if isinstance(ld["image"], list) else [ld["image"]]
    assert f"{ORIGIN}/images/boat.svg" in images
    assert soup.find("meta", property="og:type")["content"] == "article"


def test_contributor_piece_and_language(fixture_site):
    soup = soup_of(fixture_site / "2026/03/02/marche-du-port/index.html")
    assert soup.html["lang"] == "fr"
    hrefs = {a["href"] for a in soup.find("main").find_all("a", href=True)}
    assert not any(h.startswith("/source/") for h in hrefs)
    assert "contributor" in soup.find("main").get_text().lower()


def test_internal_markdown_links_resolve(fixture_site):
    soup = soup_of(fixture_site / "2026/03/03/tide-gauge/index.html")
    body_links = [a["href"] for a in soup.find("main").find_all("a") if "harbour lights" in a.get_text()]
    assert body_links == ["/2025/12/02/quay-lights-return/"]


def test_feeds_all_section_tag_source(fixture_site):
    for name, expected in [("all", 10), ("section/world", 6), ("tag/ferries", 2), ("source/civic-wire", 3)]:
        feed = ET.parse(fixture_site / f"feeds/{name}.atom.xml").getroot()
        entries = feed.findall("a:entry", ATOM)
        assert len(entries) == expected, name
        for entry in entries:
            assert entry.find("a:link", ATOM).get("href").startswith(ORIGIN + "/")
    # links inside the entries' content are absolute too: feeds are read outside the site
    content = ET.parse(fixture_site / "feeds/all.atom.xml").getroot().findall("a:entry/a:content", ATOM)
    bodies = " ".join(c.text or "" for c in content)
    assert f'href="{ORIGIN}/2025/12/02/quay-lights-return/"' in bodies
    assert 'href="/' not in bodies


def test_sitemap_and_robots(fixture_site):
    root = ET.parse(fixture_site / "sitemap.xml").getroot()
    locs = [u.findtext("s:loc", namespaces=SITEMAP) for u in root]
    assert f"{ORIGIN}/2026/02/03/ferry-timetable-change/" in locs
    assert f"{ORIGIN}/section/world/page/1/" in locs
    assert f"{ORIGIN}/404.html" not in locs
    assert locs == sorted(locs)
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in (fixture_site / "robots.txt").read_text()


def test_no_third_party_requests(fixture_site):
    for page in fixture_site.rglob("*.html"):
        soup = soup_of(page)
        for tag in soup.find_all(["script", "img", "link", "iframe"]):
            url = str(tag.get("src") or (tag.get("href") if tag.name == "link" else "") or "")
            assert not url.startswith(("http:", "https:", "//")) or url.startswith(ORIGIN), f"{page}: {tag}"


def test_meta_rows_hold_items_not_loose_words(sample_site):
    """A meta row (`.meta`, `.page-head__meta`) is a flex row of items with a "·" before each: words written
    straight into a row beside an element lose their spaces and break the line ("As of21 November", then
    ", the newest article." on the trending page). Every page of the sample site: text and elements are never
    siblings in a row."""
    from bs4 import NavigableString

    mixed = []
    for page in sorted(sample_site.rglob("*.html")):
        for row in soup_of(page).select(".meta, .page-head__meta"):
            words = any(isinstance(child, NavigableString) and child.strip() for child in row.children)
            if words and row.find(True, recursive=False) is not None:
                mixed.append(f"{page.relative_to(sample_site)}: {row}")
    assert mixed == [], "\n".join(mixed[:5])


def test_a_source_page_names_each_articles_authors_not_the_source_again(sample_site):
    """The source's own list names its articles' authors; other lists name the outlet."""
    cards = soup_of(sample_site / "source/the-meridian-post/index.html").select("main .card .meta__source")
    names = [card.get_text(strip=True) for card in cards]
    assert names, "the source page's cards name no one"
    assert "The Meridian Post" not in names
    assert "Odile Marchetti, Helena Varga" in names
    everything = soup_of(sample_site / "articles/index.html").select("main .card .meta__source")
    assert "The Meridian Post" in {card.get_text(strip=True) for card in everything}


def test_two_builds_are_byte_identical(fixture_site, tmp_path):
    again = tmp_path / "again"
    result = build_site(FIXTURES / "small_archive", again)
    assert result.returncode == 0, result.stderr
    compared = filecmp.dircmp(fixture_site, again)
    differences: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        differences.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compared, "")
    # dircmp compares by stat signature first; confirm with a byte comparison of every file
    for left in fixture_site.rglob("*"):
        if left.is_file() and left.read_bytes() != (again / left.relative_to(fixture_site)).read_bytes():
            differences.append(str(left.relative_to(fixture_site)))
    assert not differences


def test_bad_article_fails_the_build_with_file_and_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small_archive", content)
    bad = content / "articles/2026/03/broken.md"
    bad.write_text("---\nid: broken\ntitle: Broken\ndate: 2026-03-05\nsection: World\nsummary: x\n---\n\nBody\n")
    result = build_site(content, tmp_path / "out")
    log = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert 'broken.md:4: error: date "2026-03-05" has no timezone' in log


def test_a_plugin_that_fails_to_register_fails_the_build(tmp_path):
    plugins = ["news_reader", "news_sources", "news_navigation", "news_feeds", "news_sitemap", "news_missing"]
    result = build_site(FIXTURES / "small_archive", tmp_path / "out", extra={"PLUGINS": plugins})
    assert result.returncode != 0
    assert "news_missing" in result.stdout + result.stderr
