"""Ingest: outlets' feeds -> one Markdown article per item in content/articles/.

`ingest_sources` reads as its phases; each phase is a small function with plain data in and out:
    fetch the feed -> parse its items -> (full mode: fetch and extract each item's page) -> convert each
    item's HTML (sanitise, Markdown) -> normalise (canonical URL, dates, summary, tags) -> dedupe against the
    archive -> write atomically.
One bad source or one bad item is reported and skipped; it never stops the others.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import email.utils
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from markdownify import MarkdownConverter
from markupsafe import Markup, escape
from news_reader import write_atomically
from news_reader.reader import FrontMatterError, parse_front_matter, sanitise_html, slug_of, split_front_matter
from news_tags.rules import TagRules

from ingest.config import SourceConfig
from ingest.extract import Extracted, ExtractError, extract
from ingest.fetch import Fetcher, FetchError
from ingest.resemblance import MIN_WORDS, CopyIndex, Fingerprint, fingerprint

SUMMARY_MAX = 300
SLUG_MAX = 60
TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|ref|ref_src|cmpid|icid|_ga|igshid)$", re.I)


@dataclasses.dataclass(frozen=True)
class FeedItem:
    """One feed entry as parsed, before any cleaning."""

    guid: str | None
    link: str | None
    title: str
    published: dt.datetime | None
    updated: dt.datetime | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    summary_html: str
    content_html: str


@dataclasses.dataclass(frozen=True)
class Article:
    """An article ready to be written: every front-matter field plus the Markdown body."""

    id: str
    title: str
    date: dt.datetime
    modified: dt.datetime | None
    section: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    source: str
    source_url: str | None
    via: str
    summary: str
    lang: str
    guid: str | None
    body: str
    slug: str
    near_duplicate_of: str | None = None
    dated_by_feed: bool = True  # False: neither the feed nor the page gave a date; `date` is the time of the run
    image: str | None = None  # full mode: the page's lead image (an absolute http(s) URL)
    image_alt: str = ""
    added: dt.datetime | None = None  # when it entered the archive: this run's time (an update keeps the file's)


@dataclasses.dataclass(frozen=True)
class PageOutcome:
    """Full mode: what one item's article page gave, or why it gave nothing (`problem`: kind, reason)."""

    page: Extracted | None
    problem: tuple[str, str] | None = None


@dataclasses.dataclass(frozen=True)
class Existing:
    """An article already in the archive, as far as dedupe needs it."""

    path: Path
    id: str | None
    guid: str | None
    source_url: str | None
    body_hash: str
    edited: bool  # changed by a person since ingest wrote it
    date: dt.datetime | None = None
    modified: dt.datetime | None = None
    via: str | None = None
    fingerprint: Fingerprint | None = None  # for near-duplicates (ingest/resemblance.py)
    added: dt.datetime | None = None


@dataclasses.dataclass
class SourceReport:
    name: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)
    feed_not_modified: bool = False  # the server answered 304: nothing new since the last run

    def problem(self, kind: str, where: str, reason: str) -> None:
        """Count a skip or failure; the line names the source, the URL and the reason."""
        if kind == "failed":
            self.failed += 1
        else:
            self.skipped += 1
        self.problems.append(f"{self.name}: {where}: {kind}: {reason}")


class FeedError(ValueError):
    """A fetched document is not a feed we can read."""


# -- parse -----------------------------------------------------------------------------------------------


_WEEKDAY = re.compile(r"^\s*[^\W\d]+\.?,\s*")


