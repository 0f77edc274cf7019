"""news_trending: what is rising now — a strip on every page and a /trending/ page, per time window."""

from __future__ import annotations

from typing import Any

from pelican import signals

from .scoring import TrendConfig, TrendDocument, TrendWindow, find_trends
from .trending import TrendingGenerator

__all__ = ["TrendConfig", "TrendDocument", "TrendWindow", "TrendingGenerator", "find_trends", "register"]


def get_generators(pelican: Any) -> type[TrendingGenerator]:
    return TrendingGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
