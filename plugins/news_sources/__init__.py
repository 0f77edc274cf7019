"""news_sources: the outlet an article came from, as a taxonomy with pages, an index and Atom feeds."""

from __future__ import annotations

from typing import Any

from pelican import signals

from .sources import Source, SourcesGenerator, attach_sources

__all__ = ["Source", "SourcesGenerator", "register"]


def get_generators(pelican: Any) -> type[SourcesGenerator]:
    return SourcesGenerator


def register() -> None:
    signals.article_generator_pretaxonomy.connect(attach_sources)
    signals.get_generators.connect(get_generators)
