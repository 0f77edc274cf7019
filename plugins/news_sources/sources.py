"""Sources (outlets) as a Pelican taxonomy, like categories and tags.

`attach_sources` turns each article's `source` text into a `Source` before Pelican builds its taxonomies;
`SourcesGenerator` then lists them (`sources` in every template), writes one paginated page and one Atom
feed per source, and the sources index.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from itertools import chain
from typing import Any

from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper


class Source(URLWrapper):
    """An outlet; its URLs come from the SOURCE_URL and SOURCE_SAVE_AS settings."""


def attach_sources(generator: Any) -> None:
    """Replace each article's `source` name with one shared Source per slug (None for contributor pieces)."""
    by_slug: dict[str, Source] = {}
    for article in chain(generator.articles, generator.translations, generator.hidden_articles, generator.drafts):
        name = getattr(article, "source", None)
        if isinstance(name, Source):
            name = name.name
        if not name:
            article.source = None
            continue
        source = Source(name, generator.settings)
        article.source = by_slug.setdefault(source.slug, source)


def articles_by_source(articles: list[Any]) -> list[tuple[Source, list[Any]]]:
    """[(source, its articles in the given order)], sources sorted by name."""
    grouped: dict[Source, list[Any]] = defaultdict(list)
    for article in articles:
        source = getattr(article, "source", None)
        if isinstance(source, Source):
            grouped[source].append(article)
    return sorted(grouped.items(), key=lambda pair: (pair[0].name.casefold(), pair[0].slug))


class SourcesGenerator(Generator):
    """Source pages, the sources index and per-source feeds."""

    sources: list[tuple[Source, list[Any]]]

    def generate_context(self) -> None:
        self.sources = articles_by_source(self.context.get("articles", []))
        self.context["sources"] = self.sources

    def generate_output(self, writer: Any) -> None:
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        template = self.get_template("source")
        feed_pattern = self.settings.get("SOURCE_FEED_ATOM")
        for source, articles in self.sources:
            write(
                source.save_as,
                template,
                self.context,
                source=source,
                url=source.url,
                articles=articles,
                paginated={"articles": articles},
                template_name="source",
                blog=True,
                page_name=source.page_name,
            )
            if feed_pattern:
                path = str(feed_pattern).format(slug=source.slug)
                writer.write_feed(articles, self.context, path, path, feed_title=source.name)
        index_save_as = self.settings.get("SOURCES_SAVE_AS")
        if index_save_as:
            write(
                index_save_as,
                self.get_template("sources"),
                self.context,
                url=self.settings.get("SOURCES_URL", ""),
                template_name="sources",
                page_name="sources",
            )
