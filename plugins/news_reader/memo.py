"""Per-article results kept between builds: what a plugin works out from one article's text alone.

news_stories, news_related and news_trending each turn every article's text into terms (words, stems, names,
phrases) before they compare articles. That part depends on nothing but the text, so a rebuild after adding
one article needs it for that one article only. A `TextMemo` keeps those results in `CACHE_PATH`, one file per
kind of result, keyed by a hash of the exact input text, under a version string that names everything else
the result depends on (the code that computes it, its settings). A different version, an unreadable file or
a missing entry means computing again: the memo only ever saves time, never changes a result.

It follows Pelican's content cache settings: loaded when `LOAD_CONTENT_CACHE` is on, written when
`CACHE_CONTENT` is on; news_reader deletes the memo files with the content cache when the reading settings
change. Entries no article used in a build are dropped when the file is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

MEMO_SUFFIX = ".memo"
_FORMAT = 1  # the file layout; a file written with another is ignored

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


class TextMemo(Generic[Value]):
    """{hash of a text: value} for one kind of result, read from and written to `path` (None: no memo)."""

    def __init__(self, path: Path | None, version: str, save: bool = True) -> None:
        self.path, self.version, self.saving = path, version, save and path is not None
        self._old: dict[bytes, Value] | None = None
        self._new: dict[bytes, Value] = {}
        self.computed = 0  # results not found in the memo this build

    @classmethod
    def for_build(cls, settings: Mapping[str, Any], name: str, version: str) -> TextMemo[Any]:
        """The memo `name` in the build's CACHE_PATH, per its content cache settings."""
        load = bool(settings.get("LOAD_CONTENT_CACHE"))
        save = bool(settings.get("CACHE_CONTENT"))
        if not (load or save) or not settings.get("CACHE_PATH"):
            return cls(None, version, save=False)
        memo: TextMemo[Any] = cls(Path(settings["CACHE_PATH"]) / f"{name}{MEMO_SUFFIX}", version, save=save)
        if not load:
            memo._old = {}
        return memo

    def map(
        self, compute: Callable[[Item], Value], items: Iterable[Item], text: Callable[[Item], str]
    ) -> Iterator[Value]:
        """compute(item) for each item, taken from the memo when an earlier build computed it for the same
        text(item)."""
        old = self._load()
        new = self._new
        for item in items:
            key = hashlib.blake2b(text(item).encode("utf-8", "surrogatepass"), digest_size=16).digest()
            value = new.get(key)
            if value is None:
                value = old.get(key)
                if value is None:
                    value = compute(item)
                    self.computed += 1
                new[key] = value
            yield value

    def save(self) -> None:
        """Write the entries used in this build (atomically), when something was added or dropped."""
        if not self.saving or self.path is None:
            return
        old = self._load()
        if self.computed == 0 and len(old) == len(self._new):
            return
        payload = {"format": _FORMAT, "version": self.version, "values": self._new}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:  # a cache that cannot be written costs time next build, nothing else
            logger.warning("news_reader: could not write %s (%s); the next build computes it again", self.path, error)

    def _load(self) -> dict[bytes, Value]:
        if self._old is None:
            self._old = {}
            if self.path is not None and self.path.is_file():
                try:
                    with self.path.open("rb") as handle:
                        payload = pickle.load(handle)
                except Exception as error:  # any unreadable memo file (truncated, another format) is only ignored
                    logger.info("news_reader: ignoring the unreadable memo %s (%s)", self.path, error)
                else:
                    if (
                        isinstance(payload, dict)
                        and payload.get("format") == _FORMAT
                        and payload.get("version") == self.version
                        and isinstance(payload.get("values"), dict)
                    ):
                        self._old = payload["values"]
        return self._old
