"""TextMemo: per-text results kept between builds, which may save time and never change a result."""

from __future__ import annotations

from pathlib import Path

from news_reader.memo import TextMemo, code_version


def _settings(cache: Path, load: bool = True, save: bool = True) -> dict:
    return {"CACHE_PATH": str(cache), "LOAD_CONTENT_CACHE": load, "CACHE_CONTENT": save}


class Counting:
    """A computation that counts its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str) -> tuple[int, str]:
        self.calls.append(text)
        return len(text), text.upper()


def run(memo: TextMemo, texts: list[str]) -> tuple[list, list[str]]:
    compute = Counting()
    values = list(memo.map(compute, texts, text=str))
    memo.save()
    return values, compute.calls


def test_a_second_build_computes_only_new_texts_and_gets_the_same_values(tmp_path):
    first, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha", "beta", "alpha"])
    assert calls == ["alpha", "beta"]  # the repeat within one build is not computed twice
    assert (tmp_path / "terms.memo").is_file()

    second, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha", "beta", "gamma"])
    assert calls == ["gamma"]
    assert second == [*first[:2], (5, "GAMMA")]


def test_another_version_or_an_unreadable_file_means_computing_again(tmp_path):
    run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha"])
    _, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v2"), ["alpha"])
    assert calls == ["alpha"]

    (tmp_path / "terms.memo").write_bytes(b"\x80\x05 not a pickle")
    values, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v2"), ["alpha"])
    assert calls == ["alpha"]
    assert values == [(5, "ALPHA")]
    _, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v2"), ["alpha"])
    assert calls == []  # and the unreadable file was replaced by a good one


def test_entries_no_text_used_are_dropped_and_an_unchanged_memo_is_not_rewritten(tmp_path):
    run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha", "beta"])
    run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha"])  # beta deleted from the archive
    _, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha", "beta"])
    assert calls == ["beta"]

    path = tmp_path / "terms.memo"
    before = path.stat().st_mtime_ns
    path.touch()
    touched = path.stat().st_mtime_ns
    _, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha", "beta"])
    assert calls == []
    assert path.stat().st_mtime_ns == touched
    assert touched >= before


def test_it_follows_the_content_cache_settings(tmp_path):
    run(TextMemo.for_build(_settings(tmp_path, save=False), "terms", "v1"), ["alpha"])
    assert not (tmp_path / "terms.memo").exists()
    run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha"])
    _, calls = run(TextMemo.for_build(_settings(tmp_path, load=False), "terms", "v1"), ["alpha"])
    assert calls == ["alpha"]
    _, calls = run(TextMemo.for_build({"CACHE_PATH": str(tmp_path)}, "terms", "v1"), ["alpha"])
    assert calls == ["alpha"]


def test_code_version_changes_with_the_code_of_a_class_and_of_its_bases():
    from news_related.similarity import Analyzer
    from news_stories.clustering import StoryAnalyzer

    assert code_version(Analyzer) != code_version(StoryAnalyzer)  # StoryAnalyzer's own module counts too
    assert code_version(StoryAnalyzer) == code_version(StoryAnalyzer)
    assert len(code_version(len)) == 16  # a builtin has no file: the digest of nothing, still a version


def test_many_texts_go_through_in_batches_and_come_back_in_order(tmp_path):
    texts = [f"text number {i}" for i in range(1234)] + ["text number 7"]  # more than one batch, one repeat
    first, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), texts)
    assert len(calls) == 1234
    again, calls = run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), texts[::-1])
    assert calls == []
    assert again == first[::-1]


def test_a_memo_that_may_not_be_written_is_left_alone(tmp_path):
    run(TextMemo.for_build(_settings(tmp_path), "terms", "v1"), ["alpha"])
    before = (tmp_path / "terms.memo").read_bytes()
    _, calls = run(TextMemo.for_build(_settings(tmp_path, save=False), "terms", "v2"), ["alpha", "beta"])
    assert calls == ["alpha", "beta"]
    assert (tmp_path / "terms.memo").read_bytes() == before
    _, calls = run(TextMemo.for_build(_settings(tmp_path, save=False), "terms", "v1"), ["alpha", "beta"])
    assert calls == ["beta"]
