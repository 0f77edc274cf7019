"""The local side: check that output/ is a finished production build, and describe every file in it.

Each file gets its SHA-256, its Content-Type, its Cache-Control (a year and immutable when its name carries
its own content hash, e.g. `site.3f2a9c01d4.css`; otherwise the first matching PUBLISH_CACHE_RULES glob) and
the encodings it is precompressed in on targets that serve them.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import mimetypes
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from publish.compress import suffix
from publish.config import MANIFEST_NAME, HeaderRules
from publish.errors import BuildCheckError

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
_TEXT_TYPES = {
    "application/json",
    "application/manifest+json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
}
_MIN_HASH = 8  # hex digits a name part needs to count as a content hash


@dataclasses.dataclass(frozen=True)
class LocalFile:
    path: str  # relative to the site root, with "/": "2026/10/14/slug/index.html"
    sha256: str
    size: int
    content_type: str  # "" on targets that set no headers
    cache_control: str  # "" on targets that set no headers
    encodings: tuple[str, ...]  # precompressed encodings this file gets on the target
    source: Path | None = None  # the file in output/, or
    data: bytes | None = None  # content the target adds itself (a git branch's CNAME)

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.source is not None
        return self.source.read_bytes()

    @property
    def is_html(self) -> bool:
        return self.path.endswith((".html", ".htm"))


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """What a target can do with a file beyond storing its bytes."""

    headers: bool  # sets Content-Type and Cache-Control per file
    encodings: tuple[str, ...]  # precompresses text files in these encodings


def content_type(path: str) -> str:
    """The Content-Type to serve `path` with; text types carry `; charset=utf-8`."""
    name = path.lower()
    if name.endswith(".atom.xml"):
        kind = "application/atom+xml"
    else:
        kind = _TYPES.get(PurePosixPath(name).suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if is_text(kind) else kind


def is_text(kind: str) -> bool:
    """Text formats: served with a charset and worth precompressing."""
    base = kind.split(";", 1)[0].strip()
    return base.startswith("text/") or base in _TEXT_TYPES or base.endswith(("+json", "+xml"))


def is_content_hashed(path: str, sha256: str) -> bool:
    """True when a part of the file name before its extension is a prefix (8+ hex digits) of the file's own
    SHA-256: `site.3f2a9c01d4.css`, or a name that is only its hash (`3f2a9c01d4ab.json`, news_search's shards)."""
    parts = PurePosixPath(path).name.split(".")
    return any(
        len(part) >= _MIN_HASH and sha256.startswith(part.lower()) and all(c in "0123456789abcdef" for c in part)
        for part in parts[:-1] or parts
    )


def cache_control(path: str, sha256: str, rules: HeaderRules) -> str:
    if is_content_hashed(path, sha256):
        return rules.hashed
    name = PurePosixPath(path).name
    for pattern, value in rules.rules:
        if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(name, pattern):
            return value
    return ""


def describe(
    path: str,
    data: bytes,
    rules: HeaderRules,
    capabilities: Capabilities,
    *,
    source: Path | None = None,
    inline: bool = False,
) -> LocalFile:
    """One file as the target will hold it."""
    digest = hashlib.sha256(data).hexdigest()
    kind = content_type(path)
    compressible = is_text(kind) and len(data) >= rules.compress_min_bytes
    return LocalFile(
        path=path,
        sha256=digest,
        size=len(data),
        content_type=kind if capabilities.headers else "",
        cache_control=cache_control(path, digest, rules) if capabilities.headers else "",
        encodings=capabilities.encodings if compressible else (),
        source=source,
        data=data if inline else None,
    )


def scan_site(
    site: Path, rules: HeaderRules, capabilities: Capabilities, extra: Mapping[str, bytes] | None = None
) -> dict[str, LocalFile]:
    """Every file of the built site (plus `extra` files a target adds), by site path, sorted."""
    files: dict[str, LocalFile] = {}
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        path = file.relative_to(site).as_posix()
        if path == MANIFEST_NAME:
            continue
        files[path] = describe(path, file.read_bytes(), rules, capabilities, source=file)
    for path, data in sorted((extra or {}).items()):
        files[path] = describe(path, data, rules, capabilities, inline=True)
    # A site that ships its own `x.json.gz` keeps it: `x.json` then gets no generated .gz sibling over it.
    for path, described in files.items():
        kept = tuple(e for e in described.encodings if path + suffix(e) not in files)
        if kept != described.encodings:
            files[path] = dataclasses.replace(described, encodings=kept)
    return files


class _AssetLinks(HTMLParser):
    """The href/src values of <link rel=stylesheet> and <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.links.append(str(values["src"]))
        elif tag == "link" and "stylesheet" in (values.get("rel") or "").split() and values.get("href"):
            self.links.append(str(values["href"]))


def check_build(site: Path, static_dir: str, require_hashed: bool) -> None:
    """Stop before touching a target unless `site` is a built site whose theme CSS/JS names are content-hashed."""
    index = site / "index.html"
    if not index.is_file():
        raise BuildCheckError(
            f"{site}: no index.html, so there is no built site to publish; run `invoke build --production` first"
        )
    if not require_hashed:
        return
    parser = _AssetLinks()
    parser.feed(index.read_text(encoding="utf-8", errors="replace"))
    prefix = f"/{static_dir}/"
    theme_links = [urlsplit(link).path for link in parser.links if not urlsplit(link).netloc]
    theme_links = [link for link in theme_links if link.startswith(prefix)]
    for link in theme_links:
        file = site / link.lstrip("/")
        if not file.is_file():
            raise BuildCheckError(
                f"{index}: links {link}, which is not in {site}; rebuild with `invoke build --production`"
            )
        if not is_content_hashed(link, hashlib.sha256(file.read_bytes()).hexdigest()):
            raise BuildCheckError(
                f"{index}: links {link}, a name without its content hash, so it cannot be cached for long; "
                "build with publishconf.py (`invoke build --production`, which sets ASSETS_HASH = True)"
            )
