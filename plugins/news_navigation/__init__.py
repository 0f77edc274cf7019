"""news_navigation: section order, newer/older in section, the home page's selection, archive neighbours."""

from __future__ import annotations

from pelican import signals

from .navigation import HomeSelection, add_navigation, period_neighbours

__all__ = ["HomeSelection", "add_navigation", "period_neighbours", "register"]


def register() -> None:
    signals.article_generator_finalized.connect(add_navigation)
