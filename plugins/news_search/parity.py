"""Parity with lunr.js 2.3.9: our index and pipeline against golden sets built and queried by lunr.js itself.

A golden set folder (../shared/corpora/lunr/golden-lunrjs-2.3.9/<set>/) holds `spec.json` (ref, fields,
boosts, metadata whitelist), `documents.json`, `lunrjs-index.json` and `expected-results.json`. We build
the index with our own builder, run every query in lunr.js under node twice (the whole index, and the
sharded index merged by theme/static/js/search.js) and compare with what lunr.js answered: the same refs
in the same order, scores within 1e-3 relative, the same match data where it was recorded, the same
parse errors. `pipeline-vectors/` checks the tokenizer, the stemmer and the whole indexing pipeline word
by word.

`python3 -m news_search.parity SET_DIR` (what `invoke search-parity` runs) prints `N/M queries identical`.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lunrjs import STOP_WORDS, FieldSpec, IndexBuilder, build_index, index_term, stem, tokenize
from .shards import write_sharded

RUNNER = Path(__file__).with_name("parity_runner.js")
ROOT = Path(__file__).resolve().parents[2]
LUNR_JS = ROOT / "node_modules" / "lunr" / "lunr.js"
SCORE_TOLERANCE = 1e-3  # relative
PIPELINE_REQUIRED = 0.999


class ParityError(RuntimeError):
    """The parity check could not run (missing files, node, or an unsupported set)."""


@dataclass(frozen=True)
class GoldenSet:
    name: str
    ref: str
    fields: tuple[FieldSpec, ...]
    positions: bool
    language: tuple[str, ...]
    documents: tuple[dict[str, Any], ...]
    expected: tuple[dict[str, Any], ...]
    lunrjs_index: Path


@dataclass(frozen=True)
class QueryOutcome:
    query: str
    identical: bool
    why: str  # empty when identical


@dataclass(frozen=True)
class SetParity:
    name: str
    whole: tuple[QueryOutcome, ...]
    sharded: tuple[QueryOutcome, ...]
    vectors_identical: int
    vectors_total: int
    terms_identical: bool
    median_sharded_bytes: int

    @property
    def passed(self) -> bool:
        return all(o.identical for o in self.whole) and all(o.identical for o in self.sharded)


@dataclass(frozen=True)
class PipelineParity:
    stemmer: tuple[int, int]
    pipeline: tuple[int, int]
    tokenizer: tuple[int, int]
    examples: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return all(same / total >= PIPELINE_REQUIRED for same, total in (self.stemmer, self.pipeline)) and (
            self.tokenizer[0] == self.tokenizer[1]
        )


# -- loading ----------------------------------------------------------------------------------------------


def load_set(folder: Path) -> GoldenSet:
    """Read a golden set folder; ParityError says what is missing."""
    needed = ["spec.json", "documents.json", "expected-results.json", "lunrjs-index.json"]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise ParityError(f"{folder}: not a golden set, missing {', '.join(missing)}")
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    fields = tuple(FieldSpec(f["name"], float(f.get("boost", 1))) for f in spec["fields"])
    return GoldenSet(
        name=spec.get("name", folder.name),
        ref=spec["ref"],
        fields=fields,
        positions="position" in spec.get("metadataWhitelist", []),
        language=tuple(spec.get("language") or ()),
        documents=tuple(json.loads((folder / spec.get("documents_file", "documents.json")).read_text("utf-8"))),
        expected=tuple(json.loads((folder / "expected-results.json").read_text(encoding="utf-8"))),
        lunrjs_index=folder / "lunrjs-index.json",
    )


def build_for(golden: GoldenSet) -> IndexBuilder:
    if golden.language and golden.language != ("en",):
        raise ParityError(
            f"set {golden.name!r} uses lunr-languages {list(golden.language)}; our pipeline is lunr's English "
            "one (tokenizer, trimmer, stop words, Porter stemmer), so this set is not comparable"
        )
    position_fields = [f.name for f in golden.fields] if golden.positions else []
    return build_index(golden.documents, golden.ref, golden.fields, position_fields)


# -- running lunr.js --------------------------------------------------------------------------------------


def run_lunrjs(mode: str, location: Path, queries: Sequence[str]) -> list[dict[str, Any]]:
    """Run `queries` in lunr.js under node on a whole index file or a sharded index folder."""
    node = shutil.which("node")
    if node is None:
        raise ParityError("node is not installed: the parity check runs lunr.js under node (apt-get install nodejs)")
    if not LUNR_JS.is_file():
        raise ParityError(f"{LUNR_JS} is missing: run `npm ci` in {ROOT}")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as handle:
        json.dump(list(queries), handle)
    try:
        done = subprocess.run(
            [node, str(RUNNER), mode, str(location), handle.name], capture_output=True, text=True, check=False
        )
    finally:
        Path(handle.name).unlink()
    if done.returncode != 0:
        raise ParityError(f"lunr.js under node failed on {location}: {done.stderr.strip()}")
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


# -- comparing --------------------------------------------------------------------------------------------


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> QueryOutcome:
    """Same error, or the same refs in order with scores within SCORE_TOLERANCE and the same match data."""
    query = expected["query"]
    if expected["error"] is not None or actual["error"] is not None:
        same = (expected["error"] or {}).get("message") == (actual["error"] or {}).get("message")
        return QueryOutcome(query, same, "" if same else f"error {actual['error']} != {expected['error']}")
    want, got = expected["results"], actual["results"]
    if [r["ref"] for r in want] != [r["ref"] for r in got]:
        first = next(
            (i for i, (w, g) in enumerate(zip(want, got, strict=False)) if w["ref"] != g["ref"]),
            min(len(want), len(got)),
        )
        return QueryOutcome(query, False, f"{len(got)} results (want {len(want)}); refs differ from rank {first + 1}")
    for rank, (w, g) in enumerate(zip(want, got, strict=True), start=1):
        if not math.isclose(w["score"], g["score"], rel_tol=SCORE_TOLERANCE, abs_tol=1e-9):
            return QueryOutcome(query, False, f"rank {rank} {w['ref']}: score {g['score']} != {w['score']}")
        if "matchData" in w and w["matchData"] != g["matchData"]:
            return QueryOutcome(query, False, f"rank {rank} {w['ref']}: match data differs")
    return QueryOutcome(query, True, "")


def compare_index(builder_json: dict[str, Any], lunrjs_index: Path) -> tuple[int, int, bool]:
    """How many field vectors are identical to lunr.js's own index, and whether the terms and their
    numbers are the same."""
    theirs = json.loads(lunrjs_index.read_text(encoding="utf-8"))
    their_vectors = dict((ref, vector) for ref, vector in theirs["fieldVectors"])
    same = sum(1 for ref, vector in builder_json["fieldVectors"] if their_vectors.get(ref) == vector)
    terms = [(t, p["_index"]) for t, p in builder_json["invertedIndex"]] == [
        (t, p["_index"]) for t, p in theirs["invertedIndex"]
    ]
    return same, len(their_vectors), terms


def check_set(folder: Path) -> SetParity:
    """Build the set's index, query it whole and sharded in lunr.js, compare with lunr.js's answers."""
    golden = load_set(folder)
    builder = build_for(golden)
    queries = [q["query"] for q in golden.expected]
    whole_json = builder.to_lunr_json()
    with tempfile.TemporaryDirectory(prefix="news-search-parity-") as work:
        whole_path = Path(work) / "index.json"
        whole_path.write_text(json.dumps(whole_json, ensure_ascii=False), encoding="utf-8")
        sharded_dir = Path(work) / "sharded"
        write_sharded(builder, sharded_dir, shard_bytes=16_000, vocabulary_bytes=32_000, with_refs=True)
        whole = run_lunrjs("whole", whole_path, queries)
        sharded = run_lunrjs("sharded", sharded_dir, queries)
        fetched = sorted(sum((sharded_dir / f).stat().st_size for f in answer["files"]) for answer in sharded)
    same, total, terms = compare_index(whole_json, golden.lunrjs_index)
    return SetParity(
        name=golden.name,
        whole=tuple(compare(e, a) for e, a in zip(golden.expected, whole, strict=True)),
        sharded=tuple(compare(e, a) for e, a in zip(golden.expected, sharded, strict=True)),
        vectors_identical=same,
        vectors_total=total,
        terms_identical=terms,
        median_sharded_bytes=fetched[len(fetched) // 2] if fetched else 0,
    )


def check_pipeline_vectors(folder: Path) -> PipelineParity:
    """The stemmer, the whole indexing pipeline and the tokenizer, word by word, against lunr.js's output."""
    stems = json.loads((folder / "stemmer.json").read_text(encoding="utf-8"))
    full = json.loads((folder / "pipeline-trimmer-stopword-stemmer.json").read_text(encoding="utf-8"))
    tokens = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    examples: list[str] = []
    stem_same = 0
    for word, wanted in stems.items():
        got = stem(word)
        stem_same += got == wanted
        if got != wanted and len(examples) < 5:
            examples.append(f"stem({word!r}) = {got!r}, lunr.js {wanted!r}")
    pipe_same = 0
    for word, wanted in full.items():
        terms = [index_term(t.text) for t in tokenize(word)]
        result: object = terms[0] if len(terms) == 1 else terms
        pipe_same += result == wanted
        if result != wanted and len(examples) < 10:
            examples.append(f"pipeline({word!r}) = {result!r}, lunr.js {wanted!r}")
    token_same = 0
    for case in tokens:
        got_tokens = [
            {"str": t.text, "metadata": {"position": [t.start, t.length], "index": i}}
            for i, t in enumerate(tokenize(case["input"]))
        ]
        token_same += got_tokens == case["tokens"]
        if got_tokens != case["tokens"] and len(examples) < 15:
            examples.append(f"tokenize({case['input'][:40]!r}) differs")
    assert STOP_WORDS  # the pipeline above includes the stop word filter
    return PipelineParity((stem_same, len(stems)), (pipe_same, len(full)), (token_same, len(tokens)), tuple(examples))


