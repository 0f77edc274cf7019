"""Compiled templates kept between builds, and the templates' escape (news_output/templates.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import markupsafe
import pytest
from markupsafe import Markup
from news_output import templates
from news_output.pages import TracingEnvironment


class Html:
    """An object that renders itself as HTML."""

    def __init__(self, html: object) -> None:
        self.html = html

    def __html__(self) -> object:
        return self.html


class Shown:
    def __str__(self) -> str:
        return "<b>&'\"</b>"


class Text(str):
    """A str subclass, which is not text to escape as it is (MarkupSafe calls str() on it)."""


VALUES = [
    "",
    "plain",
    "<script>alert('x')</script> & \"quotes\"",
    "naïve — 東京 <ü>",
    Markup("<em>safe</em>"),
    Markup(""),
    Html("<i>kept</i>"),
    Html(Markup("<i>kept</i>")),
    Text("<subclass>"),
    Shown(),
    0,
    -3.5,
    None,
    True,
    jinja2.Undefined(),
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_escape_gives_what_markupsafe_gives(value: object) -> None:
    ours, theirs = templates.escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) is Markup
    assert ours == theirs


def test_templates_loaded_after_install_use_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jinja2.runtime, "escape", markupsafe.escape)
    before = jinja2.Environment(autoescape=True).from_string("{{ x }}|{{ y }}")
    templates.install_escape()
    after = jinja2.Environment(autoescape=True).from_string("{{ x }}|{{ y }}")
    assert before.root_render_func.__globals__["escape"] is markupsafe.escape
    assert after.root_render_func.__globals__["escape"] is templates.escape
    values = {"x": "<a href='?a=1&b=2'>", "y": Markup("<br>")}
    assert after.render(values) == before.render(values) == "&lt;a href=&#39;?a=1&amp;b=2&#39;&gt;|<br>"


def _environment(
    folder: Path, cache: Path, kind: type[jinja2.Environment] = jinja2.Environment, **options: Any
) -> jinja2.Environment:
    environment = kind(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, **options)
    templates.install(environment, {"CACHE_PATH": str(cache)})
    return environment


def _compiles(environment: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    compile_ = environment.compile

    def counted(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return compile_(source, name, *args, **kwargs)

    monkeypatch.setattr(environment, "compile", counted)
    return compiled


def test_a_template_compiled_once_is_loaded_from_the_cache_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, cache = tmp_path / "templates", tmp_path / "cache"
    folder.mkdir()
    (folder / "page.html").write_text('{% include "part.html" %}: {{ title }}', encoding="utf-8")
    (folder / "part.html").write_text("<b>{{ title|upper }}</b>", encoding="utf-8")

    first = _environment(folder, cache)
    compiled = _compiles(first, monkeypatch)
    assert first.get_template("page.html").render(title="a<b") == "<b>A&lt;B</b>: a&lt;b"
    assert sorted(compiled) == ["page.html", "part.html"]
    assert len(list((cache / templates.CACHE_FOLDER).glob("*/*"))) == 2

    # The next build's environment: nothing compiled, the same page.
    second = _environment(folder, cache)
    compiled = _compiles(second, monkeypatch)
    assert second.get_template("page.html").render(title="a<b") == "<b>A&lt;B</b>: a&lt;b"
    assert compiled == []

    # A template whose source changed is compiled again (Jinja checks the source's digest).
    (folder / "part.html").write_text("<i>{{ title }}</i>", encoding="utf-8")
    third = _environment(folder, cache)
    compiled = _compiles(third, monkeypatch)
    assert third.get_template("page.html").render(title="a<b") == "<i>a&lt;b</i>: a&lt;b"
    assert compiled == ["part.html"]


def test_other_options_or_another_environment_class_never_read_the_same_compiled_code(tmp_path: Path) -> None:
    folder, cache = tmp_path / "templates", tmp_path / "cache"
    folder.mkdir()
    (folder / "page.html").write_text("  {% if true %}\n  <p>{{ x }}</p>\n  {% endif %}\n", encoding="utf-8")
    plain = _environment(folder, cache)
    trimmed = _environment(folder, cache, trim_blocks=True, lstrip_blocks=True)
    tracing = _environment(folder, cache, TracingEnvironment)
    digests = {templates.environment_digest(e) for e in (plain, trimmed, tracing)}
    assert len(digests) == 3
    # Each renders as its own options say, whichever compiled the template first.
    assert trimmed.get_template("page.html").render(x=1) == "  <p>1</p>\n"
    assert plain.get_template("page.html").render(x=1) == "  \n  <p>1</p>\n  "
    assert tracing.get_template("page.html").render(x=1) == "  \n  <p>1</p>\n  "
    assert {p.name for p in (cache / templates.CACHE_FOLDER).iterdir()} == digests


def test_a_cache_folder_removed_during_the_build_only_means_compiling(tmp_path: Path) -> None:
    folder, cache = tmp_path / "templates", tmp_path / "cache"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ x }}</p>", encoding="utf-8")
    environment = _environment(folder, cache)
    shutil.rmtree(cache)
    assert environment.get_template("page.html").render(x="&") == "<p>&amp;</p>"


def test_no_cache_path_means_no_cache(tmp_path: Path) -> None:
    environment = jinja2.Environment(loader=jinja2.DictLoader({"a": "{{ 1 }}"}))
    templates.install(environment, {})
    assert environment.bytecode_cache is None
    assert environment.get_template("a").render() == "1"
