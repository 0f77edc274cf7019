"""news_stories in a real build of the sample archive: story, arc and digest pages, article blocks, the email."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from news_reader import NewsMarkdownReader
from news_stories.digests import Coverage, StoryCoverage, build_digests
from news_stories.stories import (
    Overrides,
    StoriesSettingsError,
    StoryOverrideError,
    alias_files,
    alias_shard,
    aliases_json,
    as_item,
    read_overrides,
    read_settings,
)
from pelican.settings import DEFAULT_CONFIG

ORIGIN = "https://news.example.org"


def soup(path: Path) -> Any:  # BeautifulSoup, as Any: select_one's Optional is asserted by the tests
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article_page(site: Path, day: str, slug: str) -> Any:
    return soup(site / day / slug / "index.html")


def test_story_page_lists_every_article_earliest_first_with_sources(built_site):
    page = soup(built_site / "story" / "port-alder-ferry-strike-begins-ledger" / "index.html")
    assert page.h1.get_text(strip=True) == "Quays fall silent as Port Alder ferry strike begins"
    entries = page.select(".story-entries .story-entry")
    times = [dt.datetime.fromisoformat(e.find("time")["datetime"]) for e in entries]
    assert len(entries) == 4
    assert times == sorted(times)
    assert {a.get_text(strip=True) for a in page.select(".page-head .chips a")} == {
        "Civic Wire",
        "Global Brief Radio",
        "Harbour Ledger",
        "The Meridian Post",
    }
    assert all(e.select_one(".story-entry__summary") for e in entries)


def test_article_page_says_also_covered_and_arc(built_site):
    page = article_page(built_site, "2026/10/19", "port-alder-ferry-strike-begins-ledger")
    story = page.select_one(".coverage__story a")
    assert story.get_text(strip=True) == "Also covered by 3 sources"
    assert story["href"] == "/story/port-alder-ferry-strike-begins-ledger/"
    link = page.select_one(".coverage__arc a")
    assert link.get_text(" ", strip=True) == "Arc: Port Alder: ferries (chapter of 19 October 2026 )"
    # The link goes to the article's own chapter on the timeline, by an id that does not change when an
    # earlier chapter is inserted (its number would).
    url, _, anchor = link["href"].partition("#")
    chapter = soup(built_site / url.strip("/") / "index.html").find(id=anchor)
    assert anchor
    assert "timeline__chapter" in chapter["class"]
    assert chapter.select_one(".timeline__number").get_text(strip=True) == "Ch. 2"
    assert "/2026/10/19/port-alder-ferry-strike-begins-ledger/" in {a["href"] for a in chapter.select("a")}
    assert link.time["datetime"] == chapter.select_one(".timeline__title time")["datetime"]


def test_wire_copy_folds_into_one_entry_also_published_by(built_site):
    page = soup(built_site / "story" / "veltran-osmark-trade-pact-signed-civicwire" / "index.html")
    titles = [a.get_text(strip=True) for a in page.select(".story-entry__title a")]
    assert "Veltran and Osmark sign trade deal, cut farm tariffs and ease chip curbs" not in titles
    copies = page.select_one(".story-entry__copies")
    assert copies is not None
    assert "Northfield Courier" in copies.get_text()
    courier = article_page(built_site, "2026/11/12", "veltran-osmark-pact-signed-courier")
    assert "Civic Wire" in courier.select_one(".coverage__copies").get_text()


def test_decoy_article_has_no_story(built_site):
    page = article_page(built_site, "2026/11/05", "minor-tremor-off-tidewater-coast")
    assert page.select_one(".coverage__story") is None


def test_cited_by_lists_the_articles_that_link_here(built_site):
    page = article_page(built_site, "2026/10/21", "osmark-chip-export-controls-civicwire")
    citing = {a["href"] for a in page.select(".cited-by a")}
    assert "/2026/11/12/veltran-osmark-sign-trade-pact-meridian/" in citing
    assert "/2026/10/22/veltran-osmark-talks-stall/" in citing


def test_arc_timeline_numbers_chapters_in_date_order(built_site):
    pages = sorted((built_site / "arc").glob("*/index.html"))
    assert len(pages) == 3
    for path in pages:
        chapters = soup(path).select(".timeline__chapter")
        starts = [dt.datetime.fromisoformat(c.select_one(".timeline__title time")["datetime"]) for c in chapters]
        numbers = [c.select_one(".timeline__number").get_text(strip=True) for c in chapters]
        assert starts == sorted(starts)
        assert len(starts) >= 3
        assert numbers == [f"Ch. {n}" for n in range(1, len(chapters) + 1)]


def test_stories_index_and_digest_feed(built_site):
    index = soup(built_site / "stories" / "index.html")
    assert len(index.select("#biggest-title + .story-list > li")) >= 8
    feed = (built_site / "feeds" / "digests.atom.xml").read_text(encoding="utf-8")
    assert "Daily digest, 21 November 2026" in feed
    assert f"{ORIGIN}/digest/2026-11-21/" in feed


def test_daily_digest_ranks_stories_by_sources(built_site):
    page = soup(built_site / "digest" / "2026-11-21" / "index.html")
    first = page.select_one(".digest__title a")
    assert first["href"] == "/story/corvane-accord-civicwire/"
    assert (built_site / "digest" / "2026-W47" / "index.html").is_file()


def test_email_digest_is_self_contained(built_site):
    emails = sorted((built_site / "digest").glob("*/email.html"))
    assert len(emails) > 10
    for path in emails:
        page = soup(path)
        assert not page.find_all(["script", "style", "img", "iframe", "object", "embed", "form"]), path
        assert not page.find_all("link", rel=lambda r: r and "stylesheet" in r), path
        for tag in page.find_all(True):
            assert "class" not in tag.attrs, f"{path}: {tag.name} has a class; only inline styles"
            for name in ("href", "src", "action", "background"):
                if name in tag.attrs:
                    url = str(tag[name])
                    assert url.startswith(ORIGIN + "/"), f"{path}: {name}={url!r} is not on the site"
                    assert not urlsplit(url).path.startswith("//")
        body = page.find("body")
        assert body is not None
        assert body.get("style")
        assert page.select("h2 a[style]"), f"{path}: no styled story links"


def test_two_builds_give_identical_digests(built_site, tmp_path):
    from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

    again = tmp_path / "again"
    result = build_site(ROOT / "content", again, settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stderr
    for path in [*sorted((built_site / "digest").rglob("*.html")), built_site / "feeds" / "digests.atom.xml"]:
        relative = path.relative_to(built_site)
        assert (again / relative).read_bytes() == path.read_bytes(), relative


def test_digest_order_does_not_depend_on_input_order():
    day = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    stories = [
        StoryCoverage("a", (Coverage(day, "One"),)),
        StoryCoverage("b", (Coverage(day, "One"), Coverage(day, "Two"), Coverage(day + dt.timedelta(days=1), "X"))),
        StoryCoverage("c", (Coverage(day, ""), Coverage(day, ""))),
    ]
    forward = build_digests(stories, dt.UTC, 10)
    backward = build_digests(list(reversed(stories)), dt.UTC, 10)
    assert forward == backward
    first = forward[0]
    assert first.kind == "day"
    assert first.key == "2026-11-02"
    assert [e.ident for e in first.entries] == ["b", "a", "c"]
    assert {d.key for d in forward} == {"2026-11-02", "2026-11-03", "2026-W45"}


def _article(tmp_path, name: str, override: str) -> SimpleNamespace:
    """An article as Pelican makes it from news_reader's metadata (the reader passes NEWS_EXTRA_FIELDS on)."""
    path = tmp_path / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: x\ntitle: T\ndate: 2026-11-02T08:00:00+00:00\nsection: World\nsummary: S\n{override}---\n\nBody\n",
        encoding="utf-8",
    )
    settings = {
        **DEFAULT_CONFIG,
        "PATH": str(tmp_path),
        "NEWS_SECTIONS": {"World": ""},
        "NEWS_EXTRA_FIELDS": ("story", "arc", "arc_name"),
    }
    _, metadata = NewsMarkdownReader(settings).read(str(path))
    return SimpleNamespace(source_path=str(path), **metadata)


