"""news_search in a Pelican build: settings checked with useful errors, the index, store and lunr.js written,
and a query on the built index (in lunr.js, under node, through search.js) finding the right article."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from news_search.parity import LUNR_JS, run_lunrjs
from news_search.search import SearchSettingError, read_settings

from tests.sitebuild import FIXTURES, ROOT, SITE_SETTINGS, build_site


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SEARCH_SHARD_BYTES", 0, "SEARCH_SHARD_BYTES = 0: expected a positive whole number"),
        ("SEARCH_FIELDS", {"headline": 3}, "SEARCH_FIELDS has 'headline'"),
        ("SEARCH_FIELDS", {"title": -1}, "SEARCH_FIELDS['title'] = -1: expected a positive number"),
        ("SEARCH_POSITION_FIELDS", ["nope"], "SEARCH_POSITION_FIELDS = ['nope']"),
        ("SEARCH_OUTPUT_DIR", "../x", "SEARCH_OUTPUT_DIR = '../x'"),
    ],
)
def test_bad_settings_name_the_setting_value_and_expectation(setting, value, message):
    with pytest.raises(SearchSettingError) as raised:
        read_settings({setting: value})
    assert message in str(raised.value)


def test_defaults_are_valid():
    options = read_settings({})
    assert [f.name for f in options.fields][:2] == ["title", "summary"]
    assert options.output_dir == "search/data"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LUNR_JS.is_file():
        pytest.skip("node_modules/lunr is missing: run `npm ci`")
    output = tmp_path_factory.mktemp("search_site")
    result = build_site(FIXTURES / "small_archive", output, extra={"SEARCH_SHARD_BYTES": 2000})
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def test_the_build_writes_index_store_and_lunr(built: Path):
    data = built / "search" / "data"
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lunr"] == "2.3.9"
    assert manifest["fields"] == ["title", "summary", "body", "tags", "source", "section"]
    assert len(manifest["shards"]) > 1  # small shards were asked for
    assert (data / "lunr.min.js").read_bytes() == LUNR_JS.with_name("lunr.min.js").read_bytes()
    rows = [row for f in sorted((data / "store").glob("*.json")) for row in json.loads(f.read_text("utf-8"))]
    assert len(rows) == manifest["documentCount"]
    urls = [row[0] for row in rows]
    for url in urls:
        assert (built / url.strip("/") / "index.html").is_file(), url
    assert (built / "search" / "index.html").is_file()


def test_a_query_on_the_built_index_finds_the_article(built: Path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    data = built / "search" / "data"
    rows = [
        row
        for f in sorted((data / "store").glob("*.json"), key=lambda p: int(p.stem))
        for row in json.loads(f.read_text("utf-8"))
    ]
    answers = run_lunrjs("sharded", data, ["tide gauge", "title:headline", "+ferry -timetable", "zzzz"])
    first = rows[int(answers[0]["results"][0]["ref"])]
    assert first[1] == "New tide gauge installed"
    assert [rows[int(r["ref"])][1] for r in answers[1]["results"]] == [
        "<img src=x onerror=alert(1)> & </script> headline"
    ]
    ferry = [rows[int(r["ref"])][1] for r in answers[2]["results"]]
    assert ferry
    assert all("timetable" not in t.lower() for t in ferry)
    assert answers[3]["results"] == []
    # the title's words carry positions, for highlighting
    assert answers[0]["results"][0]["matchData"]["tide"]["title"]["position"] == [[4, 4]]


NEWEST = """---
id: contrib-2026-11-23-lighthouse-keepers
title: "Lighthouse keepers' cottages to open as a museum"
date: 2026-11-23T09:00:00+00:00
section: World
tags: [ports, museums]
summary: "The two cottages below the northern light will show the keepers' logbooks from 1890 on."
---

The harbour trust bought the cottages in the spring. Volunteers catalogued four hundred logbooks, lamps and
a brass foghorn. The museum opens on Saturdays from May.
"""


def _entries(data: Path) -> dict[str, str]:
    """term -> its shard entry (JSON text), over every shard."""
    entries = {}
    for path in (data / "shards").glob("*.json"):
        for entry in json.loads(path.read_text(encoding="utf-8"))["terms"]:
            entries[entry[0]] = json.dumps(entry)
    return entries


BACKFILLED = """---
id: contrib-2026-11-24-breakwater-1998
title: "From the files: the night the breakwater lamp failed"
date: 1998-01-15T06:00:00+00:00
added: 2026-11-24T10:00:00+00:00
section: World
tags: [ports]
summary: "A 1998 report, added to the archive now: a storm put out the breakwater lamp and two trawlers waited."
---

