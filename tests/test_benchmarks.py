"""benchmarks/build.py's results file: sizes measured in an earlier run are read back exactly, so a run of
some sizes keeps the others (each with the commit it was measured at)."""

from __future__ import annotations

import json

from benchmarks.build import OutputChange, RunResult, SizeResult, load_results, to_json


def _result(articles: int, commit: str) -> SizeResult:
    run = RunResult(12.5, 410.0, {"news_stories": 3.5}, 150.0)
    return SizeResult(
        articles=articles,
        bare=RunResult(20.0, 120.0, {}, 120.0),
        full=run,
        add_one=run,
        add_one_output=OutputChange(100, 10, 10, 0),
        edit_one=run,
        edit_one_output=OutputChange(100, 5, 5, 0),
        bare_output_bytes=1000,
        bare_files=80,
        output_bytes=2000,
        output_files=100,
        search_index_bytes=300,
        search_index_files=3,
        commit=commit,
        measured_at="2026-11-23T19:40:00+00:00",
    )


def test_results_written_are_read_back_unchanged(tmp_path):
    path = tmp_path / "build.json"
    measured = [_result(1000, "abc1234"), _result(100000, "def5678+changes")]
    path.write_text(json.dumps(to_json(measured)), encoding="utf-8")
    assert load_results(path) == measured


def test_a_missing_or_foreign_results_file_gives_nothing(tmp_path):
    assert load_results(tmp_path / "none.json") == []
    (tmp_path / "old.json").write_text('{"runs": [{"articles": 1000}]}', encoding="utf-8")
    assert load_results(tmp_path / "old.json") == []
