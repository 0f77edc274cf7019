"""`invoke check`: every problem in content/ as one line `path:line: error|warning: what — how to fix`.

The same reader the build uses validates each file's front matter (`read_source`); on top of it the check
looks at what one file cannot tell alone (duplicate ids, URLs and source URLs, links to pages the site does not
have) and at what the build silently repairs (raw HTML with scripts or event handlers, which the sanitiser
strips; images without alt text). Errors fail the check; warnings are advice.

It reads each file once and keeps only a few fields, so 10,000 articles take a few seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pelican.utils import slugify

from .reader import FrontMatterError, SourceFile, read_source

PLACEHOLDER = "TODO: "  # how `invoke new` marks what the contributor must still write
SUMMARY_MAX = 300  # characters; lists, feeds and search results show the summary whole

ERROR = "error"
WARNING = "warning"


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    level: str  # ERROR or WARNING
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.what} — {self.fix}"


@dataclasses.dataclass(frozen=True)
class Link:
    line: int
    target: str
    is_image: bool
    text: str


@dataclasses.dataclass(frozen=True)
class Entry:
    """What the archive-wide checks need of one readable file."""

    source: SourceFile
    url: str  # site-relative, no leading slash
    slug: str
    links: tuple[Link, ...]


# -- reading ------------------------------------------------------------------------------------------------


def content_files(content: Path, settings: Mapping[str, Any]) -> Iterator[tuple[Path, bool]]:
    """(file, is_page) for every Markdown file under the article and page paths, in a stable order."""
    for key, is_page in (("ARTICLE_PATHS", False), ("PAGE_PATHS", True)):
        for folder in settings.get(key, ()):
            root = content / folder
            for path in sorted(root.rglob("*.md")) if root.is_dir() else ():
                yield path, is_page


def _slug(source: SourceFile, file: Path) -> str:
    return source.front_matter.slug or file.stem


def _url(source: SourceFile, slug: str, is_page: bool, settings: Mapping[str, Any]) -> str:
    fm = source.front_matter
    if fm.status == "draft":
        pattern = settings.get("DRAFT_URL", "drafts/{slug}/")
    else:
        pattern = settings.get("PAGE_URL" if is_page else "ARTICLE_URL", "{slug}/")
    return str(pattern.format(slug=slug, date=fm.date or dt.datetime(1970, 1, 1), lang=fm.lang))


# -- links and raw HTML in the body ---------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
_HTML_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "form", "frame", "frameset", "base", "meta", "link"}


def _body_lines(source: SourceFile) -> Iterator[tuple[int, str]]:
    """(file line, text) of the body outside fenced code blocks, with inline code spans blanked."""
    fenced = False
    for offset, text in enumerate(source.body.splitlines()):
        if _FENCE.match(text):
            fenced = not fenced
            continue
        if not fenced:
            yield source.body_line + offset, _CODE_SPAN.sub("", text)


def _finding(source: SourceFile, line: int, level: str, what: str, fix: str) -> Finding:
    return Finding(source.path, line, level, what, fix)


def scan_body(source: SourceFile) -> tuple[list[Link], list[Finding]]:
    """Markdown and HTML links of the body, and the raw HTML the sanitiser would strip."""
    links: list[Link] = []
    findings: list[Finding] = []
    for line, text in _body_lines(source):
        for match in _MD_LINK.finditer(text):
            links.append(Link(line, match.group(3), match.group(1) == "!", match.group(2)))
        for match in _HTML_TAG.finditer(text):
            tag = match.group(1).lower()
            attributes = {name.lower(): (value or "").strip("\"'") for name, value in _ATTR.findall(match.group(2))}
            if tag in _DANGEROUS_TAGS:
                findings.append(
                    _finding(
                        source,
                        line,
                        ERROR,
                        f"raw HTML <{tag}> in the body",
                        "remove it: the build strips it, so readers never see it (embed media as a link)",
                    )
                )
            for name, value in attributes.items():
                if name.startswith("on"):
                    findings.append(
                        _finding(
                            source,
                            line,
                            ERROR,
                            f"event handler {name}= on <{tag}>",
                            "remove it: scripts are not allowed in articles and the build strips it",
                        )
                    )
                if name in ("href", "src", "action", "formaction") and _is_script_url(value):
                    findings.append(
                        _finding(
                            source, line, ERROR, f"a javascript: URL in <{tag} {name}=...>", "link to a page instead"
                        )
                    )
            if tag == "img":
                links.append(Link(line, attributes.get("src", ""), True, attributes.get("alt", "")))
            elif tag == "a" and "href" in attributes and not _is_script_url(attributes["href"]):
                links.append(Link(line, attributes["href"], False, "html"))
        for match in _MD_LINK.finditer(text):
            if _is_script_url(match.group(3)):
                findings.append(
                    _finding(source, line, ERROR, "a javascript: link", "link to a page instead; the build removes it")
                )
    return links, findings


def _is_script_url(url: str) -> bool:
    return re.sub(r"[\s\x00-\x1f]", "", unquote(url)).lower().startswith(("javascript:", "vbscript:", "data:text/html"))


# -- the site's URLs, as the build will make them ------------------------------------------------------------


def site_urls(
    entries: Iterable[Entry], settings: Mapping[str, Any], tag_preferred: Callable[[str], str | None] | None = None
) -> set[str]:
    """Every site-relative URL the build writes for these files (articles, pages, taxonomies, archives).

    `tag_preferred` is the tag rules' spelling of a tag (news_tags): "U.S." has the page of "United States".
    """
    urls = {""}
    for key in (
        "INDEX_URL",
        "CATEGORIES_URL",
        "TAGS_URL",
        "AUTHORS_URL",
        "SOURCES_URL",
        "ARCHIVES_URL",
        "TRENDING_URL",
        "SEARCH_URL",
    ):
        if settings.get(key):
            urls.add(settings[key])

    def add(pattern_key: str, name: str, subs_key: str) -> None:
        pattern = settings.get(pattern_key)
        subs = settings.get(subs_key, settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
        if pattern:
            urls.add(pattern.format(slug=slugify(name, regex_subs=subs)))

    for entry in entries:
        urls.add(entry.url)
        fm = entry.source.front_matter
        if fm.section is None:
            continue
        add("CATEGORY_URL", fm.section, "CATEGORY_REGEX_SUBSTITUTIONS")
        for tag in fm.tags:
            name = tag_preferred(tag) if tag_preferred else tag
            if name:
                add("TAG_URL", name, "TAG_REGEX_SUBSTITUTIONS")
        for author in fm.authors:
            add("AUTHOR_URL", author, "AUTHOR_REGEX_SUBSTITUTIONS")
        if fm.source:
            add("SOURCE_URL", fm.source, "SLUG_REGEX_SUBSTITUTIONS")
        if fm.date and fm.status != "draft":
            for key in ("YEAR_ARCHIVE_URL", "MONTH_ARCHIVE_URL", "DAY_ARCHIVE_URL"):
                if settings.get(key):
                    urls.add(settings[key].format(date=fm.date))
    return urls


_ALWAYS_THERE = ("feeds/", "theme/", "images/", "sitemap", "robots.txt", "favicon")


def check_link(
    link: Link, source: SourceFile, content: Path, urls: set[str], origin: str, file_exists: Callable[[Path], bool]
) -> Finding | None:
    """A broken internal link or image, or an image without alt text; external links are not fetched."""
    target = link.target
    if link.is_image and not link.text.strip():
        return _finding(
            source,
            link.line,
            ERROR,
            f"image {target or '(no src)'} has no alt text",
            "describe it: ![what it shows](...)",
        )
    if not target or target.startswith("#"):
        return None
    if target.startswith(("{filename}", "{static}", "{attach}")):
        path = target.split("}", 1)[1].split("#", 1)[0]
        relative = path.lstrip("/") if path.startswith("/") else os.path.join(os.path.dirname(source.path), path)
        candidates = [content / relative, Path(relative)]
        if not any(file_exists(c) for c in candidates):
            return _finding(
                source,
                link.line,
                ERROR,
                f"{target} points to a file that does not exist",
                "check the path under content/",
            )
        return None
    if origin and target.startswith(origin + "/"):
        target = target[len(origin) :]
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None  # another site, mailto:, or a relative link (not used for internal links here)
    path = unquote(parts.path).lstrip("/")
    if path.startswith("images/"):
        if not file_exists(content / path):
            return _finding(
                source, link.line, ERROR, f"{target}: no such file in content/", "add the file or fix the path"
            )
        return None
    if path.startswith(_ALWAYS_THERE):
        return None
    normal = path.removesuffix("index.html")
    if normal in urls or normal + "/" in urls:
        return None
    return _finding(
        source,
        link.line,
        ERROR,
        f"link to /{path}, which is not a page of this site",
        "link to the article's file instead: [text]({filename}/articles/YYYY/MM/slug.md)",
    )


# -- the check ------------------------------------------------------------------------------------------------


def _front_matter_findings(source: SourceFile, aliases: Callable[[str], str | None] | None) -> list[Finding]:
    fm, fields = source.front_matter, source.fields
    findings = []
    for name, text in (("summary", fm.summary or ""), ("body", source.body)):
        if PLACEHOLDER in text:
            if name == "summary":
                line = fields["summary"].line
            else:
                line = source.body_line + text[: text.index(PLACEHOLDER)].count("\n")
            findings.append(
                _finding(
                    source, line, ERROR, f"the {name} is still the placeholder from `invoke new`", f"write the {name}"
                )
            )
    if fm.summary and len(fm.summary) > SUMMARY_MAX:
        findings.append(
            _finding(
                source,
                fields["summary"].line,
                WARNING,
                f"the summary is {len(fm.summary)} characters long",
                f"keep it under {SUMMARY_MAX} (one or two sentences); the rest belongs in the body",
            )
        )
    if aliases and "tags" in fields:
        for tag in fm.tags:
            preferred = aliases(tag)
            if preferred is not None and preferred != tag:
                findings.append(
                    _finding(
                        source,
                        fields["tags"].line,
                        WARNING,
                        f'tag "{tag}" is written "{preferred}" in this archive',
                        f'write "{preferred}" (the tag rules would merge it anyway)',
                    )
                )
    return findings


def check_content(
    content: Path,
    settings: Mapping[str, Any],
    *,
    tag_preferred: Callable[[str], str | None] | None = None,
) -> list[Finding]:
    """Every finding for the archive in `content`, sorted by file and line."""
    findings: list[Finding] = []
    entries: list[Entry] = []
    relative_to = Path.cwd()
    # read and validate each file; collect its links
    for file, is_page in content_files(content, settings):
        shown = os.path.relpath(file, relative_to)
        try:
            source = read_source(file.read_bytes(), shown, settings, is_page)
        except FrontMatterError as error:
            findings.append(Finding(error.path, error.line, ERROR, error.problem, error.fix or "see CONTRIBUTING.md"))
            continue
        except OSError as error:
            findings.append(
                Finding(shown, 1, ERROR, f"cannot read the file ({error.strerror})", "check its permissions")
            )
            continue
        links, body_findings = scan_body(source)
        findings += body_findings
        findings += _front_matter_findings(source, tag_preferred)
        slug = _slug(source, file)
        entries.append(Entry(source, _url(source, slug, is_page, settings), slug, tuple(links)))
    # what only the whole archive tells: duplicates
    findings += _duplicates(entries)
    # links to pages and images that do not exist
    urls = site_urls(entries, settings, tag_preferred)
    origin = str(settings.get("SITE_ORIGIN", "")).rstrip("/")
    exists: dict[Path, bool] = {}

    def file_exists(path: Path) -> bool:
        if path not in exists:
            exists[path] = path.is_file()
        return exists[path]

    for entry in entries:
        for link in entry.links:
            finding = check_link(link, entry.source, content, urls, origin, file_exists)
            if finding:
                findings.append(finding)
        fm = entry.source.front_matter
        if fm.image and not urlsplit(fm.image).scheme and not file_exists(content / fm.image.lstrip("/")):
            line = entry.source.fields["image"].line
            findings.append(
                _finding(
                    entry.source, line, ERROR, f"image {fm.image}: no such file in content/", "add it or fix the path"
                )
            )
    return sorted(findings)


def _duplicates(entries: list[Entry]) -> list[Finding]:
    findings = []
    keys: list[tuple[str, str, Callable[[Entry], str | None], str]] = [
        ("id", "id", lambda e: e.source.front_matter.id, "give this article its own id"),
        ("URL", "date", lambda e: e.url, "change the slug (the file name) or the date"),
        (
            "source_url",
            "source_url",
            lambda e: (e.source.front_matter.source_url or "").rstrip("/") or None,
            "it is the same article: keep one file and delete the other",
        ),
    ]
    for label, field, key_of, fix in keys:
        first: dict[str, Entry] = {}
        for entry in entries:
            key = key_of(entry)
            if key is None:
                continue
            if key in first:
                line = entry.source.fields[field].line if field in entry.source.fields else 2
                findings.append(
                    _finding(entry.source, line, ERROR, f"same {label} as {first[key].source.path} ({key})", fix)
                )
            else:
                first[key] = entry
    ids = {e.source.front_matter.id for e in entries}
    for entry in entries:
        target = entry.source.front_matter.near_duplicate_of
        if target and target not in ids:
            line = entry.source.fields["near_duplicate_of"].line
            findings.append(
                _finding(
                    entry.source,
                    line,
                    WARNING,
                    f'near_duplicate_of "{target}": no article has that id',
                    "fix the id or remove the line",
                )
            )
    return findings
