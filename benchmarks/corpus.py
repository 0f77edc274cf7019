"""Big news archives for benchmarks, built from the third-party texts in ../shared/corpora/news-text.

The collections (see ../shared/corpora/README.md; research use only: read them from there, never copy them
into content/ or onto a published site):

- Reuters-21578 (SGML, latin-1, 1987): the 19,043 stories that have a body; TOPICS, PLACES and ORGS are tags;
- BBC fulltext (2,225 stories of 2004–05, one file each, first line the title): sections from the folder;
- AG News test set (7,600 short items: class, title, description).

Every story becomes a `NewsDocument` (plain, frozen). `scaled_documents(n)` repeats the collections as
date-shifted copies with slightly changed titles until there are `n`, and `write_archive` writes documents as
Markdown articles in the project's content model (CONTRIBUTING.md) so that Pelican can build them:

    from benchmarks.corpus import scaled_documents, write_archive
    write_archive(scaled_documents(100_000), Path("/tmp/big/content"))

Everything is deterministic: the same call gives the same documents in the same order.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS_TEXT = ROOT.parent / "shared" / "corpora" / "news-text"

REUTERS_SOURCE = "Reuters"
BBC_SOURCE = "BBC News"
AG_SOURCE = "AG News"

# The archive's sections (pelicanconf.NEWS_SECTIONS) for each collection's own categories.
BBC_SECTIONS = {
    "business": "Business",
    "entertainment": "Culture",
    "politics": "World",
    "sport": "Culture",
    "tech": "Technology",
}
AG_SECTIONS = {"1": "World", "2": "Culture", "3": "Business", "4": "Technology"}

# The BBC and AG collections carry no dates: their stories are spread evenly over these periods.
BBC_PERIOD = (dt.datetime(2004, 1, 1, tzinfo=dt.UTC), dt.datetime(2005, 12, 31, tzinfo=dt.UTC))
AG_PERIOD = (dt.datetime(2004, 7, 1, tzinfo=dt.UTC), dt.datetime(2005, 6, 30, tzinfo=dt.UTC))

SUMMARY_WORDS = 45
SLUG_WORDS = 8
# Copies are shifted by a whole number of weeks, so each lands on the same weekday as its original.
DEFAULT_SHIFT_DAYS = 371


class CorpusError(Exception):
    """The shared corpus is missing or not in the expected shape."""


@dataclasses.dataclass(frozen=True)
class NewsDocument:
    """One story, as plain text and metadata. `body` is paragraphs separated by blank lines."""

    ident: str
    slug: str
    title: str
    summary: str
    body: str
    date: dt.datetime
    section: str
    tags: tuple[str, ...]
    source: str
    added: dt.datetime | None = None  # when it entered the archive (front matter `added`), if not its date

    @property
    def text(self) -> str:
        """Title, summary and body as one plain text (what a text-similarity scorer reads)."""
        return f"{self.title}\n\n{self.summary}\n\n{self.body}"


def require(root: Path) -> Path:
    """`root` when it exists; otherwise a CorpusError saying where the corpus was looked for."""
    if not root.is_dir():
        raise CorpusError(
            f"{root}: the news-text corpus is not there; benchmarks need ../shared/corpora/news-text "
            "beside the project (see ../shared/corpora/README.md)"
        )
    return root


# --- the three collections -------------------------------------------------------------------------------

_REUTERS_RE = re.compile(r"<REUTERS\b[^>]*\bNEWID=\"(\d+)\"[^>]*>(.*?)</REUTERS>", re.S)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _sgml_field(record: str, name: str) -> str:
    found = re.search(rf"<{name}>(.*?)</{name}>", record, re.S)
    return html.unescape(found.group(1)) if found else ""


def _sgml_list(record: str, name: str) -> list[str]:
    return [html.unescape(item) for item in re.findall(r"<D>(.*?)</D>", _sgml_field(record, name))]


def reuters_documents(root: Path = NEWS_TEXT) -> Iterator[NewsDocument]:
    """The Reuters-21578 stories with a title and a body, in file and NEWID order."""
    folder = require(root) / "reuters21578"
    files = sorted(folder.glob("reut2-*.sgm"))
    if not files:
        raise CorpusError(f"{folder}: no reut2-*.sgm files; is the Reuters-21578 collection unpacked there?")
    for path in files:
        for match in _REUTERS_RE.finditer(path.read_text(encoding="latin-1")):
            newid, record = match.group(1), match.group(2)
            title = _clean_line(_sgml_field(record, "TITLE"))
            body = _paragraphs(_sgml_field(record, "BODY"), indented=True)
            if not title or not body:
                continue
            date = _reuters_date(_sgml_field(record, "DATE"), path, newid)
            topics = _sgml_list(record, "TOPICS")
            tags = tuple(dict.fromkeys([*topics, *_sgml_list(record, "PLACES"), *_sgml_list(record, "ORGS")]))
            yield _document(
                "reuters",
                newid,
                title=title.title() if title.isupper() else title,
                body=body,
                date=date,
                section="Business" if topics or not tags else "World",
                tags=tags,
                source=REUTERS_SOURCE,
            )


def _reuters_date(text: str, path: Path, newid: str) -> dt.datetime:
    """The story's date; a few stories have a garbled time ("605:12:19"): they get midnight of their day."""
    day, _, clock = text.strip().partition(" ")
    try:
        date = dt.datetime.strptime(day, "%d-%b-%Y").replace(tzinfo=dt.UTC)
    except ValueError:
        raise CorpusError(f"{path.name}: story NEWID={newid} has the date {text!r}, not DD-MON-YYYY HH:MM:SS") from None
    try:
        time = dt.datetime.strptime(clock.split(".")[0], "%H:%M:%S").time()
    except ValueError:
        return date
    return date.replace(hour=time.hour, minute=time.minute, second=time.second)


