"""Near-duplicate detection: wire copies found after light edits, different stories on one subject not."""

from __future__ import annotations

import random

from ingest.resemblance import MIN_WORDS, CopyIndex, fingerprint, resemblance

WIRE = (
    "Dock workers at Port Alder voted on Tuesday to accept a new three-year contract, ending a strike that "
    "had halted ferry and freight traffic across the strait for nine days. The agreement raises pay by "
    "four percent in each year and limits night shifts to three a week, union leaders said after the vote. "
    "Ferry operators expect full timetables to return by the weekend, though freight backlogs at the "
    "container terminal may take a fortnight to clear. Shipping agents said perishable cargo had been "
    "diverted to Tidewater during the stoppage, at a cost that importers have yet to put a figure on."
)
# The same copy as another outlet ran it: its own first line, two words changed, a closing line added.
REPUBLISHED = (
    "PORT ALDER (CivicWire) - Dock workers at Port Alder voted on Tuesday to accept a new three-year "
    "contract, ending a strike that had halted ferry and freight traffic across the strait for nine days. "
    "The deal raises pay by four percent in each year and limits night shifts to three a week, union "
    "leaders said after the vote. Ferry operators expect full timetables to return by the weekend, though "
    "freight backlogs at the container terminal may take two weeks to clear. Shipping agents said perishable "
    "cargo had been diverted to Tidewater during the stoppage, at a cost that importers have yet to put a "
    "figure on. Reporting by the CivicWire desk."
)
# The same event, reported in other words: a different article, not a copy.
OTHER_REPORT = (
    "The nine-day dock strike at Port Alder is over. Members backed the offer by a wide margin on Tuesday "
    "evening, and the first freight ship was unloaded within hours. Under the deal, wages rise four percent "
    "a year for three years and night work is capped. Commuters who rely on the ferries were relieved: "
    "operators say a full service will run again by Saturday. The terminal's backlog is the next problem, "
    "with hundreds of containers waiting on the quay and importers counting the cost of the diversion."
)


def test_a_lightly_edited_wire_copy_is_found() -> None:
    wire, republished = fingerprint(WIRE), fingerprint(REPUBLISHED)
    assert wire is not None
    assert republished is not None
    assert resemblance(wire, republished) >= 0.7
    index = CopyIndex()
    index.add("wire-story", wire)
    assert index.find(republished) == "wire-story"
    assert index.find(republished, exclude="wire-story") is None


def test_the_same_event_in_other_words_is_not_a_copy() -> None:
    wire, other = fingerprint(WIRE), fingerprint(OTHER_REPORT)
    assert wire is not None
    assert other is not None
    assert resemblance(wire, other) < 0.1
    index = CopyIndex()
    index.add("wire-story", wire)
    assert index.find(other) is None


def test_short_texts_have_no_fingerprint() -> None:
    assert fingerprint(" ".join(["word"] * (MIN_WORDS - 1))) is None
    assert fingerprint("Ferry strike ends") is None


def test_markdown_and_case_do_not_matter() -> None:
    marked = WIRE.replace("Dock workers", "**Dock workers**").replace("The agreement", "\n\n## The agreement")
    assert fingerprint(marked) == fingerprint(WIRE.upper())


def test_estimate_tracks_true_resemblance_and_the_index_finds_copies_among_many() -> None:
    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(3000)]
    texts = [[rng.choice(vocabulary) for _ in range(300)] for _ in range(400)]
    index = CopyIndex()
    for n, words in enumerate(texts):
        fp = fingerprint(" ".join(words))
        assert fp is not None
        index.add(f"doc{n}", fp)
    found = 0
    for n in range(0, 400, 8):
        edited = list(texts[n])
        for position in rng.sample(range(300), 6):  # six words changed in 300: resemblance about 0.85
            edited[position] = rng.choice(vocabulary)
        fp = fingerprint(" ".join(edited))
        assert fp is not None
        found += index.find(fp) == f"doc{n}"
    assert found >= 48  # of 50; a miss is possible in principle, two are already unlikely
    unrelated = fingerprint(" ".join(rng.choice(vocabulary) for _ in range(300)))
    assert unrelated is not None
    assert index.find(unrelated) is None
