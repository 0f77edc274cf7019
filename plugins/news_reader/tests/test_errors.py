"""A wrong setting stops the build with one line that says what to fix, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitebuild import FIXTURES, build_site


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("TRENDING_MIN_COUNT", 0, "TRENDING_MIN_COUNT is 0; expected a whole number, 1 or more"),
        ("RELATED_MAX", -1, "RELATED_MAX is -1; expected a whole number, 0 or more"),
        ("OUTPUT_STABLE_PAGINATION", "yes", "OUTPUT_STABLE_PAGINATION is 'yes'; expected True or False"),
        ("TAG_INDEX_POPULAR", -3, "TAG_INDEX_POPULAR is -3"),
    ],
)
def test_a_wrong_setting_fails_the_build_in_one_line(setting: str, value: object, message: str, tmp_path: Path) -> None:
    result = build_site(FIXTURES / "small_archive", tmp_path / "output", extra={setting: value})
    log = " ".join((result.stdout + result.stderr).split())  # rich wraps long lines
    assert result.returncode != 0
    assert message in log
    assert "Traceback" not in log
