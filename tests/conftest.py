"""Shared fixtures: the fixture archive and the sample archive, each built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitebuild import FIXTURES, ROOT, SITE_SETTINGS, build_site


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/small_archive built with the test settings (3 articles a page)."""
    output = tmp_path_factory.mktemp("fixture_site")
    result = build_site(FIXTURES / "small_archive", output)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive in content/ built with the site's own settings, warnings fatal."""
    output = tmp_path_factory.mktemp("sample_site")
    result = build_site(ROOT / "content", output, settings=SITE_SETTINGS)
    assert result.returncode == 0, result.stdout + result.stderr
    return output
