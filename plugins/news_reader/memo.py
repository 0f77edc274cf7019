"""Per-article results kept between builds: what a plugin works out from one article's text alone.

news_stories, news_related and news_trending each turn every article's text into terms (words, stems, names,
phrases) before they compare articles. That part depends on nothing but the text, so a rebuild after adding
one article needs it for that one article only. A `TextMemo` keeps those results in `CACHE_PATH`, one SQLite
file per kind of result, keyed by a hash of the exact input text, under a version string that names everything
else the result depends on (the code that computes it, its settings). A different version, an unreadable file
or a missing entry means computing again: the memo only ever saves time, never changes a result.

The file is read in batches as the articles go by and new results are written in batches, so the memo's
memory stays small at 100,000 articles, and a rebuild after one edit writes one row, not the whole memo.
Entries that no article used in a build are deleted when it ends.

It follows Pelican's content cache settings: read when `LOAD_CONTENT_CACHE` is on, written when `CACHE_CONTENT`
is on; news_reader deletes the memo files with the content cache when the reading settings change.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import itertools
import logging
import pickle
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

MEMO_SUFFIX = ".memo"
_FORMAT = "1"  # the table layout; a file with another is emptied
_BATCH = 500  # texts looked up, and new results written, at a time

Item = TypeVar("Item")
Value = TypeVar("Value")


def code_version(*objects: object) -> str:
    """A digest of the source files defining `objects` (classes or functions) and the classes they inherit
    from, for a memo's version: editing that code makes the memo's old entries unused."""
    files: set[str] = set()
    for thing in objects:
        for owner in inspect.getmro(thing) if inspect.isclass(thing) else (thing,):
            module = sys.modules.get(getattr(owner, "__module__", "") or "")
            path = getattr(module, "__file__", None)
            if path and owner is not object:
                files.add(path)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class TextMemo(Generic[Value]):
    """{hash of a text: value} for one kind of result, in the SQLite file `path` (None: no memo)."""

    def __init__(self, path: Path | None, version: str, load: bool = True, save: bool = True) -> None:
        self.path, self.version = path, version
        self.loading, self.saving = load and path is not None, save and path is not None
        self.computed = 0  # results not found in the memo this build
        self._used: set[bytes] = set()
        self._database: sqlite3.Connection | None = None

    @classmethod
    def for_build(cls, settings: Mapping[str, Any], name: str, version: str) -> TextMemo[Any]:
        """The memo `name` in the build's CACHE_PATH, per its content cache settings."""
        load, save = bool(settings.get("LOAD_CONTENT_CACHE")), bool(settings.get("CACHE_CONTENT"))
        if not (load or save) or not settings.get("CACHE_PATH"):
            return cls(None, version, load=False, save=False)
        return cls(Path(settings["CACHE_PATH"]) / f"{name}{MEMO_SUFFIX}", version, load=load, save=save)

    def map(
        self, compute: Callable[[Item], Value], items: Iterable[Item], text: Callable[[Item], str]
    ) -> Iterator[Value]:
        """compute(item) for each item, taken from the memo when an earlier build computed it for the same
        text(item). Values must not be None."""
        database = self._open()
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, _BATCH)):
            keys = [_key(text(item)) for item in batch]
            found = self._lookup(database, keys) if self.loading else {}
            new: dict[bytes, Value] = {}
            for item, key in zip(batch, keys, strict=True):
                value = found.get(key)
                if value is None:
                    value = new.get(key)
                if value is None:
                    value = new[key] = compute(item)
                    self.computed += 1
                if database is not None:
                    self._used.add(key)
                yield value
            self._store(database, new)

    def save(self) -> None:
        """Commit this build's new entries and delete the ones no text used."""
        database, self._database = self._database, None
        if database is None:
            return
        try:
            if self.saving:
                (total,) = database.execute("SELECT count(*) FROM memo").fetchone()
                if total > len(self._used):
                    database.execute("CREATE TEMP TABLE used (key BLOB PRIMARY KEY)")
                    database.executemany("INSERT INTO used VALUES (?)", ((key,) for key in self._used))
                    database.execute("DELETE FROM memo WHERE key NOT IN (SELECT key FROM used)")
                database.commit()
        except sqlite3.Error as error:  # a memo that cannot be written costs time next build, nothing else
            logger.warning("news_reader: could not write %s (%s); the next build computes it again", self.path, error)
        finally:
            database.close()
            self._used = set()

    # --- the file ----------------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        if self._database is not None or self.path is None or not (self.loading or self.saving):
            return self._database
        if not self.saving and not self.path.is_file():
            self.loading = False  # nothing to read, and nothing may be written
            return None
        try:
            self._database = self._connect(self.path)
        except sqlite3.Error as error:  # not a database, or a damaged one: start a new file
            if not self.saving:
                logger.info("news_reader: ignoring the unreadable memo %s (%s)", self.path, error)
                self.loading = False
                return None
            logger.info("news_reader: replacing the unreadable memo %s (%s)", self.path, error)
            with contextlib.suppress(OSError):
                self.path.unlink()
            try:
                self._database = self._connect(self.path)
            except sqlite3.Error as again:
                logger.warning("news_reader: cannot use the memo %s (%s)", self.path, again)
                self.loading = self.saving = False
        return self._database

    def _connect(self, path: Path) -> sqlite3.Connection:
        """The memo's database, emptied when another version made it (read-only when not saving: then a
        memo of another version is only not read)."""
        if not self.saving:
            database = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            database = sqlite3.connect(path)
        try:
            stamp = f"{_FORMAT}:{self.version}"
            if self.saving:
                database.execute("CREATE TABLE IF NOT EXISTS about (name TEXT PRIMARY KEY, value TEXT)")
                database.execute("CREATE TABLE IF NOT EXISTS memo (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID")
            row = database.execute("SELECT value FROM about WHERE name = 'version'").fetchone()
            if row is None or row[0] != stamp:  # made by other code or settings: none of it is usable
                if not self.saving:
                    self.loading = False
                else:
                    database.execute("DELETE FROM memo")
                    database.execute("INSERT OR REPLACE INTO about VALUES ('version', ?)", (stamp,))
                    database.commit()
        except sqlite3.Error:
            database.close()
            raise
        return database

    def _lookup(self, database: sqlite3.Connection | None, keys: list[bytes]) -> dict[bytes, Value]:
        if database is None or not self.loading:
            return {}
        marks = ",".join("?" * len(keys))
        try:
            rows = database.execute(f"SELECT key, value FROM memo WHERE key IN ({marks})", keys).fetchall()
            return {key: pickle.loads(value) for key, value in rows}
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
            logger.info("news_reader: ignoring entries of the memo %s (%s)", self.path, error)
            return {}

    def _store(self, database: sqlite3.Connection | None, new: Mapping[bytes, Value]) -> None:
        if database is None or not self.saving or not new:
            return
        rows = [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in new.items()]
        try:
            database.executemany("INSERT OR REPLACE INTO memo VALUES (?, ?)", rows)
        except sqlite3.Error as error:
            logger.warning("news_reader: could not write %s (%s); the next build computes it again", self.path, error)
            self.saving = False
