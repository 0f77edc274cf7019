"""The git target (GitHub Pages) against a real bare repository made by the test."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from publish.config import MANIFEST_NAME, DeleteLimits, GitTarget
from publish.errors import TargetError
from publish.pipeline import publish
from publish.tests.conftest import write_page

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def target(remote: str) -> GitTarget:
    return GitTarget(
        "pages", remote, "gh-pages", "news.example.org", "Publish", "CI", "ci@localhost", DeleteLimits(9, 1)
    )


def test_branch_created_then_one_commit_per_change_and_none_without(site, settings, tmp_path):
    remote = tmp_path / "site.git"
    git("init", "--quiet", "--bare", str(remote))
    first = publish(site, target(str(remote)), settings)
    assert len(first.plan.new) == 16  # the site, .nojekyll and CNAME
    files = set(git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert {"index.html", ".nojekyll", "CNAME", MANIFEST_NAME, "2026/11/01/story-0/index.html"} <= files
    assert git("--git-dir", str(remote), "show", "gh-pages:CNAME") == "news.example.org"
    head = git("--git-dir", str(remote), "rev-parse", "gh-pages")

    assert publish(site, target(str(remote)), settings).sent_nothing
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == head  # no commit, nothing pushed

    write_page(site, "2026/11/01/story-0/index.html", "Story 0, corrected")
    (site / "2026/11/02/story-1/index.html").unlink()
    publish(site, target(str(remote)), settings)
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages~1") == head
    changed = git("--git-dir", str(remote), "diff", "--name-status", "gh-pages~1", "gh-pages").splitlines()
    assert sorted(changed) == [
        "D\t2026/11/02/story-1/index.html",
        f"M\t{MANIFEST_NAME}",
        "M\t2026/11/01/story-0/index.html",
    ]


def test_an_unreachable_remote_is_one_clear_line(site, settings, tmp_path):
    with pytest.raises(TargetError) as caught:
        publish(site, target(f"https://user:token@127.0.0.1:{_closed_port()}/site.git"), settings)
    message = str(caught.value)
    assert message.startswith("target 'pages': git could not reach branch gh-pages of https://***@127.0.0.1:")
    assert "token" not in message
    assert "\n" not in message


def _closed_port() -> int:
    from publish.tests.conftest import free_port

    return free_port()
