"""The previous build's index with new documents appended equals the index built in one go (incremental.py)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from news_output.writer import previous_builds
from news_search.search import SearchDocument, read_settings, write_index

WORDS = [
    "harbour",
    "ferry",
    "strike",
    "quay",
    "council",
    "vote",
    "budget",
    "rain",
    "storm",
    "port",
    "alder",
    "lamps",
    "night",
    "market",
    "fish",
    "price",
    "rise",
    "naïve",
    "東京",
    "😀ok",
    "co-op",
    "well-being",
    "the",
    "and",
    "of",
    "to",
    "it",
    "is",
    "a",
    "mayor's",
    "£5m",
    "2026",
    "report",
    "reports",
    "reporting",
]


def documents(count: int, seed: int, offset: int = 0) -> list[SearchDocument]:
    rng = random.Random(seed)

    def text(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words))

    return [
        SearchDocument(
            url=f"2026/03/{offset + n:05d}/",
            title=text(rng.randint(1, 8)),
            summary=text(rng.randint(0, 20)),
            body=text(rng.randint(0, 120)) + f" unique{offset + n}",  # a term no other document has
            tags=text(rng.randint(0, 3)),
            source=rng.choice(["Ledger", "Civic Wire", ""]),
            section=rng.choice(["World", "Business", "Harbour"]),
            date=f"2026-03-01T{n % 24:02d}:00:00+00:00",
            date_text="1 March 2026",
        )
        for n in range(count)
    ]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Builds:
    """Indexes written as a build writes them, each into its own output folder; `after` is the build before."""

    def __init__(self, root: Path, **settings: object) -> None:
        self.root, self.count = root, 0
        self.settings = {"CACHE_PATH": str(root / "cache"), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
        self.settings.update(settings)
        self.options = read_settings(self.settings)

    def write(self, docs: list[SearchDocument], after: Path | None = None) -> tuple[Path, int | None]:
        self.count += 1
        output = self.root / f"output-{self.count}"
        if after is not None:
            previous_builds[os.path.normpath(output)] = str(after)
        try:
            fields = [{s.name: d.field(s.name) for s in self.options.fields} for d in docs]
            rows = [d.store_row("") for d in docs]
            _, appended = write_index(
                fields, rows, self.options, output / self.options.output_dir, self.settings, output
            )
        finally:
            previous_builds.pop(os.path.normpath(output), None)
        return output, appended

    def clean(self, docs: list[SearchDocument]) -> dict[str, bytes]:
        """The same documents' index built in one go, without any previous build or state."""
        self.count += 1
        output = self.root / f"clean-{self.count}"
        fields = [{s.name: d.field(s.name) for s in self.options.fields} for d in docs]
        rows = [d.store_row("") for d in docs]
        write_index(fields, rows, self.options, output / "index", {}, output)
        return files(output / "index")


@pytest.fixture
def builds(tmp_path: Path) -> Builds:
    return Builds(tmp_path, SEARCH_SHARD_BYTES=2000, SEARCH_VOCABULARY_BYTES=500, SEARCH_STORE_CHUNK=7)


@pytest.mark.parametrize(("first", "added"), [(0, 5), (40, 1), (120, 9), (60, 0)])
def test_new_documents_appended_give_the_index_built_in_one_go(builds: Builds, first: int, added: int) -> None:
    docs = documents(first + added, seed=first + added)
    before, appended = builds.write(docs[:first])
    assert appended is None  # no state yet
    after, appended = builds.write(docs, after=before)
    assert appended == added
    index = builds.options.output_dir
    assert files(after / index) == builds.clean(docs)
    # And again, from that index: a chain of rebuilds stays exact.
    more = docs + documents(3, seed=99, offset=1000)
    last, appended = builds.write(more, after=after)
    assert appended == 3
    assert files(last / index) == builds.clean(more)


def test_any_other_change_builds_the_index_in_full(builds: Builds) -> None:
    docs = documents(50, seed=7)
    before, _ = builds.write(docs)
    index = builds.options.output_dir
    # An edited document (not only new ones at the end): built in full, the same as a clean build.
    edited = [*docs[:10], documents(1, seed=8, offset=10)[0], *docs[11:]]
    after, appended = builds.write(edited, after=before)
    assert appended is None
    assert files(after / index) == builds.clean(edited)
    # A removed document.
    fewer, appended = builds.write(edited[:-1], after=after)
    assert appended is None
    # A shard of the previous index changed since it was written: built in full.
    grown = edited[:-1] + documents(2, seed=9, offset=500)
    shard = next((fewer / index / "shards").glob("*.json"))
    shard.write_bytes(shard.read_bytes().replace(b'"terms":[', b'"terms":[ ', 1))
    last, appended = builds.write(grown, after=fewer)
    assert appended is None
    assert files(last / index) == builds.clean(grown)
    # Without the previous build's folder (no news_output set-aside): built in full.
    _, appended = builds.write(grown + documents(1, seed=10, offset=600))
    assert appended is None


def test_other_search_settings_build_the_index_in_full(builds: Builds, tmp_path: Path) -> None:
    docs = documents(30, seed=3)
    before, _ = builds.write(docs[:25])
    other = Builds(tmp_path, SEARCH_SHARD_BYTES=3000, SEARCH_VOCABULARY_BYTES=500, SEARCH_STORE_CHUNK=7)
    other.count = builds.count
    after, appended = other.write(docs, after=before)
    assert appended is None
    assert files(after / other.options.output_dir) == other.clean(docs)


def test_without_the_content_cache_settings_no_state_is_kept(tmp_path: Path) -> None:
    quiet = Builds(tmp_path, CACHE_CONTENT=False, LOAD_CONTENT_CACHE=False)
    before, _ = quiet.write(documents(10, seed=1))
    assert not (tmp_path / "cache").exists()
    _, appended = quiet.write(documents(12, seed=1), after=before)
    assert appended is None
