"""A rebuild after new articles: the previous build's index, with the new documents appended.

The sharded index is made to grow at its end (shards.py): documents are numbered in the order articles entered the
archive, terms in the order lunr first meets them, and a shard entry holds term frequencies and field lengths, not
scores that depend on the whole index. The index of documents 0..n+k-1 is therefore the index of 0..n-1 with the
postings of the k new documents appended to their terms' entries and their new terms inserted, numbered after the
others. Building it from scratch costs about 4 s of CPU at 10,000 articles and 30 s at 100,000 (tokenising and
stemming every text, then encoding every term); appending reads the previous shards and tokenises the new
documents only.

When it is used, and why the result is the same index:

- `CACHE_PATH/news_search-index.json` (written when `CACHE_CONTENT` is on, after the index is written; read when
  `LOAD_CONTENT_CACHE` is on) holds a digest of each document the index was built from, in order, the SHA-256 of
  the manifest written, and the version: the search settings, the site URL and the code of this plugin's index
  modules. It is deleted before an index is written, so it never describes a half-written one.
- The previous index is the one news_output set aside (`.<output>.previous`), still there while the build runs.
  Its manifest must have that SHA-256, and every shard file the name of its own content's SHA-256 (shards.py
  names them so): a file changed or lost since means a full build.
- The documents of the previous build must be the first documents of this one, unchanged (their digests); any
  other change (an article edited, removed, or entering before the others) means a full build.

A test builds an index in one go and by appending, over random documents with new terms, words met again in
other fields and recorded positions, and compares the two folders byte for byte; the news_output tests compare
rebuilds after edits and a new article with clean builds.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from news_reader import write_atomically

from . import lunrjs, shards
from .lunrjs import IndexBuilder, utf16_key
from .shards import IndexTotals, ShardedFiles, compact_json

logger = logging.getLogger(__name__)

STATE_FILE = "news_search-index.json"
_SHARD_START, _SHARD_END = '{"terms":[', "]}"  # around the entries, as shards.write_entries writes them
_FORMAT = 1


@dataclass(frozen=True)
class IndexState:
    """What the last written index was built from."""

    version: str
    manifest: str  # SHA-256 of its manifest.json
    documents: tuple[str, ...]  # each document's digest, in order


@dataclass(frozen=True)
class PreviousIndex:
    """The previous build's index: its shard files (read one at a time, in term order, as the new index is
    written: at 100,000 articles they hold about 110 MB of JSON, several times that as Python lists), its terms
    and its manifest's totals."""

    directory: Path
    shard_files: tuple[str, ...]
    terms: frozenset[str]
    document_count: int
    field_lengths: tuple[int, ...]

    def rows(self) -> Iterator[tuple[list[Any], str]]:
        """Every term's row, [term, number, field, ...], in term order, with its entry as the shard has it."""
        decoder = json.JSONDecoder()
        for name in self.shard_files:
            text = (self.directory / "shards" / f"{name}.json").read_text(encoding="utf-8")
            if not text.startswith(_SHARD_START) or not text.endswith(_SHARD_END):
                raise ValueError(f"shard {name}: not a shard as shards.write_entries writes one")
            at, end = len(_SHARD_START), len(text) - len(_SHARD_END)
            while at < end:
                row, after = decoder.raw_decode(text, at)
                yield row, text[at:after]
                at = after + 1  # the comma


