"""Content-hashed names for the theme's static CSS and JavaScript, so a CDN may cache them for a year.

At `initialized` every file under the theme's static paths whose extension is in `ASSETS_HASH_EXTENSIONS` is
hashed (SHA-256 of its bytes) and `asset_url` is added to the templates' globals: `asset_url("css/site.css")`
gives `/theme/css/site.3f2a9c01d4.css` when `ASSETS_HASH` is on and `/theme/css/site.css` when it is off.
A name that is not a theme file fails the build, in both modes. At `finalized`, once Pelican has copied the
theme's files, the hashed copies are written beside the plain ones (the plain names stay, for anything that
still links them).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

logger = logging.getLogger(__name__)

ASSETS_DEFAULTS: dict[str, Any] = {
    "ASSETS_HASH": False,
    "ASSETS_HASH_EXTENSIONS": (".css", ".js"),
    "ASSETS_HASH_LENGTH": 10,
}
HELPER_NAME = "asset_url"


class AssetError(Exception):
    """A setting of this plugin is wrong, or a template asked for a theme file that does not exist."""


@dataclasses.dataclass(frozen=True)
class AssetSettings:
    enabled: bool
    extensions: tuple[str, ...]
    length: int


@dataclasses.dataclass(frozen=True)
class ThemeAsset:
    path: str  # relative to the theme's static folder, with "/": "css/site.css"
    source: Path  # the file in the theme
    hashed: str  # "css/site.3f2a9c01d4.css"


def read_settings(settings: Mapping[str, Any]) -> AssetSettings:
    """The plugin's settings with their defaults, checked once; AssetError names the setting that is wrong."""
    values = {name: settings.get(name, default) for name, default in ASSETS_DEFAULTS.items()}
    if not isinstance(values["ASSETS_HASH"], bool):
        raise AssetError(f"ASSETS_HASH is {values['ASSETS_HASH']!r}; expected True or False")
    extensions = values["ASSETS_HASH_EXTENSIONS"]
    if isinstance(extensions, str) or not all(isinstance(e, str) and e.startswith(".") for e in extensions):
        raise AssetError(
            f"ASSETS_HASH_EXTENSIONS is {extensions!r}; "
            "expected a list of extensions with their dot, e.g. ['.css', '.js']"
        )
    length = values["ASSETS_HASH_LENGTH"]
    if not isinstance(length, int) or isinstance(length, bool) or not 8 <= length <= 64:
        raise AssetError(f"ASSETS_HASH_LENGTH is {length!r}; expected a whole number from 8 to 64")
    return AssetSettings(values["ASSETS_HASH"], tuple(e.lower() for e in extensions), length)


def hashed_name(path: str, digest: str) -> str:
    """`css/site.css` + digest -> `css/site.<digest>.css`: the hash goes before the last extension."""
    pure = PurePosixPath(path)
    if not pure.suffix:
        return f"{path}.{digest}"
    return str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))


def _files_under(entry: Path) -> Iterable[tuple[str, Path]]:
    """(path relative to the theme's static output folder, file) for one THEME_STATIC_PATHS entry."""
    if entry.is_file():
        yield entry.name, entry
        return
    for file in sorted(entry.rglob("*")):
        if file.is_file():
            yield file.relative_to(entry).as_posix(), file


def find_assets(theme: Path, static_paths: Iterable[str], config: AssetSettings) -> dict[str, ThemeAsset]:
    """Every hashable theme file, by its path under THEME_STATIC_DIR (a later static path wins, as in Pelican)."""
    found: dict[str, ThemeAsset] = {}
    for static in static_paths:
        for path, file in _files_under(theme / static):
            if file.suffix.lower() in config.extensions:
                digest = hashlib.sha256(file.read_bytes()).hexdigest()[: config.length]
                found[path] = ThemeAsset(path, file, hashed_name(path, digest))
    return found


@dataclasses.dataclass(frozen=True)
class AssetUrls:
    """The `asset_url` template helper: a theme file's URL, content-hashed when hashing is on."""

    prefix: str  # SITEURL + "/" + THEME_STATIC_DIR
    assets: Mapping[str, ThemeAsset]
    enabled: bool

    def __call__(self, path: str) -> str:
        asset = self.assets.get(path.lstrip("/"))
        if asset is None:
            known = ", ".join(sorted(self.assets)) or "none"
            raise AssetError(
                f"asset_url({path!r}): no such file among the theme's {self.extensions_text} files; "
                f"use a path under the theme's static folder, one of: {known}"
            )
        return f"{self.prefix}/{asset.hashed if self.enabled else asset.path}"

    @property
    def extensions_text(self) -> str:
        return "/".join(sorted({PurePosixPath(p).suffix for p in self.assets})) or "hashable"


def install_helper(pelican: Any) -> None:
    """Signal `initialized`: hash the theme's assets and give templates `asset_url`."""
    settings = pelican.settings
    config = read_settings(settings)
    assets = find_assets(Path(settings["THEME"]), settings.get("THEME_STATIC_PATHS", ["static"]), config)
    prefix = f"{settings.get('SITEURL', '')}/{settings.get('THEME_STATIC_DIR', 'theme')}"
    # A new dict: never mutate the one Pelican's defaults share between builds in the same process.
    settings["JINJA_GLOBALS"] = {
        **settings.get("JINJA_GLOBALS", {}),
        HELPER_NAME: AssetUrls(prefix, assets, config.enabled),
    }


def write_hashed_copies(pelican: Any) -> None:
    """Signal `finalized`: write each hashed copy beside the plain file Pelican copied."""
    helper = pelican.settings.get("JINJA_GLOBALS", {}).get(HELPER_NAME)
    if not isinstance(helper, AssetUrls) or not helper.enabled:
        return
    folder = Path(pelican.settings["OUTPUT_PATH"]) / pelican.settings.get("THEME_STATIC_DIR", "theme")
    for asset in helper.assets.values():
        target = folder / asset.hashed
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.source.read_bytes())
    logger.debug("news_assets: wrote %d hashed files under %s", len(helper.assets), os.fspath(folder))
