"""Read an article: YAML front matter + Markdown body -> sanitised HTML and Pelican metadata.

The flow of `NewsMarkdownReader.read`:
    split the file -> parse the front matter (YAML, with line numbers) -> validate it into a FrontMatter
    -> render the body and summary with one reused Markdown object -> sanitise the HTML (nh3)
    -> hand Pelican its metadata.
Every problem with a file is a `FrontMatterError` naming the file, the line, what is wrong and how to fix it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import html as html_module
import importlib.metadata
import logging
import math
import multiprocessing
import os
import pickle
import re
import struct
import sys
import time
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import nh3
import yaml
from markdown import Markdown
from markupsafe import Markup
from pelican.readers import BaseReader
from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import SafeDatetime, order_content
from unidecode import unidecode

from .errors import BuildError
from .files import write_atomically
from .memo import MEMO_SUFFIX

logger = logging.getLogger(__name__)

VIA_VALUES = ("rss", "page", "contributor")
WORDS_PER_MINUTE = 230

ARTICLE_FIELDS = (
    "id",
    "title",
    "date",
    "modified",
    "added",
    "section",
    "tags",
    "authors",
    "source",
    "source_url",
    "via",
    "summary",
    "lang",
    "image",
    "image_alt",
    "slug",
    "status",
    # written by ingest (see ingest/README.md)
    "guid",
    "near_duplicate_of",
    "ingest_hash",
)
PAGE_FIELDS = ("title", "summary", "lang", "slug", "status", "modified", "date")
STATUS_VALUES = ("published", "draft", "hidden")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TRAILING_ZONE_RE = re.compile(r"\s+(Z|[+-]\d{2}:?\d{2})$")
_WORD_RE = re.compile(r"\w+")
# A line Markdown renders as one plain paragraph: words, digits, spaces and punctuation that neither Markdown
# nor SmartyPants ('', "", --, ...) nor the sanitiser changes, not starting like a list, heading or quote.
# The Markdown extensions known to leave such a line alone (others may, e.g. wiki links or emoji codes, not).
_PLAIN_LINE_EXTENSIONS = {f"markdown.extensions.{n}" for n in ("extra", "smarty", "sane_lists", "toc")} | {
    "extra",
    "smarty",
    "sane_lists",
    "toc",
}
_PLAIN_LINE_RE = re.compile(r"(?![\d.)\s]*[.)]\s)[^\W_](?:[^\W_]|[ ,.;:?!%()/$€£’‘“”–—-])*(?<! )\Z")

# Tags and attributes allowed in article HTML. Everything else (scripts, event handlers, styles, iframes,
# javascript: URLs) is removed, whoever wrote the Markdown.
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"center", "strike", "tt", "acronym", "map", "area"}
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attrs) - {"align", "char", "charoff", "width", "size", "summary"}
    for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
_ALLOWED_ATTRIBUTES["img"] = {"src", "alt", "width", "height", "title", "loading"}
_ALLOWED_ATTRIBUTES["*"] = {"id", "class", "lang", "dir", "title"}


class FrontMatterError(BuildError, ValueError):
    """A content file is wrong: says where, what, and how to fix it."""

    def __init__(self, path: str, line: int, problem: str, fix: str = "") -> None:
        self.path = path
        self.line = line
        self.problem = problem
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: error: {self.problem}"
        return f"{text} — {self.fix}" if self.fix else text


@dataclasses.dataclass(frozen=True)
class FrontMatter:
    """The validated front matter of an article or a page."""

    title: str
    lang: str
    summary: str | None = None
    id: str | None = None
    date: dt.datetime | None = None
    modified: dt.datetime | None = None
    added: dt.datetime | None = None  # when it entered the archive (ingest and `invoke new` write it)
    section: str | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    source: str | None = None
    source_url: str | None = None
    via: str | None = None
    image: str | None = None
    image_alt: str | None = None
    slug: str | None = None
    status: str | None = None
    guid: str | None = None
    near_duplicate_of: str | None = None
    extra: Mapping[str, Field] = dataclasses.field(default_factory=dict)  # the NEWS_EXTRA_FIELDS it has


@dataclasses.dataclass(frozen=True)
class Field:
    """One front-matter value and the line it is on."""

    value: Any
    line: int


def split_front_matter(text: str, path: str) -> tuple[str, str]:
    """Split a file into its YAML front matter and its Markdown body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise FrontMatterError(
            path,
            1,
            "the file does not start with front matter",
            "put the fields between two '---' lines at the top (see CONTRIBUTING.md)",
        )
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return "".join(lines[1:number]), "".join(lines[number + 1 :])
    raise FrontMatterError(path, 1, "the front matter is never closed", "add a line '---' after the last field")


