"""news_navigation: section order, newer/older in section, the home page's selection, archive neighbours."""

from __future__ import annotations

from pelican import signals

from .navigation import (
    HomeSelection,
    MemberList,
    add_navigation,
    add_template_filters,
    date_text,
    install_strftime,
    install_url_formatting,
    period_neighbours,
    remember_urls,
    settle_lists,
    suspend_period_archives,
    time_tag,
)

__all__ = [
    "HomeSelection",
    "MemberList",
    "add_navigation",
    "add_template_filters",
    "date_text",
    "period_neighbours",
    "register",
    "remember_urls",
    "settle_lists",
    "suspend_period_archives",
    "time_tag",
]


def register() -> None:
    install_strftime()
    install_url_formatting()
    signals.initialized.connect(add_template_filters)
    signals.article_generator_pretaxonomy.connect(suspend_period_archives)
    signals.article_generator_pretaxonomy.connect(remember_urls)
    signals.page_generator_finalized.connect(remember_urls)
    signals.article_generator_finalized.connect(add_navigation)
    signals.all_generators_finalized.connect(settle_lists)
