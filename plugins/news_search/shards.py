"""Writing a lunr index as term-partitioned shards that theme/static/js/search.js merges in the browser.

Layout of the index folder:

- `manifest.json`: lunr's fields, their boosts and search pipeline, BM25's parameters, the number of
  documents and the sum of their lengths in each field (lunr's average field length is that sum divided by
  the count), the first term of every shard (in UTF-16 order: a query finds the shard of a term by binary
  search) with the shard's file name, the vocabulary files' names, and how many documents each store file
  holds. `refs` lists the documents' lunr references when they are not simply their numbers (the golden
  sets in the parity tests).
- `shards/HASH.json`: `{"terms": [[term, termNumber, field1, field2, ...], ...]}` in term order, each
  field either 0 (the term is not in it) or `[documentNumberDeltas, termFrequencies, fieldLengths]`, plus a
  fourth list of flat `[start, length, ...]` positions when the field records them. The browser computes
  lunr's field-vector score of each posting from these and the manifest, with lunr.Builder's own
  arithmetic, and sums a document's terms in lunr's term-number order, so the merged index scores exactly
  as the whole one.
- `vocab/HASH.json`: every term, for wildcard and fuzzy expansion (fetched only for such queries).
- `store/N.json`: what a result shows, `storeChunk` documents a file; the browser asks for
  `store/N.json?v=storeVersion` (a digest of every store file, in the manifest), so its cache never pairs a
  manifest with a store file of another build.

Why not lunr's scores, as lunr.Index.toJSON writes them: one new document changes the document count and
the average field lengths, hence every score; every shard would change with each article. Here a shard
changes only when one of its terms is in a new, edited or removed document. Documents are numbered in the
order they entered the archive (news_search.search.entry_order) and lunr numbers terms in the order it first
meets them, so a new article's new terms take the next numbers, the others keep theirs, and every store file
but the last stays as it was. Shard boundaries are content-defined: a shard ends after a term with a
probability proportional to the term's bytes, decided by a hash of the term, or once it reaches twice the
target size. A growing term moves at most the boundaries up to the next hash-decided one.

Shard and vocabulary files are named by their content (the first 12 hex digits of their SHA-256, as the
theme's CSS and JS are): a file that changes gets a new name, listed by the new manifest. A manifest and the
files it names can then never disagree, however long a browser or CDN keeps any of them, and publish serves
them as immutable. A browser holding a manifest from before a publish asks for a file that is gone; the
search page then fetches the manifest again and retries (theme/static/js/search.js). Store files keep their
numbers (naming them by content would put one name per 20 documents in the manifest) and are cached like
pages; the `v` query above keeps a browser from using one from another build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lunrjs import K1, LUNR_VERSION, B, FieldSpec, IndexBuilder, TermPostings

FORMAT = 3
NAME_DIGITS = 12  # hex digits of a file's SHA-256 in its name; more when two files would share a name


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


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_term(posting: TermPostings, lengths: Sequence[Sequence[int]]) -> str:
    """One term's entry in a shard (see the module docstring); `lengths[field][document]`."""
    row: list[Any] = [posting.term, posting.index]
    fields = zip(posting.documents, posting.frequencies, posting.positions, lengths, strict=True)
    for docs, frequencies, positions, field_lengths in fields:
        if not docs:
            row.append(0)
            continue
        deltas = [docs[0]] + [docs[i] - docs[i - 1] for i in range(1, len(docs))]
        field: list[Any] = [deltas, list(frequencies), [field_lengths[doc] for doc in docs]]
        if positions is not None:
            field.append([list(p) for p in positions])
        row.append(field)
    return compact_json(row)


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _ends_group(term: str, size: int, target: int) -> bool:
    """Whether a group ends after `term`, whose entry is `size` bytes: with probability size / target, decided
    by the term's hash. Groups then average `target` bytes, and each boundary depends on one term only."""
    return _hash(term) % target < size


def _chunks(items: Iterable[tuple[str, str]], target: int) -> Iterable[list[tuple[str, str]]]:
    """Consecutive (term, encoded) pairs, grouped at content-defined boundaries of about `target` bytes, and
    at twice that at most. Without the cap, sizes spread so that the group holding a given term averaged
    twice the target (a query fetches the big ones more often); after a capped group, the boundaries fall in
    step again at the next term that ends a group by its hash."""
    group: list[tuple[str, str]] = []
    size = 0
    for item in items:
        group.append(item)
        entry = len(item[1].encode("utf-8")) + 1
        size += entry
        if _ends_group(item[0], entry, target) or size >= 2 * target:
            yield group
            group, size = [], 0
    if group:
        yield group


