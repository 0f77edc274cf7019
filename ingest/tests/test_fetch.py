"""ingest/fetch.py against a real HTTP server on 127.0.0.1 (no mocks of httpx).

Each test installs routes on a fresh fixture server; a route is `handler(request, n)` where `n` counts the
requests to that path so far (1 for the first). Time is faked (`FakeTime`) wherever the test asserts sleeps.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ingest.fetch import Fetcher, FetchError, FetchPolicy, FetchPolicyError, HTTPStatusError

Route = Callable[[BaseHTTPRequestHandler, int], None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        fixture = self.server.fixture
        path = self.path.split("?", 1)[0]
        with fixture.lock:
            fixture.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
            n = fixture.count(path)
        route = fixture.routes.get(path)
        try:
            if route is None:
                reply(self, 404)
            else:
                route(self, n)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on us: expected in the too-large and timeout scenarios

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    fixture: FixtureServer


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.bytes_sent = 0
        self.lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fixture = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def count(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def headers(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


def reply(h: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    headers = headers or {}
    for name, value in headers.items():
        h.send_header(name, value)
    if "Content-Length" not in headers:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


class FakeTime:
    """An injected clock that only moves when slept on (or when a test moves it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    fixture = FixtureServer()
    fixture._thread.start()
    yield fixture
    fixture._httpd.shutdown()
    fixture._httpd.server_close()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def policy(**overrides: object) -> FetchPolicy:
    """Fast test defaults: tiny backoff, no politeness delay, short timeout."""
    settings: dict[str, object] = {"backoff": 0.01, "host_delay": 0.0, "timeout": 2.0, **overrides}
    return FetchPolicy(**settings)  # type: ignore[arg-type]


def fetcher(fake_time: FakeTime, state: dict[str, dict[str, str]] | None = None, **overrides: object) -> Fetcher:
    return Fetcher(policy(**overrides), state, sleep=fake_time.sleep, clock=fake_time.clock)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


# -- conditional GET ---------------------------------------------------------------------------------------


def test_200_with_validators_then_conditional_get_gets_304(server: FixtureServer, fake_time: FakeTime) -> None:
    def feed(h: BaseHTTPRequestHandler, n: int) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, headers={"ETag": '"v1"'})
        else:
            validators = {"ETag": '"v1"', "Last-Modified": "Mon, 23 Feb 2026 14:05:00 GMT"}
            reply(h, 200, b"<rss/>", {"Content-Type": "application/rss+xml", **validators})

    server.routes["/feed.xml"] = feed
    url = server.url("/feed.xml")
    state: dict[str, dict[str, str]] = {}
    with fetcher(fake_time, state) as f:
        first = f.fetch(url)
        assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"v1"')
        assert first.url == url
        assert state == {url: {"etag": '"v1"', "last_modified": "Mon, 23 Feb 2026 14:05:00 GMT"}}

        second = f.fetch(url)
        assert (second.status, second.body, second.etag) == (304, b"", '"v1"')

        unconditional = f.fetch(url, conditional=False)
        assert unconditional.status == 200
        page = server.url("/page.html")
        server.routes["/page.html"] = feed
        f.fetch(page, conditional=False)  # an article page: fetched whole, its validators not kept
        assert list(state) == [url]

    sent = server.headers("/feed.xml")
    assert "if-none-match" not in sent[0]
    assert sent[1]["if-none-match"] == '"v1"'
    assert sent[1]["if-modified-since"] == "Mon, 23 Feb 2026 14:05:00 GMT"
    assert "if-none-match" not in sent[2]
    assert sent[0]["user-agent"].startswith("OpenNewsArchive-ingest/1.0")
    assert "application/rss+xml" in sent[0]["accept"]
    assert "text/html" in sent[0]["accept"]


