"""The built site in headless Chromium: following links, the script's relative times, no errors, no third-party
requests, working without JavaScript, narrow and wide layouts, and a hostile headline staying text."""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from news_stories.stories import alias_shard
from playwright.sync_api import Browser, Locator, Page, Request, expect

from tests.browser import (
    ARTICLE_PATH,
    ARTIFACTS,
    DATE_ARCHIVE_PATH,
    PageWatch,
    SiteServer,
    click_first_link,
    date_archive_title,
    find_article,
    first_page,
    hrefs_of,
    parsed,
    path_of,
    serve_directory,
)
from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

TAG_PATH = re.compile(r"^/tag/[^/]+/$")
SOURCE_PATH = re.compile(r"^/source/[^/]+/$")
MONTH_PATH = re.compile(r"^/\d{4}/\d{2}/$")
ARCHIVES_PATH = re.compile(r"^/archives/$")
# What Intl.RelativeTimeFormat (numeric: "auto") says in English about a moment in the past.
PAST_PHRASE = re.compile(r"\bago\b|\byesterday\b|\blast (week|month|year)\b")


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context, desktop width, light scheme."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def h1_text(page: Page) -> str:
    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    return heading.inner_text().strip()


def article_with_image(server: SiteServer) -> str:
    return find_article(server.root, "illustrated (main figure img)", selector="main figure img")


# -- following links --------------------------------------------------------------------------------------


def test_a_reader_can_follow_links_through_the_archive(page: Page, sample_server: SiteServer):
    page.goto(sample_server.url("/"))
    assert path_of(page) == "/"
    assert h1_text(page)

    title = click_first_link(page, "main a", ARTICLE_PATH.match, "article link")
    assert ARTICLE_PATH.match(path_of(page)), page.url
    assert h1_text(page) == title

    tag = click_first_link(page, "main a", TAG_PATH.match, "tag link")
    assert TAG_PATH.match(path_of(page)), page.url
    assert h1_text(page) == tag

    title = click_first_link(page, "main a", ARTICLE_PATH.match, "article link")
    assert ARTICLE_PATH.match(path_of(page)), page.url
    assert h1_text(page) == title

    if any(href and DATE_ARCHIVE_PATH.match(href) for href in hrefs_of(page, "main a")):
        click_first_link(page, "main a", DATE_ARCHIVE_PATH.match, "date archive link")
    else:
        click_first_link(page, "header a", ARCHIVES_PATH.match, "Archives link")
        assert path_of(page) == "/archives/"
        assert h1_text(page)
        click_first_link(page, "main a", MONTH_PATH.match, "month link")
    assert DATE_ARCHIVE_PATH.match(path_of(page)), page.url
    assert h1_text(page) == date_archive_title(path_of(page))

    # a reader picks a story from an outlet (contributor pieces have no source page)
    def has_source(href: str) -> bool:
        article = parsed(sample_server.root / href.strip("/") / "index.html")
        return article.select_one("main a[href^='/source/']") is not None

    def wire_story(href: str) -> bool:
        return bool(ARTICLE_PATH.match(href)) and has_source(href)

    title = click_first_link(page, "main a", wire_story, "story with a source")
    assert h1_text(page) == title

    source = click_first_link(page, "main a", SOURCE_PATH.match, "source link")
    assert SOURCE_PATH.match(path_of(page)), page.url
    assert h1_text(page) == source


def test_unknown_address_gets_the_404_page(page: Page, sample_server: SiteServer):
    response = page.goto(sample_server.url("/no/such/page/"))
    assert response is not None
    assert response.status == 404
    expected = parsed(sample_server.root / "404.html").h1
    assert expected is not None
    assert h1_text(page) == expected.get_text(strip=True)
    # root-relative links still work from a nested address: the stylesheet applied
    assert page.evaluate("() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0")


def story_map(root: Path) -> dict[str, str]:
    """The story map a build wrote (story/aliases/N.json), all its files together."""
    found: dict[str, str] = {}
    for path in (root / "story" / "aliases").glob("*.json"):
        found.update(json.loads(path.read_text(encoding="utf-8"))["aliases"])
    return found


