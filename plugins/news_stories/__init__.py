"""news_stories: the same event from many outlets as one story, developing stories as arcs, daily and weekly
digests, and "cited by" on article pages."""

from __future__ import annotations

from typing import Any

from pelican import signals

from .stories import StoriesGenerator

__all__ = ["StoriesGenerator", "register"]


def get_generators(pelican: Any) -> type[StoriesGenerator]:
    return StoriesGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
