"""`invoke check`: every problem in content/ as one line `path:line: error|warning: what — how to fix`.

The same reader the build uses validates each file's front matter (`read_source`); on top of it the check
looks at what one file cannot tell alone (duplicate ids, URLs and source URLs, links to pages the site does not
have) and at what the build silently repairs (raw HTML with scripts or event handlers, which the sanitiser
strips; images without alt text). Errors fail the check; warnings are advice.

It reads each file once and keeps only a few fields. What it finds in one file, and the fields the archive-wide
checks need, are kept in `CACHE_PATH` between checks (`CheckMemo`): a file whose bytes did not change is not read
again. The bench archive's 10,000 articles: 2.0 s the first time, 0.56 s after (100,000: 18.4 and 3.7 s).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import os
import pickle
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

from pelican.utils import slugify

from .reader import FrontMatterError, SourceFile, file_state, read_source, reading_fingerprint, settled

logger = logging.getLogger(__name__)

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


class Link(NamedTuple):
    line: int
    target: str
    is_image: bool
    text: str


class Entry(NamedTuple):
    """What the archive-wide checks need of one readable file: plain values, kept between checks."""

    path: str  # as findings show it
    url: str  # site-relative, no leading slash
    slug: str
    lines: dict[str, int]  # the line of each front-matter field a finding may point to (_LINES)
    id: str | None
    source_url: str | None
    near_duplicate_of: str | None
    section: str | None
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    source: str | None
    archives: tuple[str, ...]  # its year, month and day archive URLs (none for a draft or an undated file)
    image: str | None
    links: tuple[Link, ...]


class _Located(Protocol):
    @property
    def path(self) -> str: ...


# -- reading ------------------------------------------------------------------------------------------------


def content_files(content: Path, settings: Mapping[str, Any]) -> Iterator[tuple[Path, bool]]:
    """(file, is_page) for every Markdown file under the article and page paths, in a stable order (folders
    walked as Pelican walks them, following links; os.walk: Path.rglob took 1 s of a 4.7 s check at 100,000)."""
    for key, is_page in (("ARTICLE_PATHS", False), ("PAGE_PATHS", True)):
        for folder in settings.get(key, ()):
            found = []  # (the path's parts: Path's order, folder, file name)
            for directory, _, names in os.walk(content / folder, followlinks=True):
                parts = Path(directory).parts
                found += [((*parts, name), directory, name) for name in names if name.endswith(".md")]
            found.sort()
            for _, directory, name in found:
                yield Path(directory, name), is_page


def _slug(source: SourceFile, file: Path) -> str:
    return source.front_matter.slug or file.stem


def _url(source: SourceFile, slug: str, is_page: bool, settings: Mapping[str, Any]) -> str:
    fm = source.front_matter
    if fm.status == "draft":
        pattern = settings.get("DRAFT_URL", "drafts/{slug}/")
    else:
        pattern = settings.get("PAGE_URL" if is_page else "ARTICLE_URL", "{slug}/")
    return str(pattern.format(slug=slug, date=fm.date or dt.datetime(1970, 1, 1), lang=fm.lang))


_ARCHIVE_URLS = ("YEAR_ARCHIVE_URL", "MONTH_ARCHIVE_URL", "DAY_ARCHIVE_URL")
_LINES = ("id", "date", "source_url", "near_duplicate_of", "image", "tags")


def entry_of(
    source: SourceFile, file: Path, is_page: bool, settings: Mapping[str, Any], links: Iterable[Link]
) -> Entry:
    """A read file as the archive-wide checks see it."""
    fm = source.front_matter
    slug = _slug(source, file)
    dated = fm.date is not None and fm.status != "draft"
    return Entry(
        path=source.path,
        url=_url(source, slug, is_page, settings),
        slug=slug,
        lines={name: source.fields[name].line for name in _LINES if name in source.fields},
        id=fm.id,
        source_url=fm.source_url,
        near_duplicate_of=fm.near_duplicate_of,
        section=fm.section,
        tags=tuple(fm.tags),
        authors=tuple(fm.authors),
        source=fm.source,
        archives=tuple(settings[key].format(date=fm.date) for key in _ARCHIVE_URLS if dated and settings.get(key)),
        image=fm.image,
        links=tuple(links),
    )


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


def _finding(source: _Located, line: int, level: str, what: str, fix: str) -> Finding:
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

    done: set[tuple[str, str]] = set()  # (pattern, name): thousands of articles share a section, tag or author

    def add(pattern_key: str, name: str, subs_key: str) -> None:
        if (pattern_key, name) in done:
            return
        done.add((pattern_key, name))
        pattern = settings.get(pattern_key)
        subs = settings.get(subs_key, settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
        if pattern:
            urls.add(pattern.format(slug=slugify(name, regex_subs=subs)))

    for entry in entries:
        urls.add(entry.url)
        if entry.section is None:
            continue
        add("CATEGORY_URL", entry.section, "CATEGORY_REGEX_SUBSTITUTIONS")
        for tag in entry.tags:
            name = tag_preferred(tag) if tag_preferred else tag
            if name:
                add("TAG_URL", name, "TAG_REGEX_SUBSTITUTIONS")
        for author in entry.authors:
            add("AUTHOR_URL", author, "AUTHOR_REGEX_SUBSTITUTIONS")
        if entry.source:
            add("SOURCE_URL", entry.source, "SLUG_REGEX_SUBSTITUTIONS")
        urls.update(entry.archives)
    return urls


_ALWAYS_THERE = ("feeds/", "theme/", "images/", "sitemap", "robots.txt", "favicon")


def check_link(
    link: Link, source: _Located, content: Path, urls: set[str], origin: str, file_exists: Callable[[Path], bool]
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


def _front_matter_findings(source: SourceFile) -> list[Finding]:
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
    return findings


def _tag_findings(entry: Entry, aliases: Callable[[str], str | None]) -> Iterator[Finding]:
    """A tag the tag rules spell another way (the rules are not the file's: not kept with it)."""
    for tag in entry.tags:
        preferred = aliases(tag)
        if preferred is not None and preferred != tag:
            yield _finding(
                entry,
                entry.lines["tags"],
                WARNING,
                f'tag "{tag}" is written "{preferred}" in this archive',
                f'write "{preferred}" (the tag rules would merge it anyway)',
            )


def read_file(
    raw: bytes, file: Path, shown: str, is_page: bool, settings: Mapping[str, Any]
) -> tuple[list[Finding], Entry | None]:
    """What one file tells alone: its findings, and its entry for the archive-wide checks (None: unreadable)."""
    try:
        source = read_source(raw, shown, settings, is_page)
    except FrontMatterError as error:
        return [Finding(error.path, error.line, ERROR, error.problem, error.fix or "see CONTRIBUTING.md")], None
    links, findings = scan_body(source)
    findings += _front_matter_findings(source)
    return findings, entry_of(source, file, is_page, settings, links)


_now = time.time_ns  # when a stamp is taken (a test moves it on)


class CheckMemo:
    """`read_file`'s results from the last check, by the file's path as shown and its stamp: as Pelican's content
    cache stamps it (`CHECK_MODIFIED_METHOD`: a hash of its bytes, "sha1" here, or its modification time).

    Kept in a pickle in `CACHE_PATH` (read when `LOAD_CONTENT_CACHE` is on, written when
    `CACHE_CONTENT` is), under news_reader's reading fingerprint (every plain setting, the reader's code, the
    libraries it uses): anything else, or a file that cannot be loaded, means reading every file again. Only
    plain values are kept (an `Entry`, not the file's text), so loading it costs a fraction of reading.

    A file whose modification time, change time, size and inode are those of the last check, and had been
    for two seconds when it was hashed, is not read at all (reader.py's `file_state` and `settled`, as for the
    build's stamps): a write changes its change time. At 100,000 articles, reading and hashing every file
    took about a fifth of a check that found nothing changed (3.7 → 2.9 s)."""

    _FORMAT = "2"

    def __init__(self, content: Path, settings: Mapping[str, Any]) -> None:
        cache = settings.get("CACHE_PATH")
        self.path = Path(cache) / "news_reader-check.pickle" if cache else None
        self.load = bool(settings.get("LOAD_CONTENT_CACHE")) and self.path is not None
        self.save = bool(settings.get("CACHE_CONTENT")) and self.path is not None
        # One file, for the folder checked last: checking another folder replaces it.
        self.version = f"{self._FORMAT}:{content.resolve()}:{reading_fingerprint(settings)}"
        method = settings.get("CHECK_MODIFIED_METHOD", "mtime")
        self.hash = None if method == "mtime" else getattr(hashlib, method, hashlib.sha1)
        # shown path -> (stamp, is a page, findings, entry, the file's stat when stamped, whether it had settled)
        self.kept: dict[str, tuple[Any, bool, list[Finding], Entry, tuple[int, int, int, int], bool]] = {}
        self.used: dict[str, tuple[Any, bool, list[Finding], Entry, tuple[int, int, int, int], bool]] = {}
        self.changed = False
        if self.load and self.path is not None:
            try:
                with open(self.path, "rb") as handle:
                    version, kept = pickle.load(handle)
                if version == self.version:
                    self.kept = kept
            except FileNotFoundError:
                pass
            except Exception as error:  # a damaged or foreign file: read everything again
                logger.warning(
                    "news_reader: the check's cache %s could not be read (%s); reading every file", self.path, error
                )

    def read(
        self, file: Path, shown: str, is_page: bool, settings: Mapping[str, Any]
    ) -> tuple[list[Finding], Entry | None]:
        info = file.stat()
        seen = file_state(info)
        known = self.kept.get(shown)
        if known is not None and known[1] == is_page and known[5] and known[4] == seen:
            self.used[shown] = known  # untouched since a settled stamp: not read
            return known[2], known[3]
        taken = _now()
        raw = file.read_bytes() if self.hash else None
        if raw is not None and self.hash is not None:
            stamp: Any = self.hash(raw).digest()
        else:
            stamp = (info.st_size, info.st_mtime_ns)
        steady = settled(seen, taken)
        if known is not None and known[:2] == (stamp, is_page):
            self.used[shown] = (*known[:4], seen, steady)
            self.changed = self.changed or known[4:] != (seen, steady)
            return known[2], known[3]
        findings, entry = read_file(raw if raw is not None else file.read_bytes(), file, shown, is_page, settings)
        self.changed = True
        if entry is not None:  # an unreadable file is read again next time (its error is the point)
            self.used[shown] = (stamp, is_page, findings, entry, seen, steady)
        return findings, entry

    def close(self) -> None:
        """Keep what this check read (and only that: a removed file's entry goes)."""
        if not self.save or self.path is None or (not self.changed and self.used.keys() == self.kept.keys()):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                pickle.dump((self.version, self.used), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError as error:
            logger.warning("news_reader: the check's cache %s could not be written (%s)", self.path, error)


def check_content(
    content: Path,
    settings: Mapping[str, Any],
    *,
    tag_preferred: Callable[[str], str | None] | None = None,
) -> list[Finding]:
    """Every finding for the archive in `content`, sorted by file and line."""
    findings: list[Finding] = []
    entries: list[Entry] = []
    # Findings name files relative to the working folder (os.path.relpath for the folder, not for each file).
    base, shown_base = str(content), os.path.relpath(content)
    memo = CheckMemo(content, settings)
    preferred = functools.cache(tag_preferred) if tag_preferred else None  # a few hundred tags, 100,000 files
    # read and validate each file (or take what the last check found in it); collect its links
    for file, is_page in content_files(content, settings):
        shown = str(file)[len(base) + 1 :] if str(file).startswith(base + os.sep) else os.path.relpath(file)
        shown = shown if shown_base == os.curdir else os.path.join(shown_base, shown)
        try:
            file_findings, entry = memo.read(file, shown, is_page, settings)
        except OSError as error:
            findings.append(
                Finding(shown, 1, ERROR, f"cannot read the file ({error.strerror})", "check its permissions")
            )
            continue
        findings += file_findings
        if entry is not None:
            entries.append(entry)
            if preferred and "tags" in entry.lines:
                findings += _tag_findings(entry, preferred)
    memo.close()
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
            finding = check_link(link, entry, content, urls, origin, file_exists)
            if finding:
                findings.append(finding)
        if entry.image and not urlsplit(entry.image).scheme and not file_exists(content / entry.image.lstrip("/")):
            findings.append(
                _finding(
                    entry,
                    entry.lines["image"],
                    ERROR,
                    f"image {entry.image}: no such file in content/",
                    "add it or fix the path",
                )
            )
    return sorted(findings)


_VARYING = re.compile(r'"[^"]*"|\b\d[\d,.]*\b')


def count_kinds(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    """How many findings of each kind, most first: a kind is what the finding says, its quoted words and its
    figures left out ('tag "…" is written "…" in this archive')."""
    counts: dict[str, int] = {}
    for finding in findings:
        kind = _VARYING.sub(lambda m: '"…"' if m.group().startswith('"') else "N", finding.what)
        counts[kind] = counts.get(kind, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _duplicates(entries: list[Entry]) -> list[Finding]:
    findings = []
    keys: list[tuple[str, str, Callable[[Entry], str | None], str]] = [
        ("id", "id", lambda e: e.id, "give this article its own id"),
        ("URL", "date", lambda e: e.url, "change the slug (the file name) or the date"),
        (
            "source_url",
            "source_url",
            lambda e: (e.source_url or "").rstrip("/") or None,
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
                line = entry.lines.get(field, 2)
                findings.append(_finding(entry, line, ERROR, f"same {label} as {first[key].path} ({key})", fix))
            else:
                first[key] = entry
    ids = {e.id for e in entries}
    for entry in entries:
        target = entry.near_duplicate_of
        if target and target not in ids:
            line = entry.lines["near_duplicate_of"]
            findings.append(
                _finding(
                    entry,
                    line,
                    WARNING,
                    f'near_duplicate_of "{target}": no article has that id',
                    "fix the id or remove the line",
                )
            )
    return findings