def _content_name(data: bytes, taken: dict[str, str]) -> str:
    """The file name of `data`: the first NAME_DIGITS hex digits of its SHA-256, or more of them if another
    file of this index already has that name (`taken`: name -> that file's whole digest; about one chance in
    5 million at 10,000 files). Equal files share one name."""
    digest = hashlib.sha256(data).hexdigest()
    length = NAME_DIGITS
    while taken.setdefault(digest[:length], digest) != digest:
        length += 2
    return digest[:length]


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
    lengths = [builder.field_lengths(slot) for slot in range(len(builder.fields))]
    return write_entries(
        ((p.term, encode_term(p, lengths)) for p in builder.postings()),
        IndexTotals(builder.fields, builder.document_count, tuple(sum(field) for field in lengths)),
        directory,
        shard_bytes,
        vocabulary_bytes,
        store_rows,
        store_chunk,
        builder.refs if with_refs else None,
    )


@dataclass(frozen=True)
class IndexTotals:
    """What the manifest says of the whole index besides its terms."""

    fields: Sequence[FieldSpec]
    document_count: int
    field_lengths: tuple[int, ...]  # per field, the sum of every document's length


def write_entries(
    entries: Iterable[tuple[str, str]],
    totals: IndexTotals,
    directory: Path,
    shard_bytes: int,
    vocabulary_bytes: int,
    store_rows: Sequence[Sequence[object]] = (),
    store_chunk: int = 20,
    refs: Sequence[str] | None = None,
) -> ShardedFiles:
    """Write an index given as its terms' shard entries `(term, encode_term(...))` in UTF-16 order: the shards,
    the vocabulary, the store and the manifest, into `directory` (emptied first)."""
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "shards").mkdir(parents=True)
    (directory / "vocab").mkdir()
    (directory / "store").mkdir()

    firsts: list[str] = []
    shard_files: list[str] = []
    taken: dict[str, str] = {}
    terms: list[str] = []
    written = 0
    for group in _chunks(entries, shard_bytes):
        firsts.append(group[0][0])
        terms.extend(term for term, _ in group)
        data = ('{"terms":[' + ",".join(entry for _, entry in group) + "]}").encode("utf-8")
        shard_files.append(_content_name(data, taken))
        written += _write(directory / "shards" / f"{shard_files[-1]}.json", data)

    vocabulary_files: list[str] = []
    vocabulary_written = 0
    for group in _chunks(((t, compact_json(t)) for t in terms), vocabulary_bytes):
        data = ("[" + ",".join(entry for _, entry in group) + "]").encode("utf-8")
        vocabulary_files.append(_content_name(data, taken))
        vocabulary_written += _write(directory / "vocab" / f"{vocabulary_files[-1]}.json", data)

    store_written = 0
    store_version = hashlib.sha256()
    for start in range(0, len(store_rows), store_chunk):
        data = compact_json([list(row) for row in store_rows[start : start + store_chunk]]).encode("utf-8")
        store_version.update(hashlib.sha256(data).digest())
        store_written += _write(directory / "store" / f"{start // store_chunk}.json", data)

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "lunr": LUNR_VERSION,
        "fields": [spec.name for spec in totals.fields],
        "boosts": [spec.boost for spec in totals.fields],
        "bm25": [K1, B],
        "pipeline": ["stemmer"],
        "documentCount": totals.document_count,
        "fieldLengths": list(totals.field_lengths),
        "shards": firsts,
        "shardFiles": shard_files,
        "vocabulary": vocabulary_files,
        "storeChunk": store_chunk,
        "storeVersion": store_version.hexdigest()[:NAME_DIGITS],
    }
    if refs is not None:
        manifest["refs"] = list(refs)
    manifest_written = _write(directory / "manifest.json", compact_json(manifest).encode("utf-8"))
    return ShardedFiles(len(firsts), written, vocabulary_written, store_written, manifest_written)


def _write(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    return len(data)
