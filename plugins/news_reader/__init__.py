"""news_reader: Markdown articles with YAML front matter, validated with file and line, sanitised."""

from __future__ import annotations

from typing import Any

from pelican import signals

from .errors import BuildError, quiet_tracebacks
from .files import write_atomically
from .reader import (
    FrontMatter,
    FrontMatterError,
    NewsMarkdownReader,
    article_text,
    body_fingerprint,
    canonical,
    check_content_cache,
    html_to_text,
    in_forked_worker,
    prepare_articles,
    prune_content_cache,
    reading_fingerprint,
    sanitise_html,
    save_stamps,
    settle_order,
    stamp_once,
    worker_count,
)

__all__ = [
    "BuildError",
    "FrontMatter",
    "FrontMatterError",
    "NewsMarkdownReader",
    "article_text",
    "body_fingerprint",
    "canonical",
    "html_to_text",
    "in_forked_worker",
    "reading_fingerprint",
    "register",
    "sanitise_html",
    "worker_count",
    "write_atomically",
]


def add_reader(readers: Any) -> None:
    """Use our reader for .md/.markdown files instead of Pelican's own Markdown reader."""
    for extension in NewsMarkdownReader.file_extensions:
        readers.reader_classes[extension] = NewsMarkdownReader


def register() -> None:
    quiet_tracebacks()
    signals.readers_init.connect(check_content_cache)
    signals.readers_init.connect(add_reader)
    signals.article_generator_init.connect(prepare_articles)
    signals.page_generator_init.connect(stamp_once)
    signals.page_generator_finalized.connect(save_stamps)
    signals.article_generator_pretaxonomy.connect(prune_content_cache)
    signals.article_generator_pretaxonomy.connect(settle_order)
