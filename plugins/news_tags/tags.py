"""Tags merged in the build: one Tag per topic, whatever spelling ingest or a contributor used.

- `merge_tags` (signal: article_generator_pretaxonomy): every article's tags normalised by the rules in
  TAG_ALIASES_FILE (see rules.py), spellings of one topic merged into one shared `Tag` with the most used
  (or aliased) display form, and two *different* tags whose slugs collide ("C++" and "C" both give "c")
  kept apart: the one used first keeps the slug, the later ones get "-2", "-3"... so a published tag URL
  never changes when a new tag arrives;
- `index_tags` (signal: article_generator_finalized): `tags` in the context sorted A to Z (case and accents
  ignored), `popular_tags` the TAG_INDEX_POPULAR most used, for the tag index.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from news_reader import BuildError
from pelican.urlwrappers import Tag

from .rules import TagRules, TagRulesError, merge_spellings, tag_key

logger = logging.getLogger(__name__)

TAGS_DEFAULTS: dict[str, Any] = {"TAG_ALIASES_FILE": "tag-aliases.toml", "TAG_INDEX_POPULAR": 12}


class TagSettingsError(BuildError, ValueError):
    """A news_tags setting has a value the plugin cannot use."""


@dataclasses.dataclass(frozen=True)
class TagSettings:
    aliases_file: Path | None  # None: no aliases
    aliases_required: bool  # False for the default file name: a site without the file has no aliases
    index_popular: int


def read_settings(settings: Mapping[str, Any]) -> TagSettings:
    """The plugin's settings, validated; a TagSettingsError names the setting, its value and what it expects."""
    aliases = settings.get("TAG_ALIASES_FILE", TAGS_DEFAULTS["TAG_ALIASES_FILE"])
    if aliases is not None and not isinstance(aliases, str | os.PathLike):
        raise TagSettingsError(
            f"TAG_ALIASES_FILE is {aliases!r}; expected a path (relative to PATH) such as 'tag-aliases.toml', or None"
        )
    popular = settings.get("TAG_INDEX_POPULAR", TAGS_DEFAULTS["TAG_INDEX_POPULAR"])
    if not isinstance(popular, int) or isinstance(popular, bool) or popular < 0:
        raise TagSettingsError(f"TAG_INDEX_POPULAR is {popular!r}; expected a whole number, 0 or more (0: no list)")
    path = None
    if aliases:
        path = Path(aliases)
        if not path.is_absolute():
            path = Path(settings.get("PATH", os.curdir)) / path
    return TagSettings(
        aliases_file=path,
        aliases_required="TAG_ALIASES_FILE" in settings and aliases != TAGS_DEFAULTS["TAG_ALIASES_FILE"],
        index_popular=popular,
    )


def load_rules(config: TagSettings) -> TagRules:
    """The aliases in the configured file; no aliases when the default file is simply absent.

    A broken file is reported as one error line (file:line: what — how to fix), like a broken article:
    the build goes on without aliases, and fails when errors are fatal (`invoke build --strict`, CI)."""
    if config.aliases_file is None or (not config.aliases_required and not config.aliases_file.is_file()):
        return TagRules()
    try:
        return TagRules.load(config.aliases_file)
    except TagRulesError as error:
        logger.error("%s", error)
        return TagRules()


def assign_slugs(tags_in_order_of_first_use: Sequence[Tag]) -> None:
    """Give colliding tags distinct slugs: the first used keeps its slug, later ones get -2, -3, ..."""
    taken = {tag.slug for tag in tags_in_order_of_first_use}
    owner: dict[str, Tag] = {}
    for tag in tags_in_order_of_first_use:
        natural = tag.slug
        if natural not in owner:
            owner[natural] = tag
            continue
        number = 2
        while f"{natural}-{number}" in taken:
            number += 1
        tag.slug = f"{natural}-{number}"
        taken.add(tag.slug)
        owner[tag.slug] = tag
        logger.info(
            'news_tags: tags "%s" and "%s" share the slug "%s"; "%s" is at "%s" (if they are one topic, '
            "make one an alias of the other in the tag aliases file)",
            owner[natural].name,
            tag.name,
            natural,
            tag.name,
            tag.slug,
        )


def shared_tags(rules: TagRules, tag_lists: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """For each article's tag names (oldest article first), its merged display names; builds nothing."""
    normalised = [rules.normalise_all(names) for names in tag_lists]
    display = merge_spellings(rules, chain.from_iterable(normalised))
    merged: list[tuple[str, ...]] = []
    for names in normalised:
        merged.append(tuple(dict.fromkeys(display[tag_key(name)] for name in names)))
    return merged


def merge_tags(generator: Any) -> None:
    """Replace every article's tags with shared, merged Tag objects (before Pelican groups them)."""
    config = read_settings(generator.settings)
    rules = load_rules(config)
    generator.context["tag_rules"] = rules
    everything = list(chain(generator.articles, generator.translations, generator.hidden_articles, generator.drafts))
    oldest_first = sorted(everything, key=_use_order)
    names = shared_tags(rules, [[str(t) for t in getattr(a, "tags", None) or []] for a in oldest_first])
    objects: dict[str, Tag] = {}
    for article, article_names in zip(oldest_first, names, strict=True):
        tags = [objects.setdefault(tag_key(n), Tag(n, generator.settings)) for n in article_names]
        if hasattr(article, "tags") or tags:
            article.tags = tags
            metadata = getattr(article, "metadata", None)
            if isinstance(metadata, dict) and "tags" in metadata:
                metadata["tags"] = tags
    assign_slugs(list(objects.values()))


def _use_order(article: Any) -> tuple[Any, str]:
    date = getattr(article, "date", None)
    return (date.timestamp() if date is not None else float("inf"), str(getattr(article, "source_path", "")))


def sort_key(name: str) -> tuple[str, str]:
    """A to Z ignoring case and accents ("Édition" next to "edition"), then by exact text."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return (stripped.casefold(), name)


def sorted_index(pairs: Iterable[tuple[Tag, list[Any]]]) -> list[tuple[Tag, list[Any]]]:
    return sorted(pairs, key=lambda pair: (*sort_key(pair[0].name), pair[0].slug))


def popular(pairs: Iterable[tuple[Tag, list[Any]]], limit: int) -> list[tuple[Tag, list[Any]]]:
    """The `limit` most used tags, most used first (ties A to Z)."""
    ranked = sorted(pairs, key=lambda pair: (-len(pair[1]), *sort_key(pair[0].name), pair[0].slug))
    return ranked[:limit]


def index_tags(generator: Any) -> None:
    """`tags` A to Z and `popular_tags` for the tag index."""
    config = read_settings(generator.settings)
    pairs = sorted_index(generator.context.get("tags") or [])
    generator.context["tags"] = pairs
    generator.context["popular_tags"] = popular(pairs, config.index_popular)
