"""news_trending.phrases: names and phrases out of headlines and summaries, never generic words."""

from __future__ import annotations

import pytest
from news_trending.phrases import GENERIC, candidates, is_title_case


def found(text: str, headline: bool = False) -> dict[str, bool]:
    return {c.text: c.is_name for c in candidates(text, headline=headline)}


def test_multi_word_names_and_connectors():
    got = found("The Veltran Central Bank held rates while the Bank of Osmark waited.")
    assert got["Veltran Central Bank"] is True
    assert got["Bank of Osmark"] is True
    assert "The Veltran Central Bank" not in got


def test_mixed_case_and_capitals_are_names_anywhere():
    got = found("DeepSeek models alarm NATO planners", headline=True)
    assert got["DeepSeek"] is True
    assert got["NATO"] is True


def test_a_capitalised_first_word_alone_is_not_a_name():
    got = found("Ferry crews walk out at Port Alder")
    assert "Ferry" not in got
    assert got["ferry crews"] is False  # it is an ordinary word there
    assert got["Port Alder"] is True


def test_ordinary_phrases_are_two_or_three_words():
    got = found("Officials debated chip export controls again.")
    assert {"chip export", "export controls", "chip export controls"} <= set(got)
    assert all(not is_name for text, is_name in got.items() if text.islower())


def test_title_case_headlines_do_not_make_every_word_a_name():
    assert is_title_case("Chip Export Controls Tighten Across The Region")
    got = found("Chip Export Controls Tighten Across The Region", headline=True)
    assert "export controls" in got
    assert not any(is_name for is_name in got.values())
    assert not is_title_case("Chip export controls tighten across the region")


def test_a_text_in_capitals_has_phrases_but_no_names():
    got = found("PORT ALDER FERRY STRIKE ENDS", headline=True)
    assert got
    assert not any(got.values())
    assert "ferry strike" in got


@pytest.mark.parametrize(
    "text",
    [
        "Says new report, additional details on Monday in November",
        "The report says officials said on Tuesday that 2,000 people were new",
        "Last week, three more were added according to the latest update",
    ],
)
def test_generic_words_make_no_candidate(text):
    assert list(candidates(text)) == []


def test_generic_words_never_at_the_edges():
    for candidate in candidates(
        "Says Port Alder report: new chip export controls additional Monday tariffs on Veltran, says Osmark"
    ):
        assert candidate.words[0] not in GENERIC, candidate
        assert candidate.words[-1] not in GENERIC, candidate


def test_extra_generic_words_are_respected():
    assert "harbour dredging" in found("Harbour dredging begins")
    assert "harbour dredging" not in {
        c.text for c in candidates("Harbour dredging begins", extra_generic=frozenset({"harbour"}))
    }
