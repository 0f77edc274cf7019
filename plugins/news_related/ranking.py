"""Related stories for every story of an archive, without Pelican.

A story's related stories are the best-scoring others among its text-similarity candidates, where

    score = text × cosine + tags × shared tags (Jaccard) + section × same section + time × 0.5^(days apart / half-life)

never the story itself nor a duplicate of it (same body, or linked by `near_duplicate_of`: see
`duplicate_groups`), and at most one story of each duplicate group. A story with no candidate gets the newest
stories of its own section instead, so the list is never empty while its section has others.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from .similarity import Analyzer, IndexLimits, SimilarityError, candidates, pair_cosines, tfidf_vectors

if TYPE_CHECKING:
    from news_reader.memo import TextMemo

SECONDS_PER_DAY = 86_400.0


@dataclasses.dataclass(frozen=True)
class Story:
    """What ranking needs to know of one story. `group`: stories sharing it are duplicates of each other."""

    key: str
    text: str
    section: str
    tags: tuple[str, ...]
    timestamp: float  # POSIX seconds
    group: str


@dataclasses.dataclass(frozen=True)
class Weights:
    """How much each signal counts; `half_life_days`: time apart at which closeness counts half."""

    text: float = 1.0
    tags: float = 0.3
    section: float = 0.1
    time: float = 0.1
    half_life_days: float = 30.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise SimilarityError(f"weight {field.name!r} is {value!r}; expected a number, 0 or more")
        if self.half_life_days <= 0:
            raise SimilarityError(f"half_life_days is {self.half_life_days!r}; expected a number above 0")


class _UnionFind:
    """Sets of positions joined pairwise; each set is named by its lowest position."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.root(i), self.root(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def duplicate_groups(keys: Sequence[str], fingerprints: Sequence[str], duplicate_of: Sequence[str | None]) -> list[str]:
    """A group name per story: stories with the same body fingerprint, or linked (in either direction, and
    through other stories) by `duplicate_of` naming another story's key, share one group."""
    sets = _UnionFind(len(keys))
    join, root = sets.join, sets.root
    by_key: dict[str, int] = {}
    by_fingerprint: dict[str, int] = {}
    for index, (key, fingerprint) in enumerate(zip(keys, fingerprints, strict=True)):
        by_key.setdefault(key, index)
        join(index, by_fingerprint.setdefault(fingerprint, index))
    for index, other in enumerate(duplicate_of):
        if other is not None and other in by_key:
            join(index, by_key[other])
    return [keys[root(i)] for i in range(len(keys))]


def candidate_count(max_related: int) -> int:
    """How many text candidates are scored per story: room for copies and duplicates among them."""
    return 4 * max_related + 10


# Two stories are copies of one report (another outlet's wording of the same wire story) when their texts have
# at least this cosine and they appeared at most COPY_WINDOW_DAYS apart. Measured on the benchmark corpus
# (10,000 Reuters items): at 0.9 and above nearly every pair is one report twice; from 0.8 to 0.9 many are
# routine reports on different events ("money market given 437 mln stg help" / "186 mln stg help"). The
# window keeps apart the same routine report on different days ("Fed adds reserves", 15 days apart, 0.93).
DUPLICATE_THRESHOLD = 0.9
COPY_WINDOW_DAYS = 2.0


