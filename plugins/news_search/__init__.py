"""news_search: every article in a sharded lunr.js 2.3.9 index, for the search box and the /search/ page."""

from __future__ import annotations

from pelican import signals

from .search import collect_articles, configure

__all__ = ["register"]


def register() -> None:
    signals.initialized.connect(configure)
    signals.article_generator_finalized.connect(collect_articles)
