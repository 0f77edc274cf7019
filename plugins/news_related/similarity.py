"""Text similarity between news stories, without Pelican: TF-IDF vectors and a pruned inverted index.

What a story's text becomes (measured on the Lee corpus, see README.md):

- its words, lowercased, without common function words, reduced to their stem (Snowball's English stemmer:
  "elections" and "elected" both become "elect");
- the capitalised names it mentions ("Brian Greig", "West Australian"), each one feature, so two stories about
  the same people and places agree on more than their separate words;
- weighted by TF-IDF: 1 + ln(count) times ln((N + 1) / (df + 1)) + 1, each vector scaled to length 1, so the
  dot product of two vectors is their cosine similarity.

Finding each story's most similar ones among 100,000 is not done by comparing every pair. `candidates` asks
an inverted index (terms -> stories) with each story's strongest terms only, keeps each story's strongest
terms in the index, leaves out terms that most stories share, and keeps the best few matches per story;
`pair_cosines` then scores those few pairs exactly.
"""

from __future__ import annotations

import dataclasses
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import snowballstemmer

if TYPE_CHECKING:  # news_reader's memo: only its type here, this module needs no Pelican plugin to run
    from news_reader.memo import TextMemo

# Words that say little about what a story is about. Our own list: English function words, plus the
# reporting words every news story uses ("said", "told", "yesterday").
_STOP_WORDS_TEXT = """
    a about above after again against all almost also although always am among an and another any anyone
    anything are around as at away back be became because become been before being below between both but by
    can cannot could did do does doing done down during each either else enough even ever every few first for
    from further get gets got had has have having he her here hers herself him himself his how however i if in
    into is it its itself just last least less let like made make many may me might more most much must my
    myself neither never new next no nobody none nor not nothing now of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps please put quite rather really said
    same say says see seem seemed seems several shall she should since so some someone something sometimes
    still such than that the their theirs them themselves then there these they thing things this those though
    three through throughout thus to today together told too toward towards two under until up upon us very via
    was we week well were what whatever when whenever where whether which while who whoever whole whom whose
    why will with within without would year years yesterday yet you your yours yourself yourselves mr mrs ms
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD_RE = re.compile(r"[^\W\d_]+")  # runs of letters, accented ones too
# A run of capitalised words: "Brian Greig", "West Australian", "AMP".
_NAME_RE = re.compile(r"\b[A-Z][A-Za-z]+(?:[ \t]+[A-Z][A-Za-z]+)*")
_SENTENCE_END = frozenset(".!?:\"'“‘\n")
NAME_PREFIX = "name:"


class SimilarityError(Exception):
    """Bad input to the similarity functions (a parameter out of range)."""


class Analyzer:
    """Text -> term counts (stems and names). Keeps a cache of stems, so reuse one Analyzer for a corpus."""

    def __init__(self, language: str = "english") -> None:
        self.language = language
        self._stemmer = snowballstemmer.stemmer(language)
        self._stems: dict[str, str] = {}

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self._stemmer.stemWord(word)
        return stem

    def terms(self, text: str) -> Counter[str]:
        """Counts of the text's stems and names. A single capitalised word that starts a sentence is not a
        name (it is capitalised for the sentence's sake); names of two or more words always are."""
        stems = self._stems
        counts: Counter[str] = Counter()
        # Count the words first (in C), then stem each distinct word once.
        for word, count in Counter(_WORD_RE.findall(text.lower())).items():
            if len(word) > 1 and word not in STOP_WORDS:
                counts[stems.get(word) or self.stem(word)] += count
        for match in _NAME_RE.finditer(text):
            name = match.group(0)
            if " " not in name and "\t" not in name:
                before = match.start() - 1  # the last character before the name that is not a space
                while before >= 0 and text[before].isspace():
                    before -= 1
                if before < 0 or text[before] in _SENTENCE_END or name.lower() in STOP_WORDS:
                    continue
            counts[NAME_PREFIX + " ".join(name.lower().split())] += 1
        return counts


def tfidf_vectors(
    texts: Sequence[str],
    background: Iterable[str] = (),
    analyzer: Analyzer | None = None,
    memo: TextMemo[Any] | None = None,
) -> sp.csr_matrix:
    """One row per text: its TF-IDF vector of length 1 (float32). `background` texts only count for the
    document frequencies (IDF), as a bigger corpus of the same kind would. With a `memo`, each text's term
    counts come from it when an earlier build worked them out with the same analyzer."""
    analyzer = analyzer or Analyzer()
    vocabulary: dict[str, int] = {}
    counts = _count_matrix(sorted_terms(texts, analyzer, memo), vocabulary)
    background_counts = _count_matrix(sorted_terms(background, analyzer), vocabulary)
    width = len(vocabulary)
    counts = _widen(counts, width)
    background_counts = _widen(background_counts, width)
    documents = counts.shape[0] + background_counts.shape[0]
    frequency = np.bincount(counts.indices, minlength=width) + np.bincount(background_counts.indices, minlength=width)
    idf = (np.log((documents + 1) / (frequency + 1)) + 1).astype(np.float32)
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
    return normalise_rows(counts)


def sorted_terms(
    texts: Iterable[str], analyzer: Analyzer, memo: TextMemo[Any] | None = None
) -> Iterator[tuple[list[str], Sequence[int]]]:
    """Each text's terms in sorted order (so the vocabulary numbering, and the output, is deterministic) and
    their counts. A memo keeps them packed: the terms as one string, the counts as an array's bytes."""
    if memo is None:
        for text in texts:
            yield _in_order(analyzer.terms(text))
        return
    for joined, packed in memo.map(lambda text: _pack(analyzer.terms(text)), texts, text=str):
        numbers = array("I")
        numbers.frombytes(packed)
        yield (joined.split("\0") if joined else []), numbers


def _in_order(counts: Counter[str]) -> tuple[list[str], list[int]]:
    terms = sorted(counts)
    return terms, [counts[term] for term in terms]


def _pack(counts: Counter[str]) -> tuple[str, bytes]:
    terms, numbers = _in_order(counts)
    joined = "\0".join(terms)
    if joined.count("\0") != max(len(terms) - 1, 0):
        bad = next(term for term in terms if "\0" in term)
        raise SimilarityError(f"the term {bad!r} holds a NUL character: term counts with it cannot be kept in a memo")
    return joined, array("I", numbers).tobytes()


def _count_matrix(term_counts: Iterable[tuple[list[str], Sequence[int]]], vocabulary: dict[str, int]) -> sp.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    for terms, counts in term_counts:
        indices.extend([vocabulary.setdefault(term, len(vocabulary)) for term in terms])
        data.extend(counts)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, max(len(vocabulary), 1)),
    )


