"""news_trending in the build: settings, links, the /trending/ page and the strip on every page."""

from __future__ import annotations

import datetime as dt
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


def test_the_strip_is_on_every_page_and_links_to_the_trending_page(sample: Path):
    pages = sorted(sample.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        if page.name == "email.html":
            continue  # a digest's email copy stands alone: no site navigation
        hrefs = [str(a["href"]) for a in soup_of(page).select("nav.trending a")]
        assert "/trending/" in hrefs, page
        assert len(hrefs) >= 2, page  # something is trending in the sample's last day


def test_strip_links_go_to_tag_pages_and_phrases_to_the_search(sample: Path):
    hrefs = [str(a["href"]) for a in soup_of(sample / "about" / "index.html").select("nav.trending li a")]
    assert hrefs
    for href in hrefs:
        if href.startswith("/search/?q="):
            assert (sample / "search" / "index.html").is_file()
        else:
            assert href.startswith("/tag/"), href
            assert (sample / href.lstrip("/") / "index.html").is_file()
    assert "/search/?q=Corvane+Accord" in hrefs  # the name of the sample's newest story, not a tag
    assert "coal" in [text_of(item, "a") for item in soup_of(sample / "index.html").select("nav.trending li") if item.a]
    page = soup_of(sample / "trending" / "index.html")
    assert "/search/?q=Corvane+Accord" in [str(a["href"]) for a in page.select("ol.trend-list a")]


def test_phrases_are_text_when_there_is_no_search(tmp_path: Path):
    extra: dict[str, object] = {"TRENDING_SEARCH_URL": None}
    result = build_site(ROOT / "content", tmp_path, settings=SITE_SETTINGS, extra=extra)
    assert result.returncode == 0, result.stdout + result.stderr
    strip = soup_of(tmp_path / "about" / "index.html").select("nav.trending li")
    assert "Corvane Accord" in [item.get_text(" ", strip=True) for item in strip if item.a is None]
    assert all(str(item.a["href"]).startswith("/tag/") for item in strip if item.a)


def test_build_time_moves_now(tmp_path: Path):
    result = build_site(
        ROOT / "content", tmp_path, settings=SITE_SETTINGS, extra={"BUILD_TIME": "2026-10-20T12:00:00+00:00"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = soup_of(tmp_path / "trending" / "index.html")
    assert attr_of(page, "main header time", "datetime") == "2026-10-20T12:00:00+00:00"
    labels = {a.get_text(strip=True) for a in page.select("ol.trend-list a")}
    assert "Corvane summit" not in labels  # a month before the summit