try:  # libyaml's parser: about ten times faster on front matter than the pure-Python one
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _TextLoader(_SafeLoader):
    """YAML where every plain scalar stays text: no surprise booleans ("no"), numbers or timestamps.

    The schema, not YAML's guesses, decides what each field is.
    """


_TextLoader.yaml_implicit_resolvers = {}


def parse_front_matter(front: str, path: str) -> dict[str, Field]:
    """YAML front matter -> {field: Field(value, line)}; line numbers count the opening '---' as line 1."""
    loader = _TextLoader(front)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(
                path,
                2,
                "the front matter is not a list of 'field: value' lines",
                "write one field per line, like 'title: \"Ferry strike ends\"'",
            )
        fields: dict[str, Field] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 2
            key = key_node.value
            if not isinstance(key, str):
                raise FrontMatterError(path, line, "a field name is not text", "write 'name: value'")
            if key in fields:
                raise FrontMatterError(
                    path, line, f"field '{key}' is given twice (first on line {fields[key].line})", "keep one of them"
                )
            fields[key] = Field(loader.construct_object(value_node, deep=True), line)
        return fields
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 2
        raise FrontMatterError(
            path,
            line,
            f"the front matter is not valid YAML ({exc.problem or exc.context})",
            "quote values that contain ': ' or start with a special character, and check the indentation",
        ) from None
    finally:
        loader.dispose()


