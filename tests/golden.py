"""Golden rendered pages: `invoke golden` rebuilds the fixture archive and stores these pages in tests/golden/.

Review the diff before committing: a change there is a change every reader of the site sees.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.sitebuild import FIXTURES, ROOT, build_site

GOLDEN_DIR = ROOT / "tests" / "golden"
GOLDEN_PAGES = (
    "index.html",
    "2026/02/03/ferry-timetable-change/index.html",
    "section/world/page/1/index.html",
    "2026/02/index.html",
    "feeds/source/civic-wire.atom.xml",
)


def golden_name(page: str) -> str:
    """tests/golden/ file name of a page: "2026/02/index.html" -> "2026__02.html"."""
    if page.endswith("index.html"):
        page = page[: -len("index.html")].rstrip("/") + ".html" if page != "index.html" else page
    return page.replace("/", "__")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "site"
        result = build_site(FIXTURES / "small_archive", output)
        if result.returncode != 0:
            print(result.stdout + result.stderr, file=sys.stderr)
            return 1
        GOLDEN_DIR.mkdir(exist_ok=True)
        for page in GOLDEN_PAGES:
            (GOLDEN_DIR / golden_name(page)).write_bytes((output / page).read_bytes())
            print(f"wrote tests/golden/{golden_name(page)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