def test_a_merged_storys_old_address_goes_on_to_the_story(page: Page, sample_server: SiteServer):
    """A story is named after one of its articles; when two stories merge, the other name's address is gone.
    The 404 page finds the article in the story map (story/aliases/0.json) and goes on to the story it is in
    now."""
    old, story = sorted(story_map(sample_server.root).items())[0]
    response = page.goto(sample_server.url(f"/story/{old}/"))
    assert response is not None
    assert response.status == 404
    page.wait_for_url(sample_server.url(f"/story/{story}/"))
    assert h1_text(page) == parsed(sample_server.root / "story" / story / "index.html").h1.get_text(strip=True)
    # An address that names no article: no move, the search for its words.
    page.goto(sample_server.url("/story/no-such-story/"))
    expect(page.locator(".not-found__moved")).to_be_hidden()
    expect(page.locator(".not-found__search a")).to_have_text("Search the archive for \u201cno such story\u201d")


def test_a_story_map_in_several_files_is_read_from_the_file_of_the_address(page: Page, tmp_path: Path):
    """The sample archive built with 4 aliases per file: the map is split into files by a hash of the slug,
    and the 404 page's script (its own copy of the hash) fetches the one file that holds the address."""
    output = tmp_path / "site"
    result = build_site(ROOT / "content", output, settings=SITE_SETTINGS, extra={"STORY_ALIASES_PER_FILE": 4})
    assert result.returncode == 0, result.stdout + result.stderr
    aliases = story_map(output)
    files = len(list((output / "story" / "aliases").glob("*.json")))
    assert files >= 4
    assert f'data-story-aliases-files="{files}"' in (output / "404.html").read_text(encoding="utf-8")
    # One old address per file that has one, so every file is read by the script once.
    by_file: dict[int, tuple[str, str]] = {}
    for old, story in sorted(aliases.items()):
        by_file.setdefault(alias_shard(old, files), (old, story))
    assert len(by_file) >= 3
    with serve_directory(output) as server:
        for number, (old, story) in sorted(by_file.items()):
            requested: list[str] = []

            def note(request: Request, seen: list[str] = requested) -> None:
                seen.append(urlsplit(request.url).path)

            page.on("request", note)
            page.goto(server.url(f"/story/{old}/"))
            page.wait_for_url(server.url(f"/story/{story}/"))
            page.remove_listener("request", note)
            assert [path for path in requested if "/story/aliases/" in path] == [f"/story/aliases/{number}.json"]


def test_a_missing_address_is_offered_as_a_search_for_its_words(page: Page, sample_server: SiteServer):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(sample_server.url("/2026/11/02/harbour-cranes-return%3Cb%3E/"), wait_until="networkidle")
    assert not [url for url in requested if "/story/aliases/" in url]  # not a story's address: no map
    link = page.locator(".not-found__search a")
    expect(link).to_have_text("Search the archive for \u201charbour cranes return b\u201d")
    assert link.get_attribute("href") == "/search/?q=harbour%20cranes%20return%20b"
    expect(page.locator(".not-found__search b")).to_have_count(0)  # words, as text
    link.click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("#search-results li").first).to_be_visible()


# -- the script's relative times ----------------------------------------------------------------------------


def reltime_after_first_time(page: Page) -> Locator:
    span = page.locator("main time[data-relative]").first.locator("xpath=following-sibling::*[1]")
    expect(span).to_have_class(re.compile(r"\breltime\b"))
    return span


def test_relative_time_is_written_by_the_script(page: Page, sample_server: SiteServer):
    path = find_article(sample_server.root, "in English", lang="en")
    served = BeautifulSoup(page.request.get(sample_server.url(path)).text(), "html.parser")
    static = served.select_one("main time[data-relative] + .reltime")
    assert static is not None, f"{path}: no <span class='reltime'> right after the first time[data-relative]"
    assert static.get_text() == "", f"{path}: the served HTML already has a relative time: {static}"
    page.goto(sample_server.url(path))
    span = reltime_after_first_time(page)
    expect(span).to_have_text(PAST_PHRASE)


@pytest.mark.parametrize(
    ("elapsed", "phrase"),
    [
        (dt.timedelta(minutes=5), "5 minutes ago"),
        (dt.timedelta(hours=3), "3 hours ago"),
        (dt.timedelta(days=1), "yesterday"),
        (dt.timedelta(days=3), "3 days ago"),
        (dt.timedelta(days=15), "2 weeks ago"),
    ],
)
def test_relative_time_phrase_at_a_fixed_clock(chromium_browser: Browser, sample_server: SiteServer, elapsed, phrase):
    path = find_article(sample_server.root, "in English", lang="en")
    published = parsed(sample_server.root / path.strip("/") / "index.html").select_one("main time[data-relative]")
    assert published is not None
    now = dt.datetime.fromisoformat(str(published["datetime"])) + elapsed
    context = chromium_browser.new_context(timezone_id="UTC", locale="en-GB")
    try:
        page = context.new_page()
        page.clock.set_fixed_time(now)
        page.goto(sample_server.url(path))
        expect(reltime_after_first_time(page)).to_have_text(phrase)
    finally:
        context.close()


