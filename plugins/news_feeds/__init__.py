"""news_feeds: Atom feeds whose links are absolute, on SITE_ORIGIN, while pages keep root-relative links."""

from __future__ import annotations

from pelican import signals

from .feeds import AbsoluteFeedWriter, get_writer

__all__ = ["AbsoluteFeedWriter", "register"]


def register() -> None:
    signals.get_writer.connect(get_writer)
