"""Article-page extraction: one news page's HTML -> its title, authors, date, lead image and body.

`extract(html, url)` reads as its phases:
    decode the bytes -> read the metadata (JSON-LD, OpenGraph/meta tags, <time>, bylines) -> extract the body
    -> clean the body's blocks -> render them as sanitised HTML and as plain text.

The body is a vote between two extractors, measured on the article-extraction benchmark (`invoke
bench-extract`; the figures are in ingest/README.md):

1. trafilatura, tuned for precision and without comments, gives the base blocks (paragraphs, headings, list
   items); when it finds almost nothing, its default (recall-leaning) settings are tried instead;
2. blocks that are clearly boilerplate are dropped: the headline repeated at the top, short "Read more:" /
   "Related:" / share / subscribe lines, and link lists (mostly-link blocks that are not sentences);
3. readability-lxml reads the same page. When its text contains what trafilatura kept (so both found the same
   article) and it has substantially more long, sentence-like, link-poor paragraphs that trafilatura lacks
   (an article split over several containers), those paragraphs are added in readability's order. Captions
   and headlines are never added this way.

Every rule is generic: nothing here knows a site, a domain or a page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import trafilatura
from dateutil import parser as dateparser
from markupsafe import escape
from news_reader import sanitise_html
from readability import Document
from readability.readability import Unparseable

WORD = re.compile(r"\w+")
SHINGLE = 4  # words per shingle when comparing two extractors' texts
FALLBACK_WORDS = 50  # a precise extraction shorter than this is retried with trafilatura's defaults
LINK_LIST_DENSITY = 0.6  # a block with at least this share of its text in links, and not a sentence, is a link list
BOILERPLATE_MAX_WORDS = 20  # "Read more: ..." lines longer than this are kept (they are real sentences)
TITLE_WINDOW = 3  # the headline repeated within the first blocks is dropped
ADD_COVERAGE = 0.9  # readability must contain this share of trafilatura's shingles to be trusted...
ADD_MIN_WORDS = 15  # ...then its paragraphs with at least this many words,
ADD_MAX_LINK_DENSITY = 0.2  # this little link text,
ADD_MAX_KNOWN = 0.2  # at most this share already in the body,
ADD_MIN_SHARE = 0.3  # adding at least this share of the body's words in all, are added
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicQuestionArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
    }
)
BOILERPLATE = re.compile(  # phrases that open a boilerplate line; single words only when a ":" or "|" follows
    r"^[^\w©]*(?:(?:related (?:posts?|articles?|stories|content|coverage|reading|links)|read (?:more|next|also)|"
    r"see more|more on this|also on [\w.]+|also read|don'?t miss|recommended for you|most (?:popular|read)|"
    r"more from|advertisement|sponsored content|sign up (?:for|to)|subscribe (?:to|for|now)|"
    r"follow (?:us|him|her|me)|click here|like this (?:story|article)|share (?:this|on|via)|filed under|"
    r"all rights reserved|copyright)\b|©|(?:related|image|photo|credit|watch|listen|tags?|trending|more|"
    r"advertisement|sponsored|recommended)\s*[:|])",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?…:;\"”’)\]]\s*$")
BYLINE_PREFIX = re.compile(r"^\s*(by|von|par|por|di|door|av)\s+", re.IGNORECASE)
TIMEZONE_NAMES = {  # zone abbreviations pages write after a date, as UTC offsets in seconds (IST: India)
    name: hours * 3600
    for name, hours in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "MSK": 3,
        "IST": 5.5,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "AEST": 10,
        "AEDT": 11,
        "JST": 9,
        "KST": 9,
        "HKT": 8,
        "SGT": 8,
    }.items()
}
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)

# Block elements split text into blocks; the rest is inline and belongs to the block around it.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIPPED_TAGS = frozenset(
    ["button", "head", "iframe", "noscript", "option", "script", "select", "style", "svg", "template", "textarea"]
)
CAPTION_TAGS = frozenset({"figure", "figcaption"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclasses.dataclass(frozen=True)
class Extracted:
    """What one article page says about itself. `body_html` is sanitised; `body_text` has blank-line paragraphs."""

    title: str
    authors: tuple[str, ...]
    published: dt.datetime | None  # always timezone-aware (a date without an offset is taken as UTC)
    image: str | None  # an absolute http(s) URL
    image_alt: str
    body_html: str
    body_text: str


@dataclasses.dataclass(frozen=True)
class Metadata:
    """The page's own description of the article, before the body is read."""

    title: str
    authors: tuple[str, ...]
    published: dt.datetime | None
    image: str | None
    image_alt: str


