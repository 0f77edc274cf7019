"""`invoke ingest` end to end against a real HTTP server on 127.0.0.1: many outlets, each misbehaving its own way.

One run over eight sources: the good ones are ingested, every bad one is reported in one line naming the
source, the URL and the reason, nothing half-written is left in content/, and the exit code is 1. A second
run sends conditional GETs, gets 304 and leaves every file as it was.
"""

from __future__ import annotations

import gzip
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from test_fetch import FIFTY_MB, FixtureServer, _stream_50_mb, reply, server  # noqa: F401 (server: fixture)

from ingest.cli import run
from ingest.fetch import FetchPolicy

SECTIONS = ("World", "Business", "Technology", "Science", "Climate", "Culture")


def rss(outlet: str, *titles: str, encoding: str = "UTF-8") -> str:
    items = "".join(
        f"<item><title>{title}</title><link>https://{outlet}.example/{n}</link>"
        f"<guid>{outlet}-{n}</guid><pubDate>Mon, 2{n} Nov 2026 08:00:00 +0000</pubDate>"
        f"<description>&lt;p&gt;{title}, reported by the {outlet} desk.&lt;/p&gt;</description></item>"
        for n, title in enumerate(titles, 1)
    )
    channel = f"<channel><title>{outlet}</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0">{channel}</rss>'


GOOD = rss("good", "Harbour cranes return to work", "Night trains added for the winter").encode()


def good(h: BaseHTTPRequestHandler, n: int) -> None:
    if h.headers.get("If-None-Match") == '"v1"':
        reply(h, 304, headers={"ETag": '"v1"', "Content-Length": "0"})
    else:
        reply(h, 200, GOOD, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": '"v1"'})


def flaky(h: BaseHTTPRequestHandler, n: int) -> None:
    if n == 1:
        reply(h, 503, b"busy")
    else:
        reply(h, 200, rss("flaky", "Library opens on Sundays").encode(), {"Content-Type": "application/rss+xml"})


def gzipped(h: BaseHTTPRequestHandler, n: int) -> None:
    body = gzip.compress(rss("zipped", "Ferry timetable changes in December").encode())
    reply(h, 200, body, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})


def latin1_wrong_header(h: BaseHTTPRequestHandler, n: int) -> None:
    # The prolog says ISO-8859-1 (true), the header says UTF-8 (false).
    body = rss("latin", "Café owners in Gdańsk-on-Sea welcome the pier reopening", encoding="ISO-8859-1")
    body = body.replace("ń", "n")  # not in Latin-1
    reply(h, 200, body.encode("latin-1"), {"Content-Type": "application/rss+xml; charset=utf-8"})


def no_charset(h: BaseHTTPRequestHandler, n: int) -> None:
    body = rss("windows", "Zürich-born chef opens a bistro", encoding="windows-1252")
    reply(h, 200, body.encode("cp1252"), {"Content-Type": "text/xml"})


def truncated(h: BaseHTTPRequestHandler, n: int) -> None:
    reply(h, 200, GOOD[:100], {"Content-Length": str(len(GOOD))})
    h.close_connection = True


def loop(h: BaseHTTPRequestHandler, n: int) -> None:
    reply(h, 302, headers={"Location": "/loop-b.rss"} if h.path == "/loop.rss" else {"Location": "/loop.rss"})


def slow(h: BaseHTTPRequestHandler, n: int) -> None:
    time.sleep(1.0)
    reply(h, 200, GOOD)


ROUTES = {
    "/good.rss": good,
    "/flaky.rss": flaky,
    "/gzip.rss": gzipped,
    "/latin1.rss": latin1_wrong_header,
    "/nocharset.rss": no_charset,
    "/truncated.rss": truncated,
    "/loop.rss": loop,
    "/loop-b.rss": loop,
    "/slow.rss": slow,
    "/huge.rss": lambda h, n: _stream_50_mb(h, declare_length=False),
}
SOURCES = {
    "Good Outlet": "/good.rss",
    "Flaky Outlet": "/flaky.rss",
    "Zipped Outlet": "/gzip.rss",
    "Latin Outlet": "/latin1.rss",
    "Windows Outlet": "/nocharset.rss",
    "Truncated Outlet": "/truncated.rss",
    "Loop Outlet": "/loop.rss",
    "Slow Outlet": "/slow.rss",
    "Huge Outlet": "/huge.rss",
}
FAILING = {
    "Truncated Outlet": "server broke the connection",
    "Loop Outlet": "too many redirects",
    "Slow Outlet": "read timeout (0.4 s) after 2 attempts",
    "Huge Outlet": "body larger than 10,000,000 bytes",
}


def write_config(path: Path, fixture: FixtureServer) -> None:
    path.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\nfeed = "{fixture.url(route)}"\nsection = "World"\n\n'
            for name, route in SOURCES.items()
        ),
        encoding="utf-8",
    )


def snapshot(content: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(content)): (p.read_text(encoding="utf-8"), p.stat().st_mtime_ns)
        for p in content.rglob("*")
        if p.is_file()
    }


def test_many_outlets_over_http(server: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    server.routes.update(ROUTES)
    config, content, state = tmp_path / "sources.toml", tmp_path / "content", tmp_path / "state.json"
    write_config(config, server)
    policy = FetchPolicy(timeout=0.4, retries=1, backoff=0.0, host_delay=0.0)

    code = run(config, content, state, SECTIONS, policy=policy)
    err = capsys.readouterr().err

    assert code == 1  # some sources failed
    files = snapshot(content)
    texts = "\n".join(text for text, _ in files.values())
    assert len(files) == 6  # good 2, flaky 1, zipped 1, latin 1, windows 1
    assert all(name.endswith(".md") and not name.split("/")[-1].startswith(".") for name in files)  # no temp files
    for title in (
        "Harbour cranes return to work",
        "Night trains added for the winter",
        "Library opens on Sundays",  # after one 503, retried
        "Ferry timetable changes in December",  # gzip
        "Café owners in Gdansk-on-Sea welcome the pier reopening",  # the prolog's charset beats a wrong header
        "Zürich-born chef opens a bistro",  # no charset in the header
    ):
        assert f"title: {title}" in texts or f"title: '{title}'" in texts or f'title: "{title}"' in texts, title
    assert "\ufffd" not in texts
    assert server.count("/flaky.rss") == 2

    problem_lines = [line for line in err.splitlines() if ": failed: " in line]
    assert len(problem_lines) == len(FAILING)
    for name, reason in FAILING.items():
        [line] = [line for line in problem_lines if line.startswith(f"{name}: ")]
        assert server.url(SOURCES[name]) in line
        assert reason in line
    assert server.count("/huge.rss") == 1  # too large is not retried
    assert server.bytes_sent < FIFTY_MB  # and not read to the end

    # The second run asks "changed since?" and gets 304: every file stays as it was, byte for byte and mtime.
    code = run(config, content, state, SECTIONS, policy=policy)
    err = capsys.readouterr().err
    assert code == 1
    [good_row] = [line for line in err.splitlines() if "Good Outlet" in line]
    assert "not modified" in good_row
    assert snapshot(content) == files
    assert server.headers("/good.rss")[-1].get("if-none-match") == '"v1"'
