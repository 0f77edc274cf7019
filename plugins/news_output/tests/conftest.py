"""Fixtures shared by news_output's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.sitebuild import FIXTURES


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the small fixture archive, for tests that edit it between builds."""
    copy = tmp_path / "content"
    shutil.copytree(FIXTURES / "small_archive", copy)
    return copy