The keepers rowed out with a paraffin lantern and held it on the pierhead until the mains came back at dawn.
"""


def _add_article(tmp_path: Path, name: str, text: str) -> tuple[Path, Path, int]:
    """Build the sample archive, add `text` as articles/<name>.md, build again; (old index, new index, the
    document number the added article got)."""
    if not LUNR_JS.is_file() or shutil.which("node") is None:
        pytest.skip("needs node and node_modules/lunr (`npm ci`)")
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    extra: dict[str, object] = {"SEARCH_SHARD_BYTES": 3000}
    before, after = tmp_path / "before", tmp_path / "after"
    result = build_site(content, before, settings=SITE_SETTINGS, extra=extra)
    assert result.returncode == 0, result.stdout + result.stderr
    path = content / "articles" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = build_site(content, after, settings=SITE_SETTINGS, extra=extra)
    assert result.returncode == 0, result.stdout + result.stderr
    old, new = before / "search" / "data", after / "search" / "data"
    title = text.split('title: "', 1)[1].split('"', 1)[0]
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    stores = sorted((new / "store").glob("*.json"), key=lambda p: int(p.stem))
    rows = [row for path in stores for row in json.loads(path.read_text(encoding="utf-8"))]
    assert len(rows) == manifest["documentCount"]
    return old, new, next(number for number, row in enumerate(rows) if row[1] == title)


def _only_its_terms_changed(old: Path, new: Path, added: int) -> None:
    """Every term not in document `added` keeps its entry, byte for byte; a shard file changes (a new
    content-named file) only if it holds one of its terms or follows a changed one (its boundary may move),
    and every other shard keeps its name and its bytes; every store file but the last is unchanged."""
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    old_manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    assert added == manifest["documentCount"] - 1 == old_manifest["documentCount"]  # it took the next number

    old_entries, new_entries = _entries(old), _entries(new)
    new_terms = {term for term, entry in new_entries.items() if _has_document(json.loads(entry), added)}
    assert len(new_terms) > 15
    assert {term: entry for term, entry in new_entries.items() if term not in new_terms} == {
        term: entry for term, entry in old_entries.items() if term not in new_terms
    }
    for folder in ("shards", "vocab"):  # every file is named by the first 12 hex digits of its SHA-256
        for path in (new / folder).iterdir():
            assert path.name == hashlib.sha256(path.read_bytes()).hexdigest()[:12] + ".json", path
    assert len(list((new / "shards").iterdir())) == len(manifest["shardFiles"])
    changed = 0
    in_changed_run = False  # each run of changed shards starts with one holding a new term
    kept = set(old_manifest["shardFiles"])
    for name in manifest["shardFiles"]:
        text = (new / "shards" / f"{name}.json").read_text(encoding="utf-8")
        same = name in kept
        terms = {entry[0] for entry in json.loads(text)["terms"]}
        if same:
            assert (old / "shards" / f"{name}.json").read_text(encoding="utf-8") == text
        else:
            changed += 1
            assert terms & new_terms or in_changed_run, f"shard {name} changed, away from any new term"
        in_changed_run = not same
    print(f"{changed} of {len(manifest['shardFiles'])} shards changed")
    assert 0 < changed < len(manifest["shardFiles"]) / 2, (changed, len(manifest["shardFiles"]))

    stores = sorted((new / "store").glob("*.json"), key=lambda p: int(p.stem))
    for path in stores[:-1]:
        assert path.read_bytes() == (old / "store" / path.name).read_bytes(), path.name


def test_a_new_article_changes_only_the_shards_of_its_terms(tmp_path: Path) -> None:
    """Adding the newest article to the sample archive: it takes the next document number, and only the index
    files of its own terms change (`_only_its_terms_changed`). The new index still finds the article."""
    old, new, added = _add_article(tmp_path, "2026/11/lighthouse-keepers", NEWEST)
    _only_its_terms_changed(old, new, added)
    answers = run_lunrjs("sharded", new, ["logbooks foghorn", "lighthouse"])
    assert answers[0]["results"][0]["ref"] == str(added)
    assert str(added) in [r["ref"] for r in answers[1]["results"]]


def test_an_article_added_with_an_old_date_takes_the_next_number(tmp_path: Path) -> None:
    """A 1998 report added now (`added:`, as ingest and `invoke new` write it) is numbered after every other
    document, like the newest, so it changes only the index files of its own terms; without `added` it is
    numbered by its date, first, and renumbers every other document."""
    old, new, added = _add_article(tmp_path / "added", "1998/01/breakwater-lamp", BACKFILLED)
    _only_its_terms_changed(old, new, added)
    assert [r["ref"] for r in run_lunrjs("sharded", new, ["paraffin"])[0]["results"]] == [str(added)]

    undated = BACKFILLED.replace("added: 2026-11-24T10:00:00+00:00\n", "")
    _, _, by_date = _add_article(tmp_path / "by-date", "1998/01/breakwater-lamp", undated)
    assert by_date == 0


def _has_document(entry: list, number: int) -> bool:
    """Whether the shard entry's postings include document `number` (document numbers are delta-coded)."""
    return any(field and number in itertools.accumulate(field[0]) for field in entry[2:])


