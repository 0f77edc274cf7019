"""Fixtures for news_stories: the sample archive as items (parsed by news_reader) and as a built site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from news_reader.reader import read_source
from news_stories.clustering import StoryItem

from tests.sitebuild import ROOT, SITE_SETTINGS, build_site

CONTENT = ROOT / "content"
SETTINGS = {"DEFAULT_LANG": "en", "NEWS_EXTRA_FIELDS": ("story", "arc", "arc_name")}


def sample_items() -> list[StoryItem]:
    """Every article of content/ as the plugin sees it: slug as key, headline, summary and body, time, tags."""
    items = []
    for path in sorted((CONTENT / "articles").rglob("*.md")):
        source = read_source(path.read_bytes(), str(path), SETTINGS, False)
        fm = source.front_matter
        assert fm.date is not None, path
        body = re.sub(r"\{filename\}[^)]*|[*_#>\[\]()]", " ", source.body)
        items.append(
            StoryItem(
                key=path.stem,
                title=fm.title,
                text=f"{fm.summary or ''}\n\n{body}",
                timestamp=fm.date.timestamp(),
                tags=tuple(fm.tags),
            )
        )
    return sorted(items, key=lambda i: (i.timestamp, i.key))


@pytest.fixture(scope="session")
def items() -> list[StoryItem]:
    return sample_items()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive built with the site's settings, warnings fatal."""
    output = tmp_path_factory.mktemp("stories_site")
    result = build_site(CONTENT, output, settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stdout + result.stderr
    return output
