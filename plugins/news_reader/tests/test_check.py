"""`invoke check` and `invoke new`: every problem found, once, on the right line; new files pass once written."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import news_reader.check
import pytest
from news_reader.check import ERROR, WARNING, check_content, count_kinds
from news_reader.reader import SourceFile
from news_reader.scaffold import NewArticleError, new_article, slug_of

ROOT = Path(__file__).resolve().parents[3]
SECTIONS = {"World": "", "Business": "", "Culture": ""}
SETTINGS = {
    "NEWS_SECTIONS": SECTIONS,
    "ARTICLE_PATHS": ["articles"],
    "PAGE_PATHS": ["pages"],
    "ARTICLE_URL": "{date:%Y}/{date:%m}/{date:%d}/{slug}/",
    "PAGE_URL": "{slug}/",
    "DRAFT_URL": "drafts/{slug}/",
    "CATEGORY_URL": "section/{slug}/",
    "TAG_URL": "tag/{slug}/",
    "AUTHOR_URL": "author/{slug}/",
    "SOURCE_URL": "source/{slug}/",
    "YEAR_ARCHIVE_URL": "{date:%Y}/",
    "MONTH_ARCHIVE_URL": "{date:%Y}/{date:%m}/",
    "DAY_ARCHIVE_URL": "{date:%Y}/{date:%m}/{date:%d}/",
    "SITE_ORIGIN": "https://news.example.org",
    "TIMEZONE": "Europe/Paris",
    "DEFAULT_LANG": "en",
}


def article(
    id: str = "a-1",
    title: str = "Harbour cranes return",
    date: str = "2026-11-02T18:30:00+00:00",
    body: str = "Cranes are back.\n",
    extra: str = "",
) -> str:
    return (
        f"---\nid: {id}\ntitle: {title}\ndate: {date}\nsection: World\ntags: [ports]\n"
        f"summary: The cranes at the harbour work again.\n{extra}---\n\n{body}"
    )


def write(content: Path, name: str, text: str) -> Path:
    path = content / "articles" / "2026" / "11" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lines(findings: list) -> list[str]:
    return [f"{Path(f.path).name}:{f.line}: {f.level}: {f.what}" for f in findings]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    (root / "images" / "crane.svg").write_text("<svg/>", encoding="utf-8")
    write(root, "cranes.md", article())
    return root


def test_a_clean_archive_has_no_findings(content: Path) -> None:
    write(content, "second.md", article(id="a-2", body="See [the cranes]({filename}/articles/2026/11/cranes.md).\n"))
    assert check_content(content, SETTINGS) == []


def test_front_matter_errors_come_from_the_reader_with_file_and_line(content: Path) -> None:
    write(content, "wrong.md", article(id="a-2", date="2026-11-02 18:30"))
    [finding] = check_content(content, SETTINGS)
    assert str(finding) == (
        'content/articles/2026/11/wrong.md:4: error: date "2026-11-02 18:30" has no timezone'
        " — add the UTC offset, e.g. 2026-10-14T07:30:00+01:00"
    )


def test_duplicates_of_id_url_and_source_url(content: Path) -> None:
    source = "source: Ledger\nsource_url: https://ledger.example/x\nvia: rss\n"
    write(content, "one.md", article(id="same", date="2026-11-03T10:00:00+00:00", extra=source))
    write(content, "two.md", article(id="same", date="2026-11-04T10:00:00+00:00", extra=source))
    copy = write(content, "x.md", article(id="a-3"))
    (copy.parent.parent / "10").mkdir()
    copy.rename(copy.parent.parent / "10" / "cranes.md")  # same slug and date as cranes.md: the same URL
    found = lines(check_content(content, SETTINGS))
    assert "two.md:2: error: same id as content/articles/2026/11/one.md (same)" in found
    assert "two.md:9: error: same source_url as content/articles/2026/11/one.md (https://ledger.example/x)" in found
    assert any(line.startswith("cranes.md:4: error: same URL as ") for line in found)
    assert len(found) == 3


def test_broken_links_images_and_missing_alt_text(content: Path) -> None:
    body = (
        "Good: [cranes](/2026/11/02/cranes/), [the section](/section/world/), [a tag](/tag/ports/),\n"
        "[archives](/2026/11/), [elsewhere](https://other.example/), [feed](/feeds/all.atom.xml).\n"
        "Broken: [gone](/2026/11/02/no-such-story/) and [file]({filename}/articles/2026/11/missing.md).\n"
        "![](/images/crane.svg)\n"
        "![A crane](/images/no-such.svg)\n"
        '<img src="/images/crane.svg">\n'
        "[absolute but ours](https://news.example.org/2026/11/02/nope/)\n"
        "```\n[inside code](/not/checked/)\n```\n"
    )
    write(content, "links.md", article(id="a-2", body=body, extra="image: images/absent.jpg\nimage_alt: A crane\n"))
    found = lines(check_content(content, SETTINGS))
    assert found == [
        "links.md:8: error: image images/absent.jpg: no such file in content/",
        "links.md:14: error: link to /2026/11/02/no-such-story/, which is not a page of this site",
        "links.md:14: error: {filename}/articles/2026/11/missing.md points to a file that does not exist",
        "links.md:15: error: image /images/crane.svg has no alt text",
        "links.md:16: error: /images/no-such.svg: no such file in content/",
        "links.md:17: error: image /images/crane.svg has no alt text",
        "links.md:18: error: link to /2026/11/02/nope/, which is not a page of this site",
    ]


def test_raw_html_that_the_sanitiser_would_strip(content: Path) -> None:
    body = (
        "<script>alert(1)</script>\n"
        '<p onclick="steal()">Click</p>\n'
        '<a href=" javascript:alert(1)">x</a> and [y](javascript:alert(2))\n'
        '<iframe src="https://video.example/"></iframe>\n'
        "`<script>` in code is fine.\n"
    )
    write(content, "html.md", article(id="a-2", body=body))
    found = lines(check_content(content, SETTINGS))
    assert found == [
        "html.md:10: error: raw HTML <script> in the body",
        "html.md:11: error: event handler onclick= on <p>",
        "html.md:12: error: a javascript: URL in <a href=...>",
        "html.md:12: error: a javascript: link",
        "html.md:13: error: raw HTML <iframe> in the body",
    ]


def test_warnings_summary_length_tag_spelling_and_unknown_near_duplicate(content: Path) -> None:
    long_summary = "word " * 70
    text = article(id="a-2", extra="near_duplicate_of: nobody\n").replace(
        "summary: The cranes at the harbour work again.", f"summary: {long_summary}"
    )
    write(content, "warn.md", text.replace("tags: [ports]", "tags: [ports, U.S.]"))
    preferred = {"U.S.": "United States"}
    findings = check_content(content, SETTINGS, tag_preferred=lambda tag: preferred.get(tag, tag))
    assert {f.level for f in findings} == {WARNING}
    assert lines(findings) == [
        'warn.md:6: warning: tag "U.S." is written "United States" in this archive',
        "warn.md:7: warning: the summary is 349 characters long",
        'warn.md:8: warning: near_duplicate_of "nobody": no article has that id',
    ]


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the check parses, in order (the real reader runs: this only notes the calls)."""
    read: list[str] = []
    real = news_reader.check.read_source

    def counted(raw: bytes, path: str, settings: Mapping[str, Any], is_page: bool = False) -> SourceFile:
        read.append(Path(path).name)
        return real(raw, path, settings, is_page)

    monkeypatch.setattr(news_reader.check, "read_source", counted)
    return read


