"""news_reader: valid files become Pelican metadata; every bad file is one error naming file and line."""

from __future__ import annotations

import contextlib
import datetime as dt
import pickle
import shutil
import sqlite3
import textwrap
import types
from hashlib import sha1 as real_sha1  # bound before any test counts the hashes
from pathlib import Path
from typing import Any

import pytest
from news_reader import (
    FrontMatterError,
    NewsMarkdownReader,
    article_text,
    body_fingerprint,
    html_to_text,
    sanitise_html,
)
from pelican.settings import DEFAULT_CONFIG

GOOD = """\
---
id: ledger-2026-10-14-ferry-strike
title: "Ferry crews walk out: Port Alder's busiest day"
date: 2026-10-14T07:30:00+01:00
modified: 2026-10-14 12:10 +01:00
section: business
tags: [ferries, Labour, ferries, Port Alder]
authors: [Mara Quell, Tomas Reyne]
source: Harbour Ledger
source_url: https://harbourledger.example/2026/10/14/ferry
via: rss
summary: "Crews stopped work at *dawn* & talks failed."
lang: en
image: images/ferry.svg
image_alt: "A ferry at the terminal"
---

Crews left the ships at dawn. See [the earlier story]({filename}/articles/2026/10/other.md).

## What next

More words here.
"""


@pytest.fixture
def settings(tmp_path: Path) -> dict:
    config = dict(DEFAULT_CONFIG)
    config.update(
        PATH=str(tmp_path),
        PAGE_PATHS=["pages"],
        NEWS_SECTIONS={"World": "", "Business": ""},
        MARKDOWN={"extension_configs": {"markdown.extensions.extra": {}}, "output_format": "html5"},
    )
    return config


def write(tmp_path: Path, text: str, name: str = "articles/2026/10/ferry-strike.md") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read(settings: dict, path: Path) -> tuple[str, dict]:
    return NewsMarkdownReader(settings).read(str(path))


def error_for(settings: dict, tmp_path: Path, text: str) -> FrontMatterError:
    with pytest.raises(FrontMatterError) as caught:
        read(settings, write(tmp_path, text))
    return caught.value


def test_good_article_becomes_pelican_metadata(settings, tmp_path):
    content, meta = read(settings, write(tmp_path, GOOD))
    assert meta["title"] == "Ferry crews walk out: Port Alder's busiest day"
    assert meta["date"] == dt.datetime(2026, 10, 14, 6, 30, tzinfo=dt.UTC)
    assert meta["date"].utcoffset() == dt.timedelta(hours=1)
    assert meta["modified"] == dt.datetime(2026, 10, 14, 11, 10, tzinfo=dt.UTC)
    assert "added" not in meta
    _, with_added = read(
        settings, write(tmp_path, GOOD.replace("section:", "added: 2026-11-24T10:00:00+00:00\nsection:"))
    )
    assert with_added["added"] == dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC)
    assert meta["category"].name == "Business"  # matched case-insensitively to NEWS_SECTIONS
    assert [t.name for t in meta["tags"]] == ["ferries", "Labour", "Port Alder"]  # duplicate dropped
    assert [a.name for a in meta["authors"]] == ["Mara Quell", "Tomas Reyne"]
    assert meta["source"] == "Harbour Ledger"
    assert meta["via"] == "rss"
    assert meta["summary"] == "Crews stopped work at <em>dawn</em> &amp; talks failed."
    assert meta["summary_text"] == "Crews stopped work at dawn & talks failed."
    assert meta["image_alt"] == "A ferry at the terminal"
    assert meta["word_count"] == 21
    assert meta["reading_time"] == 1
    assert "<h2>What next</h2>" in content
    assert 'href="{filename}/articles/2026/10/other.md"' in content  # left for Pelican to resolve
    # The body's fingerprint, worked out with the reading (and cached with it); its text is not kept (memory).
    assert meta["_news_fingerprint"] == body_fingerprint(html_to_text(content))
    assert "_news_text" not in meta
    article = types.SimpleNamespace(_content=content, **meta)
    assert article_text(article).startswith("Crews left the ships at dawn. See the earlier story . What next More")