def test_overrides_are_read_and_bad_ones_named(tmp_path):
    good = _article(tmp_path, "good.md", "story: ferry-week\narc_name: The ferry dispute\n")
    found = read_overrides(good)
    assert (found.story, found.arc, found.arc_name) == ("ferry-week", None, "The ferry dispute")
    assert read_overrides(_article(tmp_path, "plain.md", "")) == Overrides()
    bad = _article(tmp_path, "bad.md", "story: Ferry Week!\n")
    with pytest.raises(StoryOverrideError, match=r"bad.md:7: error: story 'Ferry Week!' is not a usable id"):
        read_overrides(bad)


def test_an_article_enters_the_stories_when_it_was_added(tmp_path):
    """`added` (written by ingest) is when the article entered the archive: the story's id comes from the
    first to enter, so the item carries it; an article without it entered on its date."""
    backfilled = _article(tmp_path, "late.md", "added: 2026-11-05T10:30:00+00:00\n")
    plain = _article(tmp_path, "plain.md", "")
    items = [as_item(SimpleNamespace(slug=a.title, **vars(a)), Overrides()) for a in (backfilled, plain)]
    assert items[0].added == dt.datetime(2026, 11, 5, 10, 30, tzinfo=dt.UTC).timestamp()
    assert items[0].entered == items[0].added != items[0].timestamp
    assert items[1].added is None
    assert items[1].entered == items[1].timestamp == dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC).timestamp()