class _Validator:
    """Turns raw front-matter fields into a FrontMatter, raising FrontMatterError at the first problem."""

    def __init__(self, path: str, fields: dict[str, Field], settings: Mapping[str, Any]) -> None:
        self.path = path
        self.fields = fields
        self.settings = settings

    def fail(self, name: str, problem: str, fix: str = "") -> FrontMatterError:
        line = self.fields[name].line if name in self.fields else 2
        return FrontMatterError(self.path, line, problem, fix)

    def present(self, name: str) -> bool:
        field = self.fields.get(name)
        return field is not None and field.value not in ("", None, [])

    def check_known(self, known: tuple[str, ...]) -> None:
        allowed = set(known) | set(self.settings.get("NEWS_EXTRA_FIELDS", ()))
        for name in self.fields:
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                fix = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(sorted(allowed))}"
                raise self.fail(name, f"unknown field '{name}'", fix)

    def text(self, name: str, *, required: bool = False) -> str | None:
        if not self.present(name):
            if required:
                raise self.fail(name, f"'{name}' is missing", f"add a line '{name}: ...' to the front matter")
            return None
        value = self.fields[name].value
        if not isinstance(value, str):
            raise self.fail(
                name,
                f"'{name}' must be text, not a {type(value).__name__}",
                f'write it on one line, e.g. {name}: "..."',
            )
        value = " ".join(value.split())
        if not value:
            raise self.fail(name, f"'{name}' is empty", f"give '{name}' a value or remove the line")
        return value

    def names(self, name: str) -> tuple[str, ...]:
        """A list of names: a YAML list, or one comma-separated line. Duplicates (any case) dropped."""
        if not self.present(name):
            return ()
        value = self.fields[name].value
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise self.fail(name, f"'{name}' must be a list of names", f"write {name}: [first, second]")
        seen: dict[str, str] = {}
        for item in items:
            cleaned = " ".join(item.split())
            if cleaned and cleaned.casefold() not in seen:
                seen[cleaned.casefold()] = cleaned
        return tuple(seen.values())

    def when(self, name: str, *, required: bool = False) -> dt.datetime | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        example = "2026-10-14T07:30:00+01:00"
        try:
            parsed = dt.datetime.fromisoformat(_TRAILING_ZONE_RE.sub(r"\1", value))
        except ValueError:
            raise self.fail(name, f'{name} "{value}" is not a date and time', f"use ISO 8601, e.g. {example}") from None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise self.fail(name, f'{name} "{value}" has no timezone', f"add the UTC offset, e.g. {example}")
        return SafeDatetime(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=parsed.tzinfo,
        )

    def url(self, name: str) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.fail(name, f'{name} "{value}" is not an http(s) URL', "give the full address, https://...")
        return value

    def choice(self, name: str, values: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.text(name)
        if value is None:
            return default
        if value not in values:
            raise self.fail(
                name, f'{name} "{value}" is not one of {", ".join(values)}', f"use one of {', '.join(values)}"
            )
        return value

    def pattern(self, name: str, regex: re.Pattern[str], fix: str) -> str | None:
        value = self.text(name)
        if value is not None and not regex.match(value):
            raise self.fail(name, f'{name} "{value}" is not valid', fix)
        return value

    def section(self) -> str:
        value = self.text("section", required=True)
        assert value is not None
        sections = list(self.settings.get("NEWS_SECTIONS") or ())
        if not sections:
            return value
        for known in sections:
            if known.casefold() == value.casefold():
                return known
        close = difflib.get_close_matches(value, sections, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise self.fail("section", f'unknown section "{value}"', f"{hint}sections are: {', '.join(sections)}")

    def image(self) -> tuple[str | None, str | None]:
        image, alt = self.text("image"), self.text("image_alt")
        if image and not alt:
            raise self.fail("image", "an image needs 'image_alt'", "describe the image in 'image_alt: \"...\"'")
        if alt and not image:
            raise self.fail("image_alt", "'image_alt' is given without 'image'", "add 'image:' or remove 'image_alt'")
        if image and urlsplit(image).scheme not in ("", "http", "https"):
            raise self.fail("image", f'image "{image}" is not a path or an http(s) URL', "use images/<name>.jpg")
        return image, alt

    def article(self, default_lang: str) -> FrontMatter:
        self.check_known(ARTICLE_FIELDS)
        date = self.when("date", required=True)
        modified = self.when("modified")
        if date and modified and modified < date:
            raise self.fail("modified", "'modified' is earlier than 'date'", "use a time after the publication date")
        source, source_url = self.text("source"), self.url("source_url")
        via = self.choice("via", VIA_VALUES, default="contributor")
        if via in ("rss", "page") and not (source and source_url):
            missing = "source" if not source else "source_url"
            raise self.fail(
                "via", f"an article with via: {via} needs '{missing}'", f"add '{missing}:' or use via: contributor"
            )
        if source_url and not source:
            raise self.fail("source_url", "'source_url' is given without 'source'", "add 'source: <outlet name>'")
        image, image_alt = self.image()
        return FrontMatter(
            id=self.pattern("id", _ID_RE, "use letters, digits, '-', '.', '_' or ':' (up to 128)")
            or self._missing("id", "add a stable id, e.g. id: contrib-2026-10-14-ferry-strike"),
            title=self.text("title", required=True) or "",
            date=date,
            modified=modified,
            added=self.when("added"),
            section=self.section(),
            tags=self.names("tags"),
            authors=self.names("authors"),
            source=source,
            source_url=source_url,
            via=via,
            summary=self.text("summary", required=True),
            lang=self.pattern("lang", _LANG_RE, "use a language code like en, fr or pt-BR") or default_lang,
            image=image,
            image_alt=image_alt,
            slug=self.pattern("slug", _SLUG_RE, "use lowercase letters, digits and '-'"),
            status=self.choice("status", STATUS_VALUES),
            guid=self.text("guid"),
            near_duplicate_of=self.pattern("near_duplicate_of", _ID_RE, "give the id of the article it repeats"),
            extra=self.extra(),
        )

    def extra(self) -> dict[str, Field]:
        """The NEWS_EXTRA_FIELDS this file has, as written, with their lines: the plugin that reads one checks it."""
        return {name: self.fields[name] for name in self.settings.get("NEWS_EXTRA_FIELDS", ()) if name in self.fields}

    def page(self, default_lang: str) -> FrontMatter:
        self.check_known(PAGE_FIELDS)
        return FrontMatter(
            title=self.text("title", required=True) or "",
            summary=self.text("summary"),
            lang=self.pattern("lang", _LANG_RE, "use a language code like en, fr or pt-BR") or default_lang,
            slug=self.pattern("slug", _SLUG_RE, "use lowercase letters, digits and '-'"),
            status=self.choice("status", STATUS_VALUES),
            date=self.when("date"),
            modified=self.when("modified"),
        )

    def _missing(self, name: str, fix: str) -> str:
        raise self.fail(name, f"'{name}' is missing", fix)


def slug_of(title: str, limit: int = 80) -> str:
    """'Ferry crews walk out!' -> 'ferry-crews-walk-out': ASCII, whole words, at most `limit` characters.

    The one way a title becomes a file name, for `invoke new` and for ingest."""
    words = re.findall(r"[a-z0-9]+", unidecode(title).lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit and slug:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug[:limit]  # one word longer than the limit is cut


_TAG_RE = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """HTML -> its words: tags become spaces (paragraphs never run together), entities decoded, spaces collapsed."""
    return " ".join(html_module.unescape(_TAG_RE.sub(" ", markup)).split())


def body_fingerprint(body: str) -> str:
    """The same words in the same order give the same fingerprint, whatever the case, punctuation or spacing
    (give it plain text: html_to_text strips HTML first). Copies of one article share it."""
    words = re.findall(r"\w+", body.casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:20]


def article_text(article: Any) -> str:
    """The plain text of an article's body, computed once per article for every plugin that reads it.

    It comes from the reader's sanitised HTML (`_content`), not `.content`: before the static files are known,
    `.content` would resolve {static} links too early (an error in a strict build), and the words are the same.
    """
    cached = getattr(article, "_news_text", None)
    if cached is None:
        cached = html_to_text(getattr(article, "_content", None) or "")
        article._news_text = cached
    return cached


def sanitise_html(html: str) -> str:
    """Remove everything executable from rendered article HTML."""
    return nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, link_rel=None, url_schemes={"http", "https", "mailto"}
    )


def reading_stats(markdown_text: str) -> tuple[int, int]:
    """(word count, reading time in whole minutes, at least 1)."""
    words = len(_WORD_RE.findall(markdown_text))
    return words, max(1, math.ceil(words / WORDS_PER_MINUTE))


@dataclasses.dataclass(frozen=True)
class SourceFile:
    """A content file, read and validated: what the reader renders and `invoke check` inspects."""

    path: str
    fields: dict[str, Field]
    front_matter: FrontMatter
    body: str
    body_line: int  # the line of the file the body starts on


def read_source(raw: bytes, path: str, settings: Mapping[str, Any], is_page: bool = False) -> SourceFile:
    """Bytes of a content file -> its validated front matter and body; FrontMatterError at the first problem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterError(path, line, "the file is not UTF-8 text", "save it as UTF-8") from None
    front, body = split_front_matter(text, path)
    fields = parse_front_matter(front, path)
    validator = _Validator(path, fields, settings)
    default_lang = settings.get("DEFAULT_LANG", "en")
    fm = validator.page(default_lang) if is_page else validator.article(default_lang)
    return SourceFile(path, fields, fm, body, front.count("\n") + 3)


@dataclasses.dataclass(frozen=True)
class Rendered:
    """What the reader makes of one file before Pelican's objects are involved: plain data, so a worker
    process can make it and send it back."""

    content: str  # sanitised body HTML
    front_matter: FrontMatter
    summary_html: str | None
    words: int
    minutes: int
    fingerprint: str  # body_fingerprint of the body's words (html_to_text of `content`)


def worker_count(settings: Mapping[str, Any]) -> int:
    """BUILD_WORKERS: how many processes read and render (None: one per core this process may use)."""
    value = settings.get("BUILD_WORKERS")
    if value is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"BUILD_WORKERS is {value!r}; expected None (one per core) or a whole number ≥ 0")
    return value


def in_forked_worker() -> None:
    """First thing in a forked worker process: log through a plain stderr handler. Pelican logs through rich,
    whose console lock may have been held by the parent's spinner thread at the moment of the fork; that
    thread does not exist in the worker, so the lock would never be released and the worker's first log line
    would hang."""
    root = logging.getLogger()
    plain = logging.StreamHandler(sys.stderr)
    plain.setFormatter(logging.Formatter("%(levelname)-8s %(message)s"))
    for handler in list(root.handlers):
        plain.setLevel(min(plain.level or handler.level, handler.level))
        for log_filter in handler.filters:
            plain.addFilter(log_filter)
        root.removeHandler(handler)
    root.addHandler(plain)


class NewsMarkdownReader(BaseReader):
    """Pelican reader for our Markdown files with YAML front matter."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md", "markdown"]

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        config = dict(settings.get("MARKDOWN", {}))
        config.setdefault("extension_configs", {})
        extensions = list(config["extension_configs"].keys()) + list(config.pop("extensions", []))
        # One Markdown object for every file (Python-Markdown is reusable after reset()); making a new one
        # per file is a measurable share of a large build.
        self._markdown = Markdown(extensions=extensions, **config)
        self._plain_lines = {str(e) for e in extensions} <= _PLAIN_LINE_EXTENSIONS
        self._page_dirs = tuple(os.path.normpath(p) for p in settings.get("PAGE_PATHS", ["pages"]))
        self._prepared: dict[str, Rendered] = {}  # absolute path -> rendered by prepare(), until read

    def _render(self, text: str) -> str:
        self._markdown.reset()
        return sanitise_html(self._markdown.convert(text))

    def render_line(self, text: str) -> str:
        """One line of Markdown (a summary) -> inline HTML, without the paragraph around it. Most summaries
        are plain sentences that Markdown, SmartyPants and the sanitiser all leave as they are: those skip
        the Markdown run (a measurable share of reading a large archive)."""
        if self._plain_lines and _PLAIN_LINE_RE.match(text) and "--" not in text and ".." not in text:
            return text
        return re.sub(r"^<p>(.*)</p>$", r"\1", self._render(text).strip(), flags=re.S)

    def _is_page(self, source_path: str) -> bool:
        relative = os.path.relpath(source_path, self.settings.get("PATH", os.curdir))
        return any(relative == d or relative.startswith(d + os.sep) for d in self._page_dirs)

    def render_file(self, source_path: str) -> Rendered:
        """Read, validate and render one file (FrontMatterError at the first problem)."""
        with open(source_path, "rb") as handle:
            source = read_source(handle.read(), os.path.relpath(source_path), self.settings, self._is_page(source_path))
        fm = source.front_matter
        summary_html = None
        if fm.summary:
            summary_html = self.render_line(fm.summary)
        words, minutes = reading_stats(source.body)
        content = self._render(source.body)
        return Rendered(content, fm, summary_html, words, minutes, body_fingerprint(html_to_text(content)))

    def prepare(self, paths: list[str], workers: int) -> int:
        """Render `paths` ahead of Pelican's one-by-one reading, in `workers` forked processes; return how
        many were prepared. A file that fails is left out, so that `read()` reports it the usual way."""
        if workers < 2 or len(paths) < 2 * _CHUNK:
            return 0
        global _worker_reader
        _worker_reader = self
        started = time.perf_counter()
        try:
            with multiprocessing.get_context("fork").Pool(workers, initializer=in_forked_worker) as pool:
                for path, rendered in zip(paths, pool.imap(_render_in_worker, paths, chunksize=_CHUNK), strict=True):
                    if rendered is not None:
                        self._prepared[os.path.abspath(path)] = rendered
        finally:
            _worker_reader = None
        logger.info(
            "news_reader: %d of %d files rendered by %d processes in %.1f s",
            len(self._prepared),
            len(paths),
            workers,
            time.perf_counter() - started,
        )
        return len(self._prepared)

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        try:
            rendered = self._prepared.pop(os.path.abspath(source_path), None) or self.render_file(source_path)
        except FrontMatterError as exc:
            # Pelican logs only "Could not process <file>" (the reason only with --debug): say what and where.
            logger.error("%s", exc)
            raise
        return rendered.content, self._metadata(rendered, source_path)

    def _metadata(self, rendered: Rendered, source_path: str) -> dict[str, Any]:
        settings, fm = self.settings, rendered.front_matter
        metadata: dict[str, Any] = {"title": fm.title, "lang": fm.lang}
        if rendered.summary_html is not None:
            metadata["summary"] = rendered.summary_html
            metadata["summary_text"] = Markup(rendered.summary_html).striptags()
        if fm.slug:
            metadata["slug"] = fm.slug
        if fm.status:
            metadata["status"] = fm.status
        if fm.date:
            metadata["date"] = fm.date
        if fm.modified or fm.date:
            metadata["modified"] = fm.modified or fm.date
        if fm.added:
            metadata["added"] = fm.added
        if fm.section is None:  # a page
            return metadata
        metadata.update(
            id=fm.id,
            category=Category(fm.section, settings),
            tags=[Tag(name, settings) for name in fm.tags],
            source=fm.source,
            source_url=fm.source_url,
            via=fm.via,
            image=fm.image,
            image_alt=fm.image_alt,
            guid=fm.guid,
            near_duplicate_of=fm.near_duplicate_of,
            word_count=rendered.words,
            reading_time=rendered.minutes,
            # Worked out with the reading and kept with it in the content cache: news_related's
            # article_fingerprint reads it (24 µs an article, on every build, before). The text itself is not
            # kept: at 100,000 articles it held about 190 MiB more through the build's peak.
            _news_fingerprint=rendered.fingerprint,
        )
        if fm.authors:
            metadata["authors"] = [Author(name, settings) for name in fm.authors]
        if fm.extra:
            metadata["extra_fields"] = dict(fm.extra)
        return metadata


_CHUNK = 64  # files per task sent to a worker
_worker_reader: NewsMarkdownReader | None = None  # the reader a forked worker renders with


def _render_in_worker(path: str) -> Rendered | None:
    assert _worker_reader is not None
    try:
        return _worker_reader.render_file(path)
    except Exception:
        return None


def prepare_articles(generator: Any) -> None:
    """At `article_generator_init`: render every article file not in Pelican's content cache, on every core."""
    start_stamps(generator.settings)
    stamp_once(generator)
    reader = generator.readers.readers.get("md")
    if not isinstance(reader, NewsMarkdownReader):
        return
    settings = generator.settings
    paths = []
    every = _article_files[id(generator)] = set()
    for relative in generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"]):
        path = os.path.abspath(os.path.join(generator.path, relative))
        every.add(path)
        if path.endswith((".md", ".markdown")) and generator.readers.get_cached_data(path, None) is None:
            paths.append(path)
    reader.prepare(paths, worker_count(settings))


_article_files: dict[int, set[str]] = {}  # id(articles generator) -> the article files of this build


# The content files' stamps (CHECK_MODIFIED_METHOD) taken in this build, from the articles generator's start
# until every file is read: path -> (its stat when stamped, the stamp, when it was hashed in ns, or 0 when
# the stamp came from the last build). Freed once the files are read: at 100,000 articles it holds about
# 40 MB, which the rest of the build (where its memory peaks) does not need.
_stamps: dict[str, tuple[tuple[int, int, int, int], Any, int]] = {}
# The last build's settled stamps, as saved (path -> the packed stat, then the stamp's bytes); freed with _stamps.
_kept: dict[str, bytes] = {}
STAMPS_FILE = "news_reader-stamps.pickle"
_STAMPS_FORMAT = 2
_PACKED_STAT = struct.Struct("<4q")
# A stamp is kept for the next build only if the file had not changed for this long when it was hashed. A
# file's change time is the clock at its last write, in ticks of a few milliseconds: a second write of the
# same size within the tick of the first would leave its stat as it was. A file written after the hash, this
# long after its last change, has another change time (git's index calls such entries "racy" and does the same).
SETTLED_NS = 2_000_000_000


def file_state(info: os.stat_result) -> tuple[int, int, int, int]:
    """What a file's kept stamp (here and in the check's CheckMemo) is reused under: its modification time,
    change time, size and inode. Any write changes the change time."""
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)


