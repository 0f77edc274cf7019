"""news_trending in the build: settings, links, the /trending/ page and the strip on every page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from bs4.element import Tag as Element
from news_tags.rules import TagRules
from news_trending.scoring import Trend, TrendWindow, WindowTrends
from news_trending.trending import TrendingSettingsError, parse_build_time, read_settings, views
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Tag

from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

SETTINGS = {**DEFAULT_CONFIG, "TAG_URL": "tag/{slug}/", "TAG_SAVE_AS": "tag/{slug}/index.html"}
NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(soup: Element, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found.get_text(strip=True)


def attr_of(soup: Element, selector: str, name: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return str(found[name])


def test_defaults():
    config = read_settings(SETTINGS)
    assert [(w.label, w.hours) for w in config.config.windows] == [("Last 24 hours", 24), ("Last 7 days", 168)]
    assert config.config.min_count == 3
    assert config.search_url == "search/?q={query}"
    assert config.save_as == "trending/index.html"
    assert config.build_time is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRENDING_WINDOWS", []),
        ("TRENDING_WINDOWS", {"Day": 0}),
        ("TRENDING_WINDOWS", {"Day": "24"}),
        ("TRENDING_MIN_COUNT", 0),
        ("TRENDING_MIN_LIFT", 0.5),
        ("TRENDING_BASELINE_DAYS", -3),
        ("TRENDING_MAX_ITEMS", 2.5),
        ("TRENDING_STRIP_SIZE", -1),
        ("TRENDING_GENERIC_WORDS", "says"),
        ("TRENDING_SEARCH_URL", "search/"),
        ("TRENDING_SAVE_AS", 3),
        ("TRENDING_STRIP_SAVE_AS", 3),
        ("BUILD_TIME", "yesterday"),
        ("BUILD_TIME", "2026-11-21T09:00:00"),  # no timezone
    ],
)
def test_settings_are_validated_with_name_value_and_expectation(name, value):
    with pytest.raises(TrendingSettingsError) as caught:
        read_settings({**SETTINGS, name: value})
    message = str(caught.value)
    assert message.startswith(name) or message.startswith("TRENDING_WINDOWS["), message
    assert "expected" in message


def test_build_time():
    assert parse_build_time("2026-11-21T09:00:00+00:00") == NOW
    assert parse_build_time(NOW) == NOW
    assert parse_build_time(None) is None


def test_tags_link_to_their_page_and_phrases_to_a_search():
    rules = TagRules.parse('"United States" = ["U.S."]')
    tag = Tag("United States", SETTINGS)
    result = WindowTrends(
        TrendWindow("Last 24 hours", 24),
        NOW - dt.timedelta(hours=24),
        NOW,
        10,
        50,
        (
            Trend(rules.key("U.S."), "U.S.", "phrase", 4, 0, 9.0, 20.0),
            Trend("chip export controls", "chip export controls", "phrase", 3, 0, 8.0, 15.0),
            Trend("r&d + ai", "R&D + AI", "phrase", 3, 0, 8.0, 15.0),
        ),
    )
    [view] = views([result], {rules.key("United States"): tag}, "search/?q={query}")
    assert view.anchor == "last-24-hours"
    assert [(i.label, i.url, i.kind) for i in view.items] == [
        ("United States", "tag/united-states/", "tag"),  # a phrase that is a tag after normalisation
        ("chip export controls", "search/?q=chip+export+controls", "phrase"),
        ("R&D + AI", "search/?q=R%26D+%2B+AI", "phrase"),
    ]
    [unlinked] = views([result], {}, None)
    assert unlinked.items[1].url == ""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("trending_sample")
    result = build_site(ROOT / "content", output, settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_the_trending_page_lists_each_window_with_counts(sample: Path):
    page = soup_of(sample / "trending" / "index.html")
    assert text_of(page, "h1") == "Trending"
    headings = [h.get_text(strip=True) for h in page.select("main h2")]
    assert headings == ["Last 24 hours", "Last 7 days"]
    week = page.select("main section")[1]
    items = week.select("ol.trend-list li")
    assert items
    assert all("article" in text_of(item, ".count") for item in items)
    names = [text_of(item, "a") for item in items if item.a]
    assert "Corvane summit" in names  # the climate summit of the sample's last week
    assert not {"Port Alder", "Osmark", "Veltran"} & set(names)  # always common in the sample
    assert attr_of(page, "main header time", "datetime") == "2026-11-21T09:00:00+00:00"  # newest article, not clock


def strip_of(site: Path) -> dict:
    return json.loads((site / "trending" / "strip.json").read_text(encoding="utf-8"))


def test_every_page_reads_the_strip_from_one_file_and_links_to_the_trending_page(sample: Path):
    # What trends is not written into the pages (a rising term would change every page of the site): each
    # page's strip names the file its script reads, and links to the trending page.
    pages = sorted(sample.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        if page.name == "email.html":
            continue  # a digest's email copy stands alone: no site navigation
        nav = soup_of(page).select_one("nav.trending")
        assert nav is not None, page
        assert nav["data-trending-src"] == "/trending/strip.json", page
        assert [str(a["href"]) for a in nav.select("a")] == ["/trending/"], page
        assert nav.select("li") == [], page
    assert strip_of(sample)["window"] == "Last 24 hours"  # something is trending in the sample's last day


def test_strip_links_go_to_tag_pages_and_phrases_to_the_search(sample: Path):
    items = strip_of(sample)["items"]
    hrefs = ["/" + item["url"] for item in items]
    assert hrefs
    for href in hrefs:
        if href.startswith("/search/?q="):
            assert (sample / "search" / "index.html").is_file()
        else:
            assert href.startswith("/tag/"), href
            assert (sample / href.lstrip("/") / "index.html").is_file()
    assert "/search/?q=Corvane+Accord" in hrefs  # the name of the sample's newest story, not a tag
    assert "coal" in [item["label"] for item in items if item["url"]]
    page = soup_of(sample / "trending" / "index.html")
    assert "/search/?q=Corvane+Accord" in [str(a["href"]) for a in page.select("ol.trend-list a")]


def test_phrases_are_text_when_there_is_no_search(tmp_path: Path):
    extra: dict[str, object] = {"TRENDING_SEARCH_URL": None}
    result = build_site(ROOT / "content", tmp_path, settings=SITE_SETTINGS, extra=extra)
    assert result.returncode == 0, result.stdout + result.stderr
    items = strip_of(tmp_path)["items"]
    assert {"label": "Corvane Accord", "url": ""} in items
    assert all(item["url"].startswith("tag/") for item in items if item["url"])


def test_no_strip_file_without_a_setting_for_it(tmp_path: Path):
    result = build_site(ROOT / "content", tmp_path, settings=SITE_SETTINGS, extra={"TRENDING_STRIP_SAVE_AS": None})
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "trending" / "strip.json").exists()
    nav = soup_of(tmp_path / "about" / "index.html").select_one("nav.trending")
    assert nav is not None
    assert not nav.has_attr("data-trending-src")
    assert [str(a["href"]) for a in nav.select("a")] == ["/trending/"]


def test_build_time_moves_now(tmp_path: Path):
    result = build_site(
        ROOT / "content", tmp_path, settings=SITE_SETTINGS, extra={"BUILD_TIME": "2026-10-20T12:00:00+00:00"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = soup_of(tmp_path / "trending" / "index.html")
    assert attr_of(page, "main header time", "datetime") == "2026-10-20T12:00:00+00:00"
    labels = {a.get_text(strip=True) for a in page.select("ol.trend-list a")}
    assert "Corvane summit" not in labels  # a month before the summit


def test_the_strip_file_stays_in_the_output_folder(tmp_path: Path):
    from news_trending.trending import TrendLink, write_strip

    items = [TrendLink("coal", "tag/coal/", 4, 0, "tag"), TrendLink("R&D", "", 3, 0, "phrase")]
    path = write_strip(str(tmp_path), "trending/strip.json", "Last 24 hours", items)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "window": "Last 24 hours",
        "items": [{"label": "coal", "url": "tag/coal/"}, {"label": "R&D", "url": ""}],
    }
    with pytest.raises(TrendingSettingsError, match="inside the output folder"):
        write_strip(str(tmp_path / "out"), "../strip.json", None, items)
