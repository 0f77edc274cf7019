"""news_related.similarity: terms, TF-IDF vectors, the pruned candidate search, and quality on the Lee corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from news_related.benchmark import lee_pearson
from news_related.similarity import (
    NAME_PREFIX,
    Analyzer,
    IndexLimits,
    SimilarityError,
    candidates,
    cosine_all,
    pair_cosines,
    strongest_terms,
    tfidf_vectors,
)

LEE = Path(__file__).resolve().parents[3].parent / "shared" / "corpora" / "lee-news-similarity"

STORIES = [
    "Ferry crews walk out at Port Alder after pay talks with the operator collapse.",
    "Port Alder ferry strike enters a second day; commuters to Gull Island stranded.",
    "The ferry operator and the union agree a pay deal, ending the Port Alder strike.",
    "Astronomers in Northfield spot a faint comet near Orion with a backyard telescope.",
    "The Northfield comet brightens; observatories expect it visible without a telescope.",
    "Central bank raises interest rates by half a point as inflation climbs.",
    "Mortgage holders brace for higher repayments after the interest rate rise.",
    "A sourdough bakery opens on Mill Lane; loaves sell out before breakfast.",
]


def test_terms_are_stems_without_function_words():
    terms = Analyzer().terms("the elections were elected by the electing voters")
    assert terms["elect"] == 3
    assert "the" not in terms
    assert "were" not in terms
    assert terms["voter"] == 1


def test_names_are_features_but_not_sentence_starts():
    terms = Analyzer().terms("Senator Brian Greig spoke. Members agreed with Greig and the West Australian branch.")
    assert terms[NAME_PREFIX + "senator brian greig"] == 1
    assert terms[NAME_PREFIX + "greig"] == 1  # a single capitalised word inside a sentence is a name
    assert terms[NAME_PREFIX + "west australian"] == 1
    assert NAME_PREFIX + "members" not in terms  # capitalised only because it starts the sentence


def test_accented_words_stay_whole():
    terms = Analyzer().terms("la cumbre climática in Łódź")
    assert "climática" in terms  # not "clim" and "tica"
    assert "łódź" in terms


def test_vectors_have_unit_length_and_cosine_bounds():
    vectors = tfidf_vectors(STORIES)
    lengths = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    assert np.allclose(lengths, 1.0, atol=1e-5)
    similarity = cosine_all(vectors)
    assert np.allclose(np.diag(similarity), 1.0, atol=1e-5)
    assert similarity[0, 1] > similarity[0, 3]  # two ferry-strike stories, not a ferry and a comet
    assert similarity[3, 4] > similarity[3, 5]
    assert similarity[0, 7] == pytest.approx(0.0)


def test_background_changes_idf_only():
    alone = tfidf_vectors(STORIES[:2])
    with_background = tfidf_vectors(STORIES[:2], background=["Port Alder ferry"] * 20)
    assert alone.shape[0] == with_background.shape[0] == 2
    # what the two share is common in the background: they look less alike through it
    assert cosine_all(with_background)[0, 1] < cosine_all(alone)[0, 1]


def test_candidates_without_pruning_are_the_exact_nearest():
    vectors = tfidf_vectors(STORIES)
    exact = cosine_all(vectors)
    unpruned = IndexLimits(query_terms=10_000, index_terms=10_000, common_fraction=1.0, min_score=1e-9)
    found = candidates(vectors, 3, unpruned)
    for row, picks in enumerate(found):
        scores = [exact[row, j] for j in picks if j >= 0]
        assert row not in picks
        assert scores == sorted(scores, reverse=True)
        others = sorted((exact[row, j] for j in range(len(STORIES)) if j != row and exact[row, j] > 1e-9), reverse=True)
        assert scores == pytest.approx(others[:3], abs=1e-6)


def test_candidates_leave_out_common_terms_and_pad():
    texts = ["apple pie", "apple tart", "apple crumble", "banana split", "banana bread"]
    vectors = tfidf_vectors(texts)
    # "apple" is in 3 of 5 stories: above 40 % it is not indexed, so the apple desserts find nothing.
    found = candidates(vectors, 2, IndexLimits(common_fraction=0.4, common_floor=1, min_score=1e-9))
    assert found[0].tolist() == [-1, -1]
    assert found[3].tolist() == [4, -1]
    everything = candidates(vectors, 2, IndexLimits(min_score=1e-9))
    assert set(everything[0].tolist()) == {1, 2}


def test_strongest_terms_keeps_the_largest_weights():
    vectors = tfidf_vectors(STORIES)
    kept = strongest_terms(vectors, 2)
    assert (np.diff(kept.indptr) <= 2).all()
    for row in range(len(STORIES)):
        full = np.sort(vectors[row].data)[::-1][:2]
        assert np.sort(kept[row].data)[::-1] == pytest.approx(full)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_strongest_terms_breaks_ties_by_term_and_keeps_count_per_row(dtype):
    """Against the definition: per row, the `count` largest weights, equal weights by lower term number."""
    rng = np.random.default_rng(7)
    rows, columns = rng.integers(0, 300, size=6000), rng.integers(0, 80, size=6000)
    weights = np.round(rng.random(6000) * 10) / 10  # many ties, and zeros
    vectors = sp.csr_matrix((weights.astype(dtype), (rows, columns)), shape=(300, 80))
    vectors.sum_duplicates()
    for count in (1, 3, 12, 100):
        kept = strongest_terms(vectors, count).toarray()
        for row in range(300):
            line = vectors[row]
            ranked = sorted(zip(-line.data, line.indices, strict=True))[:count]  # largest first, then lower term
            expected = np.zeros(80, dtype=np.float32)
            for negative, term in ranked:
                expected[term] = -negative
            assert np.array_equal(kept[row], expected), (count, row)


def test_pair_cosines_match_all_pairs():
    vectors = tfidf_vectors(STORIES)
    exact = cosine_all(vectors)
    left, right = np.array([0, 3, 5, 7]), np.array([1, 4, 6, 0])
    assert pair_cosines(vectors, left, right, chunk=3) == pytest.approx(exact[left, right], abs=1e-6)


def test_bad_parameters_are_named():
    with pytest.raises(SimilarityError, match="count is 0"):
        candidates(tfidf_vectors(STORIES), 0)
    with pytest.raises(SimilarityError, match="query_terms"):
        IndexLimits(query_terms=0)


def test_lee_pearson_is_at_least_0_60():
    if not LEE.is_dir():
        pytest.skip("../shared/corpora not present: the Lee corpus (lee-news-similarity) is needed")
    result = lee_pearson(LEE)
    assert result.pairs == 1225
    assert result.pearson >= 0.60


def test_term_counts_kept_in_a_memo_give_the_same_vectors(tmp_path):
    """tfidf_vectors with news_reader's TextMemo: a second run reads every text's counts from the memo and
    gives exactly the vectors computed from the texts."""
    from news_reader.memo import TextMemo

    settings = {"CACHE_PATH": str(tmp_path), "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}
    texts = [*STORIES, ""]  # an empty text has no terms
    plain = tfidf_vectors(texts)
    for computed in (len(texts), 0):
        memo = TextMemo.for_build(settings, "terms", "v1")
        kept = tfidf_vectors(texts, memo=memo)
        memo.save()
        assert memo.computed == computed
        assert (kept != plain).nnz == 0
        assert kept.shape == plain.shape
        assert np.array_equal(kept.indices, plain.indices)
        assert np.array_equal(kept.indptr, plain.indptr)
