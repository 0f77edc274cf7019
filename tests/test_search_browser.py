"""Search in headless Chromium on the built sites: the header box, the /search/ page, deep links, keyboard,
nothing fetched before it is wanted, hostile queries and hostile headlines staying text, and no JavaScript."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import (
    ARTICLE_PATH,
    AXE_SCRIPT,
    PageWatch,
    SiteServer,
    parsed,
    path_of,
    require_node_module,
    serve_directory,
)
from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

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


NEW_ARTICLE = """---
id: contrib-2026-11-24-signal-station
title: "Harbour trust opens the old signal station to walkers"
date: 2026-11-24T08:00:00+00:00
section: World
tags: [ports]
summary: "The signal station above the breakwater, shut since the semaphore went, opens on weekends."
---

Walkers can climb to the semaphore loft from Saturday. The trust restored the flag lockers and the telescope
mount, and a volunteer will explain the flag codes the station sent to ships in fog.
"""


def test_a_manifest_from_before_a_publish_is_fetched_again(page: Page, sample_site: Path, tmp_path: Path) -> None:
    """The page keeps the manifest it loaded. The site is then rebuilt with one more article and published
    (the index's files replaced as publish does: content-named shards that changed are new files, the old
    ones are gone). A search that needs a shard named by the old manifest gets 404: the page fetches the
    manifest again, bypassing the browser's cache, and answers from the new index, with the new store file
    (the browser holds the old one, which lacks the new article, under another query)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "articles" / "2026" / "11" / "signal-station.md").write_text(NEW_ARTICLE, encoding="utf-8")
    rebuilt = tmp_path / "rebuilt"
    result = build_site(content, rebuilt, settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stdout + result.stderr
    served = tmp_path / "served"
    shutil.copytree(sample_site, served)
    an_hour_ago = time.time() - 3600  # the test server sends no Cache-Control: Chromium then keeps a file
    for file in served.rglob("*"):  # for a tenth of its age, a few minutes here, as a cache would
        os.utime(file, (an_hour_ago, an_hour_ago))
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    with serve_directory(served) as server:
        page.goto(server.url("/search/?q=ferry"))
        results_ready(page)
        assert result_titles(page)
        shutil.rmtree(served / "search" / "data")  # publish: the new index, without the old files
        shutil.copytree(rebuilt / "search" / "data", served / "search" / "data")
        page.locator("#search-q").fill("semaphore flag codes")
        expect(page.locator("#search-results")).to_have_attribute(
            "data-search-query", "semaphore flag codes", timeout=10_000
        )
        assert result_titles(page)[:1] == ["Harbour trust opens the old signal station to walkers"], (
            page.locator("#search-status").inner_text(),
            fetched,
        )
    manifests = [url for url in fetched if url.endswith("/search/data/manifest.json")]
    assert len(manifests) == 2, fetched


def test_the_search_benchmark_measures_a_query(sample_site: Path, chromium_browser: Browser) -> None:
    """`invoke bench-search` measures queries in Chromium: what it counts are the files the page fetched (the
    store's are asked for with a query, `?v=`), with their gzipped sizes."""
    from news_search.bench import measure_queries

    [measure] = measure_queries(sample_site, ["ferry strike"], "", browser=chromium_browser)
    assert measure.results > 0
    assert measure.files >= 3  # the manifest, a shard, a store file
    assert measure.kb_fetched > 0