def test_yaml_words_stay_text(settings, tmp_path):
    text = GOOD.replace('title: "Ferry crews walk out: Port Alder\'s busiest day"', "title: No")
    _, meta = read(settings, write(tmp_path, text))
    assert meta["title"] == "No"


def test_contributor_piece_needs_no_source(settings, tmp_path):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(("source", "via"))) + "\n"
    _, meta = read(settings, write(tmp_path, text))
    assert meta["via"] == "contributor"
    assert meta["source"] is None


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (('title: "Ferry crews walk out: Port Alder\'s busiest day"\n', ""), 2, "'title' is missing"),
        (("2026-10-14T07:30:00+01:00", "2026-10-14T07:30:00"), 4, 'date "2026-10-14T07:30:00" has no timezone'),
        (("2026-10-14T07:30:00+01:00", "Feb 30"), 4, 'date "Feb 30" is not a date and time'),
        (("section: business", "section: Busines"), 6, "unknown section \"Busines\" — did you mean 'Business'?"),
        (("tags: [", "tag: ["), 7, "unknown field 'tag' — did you mean 'tags'?"),
        (("via: rss", "via: email"), 11, 'via "email" is not one of rss, page, contributor'),
        (("source: Harbour Ledger\n", ""), 10, "an article with via: rss needs 'source'"),
        (('image_alt: "A ferry at the terminal"\n', ""), 14, "an image needs 'image_alt'"),
        (("modified: 2026-10-14 12:10 +01:00", "modified: 2026-10-13T12:10:00+01:00"), 5, "earlier than 'date'"),
        (("modified: 2026-10-14 12:10 +01:00", "modified: 2026-10-14 12:10 +01:00\nadded: today"), 6, 'added "today"'),
        (("lang: en", "lang: English"), 13, 'lang "English" is not valid'),
        (("lang: en", "lang: en\ntitle: again"), 14, "field 'title' is given twice (first on line 3)"),
        (('summary: "Crews', 'summary: "Crews: "x'), 12, "not valid YAML"),
        (("source_url: https://harbourledger.example/2026/10/14/ferry", "source_url: ftp://x"), 10, "not an http(s)"),
    ],
)
def test_errors_name_file_line_and_fix(settings, tmp_path, change, line, message):
    old, new = change
    assert old in GOOD
    error = error_for(settings, tmp_path, GOOD.replace(old, new, 1))
    assert error.line == line, str(error)
    assert message in str(error)
    assert str(error).startswith(f"{error.path}:{line}: error: ")
    assert error.path.endswith("articles/2026/10/ferry-strike.md")


def test_missing_front_matter_and_unclosed_front_matter(settings, tmp_path):
    assert "does not start with front matter" in str(error_for(settings, tmp_path, "Just text\n"))
    assert "never closed" in str(error_for(settings, tmp_path, "---\ntitle: x\n"))


def test_not_utf8_names_the_line(settings, tmp_path):
    path = tmp_path / "articles" / "latin1.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(GOOD.replace("More words here.", "Caf\xe9").encode("latin-1"))
    with pytest.raises(FrontMatterError) as caught:
        read(settings, path)
    assert caught.value.line == GOOD.count("\n", 0, GOOD.index("More words here.")) + 1
    assert "not UTF-8" in str(caught.value)


def test_pages_need_only_a_title(settings, tmp_path):
    path = write(tmp_path, "---\ntitle: About\n---\n\nHello.\n", name="pages/about.md")
    content, meta = read(settings, path)
    assert meta["title"] == "About"
    assert content == "<p>Hello.</p>"
    error = error_for(settings, tmp_path, "---\ntitle: About\n---\n")  # the same file as an article
    assert "'id' is missing" in str(error) or "is missing" in str(error)


