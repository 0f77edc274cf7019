"""news_tags: one tag per topic (normalised spellings, an aliases file, slug collisions kept apart) and the
tag index's order and counts."""

from __future__ import annotations

from pelican import signals

from .rules import TagRules, TagRulesError, clean, merge_spellings, tag_key
from .tags import index_tags, merge_tags

__all__ = ["TagRules", "TagRulesError", "clean", "merge_spellings", "register", "tag_key"]


def register() -> None:
    signals.article_generator_pretaxonomy.connect(merge_tags)
    signals.article_generator_finalized.connect(index_tags)
