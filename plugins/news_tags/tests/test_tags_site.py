"""Whole builds: a scenario archive whose tags are spelled many ways, and the sample archive's tag index."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from bs4.element import Tag as Element

from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

FIXTURE = Path(__file__).parent / "fixtures" / "archive_with_tag_variants"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(soup: Element, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found.get_text(" ", strip=True)


def index_counts(output: Path) -> dict[str, int]:
    """{tag name: count} from the A–Z list of the tag index."""
    soup = soup_of(output / "tags" / "index.html")
    return {text_of(item, "a"): int(text_of(item, ".count").split()[0]) for item in soup.select("ul.term-list li")}


@pytest.fixture(scope="module")
def variants_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("tag_variants")
    # tests/fixtures/testconf.py, warnings fatal; 2 articles a page, so that the 4 "United States" ones take 2 pages
    result = build_site(FIXTURE, output, extra={"DEFAULT_PAGINATION": 2})
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def sample_tags_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("sample_tags")
    result = build_site(ROOT / "content", output, settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_variants_merge_in_the_index(variants_site: Path):
    assert index_counts(variants_site) == {
        "artificial intelligence": 3,  # AI, artificial intelligence, Artificial  Intelligence
        "C": 1,
        "C#": 1,
        "C++": 1,
        "Interest Rates": 2,  # a tie between two spellings: the first used
        "Port Alder": 3,  # full-width, as written, lower case
        "programming": 3,
        "semiconductors": 3,
        "United States": 4,  # U.S., USA, united  states
    }


def test_index_is_a_to_z_with_the_most_used_first_above(variants_site: Path):
    soup = soup_of(variants_site / "tags" / "index.html")
    a_to_z = [a.get_text(strip=True) for a in soup.select("ul.term-list li a")]
    assert a_to_z == sorted(a_to_z, key=str.casefold)
    popular = [a.get_text(strip=True) for a in soup.select(".tag-popular li a")]
    assert popular[0] == "United States"


def test_colliding_slugs_each_get_a_page(variants_site: Path):
    for slug, name in [("c", "C"), ("c-2", "C++"), ("c-3", "C#")]:
        page = soup_of(variants_site / "tag" / slug / "index.html")
        assert text_of(page, "h1") == name
        assert (variants_site / "feeds" / "tag" / f"{slug}.atom.xml").is_file()


def test_tag_pages_paginate_and_have_a_feed(variants_site: Path):
    first = soup_of(variants_site / "tag" / "united-states" / "index.html")
    second = soup_of(variants_site / "tag" / "united-states" / "page" / "1" / "index.html")  # the oldest
    first_titles = [a.get_text(strip=True) for a in first.select("main h2 a")]
    second_titles = [a.get_text(strip=True) for a in second.select("main h2 a")]
    assert len(first_titles) == 2
    assert len(second_titles) == 2
    assert not set(first_titles) & set(second_titles)
    feed_link = first.find("a", class_="feed-link")
    assert feed_link is not None
    assert feed_link["href"] == "/feeds/tag/united-states.atom.xml"
    feed = ET.parse(variants_site / "feeds" / "tag" / "united-states.atom.xml").getroot()
    entries = [e.findtext("a:title", default="", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert sorted(entries) == sorted(first_titles + second_titles)


def test_articles_show_the_merged_tags(variants_site: Path):
    page = soup_of(variants_site / "2026" / "03" / "02" / "chips-one" / "index.html")
    hrefs = {a["href"] for a in page.select("main a[href^='/tag/']")}
    assert "/tag/united-states/" in hrefs
    assert not (variants_site / "tag" / "u-s").exists()


def test_sample_site_tag_index_shows_the_merged_tags(sample_tags_site: Path):
    counts = index_counts(sample_tags_site)
    assert counts["United States"] == 3  # 2 x "United States" + 1 x "U.S."
    assert counts["artificial intelligence"] == 4  # 3 + 1 x "AI"
    assert counts["interest rates"] == 6  # 5 + 1 x "Interest Rates"
    assert not {"U.S.", "AI", "Interest Rates"} & set(counts)


def test_a_broken_aliases_file_fails_a_strict_build_with_its_line(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "tag-aliases.toml").write_text('"United States" = ["U.S."]\n"America" = ["u.s."]\n', encoding="utf-8")
    result = build_site(content, tmp_path / "output")
    assert result.returncode != 0
    log = " ".join((result.stdout + result.stderr).split())
    assert "tag-aliases.toml:2: error: 'u.s.' is listed for both 'United States' (line 1) and 'America'" in log