def parse_date(value: Any) -> dt.datetime | None:
    """A feed's date text -> an aware datetime in UTC, or None.

    RFC 3339 (Atom, JSON Feed) or RFC 822 (RSS). Feeds in other languages name the weekday in their own
    language ("mer, 16 nov 2022"), which feedparser rejects; the weekday carries nothing the date does not,
    so it is dropped. A date without a zone is taken as UTC.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(_WEEKDAY.sub("", text))
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _when(entry: Any, key: str) -> dt.datetime | None:
    parsed = entry.get(f"{key}_parsed")
    if not parsed:
        return parse_date(entry.get(key))
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)


def parse_json_feed(document: Any, url: str) -> list[FeedItem]:
    """JSON Feed 1.0/1.1 (feedparser 6.0 reads only XML feeds)."""
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise FeedError("not a JSON Feed (no 'items' list)")
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        link = item.get("url") if isinstance(item.get("url"), str) else None
        text = item.get("content_text")
        parsed.append(
            FeedItem(
                guid=str(item["id"]) if item.get("id") is not None else None,
                link=urljoin(url, link) if link else None,
                title=str(item.get("title") or ""),
                published=parse_date(item.get("date_published")) or parse_date(item.get("date_modified")),
                updated=parse_date(item.get("date_modified")),
                authors=tuple(str(a["name"]) for a in authors if isinstance(a, dict) and a.get("name")),
                tags=tuple(str(t) for t in item.get("tags") or [] if isinstance(t, str | int)),
                summary_html=escape(str(item["summary"])) if item.get("summary") else "",
                content_html=str(item.get("content_html") or "") or (f"<p>{escape(str(text))}</p>" if text else ""),
            )
        )
    return parsed


def _texts(values: Iterable[Any]) -> tuple[str, ...]:
    """Non-empty, stripped, without repeats: feeds give None, numbers and blanks where names should be."""
    cleaned = (" ".join(str(v).split()) for v in values if v is not None)
    return tuple(dict.fromkeys(v for v in cleaned if v))


def parse_feed(body: bytes, url: str, content_type: str | None) -> list[FeedItem]:
    """Feed bytes -> items; relative links resolved against the feed's URL and xml:base."""
    if "json" in (content_type or "") or body.lstrip()[:1] == b"{":
        try:
            document = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FeedError(f"not a readable JSON Feed ({error})") from None
        return parse_json_feed(document, url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    if not parsed.entries:
        # A feed with a channel and no items is a feed (an outlet between stories); a "bozo" flag alone is
        # not a reason to reject it: feedparser sets it for a missing Content-Type or an overridden charset.
        if parsed.get("version") or parsed.feed.get("title"):
            return []
        if parsed.get("bozo"):
            raise FeedError(f"not a readable feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception})")
        raise FeedError("not a feed (no RSS, Atom or JSON Feed found)")
    items = []
    for entry in parsed.entries:
        content = entry.get("content") or []
        authors = _texts(a.get("name") for a in entry.get("authors") or [] if isinstance(a, dict))
        items.append(
            FeedItem(
                guid=entry.get("id") or None,
                link=entry.get("link") or None,
                title=str(entry.get("title") or ""),
                published=_when(entry, "published") or _when(entry, "updated"),
                updated=_when(entry, "updated"),
                authors=authors,
                tags=_texts(t.get("term") for t in entry.get("tags") or [] if isinstance(t, dict)),
                summary_html=str(entry.get("summary") or ""),
                content_html=str(content[0].get("value") or "") if content else "",
            )
        )
    return items


# -- convert and normalise -------------------------------------------------------------------------------


def plain_text(html: str) -> str:
    """Sanitised first: the text of a <script> is not text."""
    return " ".join(Markup(sanitise_html(html)).striptags().split())


class _Converter(MarkdownConverter):
    """markdownify, with "<" in text written as "&lt;": text that looked like a tag stays text in the Markdown
    (a literal "<script>" would be raw HTML to the next Markdown renderer)."""

    def escape(self, text: str, parent_tags: set[str]) -> str:
        return str(super().escape(text, parent_tags)).replace("<", "&lt;")  # type: ignore[misc]  # untyped base


_CONVERTER = _Converter(heading_style="ATX", bullets="-", strip=["script", "style"])


def html_to_markdown(html: str) -> str:
    """Sanitised HTML -> Markdown: nothing executable survives either step."""
    markdown = _CONVERTER.convert(sanitise_html(html))
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, no default port, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    )
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def slugify(text: str) -> str:
    """A file-name slug, the same way `invoke new` makes one (news_reader.slug_of); "article" when empty."""
    return slug_of(text, SLUG_MAX) or "article"


def body_hash(markdown: str) -> str:
    """Fingerprint of an article's words, whatever its layout: the same wire copy hashes the same."""
    words = re.findall(r"\w+", markdown.casefold())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:16]


