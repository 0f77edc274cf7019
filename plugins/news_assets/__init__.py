"""news_assets: content-hashed names for the theme's CSS and JavaScript (`asset_url` in templates)."""

from __future__ import annotations

from pelican import signals

from .assets import AssetError, AssetUrls, hashed_name, install_helper, write_hashed_copies

__all__ = ["AssetError", "AssetUrls", "hashed_name", "register"]


def register() -> None:
    signals.initialized.connect(install_helper)
    signals.finalized.connect(write_hashed_copies)
