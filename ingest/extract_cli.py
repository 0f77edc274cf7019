"""`invoke extract`: run the article-page extractor alone on local pages or URLs.

One page prints the article as ingest would write it (YAML front matter + Markdown, from `pipeline.render`);
`--json` prints `{path: {"title", "authors", "date", "articleBody"}}` for any number of pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from ingest.config import SourceConfig
from ingest.extract import Extracted, ExtractError, extract
from ingest.fetch import Fetcher, FetchError, FetchPolicy
from ingest.pipeline import FeedItem, normalise, render


class ExtractCommandError(ValueError):
    """A page named on the command line cannot be read: says which and why."""


@dataclasses.dataclass(frozen=True)
class Page:
    """One page named on the command line, read and extracted."""

    name: str  # as given
    url: str  # the page's address: the URL fetched, or --url / a file:// URL for a local file
    extracted: Extracted


def split_paths(paths: str) -> list[str]:
    """invoke passes one string: pages separated by commas and/or whitespace."""
    return [p for p in re.split(r"[,\s]+", paths) if p]


def read_page(name: str, base_url: str | None, fetcher: Fetcher) -> Page:
    """A local .html/.html.gz file or an http(s) URL (robots.txt honoured) -> its extraction."""
    if urlsplit(name).scheme in ("http", "https"):
        if not fetcher.allowed_by_robots(name):
            raise ExtractCommandError(f"{name}: robots.txt disallows fetching this page")
        try:
            fetched = fetcher.fetch(name, conditional=False)
        except FetchError as error:
            raise ExtractCommandError(str(error)) from None
        body, url = fetched.body, fetched.url
    else:
        path = Path(name)
        try:
            body = path.read_bytes()
            if path.suffix == ".gz":
                body = gzip.decompress(body)
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise ExtractCommandError(f"{name}: cannot read it ({error}); give an .html or .html.gz file") from None
        url = base_url or path.resolve().as_uri()
    try:
        return Page(name, url, extract(body, url))
    except ExtractError as error:
        raise ExtractCommandError(str(error)) from None


def as_markdown(page: Page, section: str, now: dt.datetime) -> str:
    """The file ingest's full mode would write for this page alone (no feed values to take precedence)."""
    host = urlsplit(page.url).hostname or "local page"
    source = SourceConfig(name=host, feed=page.url, section=section, mode="full")
    item = FeedItem(None, page.url, "", None, None, (), (), "", "")
    return render(normalise(item, source, now, page.extracted))


def as_json(pages: list[Page]) -> str:
    """`{path: {"title", "authors", "date", "articleBody"}}`, articleBody as plain text."""
    return json.dumps(
        {
            page.name: {
                "title": page.extracted.title,
                "authors": list(page.extracted.authors),
                "date": page.extracted.published.isoformat() if page.extracted.published else None,
                "articleBody": page.extracted.body_text,
            }
            for page in pages
        },
        ensure_ascii=False,
        indent=1,
    )


def run(paths: str, base_url: str | None, json_output: bool, section: str) -> str:
    """The command's output; raises ExtractCommandError for a page it cannot read."""
    names = split_paths(paths)
    if not names:
        raise ExtractCommandError("name at least one page: a .html or .html.gz file or an http(s) URL")
    if len(names) > 1 and not json_output:
        raise ExtractCommandError(f"{len(names)} pages given: add --json to extract several at once")
    with Fetcher(FetchPolicy()) as fetcher:
        pages = [read_page(name, base_url, fetcher) for name in names]
    if json_output:
        return as_json(pages)
    return as_markdown(pages[0], section, dt.datetime.now(dt.UTC).replace(second=0, microsecond=0))
