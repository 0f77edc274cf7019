"""news_related.ranking: duplicates, the combined score, the section fallback, determinism."""

from __future__ import annotations

import dataclasses

import pytest
from news_reader import body_fingerprint
from news_related.benchmark import candidate_recall
from news_related.ranking import Story, Weights, duplicate_groups, rank_related
from news_related.similarity import SimilarityError

DAY = 86_400.0


def story(key: str, text: str, section: str = "World", tags: tuple[str, ...] = (), day: float = 0.0) -> Story:
    return Story(key=key, text=text, section=section, tags=tags, timestamp=day * DAY, group=key)


FERRY = "Ferry crews strike at Port Alder after pay talks with the ferry operator collapse"
STORIES = [
    story("begins", FERRY, tags=("ferries",), day=0),
    story("day-two", "Second day of the Port Alder ferry strike; the operator and crews still apart", day=1),
    story("ends", "Port Alder ferry strike ends as crews accept the operator's pay offer", day=5),
    story("comet", "Astronomers spot a faint comet near Orion", section="Science", day=2),
    story("comet-2", "The Orion comet brightens for astronomers", section="Science", day=6),
    story("choir", "Sopranos sang madrigals by candlelight", section="Culture", day=3),
    story("bakery", "Rye loaves vanished before breakfast", section="Culture", day=4),
    story("chips", "Lithography cleanroom permits clear", section="Technology", day=4),
]


def keys(stories: list[Story], picks: list[tuple[int, ...]]) -> dict[str, list[str]]:
    return {s.key: [stories[i].key for i in chosen] for s, chosen in zip(stories, picks, strict=True)}


def test_fingerprint_ignores_case_punctuation_and_spacing():
    assert body_fingerprint("Crews  walk out.\n") == body_fingerprint("crews walk OUT")
    assert body_fingerprint("crews walk out") != body_fingerprint("crews walk in")


def test_duplicate_groups_join_same_bodies_and_links_both_ways_and_through_others():
    groups = duplicate_groups(
        ["a", "b", "c", "d", "e", "f"],
        ["x", "x", "y", "z", "w", "v"],
        [None, None, "a", "c", None, "missing"],
    )
    assert groups[0] == groups[1] == groups[2] == groups[3]  # b: same body as a; c -> a; d -> c
    assert len({groups[0], groups[4], groups[5]}) == 3


def test_related_by_text_never_itself_and_section_fallback():
    found = keys(STORIES, rank_related(STORIES, 5))
    assert set(found["begins"]) >= {"day-two", "ends"}
    assert found["comet"] == ["comet-2"]
    # no text in common with anything: the newest other story of its section
    assert found["choir"] == ["bakery"]
    assert found["bakery"] == ["choir"]
    # alone in its section and no text match: nothing
    assert found["chips"] == []
    for key, related in found.items():
        assert key not in related
        assert len(related) <= 5


def test_fallback_lists_newest_first():
    stories = [
        story("lonely", "Sopranos sang madrigals", section="Culture", day=0),
        story("older", "Rye loaves vanished", section="Culture", day=1),
        story("newer", "Cinnamon buns sold out", section="Culture", day=9),
        story("newest", "Glassblowers demonstrate kilns", section="Culture", day=10),
    ]
    assert keys(stories, rank_related(stories, 2))["lonely"] == ["newest", "newer"]


def test_duplicates_are_never_related_and_only_one_of_a_group_is_shown():
    groups = duplicate_groups(
        ["begins", "copy", "wire", "day-two"],
        ["b1", "b1", "b2", "b3"],
        [None, None, "begins", None],
    )
    texts = [FERRY, FERRY, FERRY + " said the union", "Second day of the Port Alder ferry strike"]
    stories = [
        dataclasses.replace(story(k, t, day=i), group=g)
        for i, (k, t, g) in enumerate(zip(["begins", "copy", "wire", "day-two"], texts, groups, strict=True))
    ]
    found = keys(stories, rank_related(stories, 5))
    assert found["begins"] == ["day-two"]
    assert found["copy"] == ["day-two"]
    assert found["wire"] == ["day-two"]
    assert len(found["day-two"]) == 1  # one of the three copies of the same report
    assert found["day-two"][0] in {"begins", "copy", "wire"}