def test_a_second_check_reads_only_the_files_that_changed(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {**SETTINGS, "CACHE_PATH": str(content.parent / "cache"), "CACHE_CONTENT": True,
                "LOAD_CONTENT_CACHE": True, "CHECK_MODIFIED_METHOD": "sha1"}  # fmt: skip
    preferred = {"U.S.": "United States"}.get
    write(content, "linked.md", article(id="a-2", body="See [the cranes](/2026/11/02/cranes/).\n"))
    write(content, "us.md", article(id="a-3", date="2026-11-03T10:00:00+00:00").replace("[ports]", "[U.S.]"))
    write(content, "broken.md", article(id="a-4").replace("section: World", "section: Wrold"))
    read = _counting_reads(monkeypatch)
    first = check_content(content, settings, tag_preferred=preferred)
    assert sorted(read) == ["broken.md", "cranes.md", "linked.md", "us.md"]
    assert [f.what for f in first] == [
        'unknown section "Wrold"',
        'tag "U.S." is written "United States" in this archive',
    ]
    read.clear()
    assert check_content(content, settings, tag_preferred=preferred) == first
    assert read == ["broken.md"]  # a file with a front-matter error is read every time: its error is the point
    # The same bytes written again (a new modification time): not read. Other bytes: read, and judged anew.
    write(content, "us.md", (content / "articles/2026/11/us.md").read_text(encoding="utf-8"))
    write(content, "linked.md", article(id="a-3", body="See [the cranes](/2026/11/02/cranes/).\n"))
    read.clear()
    again = check_content(content, settings, tag_preferred=preferred)
    assert sorted(read) == ["broken.md", "linked.md"]
    assert "us.md:2: error: same id as content/articles/2026/11/linked.md (a-3)" in lines(again)
    # A removed file's page is gone for the others: the link to it is broken, without reading them.
    (content / "articles/2026/11/cranes.md").unlink()
    read.clear()
    after = lines(check_content(content, settings, tag_preferred=preferred))
    assert sorted(read) == ["broken.md"]
    assert "linked.md:10: error: link to /2026/11/02/cranes/, which is not a page of this site" in after
    # The tag rules are not kept with the files: new rules, new warnings, nothing read again.
    read.clear()
    assert not any("is written" in line for line in lines(check_content(content, settings)))
    assert read == ["broken.md"]


def test_a_check_does_not_open_files_untouched_since_a_settled_stamp(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose stat is the one it had when the last check hashed it, at least two seconds after its last
    write, is not opened again; one written since is hashed (and parsed only if its bytes changed)."""
    settings = {**SETTINGS, "CACHE_PATH": str(content.parent / "cache"), "CACHE_CONTENT": True,
                "LOAD_CONTENT_CACHE": True, "CHECK_MODIFIED_METHOD": "sha1"}  # fmt: skip
    write(content, "second.md", article(id="a-2", date="2026-11-03T10:00:00+00:00"))
    opened: list[str] = []
    real_read_bytes = Path.read_bytes

    def counting_read_bytes(path: Path) -> bytes:
        if path.suffix == ".md":  # not the code files the settings' fingerprint reads
            opened.append(path.name)
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    parsed = _counting_reads(monkeypatch)
    expected = check_content(content, settings)
    assert sorted(opened) == sorted(parsed) == ["cranes.md", "second.md"]
    # Checked just after the files were written: not settled, so hashed again (not parsed: the same bytes).
    opened.clear()
    parsed.clear()
    assert check_content(content, settings) == expected
    assert (sorted(opened), parsed) == (["cranes.md", "second.md"], [])
    # As if that check had run 10 s after the writes: its stamps settled, the next check opens nothing.
    real_now = news_reader.check._now
    monkeypatch.setattr(news_reader.check, "_now", lambda: real_now() + 10_000_000_000)
    assert check_content(content, settings) == expected
    opened.clear()
    assert check_content(content, settings) == expected
    assert opened == []
    # A write, even of the same size, changes the file's change time: hashed again, and parsed (other bytes).
    second = content / "articles" / "2026" / "11" / "second.md"
    time.sleep(0.01)  # past the change time's clock tick
    second.write_text(second.read_text(encoding="utf-8").replace("a-2", "a-9"), encoding="utf-8")
    opened.clear()
    parsed.clear()
    check_content(content, settings)
    assert (opened, parsed) == (["second.md"], ["second.md"])


def test_the_check_reads_every_file_again_when_the_settings_change_or_its_cache_is_damaged(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = content.parent / "cache"
    settings = {**SETTINGS, "CACHE_PATH": str(cache), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    write(content, "second.md", article(id="a-2", date="2026-11-03T10:00:00+00:00"))
    expected = check_content(content, settings)
    read = _counting_reads(monkeypatch)
    assert check_content(content, settings) == expected
    assert read == []
    # Another URL pattern: every entry's URL would be stale.
    moved = {**settings, "ARTICLE_URL": "news/{slug}/"}
    assert check_content(content, moved) == expected
    assert sorted(read) == ["cranes.md", "second.md"]
    read.clear()
    [kept] = cache.glob("news_reader-check*")
    kept.write_bytes(b"not a pickle")
    assert check_content(content, moved) == expected
    assert sorted(read) == ["cranes.md", "second.md"]
    # Without CACHE_CONTENT nothing is written; without LOAD_CONTENT_CACHE nothing is read.
    read.clear()
    check_content(content, {**moved, "LOAD_CONTENT_CACHE": False})
    assert sorted(read) == ["cranes.md", "second.md"]
    kept.unlink()
    check_content(content, {**moved, "CACHE_CONTENT": False})
    assert list(cache.glob("news_reader-check*")) == []


def test_invoke_build_lists_errors_and_some_warnings_then_counts_the_rest_by_kind(
    content: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An archive with thousands of warnings (a tag spelled the old way in every wire story) would bury the
    build's own lines: `invoke build` lists every error, the first warnings, and counts the others by kind."""
    import tasks

    long_summary = "word " * 70
    for n in range(24):
        text = article(id=f"w-{n}").replace(
            "summary: The cranes at the harbour work again.", f"summary: {long_summary}"
        )
        write(content, f"long-{n:02d}.md", text)
    for n in range(3):
        write(content, f"bad-{n}.md", article(id=f"b-{n}", body=f"See [gone](/2026/11/02/gone-{n}/).\n"))
    monkeypatch.setattr(tasks, "_settings", lambda path=None: {**SETTINGS})
    monkeypatch.setattr(tasks, "_tag_preferred", lambda settings: {"ports": "Ports"}.get)
    with pytest.raises(tasks.Exit):
        tasks._check(content, strict=False, warnings_listed=20)
    out = capsys.readouterr().out.splitlines()
    assert sum(": error: link to /2026/11/02/gone-" in line for line in out) == 3
    assert sum(": warning: " in line for line in out) == 20
    assert out[-1] == (
        '... and 32 more warnings (16 × tag "…" is written "…" in this archive; 16 × the summary is N characters'
        " long): `invoke check` lists them all"
    )
    # `invoke check` lists them all.
    with pytest.raises(tasks.Exit):
        tasks._check(content, strict=False)
    assert sum(": warning: " in line for line in capsys.readouterr().out.splitlines()) == 52  # 28 tags, 24 summaries
    assert count_kinds([]) == []


def test_new_writes_a_file_that_checks_once_the_placeholders_are_replaced(content: Path) -> None:
    now = dt.datetime(2026, 11, 23, 9, 15, tzinfo=dt.UTC)
    path = new_article(content, "Night buses return to the harbour route!", "world", SETTINGS, now=now)
    assert path == content / "articles" / "2026" / "11" / "night-buses-return-to-the-harbour-route.md"
    text = path.read_text(encoding="utf-8")
    assert "date: 2026-11-23T10:15:00+01:00" in text  # the site's timezone
    assert "added: 2026-11-23T10:15:00+01:00" in text  # when it entered the archive (search numbers by it)
    assert "section: World" in text
    assert "id: contrib-2026-11-23-night-buses-return-to-the-harbour-route" in text
    assert [f.level for f in check_content(content, SETTINGS)] == [ERROR, ERROR]  # summary and body to write
    path.write_text(
        text.replace("TODO: one or two sentences saying what happened.", "The 23:40 bus is back.").replace(
            "TODO: the article", "The council"
        ),
        encoding="utf-8",
    )
    assert check_content(content, SETTINGS) == []
    with pytest.raises(NewArticleError, match="already exists"):
        new_article(content, "Night buses return to the harbour route", "World", SETTINGS, now=now)
    with pytest.raises(NewArticleError, match='unknown section "Sport"'):
        new_article(content, "Cup final", "Sport", SETTINGS, now=now)


def test_slugs_are_ascii_words() -> None:
    assert slug_of("Çafé — crème brûlée: 3 ways") == "cafe-creme-brulee-3-ways"


def test_new_names_the_outlet(content: Path) -> None:
    path = new_article(
        content, "Quay reopens", "Business", SETTINGS, source="Harbour Ledger", source_url="https://ledger.example/q"
    )
    text = path.read_text(encoding="utf-8")
    assert 'source: "Harbour Ledger"' in text
    assert "via: page" in text
    with pytest.raises(NewArticleError, match="--source-url needs --source"):
        new_article(content, "Other", "Business", SETTINGS, source_url="https://ledger.example/o")


def test_invoke_check_exit_codes_and_output(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write(content, "good.md", article())
    command = [sys.executable, "-m", "invoke", "check", "--content", str(content)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    ok = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    write(content, "bad.md", article(id="a-2").replace("section: World", "section: Wrold"))
    bad = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 1
    assert bad.stdout.strip().endswith(
        "bad.md:5: error: unknown section \"Wrold\" — did you mean 'World'? sections are: World, Business, Technology,"
        " Science, Climate, Culture"
    )


def test_ten_thousand_articles_are_checked_without_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The figure (seconds) is printed for the record; the check's speed is not asserted here."""
    monkeypatch.chdir(tmp_path)
    content = tmp_path / "content"
    folder = content / "articles" / "2026" / "11"
    folder.mkdir(parents=True)
    for n in range(10_000):
        body = f"Story {n}. See [the one before]({{filename}}/articles/2026/11/story-{max(n - 1, 0)}.md).\n"
        text = article(id=f"s-{n}", date=f"2026-11-{1 + n % 28:02d}T10:00:00+00:00", body=body)
        (folder / f"story-{n}.md").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    assert check_content(content, SETTINGS) == []
    print(f"checked 10,000 articles in {time.perf_counter() - started:.2f} s")
