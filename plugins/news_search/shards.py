"""Writing a lunr index as term-partitioned shards that theme/static/js/search.js merges in the browser.

Layout of the index folder:

- `manifest.json`: lunr's fields and search pipeline, the number of documents, the first term of every
  shard (in UTF-16 order: a query finds the shard of a term by binary search), how many vocabulary files
  there are, and how many documents each store file holds. `refs` lists the documents' lunr references
  when they are not simply their numbers (the golden sets in the parity tests).
- `shards/N.json`: `{"terms": [[term, termNumber, field1, field2, ...], ...]}` in term order, each field
  either 0 (the term is not in it) or `[documentNumberDeltas, scoresInThousandths]`, plus a third list of
  flat `[start, length, ...]` positions when the field records them. The scores are lunr's own rounded
  field-vector entries, so the merged index scores exactly as the whole one.
- `vocab/N.json`: every term, for wildcard and fuzzy expansion (fetched only for such queries).
- `store/N.json`: what a result shows, `storeChunk` documents a file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lunrjs import LUNR_VERSION, IndexBuilder, TermPostings

FORMAT = 1


@dataclass(frozen=True)
class ShardedFiles:
    """What was written: file counts and raw sizes in bytes."""

    shards: int
    shard_bytes: int
    vocabulary_bytes: int
    store_bytes: int
    manifest_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.shard_bytes + self.vocabulary_bytes + self.store_bytes + self.manifest_bytes


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_term(posting: TermPostings) -> str:
    """One term's entry in a shard (see the module docstring)."""
    row: list[Any] = [posting.term, posting.index]
    for docs, scores, positions in zip(posting.documents, posting.milli_scores, posting.positions, strict=True):
        if not docs:
            row.append(0)
            continue
        deltas = [docs[0]] + [docs[i] - docs[i - 1] for i in range(1, len(docs))]
        field: list[Any] = [deltas, list(scores)]
        if positions is not None:
            field.append([list(p) for p in positions])
        row.append(field)
    return _dumps(row)


def _chunks(items: Iterable[tuple[str, str]], target: int) -> Iterable[list[tuple[str, str]]]:
    """Consecutive (term, encoded) pairs grouped until each group reaches `target` bytes of JSON."""
    group: list[tuple[str, str]] = []
    size = 0
    for item in items:
        group.append(item)
        size += len(item[1].encode("utf-8")) + 1
        if size >= target:
            yield group
            group, size = [], 0
    if group:
        yield group


def write_sharded(
    builder: IndexBuilder,
    directory: Path,
    shard_bytes: int,
    vocabulary_bytes: int,
    store_rows: Sequence[Sequence[object]] = (),
    store_chunk: int = 20,
    with_refs: bool = False,
) -> ShardedFiles:
    """Write the index into `directory` (emptied first); `store_rows[n]` is what result n shows."""
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "shards").mkdir(parents=True)
    (directory / "vocab").mkdir()
    (directory / "store").mkdir()

    firsts: list[str] = []
    terms: list[str] = []
    written = 0
    encoded = ((p.term, encode_term(p)) for p in builder.postings())
    for number, group in enumerate(_chunks(encoded, shard_bytes)):
        firsts.append(group[0][0])
        terms.extend(term for term, _ in group)
        text = '{"terms":[' + ",".join(entry for _, entry in group) + "]}"
        written += _write(directory / "shards" / f"{number}.json", text)

    vocabulary_files = 0
    vocabulary_written = 0
    for group in _chunks(((t, _dumps(t)) for t in terms), vocabulary_bytes):
        vocabulary_written += _write(
            directory / "vocab" / f"{vocabulary_files}.json", "[" + ",".join(e for _, e in group) + "]"
        )
        vocabulary_files += 1

    store_written = 0
    for start in range(0, len(store_rows), store_chunk):
        rows = [list(row) for row in store_rows[start : start + store_chunk]]
        store_written += _write(directory / "store" / f"{start // store_chunk}.json", _dumps(rows))

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "lunr": LUNR_VERSION,
        "fields": [spec.name for spec in builder.fields],
        "pipeline": ["stemmer"],
        "documentCount": builder.document_count,
        "shards": firsts,
        "vocabulary": vocabulary_files,
        "storeChunk": store_chunk,
    }
    if with_refs:
        manifest["refs"] = builder.refs
    manifest_written = _write(directory / "manifest.json", _dumps(manifest))
    return ShardedFiles(len(firsts), written, vocabulary_written, store_written, manifest_written)


def _write(path: Path, text: str) -> int:
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)
