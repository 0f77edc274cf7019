"""news_related in the build: settings, a scenario archive with duplicates, the cache, the sample site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from news_related.ranking import Weights
from news_related.related import RelatedSettingsError, read_settings
from pelican.settings import DEFAULT_CONFIG

from tests.sitebuild import ROOT, SITE_SETTINGS, TEST_SETTINGS, build_site

SCENARIO = Path(__file__).parent / "fixtures" / "archive_with_duplicate_stories"


def related_on_pages(output: Path) -> dict[str, list[str]]:
    """{article slug: [slugs in its "Related coverage" block]} for every article page."""
    found: dict[str, list[str]] = {}
    for page in sorted(output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = soup.select("section.related .related-item__title a")
        found[page.parent.name] = [str(a["href"]).rstrip("/").rsplit("/", 1)[-1] for a in links]
    return found


def build(content: Path, output: Path, cache: Path, settings: Path = TEST_SETTINGS) -> None:
    extra: dict[str, object] = {"RELATED_CACHE_PATH": str(cache)}
    result = build_site(content, output, settings, extra)
    assert result.returncode == 0, result.stdout + result.stderr


# --- settings --------------------------------------------------------------------------------------------


def test_defaults():
    settings = read_settings({**DEFAULT_CONFIG, "CACHE_PATH": "/tmp/site-cache"})
    assert settings.max_related == 5
    assert settings.weights == Weights(text=1.0, tags=0.3, section=0.1, time=0.1, half_life_days=30.0)
    assert settings.cache_path == Path("/tmp/site-cache/related.json")
    assert settings.duplicate_threshold == 0.9


def test_partial_weights_keep_the_other_defaults_and_the_cache_can_be_off():
    settings = read_settings({"RELATED_WEIGHTS": {"tags": 0.5}, "RELATED_CACHE_PATH": False})
    assert settings.weights == Weights(tags=0.5)
    assert settings.cache_path is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RELATED_MAX", -1),
        ("RELATED_MAX", "5"),
        ("RELATED_MAX", True),
        ("RELATED_WEIGHTS", {"txet": 1.0}),
        ("RELATED_WEIGHTS", {"tags": -0.5}),
        ("RELATED_WEIGHTS", [1.0]),
        ("RELATED_HALF_LIFE_DAYS", 0),
        ("RELATED_CACHE_PATH", ""),
        ("RELATED_CACHE_PATH", 3),
        ("RELATED_DUPLICATE_THRESHOLD", 0),
        ("RELATED_DUPLICATE_THRESHOLD", "0.8"),
    ],
)
def test_bad_settings_name_the_setting_and_the_value(name, value):
    with pytest.raises(RelatedSettingsError) as raised:
        read_settings({name: value})
    assert name in str(raised.value)
    assert repr(value) in str(raised.value)


# --- a scenario archive ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    output = tmp_path_factory.mktemp("related_scenario")
    build(SCENARIO, output, output.parent / "scenario-related.json")
    return related_on_pages(output)


def test_every_article_page_is_checked(scenario):
    assert len(scenario) == 10


def test_same_story_coverage_is_related(scenario):
    assert {"ferry-strike-day-two", "ferry-strike-ends"} <= set(scenario["ferry-strike-begins"])
    assert scenario["comet-spotted"] == ["comet-brightens"]


def test_never_itself_nor_a_duplicate(scenario):
    copies = {"ferry-strike-begins", "ferry-strike-begins-republished", "ferry-strike-wire-copy"}
    for slug, related in scenario.items():
        assert slug not in related
        assert len(related) <= 5
        assert len(related) == len(set(related))
        if slug in copies:  # same body, or near_duplicate_of
            assert not copies & set(related), slug
        assert len(copies & set(related)) <= 1  # one copy of the same report at most


def test_fallback_to_the_section_and_nothing_when_alone(scenario):
    assert scenario["choir-recital"] == ["bakery-opens"]  # no text in common: newest in its section
    assert scenario["bakery-opens"] == ["choir-recital"]
    assert scenario["chip-plant"] == []  # alone in Technology, and no text match: no block at all


def test_cache_is_reused_while_nothing_changes(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SCENARIO, content)
    cache = tmp_path / "cache" / "related.json"
    build(content, tmp_path / "first", cache)
    written = json.loads(cache.read_text(encoding="utf-8"))
    assert len(written["related"]) == 10

    # Plant an answer under the same key: an unchanged archive must take it as it is.
    cache.write_text(json.dumps({"key": written["key"], "related": [[] for _ in written["related"]]}))
    build(content, tmp_path / "second", cache)
    assert all(related == [] for related in related_on_pages(tmp_path / "second").values())

    # Change one article: the key changes, the planted answer is ignored and replaced.
    article = next(content.rglob("comet-brightens.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nA second telescope confirmed it.\n")
    build(content, tmp_path / "third", cache)
    assert related_on_pages(tmp_path / "third")["comet-spotted"] == ["comet-brightens"]
    assert json.loads(cache.read_text(encoding="utf-8"))["key"] != written["key"]


def test_links_to_static_files_and_pages_do_not_break_the_build(tmp_path):
    """news_related reads each article's HTML as read: `article.content` would resolve {static} links (and
    memoise the result) before the static files are known, and the build would warn "Unable to find"."""
    import pelicanconf

    content = tmp_path / "content"
    shutil.copytree(SCENARIO, content)
    article = next(content.rglob("comet-brightens.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\n![The comet]({static}/images/comet.svg)\n")
    # news_search reads article.content at the same signal and fails on this very archive; leave it out
    plugins = [name for name in pelicanconf.PLUGINS if name != "news_search"]
    extra: dict[str, object] = {"RELATED_CACHE_PATH": str(tmp_path / "related.json"), "PLUGINS": plugins}
    result = build_site(content, tmp_path / "site", TEST_SETTINGS, extra)
    assert result.returncode == 0, result.stdout + result.stderr
    page = next((tmp_path / "site").rglob("comet-brightens/index.html")).read_text(encoding="utf-8")
    assert 'src="/images/comet.svg"' in page
    assert related_on_pages(tmp_path / "site")["comet-brightens"] == ["comet-spotted"]


# --- the sample site -------------------------------------------------------------------------------------


def test_sample_site_article_pages_show_related_articles(tmp_path):
    output = tmp_path / "site"
    build(ROOT / "content", output, tmp_path / "related.json", settings=SITE_SETTINGS)
    found = related_on_pages(output)
    assert len(found) >= 50
    pages = {p.parent.name for p in output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")}
    for slug, related in found.items():
        assert 1 <= len(related) <= 5, slug
        assert slug not in related
        assert set(related) <= pages
    page = BeautifulSoup((next(output.rglob("corvane-accord-gbr/index.html"))).read_text(), "html.parser")
    item = page.select_one("section.related .related-item")
    assert item is not None
    # shown as an aggregator shows it: outlet, time (made relative by site.js), headline, summary
    assert item.select_one(".meta__source") is not None
    assert item.select_one("time[datetime][data-relative] + .reltime") is not None
    assert item.select_one("h3 a") is not None
    assert item.select_one(".related-item__summary") is not None
    assert "corvane" in " ".join(related_on_pages(output)["corvane-accord-gbr"])
