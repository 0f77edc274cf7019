"""Ingest pipeline on local feeds: what it writes, idempotency, hand edits, near-duplicates, hostile input."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from markdown import Markdown
from news_reader import sanitise_html

from ingest.cli import run
from ingest.config import ConfigError, SourceConfig, load_sources
from ingest.fetch import Fetcher, FetchPolicy
from ingest.pipeline import (
    Archive,
    FeedError,
    canonical_url,
    html_to_markdown,
    ingest_source,
    ingest_sources,
    parse_feed,
    plain_text,
)
from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
SAMPLES = ROOT / "ingest" / "sample_feeds"
SECTIONS = ("World", "Business", "Technology", "Science", "Climate", "Culture")
SHARED_FEEDS = ROOT.parent / "shared" / "corpora" / "feeds"


def sources() -> list[SourceConfig]:
    return load_sources(ROOT / "sources.toml", SECTIONS)


def files(content: Path) -> dict[str, str]:
    return {str(p.relative_to(content)): p.read_text() for p in sorted(content.rglob("*.md"))}


def ingest(content: Path, configs: list[SourceConfig] | None = None, now: dt.datetime = NOW):
    with Fetcher(FetchPolicy(host_delay=0)) as fetcher:
        return ingest_sources(configs or sources(), content, fetcher, now)


def test_sample_sources_write_articles_the_reader_accepts(tmp_path):
    reports = ingest(tmp_path)
    assert [(r.name, r.new, r.failed) for r in reports] == [
        ("Saltmarsh Gazette", 2, 0),
        ("Lanternfield Observer", 2, 0),
    ]
    written = files(tmp_path)
    assert sorted(written) == [
        "articles/2026/11/estuary-wardens-count-a-record-number-of-wintering-geese.md",
        "articles/2026/11/lanternfield-s-library-opens-a-repair-cafe-for-old-laptops.md",
        "articles/2026/11/sea-wall-repairs-at-hollow-quay-finish-two-weeks-early.md",
        "articles/2026/11/town-council-moves-its-meetings-to-an-open-source-video.md",  # at most 60
    ]
    geese = written["articles/2026/11/estuary-wardens-count-a-record-number-of-wintering-geese.md"]
    assert 'source_url: "https://saltmarshgazette.example/2026/11/22/record-geese"' in geese  # utm_* stripped
    assert 'tags: ["coast", "wildlife"]' in geese
    assert "**14,200** brent geese" in geese
    cafe = written["articles/2026/11/lanternfield-s-library-opens-a-repair-cafe-for-old-laptops.md"]
    assert "[a queue around the block](https://lanternfield.example/tech/2026/11/queue)" in cafe  # xml:base
    assert "date: 2026-11-22T09:15:00+00:00" in cafe
    assert "modified: 2026-11-22T10:30:00+00:00" in cafe
    assert "## What they can fix" in cafe


def test_hostile_html_never_reaches_the_markdown(tmp_path):
    ingest(tmp_path)
    wall = (tmp_path / "articles/2026/11/sea-wall-repairs-at-hollow-quay-finish-two-weeks-early.md").read_text()
    assert "Contractors said a dry October helped." in wall
    for bad in ("<script", "onclick", "alert("):
        assert bad not in wall


def test_three_runs_give_the_same_files(tmp_path):
    ingest(tmp_path)
    first = files(tmp_path)
    second_reports = ingest(tmp_path)
    ingest(tmp_path)
    assert files(tmp_path) == first
    assert [(r.new, r.updated, r.unchanged) for r in second_reports] == [(0, 0, 2), (0, 0, 2)]


def test_hand_edits_are_never_overwritten(tmp_path):
    ingest(tmp_path)
    path = tmp_path / "articles/2026/11/sea-wall-repairs-at-hollow-quay-finish-two-weeks-early.md"
    edited = path.read_text().replace("reopened to walkers", "reopened to walkers and cyclists")
    path.write_text(edited)
    reports = ingest(tmp_path)
    assert path.read_text() == edited
    assert reports[0].skipped == 1
    assert "edited by hand" in reports[0].problems[0]
    assert reports[0].problems[0].startswith("Saltmarsh Gazette: ")


def test_an_updated_item_updates_its_file(tmp_path):
    feed = tmp_path / "feed.rss"
    feed.write_text((SAMPLES / "saltmarsh-gazette.rss").read_text())
    config = [SourceConfig("Saltmarsh Gazette", str(feed), "Climate")]
    content = tmp_path / "content"
    ingest(content, config)
    feed.write_text(feed.read_text().replace("14,200", "14,350"))
    reports = ingest(content, config)
    assert (reports[0].new, reports[0].updated, reports[0].unchanged) == (0, 1, 1)
    assert "14,350" in "".join(files(content).values())
    assert len(files(content)) == 2


def test_a_new_article_says_when_it_entered_the_archive_and_an_update_keeps_it(tmp_path):
    """`added` (the search index numbers articles in that order) is the run's time for a new article; an update
    a day later keeps it, and an update of a file written before ingest wrote `added` does not add it."""
    from ingest.pipeline import _with_hash, _without_hash

    feed = tmp_path / "feed.rss"
    feed.write_text((SAMPLES / "saltmarsh-gazette.rss").read_text())
    config = [SourceConfig("Saltmarsh Gazette", str(feed), "Climate")]
    content = tmp_path / "content"
    ingest(content, config)
    assert all(f"\nadded: {NOW.isoformat()}\n" in text for text in files(content).values())
    feed.write_text(feed.read_text().replace("14,200", "14,350"))
    assert ingest(content, config, now=NOW + dt.timedelta(days=1))[0].updated == 1
    path = next(path for path in content.rglob("*.md") if "14,350" in path.read_text())
    assert f"\nadded: {NOW.isoformat()}\n" in path.read_text()

    unhashed, _ = _without_hash(path.read_text())  # as ingest wrote it before it wrote `added`
    path.write_text(_with_hash(unhashed.replace(f"added: {NOW.isoformat()}\n", "")))
    feed.write_text(feed.read_text().replace("14,350", "14,500"))
    assert ingest(content, config, now=NOW + dt.timedelta(days=2))[0].updated == 1
    assert "14,500" in path.read_text()
    assert "added:" not in path.read_text()


def test_wire_copy_from_another_outlet_is_marked_near_duplicate(tmp_path):
    body = " ".join(f"word{n}" for n in range(60))
    for name, outlet in (("a.rss", "wire"), ("b.rss", "paper")):
        (tmp_path / name).write_text(
            f'<rss version="2.0"><channel><title>{outlet}</title><item><title>Story from {outlet}</title>'
            f"<link>https://{outlet}.example/story</link><pubDate>Sun, 22 Nov 2026 08:00:00 +0000</pubDate>"
            f"<description>{body}</description></item></channel></rss>"
        )
    config = [
        SourceConfig("Wire", str(tmp_path / "a.rss"), "World"),
        SourceConfig("Paper", str(tmp_path / "b.rss"), "World"),
    ]
    ingest(tmp_path / "content", config)
    texts = files(tmp_path / "content")
    paper = next(t for t in texts.values() if 'source: "Paper"' in t)
    wire = next(t for t in texts.values() if 'source: "Wire"' in t)
    wire_id = wire.split("id: ", 1)[1].split("\n", 1)[0]
    assert f"near_duplicate_of: {wire_id}" in paper


WIRE_TEXT = (
    "Dock workers at Port Alder voted on Tuesday to accept a new three-year contract, ending a strike that had "
    "halted ferry and freight traffic across the strait for nine days. The agreement raises pay by four percent "
    "in each year and limits night shifts to three a week, union leaders said after the vote. Ferry operators "
    "expect full timetables to return by the weekend."
)


def one_item_feed(path: Path, outlet: str, text: str, tags: tuple[str, ...] = ()) -> None:
    categories = "".join(f"<category>{tag}</category>" for tag in tags)
    path.write_text(
        f'<rss version="2.0"><channel><title>{outlet}</title><item><title>Dock strike ends ({outlet})</title>'
        f"<link>https://{outlet.lower()}.example/story</link><pubDate>Sun, 22 Nov 2026 08:00:00 +0000</pubDate>"
        f"{categories}<description>{text}</description></item></channel></rss>"
    )


def test_a_lightly_edited_wire_copy_is_a_near_duplicate_and_another_report_is_not(tmp_path):
    edited = "PORT ALDER (CivicWire) - " + WIRE_TEXT.replace("The agreement", "The deal") + " Reporting by staff."
    other = (
        "The nine-day dock strike at Port Alder is over. Members backed the offer by a wide margin on Tuesday "
        "evening, and the first freight ship was unloaded within hours; wages rise four percent a year."
    )
    for name, text in (("wire", WIRE_TEXT), ("paper", edited), ("rival", other)):
        one_item_feed(tmp_path / f"{name}.rss", name.title(), text)
    config = [SourceConfig(n.title(), str(tmp_path / f"{n}.rss"), "World") for n in ("wire", "paper", "rival")]
    ingest(tmp_path / "content", config)
    texts = {t.split('source: "', 1)[1].split('"', 1)[0]: t for t in files(tmp_path / "content").values()}
    wire_id = texts["Wire"].split("id: ", 1)[1].split("\n", 1)[0]
    assert f"near_duplicate_of: {wire_id}" in texts["Paper"]
    assert "near_duplicate_of" not in texts["Rival"]
    assert "near_duplicate_of" not in texts["Wire"]


def test_tags_go_through_the_archives_tag_rules(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    aliases = content / "tag-aliases.toml"
    aliases.write_text('"United States" = ["U.S.", "USA"]\n', encoding="utf-8")
    one_item_feed(tmp_path / "feed.rss", "Ledger", WIRE_TEXT, tags=("U.S.", "  ports ", "USA", "Ports"))
    code = run(
        tmp_path / "none.toml",
        content,
        tmp_path / "state.json",
        SECTIONS,
        url=str(tmp_path / "feed.rss"),
        section="World",
        tag_aliases=aliases,
    )
    assert code == 0
    [text] = files(content).values()
    assert 'tags: ["United States", "ports"]' in text  # aliases merged, spaces trimmed, case repeats dropped


def test_one_bad_source_does_not_stop_the_others(tmp_path):
    (tmp_path / "bad.xml").write_text("this is not a feed at all")
    config = [
        SourceConfig("Broken", str(tmp_path / "bad.xml"), "World"),
        SourceConfig("Missing", str(tmp_path / "nowhere.xml"), "World"),
        *sources(),
    ]
    reports = ingest(tmp_path / "content", config)
    assert [r.failed for r in reports] == [1, 1, 0, 0]
    assert reports[0].problems[0].startswith(f"Broken: {tmp_path / 'bad.xml'}: failed: ")
    assert sum(r.new for r in reports) == 4


def test_dry_run_writes_nothing(tmp_path):
    with Fetcher(FetchPolicy(host_delay=0)) as fetcher:
        report = ingest_source(sources()[0], fetcher, Archive(tmp_path), NOW, dry_run=True)
    assert report.new == 2
    assert not list(tmp_path.rglob("*.md"))


def test_canonical_url():
    assert canonical_url("HTTPS://Example.org:443/a/b?utm_source=x&id=3&fbclid=y#top") == "https://example.org/a/b?id=3"
    assert canonical_url("http://example.org:8080") == "http://example.org:8080/"


def test_config_errors_name_the_source_and_key(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "X"\nfeed = "x.xml"\nsection = "Sports"\n')
    with pytest.raises(ConfigError, match=r"source 1 \(X\): section 'Sports' is not one of World"):
        load_sources(config, SECTIONS)
    config.write_text('[[source]]\nname = "X"\nfeed = "x.xml"\nsection = "World"\nmode = "fulltext"\n')
    with pytest.raises(ConfigError, match="mode 'fulltext' is not a mode; use one of summary, full"):
        load_sources(config, SECTIONS)


def test_cli_summary_and_exit_code(tmp_path, capsys):
    state = tmp_path / "state.json"
    assert run(ROOT / "sources.toml", tmp_path / "content", state, SECTIONS) == 0
    assert "Saltmarsh Gazette" in capsys.readouterr().err
    assert json.loads(state.read_text()) == {}  # local files carry no ETag
    code = run(
        ROOT / "sources.toml", tmp_path / "content", state, SECTIONS, url=str(tmp_path / "none.xml"), section="World"
    )
    assert code == 1
    assert "failed" in capsys.readouterr().err


def test_ingested_articles_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small_archive", content)
    ingest(content)
    result = build_site(content, tmp_path / "out", settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stdout + result.stderr
    page = tmp_path / "out/2026/11/22/estuary-wardens-count-a-record-number-of-wintering-geese/index.html"
    assert "14,200" in page.read_text()


@pytest.mark.skipif(
    not SHARED_FEEDS.is_dir(), reason="../shared/corpora/feeds is absent (a fresh clone has no ../shared)"
)
def test_every_corpus_feed_is_ingested_or_rejected_with_a_reason(tmp_path):
    manifest = json.loads((SHARED_FEEDS / "MANIFEST.json").read_text())
    assert len(manifest) == 5100
    outcomes = {"ingested": 0, "rejected": 0, "empty": 0}
    for number, entry in enumerate(manifest):
        path = SHARED_FEEDS / entry["path"]
        config = SourceConfig(f"feed{number}", str(path), "World")
        with Fetcher(FetchPolicy(host_delay=0, retries=0)) as fetcher:
            report = ingest_source(config, fetcher, Archive(tmp_path / str(number)), NOW)
        if report.failed:
            assert len(report.problems) == 1
            assert "\n" not in report.problems[0]
            outcomes["rejected"] += 1
        elif report.new or report.updated or report.unchanged or report.skipped:
            outcomes["ingested"] += 1
        else:
            outcomes["empty"] += 1
    print(outcomes)
    assert outcomes["ingested"] > 2500
    assert outcomes["rejected"] > 0


def test_parse_handles_json_feed():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [
                {
                    "id": "1",
                    "url": "https://j.example/1",
                    "title": "One",
                    "content_html": "<p>Hi</p>",
                    "date_published": "2026-11-20T10:00:00Z",
                }
            ],
        }
    ).encode()
    items = parse_feed(body, "https://j.example/feed.json", "application/feed+json")
    assert [(i.title, i.link) for i in items] == [("One", "https://j.example/1")]


DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|style|svg|math|form|meta|link|base)\b|javascript:|vbscript:"
    r"|\son[a-z]+\s*=|expression\s*\(|data:text/html",
    re.I,
)


def test_text_that_looks_like_a_tag_stays_text():
    markdown = html_to_markdown("<p>a &lt;script&gt;alert(1)&lt;/script&gt; b</p>")
    assert "<script" not in markdown
    html = Markdown().convert(markdown)
    assert "&lt;script&gt;" in html


@pytest.mark.skipif(
    not SHARED_FEEDS.is_dir(), reason="../shared/corpora/feeds is absent (a fresh clone has no ../shared)"
)
def test_feedparser_sanitisation_cases_leave_nothing_executable():
    """745 hostile-HTML cases: nothing executable in the Markdown ingest writes, nor in the page HTML."""
    cases = sorted((SHARED_FEEDS / "feedparser/tests/wellformed/sanitize").glob("*.xml"))
    assert len(cases) == 745
    renderer = Markdown(extensions=["markdown.extensions.extra"])
    found = []
    for case in cases:
        try:
            items = parse_feed(case.read_bytes(), "https://feed.example/", "application/xml")
        except FeedError:
            continue
        for item in items:
            for html in (item.content_html, item.summary_html, item.title):
                markdown = html_to_markdown(html)
                renderer.reset()
                page = sanitise_html(renderer.convert(markdown + "\n\n" + plain_text(html)))
                for where, text in (("markdown", markdown), ("page", page)):
                    match = DANGEROUS.search(text)
                    if match:
                        found.append(f"{case.name} ({where}): {match.group(0)!r}")
    assert not found, "\n".join(found[:20])
