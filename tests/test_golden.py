"""The fixture archive renders exactly as the reviewed golden pages (regenerate with `invoke golden`)."""

from __future__ import annotations

import difflib

import pytest

from tests.golden import GOLDEN_DIR, GOLDEN_PAGES, golden_name


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_page_matches_golden(fixture_site, page):
    expected = (GOLDEN_DIR / golden_name(page)).read_text(encoding="utf-8")
    actual = (fixture_site / page).read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "built", n=1))
        pytest.fail(
            f"{page} differs from tests/golden/{golden_name(page)} (run `invoke golden` if intended):\n" + diff[:4000]
        )
