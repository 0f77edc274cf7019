"""The related-articles benchmark (`invoke bench-related`): quality on the Lee corpus, speed at scale.

Quality: Lee, Pincombe & Welsh (2005) had people rate how similar 50 news documents are, pair by pair. The
figure is the Pearson correlation between our text similarity (cosine of the TF-IDF vectors, IDF counted
over the 50 documents and the 300 background ones) and their averaged ratings, over the 1,225 pairs i < j.

Scale: `count` stories from ../shared/corpora/news-text (benchmarks/corpus.py, date-shifted copies beyond
the ~29k originals) ranked exactly as the plugin ranks them; the time covers preparing the stories (body
fingerprints, duplicate groups) and ranking, not reading the corpus, as wall-clock time and as this process's
CPU time (the machine is shared: CPU time does not grow when others load it); the memory is the process's
peak. Then, untimed, the share of 200 sampled stories' 5 exact nearest (by cosine over all stories) that the
pruned inverted index proposes: what pruning costs.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
from news_reader import body_fingerprint

from .ranking import Story, candidate_count, duplicate_groups, rank_related
from .similarity import candidates, cosine_all, tfidf_vectors

LEE_FILES = ("lee.cor", "lee_background.cor", "similarities0-1.txt")


class BenchmarkError(Exception):
    """The benchmark's data is missing or not in the expected shape."""


@dataclasses.dataclass(frozen=True)
class LeeResult:
    documents: int
    pairs: int
    pearson: float


@dataclasses.dataclass(frozen=True)
class ScaleResult:
    articles: int
    read_seconds: float
    related_seconds: float
    related_cpu_seconds: float
    peak_memory_mb: float
    with_related: int
    full_lists: int
    candidate_recall: float | None


def lee_pearson(folder: Path) -> LeeResult:
    """The Pearson correlation between text similarity and the human ratings of the Lee corpus."""
    missing = [name for name in LEE_FILES if not (folder / name).is_file()]
    if missing:
        raise BenchmarkError(f"{folder}: missing {', '.join(missing)}; expected the Lee corpus there")
    documents = _lines(folder / "lee.cor")
    background = _lines(folder / "lee_background.cor")
    ratings = np.loadtxt(folder / "similarities0-1.txt")
    if ratings.shape != (len(documents), len(documents)):
        raise BenchmarkError(
            f"{folder / 'similarities0-1.txt'}: a {ratings.shape} table for {len(documents)} documents; "
            "expected one row and one column per document of lee.cor"
        )
    similarity = cosine_all(tfidf_vectors(documents, background))
    upper = np.triu_indices(len(documents), k=1)
    pearson = float(np.corrcoef(similarity[upper], ratings[upper])[0, 1])
    return LeeResult(documents=len(documents), pairs=len(upper[0]), pearson=pearson)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="latin-1").splitlines() if line.strip()]


def scale_run(count: int, news_text: Path, max_related: int = 5, recall_sample: int = 200) -> ScaleResult:
    """Related stories for `count` stories of the news-text corpus, timed; then (not timed) how well the
    pruned index finds the exact nearest stories of `recall_sample` of them."""
    from benchmarks.corpus import scaled_documents  # the project's benchmark corpus, beside plugins/

    started = time.perf_counter()
    documents = list(scaled_documents(count, news_text))
    read = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    keys = [d.ident for d in documents]
    groups = duplicate_groups(keys, [body_fingerprint(d.body) for d in documents], [None] * len(documents))
    stories = [
        Story(key=d.ident, text=d.text, section=d.section, tags=d.tags, timestamp=d.date.timestamp(), group=g)
        for d, g in zip(documents, groups, strict=True)
    ]
    related = rank_related(stories, max_related)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak = peak_memory_mb()
    return ScaleResult(
        articles=len(documents),
        read_seconds=round(read, 2),
        related_seconds=round(seconds, 2),
        related_cpu_seconds=round(cpu_seconds, 2),
        peak_memory_mb=round(peak, 1),
        with_related=sum(1 for picks in related if picks),
        full_lists=sum(1 for picks in related if len(picks) == max_related),
        candidate_recall=round(candidate_recall(stories, max_related, recall_sample), 3) if recall_sample else None,
    )


def candidate_recall(stories: list[Story], top: int, sample: int, seed: int = 0) -> float:
    """Of each sampled story's `top` nearest other stories by exact cosine (duplicates of it left out), the
    share that the pruned inverted index proposes as candidates: what the pruning costs in quality."""
    vectors = tfidf_vectors([s.text for s in stories])
    found = candidates(vectors, candidate_count(top))
    rows = np.random.default_rng(seed).choice(len(stories), size=min(sample, len(stories)), replace=False)
    hits = wanted = 0
    for row in sorted(rows.tolist()):
        exact = np.asarray((vectors[row] @ vectors.T).toarray()).ravel()
        order = np.argsort(-exact, kind="stable")
        nearest = [j for j in order[: top + 50].tolist() if stories[j].group != stories[row].group and exact[j] > 0][
            :top
        ]
        proposed = set(found[row].tolist())
        hits += sum(1 for j in nearest if j in proposed)
        wanted += len(nearest)
    return hits / wanted if wanted else 1.0


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MiB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def report(lee: LeeResult, scale: ScaleResult | None, output: Path) -> list[str]:
    """The table's lines (the last one: `Lee Pearson 0.xxx`); writes the figures as JSON to `output`."""
    rows = [
        ("Lee documents / pairs", f"{lee.documents} / {lee.pairs}"),
    ]
    if scale is not None:
        rows += [
            ("scale: articles", f"{scale.articles:,}"),
            ("scale: reading the corpus", f"{scale.read_seconds:.1f} s"),
            ("scale: related for all (wall clock)", f"{scale.related_seconds:.1f} s"),
            ("scale: related for all (CPU)", f"{scale.related_cpu_seconds:.1f} s"),
            ("scale: peak memory (process)", f"{scale.peak_memory_mb:,.0f} MiB"),
            ("scale: articles with related", f"{scale.with_related:,}"),
            ("scale: articles with a full list", f"{scale.full_lists:,}"),
            (
                "scale: exact nearest found by the index",
                f"{scale.candidate_recall:.1%}" if scale.candidate_recall else "-",
            ),
        ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines.append(f"Lee Pearson {lee.pearson:.3f}")
    output.parent.mkdir(parents=True, exist_ok=True)
    figures = {"lee": dataclasses.asdict(lee), "scale": dataclasses.asdict(scale) if scale else None}
    output.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return lines