def _widen(matrix: sp.csr_matrix, width: int) -> sp.csr_matrix:
    return sp.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], max(width, 1)))


def normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row scaled to length 1 (empty rows stay empty)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1), dtype=np.float64).ravel())
    lengths[lengths == 0] = 1.0
    matrix.data /= np.repeat(lengths, np.diff(matrix.indptr)).astype(np.float32)
    return matrix


def cosine_all(vectors: sp.csr_matrix) -> np.ndarray:
    """Every pair's cosine similarity, as a dense square array: for small corpora (benchmarks, tests)."""
    return np.asarray((vectors @ vectors.T).toarray(), dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class IndexLimits:
    """How much of each vector the candidate search uses; defaults measured at 100,000 stories."""

    query_terms: int = 40  # a story asks the index with its strongest terms only
    index_terms: int = 60  # a story is found through its strongest terms only
    common_fraction: float = 0.03  # terms in more than this fraction of stories are not indexed ...
    common_floor: int = 500  # ... unless they are in fewer stories than this (small archives keep all)
    min_score: float = 0.02  # matches weaker than this on the pruned vectors are dropped
    chunk: int = 2000  # stories asked at once (memory: about chunk × matches per story)

    def __post_init__(self) -> None:
        for name in ("query_terms", "index_terms", "common_floor", "chunk"):
            if getattr(self, name) < 1:
                raise SimilarityError(f"IndexLimits.{name} is {getattr(self, name)}; expected 1 or more")
        if not 0 < self.common_fraction <= 1:
            raise SimilarityError(f"IndexLimits.common_fraction is {self.common_fraction}; expected 0 < x <= 1")


_RANKED_AT_ONCE = 1 << 20  # weights ranked in one go by strongest_terms: bounds its temporary arrays


def strongest_terms(vectors: sp.csr_matrix, count: int) -> sp.csr_matrix:
    """Each row with only its `count` largest weights (ties: the lower term number first)."""
    vectors = sp.csr_matrix(vectors)
    vectors.sort_indices()
    weights, bounds, total = vectors.data, vectors.indptr, vectors.shape[0]
    # The bits of a float32 of 0 or more sort as its value: one sort of (row << 32) | (2**32 - 1 - bits) orders
    # by row, then by weight, largest first (twice as fast as lexsort, in the same order).
    packed = weights.dtype == np.float32 and (not len(weights) or (weights.min() >= 0 and np.isfinite(weights).all()))
    keep = np.zeros(len(weights), dtype=bool)
    start = 0
    while start < total:  # rows start..stop-1, about _RANKED_AT_ONCE weights (one row at least)
        stop = int(np.searchsorted(bounds, bounds[start] + _RANKED_AT_ONCE, side="right")) - 1
        stop = min(max(stop, start + 1), total)
        low, high = int(bounds[start]), int(bounds[stop])
        if high > low:
            rows = np.repeat(np.arange(stop - start, dtype=np.int64), np.diff(bounds[start : stop + 1]))
            part = weights[low:high]
            if packed:
                key = rows.astype(np.uint64) << np.uint64(32)
                key |= np.uint32(0xFFFFFFFF) - part.view(np.uint32)
                order = np.argsort(key, kind="stable")  # stable: equal weights stay in term order
            else:
                order = np.lexsort((-part, rows))  # by row, then by weight, largest first; stable on term
            rank = np.empty(high - low, dtype=np.int64)
            rank[order] = np.arange(high - low) - (bounds[start:stop][rows[order]] - low)
            keep[low:high] = rank < count
        start = stop
    kept = vectors.copy()
    kept.data = np.where(keep, kept.data, 0).astype(np.float32)
    kept.eliminate_zeros()
    return kept


def candidates(vectors: sp.csr_matrix, count: int, limits: IndexLimits | None = None) -> np.ndarray:
    """For each row, up to `count` other rows most similar on the pruned vectors, best first (ties: lower
    row first); -1 pads rows with fewer matches. The row itself is never among them."""
    if count < 1:
        raise SimilarityError(f"count is {count}; expected 1 or more candidates per story")
    limits = limits or IndexLimits()
    total = vectors.shape[0]
    found = np.full((total, count), -1, dtype=np.int64)
    if total < 2:
        return found
    frequency = np.bincount(vectors.indices, minlength=vectors.shape[1])
    # A term of one story only cannot match another: leaving it out lets a query use terms that can.
    shared = (frequency >= 2) & (frequency <= max(limits.common_fraction * total, limits.common_floor))
    indexed_terms = shared.astype(np.float32)
    keep_terms = sp.diags(indexed_terms)
    queries = sp.csr_matrix(strongest_terms(vectors, limits.query_terms) @ keep_terms)
    queries.eliminate_zeros()
    index = sp.csr_matrix((strongest_terms(vectors, limits.index_terms) @ keep_terms).T)
    index.eliminate_zeros()
    wanted = count + 1  # the row itself may be among its best matches: it is dropped below
    for start in range(0, total, limits.chunk):
        stop = min(start + limits.chunk, total)
        scores = sp.csr_matrix(queries[start:stop] @ index)
        data, columns, bounds = scores.data, scores.indices, scores.indptr
        for offset in range(stop - start):
            row = start + offset
            values = data[bounds[offset] : bounds[offset + 1]]
            floor = limits.min_score
            if len(values) > wanted:  # only the best few matter: find the wanted-th best value first
                floor = max(floor, float(np.partition(values, len(values) - wanted)[len(values) - wanted]))
            chosen = np.flatnonzero(values >= floor)
            if not len(chosen):
                continue
            matches = columns[bounds[offset] + chosen]
            order = np.lexsort((matches, -values[chosen]))  # best first; ties: the lower row first
            best = matches[order]
            best = best[best != row][:count]
            found[row, : len(best)] = best
    return found


def pair_cosines(vectors: sp.csr_matrix, left: np.ndarray, right: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """The exact cosine of each pair (left[i], right[i]) of rows."""
    if left.shape != right.shape:
        raise SimilarityError(f"left has shape {left.shape} and right {right.shape}; expected the same")
    result = np.zeros(len(left), dtype=np.float64)
    for start in range(0, len(left), chunk):
        a = vectors[left[start : start + chunk]]
        b = vectors[right[start : start + chunk]]
        result[start : start + chunk] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return result
