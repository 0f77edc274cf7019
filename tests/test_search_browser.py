"""Search in headless Chromium on the built sites: the header box, the /search/ page, deep links, keyboard,
nothing fetched before it is wanted, hostile queries and hostile headlines staying text, and no JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ARTICLE_PATH, AXE_SCRIPT, PageWatch, SiteServer, parsed, path_of, require_node_module

pytest_plugins = ["tests.browser"]
pytestmark = pytest.mark.browser

SEARCH_DATA = re.compile(r"/search/data/")
HOSTILE_QUERY = "<img src=x onerror=alert(1)> </script><script>alert(2)</script>"


@pytest.fixture
def page(chromium_browser: Browser) -> Iterator[Page]:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def results_ready(page: Page) -> None:
    """Wait until search.js has finished a search (it stamps the results list with its duration)."""
    page.wait_for_selector("#search-results[data-search-ms]", state="attached", timeout=15_000)


def result_titles(page: Page) -> list[str]:
    titles: list[str] = page.locator(".search-result__title").all_inner_texts()
    return [t.strip() for t in titles]


def test_type_in_the_header_see_results_and_follow_one(page: Page, sample_server: SiteServer):
    watch = PageWatch().attach(page)
    page.goto(sample_server.url("/"), wait_until="networkidle")
    box = page.locator("#site-search-q")
    box.click()
    box.fill("ferry strike")
    with page.expect_navigation():
        box.press("Enter")
    assert path_of(page) == "/search/"
    results_ready(page)
    titles = result_titles(page)
    assert titles, page.locator("#search-status").inner_text()
    assert any("ferry" in t.lower() or "strike" in t.lower() for t in titles[:3]), titles
    # matched words are highlighted in the titles
    assert page.locator(".search-result__title mark").count() > 0
    first = page.locator(".search-result__title a").first
    title = first.inner_text().strip()
    with page.expect_navigation():
        first.click()
    assert ARTICLE_PATH.match(path_of(page)), page.url
    assert page.locator("h1").inner_text().strip() == title
    assert watch.take() == []


def test_deep_link_runs_the_query_and_typing_updates_it(page: Page, sample_server: SiteServer):
    watch = PageWatch().attach(page)
    page.goto(sample_server.url("/search/?q=Corvane"))
    results_ready(page)
    assert page.locator("#search-q").input_value() == "Corvane"
    titles = result_titles(page)
    assert titles
    assert any("Corvane" in t for t in titles)
    expected = parsed(sample_server.root / "search" / "index.html")
    assert expected.select_one("#search-without-js") is not None
    expect(page.locator("#search-without-js")).to_be_hidden()

    page.locator("#search-q").fill("asteroid probe")
    expect(page.locator("#search-results")).to_have_attribute("data-search-query", "asteroid probe", timeout=10_000)
    assert "q=asteroid+probe" in page.url or "q=asteroid%20probe" in page.url
    assert any("asteroid" in t.lower() or "probe" in t.lower() for t in result_titles(page)[:3])

    page.locator("#search-q").fill("zzzznomatchzzzz")
    expect(page.locator("#search-status")).to_contain_text("No articles match", timeout=10_000)
    assert result_titles(page) == []
    assert watch.take() == []


def test_keyboard_moves_through_results(page: Page, sample_server: SiteServer):
    page.goto(sample_server.url("/search/?q=port+alder"))
    results_ready(page)
    links = page.locator(".search-result__title a")
    assert links.count() >= 2
    page.locator("#search-q").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == links.nth(0).inner_text()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == links.nth(1).inner_text()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-q"


def test_nothing_is_downloaded_until_the_box_is_focused(page: Page, sample_server: SiteServer):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(sample_server.url("/"), wait_until="networkidle")
    assert [url for url in fetched if SEARCH_DATA.search(url)] == []
    with page.expect_request(re.compile(r"/search/data/manifest\.json$")):
        page.locator("#site-search-q").focus()
    page.wait_for_load_state("networkidle")
    wanted = sorted(url.rsplit("/search/data/", 1)[1] for url in fetched if SEARCH_DATA.search(url))
    assert wanted == ["lunr.min.js", "manifest.json"]


def test_hostile_query_is_text(page: Page, sample_server: SiteServer):
    watch = PageWatch().attach(page)
    page.goto(sample_server.url("/search/"))
    page.locator("#search-q").fill(HOSTILE_QUERY)
    page.locator("#search-q").press("Enter")
    expect(page.locator("#search-results")).to_have_attribute("data-search-query", HOSTILE_QUERY.strip())
    assert HOSTILE_QUERY.strip() in page.locator("#search-status").inner_text()
    assert page.locator("main img, main script").count() == 0
    assert watch.take() == []


def test_hostile_headline_in_results_is_text(page: Page, fixture_server: SiteServer):
    watch = PageWatch().attach(page)
    page.goto(fixture_server.url("/search/?q=headline"))
    results_ready(page)
    titles = result_titles(page)
    assert "<img src=x onerror=alert(1)> & </script> headline" in titles
    assert page.locator("#search-results img, #search-results script").count() == 0
    assert watch.take() == []


def test_parse_error_is_explained(page: Page, sample_server: SiteServer):
    watch = PageWatch().attach(page)
    page.goto(sample_server.url("/search/?q=title%3A"))
    results_ready(page)
    expect(page.locator("#search-status")).to_contain_text("cannot be read")
    assert watch.take() == []


def test_without_javascript_the_form_lands_somewhere_useful(chromium_browser: Browser, sample_server: SiteServer):
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(sample_server.url("/"))
        page.locator("#site-search-q").fill("ferry")
        with page.expect_navigation():
            page.locator(".site-search__button").click()
        assert path_of(page) == "/search/"
        assert "q=ferry" in page.url
        expect(page.locator("#search-without-js")).to_be_visible()
        expect(page.locator("#search-without-js a[href='/articles/']")).to_be_visible()
    finally:
        context.close()


def test_results_page_has_no_serious_accessibility_problem(page: Page, sample_server: SiteServer):
    page.goto(sample_server.url("/search/?q=ferry"))
    results_ready(page)
    page.add_script_tag(path=str(require_node_module(AXE_SCRIPT)))
    found = page.evaluate(
        """async () => {
          const results = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
          return results.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
        }"""
    )
    assert [v for v in found if v["impact"] in ("serious", "critical")] == []
