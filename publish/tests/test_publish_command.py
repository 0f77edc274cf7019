"""The command around the pipeline: settings read from a settings file, the dry-run list, one-line errors."""

from __future__ import annotations

import io
import shutil

import pytest
from rich.console import Console

from publish.pipeline import run

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync not installed (apt-get install rsync)")


def settings_file(tmp_path, targets: str):
    path = tmp_path / "publishconf.py"
    path.write_text(f"TIMEZONE = 'UTC'\nFEED_DOMAIN = 'https://x.test'\nPUBLISH_TARGETS = {targets}\n")
    return path


def test_dry_run_lists_every_change_then_publish_and_say_nothing_changed(site, tmp_path, capsys):
    conf = settings_file(tmp_path, '{"here": {"kind": "rsync", "destination": "www/"}}')
    out = io.StringIO()
    assert run(conf, "here", site, root=tmp_path, dry_run=True, console=Console(file=out, width=200)) == 0
    listed = out.getvalue()
    assert "new      index.html" in listed
    assert "new      images/pixel.png" in listed
    assert "dry run: 14 files would be sent and 0 deleted; nothing was changed" in listed
    assert not (tmp_path / "www").exists()

    assert run(conf, "here", site, root=tmp_path, console=Console(file=io.StringIO())) == 0
    out = io.StringIO()
    assert run(conf, "here", site, root=tmp_path, console=Console(file=out, width=200)) == 0
    assert "nothing to send: here already has this site (14 files unchanged)" in out.getvalue()


def test_errors_are_one_line_with_an_exit_code(site, tmp_path, capsys):
    conf = settings_file(tmp_path, '{"here": {"kind": "rsync", "destination": "www/"}}')
    assert run(conf, "there", site, root=tmp_path, console=Console(file=io.StringIO())) == 2
    assert capsys.readouterr().err.strip() == "error: no publish target 'there' in PUBLISH_TARGETS; targets: here"

    (site / "index.html").unlink()
    assert run(conf, "here", site, root=tmp_path, console=Console(file=io.StringIO())) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ")
    assert "no index.html" in error
    assert "\n" not in error
