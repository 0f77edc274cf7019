"""What `invoke bench-stories` measures: story-clustering quality on ECB+ and UCI, and time at scale.

- ECB+ (982 articles, 86 events, no dates): every article at the same time, clustered with the plugin's
  defaults; scored by ../shared/tools/score_clustering.py against gold_subtopic.tsv.
- UCI News Aggregator subset (6,366 headlines with Google News' story ids and timestamps; the cut-off last row
  dropped): headlines only, with their times.
- Scale: N articles of ../shared/corpora/news-text (benchmarks/corpus.py, date-shifted copies beyond ~29k),
  vectors + clustering + arcs timed.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .clustering import Cluster, ClusterParams, StoryItem, cluster_items, find_arcs, story_vectors, text_candidates


class BenchmarkError(Exception):
    """A corpus or the scoring tool is missing or not in the expected shape."""


def ecbplus_items(folder: Path) -> list[StoryItem]:
    """ECB+ documents as items: the lead as headline, the text as body. The `part`, `subtopic`, `url` and the
    document ids' suffixes give the answer away and are not used."""
    path = folder / "ecbplus_docs.jsonl"
    if not path.is_file():
        raise BenchmarkError(f"{path}: missing; the benchmark needs ../shared/corpora/story-clusters/ecbplus")
    items = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            items.append(StoryItem(key=doc["doc_id"], title=doc.get("lead") or "", text=doc["text"], timestamp=0.0))
    return items


def uci_items(folder: Path) -> list[StoryItem]:
    """UCI headlines with their times; the last row of the file is cut off mid-row and is dropped."""
    path = folder / "uci-news-aggregator.first6367.csv"
    if not path.is_file():
        raise BenchmarkError(f"{path}: missing; the benchmark needs ../shared/corpora/story-clusters/uci-*")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows = rows[:-1]  # the cut-off row
    return [StoryItem(key=r["ID"], title=r["TITLE"], text="", timestamp=int(r["TIMESTAMP"]) / 1000.0) for r in rows]


def score(gold: Path, clusters: Sequence[Cluster], items: Sequence[StoryItem], tool: Path) -> dict[str, float]:
    """Write the prediction file and run the shared scorer on it; its metrics as numbers."""
    if not tool.is_file():
        raise BenchmarkError(f"{tool}: missing; the benchmark needs ../shared/tools/score_clustering.py")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as out:
        out.write("item_id\tcluster_id\n")
        for cluster in clusters:
            for member in cluster.members:
                out.write(f"{items[member].key}\t{cluster.ident}\n")
        predicted = out.name
    try:
        done = subprocess.run(
            [sys.executable, str(tool), str(gold), predicted], capture_output=True, text=True, check=False
        )
    finally:
        Path(predicted).unlink(missing_ok=True)
    if done.returncode != 0:
        raise BenchmarkError(f"{tool} failed on {gold}: {done.stderr.strip()}")
    metrics: dict[str, float] = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("\t")
        metrics[name] = float(value)
    return metrics


@dataclasses.dataclass(frozen=True)
class QualityRow:
    corpus: str
    items: int
    clusters: int
    gold_clusters: int
    bcubed_f1: float
    bcubed_p: float
    bcubed_r: float
    ari: float
    seconds: float


def quality(name: str, items: list[StoryItem], gold: Path, tool: Path, params: ClusterParams) -> QualityRow:
    started = time.perf_counter()
    clusters = cluster_items(items, params)
    seconds = time.perf_counter() - started
    metrics = score(gold, clusters, items, tool)
    return QualityRow(
        corpus=name,
        items=len(items),
        clusters=int(metrics["n_pred_clusters"]),
        gold_clusters=int(metrics["n_gold_clusters"]),
        bcubed_f1=round(metrics["bcubed_f1"], 4),
        bcubed_p=round(metrics["bcubed_p"], 4),
        bcubed_r=round(metrics["bcubed_r"], 4),
        ari=round(metrics["ari"], 4),
        seconds=round(seconds, 3),
    )


def scale_run(count: int, news_text: Path) -> dict[str, Any]:
    """Vectors, stories and arcs for `count` corpus articles, timed; peak memory of the process."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.corpus import CorpusError, scaled_documents

    try:
        documents = list(scaled_documents(count, news_text))
    except CorpusError as error:
        raise BenchmarkError(str(error)) from None
    items = [
        StoryItem(
            key=d.ident, title=d.title, text=f"{d.summary}\n\n{d.body}", timestamp=d.date.timestamp(), tags=d.tags
        )
        for d in documents
    ]
    del documents
    started = time.perf_counter()
    vectors = story_vectors(items)
    vectorised = time.perf_counter()
    found = text_candidates(vectors, ClusterParams())
    clusters = cluster_items(items, vectors=vectors, found=found)
    clustered = time.perf_counter()
    arcs = find_arcs(items, clusters, vectors, found=found)
    finished = time.perf_counter()
    return {
        "articles": count,
        "seconds_total": round(finished - started, 2),
        "seconds_vectors": round(vectorised - started, 2),
        "seconds_clusters": round(clustered - vectorised, 2),
        "seconds_arcs": round(finished - clustered, 2),
        "stories_2_plus": sum(1 for c in clusters if len(c.members) > 1),
        "arcs": len(arcs),
        "longest_arc_chapters": max((len(arc.chapters) for arc in arcs), default=0),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def run(corpora: Path, tool: Path, articles: int, out: Path) -> Iterator[str]:
    """The benchmark, as printed lines; the last one is the ECB+ summary. Writes `out` (JSON)."""
    params = ClusterParams()
    clusters_folder = corpora / "story-clusters"
    uci = quality(
        "UCI headlines",
        uci_items(clusters_folder / "uci-news-aggregator-subset"),
        clusters_folder / "uci-news-aggregator-subset" / "gold_story.tsv",
        tool,
        params,
    )
    ecb = quality(
        "ECB+ events",
        ecbplus_items(clusters_folder / "ecbplus"),
        clusters_folder / "ecbplus" / "gold_subtopic.tsv",
        tool,
        params,
    )
    scale = scale_run(articles, corpora / "news-text") if articles else None
    header = ("items", "clusters", "gold", "B3 P", "B3 R", "B3 F1", "ARI", "s")
    yield f"{'corpus':<14} " + " ".join(f"{name:>{max(len(name), 6)}}" for name in header)
    for row in (uci, ecb):
        yield (
            f"{row.corpus:<14} {row.items:>6} {row.clusters:>8} {row.gold_clusters:>5} {row.bcubed_p:>6.3f} "
            f"{row.bcubed_r:>6.3f} {row.bcubed_f1:>6.3f} {row.ari:>6.3f} {row.seconds:>6.2f}"
        )
    if scale:
        yield (
            f"scale: {scale['articles']} articles in {scale['seconds_total']:.1f} s (vectors "
            f"{scale['seconds_vectors']:.1f}, stories {scale['seconds_clusters']:.1f}, arcs "
            f"{scale['seconds_arcs']:.1f}); {scale['stories_2_plus']} stories of 2+, {scale['arcs']} arcs "
            f"(the longest {scale['longest_arc_chapters']} chapters); peak {scale['peak_mib']:.0f} MiB"
        )
    result = {
        "benchmark": "stories",
        "params": dataclasses.asdict(params),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "quality": [dataclasses.asdict(uci), dataclasses.asdict(ecb)],
        "scale": scale,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    yield f"wrote {out}"
    yield f"ECB+ events B-cubed F1 {ecb.bcubed_f1:.3f}; ARI {ecb.ari:.3f}"
