"""Read an article: YAML front matter + Markdown body -> sanitised HTML and Pelican metadata.

The flow of `NewsMarkdownReader.read`:
    split the file -> parse the front matter (YAML, with line numbers) -> validate it into a FrontMatter
    -> render the body and summary with one reused Markdown object -> sanitise the HTML (nh3)
    -> hand Pelican its metadata.
Every problem with a file is a `FrontMatterError` naming the file, the line, what is wrong and how to fix it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import html as html_module
import math
import os
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import nh3
import yaml
from markdown import Markdown
from markupsafe import Markup
from pelican.readers import BaseReader
from pelican.urlwrappers import Author, Category, Tag
from pelican.utils import SafeDatetime
from unidecode import unidecode

VIA_VALUES = ("rss", "page", "contributor")
WORDS_PER_MINUTE = 230

ARTICLE_FIELDS = (
    "id",
    "title",
    "date",
    "modified",
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

# Tags and attributes allowed in article HTML. Everything else (scripts, event handlers, styles, iframes,
# javascript: URLs) is removed, whoever wrote the Markdown.
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"center", "strike", "tt", "acronym", "map", "area"}
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attrs) - {"align", "char", "charoff", "width", "size", "summary"}
    for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
_ALLOWED_ATTRIBUTES["img"] = {"src", "alt", "width", "height", "title", "loading"}
_ALLOWED_ATTRIBUTES["*"] = {"id", "class", "lang", "dir", "title"}


class FrontMatterError(ValueError):
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
        )

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
        self._page_dirs = tuple(os.path.normpath(p) for p in settings.get("PAGE_PATHS", ["pages"]))

    def _render(self, text: str) -> str:
        self._markdown.reset()
        return sanitise_html(self._markdown.convert(text))

    def _is_page(self, source_path: str) -> bool:
        relative = os.path.relpath(source_path, self.settings.get("PATH", os.curdir))
        return any(relative == d or relative.startswith(d + os.sep) for d in self._page_dirs)

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with open(source_path, "rb") as handle:
            source = read_source(handle.read(), os.path.relpath(source_path), self.settings, self._is_page(source_path))
        content = self._render(source.body)
        return content, self._metadata(source.front_matter, source.body, source_path)

    def _metadata(self, fm: FrontMatter, body: str, source_path: str) -> dict[str, Any]:
        settings = self.settings
        metadata: dict[str, Any] = {"title": fm.title, "lang": fm.lang}
        if fm.summary:
            summary_html = self._render(fm.summary)
            summary_html = re.sub(r"^<p>(.*)</p>$", r"\1", summary_html.strip(), flags=re.S)
            metadata["summary"] = summary_html
            metadata["summary_text"] = Markup(summary_html).striptags()
        if fm.slug:
            metadata["slug"] = fm.slug
        if fm.status:
            metadata["status"] = fm.status
        if fm.date:
            metadata["date"] = fm.date
        if fm.modified or fm.date:
            metadata["modified"] = fm.modified or fm.date
        if fm.section is None:  # a page
            return metadata
        words, minutes = reading_stats(body)
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
            word_count=words,
            reading_time=minutes,
        )
        if fm.authors:
            metadata["authors"] = [Author(name, settings) for name in fm.authors]
        return metadata
