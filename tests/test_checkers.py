"""Outside checkers over the built site: axe-core for accessibility (in Chromium, light and dark), and the Nu HTML
Checker (vnu) for valid HTML."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser

from tests.browser import (
    AXE_SCRIPT,
    VNU_JAR,
    SiteServer,
    find_article,
    first_page,
    require_node_module,
)
from tests.sitebuild import html_pages

pytest_plugins = ["tests.browser"]

# -- axe-core ------------------------------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}
TARGETS_SHOWN = 4

# One page of each kind a reader meets; each is found in the build, so the list follows the content.
SAMPLE_PAGES: dict[str, Callable[[Path], str]] = {
    "home": lambda root: "/",
    "article with image": lambda root: find_article(root, "illustrated", selector="main figure img"),
    "contributor article": lambda root: find_article(root, "a contributor piece", text="Contributor"),
    "tag": lambda root: first_page(root, "tag/*/index.html"),
    "section": lambda root: first_page(root, "section/*/index.html"),
    "source": lambda root: first_page(root, "source/*/index.html"),
    "sources": lambda root: "/sources/",
    "tags": lambda root: "/tags/",
    "archives": lambda root: "/archives/",
    "month archive": lambda root: first_page(root, "[0-9][0-9][0-9][0-9]/[0-9][0-9]/index.html"),
    "day archive": lambda root: first_page(root, "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/index.html"),
    "all articles": lambda root: "/articles/",
    "about": lambda root: "/about/",
    "404": lambda root: "/404.html",
}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return {
    passed: results.passes.length,
    violations: results.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map(node => node.target.flat().join(" ")),
    })),
  };
}"""


def built_file(root: Path, path: str) -> Path:
    target = root / unquote(urlsplit(path).path).lstrip("/")
    return target / "index.html" if path.endswith("/") else target


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(SAMPLE_PAGES))
def test_axe_finds_no_serious_problem(chromium_browser: Browser, sample_server: SiteServer, kind: str, scheme):
    axe = require_node_module(AXE_SCRIPT)
    path = SAMPLE_PAGES[kind](sample_server.root)
    if not built_file(sample_server.root, path).is_file():
        pytest.skip(f"the sample site has no {kind} page ({path})")
    context = chromium_browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=scheme, reduced_motion="reduce"
    )
    try:
        page = context.new_page()
        page.goto(sample_server.url(path))
        page.add_script_tag(path=axe)
        results = page.evaluate(RUN_AXE, AXE_TAGS)
    finally:
        context.close()
    assert results["passed"] > 10, f"axe checked almost nothing on {path}: is the page empty?"
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = [
        f"{path} ({kind}, {scheme}): {v['id']} [{v['impact']}] {v['help']}; "
        f"{len(v['targets'])} element(s): {', '.join(v['targets'][:TARGETS_SHOWN])}"
        + (", ..." if len(v["targets"]) > TARGETS_SHOWN else "")
        for v in blocking
    ]
    assert not report, "\n".join(report)


# -- the Nu HTML Checker ----------------------------------------------------------------------------------------

ERRORS_SHOWN = 30
# A page with one known error, checked in the same run: proves the checker ran and reports errors.
CANARY = "<!doctype html><html lang=en><head><meta charset=utf-8></head><body><p>canary</p></body></html>\n"


def run_vnu(*paths: Path) -> list[dict]:
    """The Nu HTML Checker's errors for every HTML file under `paths`, in one Java start."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed: the Nu HTML Checker needs Java 11 or later")
    jar = require_node_module(VNU_JAR)
    command = [java, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html", *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    try:
        messages: list[dict] = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu exited with {result.returncode} without a JSON report:\n{result.stderr[-3000:]}")
    return messages


def file_of(message: dict) -> Path:
    return Path(unquote(urlsplit(message.get("url", "")).path))


@pytest.mark.parametrize("site", ["sample_site", "fixture_site"])
def test_html_is_valid(site: str, request: pytest.FixtureRequest, tmp_path: Path):
    output: Path = request.getfixturevalue(site)
    assert len(html_pages(output)) > 20
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    messages = run_vnu(output, canary)
    assert any(file_of(m) == canary for m in messages), f"vnu did not report the canary's missing <title>: {messages}"
    errors = [m for m in messages if file_of(m) != canary]
    report = [
        f"{file_of(m).relative_to(output) if file_of(m).is_relative_to(output) else m.get('url')}:"
        f"{m.get('lastLine', '?')}: {m.get('message')}"
        for m in errors[:ERRORS_SHOWN]
    ]
    assert not errors, f"{len(errors)} HTML error(s) in {site}:\n" + "\n".join(report)