# -- the trending strip ----------------------------------------------------------------------------------------


def test_trending_strip_is_read_from_its_file(page: Page, sample_server: SiteServer):
    # What trends is one file for the whole site, not a part of every page: the served page has an empty list.
    strip = json.loads((sample_server.root / "trending" / "strip.json").read_text(encoding="utf-8"))
    assert strip["items"], "nothing trends in the sample archive's last day"
    served = BeautifulSoup(page.request.get(sample_server.url("/about/")).text(), "html.parser")
    assert served.select_one("nav.trending")["data-trending-src"] == "/trending/strip.json"
    assert served.select("nav.trending li") == []
    page.goto(sample_server.url("/about/"))
    items = page.locator("nav.trending .trending__items li")
    expect(items).to_have_count(len(strip["items"]))
    assert items.all_inner_texts() == [item["label"] for item in strip["items"]]
    links = page.locator("nav.trending .trending__items a")
    assert [link.get_attribute("href") for link in links.all()] == ["/" + i["url"] for i in strip["items"] if i["url"]]
    expect(page.locator("nav.trending .trending__quiet")).to_be_hidden()
    expect(page.locator("nav.trending a.trending__more")).to_have_attribute("href", "/trending/")


def test_trending_strip_shows_labels_as_text_and_says_when_nothing_trends(page: Page, sample_server: SiteServer):
    hostile = {"window": "Last 24 hours", "items": [{"label": "<img src=x onerror=alert(1)>", "url": ""}]}
    watch = PageWatch().attach(page)
    page.route("**/trending/strip.json", lambda route: route.fulfill(json=hostile))
    page.goto(sample_server.url("/about/"))
    expect(page.locator("nav.trending .trending__items li")).to_have_text("<img src=x onerror=alert(1)>")
    expect(page.locator("nav.trending img")).to_have_count(0)
    assert not watch.dialogs, watch.dialogs
    page.unroute("**/trending/strip.json")
    page.route("**/trending/strip.json", lambda route: route.fulfill(json={"window": None, "items": []}))
    page.goto(sample_server.url("/about/"))
    expect(page.locator("nav.trending .trending__quiet")).to_be_visible()
    expect(page.locator("nav.trending .trending__items li")).to_have_count(0)


# -- no errors, no third parties ----------------------------------------------------------------------------


def test_pages_run_without_errors_or_third_party_requests(page: Page, sample_server: SiteServer):
    root = sample_server.root
    paths = [
        "/",
        article_with_image(sample_server),
        first_page(root, "tag/*/index.html"),
        first_page(root, "section/*/index.html"),
        first_page(root, "source/*/index.html"),
        "/archives/",
        first_page(root, "[0-9][0-9][0-9][0-9]/[0-9][0-9]/index.html"),
        "/articles/page/2/",
        "/404.html",
    ]
    watch = PageWatch().attach(page)
    failures = []
    for path in paths:
        response = page.goto(sample_server.url(path), wait_until="networkidle")
        assert response is not None
        if response.status != 200:
            failures.append(f"{path}: HTTP {response.status}")
        failures += [f"{path}: {problem}" for problem in watch.take()]
    assert not failures, "\n".join(failures)


# -- without JavaScript -------------------------------------------------------------------------------------


def test_site_works_without_javascript(chromium_browser: Browser, sample_server: SiteServer):
    context = chromium_browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(sample_server.url("/"))
        assert h1_text(page)
        title = click_first_link(page, "main a", ARTICLE_PATH.match, "article link")
        assert ARTICLE_PATH.match(path_of(page)), page.url
        assert h1_text(page) == title
        article = path_of(page)
        # the enhancements stay out of the way: the absolute time shows, no relative one, no copy button
        expect(page.locator("main time[data-relative]").first).to_be_visible()
        for span in page.locator(".reltime").all():
            expect(span).to_have_text("")
        copy_button_visible = page.locator("button[data-copy-url]").is_visible()
        # the trending strip is the link to the trending page
        expect(page.locator("nav.trending .trending__now")).to_be_hidden()
        expect(page.locator("nav.trending a.trending__more")).to_be_visible()
        tag = click_first_link(page, "main a", TAG_PATH.match, "tag link")
        assert h1_text(page) == tag
        assert not copy_button_visible, f"{article}: the Copy link button shows without JavaScript (it cannot work)"
    finally:
        context.close()