def test_200_without_validators_forgets_stale_ones(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/feed.xml"] = lambda h, n: reply(h, 200, b"x")
    url = server.url("/feed.xml")
    state = {url: {"etag": '"old"'}, "http://other.example/": {"etag": '"keep"'}}
    with fetcher(fake_time, state) as f:
        assert f.fetch(url).status == 200  # the server ignored our If-None-Match
    assert state == {"http://other.example/": {"etag": '"keep"'}}


# -- retries -----------------------------------------------------------------------------------------------


def test_500_then_503_then_success_is_retried_with_doubling_backoff(server: FixtureServer, fake_time: FakeTime) -> None:
    statuses = {1: 500, 2: 503}
    server.routes["/feed.xml"] = lambda h, n: reply(h, statuses.get(n, 200), b"ok")
    with fetcher(fake_time) as f:
        fetched = f.fetch(server.url("/feed.xml"))
    assert (fetched.status, fetched.body) == (200, b"ok")
    assert server.count("/feed.xml") == 3
    assert fake_time.sleeps == [0.01, 0.02]


def test_503_forever_fails_after_retries_plus_one_attempts(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/feed.xml"] = lambda h, n: reply(h, 503)
    url = server.url("/feed.xml")
    with fetcher(fake_time, retries=3) as f, pytest.raises(FetchError) as caught:
        f.fetch(url)
    assert str(caught.value) == f"{url}: HTTP 503 Service Unavailable after 4 attempts"
    assert server.count("/feed.xml") == 4
    assert fake_time.sleeps == [0.01, 0.02, 0.04]


@pytest.mark.parametrize("how", ["close", "reset"])
def test_connection_dropped_without_response_then_success(server: FixtureServer, fake_time: FakeTime, how: str) -> None:
    def feed(h: BaseHTTPRequestHandler, n: int) -> None:
        if n > 1:
            reply(h, 200, b"ok")
            return
        h.close_connection = True
        if how == "reset":  # SO_LINGER 0: close() sends RST instead of FIN
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()

    server.routes["/feed.xml"] = feed
    with fetcher(fake_time) as f:
        assert f.fetch(server.url("/feed.xml")).body == b"ok"
    assert server.count("/feed.xml") == 2


def test_read_timeout_is_retried_then_fails_naming_timeout(server: FixtureServer, fake_time: FakeTime) -> None:
    def slow(h: BaseHTTPRequestHandler, n: int) -> None:
        time.sleep(1.0)
        reply(h, 200, b"too late")

    server.routes["/slow.xml"] = slow
    started = time.monotonic()
    with fetcher(fake_time, timeout=0.3, retries=1) as f, pytest.raises(FetchError) as caught:
        f.fetch(server.url("/slow.xml"))
    assert "read timeout" in str(caught.value)
    assert str(caught.value).endswith("after 2 attempts")
    assert server.count("/slow.xml") == 2
    assert time.monotonic() - started < 2.0


def test_truncated_body_is_retried_then_fails(server: FixtureServer, fake_time: FakeTime) -> None:
    def truncated(h: BaseHTTPRequestHandler, n: int) -> None:
        reply(h, 200, b"0123456789", {"Content-Length": "1000"})
        h.close_connection = True

    server.routes["/feed.xml"] = truncated
    with fetcher(fake_time, retries=2) as f, pytest.raises(FetchError) as caught:
        f.fetch(server.url("/feed.xml"))
    assert "server broke the connection" in str(caught.value)
    assert str(caught.value).endswith("after 3 attempts")
    assert server.count("/feed.xml") == 3


def test_connection_refused_fails_after_retries(fake_time: FakeTime) -> None:
    with fetcher(fake_time, retries=1) as f, pytest.raises(FetchError) as caught:
        f.fetch(closed_port_url())
    assert "cannot connect" in str(caught.value)
    assert str(caught.value).endswith("after 2 attempts")


@pytest.mark.parametrize(
    ("retry_after", "expected_sleep"),
    [("2", 2.0), ("3600", 30.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.01)],
    ids=["seconds", "capped", "date-form-ignored"],
)
def test_retry_after_is_honoured(
    server: FixtureServer, fake_time: FakeTime, retry_after: str, expected_sleep: float
) -> None:
    def limited(h: BaseHTTPRequestHandler, n: int) -> None:
        if n == 1:
            reply(h, 429, headers={"Retry-After": retry_after})
        else:
            reply(h, 200, b"ok")

    server.routes["/feed.xml"] = limited
    with fetcher(fake_time) as f:
        assert f.fetch(server.url("/feed.xml")).body == b"ok"
    assert fake_time.sleeps == [expected_sleep]


@pytest.mark.parametrize(("status", "phrase"), [(404, "Not Found"), (403, "Forbidden"), (501, "Not Implemented")])
def test_client_error_fails_at_once(server: FixtureServer, fake_time: FakeTime, status: int, phrase: str) -> None:
    server.routes["/gone.xml"] = lambda h, n: reply(h, status)
    url = server.url("/gone.xml")
    state: dict[str, dict[str, str]] = {}
    with fetcher(fake_time, state) as f, pytest.raises(HTTPStatusError) as caught:
        f.fetch(url)
    assert str(caught.value) == f"{url}: HTTP {status} {phrase}"
    assert caught.value.status == status
    assert server.count("/gone.xml") == 1
    assert fake_time.sleeps == []
    assert state == {}


# -- redirects ---------------------------------------------------------------------------------------------


def test_redirect_loop_fails_with_too_many_redirects(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/loop"] = lambda h, n: reply(h, 302, headers={"Location": "/loop"})
    with fetcher(fake_time, max_redirects=5) as f, pytest.raises(FetchError) as caught:
        f.fetch(server.url("/loop"))
    assert "too many redirects" in str(caught.value)
    assert server.count("/loop") == 6  # the first request and 5 redirects, then no retry


def test_redirect_chain_reports_final_url_and_is_polite_per_hop(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/r1"] = lambda h, n: reply(h, 301, headers={"Location": "/r2"})
    server.routes["/r2"] = lambda h, n: reply(h, 302, headers={"Location": server.url("/final.xml")})
    server.routes["/final.xml"] = lambda h, n: reply(h, 200, b"<feed/>")
    with fetcher(fake_time, host_delay=1.0) as f:
        fetched = f.fetch(server.url("/r1"))
    assert fetched.url == server.url("/final.xml")
    assert fetched.body == b"<feed/>"
    assert fake_time.sleeps == [1.0, 1.0]  # the fake clock stands still, so each hop waits the full delay


# -- body size, encoding -----------------------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


def _stream_50_mb(h: BaseHTTPRequestHandler, declare_length: bool) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/rss+xml")
    if declare_length:
        h.send_header("Content-Length", str(FIFTY_MB))
    h.end_headers()
    chunk = b"x" * 65536
    fixture = h.server.fixture  # type: ignore[attr-defined]
    for _ in range(FIFTY_MB // len(chunk)):
        h.wfile.write(chunk)
        fixture.bytes_sent += len(chunk)


@pytest.mark.parametrize("declare_length", [False, True], ids=["streamed", "content-length"])
def test_50_mb_body_fails_fast_without_loading_it(
    server: FixtureServer, fake_time: FakeTime, declare_length: bool
) -> None:
    server.routes["/huge.xml"] = lambda h, n: _stream_50_mb(h, declare_length)
    started = time.monotonic()
    tracemalloc.start()
    try:
        with fetcher(fake_time, max_bytes=10_000_000) as f, pytest.raises(FetchError) as caught:
            f.fetch(server.url("/huge.xml"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "body larger than 10,000,000 bytes" in str(caught.value)
    if declare_length:
        assert "Content-Length: 52,428,800" in str(caught.value)
    assert time.monotonic() - started < 5
    assert peak < 30_000_000
    assert server.count("/huge.xml") == 1  # not retried
    assert server.bytes_sent < FIFTY_MB


def test_body_within_max_bytes_is_returned(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/feed.xml"] = lambda h, n: reply(h, 200, b"y" * 1000)
    with fetcher(fake_time, max_bytes=1000) as f:
        assert len(f.fetch(server.url("/feed.xml")).body) == 1000


def test_gzip_body_is_decoded(server: FixtureServer, fake_time: FakeTime) -> None:
    body = b"<rss><channel><title>News</title></channel></rss>" * 100
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml; charset=utf-8"}
    server.routes["/feed.xml"] = lambda h, n: reply(h, 200, gzip.compress(body), headers)
    with fetcher(fake_time) as f:
        fetched = f.fetch(server.url("/feed.xml"))
    assert fetched.body == body
    assert server.headers("/feed.xml")[0]["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("wrap", ["zlib", "raw"])
def test_deflate_body_is_decoded_zlib_wrapped_or_raw(server: FixtureServer, fake_time: FakeTime, wrap: str) -> None:
    body = b"<rss><channel><title>Deflated</title></channel></rss>" * 50
    if wrap == "zlib":
        encoded = zlib.compress(body)
    else:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        encoded = packer.compress(body) + packer.flush()
    server.routes["/feed.xml"] = lambda h, n: reply(h, 200, encoded, {"Content-Encoding": "deflate"})
    with fetcher(fake_time) as f:
        assert f.fetch(server.url("/feed.xml")).body == body


def test_corrupt_gzip_fails_with_a_reason(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/feed.xml"] = lambda h, n: reply(
        h, 200, b"\x1f\x8b\x08\x00garbage-here", {"Content-Encoding": "gzip"}
    )
    with fetcher(fake_time, retries=0) as f, pytest.raises(FetchError) as caught:
        f.fetch(server.url("/feed.xml"))
    assert "gzip" in str(caught.value)


def test_gzip_bomb_is_stopped_at_max_bytes_of_decoded_body(server: FixtureServer, fake_time: FakeTime) -> None:
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)  # about 200 kB on the wire, 200 MB decoded
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
    server.routes["/feed.xml"] = lambda h, n: reply(h, 200, bomb, headers)
    tracemalloc.start()
    try:
        with fetcher(fake_time, max_bytes=10_000_000) as f, pytest.raises(FetchError) as caught:
            f.fetch(server.url("/feed.xml"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "body larger than 10,000,000 bytes" in str(caught.value)
    assert peak < 40_000_000  # decoded 64 kB at a time, never the whole 200 MB (nor one network chunk's worth)
    assert server.count("/feed.xml") == 1


@pytest.mark.parametrize(
    "content_type",
    ["text/xml; charset=utf-8", "application/rss+xml", None],
    ids=["wrong-charset", "no-charset", "no-content-type"],
)
def test_body_bytes_are_returned_untouched(
    server: FixtureServer, fake_time: FakeTime, content_type: str | None
) -> None:
    body = b"<?xml version='1.0' encoding='windows-1252'?><title>Caf\xe9 \x93news\x94</title>"
    headers = {"Content-Type": content_type} if content_type else {}
    server.routes["/feed.xml"] = lambda h, n: reply(h, 200, body, headers)
    with fetcher(fake_time) as f:
        fetched = f.fetch(server.url("/feed.xml"))
    assert fetched.body == body
    assert fetched.content_type == content_type


# -- politeness --------------------------------------------------------------------------------------------


def test_host_delay_sleeps_the_remaining_time(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/a.xml"] = lambda h, n: reply(h, 200, b"a")
    server.routes["/b.xml"] = lambda h, n: reply(h, 200, b"b")
    with fetcher(fake_time, host_delay=1.0) as f:
        f.fetch(server.url("/a.xml"))
        assert fake_time.sleeps == []
        fake_time.now += 0.25
        f.fetch(server.url("/b.xml"))
        assert fake_time.sleeps == [pytest.approx(0.75)]
        fake_time.now += 5.0
        f.fetch(server.url("/a.xml"))
        assert fake_time.sleeps == [pytest.approx(0.75)]  # long enough ago: no wait


def test_a_host_can_have_its_own_delay(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/a.xml"] = lambda h, n: reply(h, 200, b"a")
    with fetcher(fake_time, host_delay=1.0) as f:
        f.host_delays["127.0.0.1"] = 3.0  # a source's `delay` in sources.toml
        f.fetch(server.url("/a.xml"))
        fake_time.now += 1.0
        f.fetch(server.url("/a.xml"))
        assert fake_time.sleeps == [pytest.approx(2.0)]


ROBOTS = b"""\
User-agent: *
Disallow: /private/

User-agent: OpenNewsArchive-ingest
Disallow: /no-archivers/
"""


def test_robots_disallow_and_fetched_once_per_host(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/robots.txt"] = lambda h, n: reply(h, 200, ROBOTS, {"Content-Type": "text/plain"})
    state: dict[str, dict[str, str]] = {}
    with fetcher(fake_time, state) as f:
        assert f.allowed_by_robots(server.url("/news/feed.xml")) is True
        assert f.allowed_by_robots(server.url("/no-archivers/feed.xml")) is False  # our own group applies
        assert f.allowed_by_robots(server.url("/private/feed.xml")) is True  # the * group does not, then
        assert f.allowed_by_robots(server.url("/")) is True
    assert server.count("/robots.txt") == 1
    assert server.headers("/robots.txt")[0]["user-agent"].startswith("OpenNewsArchive-ingest/")
    assert state == {}  # robots.txt is not part of the conditional-GET memory


def test_robots_wildcard_group_applies_when_no_group_names_us(server: FixtureServer, fake_time: FakeTime) -> None:
    server.routes["/robots.txt"] = lambda h, n: reply(h, 200, b"User-agent: *\nDisallow: /private/\n")
    with fetcher(fake_time) as f:
        assert f.allowed_by_robots(server.url("/private/feed.xml")) is False
        assert f.allowed_by_robots(server.url("/public/feed.xml")) is True
    assert server.count("/robots.txt") == 1


@pytest.mark.parametrize(("asked", "used"), [("5", 5.0), ("0.5", 1.0), ("7200", 60.0)])
def test_robots_crawl_delay_slows_the_host(server: FixtureServer, fake_time: FakeTime, asked: str, used: float) -> None:
    server.routes["/robots.txt"] = lambda h, n: reply(h, 200, f"User-agent: *\nCrawl-delay: {asked}\n".encode())
    server.routes["/a.html"] = lambda h, n: reply(h, 200, b"a")
    with fetcher(fake_time, host_delay=1.0) as f:
        assert f.allowed_by_robots(server.url("/a.html")) is True
        f.fetch(server.url("/a.html"))
        f.fetch(server.url("/a.html"))
    # Never faster than our own delay, never more than a minute (Python's robots parser reads whole seconds).
    assert fake_time.sleeps[-1] == pytest.approx(used)


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (403, True), (500, False), (503, False)])
def test_robots_error_status(server: FixtureServer, fake_time: FakeTime, status: int, allowed: bool) -> None:
    server.routes["/robots.txt"] = lambda h, n: reply(h, status)
    with fetcher(fake_time, retries=1) as f:
        assert f.allowed_by_robots(server.url("/feed.xml")) is allowed
        assert f.allowed_by_robots(server.url("/other.xml")) is allowed
    assert server.count("/robots.txt") == (1 if status < 500 else 2)


def test_robots_unreachable_host_disallows(fake_time: FakeTime) -> None:
    with fetcher(fake_time, retries=0) as f:
        assert f.allowed_by_robots(closed_port_url()) is False


# -- local files and schemes -------------------------------------------------------------------------------


def test_local_file_by_path_and_by_file_url(tmp_path, monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss>\xe9</rss>")
    monkeypatch.chdir(tmp_path)
    with fetcher(fake_time) as f:
        for source in (str(feed), feed.as_uri(), "feed.xml"):
            fetched = f.fetch(source)
            assert (fetched.status, fetched.body, fetched.url) == (200, b"<rss>\xe9</rss>", feed.resolve().as_uri())
            assert (fetched.content_type, fetched.etag, fetched.last_modified) == (None, None, None)


def test_local_file_errors(tmp_path, fake_time: FakeTime) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"z" * 101)
    with fetcher(fake_time, max_bytes=100) as f:
        with pytest.raises(FetchError, match=r"no such file: .*missing\.xml"):
            f.fetch(str(tmp_path / "missing.xml"))
        with pytest.raises(FetchError, match="no such file"):
            f.fetch((tmp_path / "missing.xml").as_uri())
        with pytest.raises(FetchError, match="body larger than 100 bytes"):
            f.fetch(str(big))
        with pytest.raises(FetchError, match="is a directory"):
            f.fetch(str(tmp_path))


def test_unsupported_scheme(fake_time: FakeTime) -> None:
    with fetcher(fake_time) as f, pytest.raises(FetchError) as caught:
        f.fetch("ftp://example.org/feed.xml")
    assert str(caught.value).startswith("ftp://example.org/feed.xml: unsupported URL scheme 'ftp'")


def test_policy_rejects_impossible_values() -> None:
    with pytest.raises(FetchPolicyError, match=r"FetchPolicy.retries is -1; expected an integer >= 0"):
        FetchPolicy(retries=-1)
