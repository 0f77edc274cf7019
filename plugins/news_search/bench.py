"""The search benchmark behind `invoke bench-search`: build time, index size, bytes fetched and time to
results in headless Chromium, for archives of N articles from ../shared/corpora/news-text.

For each N: the corpus documents (benchmarks/corpus.py, date-shifted copies beyond its ~29k stories) are
indexed with the plugin's own builder into the search data folder of a built sample site; the site is
served on 127.0.0.1 and each query of QUERIES is opened cold (a fresh browser context, empty cache) as
/search/?q=...; we count the gzip-compressed size of every search file the page fetched (manifest, lunr.js,
shards, vocabulary, result store) and read the time search.js took from query to rendered results.
"""

from __future__ import annotations

import gzip
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

from .search import SearchDocument, build_search_index, read_settings

QUERIES = (
    "oil prices",
    "interest rates",
    "world cup",
    "stock market",
    "trade deficit",
    "prime minister",
    "mobile phone",
    "crude oil",
    "election campaign",
    "film awards",
    "tax cuts",
    "coffee exports",
    "gold price",
    "football club",
    "computer virus",
    "central bank",
    "music download",
    "wheat harvest",
    "chelsea arsenal",
    "bond yields",
)


@dataclass(frozen=True)
class QueryMeasure:
    query: str
    results: int
    files: int
    kb_fetched: float  # gzip-compressed
    ms_to_results: int


@dataclass(frozen=True)
class SizeMeasure:
    articles: int
    build_seconds: float
    index_mb: float
    index_mb_gzip: float
    files: int
    shards: int
    median_kb_fetched: float
    max_kb_fetched: float
    median_ms: float
    queries: tuple[QueryMeasure, ...]


def corpus_documents(count: int) -> Iterator[SearchDocument]:
    from benchmarks.corpus import scaled_documents

    for d in scaled_documents(count):
        yield SearchDocument(
            url=f"{d.date:%Y/%m/%d}/{d.slug}/",
            title=d.title,
            summary=d.summary,
            body=d.body,
            tags=" ".join(d.tags),
            source=d.source,
            section=d.section,
            date=d.date.isoformat(),
            date_text=f"{d.date.day} {d.date:%B %Y}",
        )


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def measure_queries(site: Path, queries: Sequence[str], chromium: str, browser: Any = None) -> list[QueryMeasure]:
    """Each query on `site`'s search page in headless Chromium (`browser`, a Playwright Browser, when one is
    running already, as in the tests): results, files and gzipped kB fetched, ms to results."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, serve_directory

    with serve_directory(site) as server:
        if browser is not None:
            return _measure(browser, server, site, queries)
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            try:
                return _measure(launched, server, site, queries)
            finally:
                launched.close()


def _measure(browser: Any, server: Any, site: Path, queries: Sequence[str]) -> list[QueryMeasure]:
    from playwright.sync_api import Request

    sizes: dict[str, int] = {}
    measures = []
    for query in queries:
        context = browser.new_context()
        page = context.new_page()
        fetched: list[str] = []

        def record(request: Request, seen: list[str] = fetched) -> None:
            seen.append(request.url)

        page.on("request", record)
        page.goto(server.url(f"/search/?q={quote_plus(query)}"))
        page.wait_for_selector("#search-results[data-search-ms]", state="attached", timeout=120_000)
        ms = int(page.get_attribute("#search-results", "data-search-ms") or 0)
        results = page.locator(".search-result").count()
        status = page.inner_text("#search-status")
        context.close()
        # the files fetched, without a query (the store's are asked for with the store's version)
        names = sorted({urlsplit(u).path.split("/search/data/", 1)[1] for u in fetched if "/search/data/" in u})
        for name in names:
            if name not in sizes:
                sizes[name] = gzip_size(site / "search" / "data" / name)
        total = sum(sizes[name] for name in names)
        measures.append(QueryMeasure(query, results if "match" in status else -1, len(names), total / 1000, ms))
    return measures


def measure_size(count: int, sample_site: Path, chromium: str, queries: Sequence[str]) -> SizeMeasure:
    options = read_settings({})
    data = sample_site / "search" / "data"
    lunr_js = (data / "lunr.min.js").read_bytes()
    started = time.perf_counter()
    files = build_search_index(corpus_documents(count), options, data)
    build_seconds = time.perf_counter() - started
    (data / "lunr.min.js").write_bytes(lunr_js)
    all_files = [p for p in data.rglob("*") if p.is_file()]
    gz = sum(gzip_size(p) for p in all_files)
    measures = measure_queries(sample_site, queries, chromium)
    fetched = [m.kb_fetched for m in measures]
    return SizeMeasure(
        articles=count,
        build_seconds=round(build_seconds, 1),
        index_mb=round(files.total_bytes / 1e6, 1),
        index_mb_gzip=round(gz / 1e6, 1),
        files=len(all_files),
        shards=files.shards,
        median_kb_fetched=round(statistics.median(fetched), 1),
        max_kb_fetched=round(max(fetched), 1),
        median_ms=statistics.median(m.ms_to_results for m in measures),
        queries=tuple(measures),
    )


def run(counts: Sequence[int], chromium: str, results_file: Path, build_site: Any) -> list[SizeMeasure]:
    """Measure every size; `build_site(output)` builds the sample site (for its search page and scripts)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as work:
        site = Path(work) / "site"
        build_site(site)
        for count in sorted(counts):
            row = measure_size(count, site, chromium, QUERIES)
            rows.append(row)
            print(
                f"{row.articles:>8} articles: build {row.build_seconds:6.1f} s, index {row.index_mb:6.1f} MB "
                f"({row.index_mb_gzip:5.1f} MB gzip, {row.files} files, {row.shards} shards), per query: median "
                f"{row.median_kb_fetched:6.1f} kB fetched (max {row.max_kb_fetched:.1f}), "
                f"median {row.median_ms:.0f} ms",
                flush=True,
            )
    print()
    headings = ("articles", "build s", "index MB", "gzip MB", "median kB", "max kB", "median ms")
    print(" | ".join(f"{h:>{max(8, len(h))}}" for h in headings))
    for row in rows:
        print(
            f"{row.articles:>8} | {row.build_seconds:>8.1f} | {row.index_mb:>8.1f} | {row.index_mb_gzip:>8.1f} | "
            f"{row.median_kb_fetched:>9.1f} | {row.max_kb_fetched:>8.1f} | {row.median_ms:>9.0f}"
        )
    largest = rows[-1]
    print("\nper query at the largest size (kB gzip fetched, ms to results, results shown):")
    for m in largest.queries:
        print(f"  {m.query!r:24} {m.kb_fetched:7.1f} kB {m.ms_to_results:6d} ms  {m.files} files")
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(
        json.dumps(
            {
                "benchmark": "search",
                "machine": {"python": platform.python_version(), "processor": platform.machine()},
                "queries": list(QUERIES),
                "sizes": [asdict(row) for row in rows],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"\nmedian kB fetched per query {largest.median_kb_fetched:.1f}; median ms to results {largest.median_ms:.0f}"
    )
    return rows