HOSTILE = textwrap.dedent("""\
    <p onclick="steal()">Hi <script>alert(1)</script>
    <a href="javascript:alert(2)">link</a> <img src="x.png" alt="x" onerror="alert(3)">
    <iframe src="https://evil.example"></iframe><style>body{background:url(javascript:alert(4))}</style>
    <svg><script>alert(5)</script></svg><a href="https://ok.example/" style="x:expression(alert(6))">ok</a></p>
""")


def test_sanitiser_removes_everything_executable():
    cleaned = sanitise_html(HOSTILE)
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<style", "<svg", "expression("):
        assert bad not in cleaned
    assert '<a href="https://ok.example/">ok</a>' in cleaned
    assert '<img src="x.png" alt="x">' in cleaned


def test_raw_html_in_markdown_is_sanitised(settings, tmp_path):
    content, _ = read(settings, write(tmp_path, GOOD.replace("More words here.", HOSTILE)))
    assert "<script" not in content
    assert "onerror" not in content


def test_html_to_text_and_article_text_once_per_article():
    from types import SimpleNamespace

    from news_reader import article_text, html_to_text

    assert html_to_text("<p>Fish &amp; chips</p><p>at <em>noon</em></p>") == "Fish & chips at noon"
    article = SimpleNamespace(_content="<p>Quay</p><ul><li>one</li><li>two</li></ul>")
    assert article_text(article) == "Quay one two"  # list items do not run together
    article._content = "<p>changed</p>"
    assert article_text(article) == "Quay one two"  # computed once, then shared by every plugin


PROJECT_MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.smarty": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}


@pytest.mark.parametrize(
    "line",
    [
        "Crews stopped work at dawn, and talks failed.",
        "Prices rose 5% (again) on Monday; traders: calm!",
        "Rates of €5, £3 and $4 / day",
        "Élan vital, naïve café.",
        "“Curly” quotes and ’apostrophes’ stay — as do en–dashes",
        "Mid-2026 plans: A.B.C. Corp. rises 1.5 per cent",
        "1. Looks like a list",
        "2026. A year first",
        "3) A list in parentheses",
        "x _y_ z and __bold__",
        'It\'s a "quote" with -- dashes... and <b>tags</b> & ampersands',
        "* star list",
        "# heading",
        "> quote",
        "Ends with two spaces  ",
        "Non\u00a0breaking",
        "[link](https://example.org) and `code`",
    ],
)
def test_a_summary_line_renders_as_markdown_would(settings, line):
    """render_line skips Markdown for plain lines; whatever it returns equals the Markdown run's result."""
    reader = NewsMarkdownReader({**settings, "MARKDOWN": PROJECT_MARKDOWN})
    full = reader._render(line).strip().removeprefix("<p>").removesuffix("</p>")
    assert reader.render_line(line) == full


def _site_pages(output: Path) -> dict[str, bytes]:
    """Every page and the search index's files."""
    files = [*output.rglob("*.html"), *(output / "search" / "data").rglob("*.json")]
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(files)}


