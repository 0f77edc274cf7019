"""benchmarks/build.py's results file: sizes measured in an earlier run are read back exactly, so a run of
some sizes keeps the others (each with the commit it was measured at)."""

from __future__ import annotations

import datetime as dt
import json

from benchmarks.build import (
    OutputChange,
    RunResult,
    SizeResult,
    added_now,
    load_results,
    newest_article,
    table,
    to_json,
)
from benchmarks.corpus import to_markdown


def _result(articles: int, commit: str, newest: bool = True) -> SizeResult:
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
        added_date="1990-05-01" if newest else "",
        last_date="2008-01-31" if newest else "",
        add_newest=RunResult(9.5, 400.0, {}, 140.0) if newest else None,
        add_newest_output=OutputChange(101, 7, 7, 0) if newest else None,
    )


def test_results_written_are_read_back_unchanged(tmp_path):
    path = tmp_path / "build.json"
    measured = [_result(1000, "abc1234", newest=False), _result(100000, "def5678+changes")]
    path.write_text(json.dumps(to_json(measured)), encoding="utf-8")
    assert load_results(path) == measured
    lines = table(measured)
    newest = next(line for line in lines if line.startswith("rebuild after adding the newest"))
    assert newest.split()[-3:] == ["–", "9.5", "(76.0%)"]  # not measured at the older commit: a dash


def test_the_newest_article_comes_after_every_other():
    from benchmarks.corpus import NewsDocument

    def document(slug: str, day: int) -> NewsDocument:
        when = dt.datetime(2007, 5, day, 9, 0, tzinfo=dt.UTC)
        return NewsDocument(slug, slug, slug.title(), "", "Body.", when, "world", (), "Wire")

    documents = [document("a", 3), document("b", 9), document("c", 1)]
    held_back = NewsDocument(
        "d", "d", "D", "", "Its own body.", dt.datetime(1999, 1, 1, tzinfo=dt.UTC), "world", (), "Wire"
    )
    newest = newest_article(held_back, documents)
    assert newest.date == dt.datetime(2007, 5, 9, 10, 0, tzinfo=dt.UTC)
    assert newest.slug not in {d.slug for d in documents} | {held_back.slug}
    assert newest.body == "Its own body."

    added = added_now(held_back, documents)  # the corpus's next, entering the archive after all the others
    assert added.date == held_back.date
    assert added.added == dt.datetime(2007, 5, 9, 10, 0, tzinfo=dt.UTC)
    assert "\nadded: 2007-05-09T10:00:00+00:00\n" in to_markdown(added)
    assert "added:" not in to_markdown(held_back)


def test_a_missing_or_foreign_results_file_gives_nothing(tmp_path):
    assert load_results(tmp_path / "none.json") == []
    (tmp_path / "old.json").write_text('{"runs": [{"articles": 1000}]}', encoding="utf-8")
    assert load_results(tmp_path / "old.json") == []