def normalise(
    item: FeedItem,
    source: SourceConfig,
    now: dt.datetime,
    page: Extracted | None = None,
    tag_rules: TagRules | None = None,
) -> Article:
    """A feed item (and in full mode its extracted page) -> an Article; raises ValueError with the reason when
    the item cannot be used.

    Precedence: the feed's guid and link always; the feed's title, authors and date when it gives them, else the
    page's; the body from the page when it has article text (`via: page`), else the feed's; the summary from
    the feed, else the start of the page's text; the image and its alt text from the page.
    """
    title = plain_text(item.title) or (page.title if page else "")
    if not title:
        raise ValueError("no title")
    link = canonical_url(item.link) if item.link and urlsplit(item.link).scheme in ("http", "https") else None
    if not link and not item.guid:
        raise ValueError("neither a link nor a guid")
    from_page = page is not None and bool(page.body_text.strip())
    body = html_to_markdown(page.body_html if page and from_page else item.content_html or item.summary_html)
    summary = plain_text(item.summary_html) or plain_text(item.content_html)
    if not summary and page:
        summary = " ".join(page.body_text.split())
    if not summary:
        raise ValueError("no text")
    key = link or item.guid or ""
    published = item.published or (page.published.astimezone(dt.UTC) if page and page.published else None)
    date = published or now
    modified = item.updated if item.updated and item.updated > date else None
    # the archive's tag rules (news_tags: content/tag-aliases.toml), the same the build applies
    tags = (tag_rules or TagRules()).normalise_all([*source.tags, *item.tags])
    return Article(
        id=f"{slugify(source.name)}-{hashlib.sha1(key.encode()).hexdigest()[:12]}",
        title=title,
        date=date,
        modified=modified,
        section=source.section,
        tags=tags,
        authors=item.authors or (page.authors if page else ()),
        source=source.name,
        source_url=link,
        via="page" if from_page else "rss",
        summary=shorten(summary),
        lang=source.lang,
        guid=item.guid,
        body=body if body.strip() else summary + "\n",
        slug=slugify(title),
        dated_by_feed=published is not None,
        image=page.image if page else None,
        image_alt=(page.image_alt or title) if page and page.image else "",
        added=now,
    )


# -- the archive: read what is there, write atomically ---------------------------------------------------


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def render(article: Article) -> str:
    """The file ingest writes, ending with the ingest_hash line that detects later hand edits."""
    lines = ["---", f"id: {article.id}", f"title: {_q(article.title)}", f"date: {article.date.isoformat()}"]
    if article.modified:
        lines.append(f"modified: {article.modified.isoformat()}")
    if article.added:
        lines.append(f"added: {article.added.isoformat()}")
    lines += [
        f"section: {article.section}",
        "tags: [" + ", ".join(_q(t) for t in article.tags) + "]",
        "authors: [" + ", ".join(_q(a) for a in article.authors) + "]",
        f"source: {_q(article.source)}",
    ]
    if article.source_url:
        lines.append(f"source_url: {_q(article.source_url)}")
    lines += [f"via: {article.via}", f"summary: {_q(article.summary)}", f"lang: {article.lang}"]
    if article.image:
        lines += [f"image: {_q(article.image)}", f"image_alt: {_q(article.image_alt)}"]
    if article.guid:
        lines.append(f"guid: {_q(article.guid)}")
    if article.near_duplicate_of:
        lines.append(f"near_duplicate_of: {article.near_duplicate_of}")
    text = "\n".join(lines) + "\n---\n\n" + article.body
    return _with_hash(text)


def _hash_of(text_without_hash: str) -> str:
    return hashlib.sha256(text_without_hash.encode()).hexdigest()[:16]


def _with_hash(text: str) -> str:
    head, sep, rest = text.partition("\n---\n")
    return f"{head}\ningest_hash: {_hash_of(text)}{sep}{rest}"


def _without_hash(text: str) -> tuple[str, str | None]:
    match = re.search(r"^ingest_hash: (\S+)\n", text, flags=re.M)
    if not match:
        return text, None
    return text[: match.start()] + text[match.end() :], match.group(1)


