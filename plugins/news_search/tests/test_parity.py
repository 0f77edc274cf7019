"""Parity with lunr.js 2.3.9 on every golden set in ../shared: the index we build, queried whole and sharded
in real lunr.js under node, answers every golden query as lunr.js did; the pipeline agrees word by word."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from news_search.parity import LUNR_JS, PIPELINE_REQUIRED, check_pipeline_vectors, check_set, load_set

GOLDEN = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "lunr" / "golden-lunrjs-2.3.9"
SETS = sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.json").is_file()) if GOLDEN.is_dir() else []


def need_golden() -> None:
    if not GOLDEN.is_dir():
        pytest.skip(f"../shared/corpora not present ({GOLDEN} is missing): the lunr.js golden sets live there")


def need_node() -> None:
    if shutil.which("node") is None or not LUNR_JS.is_file():
        pytest.skip("node or node_modules/lunr is missing: install Node.js and run `npm ci`")


def test_pipeline_vectors_agree_with_lunrjs():
    need_golden()
    parity = check_pipeline_vectors(GOLDEN / "pipeline-vectors")
    for same, total in (parity.stemmer, parity.pipeline):
        assert same / total >= PIPELINE_REQUIRED, parity.examples
    assert parity.tokenizer[0] == parity.tokenizer[1], parity.examples


@pytest.mark.parametrize("name", SETS or ["(no sets)"])
def test_golden_set_queries_are_identical(name: str):
    need_golden()
    need_node()
    golden = load_set(GOLDEN / name)
    if golden.language and golden.language != ("en",):
        pytest.skip(
            f"{name} needs lunr-languages {list(golden.language)}: the archive indexes with lunr's English pipeline"
        )
    parity = check_set(GOLDEN / name)
    for label, outcomes in (("whole", parity.whole), ("sharded", parity.sharded)):
        wrong = [f"{o.query!r}: {o.why}" for o in outcomes if not o.identical]
        assert wrong == [], f"{name} ({label} index): {len(wrong)}/{len(outcomes)} queries differ"
    assert parity.terms_identical
    assert parity.vectors_identical == parity.vectors_total