def test_the_content_cache_is_used_and_thrown_away_when_reading_settings_change(tmp_path):
    """A rebuild reads unchanged files from Pelican's content cache, and the stories', related articles' and
    trending terms of unchanged articles from the memos (memo.py); an edited file is read again; a changed
    Markdown setting discards the cache and the memos. Each rebuild equals a build from an empty cache."""
    from tests.sitebuild import FIXTURES, build_site

    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "small_archive", content)
    cached = {"CACHE_PATH": str(cache), "RELATED_CACHE_PATH": False}

    def build(output: Path, extra: dict) -> dict[str, bytes]:
        result = build_site(content, tmp_path / output, extra=extra)
        assert result.returncode == 0, result.stdout + result.stderr
        return _site_pages(tmp_path / output)

    build(Path("first"), cached)
    assert (cache / "ArticlesGenerator-Readers").is_file()
    memos = {"news_stories-terms.memo", "news_related-terms.memo", "news_trending-terms.memo"}
    assert memos <= {path.name for path in cache.iterdir()}
    article = next((content / "articles").rglob("chip-rules.md"))
    article.write_text(article.read_text(encoding="utf-8") + '\nA sentence added -- with "quotes".\n', "utf-8")
    again = build(Path("again"), cached)
    assert any("A sentence added" in html.decode() for html in again.values())
    assert any(name.startswith("search/data/shards/") for name in again)
    assert again == build(Path("fresh"), {**cached, "CACHE_PATH": str(tmp_path / "empty-cache")})

    plain = {"extension_configs": {"markdown.extensions.extra": {}}, "output_format": "html5"}  # no SmartyPants
    # Memos that would change the pages if they were used after the settings change: no text has any terms.
    for name, nothing in (
        ("news_related-terms", ("", b"")),
        ("news_stories-terms", ("", b"")),
        ("news_trending-terms", ()),
    ):
        with contextlib.closing(sqlite3.connect(cache / f"{name}.memo")) as memo, memo:
            assert memo.execute("UPDATE memo SET value = ?", (pickle.dumps(nothing),)).rowcount > 0
    changed = build(Path("changed"), {**cached, "MARKDOWN": plain})
    assert any('with "quotes"' in html.decode() for html in changed.values())
    fresh = build(Path("fresh2"), {**cached, "MARKDOWN": plain, "CACHE_PATH": str(tmp_path / "empty-2")})
    assert changed == fresh


def test_the_reading_fingerprint_follows_reading_settings_not_the_worker_count():
    from news_reader.reader import reading_fingerprint

    settings = {"MARKDOWN": {"output_format": "html5"}, "TIMEZONE": "UTC", "BUILD_WORKERS": None}
    same = reading_fingerprint(settings)
    assert reading_fingerprint({**settings, "BUILD_WORKERS": 1}) == same  # changing it keeps the content cache
    assert reading_fingerprint({**settings, "TIMEZONE": "Europe/Paris"}) != same
    assert reading_fingerprint({**settings, "MARKDOWN": {"output_format": "xhtml"}}) != same


def test_a_build_says_what_is_wrong_with_a_file_and_where(tmp_path):
    """`pelican` itself (not only `invoke check`) names the file, the line and the fix; Pelican alone would
    say "Could not process <file>" and nothing else unless run with --debug (or with fatal warnings, which
    show the traceback)."""
    import json
    import os
    import subprocess
    import sys

    from tests.sitebuild import FIXTURES, ROOT, TEST_SETTINGS

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "small_archive", content)
    article = sorted((content / "articles").rglob("*.md"))[0]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\nsection:", "\nsectoin:", 1), encoding="utf-8")
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(TEST_SETTINGS), "-o", str(tmp_path / "out")]
    command += ["--extra-settings", f"CACHE_PATH={json.dumps(str(tmp_path / 'cache'))}"]
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    log = " ".join((result.stdout + result.stderr).split())  # rich wraps long lines
    assert "Could not process" in log, log[-3000:]
    assert "unknown field 'sectoin'" in log, log[-3000:]
    assert article.name in log


@pytest.mark.parametrize("order_by", ["reversed-date", "date"])
def test_articles_of_the_same_date_come_in_the_order_of_their_paths(order_by):
    """Pelican keeps same-date articles in the order the file system lists their files, which changes from one
    build to the next (at 10,000 articles a rebuild listed two of them the other way round on 55 pages)."""
    from types import SimpleNamespace

    from news_reader import settle_order
    from pelican.contents import Article

    def article(path: str, day: int) -> Article:
        date = dt.datetime(2026, 3, day, tzinfo=dt.UTC)
        return Article("<p>x</p>", {"title": path, "date": date}, source_path=f"/archive/{path}.md")

    listed = [article("c", 3), article("b", 1), article("z", 3), article("a", 3), article("y", 1)]
    generator = SimpleNamespace(
        settings={"ARTICLE_ORDER_BY": order_by}, articles=list(listed), hidden_articles=[], drafts=list(listed)
    )
    settle_order(generator)
    newest_first = ["a", "c", "z", "b", "y"]
    oldest_first = ["b", "y", "a", "c", "z"]
    expected = newest_first if order_by == "reversed-date" else oldest_first
    assert [a.title for a in generator.articles] == expected
    assert [a.title for a in generator.drafts] == expected
    generator.articles.reverse()  # whatever order the files came in, the same result
    settle_order(generator)
    assert [a.title for a in generator.articles] == expected