def settled(state: tuple[int, int, int, int], taken_ns: int) -> bool:
    """Whether a stamp taken at `taken_ns` of a file in `state` may be kept for later builds (SETTLED_NS)."""
    return taken_ns - state[1] >= SETTLED_NS


def start_stamps(settings: Mapping[str, Any]) -> None:
    """At the articles generator's start (a build's first reading): forget the stamps of any build before in
    this process (`--autoreload`) and load the settled ones the last build kept, when the cache is loaded."""
    _stamps.clear()
    _kept.clear()
    method = settings.get("CHECK_MODIFIED_METHOD", "mtime")
    path = _stamps_path(settings)
    if method == "mtime" or path is None or not settings.get("LOAD_CONTENT_CACHE"):
        return
    try:
        with open(path, "rb") as handle:
            saved = pickle.load(handle)
    except FileNotFoundError:
        return
    except Exception as error:  # a damaged file: every file is hashed, as without it
        logger.warning("news_reader: %s cannot be read (%s); hashing every content file", path, error)
        return
    if (
        isinstance(saved, tuple)
        and len(saved) == 3
        and saved[:2] == (_STAMPS_FORMAT, method)
        and isinstance(saved[2], dict)
    ):
        _kept.update(saved[2])


def stamp_once(generator: Any) -> None:
    """Hash each content file once, not four times per build, and not again while it does not change. With
    `CHECK_MODIFIED_METHOD = "sha1"` Pelican hashes a file's bytes each time it looks up or stores its cache
    entry: this plugin asks once (is it in the cache?), the readers' cache once more when Pelican reads it,
    and the articles generator's own cache twice (a lookup and a store), although that cache is not used
    (`CONTENT_CACHING_LAYER` is "reader"): at 8 µs a hash (30 µs when the file is not in the page cache), 2.5
    to 9 s for 100,000 files. In a build, a file's first stamp stands for the build (one stat, not four: a
    file written during the build is stamped as it was before, so the next build reads it again). Across
    builds, a stamp kept in `CACHE_PATH/news_reader-stamps.pickle` is reused while the file's modification
    time, change time, size and inode stay the same: a write changes the change time, and a stamp taken less
    than two seconds after the file's last change is not kept (see SETTLED_NS)."""
    method = generator.settings.get("CHECK_MODIFIED_METHOD", "mtime")
    if method == "mtime":
        return  # a stat already
    for cacher in (generator, generator.readers):
        hash_file = getattr(cacher, "_filestamp_func", None)
        if hash_file is not None and not getattr(hash_file, "stamps_once", False):
            cacher._filestamp_func = _stamp_once(hash_file)


