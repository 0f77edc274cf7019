"""Compiled templates kept between builds (Jinja's bytecode cache, in CACHE_PATH).

Every generator has a template environment of its own, and every forked render worker starts with the templates
its parent had loaded: the page's own template, not the partials it includes and imports, which each worker
parsed and compiled again (0.8 s of the render workers' CPU in a 10,000-article build, in about 3,000 loads). With
a bytecode cache, a template whose source has not changed is loaded from its compiled code.

Jinja keys a compiled template by its name and file and checks its source's digest; what it does not check is the
environment it was compiled for. The cache's folder is therefore named by a digest of everything of the
environment that compiling reads: its class (page records' tracing environment), the Jinja version, and its
options (delimiters, whitespace handling, autoescaping, extensions). Folders of other digests stay (a build with
page records on and one without use two; each holds a few hundred kilobytes).

Escaping, the other cost of every page: an autoescaping template's compiled code calls `escape` for each
`{{ value }}`, about 300 times a page. MarkupSafe's `escape` escapes in C, then makes its `Markup` through
`Markup.__new__`, written in Python: 1.2 s of the render workers' 14.5 s at 10,000 articles, more than the
escaping. `escape` here gives the same `Markup` for text and for `Markup` without that call, and hands anything else
to MarkupSafe's; the compiled templates import it from `jinja2.runtime`, where `install_escape` puts it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import markupsafe
from markupsafe import Markup
from news_reader import canonical

logger = logging.getLogger(__name__)

CACHE_FOLDER = "news_output-templates"
# What jinja2.Environment reads when it compiles a template (the lexer's and the code generator's options).
_COMPILE_OPTIONS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "finalize",
    "is_async",
    "code_generator_class",
    "lexer",
)


def environment_digest(environment: jinja2.Environment) -> str:
    """A digest of what a template compiled in `environment` depends on besides its source."""
    digest = hashlib.sha256(f"jinja2={jinja2.__version__}\n{canonical(type(environment))}\n".encode())
    for option in _COMPILE_OPTIONS:
        value = getattr(environment, option, None)
        if option == "lexer":  # made from the options above; its class matters
            value = type(value)
        digest.update(f"{option}={canonical(value)}\n".encode())
    autoescape: object = environment.autoescape
    if callable(autoescape):  # decided per template name when it is compiled
        names = environment.list_templates() if environment.loader is not None else []
        autoescape = {name: bool(environment.autoescape(name)) for name in names}  # type: ignore[operator]
    digest.update(f"autoescape={canonical(autoescape)}\n".encode())
    digest.update(f"extensions={canonical(sorted(environment.extensions))}\n".encode())
    return digest.hexdigest()[:20]


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache in a folder, written as Jinja writes it (a temporary file renamed into place, so that
    workers that compile the same template at once do not mix their writes); a write that fails (the folder
    removed during the build) leaves the template compiled in memory only, as without a cache."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            logger.debug("news_output: compiled template %s not kept: %s", bucket.key, error)


def install(environment: jinja2.Environment, settings: dict[str, Any]) -> None:
    """Give `environment` a bytecode cache in CACHE_PATH (at `generator_init`, after page records' tracing
    environment is installed and before any template is loaded)."""
    cache_path = settings.get("CACHE_PATH")
    if not cache_path or environment.bytecode_cache is not None:
        return  # no cache folder, or someone else's cache
    folder = Path(cache_path) / CACHE_FOLDER / environment_digest(environment)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a cache is a help, not a need: the templates are compiled as before
        logger.warning("news_output: no compiled-template cache in %s: %s", folder, error)
        return
    environment.bytecode_cache = CompiledTemplates(str(folder))


_escape_inner = getattr(markupsafe, "_escape_inner", None)  # MarkupSafe's C escaping (3.0), not a public name
_new_str = str.__new__


def escape(s: Any, /) -> Markup:
    """`markupsafe.escape`, the same result, without `Markup.__new__` for text and for `Markup`."""
    kind = type(s)
    if kind is str:
        return _new_str(Markup, _escape_inner(s))  # type: ignore[misc]
    if kind is Markup:  # Markup(s.__html__()) is a copy of s
        return _new_str(Markup, s)
    return markupsafe.escape(s)


def install_escape(_pelican: object = None) -> None:
    """At `initialized` (before any template environment is made): templates loaded from now on use `escape`.
    Nothing changes when this MarkupSafe has no `_escape_inner` or something else already replaced Jinja's
    `escape`."""
    if _escape_inner is not None and jinja2.runtime.escape is markupsafe.escape:
        jinja2.runtime.escape = escape
