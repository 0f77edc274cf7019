"""Feeds are read outside the site, so every link in them (entry links and links inside the content) must be
absolute. Pages use SITEURL = "" (root-relative links); feeds are written with SITEURL set to SITE_ORIGIN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pelican.writers import Writer


class AbsoluteFeedWriter(Writer):
    """Pelican's writer, with feeds rendered against the published origin."""

    def write_feed(self, elements: Any, context: Mapping[str, Any], *args: Any, **kwargs: Any) -> Any:
        origin = str(context.get("SITE_ORIGIN") or context.get("SITEURL") or "").rstrip("/")
        return super().write_feed(elements, {**context, "SITEURL": origin}, *args, **kwargs)


def get_writer(pelican: Any) -> type[AbsoluteFeedWriter] | None:
    """This writer, unless news_output is on: its writer is built on this one (Pelican uses one writer)."""
    plugins = [getattr(p, "__name__", str(p)).rsplit(".", 1)[-1] for p in pelican.settings.get("PLUGINS") or ()]
    return None if "news_output" in plugins else AbsoluteFeedWriter
