"""Fixtures: a small built site, and real servers on 127.0.0.1 started by the tests (sshd, an S3 server)."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from publish.config import PublishSettings, read_settings

SSHD = shutil.which("sshd") or next((p for p in ("/usr/sbin/sshd",) if os.path.exists(p)), None)


def _hashed(folder: Path, name: str, data: bytes) -> str:
    stem, ext = name.rsplit(".", 1)
    hashed = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}"
    (folder / name).write_bytes(data)
    (folder / hashed).write_bytes(data)
    return hashed


def write_page(site: Path, path: str, title: str, words: int = 200) -> Path:
    """A page big enough to be precompressed (PUBLISH_COMPRESS_MIN_BYTES is 512 by default)."""
    file = site / path
    file.parent.mkdir(parents=True, exist_ok=True)
    body = " ".join(f"{title.lower()}-{i}" for i in range(words))
    file.write_text(f"<!doctype html><html lang=en><title>{title}</title><h1>{title}</h1><p>{body}</p>\n")
    return file


def make_site(site: Path, articles: int = 6) -> Path:
    """A built site as `invoke build --production` leaves it: hashed theme assets linked from index.html."""
    css_dir, js_dir = site / "theme" / "css", site / "theme" / "js"
    css_dir.mkdir(parents=True)
    js_dir.mkdir(parents=True)
    css = _hashed(css_dir, "site.css", b"body { font-family: serif; }\n" * 40)
    js = _hashed(js_dir, "site.js", b"document.documentElement.classList.add('js');\n" * 20)
    (site / "index.html").write_text(
        "<!doctype html><html lang=en><head><title>Home</title>"
        f'<link rel="stylesheet" href="/theme/css/{css}"><script src="/theme/js/{js}" defer></script>'
        "</head><body><h1>Home</h1>" + "<p>latest news</p>" * 60 + "</body></html>\n"
    )
    for number in range(articles):
        write_page(site, f"2026/11/{number + 1:02d}/story-{number}/index.html", f"Story {number}")
    (site / "feeds").mkdir()
    (site / "feeds" / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        + "<entry><title>x</title></entry>" * 40
        + "</feed>\n"
    )
    (site / "robots.txt").write_text("User-agent: *\n")
    (site / "images").mkdir()
    (site / "images" / "pixel.png").write_bytes(bytes.fromhex("89504e470d0a1a0a") + os.urandom(2048))
    return site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "output")


@pytest.fixture
def settings() -> PublishSettings:
    return read_settings({"THEME_STATIC_DIR": "theme"})


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its inode and modification time: what a transfer would change."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


@dataclasses.dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    ssh: str  # the remote shell for rsync -e

    def destination(self, folder: Path) -> str:
        return f"{self.user}@127.0.0.1:{folder}/"


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """A real sshd on a random port of 127.0.0.1: a temporary host key, one authorized key, the current user."""
    if SSHD is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("sshd/ssh not installed (Debian: apt-get install openssh-server; .ci/run installs it)")
    if shutil.which("rsync") is None:
        pytest.skip("rsync not installed (Debian: apt-get install rsync; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("sshd")
    for name in ("host", "client"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True, capture_output=True
        )
    shutil.copyfile(folder / "client.pub", folder / "authorized_keys")
    port = free_port()
    user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder, when root
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\nPidFile {folder / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nStrictModes no\nUsePAM no\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        "LogLevel ERROR\n"
    )
    host_key = (folder / "host.pub").read_text().split()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key[0]} {host_key[1]}\n")
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(folder / "sshd_config")], stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process)
        ssh = (
            f"ssh -F /dev/null -p {port} -i {folder / 'client'} -o IdentitiesOnly=yes -o BatchMode=yes "
            f"-o UserKnownHostsFile={folder / 'known_hosts'} -o StrictHostKeyChecking=yes"
        )
        yield SshServer(port, user, ssh)
    finally:
        process.terminate()
        process.wait(timeout=10)


class RequestLog(logging.Handler):
    """The request lines the S3 server logs (werkzeug), to count what actually reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def requests(self, method: str, bucket: str) -> list[str]:
        """The requests seen so far; the server logs a request after answering it, so wait for the log to settle."""
        seen, deadline = -1, time.monotonic() + 5
        while seen != len(self.lines) and time.monotonic() < deadline:
            seen = len(self.lines)
            time.sleep(0.2)
        return [line for line in self.lines if f'"{method} /{bucket}/' in line or f'"{method} /{bucket}?' in line]

    def clear(self) -> None:
        self.requests("", "")
        self.lines.clear()


@dataclasses.dataclass(frozen=True)
class S3Server:
    endpoint: str
    log: RequestLog


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server (a real HTTP server, in a thread) on a random port of 127.0.0.1."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] not installed (requirements-dev.txt)")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=True)
    log = RequestLog()
    werkzeug = logging.getLogger("werkzeug")
    werkzeug.addHandler(log)
    werkzeug.setLevel(logging.INFO)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}", log)
    finally:
        server.stop()
        werkzeug.removeHandler(log)


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials the test server accepts (any), and no profile or config file of the machine's."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "publish-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "publish-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