@dataclasses.dataclass(frozen=True)
class Block:
    """One paragraph-like piece of an extractor's output: its tag, its text, its inline HTML, its link share."""

    tag: str
    text: str
    html: str
    link_density: float
    in_caption: bool


class ExtractError(ValueError):
    """The document is not HTML that can be read at all."""


# -- the entry function ----------------------------------------------------------------------------------


def extract(html: str | bytes, url: str) -> Extracted:
    """One article page -> an `Extracted`; raises `ExtractError` only when the document is not readable HTML."""
    # decode: bytes in the charset the page declares
    text = decode(html)
    if not text.strip():
        raise ExtractError(f"{url}: the page is empty")
    try:
        document = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ExtractError(f"{url}: not readable HTML ({error})") from None
    # metadata: JSON-LD first, then OpenGraph/meta tags, <time> and bylines
    metadata = read_metadata(document, url)
    # body: trafilatura's blocks, boilerplate dropped, readability's missing paragraphs added
    blocks = clean_blocks(trafilatura_blocks(text, url), metadata.title)
    blocks = add_missing_paragraphs(blocks, readability_blocks(text, url))
    # render
    return Extracted(
        title=metadata.title,
        authors=metadata.authors,
        published=metadata.published,
        image=metadata.image,
        image_alt=metadata.image_alt,
        body_html=render_html(blocks),
        body_text="\n\n".join(b.text for b in blocks),
    )


def decode(html: str | bytes) -> str:
    """Bytes -> text: a BOM, else the charset a <meta> declares, else UTF-8 (undecodable bytes replaced)."""
    if isinstance(html, str):
        return html
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if html.startswith(bom):
            return html[len(bom) :].decode(codec, errors="replace")
    declared = CHARSET.search(html[:4096])
    if declared:
        try:
            return html.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass  # an unknown charset name: UTF-8 is the likeliest truth
    return html.decode("utf-8", errors="replace")


# -- metadata --------------------------------------------------------------------------------------------


def read_metadata(document: lxml.html.HtmlElement, url: str) -> Metadata:
    """Title, authors, date and lead image, each from the most reliable place the page gives it."""
    ld = _json_ld_article(document)
    meta = _meta_tags(document)
    title = _first_text(
        _ld_text(ld.get("headline")),
        _ld_text(ld.get("name")),
        meta.get("og:title"),
        meta.get("twitter:title"),
        _text_of(document.find(".//h1")),
        _text_of(document.find(".//title")),
    )
    authors = _ld_authors(ld.get("author")) or _meta_authors(meta) or _byline_authors(document)
    published = _first_date(
        _ld_text(ld.get("datePublished")),
        meta.get("article:published_time"),
        meta.get("datepublished"),
        meta.get("og:published_time"),
        *_time_attributes(document),
        meta.get("pubdate"),
        meta.get("publish-date"),
        meta.get("publishdate"),
        meta.get("date"),
        meta.get("dc.date"),
        meta.get("dc.date.issued"),
        meta.get("sailthru.date"),
        _ld_text(ld.get("dateCreated")),
        _ld_text(ld.get("dateModified")),
    )
    ld_image, ld_alt = _ld_image(ld.get("image"))
    image = _absolute_http(
        url, meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image") or ld_image
    )
    alt = _first_text(meta.get("og:image:alt"), meta.get("twitter:image:alt"), ld_alt) if image else ""
    return Metadata(title, authors, published, image, alt)


