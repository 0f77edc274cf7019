"""rsync targets, for real: a local folder, and a folder behind a real sshd on 127.0.0.1 started by the test."""

from __future__ import annotations

import gzip
import shutil

import pytest

from publish.compress import AVAILABLE_ENCODINGS
from publish.config import MANIFEST_NAME, DeleteLimits, RsyncTarget
from publish.errors import DeleteGuardError, TargetError
from publish.pipeline import publish
from publish.tests.conftest import snapshot, write_page

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync not installed (apt-get install rsync)")


LIMITS = DeleteLimits(500, 0.5)


def target(destination: str, ssh: str = "ssh", limits: DeleteLimits = LIMITS) -> RsyncTarget:
    return RsyncTarget("web", destination, ssh, AVAILABLE_ENCODINGS, (), limits)


def test_local_folder_first_publish_then_only_changes(site, settings, tmp_path):
    dest = tmp_path / "www"
    first = publish(site, target(str(dest)), settings)

    assert len(first.plan.new) == 14
    assert first.bytes_sent > 0
    page = "2026/11/01/story-0/index.html"
    assert (dest / page).read_bytes() == (site / page).read_bytes()
    assert gzip.decompress((dest / (page + ".gz")).read_bytes()) == (site / page).read_bytes()
    if "br" in AVAILABLE_ENCODINGS:
        import brotli

        assert brotli.decompress((dest / (page + ".br")).read_bytes()) == (site / page).read_bytes()
    assert not (dest / "robots.txt.gz").exists()  # too small to be worth it
    assert not (dest / "images/pixel.png.gz").exists()  # not text
    assert (dest / MANIFEST_NAME).is_file()

    before = snapshot(dest)
    second = publish(site, target(str(dest)), settings)
    assert second.sent_nothing
    assert second.bytes_sent == 0
    assert second.plan.unchanged == 14
    assert snapshot(dest) == before  # not one file touched, the manifest included

    write_page(site, page, "Story 0, corrected")
    third = publish(site, target(str(dest)), settings)
    assert [f.path for f in third.plan.changed] == [page]
    after = snapshot(dest)
    touched = {path for path in after if after[path] != before.get(path)}
    assert touched == {page, page + ".gz", MANIFEST_NAME} | ({page + ".br"} if "br" in AVAILABLE_ENCODINGS else set())
    assert b"Story 0, corrected" in (dest / page).read_bytes()
    assert b"Story 0, corrected" in gzip.decompress((dest / (page + ".gz")).read_bytes())


def test_gone_files_are_deleted_with_their_siblings_and_the_guard_holds(site, settings, tmp_path):
    dest = tmp_path / "www"
    publish(site, target(str(dest)), settings)
    shutil.rmtree(site / "2026/11/01")
    report = publish(site, target(str(dest)), settings)
    assert report.plan.deleted == ("2026/11/01/story-0/index.html",)
    assert not list((dest / "2026/11/01").rglob("index.html*"))

    for number in range(1, 6):  # five of the thirteen pages left: 38%, over the 25% limit
        shutil.rmtree(site / f"2026/11/{number + 1:02d}")
    before = snapshot(dest)
    with pytest.raises(DeleteGuardError, match=r"target 'web': refusing to delete 5 of its 13 files"):
        publish(site, target(str(dest), limits=DeleteLimits(500, 0.25)), settings)
    assert snapshot(dest) == before  # refused before anything was sent or deleted
    forced = publish(site, target(str(dest), limits=DeleteLimits(500, 0.25)), settings, force=True)
    assert len(forced.plan.deleted) == 5
    assert not (dest / "2026/11/06/story-5/index.html").exists()


def test_dry_run_changes_nothing(site, settings, tmp_path):
    dest = tmp_path / "www"
    report = publish(site, target(str(dest)), settings, dry_run=True)
    assert len(report.plan.uploads) == 14
    assert report.bytes_sent == 0
    assert not dest.exists()


def test_over_ssh_to_a_real_sshd(site, settings, tmp_path, sshd):
    dest = tmp_path / "remote-www"
    first = publish(site, target(sshd.destination(dest), sshd.ssh), settings)
    assert len(first.plan.new) == 14
    assert (dest / "index.html").read_bytes() == (site / "index.html").read_bytes()
    assert gzip.decompress((dest / "index.html.gz").read_bytes()) == (site / "index.html").read_bytes()
    before = snapshot(dest)
    assert publish(site, target(sshd.destination(dest), sshd.ssh), settings).sent_nothing
    assert snapshot(dest) == before

    (site / "robots.txt").write_text("User-agent: *\nDisallow: /drafts/\n")
    changed = publish(site, target(sshd.destination(dest), sshd.ssh), settings)
    assert [f.path for f in changed.plan.changed] == ["robots.txt"]
    assert "Disallow" in (dest / "robots.txt").read_text()


def test_an_unreachable_server_is_one_clear_line(site, settings, tmp_path, sshd):
    from publish.tests.conftest import free_port

    ssh = sshd.ssh.replace(f"-p {sshd.port}", f"-p {free_port()}") + " -o ConnectTimeout=5"
    with pytest.raises(TargetError) as caught:
        publish(site, target(sshd.destination(tmp_path / "www"), ssh), settings)
    message = str(caught.value)
    assert message.startswith("target 'web': rsync could not read the manifest from ")
    assert "Connection refused" in message
    assert "\n" not in message