# -- the command ------------------------------------------------------------------------------------------


def report(folder: Path) -> bool:
    """Check one folder (a golden set, pipeline-vectors, or a folder of sets), print the figures; True
    when everything is identical."""
    if (folder / "stemmer.json").is_file():
        vectors = check_pipeline_vectors(folder)
        for name, (same, total) in (
            ("stemmer", vectors.stemmer),
            ("pipeline", vectors.pipeline),
            ("tokenizer", vectors.tokenizer),
        ):
            print(f"{folder.name}: {name} {same}/{total} identical ({same / total:.4%})")
        for example in vectors.examples:
            print(f"  {example}")
        return vectors.passed
    if not (folder / "spec.json").is_file():
        subfolders = sorted(p for p in folder.iterdir() if p.is_dir())
        if not subfolders:
            raise ParityError(f"{folder}: neither a golden set (spec.json) nor a folder of sets")
        return all([report(sub) for sub in subfolders])
    try:
        parity = check_set(folder)
    except ParityError as error:
        if "lunr-languages" in str(error):
            print(f"{folder.name}: skipped: {error}")
            return True
        raise
    total = len(parity.whole)
    for label, outcomes in (("whole index", parity.whole), ("sharded", parity.sharded)):
        same = sum(o.identical for o in outcomes)
        print(f"{parity.name} ({label}): {same}/{total} queries identical")
        for outcome in outcomes:
            if not outcome.identical:
                print(f"  {outcome.query!r}: {outcome.why}")
    print(
        f"{parity.name}: {parity.vectors_identical}/{parity.vectors_total} field vectors identical to lunr.js's "
        f"index; terms and term numbers {'identical' if parity.terms_identical else 'DIFFER'}; "
        f"sharded search reads a median {parity.median_sharded_bytes / 1000:.1f} kB"
    )
    return parity.passed


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python3 -m news_search.parity SET_DIR", file=sys.stderr)
        return 2
    try:
        return 0 if report(Path(args[0])) else 1
    except ParityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