def bbc_documents(root: Path = NEWS_TEXT) -> Iterator[NewsDocument]:
    """The BBC fulltext stories, folder by folder (business, entertainment, ...), in file order."""
    folder = require(root) / "bbc-fulltext" / "bbc"
    paths = sorted(p for p in folder.glob("*/*.txt") if p.parent.name in BBC_SECTIONS)
    if not paths:
        raise CorpusError(f"{folder}: no <category>/NNN.txt files; is the BBC fulltext collection unpacked there?")
    for index, path in enumerate(paths):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, rest = text.strip().partition("\n")
        body = _paragraphs(rest, indented=False)
        if not title.strip() or not body:
            continue
        yield _document(
            "bbc",
            f"{path.parent.name}-{path.stem}",
            title=_clean_line(title),
            body=body,
            date=_spread(BBC_PERIOD, index, len(paths)),
            section=BBC_SECTIONS[path.parent.name],
            tags=(path.parent.name,),
            source=BBC_SOURCE,
        )


def ag_news_documents(root: Path = NEWS_TEXT) -> Iterator[NewsDocument]:
    """The AG News test items (title and description), in file order."""
    path = require(root) / "ag-news-test" / "ag_news_csv" / "test.csv"
    if not path.is_file():
        raise CorpusError(f"{path}: missing; is the AG News test set unpacked there?")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for index, row in enumerate(rows, start=1):
        if len(row) != 3 or row[0] not in AG_SECTIONS:
            raise CorpusError(f"{path}:{index}: expected three columns (class 1-4, title, description), got {row!r}")
        title = _clean_line(html.unescape(row[1]))
        # The set writes "$" as " #36;" and line breaks as a backslash.
        body = _clean_line(html.unescape(row[2].replace(" #36;", " $").replace("\\", " ")))
        if not title or not body:
            continue
        yield _document(
            "ag",
            str(index),
            title=title,
            body=body,
            date=_spread(AG_PERIOD, index - 1, len(rows)),
            section=AG_SECTIONS[row[0]],
            tags=(),
            source=AG_SOURCE,
        )


def news_text_documents(root: Path = NEWS_TEXT) -> Iterator[NewsDocument]:
    """Every story of the three collections (about 28,900): Reuters, then BBC, then AG News."""
    yield from reuters_documents(root)
    yield from bbc_documents(root)
    yield from ag_news_documents(root)


def scaled_documents(
    count: int, root: Path = NEWS_TEXT, shift_days: int = DEFAULT_SHIFT_DAYS
) -> Iterator[NewsDocument]:
    """Exactly `count` documents: the collections first, then copy 1 of every story (dated `shift_days`
    later, its title marked as a follow-up), then copy 2, and so on. A copy has its original's body."""
    if count < 0:
        raise CorpusError(f"count is {count}; expected a number of documents, 0 or more")
    originals = list(news_text_documents(root))
    if not originals and count:
        raise CorpusError(f"{root}: the collections gave no documents")
    produced = 0
    generation = 0
    while produced < count:
        for original in originals:
            if produced == count:
                return
            yield original if generation == 0 else shifted_copy(original, generation, shift_days)
            produced += 1
        generation += 1


def shifted_copy(document: NewsDocument, generation: int, shift_days: int = DEFAULT_SHIFT_DAYS) -> NewsDocument:
    """Copy `generation` (1, 2, ...) of a story: later by generation × shift_days, title and id marked."""
    return dataclasses.replace(
        document,
        ident=f"{document.ident}-c{generation}",
        slug=f"{document.slug}-c{generation}",
        title=f"{document.title} (follow-up {generation})",
        date=document.date + dt.timedelta(days=shift_days * generation),
    )


