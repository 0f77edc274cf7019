"""`invoke check` predicts the site's URLs the way the build makes them: on the sample archive they agree."""

from __future__ import annotations

from pathlib import Path

from news_reader.check import check_content, content_files, entry_of, site_urls
from news_reader.reader import read_source
from news_tags.tags import load_rules
from news_tags.tags import read_settings as read_tag_settings
from pelican.settings import read_settings

from tests.sitebuild import ROOT


def test_every_url_the_check_knows_is_a_page_of_the_built_site(sample_site: Path) -> None:
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    entries = []
    for file, is_page in content_files(ROOT / "content", settings):
        source = read_source(file.read_bytes(), str(file), settings, is_page)
        entries.append(entry_of(source, file, is_page, settings, ()))
    urls = site_urls(entries, settings, load_rules(read_tag_settings(settings)).normalise)
    assert len(urls) > 150
    missing = sorted(url for url in urls if not (sample_site / url / "index.html").is_file())
    assert missing == []


def test_the_sample_archive_has_no_errors() -> None:
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    assert [str(f) for f in check_content(ROOT / "content", settings) if f.level == "error"] == []
