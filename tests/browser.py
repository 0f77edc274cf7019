"""What the browser tests share: a local HTTP server for a built site, headless Chromium, and page finders.

The test modules load this file with `pytest_plugins`, so its session fixtures (one server per site, one
browser) are shared by both modules instead of being started once per module. The modules import its helpers
before pytest loads it as a plugin, too late for pytest to rewrite its asserts: the marker PYTEST_DONT_REWRITE
tells pytest not to try (nor warn), and the asserts here carry their own messages.
"""

from __future__ import annotations

import calendar
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Page, Request, sync_playwright

from tests.sitebuild import ROOT, html_pages

HOST = "127.0.0.1"
ARTIFACTS = ROOT / "tests" / "artifacts"
NODE_MODULES = ROOT / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Debian's chromium, not Playwright's download: no sandbox in containers, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

ARTICLE_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/[^/]+/$")
DATE_ARCHIVE_PATH = re.compile(r"^/(\d{4})/(?:(\d{2})/(?:(\d{2})/)?)?$")


# -- serving a built site ---------------------------------------------------------------------------------


class SiteRequestHandler(SimpleHTTPRequestHandler):
    """Static files as a web host serves them: `/dir/` is `/dir/index.html`, a miss is 404.html with 404."""

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests report what matters."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = not_found.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@dataclass(frozen=True)
class SiteServer:
    """A built site served over HTTP: its output directory and the address it is served at."""

    root: Path
    origin: str

    def url(self, path: str) -> str:
        return self.origin + path


@contextmanager
def serve_directory(root: Path) -> Iterator[SiteServer]:
    """Serve `root` on 127.0.0.1 at a free port from a background thread, until the block ends."""
    handler = partial(SiteRequestHandler, directory=str(root))
    server = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"serve {root.name}", daemon=True)
    thread.start()
    try:
        yield SiteServer(root, f"http://{HOST}:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def sample_server(sample_site: Path) -> Iterator[SiteServer]:
    """The sample archive's build, served over HTTP (its links are root-relative)."""
    with serve_directory(sample_site) as server:
        yield server


@pytest.fixture(scope="session")
def fixture_server(fixture_site: Path) -> Iterator[SiteServer]:
    """The fixture archive's build, served over HTTP."""
    with serve_directory(fixture_site) as server:
        yield server


# -- the browser ------------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    """CHROMIUM_PATH (set by `invoke test`), else a chromium on PATH."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright; skips when NEWS_SKIP_BROWSER=1 or no Chromium is installed."""
    if os.environ.get("NEWS_SKIP_BROWSER") == "1":
        pytest.skip("NEWS_SKIP_BROWSER=1: browser tests are switched off")
    executable = find_chromium()
    if not executable:
        pytest.skip("no Chromium found (CHROMIUM_PATH unset, no chromium on PATH): apt-get install chromium")
    if not Path(executable).is_file():
        pytest.skip(f"CHROMIUM_PATH={executable!r} is not a file: point it at a Chromium, or unset it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def require_node_module(path: Path) -> Path:
    """The path of a file installed by `npm ci`, or skip the test saying how to install it."""
    if not path.is_file():
        pytest.skip(f"{path.relative_to(ROOT)} is missing: run `npm ci` (or `invoke test`, which runs it)")
    return path


@dataclass
class PageWatch:
    """Everything a page did that a reader should never see: console errors, uncaught errors, dialogs,
    and requests to any host but the local server."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> PageWatch:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("dialog", self._on_dialog)
        page.on("request", self._on_request)
        return self

    def take(self) -> list[str]:
        """The problems seen since the last call, as readable lines; starts afresh."""
        found = self.problems()
        for seen in (self.console_errors, self.page_errors, self.dialogs, self.foreign_requests):
            seen.clear()
        return found

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"uncaught error: {text}" for text in self.page_errors),
            *(f"dialog: {text}" for text in self.dialogs),
            *(f"request to another host: {url}" for url in self.foreign_requests),
        ]

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type} {dialog.message!r} on {dialog.page.url if dialog.page else '?'}")
        dialog.dismiss()

    def _on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.hostname != HOST:
            self.foreign_requests.append(request.url)


# -- finding representative pages in a build ----------------------------------------------------------------


def url_path(output: Path, page: Path) -> str:
    """The root-relative URL a built file is served at: `2026/11/x/index.html` -> `/2026/11/x/`."""
    relative = page.relative_to(output).as_posix()
    return "/" + (relative.removesuffix("index.html") if relative.endswith("index.html") else relative)


@cache
def parsed(page: Path) -> BeautifulSoup:
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def article_pages(output: Path) -> list[Path]:
    """The built article pages, in URL order."""
    return [page for page in html_pages(output) if ARTICLE_PATH.match(url_path(output, page))]


def find_article(output: Path, description: str, selector: str = "", text: str = "", lang: str = "") -> str:
    """The URL of the first article that has an element matching `selector`, whose <main> contains `text`,
    and whose <html lang> is `lang` (each condition only when given)."""
    for page in article_pages(output):
        soup = parsed(page)
        main = soup.find("main")
        if main is None:
            continue
        if selector and not soup.select_one(selector):
            continue
        if text and text not in main.get_text(" "):
            continue
        if lang and soup.html is not None and soup.html.get("lang") != lang:
            continue
        return url_path(output, page)
    raise AssertionError(f"no article in {output} is {description}")


def first_page(output: Path, pattern: str) -> str:
    """The URL of the first built file matching the glob `pattern`, in sorted order."""
    matches = sorted(output.glob(pattern))
    assert matches, f"no page in {output} matches {pattern}"
    return url_path(output, matches[0])


def date_archive_title(path: str) -> str:
    """The heading a date archive page carries: `/2026/` -> "2026", `/2026/11/09/` -> "9 November 2026"."""
    found = DATE_ARCHIVE_PATH.match(path)
    assert found, f"{path} is not a date archive URL"
    year, month, day = found.groups()
    if month is None:
        return year
    month_year = f"{calendar.month_name[int(month)]} {year}"
    return month_year if day is None else f"{int(day)} {month_year}"


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def hrefs_of(page: Page, selector: str) -> list[str]:
    """The href attribute, as written, of every element matching `selector`, in document order."""
    hrefs: list[str] = page.locator(selector).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return hrefs


def click_first_link(page: Page, selector: str, wanted: Callable[[str], object], description: str) -> str:
    """Click the first link matching `selector` whose href is `wanted`, as a reader would, and wait for the
    next page; returns the link's text."""
    hrefs = hrefs_of(page, selector)
    index = next((i for i, href in enumerate(hrefs) if href and wanted(href)), None)
    assert index is not None, f"{path_of(page)}: no {description} among {selector!r} links: {hrefs[:15]}"
    link = page.locator(selector).nth(index)
    text = link.inner_text().strip()
    with page.expect_navigation():
        link.click()
    return text