def index_version(options: Any, site_url: str) -> str:
    """The settings and code an index depends on besides its documents."""
    digest = hashlib.sha256(f"{_FORMAT}\n{site_url}\n".encode())
    described = [
        [(spec.name, spec.boost) for spec in options.fields],
        sorted(options.position_fields),
        options.shard_bytes,
        options.vocabulary_bytes,
        options.store_chunk,
    ]
    digest.update(json.dumps(described).encode())
    for module in (lunrjs, shards):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def document_digest(fields: Mapping[str, str], store_row: Sequence[object]) -> str:
    """A digest of what the index holds of one document: its indexed fields and its store row."""
    text = json.dumps([sorted(fields.items()), list(store_row)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def load_state(path: Path) -> IndexState | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return IndexState(str(data["version"]), str(data["manifest"]), tuple(str(d) for d in data["documents"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_state(path: Path, state: IndexState) -> None:
    """Write the state beside `path`, then rename it over: never a half-written state."""
    data = {"version": state.version, "manifest": state.manifest, "documents": list(state.documents)}
    write_atomically(path, json.dumps(data, separators=(",", ":")))


def read_previous(directory: Path, state: IndexState) -> PreviousIndex | None:
    """The index in `directory` if it is the one `state` describes, every shard and vocabulary file intact (its
    name the start of its content's SHA-256); None otherwise."""
    try:
        data = (directory / "manifest.json").read_bytes()
        if hashlib.sha256(data).hexdigest() != state.manifest:
            return None
        manifest = json.loads(data)
        for name in manifest["shardFiles"]:
            shard = (directory / "shards" / f"{name}.json").read_bytes()
            if not hashlib.sha256(shard).hexdigest().startswith(name):
                return None
            if not shard.startswith(_SHARD_START.encode()) or not shard.endswith(_SHARD_END.encode()):
                return None
        terms: set[str] = set()
        count = 0
        for name in manifest["vocabulary"]:
            vocabulary = (directory / "vocab" / f"{name}.json").read_bytes()
            if not hashlib.sha256(vocabulary).hexdigest().startswith(name):
                return None
            words = json.loads(vocabulary)
            terms.update(words)
            count += len(words)
        if count != len(terms):
            return None
        return PreviousIndex(
            directory,
            tuple(manifest["shardFiles"]),
            frozenset(terms),
            int(manifest["documentCount"]),
            tuple(int(n) for n in manifest["fieldLengths"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def appended_entries(
    previous: PreviousIndex, builder: IndexBuilder, first: int, recorded: Sequence[bool]
) -> Iterator[tuple[str, str]]:
    """Every term's shard entry once `builder`'s documents (numbered from `first` in the whole index) are
    appended to `previous`, in UTF-16 order: what shards.encode_term gives for the index built in one go."""
    lengths = [builder.field_lengths(slot) for slot in range(len(builder.fields))]
    known = previous.terms
    postings = list(builder.postings())
    numbers: dict[str, int] = {}
    for posting in sorted(postings, key=lambda p: p.index):  # lunr's order: first met first
        if posting.term not in known:
            numbers[posting.term] = len(known) + len(numbers)
    new_rows: dict[str, list[Any]] = {}
    for posting in postings:
        row = new_rows[posting.term] = [posting.term, numbers.get(posting.term, -1)]
        for slot, (docs, frequencies, positions) in enumerate(
            zip(posting.documents, posting.frequencies, posting.positions, strict=True)
        ):
            if not docs:
                row.append(0)
                continue
            field: list[Any] = [[first + d for d in docs], list(frequencies), [lengths[slot][d] for d in docs]]
            if recorded[slot]:
                field.append([list(p) for p in positions or ()])
            row.append(field)
    added = sorted((term for term in new_rows if term not in known), key=utf16_key)
    j = 0
    for row, entry in previous.rows():
        key = utf16_key(row[0])
        while j < len(added) and utf16_key(added[j]) < key:
            yield added[j], _new_entry(new_rows[added[j]])
            j += 1
        extra = new_rows.get(row[0])
        yield row[0], entry if extra is None else compact_json(_append(row, extra))
    for term in added[j:]:
        yield term, _new_entry(new_rows[term])


def _new_entry(row: list[Any]) -> str:
    return compact_json([*row[:2], *(_from(0, field) if field else 0 for field in row[2:])])


def _from(last: int, field: list[Any]) -> list[Any]:
    """A field's new postings (document numbers in the whole index) as a shard stores them after a posting of
    document `last`: each number as its difference from the one before."""
    docs = field[0]
    return [[docs[0] - last] + [docs[i] - docs[i - 1] for i in range(1, len(docs))], *field[1:]]


def _append(row: list[Any], extra: list[Any]) -> list[Any]:
    """A known term's row with the new documents' postings after its own, field by field."""
    for slot, (field, more) in enumerate(zip(row[2:], extra[2:], strict=True)):
        if not more:
            continue
        if not field:
            row[2 + slot] = _from(0, more)
            continue
        for part, values in zip(field, _from(sum(field[0]), more), strict=True):
            part.extend(values)
    return row


def append_index(
    previous: PreviousIndex,
    documents: Sequence[Mapping[str, str]],
    options: Any,
    directory: Path,
    store_rows: Sequence[Sequence[object]],
) -> ShardedFiles:
    """Write into `directory` the index of the previous documents and `documents` after them."""
    builder = IndexBuilder(options.fields, options.position_fields)
    first = previous.document_count
    for offset, document in enumerate(documents):
        builder.add(str(first + offset), document)
    recorded = [spec.name in options.position_fields for spec in options.fields]
    totals = IndexTotals(
        options.fields,
        first + len(documents),
        tuple(old + sum(builder.field_lengths(slot)) for slot, old in enumerate(previous.field_lengths)),
    )
    return shards.write_entries(
        appended_entries(previous, builder, first, recorded),
        totals,
        directory,
        options.shard_bytes,
        options.vocabulary_bytes,
        store_rows,
        options.store_chunk,
    )