def _walk_json(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk_json(child)
    elif isinstance(value, list):
        for child in value:
            yield from _walk_json(child)


def _json_ld_article(document: lxml.html.HtmlElement) -> dict[str, Any]:
    """The first article-typed JSON-LD object (inside @graph or lists too); {} when there is none."""
    for script in document.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue  # a broken block: the page's other metadata still counts
        for node in _walk_json(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.rsplit("/", 1)[-1] in ARTICLE_TYPES for k in kinds):
                return node
    return {}


def _meta_tags(document: lxml.html.HtmlElement) -> dict[str, str]:
    """<meta property|name|itemprop=... content=...>, keys lowercased; the first of each key wins."""
    found: dict[str, str] = {}
    for meta in document.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), " ".join(content.split()))
    return found


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(str(value).split()) or None
    return None


def _ld_authors(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, str):
            names.extend(_split_names(name))
    return _unique(names)


def _meta_authors(meta: dict[str, str]) -> tuple[str, ...]:
    for key in (
        "author",
        "article:author",
        "byl",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "citation_author",
    ):
        value = meta.get(key)
        if value and not urlsplit(value).scheme.startswith("http"):  # article:author is often a profile URL
            return _unique(_split_names(value))
    return ()


def _byline_authors(document: lxml.html.HtmlElement) -> tuple[str, ...]:
    """itemprop=author, rel=author, then the first element whose class names a byline."""
    for path in (
        ".//*[@itemprop='author']//*[@itemprop='name']",
        ".//*[@itemprop='author']",
        ".//a[@rel='author']",
        ".//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]",
        ".//*[contains(@class, 'author-name')]",
        ".//*[contains(@class, 'byline')]",
    ):
        for element in document.xpath(path):
            name = _text_of(element)
            if name and len(name) <= 100:
                return _unique(_split_names(name))
    return ()


def _split_names(text: str) -> list[str]:
    text = BYLINE_PREFIX.sub("", " ".join(text.split()))
    parts = re.split(r"\s*(?:,|;|\band\b|&|\bund\b|\bet\b|\by\b|\be\b)\s*", text)
    return [p.strip(" .|·-") for p in parts if p.strip(" .|·-") and len(p) <= 60 and WORD.search(p)]


def _time_attributes(document: lxml.html.HtmlElement) -> list[str]:
    """<time datetime>: the ones marked as the publication date first, then any in the document."""
    marked = document.xpath(".//time[@datetime and (@itemprop='datePublished' or @pubdate or @class='published')]")
    return [t.get("datetime") for t in [*marked, *document.xpath(".//time[@datetime]")[:1]]]


def _first_date(*candidates: str | None) -> dt.datetime | None:
    for candidate in candidates:
        parsed = parse_date(candidate)
        if parsed is not None:
            return parsed
    return None


def parse_date(value: str | None) -> dt.datetime | None:
    """ISO 8601 or a common written date -> an aware datetime (UTC when the text gives no offset); None if not."""
    if not value or not WORD.search(value) or not re.search(r"\d", value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)  # an unknown zone name: UTC below
            try:
                parsed = dateparser.parse(value, tzinfos=TIMEZONE_NAMES)
            except (ValueError, OverflowError, TypeError):
                return None
    if not 1900 <= parsed.year <= 2200:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _ld_image(value: Any) -> tuple[str | None, str]:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return value, ""
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        caption = _ld_text(value.get("caption")) or _ld_text(value.get("description")) or ""
        return (url if isinstance(url, str) else None), caption
    return None, ""


def _absolute_http(base: str, link: str | None) -> str | None:
    if not link:
        return None
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _text_of(element: lxml.html.HtmlElement | None) -> str | None:
    if element is None:
        return None
    return " ".join(element.text_content().split()) or None