def read_archive(content: Path) -> list[Existing]:
    """Every article already in content/articles, with the keys dedupe matches on."""
    found = []
    for path in sorted((content / "articles").rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            front, body = split_front_matter(text, str(path))
            fields = {name: f.value for name, f in parse_front_matter(front, str(path)).items()}
        except FrontMatterError:
            continue  # `invoke build` reports broken files; ingest only needs the good ones
        unhashed, recorded = _without_hash(text)
        url = fields.get("source_url")
        date, modified = _front_date(fields.get("date")), _front_date(fields.get("modified"))
        found.append(
            Existing(
                path=path,
                id=fields.get("id") if isinstance(fields.get("id"), str) else None,
                guid=fields.get("guid") if isinstance(fields.get("guid"), str) else None,
                source_url=canonical_url(url) if isinstance(url, str) else None,
                body_hash=body_hash(body),
                edited=recorded is not None and recorded != _hash_of(unhashed),
                date=date,
                modified=modified,
                via=fields.get("via") if isinstance(fields.get("via"), str) else None,
                fingerprint=fingerprint(body),
                added=_front_date(fields.get("added")),
            )
        )
    return found


def _front_date(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


class Archive:
    """The articles in content/ indexed by id, guid, canonical URL and body fingerprint."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.by_key: dict[str, Existing] = {}
        self.by_body: dict[str, Existing] = {}
        self.copies = CopyIndex()  # fingerprints by id: wire copies republished with light edits
        self.paths: set[Path] = set()
        for existing in read_archive(content):
            self._index(existing)

    def _index(self, existing: Existing) -> None:
        for key in (existing.id, existing.guid and f"guid:{existing.guid}", existing.source_url):
            if key:
                self.by_key.setdefault(key, existing)
        self.by_body.setdefault(existing.body_hash, existing)
        if existing.fingerprint is not None and existing.id:
            self.copies.add(existing.id, existing.fingerprint)
        self.paths.add(existing.path)

    def match(self, article: Article) -> Existing | None:
        for key in (article.id, article.guid and f"guid:{article.guid}", article.source_url):
            if key and key in self.by_key:
                return self.by_key[key]
        return None

    def match_item(self, item: FeedItem) -> Existing | None:
        """The archived article of a feed item, by guid or canonical link (before the item is normalised)."""
        link = canonical_url(item.link) if item.link and urlsplit(item.link).scheme in ("http", "https") else None
        for key in (item.guid and f"guid:{item.guid}", link):
            if key and key in self.by_key:
                return self.by_key[key]
        return None

    def original_of(self, article: Article, hashed: str, print_: Fingerprint | None) -> str | None:
        """The id of an archived article this one repeats: the same words (`hashed`, its body_hash), or a lightly
        edited copy of them (`print_`, its fingerprint)."""
        twin = self.by_body.get(hashed)
        if twin is not None and twin.id and len(article.body.split()) >= MIN_WORDS:
            return twin.id
        return self.copies.find(print_, exclude=article.id) if print_ is not None else None

    def free_path(self, article: Article) -> Path:
        """content/articles/YYYY/MM/<slug>.md; on a clash with another article, the source and then the id."""
        folder = self.content / "articles" / f"{article.date:%Y}" / f"{article.date:%m}"
        for name in (article.slug, f"{article.slug}-{slugify(article.source)}", f"{article.slug}-{article.id[-12:]}"):
            if folder / f"{name}.md" not in self.paths and not (folder / f"{name}.md").exists():
                return folder / f"{name}.md"
        return folder / f"{article.id}.md"

    def record(self, article: Article, path: Path, hashed: str, print_: Fingerprint | None) -> None:
        """Index an article just written, with the body hash and fingerprint `original_of` was given."""
        self._index(
            Existing(
                path,
                article.id,
                article.guid,
                article.source_url,
                hashed,
                False,
                article.date,
                article.modified,
                article.via,
                print_,
            )
        )


# -- full mode: each item's article page ------------------------------------------------------------------


def _page_already_read(item: FeedItem, archive: Archive) -> bool:
    """Whether the item's page was extracted on an earlier run and the feed shows no change since.

    Pages are fetched whole (no conditional GET), so this is what keeps a rerun from fetching every page again.
    An item whose page failed last time (the file says `via: rss`) is tried again.
    """
    existing = archive.match_item(item)
    if existing is None or existing.via != "page" or existing.edited:
        return False
    last_known = existing.modified or existing.date
    return item.updated is None or (last_known is not None and item.updated <= last_known)


def read_page(link: str | None, fetcher: Fetcher) -> PageOutcome:
    """Fetch an item's page (robots.txt honoured) and extract it; a problem names why the feed's text is kept."""
    if not link or urlsplit(link).scheme not in ("http", "https"):
        return PageOutcome(None, ("skipped", "no http(s) link to fetch the article page from; kept the feed's text"))
    if not fetcher.allowed_by_robots(link):
        return PageOutcome(None, ("skipped", "robots.txt disallows fetching the article page; kept the feed's text"))
    try:
        fetched = fetcher.fetch(link, conditional=False)  # a 304 has no body to extract
    except FetchError as error:
        return PageOutcome(None, ("failed", f"article page not fetched ({error.reason}); kept the feed's text"))
    try:
        page = extract(fetched.body, fetched.url)
    except ExtractError as error:
        return PageOutcome(None, ("failed", f"{error}; kept the feed's text"))
    if not page.body_text.strip():
        return PageOutcome(page, ("skipped", "no article text found on the page; kept the feed's text"))
    return PageOutcome(page)


# -- the entry function ----------------------------------------------------------------------------------


def store(article: Article, archive: Archive, report: SourceReport, dry_run: bool) -> None:
    """Dedupe one article against the archive, then write it (new or updated) or leave it (unchanged, edited)."""
    existing = archive.match(article)
    if existing is not None:
        if existing.edited:
            report.problem(
                "skipped", str(existing.path), "edited by hand since ingest wrote it; the update is not applied"
            )
            return
        # keep the file's name, when it entered the archive (none for a file written before ingest wrote it: the
        # search index numbers articles in that order), and its date when the feed gave none
        article = dataclasses.replace(article, slug=existing.path.stem, added=existing.added)
        if not article.dated_by_feed and existing.date is not None:
            article = dataclasses.replace(article, date=existing.date)
        text = render(article)
        if existing.path.read_text(encoding="utf-8") == text:
            report.unchanged += 1
            return
        if not dry_run:
            write_atomically(existing.path, text)
        report.updated += 1
        return
    hashed, print_ = body_hash(article.body), fingerprint(article.body)  # each worked out once per new article
    original = archive.original_of(article, hashed, print_)
    if original is not None:
        article = dataclasses.replace(article, near_duplicate_of=original)
    path = archive.free_path(article)
    if not dry_run:
        write_atomically(path, render(article))
    archive.record(article, path, hashed, print_)
    report.new += 1


def ingest_source(
    source: SourceConfig,
    fetcher: Fetcher,
    archive: Archive,
    now: dt.datetime,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    tag_rules: TagRules | None = None,
) -> SourceReport:
    """One source: fetch -> parse -> for each item (full mode: read its page) normalise -> store. Never raises
    for bad input."""
    report = SourceReport(source.name)
    # fetch (politely: a source's own delay applies to its host)
    host = urlsplit(source.feed).hostname
    if source.delay is not None and host:
        fetcher.host_delays[host] = source.delay
    try:
        fetched = fetcher.fetch(source.feed)
    except FetchError as error:
        report.problem("failed", source.feed, str(error).removeprefix(f"{source.feed}: "))
        return report
    if fetched.status == 304:
        report.feed_not_modified = True
        return report
    # parse
    try:
        items = parse_feed(fetched.body, fetched.url, fetched.content_type)
    except FeedError as error:
        report.problem("failed", source.feed, str(error))
        return report
    # full mode: fetch and extract each item's page; convert, normalise, dedupe and write each item
    for item in items:
        if progress:
            progress(1)
        page = None
        if source.mode == "full":
            if _page_already_read(item, archive):
                report.unchanged += 1  # its page was extracted before and the feed shows no change since
                continue
            outcome = read_page(item.link, fetcher)
            page = outcome.page
            if outcome.problem:
                report.problem(outcome.problem[0], item.link or item.guid or source.feed, outcome.problem[1])
        try:
            article = normalise(item, source, now, page, tag_rules)
        except ValueError as error:
            report.problem("skipped", item.link or item.guid or source.feed, str(error))
        else:
            store(article, archive, report, dry_run)
    return report


def ingest_sources(
    sources: Iterable[SourceConfig],
    content: Path,
    fetcher: Fetcher,
    now: dt.datetime,
    dry_run: bool = False,
    tag_rules: TagRules | None = None,
) -> list[SourceReport]:
    """Every source in turn, against one view of the archive; returns one report per source."""
    archive = Archive(content)
    return [ingest_source(source, fetcher, archive, now, dry_run, tag_rules=tag_rules) for source in sources]