def test_equal_scores_are_listed_newest_first() -> None:
    """Documents are numbered in the order they entered the archive; among results of equal score the page lists
    the most recently added first, and otherwise keeps lunr's order (best first)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    engine = ROOT / "theme" / "static" / "js" / "search.js"
    found = [{"ref": ref, "score": score} for ref, score in (("1", 2.5), ("5", 1.0), ("9", 1.0), ("3", 2.5))]
    script = (
        f"const engine = require({json.dumps(str(engine))});"
        f"console.log(JSON.stringify(engine.newestFirstOnTies({json.dumps(found)}).map((r) => r.ref)));"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == ["3", "1", "9", "5"]


def test_the_page_reads_the_index_format_the_build_writes() -> None:
    """search.js checks the manifest's format: a page with a cached manifest of another format says so."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    from news_search.shards import FORMAT

    engine = ROOT / "theme" / "static" / "js" / "search.js"
    assert f"var INDEX_FORMAT = {FORMAT};" in engine.read_text(encoding="utf-8")
    script = (
        f"const engine = require({json.dumps(str(engine))});"
        "try { new engine.ShardedIndex({}, {format: 1}, null); } catch (error) { console.log(error.message); }"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"the search index has format 1, this page reads {FORMAT}: reload the page"


def test_a_rebuild_appends_a_new_article_to_the_previous_index(tmp_path: Path) -> None:
    """The sample archive built, the newest article added, built again into the same output (news_output sets the
    previous build aside): the index is the previous one with the article appended (incremental.py), and it is
    byte for byte the index of a clean build of the same content. An edit then builds the index in full."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    extra: dict[str, object] = {"SEARCH_SHARD_BYTES": 3000, "CACHE_PATH": str(tmp_path / "cache")}
    output = tmp_path / "output"

    def build(folder: Path, **more: object) -> str:
        result = build_site(content, folder, settings=SITE_SETTINGS, extra={**extra, **more}, verbose=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return " ".join((result.stdout + result.stderr).split())

    def index(folder: Path) -> dict[str, bytes]:
        data = folder / "search" / "data"
        return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}

    assert "appended to the last build's index" not in build(output)
    (content / "articles" / "2026" / "11").mkdir(parents=True, exist_ok=True)
    (content / "articles" / "2026" / "11" / "lighthouse-keepers.md").write_text(NEWEST, encoding="utf-8")
    assert "(1 appended to the last build's index)" in build(output)
    clean = tmp_path / "clean"
    build(clean, CACHE_PATH=str(tmp_path / "clean-cache"))
    assert index(output) == index(clean)

    edited = content / "articles" / "2026" / "11" / "lighthouse-keepers.md"
    edited.write_text(NEWEST.replace("foghorn", "fog bell"), encoding="utf-8")
    assert "appended to the last build's index" not in build(output)
    build(clean, CACHE_PATH=str(tmp_path / "clean-cache"))
    assert index(output) == index(clean)