def _stamp_once(hash_file: Any) -> Any:
    def stamp(path: str) -> Any:
        known = _stamps.get(path)
        if known is not None:
            return known[1]
        seen = file_state(os.stat(path))
        kept = _kept.get(path)
        if kept is not None and kept.startswith(_PACKED_STAT.pack(*seen)):
            value: Any = kept[_PACKED_STAT.size :]
            _stamps[path] = (seen, value, 0)
            return value
        taken = time.time_ns()
        value = hash_file(path)
        _stamps[path] = (seen, value, taken)
        return value

    stamp.stamps_once = True  # type: ignore[attr-defined]
    return stamp


def _stamps_path(settings: Mapping[str, Any]) -> Path | None:
    cache = settings.get("CACHE_PATH")
    return Path(cache) / STAMPS_FILE if cache else None


def save_stamps(generator: Any) -> None:
    """At `page_generator_finalized` (Pelican reads the articles, then the pages, then runs the plugins'
    generators): keep this build's settled stamps for the next build when the content cache is kept, and free
    them. Written only when they differ from the kept ones."""
    settings = generator.settings
    method = settings.get("CHECK_MODIFIED_METHOD", "mtime")
    path = _stamps_path(settings)
    try:
        if method == "mtime" or path is None or not settings.get("CACHE_CONTENT") or not _stamps:
            return
        keep = {}
        for name, (seen, value, taken) in _stamps.items():
            if isinstance(value, bytes) and (taken == 0 or settled(seen, taken)):
                keep[name] = _PACKED_STAT.pack(*seen) + value
        if keep != _kept:
            with contextlib.suppress(OSError):  # not kept: the next build hashes the files again
                write_atomically(path, pickle.dumps((_STAMPS_FORMAT, method, keep), protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        _stamps.clear()
        _kept.clear()


def settle_order(generator: Any) -> None:
    """At `article_generator_pretaxonomy`: articles that sort the same under ARTICLE_ORDER_BY (the same date)
    come in the order of their files' paths. Pelican leaves them in the order the file system lists the
    files, which is not the same from one build to the next: a rebuild would list such articles in another
    order than a clean build of the same content."""
    order_by = generator.settings.get("ARTICLE_ORDER_BY")
    for name in ("articles", "hidden_articles", "drafts"):
        articles = getattr(generator, name, None)
        if isinstance(articles, list):
            by_path = sorted(articles, key=lambda article: article.source_path)
            setattr(generator, name, order_content(by_path, order_by))


def prune_content_cache(generator: Any) -> None:
    """At `article_generator_pretaxonomy` (every file is read; Pelican saves the cache next): keep only
    this build's files in the readers' cache, which Pelican would otherwise grow forever (deleted and
    renamed files, other content folders)."""
    keep = _article_files.pop(id(generator), None)
    cache = getattr(generator.readers, "_cache", None)  # Pelican's FileDataCacher dict: path -> (stamp, data)
    if keep is None or not isinstance(cache, dict):
        return
    for path in [path for path in cache if path not in keep]:
        del cache[path]


# -- Pelican's content cache, made safe ------------------------------------------------------------------

# What a file's reading depends on besides its own bytes: every setting (the Tag, Category and Author objects
# a reading holds carry the settings their URLs come from), this plugin's code, and the versions of the
# libraries that render. A change to any of them makes the cached readings stale: they are then thrown away.
# Settings that are not plain data (template filters and globals, other objects) enter by name only: their code
# does not change a reading, but the cache, which pickles the settings with each reading, refers to them by
# module and name, and cannot be loaded once one of them is renamed or removed. Settings that only decide how
# fast the build goes do not enter.
_LIBRARIES = ("pelican", "markdown", "nh3", "pyyaml")
_SPEED_ONLY_SETTINGS = frozenset({"BUILD_WORKERS", "OUTPUT_PAGE_RECORDS", "OUTPUT_WORKER_PAGES"})  # 2, 3: news_output
FINGERPRINT_FILE = "news_reader.fingerprint"


def reading_fingerprint(settings: Mapping[str, Any]) -> str:
    """A digest of everything besides a file's bytes that its reading depends on."""
    digest = hashlib.sha256()
    for name in sorted(settings):
        if name not in _SPEED_ONLY_SETTINGS:
            digest.update(f"{name}={canonical(settings[name])}\n".encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={importlib.metadata.version(library)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library}=none\n".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def canonical(value: object) -> str:
    """repr() of plain data, with sets in sorted order (a set's order changes with each process's string
    hashing); a function or class as its module and name, any other object as its class's."""
    if value is None or isinstance(value, str | int | float | bool):
        return repr(value)
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(canonical(item) for item in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{canonical(k)}: {canonical(v)}" for k, v in value.items()) + "}"
    if isinstance(value, types.ModuleType):
        return f"<module {value.__name__}>"
    name = getattr(value, "__qualname__", None)
    if isinstance(name, str):  # a function, a method, a class
        return f"<{getattr(value, '__module__', None)}.{name}>"
    return f"<{type(value).__module__}.{type(value).__qualname__} object>"


# The settings of the last build checked in this process (the object itself: builds run one after another). The first
# readers of a build (the articles generator's) see the settings as the configuration made them; Pelican's own
# Markdown reader, made with them, then adds to MARKDOWN, so a check at each generator's readers would see
# two fingerprints in one build, and the next build would throw the cache away every time.
_last_checked: list[Any] = []  # at most one


def check_content_cache(readers: Any) -> None:
    """At `readers_init` (every plugin's `initialized` work on the settings is done; the readers' cache is
    loaded next): when Pelican's content cache is on and was made under other reading settings or code, delete
    the readers' cache files and the memos (memo.py), so no article is read from a stale cache and no cache
    refers to a function that is gone. Pelican itself compares only each file's stamp (CHECK_MODIFIED_METHOD),
    and a cache it cannot unpickle stops the build."""
    settings = readers.settings
    if _last_checked and _last_checked[0] is settings:
        return  # once per build: the readers that follow see settings Pelican's own readers have changed
    _last_checked[:] = [settings]
    if not settings.get("CACHE_CONTENT") and not settings.get("LOAD_CONTENT_CACHE"):
        return
    cache = Path(settings["CACHE_PATH"])
    stamp = cache / FINGERPRINT_FILE
    fingerprint = reading_fingerprint(settings)
    try:
        if stamp.read_text(encoding="utf-8") == fingerprint:
            return
    except OSError:
        pass
    for stale in [*cache.glob("*-Readers"), *cache.glob(f"*{MEMO_SUFFIX}")]:
        logger.info("news_reader: reading settings or code changed; removing the content cache %s", stale)
        stale.unlink()
    cache.mkdir(parents=True, exist_ok=True)
    temporary = stamp.with_suffix(".tmp")
    temporary.write_text(fingerprint, encoding="utf-8")
    os.replace(temporary, stamp)
