"""Publishing settings: the PUBLISH_* settings and the targets in PUBLISH_TARGETS, with defaults, checked once.

Each target is a dict with a "kind" ("rsync", "s3" or "git") and that kind's keys; `read_target` turns the
chosen one into a frozen dataclass or raises PublishConfigError naming the key, the value and what is expected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from publish.compress import AVAILABLE_ENCODINGS
from publish.errors import PublishConfigError

MANIFEST_NAME = ".publish-manifest.json"

PUBLISH_DEFAULTS: dict[str, Any] = {
    "PUBLISH_TARGETS": {},
    "PUBLISH_MAX_DELETE": 500,
    "PUBLISH_MAX_DELETE_SHARE": 0.25,
    "PUBLISH_CACHE_HASHED": "public, max-age=31536000, immutable",
    "PUBLISH_CACHE_RULES": (
        ("*.html", "public, max-age=300"),
        ("*.xml", "public, max-age=300"),
        ("*.json", "public, max-age=300"),  # the trending strip and the search index change with the pages
        ("*", "public, max-age=86400"),
    ),
    "PUBLISH_COMPRESS_MIN_BYTES": 512,
    "PUBLISH_REQUIRE_HASHED_ASSETS": True,
}


@dataclasses.dataclass(frozen=True)
class DeleteLimits:
    max_count: int
    max_share: float


@dataclasses.dataclass(frozen=True)
class HeaderRules:
    hashed: str  # Cache-Control for content-hashed files
    rules: tuple[tuple[str, str], ...]  # (glob on the site path, Cache-Control), first match wins
    compress_min_bytes: int


@dataclasses.dataclass(frozen=True)
class PublishSettings:
    targets: Mapping[str, Mapping[str, Any]]
    limits: DeleteLimits
    headers: HeaderRules
    require_hashed_assets: bool
    static_dir: str  # THEME_STATIC_DIR: where the build check looks for the theme's CSS/JS


@dataclasses.dataclass(frozen=True)
class RsyncTarget:
    name: str
    destination: str  # "user@host:/srv/www/site/" or a local folder
    ssh: str  # the remote shell rsync runs (rsync -e), e.g. "ssh -p 2222 -i ~/.ssh/deploy"
    precompress: tuple[str, ...]  # encodings written as sibling files: "gzip" -> .gz, "br" -> .br
    rsync_options: tuple[str, ...]
    limits: DeleteLimits


@dataclasses.dataclass(frozen=True)
class S3Target:
    name: str
    bucket: str
    prefix: str  # key prefix, "" or ending in "/"
    endpoint_url: str | None
    region: str | None
    compress: bool  # store text types gzip-compressed with Content-Encoding: gzip
    workers: int
    limits: DeleteLimits


@dataclasses.dataclass(frozen=True)
class GitTarget:
    name: str
    remote: str  # URL or path of the repository
    branch: str
    cname: str | None  # written as CNAME (GitHub Pages custom domain)
    message: str
    author_name: str
    author_email: str
    limits: DeleteLimits


TargetConfig = RsyncTarget | S3Target | GitTarget

_KEYS: dict[str, dict[str, Any]] = {
    "rsync": {
        "destination": None,
        "ssh": "ssh",
        "precompress": ("gzip", "br"),
        "rsync_options": (),
    },
    "s3": {
        "bucket": None,
        "prefix": "",
        "endpoint_url": None,
        "region": None,
        "compress": True,
        "workers": 8,
    },
    "git": {
        "remote": None,
        "branch": "gh-pages",
        "cname": None,
        "message": "Publish the site",
        "author_name": "Open News Archive publisher",
        "author_email": "publish@localhost",
    },
}
_COMMON_KEYS = {"kind": None, "max_delete": None, "max_delete_share": None}


def _fail(setting: str, value: object, expected: str) -> PublishConfigError:
    return PublishConfigError(f"{setting} is {value!r}; expected {expected}")


def _limits(count_setting: str, count: object, share_setting: str, share: object) -> DeleteLimits:
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise _fail(count_setting, count, "a whole number of files, 0 or more")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise _fail(share_setting, share, "a share of the remote files from 0 to 1, e.g. 0.25")
    return DeleteLimits(count, float(share))


def read_settings(settings: Mapping[str, Any]) -> PublishSettings:
    """The PUBLISH_* settings with their defaults, checked; the targets themselves are checked by read_target."""
    values = {name: settings.get(name, default) for name, default in PUBLISH_DEFAULTS.items()}
    targets = values["PUBLISH_TARGETS"]
    if not isinstance(targets, Mapping) or not all(isinstance(t, Mapping) for t in targets.values()):
        raise _fail("PUBLISH_TARGETS", targets, 'a dict of name -> {"kind": "rsync"|"s3"|"git", ...}')
    limits = _limits(
        "PUBLISH_MAX_DELETE",
        values["PUBLISH_MAX_DELETE"],
        "PUBLISH_MAX_DELETE_SHARE",
        values["PUBLISH_MAX_DELETE_SHARE"],
    )
    rules = values["PUBLISH_CACHE_RULES"]
    if isinstance(rules, str | bytes) or not all(
        isinstance(rule, list | tuple) and len(rule) == 2 and all(isinstance(part, str) for part in rule)
        for rule in rules
    ):
        expected = 'a list of (glob, Cache-Control) pairs, e.g. [("*.html", "max-age=300")]'
        raise _fail("PUBLISH_CACHE_RULES", rules, expected)
    hashed = values["PUBLISH_CACHE_HASHED"]
    if not isinstance(hashed, str) or not hashed:
        raise _fail("PUBLISH_CACHE_HASHED", hashed, 'a Cache-Control value, e.g. "public, max-age=31536000, immutable"')
    minimum = values["PUBLISH_COMPRESS_MIN_BYTES"]
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        raise _fail("PUBLISH_COMPRESS_MIN_BYTES", minimum, "a whole number of bytes, 0 or more")
    require = values["PUBLISH_REQUIRE_HASHED_ASSETS"]
    if not isinstance(require, bool):
        raise _fail("PUBLISH_REQUIRE_HASHED_ASSETS", require, "True or False")
    return PublishSettings(
        targets=targets,
        limits=limits,
        headers=HeaderRules(hashed, tuple((str(g), str(c)) for g, c in rules), minimum),
        require_hashed_assets=require,
        static_dir=str(settings.get("THEME_STATIC_DIR", "theme")).strip("/"),
    )


def _text(setting: str, value: object, expected: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(setting, value, expected)
    return value


def read_target(settings: PublishSettings, name: str, root: Path) -> TargetConfig:
    """The target called `name`, checked. Relative local paths are taken from `root` (the project folder)."""
    if name not in settings.targets:
        known = ", ".join(sorted(settings.targets)) or "none: add PUBLISH_TARGETS to publishconf.py"
        raise PublishConfigError(f"no publish target {name!r} in PUBLISH_TARGETS; targets: {known}")
    raw = dict(settings.targets[name])
    kind = raw.get("kind")
    where = f"PUBLISH_TARGETS[{name!r}]"
    if kind not in _KEYS:
        raise _fail(f"{where}['kind']", kind, '"rsync", "s3" or "git"')
    allowed = _KEYS[kind] | _COMMON_KEYS
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise PublishConfigError(
            f"{where} has unknown key(s) {', '.join(unknown)}; a {kind} target takes {', '.join(sorted(allowed))}"
        )
    values = {**_KEYS[kind], **raw}
    key = where + "[{!r}]"
    count, share = values.get("max_delete"), values.get("max_delete_share")
    limits = _limits(
        key.format("max_delete"),
        settings.limits.max_count if count is None else count,
        key.format("max_delete_share"),
        settings.limits.max_share if share is None else share,
    )
    if kind == "rsync":
        destination = _text(key.format("destination"), values["destination"], "a local folder or user@host:/path/")
        assert destination is not None
        if not _is_remote(destination) and not Path(destination).expanduser().is_absolute():
            destination = str(root / destination)
        ssh = _text(key.format("ssh"), values["ssh"], 'the remote shell command, e.g. "ssh -p 2222"')
        encodings = values["precompress"]
        if isinstance(encodings, str) or any(e not in ("gzip", "br") for e in encodings):
            raise _fail(key.format("precompress"), encodings, 'a list of "gzip" and/or "br"')
        missing = [e for e in encodings if e not in AVAILABLE_ENCODINGS]
        if missing:
            expected = "encodings this Python has: install brotli (requirements.txt)"
            raise _fail(key.format("precompress"), encodings, expected)
        options = values["rsync_options"]
        if isinstance(options, str) or not all(isinstance(o, str) for o in options):
            expected = 'a list of extra rsync arguments, e.g. ["--bwlimit=5000"]'
            raise _fail(key.format("rsync_options"), options, expected)
        return RsyncTarget(name, destination, str(ssh), tuple(encodings), tuple(options), limits)
    if kind == "s3":
        bucket = _text(key.format("bucket"), values["bucket"], "the bucket's name")
        prefix = values["prefix"]
        if not isinstance(prefix, str) or prefix.startswith("/") or (prefix and not prefix.endswith("/")):
            raise _fail(key.format("prefix"), prefix, 'a key prefix ending in "/" (e.g. "site/") or ""')
        endpoint = _text(key.format("endpoint_url"), values["endpoint_url"], "an http(s) URL or None", optional=True)
        if endpoint is not None and not endpoint.startswith(("http://", "https://")):
            raise _fail(key.format("endpoint_url"), endpoint, "an http(s) URL or None")
        expected = 'a region name, e.g. "eu-west-1", or None'
        region = _text(key.format("region"), values["region"], expected, optional=True)
        if not isinstance(values["compress"], bool):
            raise _fail(key.format("compress"), values["compress"], "True or False")
        workers = values["workers"]
        if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 64:
            raise _fail(key.format("workers"), workers, "a number of parallel uploads from 1 to 64")
        return S3Target(name, str(bucket), prefix, endpoint, region, values["compress"], workers, limits)
    remote = _text(key.format("remote"), values["remote"], "a repository URL or path")
    assert remote is not None
    if "://" not in remote and ":" not in remote and not Path(remote).expanduser().is_absolute():
        remote = str(root / remote)
    branch = _text(key.format("branch"), values["branch"], 'a branch name, e.g. "gh-pages"')
    cname = _text(key.format("cname"), values["cname"], 'a domain, e.g. "news.example.org", or None', optional=True)
    message = _text(key.format("message"), values["message"], "a commit message")
    author_name = _text(key.format("author_name"), values["author_name"], "the committer's name")
    author_email = _text(key.format("author_email"), values["author_email"], "the committer's e-mail")
    return GitTarget(name, remote, str(branch), cname, str(message), str(author_name), str(author_email), limits)


def _is_remote(destination: str) -> bool:
    """rsync's rule: a colon before the first slash means host:path."""
    head = destination.split("/", 1)[0]
    return ":" in head
