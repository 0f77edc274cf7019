"""news_assets: hashed names, the template helper, its errors, and a whole build with ASSETS_HASH on."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from news_assets.assets import AssetError, AssetUrls, find_assets, hashed_name, read_settings

from tests.sitebuild import FIXTURES, ROOT, build_site


def test_hashed_name_goes_before_the_last_extension():
    assert hashed_name("css/site.css", "0123456789") == "css/site.0123456789.css"
    assert hashed_name("js/search.min.js", "abcdef0123") == "js/search.min.abcdef0123.js"


def test_settings_are_checked():
    assert read_settings({}).enabled is False
    with pytest.raises(AssetError, match=r"ASSETS_HASH_LENGTH is 4; expected a whole number from 8 to 64"):
        read_settings({"ASSETS_HASH_LENGTH": 4})
    with pytest.raises(AssetError, match=r"ASSETS_HASH_EXTENSIONS is 'css'; expected a list"):
        read_settings({"ASSETS_HASH_EXTENSIONS": "css"})
    with pytest.raises(AssetError, match=r"ASSETS_HASH is 'yes'; expected True or False"):
        read_settings({"ASSETS_HASH": "yes"})


def test_helper_hashes_any_theme_css_or_js_and_rejects_unknown_names(tmp_path: Path):
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "extra.js").write_bytes(b"console.log(1);\n")
    (static / "logo.svg").write_bytes(b"<svg/>")
    assets = find_assets(tmp_path, ["static"], read_settings({"ASSETS_HASH": True}))
    digest = hashlib.sha256(b"console.log(1);\n").hexdigest()[:10]
    assert AssetUrls("/theme", assets, True)("js/extra.js") == f"/theme/js/extra.{digest}.js"
    assert AssetUrls("/theme", assets, False)("js/extra.js") == "/theme/js/extra.js"
    with pytest.raises(AssetError, match=r"asset_url\('js/extr.js'\): no such file .* one of: js/extra.js"):
        AssetUrls("/theme", assets, True)("js/extr.js")
    assert "logo.svg" not in assets  # only ASSETS_HASH_EXTENSIONS


def test_a_hashed_build_links_and_writes_the_hashed_files(tmp_path: Path):
    out = tmp_path / "out"
    result = build_site(FIXTURES / "small_archive", out, extra={"ASSETS_HASH": True})
    assert result.returncode == 0, result.stdout + result.stderr
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [str(tag["href"]) for tag in page.select('link[rel="stylesheet"]')] + [
        str(tag["src"]) for tag in page.select("script[src]")
    ]
    theme = [link for link in links if link.startswith("/theme/")]
    assert "/theme/css/site.css" not in theme
    assert len(theme) >= 2
    for link in theme:
        name = link.removeprefix("/theme/")
        plain = name.rsplit(".", 2)[0] + "." + name.rsplit(".", 1)[1]
        source = (ROOT / "theme" / "static" / plain).read_bytes()
        assert (out / link.lstrip("/")).read_bytes() == source
        assert name == hashed_name(plain, hashlib.sha256(source).hexdigest()[:10])
