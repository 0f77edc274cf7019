"""`invoke bench-extract`: the extractor on every page of the article-extraction benchmark, scored by its scorer.

Runs `ingest.extract.extract` on `html/<id>.html.gz`, writes the predictions `{id: {"articleBody": text}}` to a
temporary file, scores them with `extraction_score.py` (4-word shingles, per-page precision and recall; run as
a subprocess, so the figures are the benchmark's own), prints a table and writes the figures as JSON.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ingest.extract import ExtractError, extract

SCORE_LINE = re.compile(
    r"F1 (?P<f1>[\d.]+)\s+precision (?P<precision>[\d.]+)\s+recall (?P<recall>[\d.]+)\s+exact (?P<exact>[\d.]+)"
)


class BenchmarkError(RuntimeError):
    """The benchmark's data or scorer is missing or answered something unexpected."""


@dataclasses.dataclass(frozen=True)
class BenchResult:
    pages: int
    failed: int  # pages `extract` raised ExtractError on (scored as empty)
    seconds: float  # extraction time only (not reading or scoring), wall clock
    cpu_seconds: float  # the same, CPU time of this process (steadier on a shared machine)
    precision: float
    recall: float
    f1: float
    exact: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def predict(corpus: Path) -> tuple[dict[str, dict[str, str]], int, float, float]:
    """Extract every page of the corpus: (predictions, pages that failed, wall and CPU seconds extracting)."""
    truth_path = corpus / "ground-truth.json"
    if not truth_path.exists():
        raise BenchmarkError(
            f"{truth_path} not found: pass the article-extraction-benchmark folder (../shared/corpora/...)"
        )
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    predictions: dict[str, dict[str, str]] = {}
    failed = 0
    seconds = cpu = 0.0
    for page_id in sorted(truth):
        page = gzip.decompress((corpus / "html" / f"{page_id}.html.gz").read_bytes())
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            body = extract(page, truth[page_id].get("url") or "").body_text
        except ExtractError:
            body, failed = "", failed + 1
        seconds += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        predictions[page_id] = {"articleBody": body}
    return predictions, failed, seconds, cpu


def score(scorer: Path, truth: Path, predictions: Path) -> dict[str, float]:
    """Run the benchmark's scorer and read its one result line."""
    if not scorer.exists():
        raise BenchmarkError(f"{scorer} not found: it ships with ../shared/tools/")
    done = subprocess.run(
        [sys.executable, str(scorer), str(truth), str(predictions)], capture_output=True, text=True, check=False
    )
    match = SCORE_LINE.search(done.stdout)
    if done.returncode or not match:
        raise BenchmarkError(f"{scorer} exited {done.returncode}: {(done.stderr or done.stdout).strip()[-500:]}")
    return {name: float(value) for name, value in match.groupdict().items()}


def main(corpus: Path, scorer: Path, out_json: Path) -> BenchResult:
    """Extract, score, print the table and write `out_json`; returns the figures."""
    predictions, failed, seconds, cpu = predict(corpus)
    with tempfile.TemporaryDirectory() as folder:
        predicted = Path(folder) / "predictions.json"
        predicted.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")
        figures = score(scorer, corpus / "ground-truth.json", predicted)
    result = BenchResult(
        len(predictions), failed, seconds, cpu, figures["precision"], figures["recall"], figures["f1"], figures["exact"]
    )
    table = Table(title="Article extraction (ingest/extract.py) on the article-extraction benchmark")
    for column in ("precision", "recall", "F1", "exact", "pages", "failed", "pages/s", "ms/page", "CPU ms/page"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{result.precision:.3f}",
        f"{result.recall:.3f}",
        f"{result.f1:.3f}",
        f"{result.exact:.3f}",
        str(result.pages),
        str(result.failed),
        f"{result.pages_per_second:.1f}",
        f"{1000 * result.seconds / max(1, result.pages):.1f}",
        f"{1000 * result.cpu_seconds / max(1, result.pages):.1f}",
    )
    Console().print(table)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    record = {**dataclasses.asdict(result), "pages_per_second": round(result.pages_per_second, 2)}
    record["seconds"] = round(result.seconds, 2)
    record["cpu_seconds"] = round(result.cpu_seconds, 2)
    out_json.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return result