def test_near_copies_are_one_report():
    # Two wordings of one wire report (one word apart): never related to each other, and only one of them in
    # another article's list, as if they had the same body. A report that shares less is still related.
    loan = "The World Bank said it has approved a 140 mln dlr loan for India to develop its oil and gas fields"
    stories = [
        story("loan", loan, day=0),
        story("loan-again", loan.replace("has approved", "approved"), day=0),
        story("loan-query", "India asks the World Bank for a loan for its oil and gas fields", day=1),
        story("bank-chief", "The World Bank chief urges more investment in oil and gas fields", day=2),
    ]
    found = keys(stories, rank_related(stories, 5))
    assert "loan-again" not in found["loan"]
    assert "loan" not in found["loan-again"]
    assert len({"loan", "loan-again"} & set(found["loan-query"])) == 1
    assert "bank-chief" in found["loan-query"]
    # The same words a week apart are two reports (a routine one, made again), not copies.
    later = [*stories[:1], dataclasses.replace(stories[1], timestamp=7 * DAY), *stories[2:]]
    assert "loan-again" in keys(later, rank_related(later, 5))["loan"]
    # Without the text rule (a threshold above 1), both wordings are listed.
    unfolded = keys(stories, rank_related(stories, 5, duplicate_threshold=2))
    assert {"loan", "loan-again"} <= set(unfolded["loan-query"])
    assert "loan-again" in unfolded["loan"]
    with pytest.raises(SimilarityError, match="duplicate_threshold is 0"):
        rank_related(stories, 5, duplicate_threshold=0)


def test_tags_and_time_break_text_ties():
    base = "Harbour dredging plan approved by the council"
    stories = [
        story("query", base, tags=("harbour",), day=10),
        story("far-untagged", base + " today", day=0),
        story("near-untagged", base + " today", day=10),
        story("far-tagged", base + " today", tags=("harbour",), day=0),
    ]
    # The texts are nearly the same, so they would be copies of one report: tie-breaking needs them related.
    found = keys(stories, rank_related(stories, 3, duplicate_threshold=2))["query"]
    assert found[0] == "far-tagged"  # shared tag (0.3) beats closeness in time (0.1)
    assert found.index("near-untagged") < found.index("far-untagged")
    only_text = keys(stories, rank_related(stories, 3, Weights(tags=0, section=0, time=0), duplicate_threshold=2))[
        "query"
    ]
    assert only_text == ["far-untagged", "near-untagged", "far-tagged"]  # equal scores: input order


def test_deterministic_and_independent_of_input_order():
    first = keys(STORIES, rank_related(STORIES, 3))
    again = keys(STORIES, rank_related(STORIES, 3))
    reordered = list(reversed(STORIES))
    other = keys(reordered, rank_related(reordered, 3))
    assert first == again
    assert {k: set(v) for k, v in first.items()} == {k: set(v) for k, v in other.items()}


def test_max_related_is_respected_and_zero_means_none():
    assert all(len(p) <= 1 for p in rank_related(STORIES, 1))
    assert rank_related(STORIES, 0) == [()] * len(STORIES)
    assert rank_related([], 5) == []
    with pytest.raises(SimilarityError, match="max_related is -1"):
        rank_related(STORIES, -1)


def test_weights_are_checked():
    with pytest.raises(SimilarityError, match="'tags' is -1"):
        Weights(tags=-1)
    with pytest.raises(SimilarityError, match="half_life_days"):
        Weights(half_life_days=0)


def test_candidate_recall_is_complete_on_a_small_archive():
    # a small archive is not pruned: the index proposes every exact nearest story
    assert candidate_recall(STORIES, top=2, sample=len(STORIES)) == 1.0
