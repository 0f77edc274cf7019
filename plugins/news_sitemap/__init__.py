"""news_sitemap: sitemap.xml (a sitemap index above SITEMAP_MAX_URLS URLs) and robots.txt."""

from __future__ import annotations

from pelican import signals

from .sitemap import SitemapEntry, build_sitemaps, record_page, reset, write_sitemaps

__all__ = ["SitemapEntry", "build_sitemaps", "register", "write_sitemaps"]


def register() -> None:
    signals.initialized.connect(reset)
    signals.content_written.connect(record_page)
    signals.finalized.connect(write_sitemaps)
