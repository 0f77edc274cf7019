"""Story clusters and arcs from articles, without Pelican.

An article is a `StoryItem` (its text, time, tags and any front-matter override). Grouping runs in three steps:

1. Vectors. The text of each article becomes a TF-IDF vector with news_related's `Analyzer` (stems and
   capitalised names), extended here by the numbers it mentions ("6.1", "2040", "8.5%": two earthquakes or two
   rate decisions differ in their figures more than in their words) and by its tags. The headline counts twice.
2. Links. news_related's `candidates` finds each article's most similar others through a pruned inverted index
   (nothing compares every pair); each candidate pair is scored exactly and weighted by how close in time the two
   are (pairs further apart than the event window are not linked at all).
3. Average linkage. Starting from one cluster per article, the two clusters with the highest average link
   (the sum of the links between their articles over the number of pairs, a missing link counting 0) merge,
   while that average is at least the threshold. An average over every pair does not chain like "any link
   joins" does: an article that mentions two events does not glue them together.

A story's id is the id of the article that entered the archive first (front matter `added`, else its date), so it
stays the same when other articles join it, an older report found later among them. Arcs thread stories
(chapters) in time order: each story continues the arc of the most similar of the arcs' last few chapters, when
similar enough and at most `arc_gap_days` after it; otherwise it may start an arc. An arc never merges with
another, so a story that resembles two threads does not glue them into one.
"""

from __future__ import annotations

import dataclasses
import heapq
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from news_related.similarity import (
    Analyzer,
    IndexLimits,
    candidates,
    normalise_rows,
    pair_cosines,
    tfidf_vectors,
)

if TYPE_CHECKING:
    from news_reader.memo import TextMemo

SECONDS_PER_DAY = 86_400.0
NUMBER_PREFIX = "num:"
TAG_PREFIX = "tag:"
NO_STORY = "none"

# A figure worth a feature: at least two digits, or a decimal ("6.1"), optionally a percentage.
_NUMBER_RE = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?%?)(?![\w])")


class ClusteringError(Exception):
    """Bad input to the clustering functions (a parameter out of range, an unknown forced story)."""


@dataclasses.dataclass(frozen=True)
class StoryItem:
    """What clustering needs of one article. `forced`: None (automatic), "none" (in no story) or a story id.
    `arc`: None (automatic), "none" (its story in no arc) or an arc key that stories share."""

    key: str
    title: str
    text: str
    timestamp: float  # POSIX seconds
    tags: tuple[str, ...] = ()
    forced: str | None = None
    arc: str | None = None
    added: float | None = None  # POSIX seconds when it entered the archive (front matter `added`); None: timestamp

    @property
    def entered(self) -> float:
        return self.timestamp if self.added is None else self.added


