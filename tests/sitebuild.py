"""Building a site in a subprocess, exactly as `invoke build --strict` does (warnings are fatal)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TEST_SETTINGS = FIXTURES / "testconf.py"
SITE_SETTINGS = ROOT / "pelicanconf.py"


def build_site(
    content: Path,
    output: Path,
    settings: Path = TEST_SETTINGS,
    extra: dict[str, object] | None = None,
    verbose: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run Pelican with fatal warnings; `extra` overrides settings; the result carries the exit code and log
    (with the INFO lines when `verbose`)."""
    overrides = [f"{name}={json.dumps(value)}" for name, value in (extra or {}).items()]
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "-s",
        str(settings),
        "-o",
        str(output),
        "--fatal",
        "warnings",
        "--delete-output-directory",
    ]
    if overrides:
        command += ["--extra-settings", *overrides]
    if verbose:
        command.append("--verbose")
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)


def html_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))
