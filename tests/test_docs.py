"""The documentation keeps up with the code: settings, tasks, front-matter fields, the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from invoke import Task
from news_reader.reader import ARTICLE_FIELDS
from pelican.settings import DEFAULT_CONFIG

import tasks
from tests.sitebuild import ROOT

PLUGIN_DIRS = sorted(p.parent for p in (ROOT / "plugins").glob("*/__init__.py"))
SETTING_RE = re.compile(r"""(?:settings|context)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""")


def settings_used(plugin: Path) -> set[str]:
    found: set[str] = set()
    for source in plugin.glob("*.py"):
        found |= set(SETTING_RE.findall(source.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("plugin", PLUGIN_DIRS, ids=lambda p: p.name)
def test_every_plugin_setting_is_documented(plugin):
    readme = (plugin / "README.md").read_text(encoding="utf-8")
    ours = {name for name in settings_used(plugin) if name not in DEFAULT_CONFIG}
    missing = sorted(name for name in ours if f"`{name}`" not in readme)
    assert not missing, f"{plugin.name}/README.md does not document {missing}"


def test_every_plugin_is_in_the_signal_table():
    table = (ROOT / "plugins" / "README.md").read_text(encoding="utf-8")
    assert [p.name for p in PLUGIN_DIRS if f"`{p.name}`" not in table] == []


def test_every_task_has_a_one_line_docstring():
    found = {name: obj for name, obj in vars(tasks).items() if isinstance(obj, Task)}
    assert {
        "clean",
        "build",
        "rebuild",
        "regenerate",
        "serve",
        "reserve",
        "preview",
        "livereload",
        "test",
        "lint",
        "format_",
        "golden",
    } <= set(found)
    undocumented = [name for name, task in found.items() if not (task.__doc__ or "").strip()]
    assert not undocumented


def test_every_front_matter_field_is_in_contributing():
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert [field for field in ARTICLE_FIELDS if f"`{field}`" not in guide] == []


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]


def test_readme_has_two_commands_and_ci_runs_the_second():
    build, test = quick_start_commands()
    assert "invoke build" in build
    assert "invoke test" in test
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