@dataclasses.dataclass(frozen=True)
class ClusterParams:
    """How close articles must be to be one story, and stories to be one arc (defaults measured on ECB+ and
    the sample archive, see README.md)."""

    threshold: float = 0.22  # average link (weighted cosine) at which two clusters still merge
    window_days: float = 3.0  # articles further apart than this are never linked directly
    half_life_days: float = 2.0  # a link counts half at this many days apart
    neighbours: int = 20  # text candidates per article
    min_link: float = 0.05  # weaker links are dropped before linkage (they count 0)
    arc_threshold: float = 0.3  # cosine of two stories' centroids for an arc link
    arc_gap_days: float = 14.0  # the longest gap between one chapter of an arc and the next
    arc_min_chapters: int = 3  # fewer chapters: not an arc
    arc_min_span_days: float = 4.0  # an arc runs at least this long from its first chapter to its last
    arc_recent_chapters: int = 3  # a story continues an arc from one of its last this many chapters

    def __post_init__(self) -> None:
        for name in ("threshold", "min_link", "arc_threshold"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ClusteringError(f"ClusterParams.{name} is {value!r}; expected a number above 0, at most 1")
        for name in ("window_days", "half_life_days", "arc_gap_days", "arc_min_span_days"):
            if getattr(self, name) <= 0:
                raise ClusteringError(f"ClusterParams.{name} is {getattr(self, name)!r}; expected a number above 0")
        for name in ("neighbours", "arc_min_chapters", "arc_recent_chapters"):
            if getattr(self, name) < 1:
                raise ClusteringError(f"ClusterParams.{name} is {getattr(self, name)!r}; expected 1 or more")


@dataclasses.dataclass(frozen=True)
class Cluster:
    """One story: its id and its members' positions, earliest first (ties: by key)."""

    ident: str
    members: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Arc:
    """A developing story: its key, its name's source (an override or None) and its chapters (clusters by
    position in the cluster list), earliest first."""

    key: str
    name: str | None
    chapters: tuple[int, ...]


class StoryAnalyzer(Analyzer):
    """news_related's terms plus the figures a text mentions: a year, a magnitude, a percentage."""

    def terms(self, text: str) -> Counter[str]:
        counts = super().terms(text)
        for number in _NUMBER_RE.findall(text):
            figure = number.replace(",", ".")
            if len(figure.rstrip("%")) >= 2:
                counts[NUMBER_PREFIX + figure] += 1
        return counts


def item_text(item: StoryItem) -> str:
    """What the vectors are made of: the headline twice (it names the event), the text and the tags."""
    tags = " ".join(f"{TAG_PREFIX}{'_'.join(t.casefold().split())}" for t in item.tags)
    return f"{item.title}\n\n{item.title}\n\n{item.text}\n\n{tags}"


def story_vectors(
    items: Sequence[StoryItem], analyzer: Analyzer | None = None, memo: TextMemo[Any] | None = None
) -> sp.csr_matrix:
    """One TF-IDF row of length 1 per item (each item's term counts from `memo` when it has them)."""
    return tfidf_vectors([item_text(item) for item in items], analyzer=analyzer or StoryAnalyzer(), memo=memo)


# --- links ------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Links:
    """Undirected weighted links between items: left[i] < right[i], weight in (0, 1]."""

    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray


def text_candidates(vectors: sp.csr_matrix, params: ClusterParams, limits: IndexLimits | None = None) -> np.ndarray:
    """Each item's most similar others by text (news_related's candidate search), -1 padded; computed once
    for both the stories and the arcs."""
    total = vectors.shape[0]
    if total < 2:
        return np.full((total, 1), -1, dtype=np.int64)
    return candidates(vectors, min(params.neighbours, total - 1), limits)


def find_links(vectors: sp.csr_matrix, timestamps: np.ndarray, params: ClusterParams, found: np.ndarray) -> Links:
    """The candidate pairs, scored exactly and weighted by closeness in time."""
    total = vectors.shape[0]
    if total < 2:
        empty = np.zeros(0, dtype=np.int64)
        return Links(empty, empty, np.zeros(0, dtype=np.float64))
    left = np.repeat(np.arange(total, dtype=np.int64), found.shape[1])
    right = found.ravel()
    valid = right >= 0
    left, right = left[valid], right[valid]
    left, right = np.minimum(left, right), np.maximum(left, right)
    pairs = np.unique(left * total + right)  # each pair once, in order
    left, right = pairs // total, pairs % total
    days = np.abs(timestamps[left] - timestamps[right]) / SECONDS_PER_DAY
    close = days <= params.window_days
    left, right, days = left[close], right[close], days[close]
    weight = pair_cosines(vectors, left, right) * np.power(0.5, days / params.half_life_days)
    strong = weight >= params.min_link
    return Links(left[strong], right[strong], weight[strong])


# --- average linkage --------------------------------------------------------------------------------------


def average_linkage(total: int, links: Links, threshold: float, cannot: Sequence[int] = ()) -> list[int]:
    """A cluster number per item: clusters merge, best average link first, while it is >= threshold. Items
    in `cannot` stay alone. Deterministic: ties go to the pair with the lower numbers."""
    size = [1] * total
    neighbours: list[dict[int, float]] = [{} for _ in range(total)]
    alone = set(cannot)
    for a, b, w in zip(links.left.tolist(), links.right.tolist(), links.weight.tolist(), strict=True):
        if a in alone or b in alone:
            continue
        neighbours[a][b] = neighbours[a].get(b, 0.0) + w
        neighbours[b][a] = neighbours[b].get(a, 0.0) + w
    heap = [(-w / 1.0, a, b) for a in range(total) for b, w in neighbours[a].items() if a < b and w >= threshold]
    heapq.heapify(heap)
    parent = list(range(total))
    alive = [True] * total
    while heap:
        negative, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        current = neighbours[a].get(b)
        if current is None or abs(current / (size[a] * size[b]) + negative) > 1e-12:
            continue  # a stale entry: the pair's average changed since it was pushed
        # Merge the smaller cluster into the larger (ties: into the lower number); it keeps that number.
        keep, gone = (a, b) if (size[a], -a) >= (size[b], -b) else (b, a)
        alive[gone] = False
        parent[gone] = keep
        size[keep] += size[gone]
        del neighbours[keep][gone]
        for other, w in neighbours[gone].items():
            if other == keep:
                continue
            del neighbours[other][gone]
            merged = neighbours[keep].get(other, 0.0) + w
            neighbours[keep][other] = merged
            neighbours[other][keep] = merged
        neighbours[gone] = {}
        for other, w in neighbours[keep].items():
            average = w / (size[keep] * size[other])
            if average >= threshold:
                heapq.heappush(heap, (-average, min(keep, other), max(keep, other)))
    labels = []
    for item in range(total):
        root = item
        while parent[root] != root:
            root = parent[root]
        labels.append(root)
    return labels


# --- stories ----------------------------------------------------------------------------------------------


def story_id(items: Sequence[StoryItem], members: Sequence[int]) -> str:
    """A story's id: the key of the article that entered the archive first (`added`, then its date, then its
    key), so it stays the same while other articles join it, an older report found later among them."""
    first = min(members, key=lambda i: (items[i].entered, items[i].timestamp, items[i].key))
    return items[first].key


def cluster_items(
    items: Sequence[StoryItem],
    params: ClusterParams | None = None,
    vectors: sp.csr_matrix | None = None,
    found: np.ndarray | None = None,
) -> list[Cluster]:
    """Every item in exactly one cluster (singletons included), ordered by their earliest member's time.

    Overrides: items forced to the same story id are one cluster (with whatever else joins them by text);
    items with `forced == "none"` are alone."""
    params = params or ClusterParams()
    total = len(items)
    if total == 0:
        return []
    if vectors is None:
        vectors = story_vectors(items)
    timestamps = np.array([item.timestamp for item in items], dtype=np.float64)
    if found is None:
        found = text_candidates(vectors, params)
    links = find_links(vectors, timestamps, params, found)
    # A story named in front matter: its items are linked to each other with full weight.
    forced: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if item.forced and item.forced != NO_STORY:
            forced.setdefault(item.forced, []).append(index)
    if forced:
        extra_left, extra_right = [], []
        for members in forced.values():
            for a in members:
                for b in members:
                    if a < b:
                        extra_left.append(a)
                        extra_right.append(b)
        links = Links(
            np.concatenate([links.left, np.array(extra_left, dtype=np.int64)]),
            np.concatenate([links.right, np.array(extra_right, dtype=np.int64)]),
            np.concatenate([links.weight, np.full(len(extra_left), 1e6)]),
        )
        links = _drop_between_forced(links, items)
    alone = [i for i, item in enumerate(items) if item.forced == NO_STORY]
    labels = average_linkage(total, links, params.threshold, alone)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    clusters = []
    for members in groups.values():
        ordered = tuple(sorted(members, key=lambda i: (timestamps[i], items[i].key)))
        named = sorted({str(items[i].forced) for i in ordered if items[i].forced and items[i].forced != NO_STORY})
        ident = named[0] if named else story_id(items, ordered)
        clusters.append(Cluster(ident, ordered))
    clusters.sort(key=lambda c: (timestamps[c.members[0]], items[c.members[0]].key))
    return clusters


def _drop_between_forced(links: Links, items: Sequence[StoryItem]) -> Links:
    """No link between two items forced into different stories."""
    named = np.array([item.forced if item.forced and item.forced != NO_STORY else "" for item in items], dtype=object)
    a, b = named[links.left], named[links.right]
    keep = ~((a != "") & (b != "") & (a != b))
    return Links(links.left[keep], links.right[keep], links.weight[keep])


# --- arcs -------------------------------------------------------------------------------------------------


def cluster_centroids(vectors: sp.csr_matrix, clusters: Sequence[Cluster]) -> sp.csr_matrix:
    """One row per cluster: the sum of its members' vectors, scaled to length 1."""
    empty = np.zeros(0, dtype=np.int64)
    rows = np.concatenate([np.full(len(c.members), i) for i, c in enumerate(clusters)]) if clusters else empty
    columns = np.concatenate([np.array(c.members) for c in clusters]) if clusters else empty
    membership = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(len(clusters), vectors.shape[0])
    )
    return normalise_rows(membership @ vectors)


