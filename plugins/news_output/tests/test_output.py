"""A rebuild is byte for byte a clean build, and its unchanged files keep their modification time."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

NEW_ARTICLE = """---
id: contrib-2026-02-04-harbour-lights
title: "Harbour lights switched to LED"
date: 2026-02-04T09:00:00+00:00
section: World
tags: [ports]
summary: "The harbour's forty lamps now use a tenth of the power."
---

The council finished the work on Tuesday.
"""


def tree(output: Path) -> dict[str, tuple[bytes, int, int]]:
    """relative path -> (bytes, mtime in ns, inode), for every file."""
    found = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(output))] = (path.read_bytes(), stat.st_mtime_ns, stat.st_ino)
    return found


def build(content: Path, output: Path) -> None:
    result = build_site(content, output)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rebuild_equals_a_clean_build_and_keeps_unchanged_files(content: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    (output / ".git").mkdir(parents=True)  # OUTPUT_RETENTION: never moved, never deleted
    (output / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    build(content, output)
    first = tree(output)

    # add one article, delete another: rebuild in place, and build the same content from scratch
    (content / "articles" / "2026" / "02" / "harbour-lights.md").write_text(NEW_ARTICLE, encoding="utf-8")
    articles = sorted((content / "articles").rglob("*.md"))
    texts = "".join(a.read_text(encoding="utf-8") for a in articles)
    removed = next(a for a in articles if f"{a.parent.name}/{a.name}" not in texts)  # no other article links to it
    removed.unlink()
    build(content, output)
    again = tree(output)
    clean = tmp_path / "clean"
    build(content, clean)

    assert {name: data for name, (data, _, _) in again.items() if not name.startswith(".git/")} == {
        name: data for name, (data, _, _) in tree(clean).items()
    }
    unchanged = [n for n in again if n in first and again[n][0] == first[n][0]]
    changed = [n for n in again if n not in first or again[n][0] != first[n][0]]
    assert unchanged
    assert changed
    for name in unchanged:  # the very same file, put back: same modification time, same inode
        assert again[name][1:] == first[name][1:], name
    for name in changed:
        if name.endswith(".html"):
            assert again[name][1] > first.get(name, (b"", 0, 0))[1], name
    assert any("harbour-lights" in name for name in changed)
    assert not any(f"/{removed.stem}/" in f"/{name}" for name in again)  # its page is gone
    assert again[".git/HEAD"][0] == b"ref: refs/heads/gh-pages\n"
    assert not (tmp_path / ".output.previous").exists()


def test_the_last_line_says_when_every_page_was_written(content: Path, tmp_path: Path) -> None:
    """Pelican prints "Done" when the last pages go to the render workers; the build ends with our line."""
    result = build_site(content, tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = " ".join(result.stdout.split())
    pages = sum(1 for path in (tmp_path / "output").rglob("*.html"))
    found = re.search(r"news_output: all (\d+) pages written or kept as they were, ([\d.]+) seconds after", lines)
    assert found, lines
    assert int(found[1]) == pages
    assert lines.index("Done: Processed") < found.start()


def test_off_when_the_setting_says_so(content: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    build(content, output)
    first = tree(output)
    result = build_site(content, output, extra={"OUTPUT_KEEP_UNCHANGED": False})
    assert result.returncode == 0, result.stdout + result.stderr
    again = tree(output)
    assert {n: d for n, (d, _, _) in again.items()} == {n: d for n, (d, _, _) in first.items()}
    pages = [n for n in again if n.endswith(".html")]
    assert all(again[n][1] > first[n][1] for n in pages)  # every page written anew


def test_a_wrong_setting_names_itself(content: Path, tmp_path: Path) -> None:
    result = build_site(content, tmp_path / "output", extra={"OUTPUT_KEEP_UNCHANGED": "yes"})
    assert result.returncode != 0
    assert "OUTPUT_KEEP_UNCHANGED is 'yes'; expected True or False" in result.stdout + result.stderr


def test_pages_rendered_by_workers_equal_pages_rendered_at_once(tmp_path: Path) -> None:
    """The project's sample archive: forked render workers (and the search index built beside the build)
    give the same bytes as rendering each page the moment Pelican asks (BUILD_WORKERS = 0), whether two
    workers render every page or a new worker starts for each batch of 25 pages."""
    builds: dict[str, dict[str, object]] = {
        "at-once": {"BUILD_WORKERS": 0},
        "workers": {"BUILD_WORKERS": 2},
        "batches": {"BUILD_WORKERS": 2, "OUTPUT_WORKER_PAGES": 25},
    }
    logs = {}
    for name, extra in builds.items():
        result = build_site(ROOT / "content", tmp_path / name, settings=SITE_SETTINGS, extra=extra, verbose=True)
        assert result.returncode == 0, result.stdout + result.stderr
        logs[name] = " ".join(result.stdout.split())
    at_once = {n: d for n, (d, _, _) in tree(tmp_path / "at-once").items()}
    assert len(at_once) > 300
    for name in ("workers", "batches"):
        assert {n: d for n, (d, _, _) in tree(tmp_path / name).items()} == at_once, name
    assert "pages by the Pelican process" in logs["at-once"]
    forked = {}
    for name in ("workers", "batches"):
        found = re.search(
            r"(\d+) pages by 2 workers at a time(?:, (\d+) batches)? and the Pelican process \((\d+) of them\)",
            logs[name],
        )
        assert found, logs[name]
        forked[name] = int(found[2] or 2)
        # The Pelican process renders, on one core, only the pages that overwrite or are overwritten (none
        # here): a plugin that gave every article `override_save_as` once sent all the article pages there.
        assert int(found[1]) > 300, found[0]
        assert int(found[3]) == 0, found[0]
    assert forked["batches"] > forked["workers"] + 4


def test_a_wrong_batch_size_names_itself(content: Path, tmp_path: Path) -> None:
    result = build_site(content, tmp_path / "output", extra={"OUTPUT_WORKER_PAGES": 0})
    assert result.returncode != 0
    assert "OUTPUT_WORKER_PAGES is 0; expected a whole number of pages, 1 or more" in result.stdout + result.stderr


def test_a_page_that_fails_to_render_fails_the_build(content: Path, tmp_path: Path) -> None:
    """A template error inside a render worker: exit status 1 and a line naming the page; no traceback."""
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    article = theme / "templates" / "article.html"
    article.write_text(
        article.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}{{ 1 // 0 }}", 1),
        encoding="utf-8",
    )
    extra = {"THEME": str(theme), "BUILD_WORKERS": 2, "OUTPUT_WORKER_PAGES": 5}  # a worker for every 5 pages
    result = build_site(content, tmp_path / "output", extra=extra)
    log = result.stdout + result.stderr
    assert result.returncode == 1, log
    assert "news_output:" in log
    assert "index.html: ZeroDivisionError" in log


def test_a_wrong_worker_count_names_itself(content: Path, tmp_path: Path) -> None:
    result = build_site(content, tmp_path / "output", extra={"BUILD_WORKERS": -1})
    assert result.returncode != 0
    assert "BUILD_WORKERS is -1" in result.stdout + result.stderr


def _square(number: int) -> int:
    return number * number


def _fails() -> None:
    raise ValueError("no such figure")


def _dies() -> None:
    import os

    os._exit(3)  # as a worker killed for memory would: no report at all


def test_work_beside_the_build_sends_back_its_result_its_error_and_its_time() -> None:
    """compute_beside in a forked worker: the value comes back, an error comes back as OutputError with the
    traceback, a worker that dies says so, and each worker's seconds are counted (the bench prints them)."""
    from news_output import OutputError, compute_beside
    from news_output.writer import worker_seconds

    settings = {"BUILD_WORKERS": 2}
    assert compute_beside(_square, 12, what="square", settings=settings).result() == 144
    assert worker_seconds["square"] >= 0.0
    with pytest.raises(OutputError, match=r"(?s)failing: .*ValueError: no such figure"):
        compute_beside(_fails, what="failing", settings=settings).result()
    with pytest.raises(OutputError, match=r"dying: the worker process \(pid \d+\) ended with exit status 3"):
        compute_beside(_dies, what="dying", settings=settings).result()
    assert "dying" not in worker_seconds