def _first_text(*candidates: str | None) -> str:
    return next((c for c in candidates if c and c.strip()), "")


def _unique(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


# -- body: blocks from each extractor --------------------------------------------------------------------


def trafilatura_blocks(text: str, url: str) -> list[Block]:
    """trafilatura for precision, without comments; its defaults when that finds almost nothing."""
    options: dict[str, Any] = {
        "url": url,
        "include_comments": False,
        "include_links": True,
        "include_formatting": True,
        "include_images": False,
        "output_format": "html",
    }
    blocks = html_blocks(trafilatura.extract(text, favor_precision=True, **options) or "", url)
    if _words(blocks) < FALLBACK_WORDS:
        retried = html_blocks(trafilatura.extract(text, **options) or "", url)
        if _words(retried) > _words(blocks):
            blocks = retried
    return blocks


def readability_blocks(text: str, url: str) -> list[Block]:
    try:
        # no url: readability would rewrite every link of the page (a third of its time); html_blocks does it
        return html_blocks(Document(text).summary(html_partial=True), url)
    except (Unparseable, lxml.etree.ParserError, ValueError):
        return []  # readability gives up on some pages; trafilatura's blocks stand alone


def html_blocks(html: str, base_url: str = "") -> list[Block]:
    """An extractor's HTML -> its blocks in order: each block element's own text, nested blocks apart; links
    made absolute against `base_url`."""
    if not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return []
    blocks: list[Block] = []
    _collect(root, blocks, base_url, in_caption=False)
    return blocks


class _Inline:
    """Text and HTML of one block being collected, with how much of its text sits inside links."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.text: list[str] = []
        self.html: list[str] = []
        self.link_chars = 0

    def add_text(self, text: str | None, in_link: bool) -> None:
        if text:
            self.text.append(text)
            self.html.append(str(escape(text)))
            if in_link:
                self.link_chars += len(" ".join(text.split()))


def _collect(element: lxml.html.HtmlElement, blocks: list[Block], base_url: str, in_caption: bool) -> None:
    in_caption = in_caption or element.tag in CAPTION_TAGS
    inline = _Inline(base_url)
    inline.add_text(element.text, False)
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in BLOCK_TAGS:
            _flush(element, inline, blocks, in_caption)
            inline = _Inline(base_url)
            _collect(child, blocks, base_url, in_caption)
        elif tag and tag not in SKIPPED_TAGS:
            _inline(child, inline, in_link=False)
        inline.add_text(child.tail, False)
    _flush(element, inline, blocks, in_caption)


def _inline(element: lxml.html.HtmlElement, inline: _Inline, in_link: bool) -> None:
    """An inline element's text and markup (a, em, strong, code, br...) into the block being collected."""
    tag = element.tag.lower()
    if tag == "br":
        inline.text.append("\n")
        inline.html.append("<br>")
        return
    in_link = in_link or tag == "a"
    keep = tag in ("a", "em", "i", "strong", "b", "code", "sub", "sup", "q", "abbr", "cite", "mark", "s", "u")
    if keep:
        href = urljoin(inline.base_url, element.get("href", "").strip()) if tag == "a" and element.get("href") else None
        inline.html.append(f'<a href="{escape(href)}">' if href else f"<{tag}>" if tag != "a" else "<a>")
    inline.add_text(element.text, in_link)
    for child in element:
        if isinstance(child.tag, str) and child.tag.lower() not in SKIPPED_TAGS:
            _inline(child, inline, in_link)
        inline.add_text(child.tail, in_link)
    if keep:
        inline.html.append(f"</{tag}>")


def _flush(element: lxml.html.HtmlElement, inline: _Inline, blocks: list[Block], in_caption: bool) -> None:
    text = " ".join("".join(inline.text).split())
    if WORD.search(text):
        tag = element.tag.lower() if isinstance(element.tag, str) else "p"
        density = min(1.0, inline.link_chars / len(text))
        blocks.append(Block(tag, text, "".join(inline.html).strip(), density, in_caption))


# -- body: vote and clean --------------------------------------------------------------------------------


def clean_blocks(blocks: list[Block], title: str) -> list[Block]:
    """Drop the repeated headline, short boilerplate lines and link lists."""
    headline = _normal(title)
    kept = []
    for index, block in enumerate(blocks):
        if index < TITLE_WINDOW and headline and _normal(block.text) == headline:
            continue
        if len(WORD.findall(block.text)) <= BOILERPLATE_MAX_WORDS and BOILERPLATE.match(block.text):
            continue
        if _is_link_list(block):
            continue
        kept.append(block)
    return kept


def _is_link_list(block: Block) -> bool:
    """Mostly links, several words, and not a sentence: a "related stories" headline, not article text."""
    return (
        block.link_density >= LINK_LIST_DENSITY and len(block.text.split()) >= 4 and not SENTENCE_END.search(block.text)
    )


def add_missing_paragraphs(blocks: list[Block], others: list[Block]) -> list[Block]:
    """Add `others`' long paragraphs that `blocks` lack, when `others` found the same article and much more."""
    known = _shingles(" ".join(b.text for b in blocks))
    theirs = _shingles(" ".join(b.text for b in others))
    total = sum(known.values())
    if not total or sum((known & theirs).values()) / total < ADD_COVERAGE:
        return blocks  # readability read another part of the page (or nothing): don't mix the two
    missing = {id(b) for b in others if _worth_adding(b, known)}
    if sum(len(WORD.findall(b.text)) for b in others if id(b) in missing) < ADD_MIN_SHARE * _words(blocks):
        return blocks
    return _merge(blocks, [b for b in others if id(b) in missing or _normal(b.text)], missing)


def _worth_adding(block: Block, known: Counter[tuple[str, ...]]) -> bool:
    if len(WORD.findall(block.text)) < ADD_MIN_WORDS or block.link_density >= ADD_MAX_LINK_DENSITY:
        return False
    if block.in_caption or block.tag in HEADING_TAGS or BOILERPLATE.match(block.text):
        return False
    if not SENTENCE_END.search(block.text):
        return False
    shingles = _shingles(block.text)
    return sum((shingles & known).values()) / max(1, sum(shingles.values())) <= ADD_MAX_KNOWN


def _merge(blocks: list[Block], others: list[Block], missing: set[int]) -> list[Block]:
    """`blocks` in their order, with each missing block placed where `others` has it relative to the rest."""
    normal = [_normal(b.text) for b in blocks]
    used = [False] * len(blocks)
    merged: list[Block] = []
    for other in others:
        if id(other) in missing:
            merged.append(other)
            continue
        text = _normal(other.text)
        for index, mine in enumerate(normal):
            if not used[index] and mine and mine in text:
                for earlier in range(index + 1):  # everything of ours up to the anchor comes first
                    if not used[earlier]:
                        merged.append(blocks[earlier])
                        used[earlier] = True
                break
    merged.extend(b for b, u in zip(blocks, used, strict=True) if not u)
    return merged


def _normal(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _words(blocks: list[Block]) -> int:
    return sum(len(WORD.findall(b.text)) for b in blocks)


# -- render ----------------------------------------------------------------------------------------------


def render_html(blocks: list[Block]) -> str:
    """Blocks -> HTML (headings as h2/h3, list items in lists, quotes, code), sanitised with news_reader's policy."""
    parts: list[str] = []
    in_list = False
    for block in blocks:
        if block.tag == "li" and not in_list:
            parts.append("<ul>")
            in_list = True
        elif block.tag != "li" and in_list:
            parts.append("</ul>")
            in_list = False
        tag = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3"}.get(block.tag, block.tag)
        if tag not in ("h2", "h3", "li", "blockquote", "pre"):
            tag = "p"
        parts.append(f"<{tag}>{block.html}</{tag}>")
    if in_list:
        parts.append("</ul>")
    return sanitise_html("\n".join(parts))