def rank_related(
    stories: Sequence[Story],
    max_related: int,
    weights: Weights | None = None,
    limits: IndexLimits | None = None,
    memo: TextMemo[Any] | None = None,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
) -> list[tuple[int, ...]]:
    """For each story (by position), the positions of its related stories, best first. Deterministic: the
    same stories in the same order give the same result. `memo` keeps each text's term counts between builds.
    Two stories whose texts have a cosine of at least `duplicate_threshold`, at most COPY_WINDOW_DAYS apart, are
    copies (as well as those of one `group`): never related to each other, and at most one of them in any list
    (a threshold above 1: only the groups)."""
    if max_related < 0:
        raise SimilarityError(f"max_related is {max_related}; expected 0 or more")
    if not duplicate_threshold > 0:
        raise SimilarityError(f"duplicate_threshold is {duplicate_threshold}; expected a number above 0")
    weights = weights or Weights()
    total = len(stories)
    if total == 0 or max_related == 0:
        return [() for _ in stories]
    # Text: TF-IDF vectors, then a few candidates per story from the pruned inverted index.
    vectors = tfidf_vectors([s.text for s in stories], analyzer=Analyzer(), memo=memo)
    found = candidates(vectors, candidate_count(max_related), limits)
    # Score the candidates exactly, on every signal.
    left = np.repeat(np.arange(total), found.shape[1])
    right = found.ravel()
    valid = right >= 0
    scores = np.full(right.shape, -np.inf)
    pair_left, pair_right = left[valid], right[valid]
    text = pair_cosines(vectors, pair_left, pair_right)
    timestamps = np.array([s.timestamp for s in stories], dtype=np.float64)
    days = np.abs(timestamps[pair_left] - timestamps[pair_right]) / SECONDS_PER_DAY
    scores[valid] = _scores(stories, text, days, pair_left, pair_right, weights)
    # Pick per story: best first, then the lower position; skip duplicates of it and of what is picked.
    order = np.lexsort((right, -scores, left))
    ranked = right[order].reshape(found.shape)
    ranked_scores = scores[order].reshape(found.shape)
    copies = (text >= duplicate_threshold) & (days <= COPY_WINDOW_DAYS)
    groups = _joined(_group_numbers(stories), pair_left[copies], pair_right[copies])
    newest_in_section = _newest_by_section(stories)
    result: list[tuple[int, ...]] = []
    for index in range(total):
        picked: list[int] = []
        seen = {groups[index]}
        for other, score in zip(ranked[index].tolist(), ranked_scores[index].tolist(), strict=True):
            if score == -np.inf or len(picked) == max_related:
                break
            if groups[other] not in seen:
                seen.add(groups[other])
                picked.append(other)
        if not picked:  # no text match: the newest stories of its section
            for other in newest_in_section[stories[index].section]:
                if len(picked) == max_related:
                    break
                if groups[other] not in seen:
                    seen.add(groups[other])
                    picked.append(other)
        result.append(tuple(picked))
    return result


def _scores(
    stories: Sequence[Story], text: np.ndarray, days: np.ndarray, left: np.ndarray, right: np.ndarray, weights: Weights
) -> np.ndarray:
    """Each pair's score, given its text cosine and how many days apart the two are."""
    tag_matrix = _tag_matrix(stories)
    shared = pair_cosines(tag_matrix, left, right)  # 0/1 rows: the dot product counts shared tags
    sizes = np.diff(tag_matrix.indptr).astype(np.float64)
    union = sizes[left] + sizes[right] - shared
    tags = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    section_of = _numbers([s.section for s in stories])
    same_section = (section_of[left] == section_of[right]).astype(np.float64)
    closeness = np.power(0.5, days / weights.half_life_days)
    return weights.text * text + weights.tags * tags + weights.section * same_section + weights.time * closeness


def _tag_matrix(stories: Sequence[Story]) -> sp.csr_matrix:
    numbers: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    for story in stories:
        names = sorted({tag.casefold() for tag in story.tags})
        indices.extend(numbers.setdefault(name, len(numbers)) for name in names)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(stories), max(len(numbers), 1)))


def _numbers(values: Sequence[str]) -> np.ndarray:
    numbering: dict[str, int] = {}
    return np.array([numbering.setdefault(v, len(numbering)) for v in values], dtype=np.int64)


def _group_numbers(stories: Sequence[Story]) -> list[int]:
    return _numbers([s.group for s in stories]).tolist()


def _joined(groups: list[int], left: np.ndarray, right: np.ndarray) -> list[int]:
    """The group numbers with the groups of each (left, right) pair made one (the lower number)."""
    sets = _UnionFind(max(groups, default=-1) + 1)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        sets.join(groups[a], groups[b])
    return [sets.root(group) for group in groups]


def _newest_by_section(stories: Sequence[Story]) -> dict[str, list[int]]:
    """Per section, the positions of its stories, newest first (ties: lower position first)."""
    by_section: dict[str, list[int]] = {}
    for index in sorted(range(len(stories)), key=lambda i: (-stories[i].timestamp, i)):
        by_section.setdefault(stories[index].section, []).append(index)
    return by_section
