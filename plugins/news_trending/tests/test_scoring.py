"""news_trending.scoring: a burst in a steady stream rises to the top; what is always common never does."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from news_trending.phrases import GENERIC
from news_trending.scoring import (
    TrendConfig,
    TrendDocument,
    TrendWindow,
    default_key,
    document_text,
    find_trends,
    first_with_trends,
    log_likelihood,
)

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)

# A steady background: every day, stories about the same recurring places and topics, in routine words.
PLACES = ["Port Alder", "Veltran", "Osmark", "Northfield", "Tidewater", "Karsa Valley"]
STEADY_TAGS = ["Port Alder", "ferries", "trade", "community"]  # each in a large share of all articles
TOPICS = [
    (
        "ferries",
        "ferry timetable",
        "Ferry timetable changes at {place}",
        "The harbour board says a new ferry timetable starts on Monday.",
    ),
    (
        "trade",
        "harbour tariffs",
        "{place} reviews harbour tariffs",
        "Officials said the additional harbour tariffs report is due in November.",
    ),
    (
        "community",
        "library hours",
        "Library hours extended in {place}",
        "The council says longer library hours begin next week.",
    ),
    (
        "football",
        "league table",
        "{place} Athletic climbs the league table",
        "A new coach says the team expects more wins on Saturday.",
    ),
    (
        "weather",
        "storm warnings",
        "Storm warnings for {place} coast",
        "Forecasters report strong winds on Tuesday and additional rain.",
    ),
    (
        "schools",
        "school meals",
        "School meals plan for {place}",
        "The education report says school meals will be free from January.",
    ),
]
BURST = [
    "DeepSeek chip export controls tighten",
    "Osmark weighs DeepSeek chip export controls",
    "Chipmakers react to DeepSeek export controls",
    "DeepSeek shares slide as export controls loom",
    "What the DeepSeek export controls mean for Veltran",
    "DeepSeek export controls: a timeline",
    "DeepSeek responds to chip export controls",
    "Export controls on DeepSeek chips take effect",
    "Analysts split on DeepSeek export controls",
    "DeepSeek export controls widen to memory chips",
]


def steady_stream(count: int = 200, days: int = 30, seed: int = 7) -> list[TrendDocument]:
    rng = random.Random(seed)
    documents = []
    for index in range(count):
        date = NOW - dt.timedelta(days=days) * (index + 0.5) / count
        tag, _, title, summary = TOPICS[index % len(TOPICS)]
        place = PLACES[rng.randrange(len(PLACES))]
        tags = {tag, place}
        if rng.random() < 0.5:
            tags.add("Port Alder")
        if rng.random() < 0.4:
            tags.add("community")
        documents.append(
            TrendDocument(date=date, title=title.format(place=place), summary=summary, tags=tuple(sorted(tags)))
        )
    return documents


def burst(hours: float = 20) -> list[TrendDocument]:
    return [
        TrendDocument(
            date=NOW - dt.timedelta(hours=hours) * (index + 0.5) / len(BURST),
            title=title,
            summary="Officials said on Monday that new export controls on DeepSeek chips add additional limits.",
            tags=("semiconductors",) if index % 3 == 0 else (),
        )
        for index, title in enumerate(BURST)
    ]


@pytest.fixture(scope="module")
def results():
    return find_trends(steady_stream() + burst(), NOW, TrendConfig())


def labels(window) -> list[str]:
    return [trend.label for trend in window.trends]


def test_the_burst_ranks_in_the_top_three_of_the_last_24_hours(results):
    day = results[0]
    assert day.window.label == "Last 24 hours"
    top = [label.casefold() for label in labels(day)[:3]]
    assert {"deepseek", "export controls"} & set(top), labels(day)
    assert day.trends[0].count >= 9


def test_the_burst_is_also_in_the_week(results):
    week = [label.casefold() for label in labels(results[1])[:3]]
    assert {"deepseek", "export controls"} & set(week)


def test_steady_frequent_terms_never_trend(results):
    steady = {default_key(t) for t in STEADY_TAGS} | {default_key(p) for p in PLACES}
    steady |= {default_key(phrase) for _, phrase, _, _ in TOPICS}
    for window in results:
        assert not steady & {trend.key for trend in window.trends}, labels(window)


def test_generic_words_never_trend(results):
    for window in results:
        for trend in window.trends:
            words = trend.key.split()
            assert words[0] not in GENERIC, trend
            assert words[-1] not in GENERIC, trend


def test_overlapping_phrases_are_listed_once(results):
    keys = [trend.key for trend in results[0].trends]
    for a in keys:
        for b in keys:
            assert a == b or f" {a} " not in f" {b} "


def test_without_a_burst_nothing_frequent_trends():
    quiet = find_trends(steady_stream(), NOW, TrendConfig())
    for window in quiet:
        assert all(trend.count < 10 for trend in window.trends)
        assert not {default_key(t) for t in STEADY_TAGS} & {trend.key for trend in window.trends}


def test_minimum_support():
    few = burst()[:2]  # two articles are a coincidence, not a trend
    for window in find_trends(steady_stream() + few, NOW, TrendConfig(min_count=3)):
        assert not {"deepseek", "export controls"} & {trend.key for trend in window.trends}
    for window in find_trends(steady_stream() + few, NOW, TrendConfig(min_count=2)):
        assert all(trend.count >= 2 for trend in window.trends)


def test_chance_fluctuations_of_the_background_do_not_trend():
    for seed in range(5):
        assert first_with_trends(find_trends(steady_stream(seed=seed), NOW, TrendConfig())) is None


def test_windows_count_documents_and_ignore_the_future_and_the_distant_past():
    documents = [
        TrendDocument(NOW - dt.timedelta(hours=1), "a"),
        TrendDocument(NOW - dt.timedelta(hours=30), "b"),
        TrendDocument(NOW + dt.timedelta(hours=1), "from the future"),
        TrendDocument(NOW - dt.timedelta(days=90), "long ago"),
    ]
    config = TrendConfig(windows=(TrendWindow("Day", 24), TrendWindow("Week", 168)), baseline_days=30)
    day, week = find_trends(documents, NOW, config)
    assert (day.documents, day.baseline_documents) == (1, 1)
    assert (week.documents, week.baseline_documents) == (2, 0)
    assert day.start == NOW - dt.timedelta(hours=24)


def test_a_tag_in_the_burst_is_a_tag_and_phrases_that_equal_tags_become_tags():
    documents = steady_stream() + [
        TrendDocument(NOW - dt.timedelta(hours=h), f"Karsa Valley quake number {h}", "Aftershocks.", ("earthquakes",))
        for h in range(1, 6)
    ]
    day = find_trends(
        documents, NOW, TrendConfig(), tag_labels={"earthquakes": "earthquakes", "aftershocks": "Aftershocks"}
    )[0]
    kinds = {trend.label: trend.kind for trend in day.trends}
    assert kinds.get("earthquakes") == "tag"


def test_log_likelihood():
    assert log_likelihood(5, 5, 50, 50) == pytest.approx(0.0)  # the same share: no surprise
    assert log_likelihood(10, 7, 0, 200) > log_likelihood(5, 12, 0, 200) > 0
    assert log_likelihood(0, 0, 0, 0) == 0.0


def test_results_are_deterministic():
    first = find_trends(steady_stream() + burst(), NOW, TrendConfig())
    second = find_trends(list(reversed(steady_stream() + burst())), NOW, TrendConfig())
    assert first == second


def test_terms_kept_in_a_memo_give_the_same_trends(tmp_path):
    """A rebuild takes each unchanged document's terms from news_reader's TextMemo: same trends, and only a
    new document's terms are worked out."""
    from news_reader.memo import TextMemo

    settings = {"CACHE_PATH": str(tmp_path), "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}
    documents = steady_stream() + burst()
    plain = find_trends(documents, NOW, TrendConfig())
    first = TextMemo.for_build(settings, "trending-terms", "v1")
    assert find_trends(documents, NOW, TrendConfig(), memo=first) == plain
    first.save()
    assert 0 < first.computed <= len({document_text(d) for d in documents})  # many stream texts repeat

    later = [*documents, TrendDocument(NOW - dt.timedelta(hours=1), "Osmark harbour tariffs report delayed")]
    again = TextMemo.for_build(settings, "trending-terms", "v1")
    assert find_trends(later, NOW, TrendConfig(), memo=again) == find_trends(later, NOW, TrendConfig())
    assert again.computed == 1
