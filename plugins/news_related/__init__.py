"""news_related: up to RELATED_MAX related articles per article, on text, tags, section and time."""

from __future__ import annotations

from pelican import signals

from .related import add_related, attach_related

__all__ = ["add_related", "attach_related", "register"]


def register() -> None:
    signals.article_generator_finalized.connect(add_related)
    signals.all_generators_finalized.connect(attach_related)