# --- writing an archive ----------------------------------------------------------------------------------


def write_archive(documents: Iterable[NewsDocument], content: Path) -> int:
    """Write each document as content/articles/YYYY/MM/<slug>.md (front matter + Markdown body).
    Returns how many were written. Existing files with the same names are overwritten."""
    articles = content / "articles"
    written = 0
    made: set[Path] = set()
    for document in documents:
        folder = articles / f"{document.date:%Y}" / f"{document.date:%m}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        (folder / f"{document.slug}.md").write_text(to_markdown(document), encoding="utf-8")
        written += 1
    return written


def to_markdown(document: NewsDocument) -> str:
    """The article file: YAML front matter (strings JSON-quoted, which YAML reads as is) and the body."""
    source_slug = re.sub(r"[^a-z0-9]+", "-", document.source.lower()).strip("-")
    lines = [
        "---",
        f"id: {document.ident}",
        f"title: {json.dumps(document.title, ensure_ascii=False)}",
        f"date: {document.date.isoformat(timespec='seconds')}",
        *([f"added: {document.added.isoformat(timespec='seconds')}"] if document.added else []),
        f"section: {document.section}",
        f"tags: {json.dumps(list(document.tags), ensure_ascii=False)}",
        f"source: {json.dumps(document.source)}",
        f"source_url: https://{source_slug}.example/{document.date:%Y/%m/%d}/{document.slug}",
        "via: rss",
        f"summary: {json.dumps(_markdown_escape(document.summary), ensure_ascii=False)}",
        "lang: en",
        "---",
        "",
        "",
    ]
    paragraphs = [_markdown_escape(p) for p in document.body.split("\n\n")]
    return "\n".join(lines) + "\n\n".join(paragraphs) + "\n"


# --- helpers ---------------------------------------------------------------------------------------------


def _document(
    collection: str,
    key: str,
    *,
    title: str,
    body: str,
    date: dt.datetime,
    section: str,
    tags: tuple[str, ...],
    source: str,
) -> NewsDocument:
    words = re.findall(r"[a-z0-9]+", title.lower())[:SLUG_WORDS]
    slug = "-".join([collection, key.lower(), *words])
    return NewsDocument(
        ident=f"{collection}-{key}",
        slug=slug,
        title=title,
        summary=_summary(body),
        body=body,
        date=date,
        section=section,
        tags=tags,
        source=source,
    )


def _clean_line(text: str) -> str:
    return " ".join(_CONTROL_RE.sub(" ", text).split())


def _paragraphs(text: str, *, indented: bool) -> str:
    """Plain paragraphs joined by blank lines. Reuters starts a paragraph with an indented line; BBC
    separates them by blank lines. The trailing "Reuter" sign-off is dropped."""
    text = _CONTROL_RE.sub(" ", text.replace("\r\n", "\n"))
    if indented:
        text = re.sub(r"\n(?=[ \t]+\S)", "\n\n", text)
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and paragraphs[-1].rstrip(".").lower() == "reuter":
        paragraphs.pop()
    elif paragraphs and paragraphs[-1].endswith(" Reuter"):
        paragraphs[-1] = paragraphs[-1][: -len(" Reuter")]
    return "\n\n".join(paragraphs)


def _summary(body: str) -> str:
    """The first sentences of the body, up to about SUMMARY_WORDS words."""
    words = body.split("\n\n", 1)[0].split()
    if len(words) <= SUMMARY_WORDS:
        return " ".join(words)
    return " ".join(words[:SUMMARY_WORDS]).rstrip(",;:") + "…"


def _spread(period: tuple[dt.datetime, dt.datetime], index: int, total: int) -> dt.datetime:
    start, end = period
    step = (end - start) / max(total, 1)
    return (start + step * index).replace(microsecond=0)


_MARKDOWN_LEAD_RE = re.compile(r"^(\s*)([#>+*=\-]|\d+[.)])")


def _markdown_escape(text: str) -> str:
    """Plain text that Markdown shows as written: no accidental headings, lists, HTML or emphasis."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;").replace("*", "\\*").replace("_", "\\_")
    text = text.replace("`", "\\`").replace("[", "\\[").replace("]", "\\]")
    return _MARKDOWN_LEAD_RE.sub(_escape_lead, text)


def _escape_lead(match: re.Match[str]) -> str:
    indent, mark = match.group(1), match.group(2)
    if mark[0].isdigit():  # "1987." would start a numbered list: escape the dot
        return f"{indent}{mark[:-1]}\\{mark[-1]}"
    return f"{indent}\\{mark}"