def _counted_hashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[bytes], dict[str, Any]]:
    """No stamps in memory, every SHA-1 noted (the data hashed), and settings that keep the content cache."""
    import hashlib

    from news_reader import reader as module

    monkeypatch.setattr(module, "_stamps", {})
    monkeypatch.setattr(module, "_kept", {})
    hashed: list[bytes] = []

    def counting_sha1(data: bytes = b"") -> object:
        hashed.append(data)
        return real_sha1(data)

    monkeypatch.setattr(hashlib, "sha1", counting_sha1)
    config = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / "cache"), "CHECK_MODIFIED_METHOD": "sha1",
              "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}  # fmt: skip
    return hashed, config


def test_a_build_hashes_each_content_file_once_and_again_after_a_write(tmp_path, monkeypatch):
    """With CHECK_MODIFIED_METHOD = "sha1", Pelican's readers' cache and the articles generator's cache each
    hash a file whenever they look it up; `stamp_once` makes both reuse one hash, taken with one stat in a
    build, and the next build hashes the file again when it was written since."""
    import os
    import types

    from news_reader import reader as module
    from pelican.readers import Readers

    stats: list[str] = []
    real_stat = os.stat

    def counting_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        stats.append(str(path))
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("news_reader.reader.os.stat", counting_stat)
    hashed, config = _counted_hashes(tmp_path, monkeypatch)
    readers = Readers(config, cache_name="ArticlesGenerator-Readers")
    generator = types.SimpleNamespace(settings=config, readers=readers, _filestamp_func=readers._filestamp_func)
    module.start_stamps(config)
    module.stamp_once(generator)
    module.stamp_once(generator)  # twice: still one wrapper
    path = write(tmp_path, GOOD)
    first = readers._get_file_stamp(str(path))
    assert generator._filestamp_func(str(path)) == first == real_sha1(path.read_bytes()).digest()
    assert readers._get_file_stamp(str(path)) == first
    assert len(hashed) == 1
    assert stats.count(str(path)) == 1  # one stat in the build
    path.write_text(GOOD.replace("dawn", "dusk"), encoding="utf-8")  # the same size, maybe the same mtime
    assert readers._get_file_stamp(str(path)) == first  # the build's stamp, of the bytes it read
    module.save_stamps(generator)  # every file is read: the stamps are freed
    assert module._stamps == {}
    assert module._kept == {}
    assert not (tmp_path / "cache" / module.STAMPS_FILE).exists()  # taken just after a write: not kept
    module.start_stamps(config)  # the next build
    assert readers._get_file_stamp(str(path)) == real_sha1(path.read_bytes()).digest() != first
    assert len(hashed) == 2


