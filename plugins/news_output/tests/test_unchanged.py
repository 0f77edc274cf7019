"""`invoke build` in a copy of the project: nothing to do when nothing changed, a build when anything did."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitebuild import ROOT

# What `invoke build` reads: the project but its output, caches, tests and tools.
PROJECT_PARTS = ("tasks.py", "pelicanconf.py", "publishconf.py", "package.json", "package-lock.json",
                 "content", "theme", "plugins")  # fmt: skip
NOTHING_TO_DO = "nothing changed since the last build"
BUILT = "pages written or kept as they were"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "node_modules" / "lunr" / "lunr.min.js").is_file():
        pytest.skip("node_modules/lunr is not installed (npm ci): the build copies lunr.js")
    copy = tmp_path_factory.mktemp("project")
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        else:
            shutil.copy2(source, copy / name)
    (copy / "node_modules").symlink_to(ROOT / "node_modules")
    (copy / "tests").mkdir()  # as in the project (its tests are not copied)
    return copy


def invoke_build(project: Path, *args: str, **env: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200", **env}
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "build", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def mtimes(output: Path) -> dict[str, int]:
    return {str(p.relative_to(output)): p.stat().st_mtime_ns for p in sorted(output.rglob("*")) if p.is_file()}


def test_a_build_with_nothing_changed_does_nothing_and_any_change_builds(project: Path) -> None:
    output = project / "output"
    assert BUILT in invoke_build(project)
    before = mtimes(output)
    said = invoke_build(project)
    assert NOTHING_TO_DO in said
    assert BUILT not in said
    assert f"output/ holds the {len(before):,} files it wrote" in said
    assert mtimes(output) == before
    # The test suite's screenshots are no input; a new file anywhere else in the project is.
    (project / "tests" / "artifacts").mkdir()
    (project / "tests" / "artifacts" / "home.png").write_bytes(b"not really a picture")
    assert NOTHING_TO_DO in invoke_build(project)
    (project / "notes.txt").write_text("an operator's note\n", encoding="utf-8")
    assert BUILT in invoke_build(project)

    # An article edited: built, and the page says so.
    article = next((project / "content" / "articles").rglob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nA sentence added by the test.\n", encoding="utf-8")
    assert BUILT in invoke_build(project)
    assert any("A sentence added by the test." in p.read_text(encoding="utf-8") for p in output.rglob("index.html"))
    assert NOTHING_TO_DO in invoke_build(project)

    # The output touched: a file removed is written again; --force builds whatever the stamp says.
    page = output / "about" / "index.html"
    page.unlink()
    assert BUILT in invoke_build(project)
    assert page.is_file()
    assert BUILT in invoke_build(project, "--force")

    # A template, then a setting that comes from the environment (the production origin).
    template = project / "theme" / "templates" / "base.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert BUILT in invoke_build(project)
    first = invoke_build(project, "--production", NEWS_SITE_ORIGIN="https://first.example")
    assert BUILT in first
    again = invoke_build(project, "--production", NEWS_SITE_ORIGIN="https://first.example")
    assert NOTHING_TO_DO in again
    assert BUILT in invoke_build(project, "--production", NEWS_SITE_ORIGIN="https://second.example")
    assert "https://second.example/" in (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")


def test_a_failed_build_leaves_no_stamp(project: Path) -> None:
    """The stamp goes before a build starts: a build that fails is never taken for one that finished."""
    invoke_build(project)
    stamp = project / "cache" / "news_output-build.json"
    assert stamp.is_file()
    settings = project / "pelicanconf.py"
    original = settings.read_text(encoding="utf-8")
    try:
        settings.write_text(original + '\nBUILD_WORKERS = "many"\n', encoding="utf-8")
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        failed = subprocess.run(
            [sys.executable, "-m", "invoke", "build"], cwd=project, capture_output=True, text=True, env=environment
        )
        assert failed.returncode != 0
        assert not stamp.exists()
    finally:
        settings.write_text(original, encoding="utf-8")
    assert BUILT in invoke_build(project)
    assert NOTHING_TO_DO in invoke_build(project)
