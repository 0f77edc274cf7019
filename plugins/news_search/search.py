"""The build side of search: every published article into a sharded lunr.js 2.3.9 index, plus lunr.js.

Phases, one function each:
1. `configure` (signal `initialized`): check the SEARCH_* settings once, put their defaults in the settings
   (templates read SEARCH_OUTPUT_DIR and SEARCH_PAGE_SIZE), forget the previous build's articles.
2. `collect_articles` (signal `article_generator_finalized`): each article becomes a plain `SearchDocument`.
3. `write_search_index` (signal `finalized`): index the documents with our lunr.js-compatible builder,
   write the shards, vocabulary and result store (news_search.shards), and copy lunr.js from node_modules.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from news_reader import BuildError, article_text, html_to_text

from .incremental import (
    STATE_FILE,
    IndexState,
    append_index,
    document_digest,
    index_version,
    load_state,
    read_previous,
    save_state,
)
from .lunrjs import FieldSpec, IndexBuilder
from .shards import ShardedFiles, write_sharded

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
LUNR_FILE_NAME = "lunr.min.js"

SEARCH_DEFAULTS: dict[str, Any] = {
    # Where the index, the store and lunr.js go, relative to the output directory.
    "SEARCH_OUTPUT_DIR": "search/data",
    # The indexed fields and their boosts, in lunr's field order.
    "SEARCH_FIELDS": {"title": 10, "summary": 2, "body": 1, "tags": 3, "source": 1, "section": 1},
    # Fields whose word positions are kept, so that results can highlight the words that matched.
    "SEARCH_POSITION_FIELDS": ("title", "summary"),
    # The average bytes of a shard's JSON (content-defined boundaries; a very common term can make one larger).
    "SEARCH_SHARD_BYTES": 32_000,
    "SEARCH_VOCABULARY_BYTES": 64_000,
    # Documents per result-store file.
    "SEARCH_STORE_CHUNK": 20,
    # Results shown at once on the search page ("More results" shows the next ones).
    "SEARCH_PAGE_SIZE": 10,
    # lunr.js 2.3.9 as npm installs it (package.json); None means node_modules/lunr/lunr.min.js.
    "SEARCH_LUNR_JS": None,
}
STORE_COLUMNS = ("url", "title", "date", "dateText", "source", "snippet")


class SearchSettingError(BuildError, ValueError):
    """A SEARCH_* setting has a value the plugin cannot use."""


class SearchBuildError(RuntimeError):
    """The search index could not be written."""


@dataclass(frozen=True)
class SearchSettings:
    output_dir: str
    fields: tuple[FieldSpec, ...]
    position_fields: frozenset[str]
    shard_bytes: int
    vocabulary_bytes: int
    store_chunk: int
    page_size: int
    lunr_js: Path


@dataclass(frozen=True)
class SearchDocument:
    """What is indexed and shown for one article, as plain text."""

    url: str
    title: str
    summary: str
    body: str
    tags: str
    source: str
    section: str
    date: str  # ISO 8601
    date_text: str

    def field(self, name: str) -> str:
        return str(getattr(self, name, ""))

    def store_row(self, site_url: str) -> tuple[str, ...]:
        return (f"{site_url}/{self.url}", self.title, self.date, self.date_text, self.source, self.summary)


# -- 1. settings ------------------------------------------------------------------------------------------


def _positive_int(settings: Mapping[str, Any], name: str) -> int:
    value = settings.get(name, SEARCH_DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SearchSettingError(
            f"{name} = {value!r}: expected a positive whole number (default {SEARCH_DEFAULTS[name]})"
        )
    return value


def read_settings(settings: Mapping[str, Any]) -> SearchSettings:
    """The SEARCH_* settings, checked; SearchSettingError names the setting, the value and what is expected."""
    fields = settings.get("SEARCH_FIELDS", SEARCH_DEFAULTS["SEARCH_FIELDS"])
    known = set(SearchDocument.__dataclass_fields__) - {"url", "date", "date_text"}
    if not isinstance(fields, Mapping) or not fields:
        raise SearchSettingError(
            f"SEARCH_FIELDS = {fields!r}: expected a dict of field name to boost, e.g. {{'title': 10}}"
        )
    specs = []
    for name, boost in fields.items():
        if name not in known:
            raise SearchSettingError(f"SEARCH_FIELDS has {name!r}: expected fields among {sorted(known)}")
        if isinstance(boost, bool) or not isinstance(boost, int | float) or boost <= 0:
            raise SearchSettingError(f"SEARCH_FIELDS[{name!r}] = {boost!r}: expected a positive number (the boost)")
        specs.append(FieldSpec(name, float(boost)))
    positions = settings.get("SEARCH_POSITION_FIELDS", SEARCH_DEFAULTS["SEARCH_POSITION_FIELDS"])
    if isinstance(positions, str) or not all(name in fields for name in positions):
        raise SearchSettingError(
            f"SEARCH_POSITION_FIELDS = {positions!r}: expected a list of names from SEARCH_FIELDS ({list(fields)})"
        )
    output_dir = settings.get("SEARCH_OUTPUT_DIR", SEARCH_DEFAULTS["SEARCH_OUTPUT_DIR"])
    if not isinstance(output_dir, str) or not output_dir.strip("/") or ".." in output_dir.split("/"):
        raise SearchSettingError(
            f"SEARCH_OUTPUT_DIR = {output_dir!r}: expected a folder inside the output, e.g. 'search/data'"
        )
    lunr_js = settings.get("SEARCH_LUNR_JS") or ROOT / "node_modules" / "lunr" / LUNR_FILE_NAME
    return SearchSettings(
        output_dir=output_dir.strip("/"),
        fields=tuple(specs),
        position_fields=frozenset(positions),
        shard_bytes=_positive_int(settings, "SEARCH_SHARD_BYTES"),
        vocabulary_bytes=_positive_int(settings, "SEARCH_VOCABULARY_BYTES"),
        store_chunk=_positive_int(settings, "SEARCH_STORE_CHUNK"),
        page_size=_positive_int(settings, "SEARCH_PAGE_SIZE"),
        lunr_js=Path(lunr_js),
    )


def configure(pelican: Any) -> None:
    read_settings(pelican.settings)
    for name, value in SEARCH_DEFAULTS.items():
        if value is not None:
            pelican.settings.setdefault(name, value)


# -- 2. articles to documents -----------------------------------------------------------------------------


def article_document(article: Any) -> SearchDocument:
    """The searchable text of a Pelican article: title, summary, body, tags, source and section."""
    summary = getattr(article, "summary_text", None) or html_to_text(getattr(article, "summary", ""))
    source = getattr(article, "source", None)
    return SearchDocument(
        url=article.url,
        title=str(article.title),
        summary=str(summary),
        body=article_text(article),
        tags=" ".join(str(tag) for tag in getattr(article, "tags", ()) or ()),
        source=str(getattr(source, "name", source or "")),
        section=str(getattr(article, "category", "") or ""),
        date=article.date.isoformat(),
        date_text=str(getattr(article, "locale_date", article.date.date().isoformat())),
    )


def entry_order(article: Any) -> tuple[Any, ...]:
    """Documents are numbered in the order articles entered the archive: `added` (written by ingest and
    `invoke new`), else `date`. The next article then takes the next number, even one dated years back, and the
    documents already indexed keep theirs: their store files, and the shards of the terms the new article
    lacks, stay as they were. (In date order a backfilled article renumbered every later one; lunr numbers
    terms in the order it first meets them, so the terms after it too: most shards changed.)"""
    return (getattr(article, "added", None) or article.date, article.date, article.url)


def collect_articles(generator: Any) -> None:
    """At `article_generator_finalized`: the articles' documents are made here; the index is built and
    written by a worker process beside the rest of the build (news_output's run_beside)."""
    from news_output import run_beside  # here: Pelican loads news_output after this plugin

    articles = sorted(generator.articles, key=entry_order)
    documents = [article_document(article) for article in articles]
    settings, output = generator.settings, Path(generator.output_path)
    run_beside(functools.partial(write_search_index, documents, settings, output), "search index", settings)


# -- 3. the index -----------------------------------------------------------------------------------------


def build_search_index(
    documents: Iterable[SearchDocument], options: SearchSettings, directory: Path, site_url: str = ""
) -> ShardedFiles:
    """Index `documents` (their numbers are their lunr refs) and write the sharded index into `directory`.

    One pass: only the store rows are kept, so a generator of 100,000 documents never sits in memory."""
    names = [spec.name for spec in options.fields]
    rows: list[tuple[str, ...]] = []

    def fields() -> Iterator[dict[str, str]]:
        for document in documents:
            rows.append(document.store_row(site_url))
            yield {name: document.field(name) for name in names}

    return _index_in_full(fields(), rows, options, directory)


def _index_in_full(
    fields: Iterable[Mapping[str, str]], rows: Sequence[Sequence[object]], options: SearchSettings, directory: Path
) -> ShardedFiles:
    """The index of `fields`, each document's indexed text, built in one go; `rows[n]` is what result n shows
    (read once every document is added)."""
    builder = IndexBuilder(options.fields, options.position_fields)
    for number, document in enumerate(fields):
        builder.add(str(number), document)
    return write_sharded(
        builder,
        directory,
        shard_bytes=options.shard_bytes,
        vocabulary_bytes=options.vocabulary_bytes,
        store_rows=rows,
        store_chunk=options.store_chunk,
    )


def copy_lunr(options: SearchSettings, directory: Path) -> None:
    if not options.lunr_js.is_file():
        raise SearchBuildError(
            f"{options.lunr_js} is missing: the search page needs lunr.js 2.3.9 from npm; run `npm ci` in "
            f"{ROOT} (`invoke build` does it), or set SEARCH_LUNR_JS to the file"
        )
    shutil.copyfile(options.lunr_js, directory / LUNR_FILE_NAME)


def write_search_index(documents: list[SearchDocument], settings: Mapping[str, Any], output: Path) -> None:
    options = read_settings(settings)
    directory = output / options.output_dir
    site_url = settings.get("SITEURL", "")
    names = [spec.name for spec in options.fields]
    fields = [{name: document.field(name) for name in names} for document in documents]
    rows = [document.store_row(site_url) for document in documents]
    files, appended = write_index(fields, rows, options, directory, settings, output)
    copy_lunr(options, directory)
    logger.info(
        "Search: %d articles%s, %d shards, %.1f kB of index in %s",
        len(documents),
        f" ({appended} appended to the last build's index)" if appended is not None else "",
        files.shards,
        files.total_bytes / 1000,
        options.output_dir,
    )


def write_index(
    fields: Sequence[Mapping[str, str]],
    rows: Sequence[Sequence[object]],
    options: SearchSettings,
    directory: Path,
    settings: Mapping[str, Any],
    output: Path,
) -> tuple[ShardedFiles, int | None]:
    """Write the index of the documents (`fields[n]`, shown as `rows[n]`) into `directory`: the previous
    build's index with the new documents appended when it holds the first documents unchanged (incremental.py),
    else built in full. Returns what was written and how many documents were appended (None: built in full)."""
    cache = settings.get("CACHE_PATH")
    load, save = bool(settings.get("LOAD_CONTENT_CACHE")), bool(settings.get("CACHE_CONTENT"))
    state_path = Path(cache) / STATE_FILE if cache and (load or save) else None
    if state_path is None:  # no content cache: nothing to read or keep
        return _index_in_full(fields, rows, options, directory), None
    version = index_version(options, settings.get("SITEURL", ""))
    digests = tuple(document_digest(f, r) for f, r in zip(fields, rows, strict=True))
    previous, kept = None, 0
    if load:
        state = load_state(state_path)
        folder = _previous_output(output)
        if state is not None and folder is not None and state.version == version:
            kept = len(state.documents)
            if digests[:kept] == state.documents:
                previous = read_previous(folder / options.output_dir, state)
            if previous is not None and previous.document_count != kept:
                previous = None
    state_path.unlink(missing_ok=True)  # from here on it would describe an index that is being replaced
    if previous is not None:
        files = append_index(previous, fields[kept:], options, directory, rows)
    else:
        files = _index_in_full(fields, rows, options, directory)
    if save:
        manifest = hashlib.sha256((directory / "manifest.json").read_bytes()).hexdigest()
        save_state(state_path, IndexState(version, manifest, digests))
    return files, (len(fields) - kept if previous is not None else None)


def _previous_output(output: Path) -> Path | None:
    """The previous build's output folder, set aside by news_output while this build runs, if there is one."""
    try:
        from news_output.writer import previous_builds  # loaded after this plugin; absent without news_output
    except ImportError:
        return None
    found = previous_builds.get(os.path.normpath(output))
    return Path(found) if found else None