def test_stamps_are_kept_for_the_next_build_unless_taken_just_after_a_write(tmp_path, monkeypatch):
    """The next build reuses the stamps of files that had settled when hashed, hashes again a file written
    since, and a file hashed within two seconds of its last write (its change time could hide a second write in
    the same clock tick); a damaged stamps file, or one of another method, means hashing all."""
    import pickle
    import types

    from news_reader import reader as module
    from pelican.readers import Readers

    hashed, config = _counted_hashes(tmp_path, monkeypatch)
    settled, fresh = write(tmp_path, GOOD, "settled.md"), write(tmp_path, GOOD, "fresh.md")
    stamps_file = tmp_path / "cache" / module.STAMPS_FILE

    def build() -> Readers:
        module.start_stamps(config)
        readers = Readers(config, cache_name="ArticlesGenerator-Readers")
        module.stamp_once(types.SimpleNamespace(settings=config, readers=readers, _filestamp_func=None))
        return readers

    def stamps_match(readers: Readers) -> None:
        for path in (settled, fresh):
            assert readers._get_file_stamp(str(path)) == real_sha1(path.read_bytes()).digest()

    readers = build()
    stamps_match(readers)
    assert len(hashed) == 2
    # The settled file was hashed long after its last write; the fresh one just after it.
    seen, value, _ = module._stamps[str(settled)]
    module._stamps[str(settled)] = (seen, value, seen[1] + module.SETTLED_NS)
    module.save_stamps(types.SimpleNamespace(settings=config))
    assert stamps_file.exists()

    readers = build()
    stamps_match(readers)
    assert len(hashed) == 3  # the settled one reused, the fresh one hashed again
    module.save_stamps(types.SimpleNamespace(settings=config))

    settled.write_text(GOOD.replace("dawn", "dusk"), encoding="utf-8")  # same size, written after its stamp
    readers = build()
    stamps_match(readers)
    assert len(hashed) == 5
    module.save_stamps(types.SimpleNamespace(settings=config))

    # Kept by another method: not used.
    seen = tuple(getattr(settled.stat(), f"st_{name}") for name in ("mtime_ns", "ctime_ns", "size", "ino"))
    entry = module._PACKED_STAT.pack(*seen) + b"x" * 20
    stamps_file.write_bytes(pickle.dumps((module._STAMPS_FORMAT, "md5", {str(settled): entry})))
    readers = build()
    stamps_match(readers)
    assert len(hashed) == 7
    stamps_file.write_bytes(b"not a pickle")
    readers = build()
    stamps_match(readers)
    assert len(hashed) == 9
    module.save_stamps(types.SimpleNamespace(settings=config))


def test_a_content_cache_that_refers_to_a_removed_function_is_thrown_away(tmp_path):
    """A rebuild with nothing changed keeps the content cache (a fingerprint taken at each generator's readers
    saw two settings per build and threw it away every time). Pelican pickles the settings with each cached
    reading (Tag, Category and Author objects hold them), so the cache refers by name to every function in the
    settings (template filters, globals). After such a function is removed, Pelican could not load the cache
    and stopped the build; the reading fingerprint now names them, so the cache is thrown away first."""
    from tests.sitebuild import FIXTURES, TEST_SETTINGS, build_site

    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "small_archive", content)
    helpers = tmp_path / "cache_test_helpers.py"
    helpers.write_text("def shout(text):\n    return str(text).upper()\n\n\nwhisper = shout\n", encoding="utf-8")
    base = (  # the test settings, as if read from their own file
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n__file__ = {str(TEST_SETTINGS)!r}\n"
        "exec(open(__file__).read())\n"
    )
    with_filter = tmp_path / "with_filter.py"
    with_filter.write_text(base + "import cache_test_helpers\nJINJA_FILTERS = {'shout': cache_test_helpers.shout}\n")
    renamed = tmp_path / "renamed.py"
    renamed.write_text(base + "import cache_test_helpers\nJINJA_FILTERS = {'shout': cache_test_helpers.whisper}\n")
    extra = {"CACHE_PATH": str(cache), "RELATED_CACHE_PATH": False}

    first = build_site(content, tmp_path / "out", settings=with_filter, extra=extra)
    assert first.returncode == 0, first.stdout + first.stderr
    again = build_site(content, tmp_path / "out", settings=with_filter, extra=extra, verbose=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "removing the content cache" not in again.stdout + again.stderr  # kept when nothing changed
    assert b"cache_test_helpers" in (cache / "ArticlesGenerator-Readers").read_bytes()  # referred to by name
    helpers.write_text("def whisper(text):\n    return str(text).lower()\n", encoding="utf-8")  # shout is gone
    second = build_site(content, tmp_path / "out", settings=renamed, extra=extra, verbose=True)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "removing the content cache" in second.stdout + second.stderr
