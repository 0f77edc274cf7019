"""news_search in a Pelican build: settings checked with useful errors, the index, store and lunr.js written,
and a query on the built index (in lunr.js, under node, through search.js) finding the right article."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from news_search.parity import LUNR_JS, run_lunrjs
from news_search.search import SearchSettingError, read_settings

from tests.sitebuild import FIXTURES, build_site


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