# -- layout: screenshots and no sideways scrolling ----------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


# A full-page screenshot does not scroll, so images below the fold that load lazily would be blank.
LOAD_LAZY_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.filter(img => !img.complete).map(img => new Promise(done => {
    img.addEventListener("load", done);
    img.addEventListener("error", done);
  })));
}"""


@pytest.mark.parametrize(
    ("name", "width", "scheme"),
    [
        ("home-375", 375, "light"),
        ("home-1280", 1280, "light"),
        ("article-375", 375, "light"),
        ("article-1280", 1280, "light"),
        ("home-1280-dark", 1280, "dark"),
        ("article-375-dark", 375, "dark"),
    ],
)
def test_screenshot(chromium_browser: Browser, sample_server: SiteServer, name: str, width: int, scheme):
    path = "/" if name.startswith("home") else article_with_image(sample_server)
    context = chromium_browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, reduced_motion="reduce"
    )
    try:
        page = context.new_page()
        page.goto(sample_server.url(path), wait_until="networkidle")
        page.evaluate(LOAD_LAZY_IMAGES)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{name}.png"
        page.screenshot(path=shot, full_page=True)
    finally:
        context.close()
    shot_width, shot_height = png_size(shot)
    assert shot_width == width, f"{shot.name} is {shot_width}px wide: {path} is wider than the {width}px window"
    assert shot_height >= 900


OVERFLOWING = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > width + 1);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    culprits: wide.slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + [...e.classList].join(".") : "")
                                  + " (right edge " + Math.round(e.getBoundingClientRect().right) + "px)"),
  };
}"""


@pytest.mark.parametrize("kind", ["home", "article", "tag", "archives"])
def test_no_sideways_scrolling_on_a_phone(chromium_browser: Browser, sample_server: SiteServer, kind: str):
    root = sample_server.root
    path = {
        "home": "/",
        "article": article_with_image(sample_server),
        "tag": first_page(root, "tag/*/index.html"),
        "archives": "/archives/",
    }[kind]
    context = chromium_browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(sample_server.url(path))
        measured = page.evaluate(OVERFLOWING)
    finally:
        context.close()
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{path} at 375px scrolls sideways: scrollWidth {measured['scrollWidth']}; "
        f"too wide: {', '.join(measured['culprits'])}"
    )


def test_on_a_phone_the_header_links_sections_and_trending_are_one_row_each(
    chromium_browser: Browser, sample_server: SiteServer
):
    """At 375px the site links, the section links and the trending strip each take one row, scrolled
    sideways inside the row (the page itself does not scroll sideways), and a link out of view scrolls into it
    when it gets the focus; the page's own content starts in the top third of the screen (257px; 371px when
    the rows wrapped)."""
    context = chromium_browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(sample_server.url("/"))
        page.wait_for_selector(".trending__now:not([hidden]) .trending__items li")
        spread = "(s) => { const t = [...document.querySelectorAll(s)].map(e => e.getBoundingClientRect().top);"
        spread += " return Math.max(...t) - Math.min(...t); }"
        for selector in (".site-links li", ".section-nav li", ".trending__label, .trending__items, .trending__more"):
            apart = page.evaluate(spread, selector)
            assert apart < 12, f"{selector}: more than one row at 375px ({apart}px between the tops)"
        last = page.locator(".section-nav li:last-child a")
        assert page.evaluate("(a) => a.getBoundingClientRect().right", last.element_handle()) > 375
        last.focus()
        right = page.evaluate("(a) => a.getBoundingClientRect().right", last.element_handle())
        assert right <= 375, f"the focused last section link is not scrolled into view (right edge {right}px)"
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
        assert top < 800 / 3, f"the page's content starts {top}px down a 800px screen"
    finally:
        context.close()


# -- a hostile headline ---------------------------------------------------------------------------------------

HOSTILE_TITLE = "<img src=x onerror=alert(1)> & </script> headline"


def test_hostile_headline_stays_text(page: Page, fixture_server: SiteServer):
    watch = PageWatch().attach(page)
    page.goto(fixture_server.url("/2026/02/06/hostile-title/"), wait_until="networkidle")
    assert h1_text(page) == HOSTILE_TITLE
    expect(page.locator("h1 img")).to_have_count(0)
    assert not watch.dialogs, watch.dialogs
    assert not watch.page_errors, watch.page_errors