def test_aliases_map_each_storys_other_articles_to_it(built_site):
    """story/aliases/N.json: every article of a story but the one it is named after, to the story's id (the 404
    page's script sends a merged story's old address on with it)."""
    files = sorted((built_site / "story" / "aliases").glob("*.json"))
    assert [f.name for f in files] == ["0.json"]  # a small archive's map is one file
    assert 'data-story-aliases-files="1"' in (built_site / "404.html").read_text(encoding="utf-8")
    aliases = json.loads(files[0].read_text(encoding="utf-8"))["aliases"]
    stories = {p.parent.name for p in (built_site / "story").glob("*/index.html")}
    expected = {}
    for ident in stories:
        page = soup(built_site / "story" / ident / "index.html")
        for link in page.select("main a[href]"):
            path = urlsplit(link["href"]).path.strip("/").split("/")
            if len(path) == 4 and path[0].isdigit() and path[3] != ident:  # an article: YYYY/MM/DD/slug
                expected[path[3]] = ident
    assert len(aliases) >= 20
    assert {k: v for k, v in aliases.items() if k in expected} == {k: expected[k] for k in aliases if k in expected}
    assert set(aliases.values()) <= stories
    assert not any(alias == ident for alias, ident in aliases.items())
    assert set(expected) <= set(aliases)  # every article a story page lists is there, but its own


def test_bad_setting_is_named():
    with pytest.raises(StoriesSettingsError, match=r"STORIES_THRESHOLD is 2; expected a number above 0 and at most 1"):
        read_settings({"STORIES_THRESHOLD": 2})
    with pytest.raises(StoriesSettingsError, match=r"STORY_URL is 'story/'"):
        read_settings({"STORY_URL": "story/"})
    with pytest.raises(StoriesSettingsError, match=r"STORY_ALIASES_SAVE_AS is 'story/aliases'; expected a file path"):
        read_settings({"STORY_ALIASES_SAVE_AS": "story/aliases"})
    with pytest.raises(
        StoriesSettingsError, match=r"STORY_ALIASES_SAVE_AS is 'story/aliases.json'; expected .*\{shard\}"
    ):
        read_settings({"STORY_ALIASES_SAVE_AS": "story/aliases.json"})
    with pytest.raises(StoriesSettingsError, match=r"STORY_ALIASES_PER_FILE is 0"):
        read_settings({"STORY_ALIASES_PER_FILE": 0})
    assert read_settings({"STORY_ALIASES_SAVE_AS": None}).aliases_save_as is None


def test_the_story_map_is_split_by_a_hash_of_the_slug_into_a_power_of_two_of_files():
    """alias_files doubles the files as the map doubles; each slug is in the file alias_shard names (site.js
    computes the same hash: tests/test_browser.py follows old addresses through a map of several files), and a
    new alias changes one file."""
    aliases = {f"article-{n}-of-the-archive": f"story-{n % 97}" for n in range(5000)}
    assert [alias_files(dict(list(aliases.items())[:n]), 1000) for n in (0, 1000, 1001, 2000, 2001, 5000)] == [
        1, 1, 2, 2, 4, 8,
    ]  # fmt: skip
    texts = aliases_json(aliases, 8)
    shards = [json.loads(text)["aliases"] for text in texts]
    assert sum(len(shard) for shard in shards) == len(aliases)
    assert all(350 < len(shard) < 900 for shard in shards)  # spread evenly
    for number, shard in enumerate(shards):
        assert all(alias_shard(slug, 8) == number for slug in shard)
    # Known values (32-bit FNV-1a): the JavaScript side must give these too.
    assert [alias_shard(slug, 128) for slug in ("", "a", "naïve-東京")] == [69, 44, 104]
    # One more alias: one file changes.
    more = aliases_json({**aliases, "a-late-report": "story-3"}, 8)
    assert sum(a != b for a, b in zip(texts, more, strict=True)) == 1
