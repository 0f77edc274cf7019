"""news_sources: source names become shared Source objects; contributor pieces have none."""

from __future__ import annotations

from types import SimpleNamespace

from news_sources import Source
from news_sources.sources import articles_by_source, attach_sources
from pelican.settings import DEFAULT_CONFIG

SETTINGS = {**DEFAULT_CONFIG, "SOURCE_URL": "source/{slug}/", "SOURCE_SAVE_AS": "source/{slug}/index.html"}


def test_sources_are_shared_per_slug_and_listed_by_name():
    a = SimpleNamespace(source="Harbour Ledger")
    b = SimpleNamespace(source="Civic Wire")
    c = SimpleNamespace(source="harbour ledger")  # same slug: the same outlet
    d = SimpleNamespace(source=None)
    generator = SimpleNamespace(
        articles=[a, b, c, d], translations=[], hidden_articles=[], drafts=[], settings=SETTINGS
    )
    attach_sources(generator)
    assert isinstance(a.source, Source)
    assert a.source is c.source
    assert a.source.url == "source/harbour-ledger/"
    assert d.source is None
    listed = articles_by_source([a, b, c, d])
    assert [(s.name, len(items)) for s, items in listed] == [("Civic Wire", 1), ("Harbour Ledger", 2)]
