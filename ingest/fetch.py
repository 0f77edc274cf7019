"""Fetch stage of the ingest pipeline: polite, bounded, retried HTTP GETs, and local files.

`Fetcher.fetch(url)` returns the raw bytes of one feed or page, or raises `FetchError` with a one-line
reason. Over HTTP(S) it

- sends an honest User-Agent and waits `host_delay` seconds between two requests to the same host
  (redirect hops included);
- makes conditional GETs from the ETag / Last-Modified it remembers in `state` (a 304 has an empty body);
- retries 429, 500, 502, 503, 504, timeouts, resets and truncated bodies with a doubling backoff, or
  the server's Retry-After (seconds form, capped at 30 s);
- streams the body and stops as soon as it exceeds `max_bytes`.

A plain path or a file:// URL reads a local file. The body is never decoded: the Content-Type header is
passed on as sent, for the parser to read its charset.
"""

from __future__ import annotations

import dataclasses
import http
import logging
import math
import os
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

logger = logging.getLogger(__name__)

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, application/xhtml+xml;q=0.8, */*;q=0.5"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_CAP = 30.0  # seconds: a longer Retry-After would stall the whole ingest run
DISALLOW_ALL = ["User-agent: *", "Disallow: /"]  # the rules assumed when robots.txt cannot be read
MAX_CRAWL_DELAY = 60.0  # seconds: the most a robots.txt Crawl-delay can slow a host down


@dataclasses.dataclass(frozen=True)
class FetchPolicy:
    user_agent: str = "OpenNewsArchive-ingest/1.0 (+https://news.example.org/about/)"
    timeout: float = 10.0  # seconds, connect and read
    retries: int = 3  # extra attempts after the first, on transient failures
    backoff: float = 0.5  # seconds before the first retry, doubled each retry
    max_bytes: int = 10_000_000  # a larger body is an error
    max_redirects: int = 5
    host_delay: float = 1.0  # minimum seconds between two requests to the same host

    def __post_init__(self) -> None:
        checks = [
            ("user_agent", bool(self.user_agent.strip()), "a non-empty product/version string"),
            ("timeout", self.timeout > 0, "a number of seconds > 0"),
            ("retries", self.retries >= 0, "an integer >= 0"),
            ("backoff", self.backoff >= 0, "a number of seconds >= 0"),
            ("max_bytes", self.max_bytes > 0, "an integer > 0"),
            ("max_redirects", self.max_redirects >= 0, "an integer >= 0"),
            ("host_delay", self.host_delay >= 0, "a number of seconds >= 0"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise FetchPolicyError(f"FetchPolicy.{name} is {getattr(self, name)!r}; expected {expected}")


@dataclasses.dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects (for a local file: its absolute path as a file:// URL)
    status: int  # 200, or 304 (not modified: body is b"")
    body: bytes
    content_type: str | None  # the Content-Type header as sent (the feed parser reads its charset)
    etag: str | None
    last_modified: str | None


def _decoded(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The body, decompressed a bounded piece at a time (a gzip bomb never expands past `limit` + 64 kB).

    httpx would decode a whole network chunk at once: 64 kB of gzipped zeros is 64 MB.
    """
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        yield from response.iter_bytes()  # identity (or an encoding httpx knows and we never asked for)
        return
    # gzip: a header (wbits 16+); deflate: zlib-wrapped, which some servers send raw (tried on the first error)
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
    piece = min(limit + 1, 65536)
    first = True
    for data in response.iter_raw():
        if first and encoding == "deflate":
            try:
                zlib.decompressobj().decompress(data[:64], 1)
            except zlib.error:
                decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            first = False
        try:
            while data:
                out = decoder.decompress(data, piece)
                data = decoder.unconsumed_tail
                if out:
                    yield out
        except zlib.error as error:
            raise httpx.DecodingError(f"bad {encoding} body ({error})") from None
    try:
        tail = decoder.flush()
    except zlib.error as error:
        raise httpx.DecodingError(f"bad {encoding} body ({error})") from None
    if tail:
        yield tail


class FetchPolicyError(ValueError):
    """A FetchPolicy field has an impossible value."""


class FetchError(Exception):
    """One line: why `url` could not be fetched."""

    def __init__(self, url: str, reason: str):
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"


class HTTPStatusError(FetchError):
    """The server answered with an error status (`status`), after any retries."""

    def __init__(self, url: str, status: int, reason: str):
        super().__init__(url, reason)
        self.args = (url, status, reason)
        self.status = status


class _TransientError(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Fetcher:
    """Fetches URLs and local files under one `FetchPolicy`; keeps the conditional-GET memory in `state`."""

    def __init__(
        self,
        policy: FetchPolicy,
        state: dict[str, dict[str, str]] | None = None,
        *,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.policy = policy
        self.state: dict[str, dict[str, str]] = state if state is not None else {}
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}  # host -> clock() when the last request to it was sent
        self.host_delays: dict[str, float] = {}  # host -> its own delay (a source's `delay`), else policy.host_delay
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}  # scheme://host:port -> rules
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(policy.timeout),
            follow_redirects=True,
            max_redirects=policy.max_redirects,
            event_hooks={"request": [self._wait_for_host]},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, conditional: bool = True) -> Fetched:
        """GET an http(s) URL (conditionally: validators from and into `state`), or read a path or file:// URL."""
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("http", "https"):
            return self._fetch_http(url, conditional=conditional, remember=conditional)
        if scheme in ("", "file"):
            return self._read_file(url)
        raise FetchError(url, f"unsupported URL scheme {scheme!r}; use http://, https://, file:// or a local path")

    def allowed_by_robots(self, url: str) -> bool:
        """Whether the host's robots.txt lets our user agent fetch `url` (fetched once per host)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            return True  # local files have no robots.txt
        origin = f"{scheme}://{parts.netloc.lower()}"
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._robots[origin] = self._load_robots(origin)
            self._honour_crawl_delay(parts.hostname or "", rules)
        return rules.can_fetch(self.policy.user_agent, url)

    def _honour_crawl_delay(self, host: str, rules: urllib.robotparser.RobotFileParser) -> None:
        """A `Crawl-delay` for us (or for *) slows this host down further, never speeds it up.

        It is capped at MAX_CRAWL_DELAY: an hour between two pages would stall a whole run.
        """
        asked = rules.crawl_delay(self.policy.user_agent)
        if asked is None:
            return
        delay = min(float(asked), MAX_CRAWL_DELAY)
        if delay < float(asked):
            logger.info("%s asks for Crawl-delay %s s; using %s s", host, asked, delay)
        self.host_delays[host] = max(self.host_delays.get(host, self.policy.host_delay), delay)

    # -- HTTP ------------------------------------------------------------------------------------------

    def _fetch_http(self, url: str, *, conditional: bool, remember: bool) -> Fetched:
        headers = {}
        if conditional:
            known = self.state.get(url, {})
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]

        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                fetched = self._attempt(url, headers)
            except _TransientError as exc:
                reason = exc.reason
                if attempt == attempts:
                    break
                delay = exc.retry_after if exc.retry_after is not None else self.policy.backoff * 2 ** (attempt - 1)
                logger.debug("%s: %s; retry %d of %d in %.2f s", url, reason, attempt, self.policy.retries, delay)
                if delay > 0:
                    self._sleep(delay)
                continue
            if remember and fetched.status != 304:
                self._remember(url, fetched)
            return fetched
        raise FetchError(url, f"{reason} after {attempts} attempt{'s' if attempts > 1 else ''}")

    def _attempt(self, url: str, headers: dict[str, str]) -> Fetched:
        """One GET (redirects followed); raises `_TransientError` when another attempt may succeed."""
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                return self._read_response(url, response)
        except httpx.TooManyRedirects:
            raise FetchError(url, f"too many redirects (more than {self.policy.max_redirects})") from None
        except httpx.TimeoutException as exc:
            kind = {
                httpx.ConnectTimeout: "connect",
                httpx.ReadTimeout: "read",
                httpx.WriteTimeout: "write",
                httpx.PoolTimeout: "connection pool",
            }.get(type(exc), "network")
            raise _TransientError(f"{kind} timeout ({self.policy.timeout:g} s)") from None
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise FetchError(url, f"cannot request: {_describe(exc)}") from None
        except httpx.RemoteProtocolError as exc:  # reset before a response, or a truncated body
            raise _TransientError(f"server broke the connection: {_describe(exc)}") from None
        except httpx.ConnectError as exc:
            raise _TransientError(f"cannot connect: {_describe(exc)}") from None
        except httpx.TransportError as exc:
            raise _TransientError(f"network error: {_describe(exc)}") from None
        except httpx.DecodingError as exc:
            raise FetchError(url, f"cannot decode the compressed body: {_describe(exc)}") from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {_describe(exc)}") from None

    def _read_response(self, url: str, response: httpx.Response) -> Fetched:
        status = response.status_code
        final_url = str(response.url)
        content_type = response.headers.get("Content-Type")
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if status == 304:
            known = self.state.get(url, {})
            return Fetched(
                final_url,
                304,
                b"",
                content_type,
                etag or known.get("etag"),
                last_modified or known.get("last_modified"),
            )
        if status in RETRY_STATUSES:
            raise _TransientError(_status_line(response), _retry_after(response))
        if not 200 <= status < 300:
            raise HTTPStatusError(url, status, _status_line(response))

        limit = self.policy.max_bytes
        declared = _content_length(response)
        if declared is not None and declared > limit:
            raise FetchError(url, f"body larger than {limit:,} bytes (Content-Length: {declared:,})")
        chunks = []
        size = 0
        for chunk in _decoded(response, limit):
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"body larger than {limit:,} bytes")
            chunks.append(chunk)
        return Fetched(final_url, status, b"".join(chunks), content_type, etag, last_modified)

    def _remember(self, url: str, fetched: Fetched) -> None:
        validators = {}
        if fetched.etag:
            validators["etag"] = fetched.etag
        if fetched.last_modified:
            validators["last_modified"] = fetched.last_modified
        if validators:
            self.state[url] = validators
        else:
            self.state.pop(url, None)  # the server stopped sending validators: stale ones would mislead

    def _wait_for_host(self, request: httpx.Request) -> None:
        """httpx request hook (runs before every request, redirect hops included): keep `host_delay`."""
        host = request.url.host
        now = self._clock()
        last = self._last_request.get(host)
        if last is not None:
            wait = self.host_delays.get(host, self.policy.host_delay) - (now - last)
            if wait > 0:
                self._sleep(wait)
                now = self._clock()
        self._last_request[host] = now

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        robots_url = f"{origin}/robots.txt"
        rules = urllib.robotparser.RobotFileParser(robots_url)
        try:
            fetched = self._fetch_http(robots_url, conditional=False, remember=False)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500:
                rules.parse([])  # no robots.txt (or not for us to read): no restrictions
            else:
                logger.info("%s; treating every path on %s as disallowed", exc, origin)
                rules.parse(DISALLOW_ALL)
        except FetchError as exc:
            logger.info("%s; treating every path on %s as disallowed", exc, origin)
            rules.parse(DISALLOW_ALL)
        else:
            rules.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        return rules

    # -- local files -----------------------------------------------------------------------------------

    def _read_file(self, url: str) -> Fetched:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            if parts.netloc not in ("", "localhost"):
                raise FetchError(url, f"file URL names the host {parts.netloc!r}; only local files can be read")
            path = Path(url2pathname(parts.path))
        else:
            path = Path(url)
        path = path.resolve()
        limit = self.policy.max_bytes
        try:
            with path.open("rb") as file:
                if os.fstat(file.fileno()).st_size > limit:
                    raise FetchError(url, f"body larger than {limit:,} bytes")
                body = file.read(limit + 1)
        except FileNotFoundError:
            raise FetchError(url, f"no such file: {path}") from None
        except IsADirectoryError:
            raise FetchError(url, f"{path} is a directory, not a file") from None
        except PermissionError:
            raise FetchError(url, f"permission denied reading {path}") from None
        except OSError as exc:
            raise FetchError(url, f"cannot read {path}: {exc.strerror or exc}") from None
        if len(body) > limit:  # the file grew while we read it
            raise FetchError(url, f"body larger than {limit:,} bytes")
        return Fetched(path.as_uri(), 200, body, None, None, None)


def _describe(exc: Exception) -> str:
    return str(exc).rstrip(".") or type(exc).__name__  # httpx ends its messages with a full stop


def _status_line(response: httpx.Response) -> str:
    phrase = response.reason_phrase
    if not phrase:
        try:
            phrase = http.HTTPStatus(response.status_code).phrase
        except ValueError:
            phrase = ""
    return f"HTTP {response.status_code} {phrase}".rstrip()


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in its seconds form, capped; None when absent or an HTTP date."""
    try:
        seconds = float(response.headers.get("Retry-After", "").strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, RETRY_AFTER_CAP)


def _content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None