def find_arcs(
    items: Sequence[StoryItem],
    clusters: Sequence[Cluster],
    vectors: sp.csr_matrix,
    params: ClusterParams | None = None,
    found: np.ndarray | None = None,
) -> list[Arc]:
    """Threads of clusters that keep coming back to the same subject. Clusters are taken in time order; each
    continues the arc of the earlier cluster it is most like (centroid cosine at least `arc_threshold`, starting
    at most `arc_gap_days` after that one ends), provided that cluster is one of its arc's last
    `arc_recent_chapters` chapters (a story that develops drifts from where it began, but follows on from where
    it got to); otherwise it starts a thread of its own. Threads never merge: with "any link joins", generic
    stories chained most of a 10,000-article archive into one arc of 1,843 chapters. Taking clusters in time
    order also means a newer story never changes the arcs of older ones. Overrides: an `arc` key on any article
    puts its cluster in that arc (and takes it out of the automatic ones), "none" keeps it out of every arc."""
    params = params or ClusterParams()
    if not clusters:
        return []
    starts = np.array([items[c.members[0]].timestamp for c in clusters], dtype=np.float64)
    ends = np.array([max(items[i].timestamp for i in c.members) for c in clusters], dtype=np.float64)
    entered = [min(items[i].entered for i in c.members) for c in clusters]
    override: list[str | None] = []
    for cluster in clusters:
        keys = sorted({str(items[i].arc) for i in cluster.members if items[i].arc})
        override.append(keys[0] if keys else None)
    total = len(clusters)
    # Time order: by start, then id (the same archive gives the same threads).
    order = sorted(range(total), key=lambda c: (starts[c], clusters[c].ident))
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total)
    earlier_links: list[list[tuple[float, int]]] = [[] for _ in range(total)]
    if total > 1:
        # Candidate chapter pairs: the clusters of the items' text candidates.
        if found is None:
            found = text_candidates(vectors, params)
        centroids = cluster_centroids(vectors, clusters)
        label = np.empty(vectors.shape[0], dtype=np.int64)
        for number, cluster in enumerate(clusters):
            label[list(cluster.members)] = number
        items_left = np.repeat(np.arange(vectors.shape[0], dtype=np.int64), found.shape[1])
        items_right = found.ravel()
        valid = items_right >= 0
        left, right = label[items_left[valid]], label[items_right[valid]]
        left, right = np.minimum(left, right), np.maximum(left, right)
        pairs = np.unique(left[left != right] * total + right[left != right])
        left, right = pairs // total, pairs % total
        cosine = pair_cosines(centroids, left, right)
        # The gap between two chapters: from the end of the earlier one to the start of the later one.
        gap = np.maximum(starts[left], starts[right]) - np.minimum(ends[left], ends[right])
        chosen = (cosine >= params.arc_threshold) & (gap <= params.arc_gap_days * SECONDS_PER_DAY)
        for a, b, value in zip(left[chosen].tolist(), right[chosen].tolist(), cosine[chosen].tolist(), strict=True):
            if override[a] is None and override[b] is None:
                first, second = (a, b) if rank[a] < rank[b] else (b, a)
                earlier_links[second].append((value, first))
    thread: list[int] = list(range(total))  # each cluster's arc, named by its first cluster
    recent: dict[int, list[int]] = {}  # an arc's last chapters, newest last
    for position in order:
        if override[position] is not None:
            continue
        best: tuple[float, int] | None = None
        for value, earlier in earlier_links[position]:
            arc = thread[earlier]
            if earlier in recent[arc] and (best is None or (value, -rank[earlier]) > (best[0], -rank[best[1]])):
                best = (value, earlier)
        if best is not None:
            thread[position] = thread[best[1]]
        tail = recent.setdefault(thread[position], [])
        tail.append(position)
        del tail[: -params.arc_recent_chapters]
    groups: dict[str, list[int]] = {}
    for index in range(total):
        key = override[index]
        if key == NO_STORY:
            continue
        groups.setdefault(key if key else f"auto:{thread[index]}", []).append(index)
    arcs = []
    for key, chapters in groups.items():
        ordered = tuple(sorted(chapters, key=lambda c: (starts[c], clusters[c].ident)))
        span = starts[ordered[-1]] - starts[ordered[0]]
        automatic = key.startswith("auto:")
        if automatic and (len(ordered) < params.arc_min_chapters or span < params.arc_min_span_days * SECONDS_PER_DAY):
            continue
        if not automatic and len(ordered) < 2:
            continue
        # An automatic arc is named after the chapter that entered the archive first (its id, as a story's).
        first = min(ordered, key=lambda c: (entered[c], starts[c], clusters[c].ident))
        arc_key = clusters[first].ident if automatic else key
        arcs.append(Arc(arc_key, None, ordered))
    arcs.sort(key=lambda a: (starts[a.chapters[0]], a.key))
    return arcs
