"""Unit tests: headers per file, content-hashed names, precompression, the plan, the delete guard, settings."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest

from publish.compress import AVAILABLE_ENCODINGS, compress
from publish.config import DeleteLimits, GitTarget, RsyncTarget, read_settings, read_target
from publish.errors import BuildCheckError, DeleteGuardError, ManifestError, PublishConfigError, redact
from publish.plan import Manifest, guard_deletions, make_plan
from publish.site import Capabilities, check_build, content_type, is_content_hashed, scan_site

HEADERS = Capabilities(headers=True, encodings=("gzip",))
SIBLINGS = Capabilities(headers=False, encodings=("gzip", "br"))


def siblings(path, entry):
    return (path, *(path + {"gzip": ".gz", "br": ".br"}[e] for e in entry.encodings))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("theme/css/site.css", "text/css; charset=utf-8"),
        ("theme/js/site.js", "text/javascript; charset=utf-8"),
        ("feeds/all.atom.xml", "application/atom+xml; charset=utf-8"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("search/index.json", "application/json; charset=utf-8"),
        ("theme/favicon.svg", "image/svg+xml; charset=utf-8"),
        ("images/photo.JPG", "image/jpeg"),
        ("images/pixel.png", "image/png"),
        ("fonts/serif.woff2", "font/woff2"),
        ("files/blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_type(path, expected):
    assert content_type(path) == expected


def test_a_name_counts_as_hashed_only_when_the_hash_is_its_own():
    data = b"body{}"
    digest = hashlib.sha256(data).hexdigest()
    assert is_content_hashed(f"theme/css/site.{digest[:10]}.css", digest)
    assert not is_content_hashed("theme/css/site.0123456789.css", digest)
    assert not is_content_hashed("theme/css/site.css", digest)
    assert not is_content_hashed(f"theme/css/site.{digest[:6]}.css", digest)  # too short to be sure
    assert is_content_hashed(f"search/data/shards/{digest[:12]}.json", digest)  # a name that is its hash
    assert not is_content_hashed(f"search/data/shards/{digest[1:13]}.json", digest)
    assert not is_content_hashed("search/data/store/12.json", digest)


def test_scan_gives_each_file_its_cache_control_and_encodings(site, settings):
    (site / "trending").mkdir()
    (site / "trending" / "strip.json").write_text('{"items":[],"window":null}\n')
    files = scan_site(site, settings.headers, HEADERS)
    css = next(f for p, f in files.items() if p.startswith("theme/css/site.") and p != "theme/css/site.css")
    assert css.cache_control == "public, max-age=31536000, immutable"
    assert files["theme/css/site.css"].cache_control == "public, max-age=86400"
    assert files["index.html"].cache_control == "public, max-age=300"
    assert files["feeds/all.atom.xml"].cache_control == "public, max-age=300"
    # what trends and the search index change with every build: not a day in caches
    assert files["trending/strip.json"].cache_control == "public, max-age=300"
    assert files["index.html"].encodings == ("gzip",)
    assert files["robots.txt"].encodings == ()  # under PUBLISH_COMPRESS_MIN_BYTES
    assert files["images/pixel.png"].encodings == ()  # not text
    without_headers = scan_site(site, settings.headers, Capabilities(headers=False, encodings=()))
    assert without_headers["index.html"].content_type == without_headers["index.html"].cache_control == ""


def test_precompression_is_deterministic_and_reversible():
    data = ("<p>harbour ferries</p>" * 200).encode()
    packed = compress(data, "gzip")
    assert packed == compress(data, "gzip")
    assert gzip.decompress(packed) == data
    assert len(packed) < len(data) / 5
    if "br" in AVAILABLE_ENCODINGS:
        import brotli

        assert brotli.decompress(compress(data, "br")) == data


def test_plan_sends_new_and_changed_deletes_gone_and_stale_siblings(site, settings):
    before = scan_site(site, settings.headers, SIBLINGS)
    first = make_plan(before, None, siblings)
    assert len(first.new) == len(before)
    assert not first.changed
    assert not first.stale
    assert first.uploads[-1].is_html
    assert not first.uploads[0].is_html
    remote = first.manifest

    (site / "2026/11/01/story-0/index.html").write_text("<p>short now</p>")  # changed, too small for .gz/.br
    (site / "2026/11/02/story-1/index.html").unlink()
    (site / "about.html").write_text("<p>about</p>")
    plan = make_plan(scan_site(site, settings.headers, SIBLINGS), remote, siblings)

    assert [f.path for f in plan.new] == ["about.html"]
    assert [f.path for f in plan.changed] == ["2026/11/01/story-0/index.html"]
    assert plan.deleted == ("2026/11/02/story-1/index.html",)
    assert plan.stale == (
        "2026/11/01/story-0/index.html.br",
        "2026/11/01/story-0/index.html.gz",
        "2026/11/02/story-1/index.html",
        "2026/11/02/story-1/index.html.br",
        "2026/11/02/story-1/index.html.gz",
    )
    assert plan.unchanged == len(before) - 2


def test_an_unchanged_site_plans_nothing(site, settings):
    files = scan_site(site, settings.headers, HEADERS)
    again = make_plan(scan_site(site, settings.headers, HEADERS), make_plan(files, None, siblings).manifest, siblings)
    assert again.is_empty
    assert again.unchanged == len(files)


def test_changing_only_the_headers_resends(site, settings):
    files = scan_site(site, settings.headers, HEADERS)
    manifest = make_plan(files, None, siblings).manifest
    rules = [("*.html", "public, max-age=60"), ("*.xml", "public, max-age=300"), ("*", "public, max-age=86400")]
    longer = read_settings({"PUBLISH_CACHE_RULES": rules})
    plan = make_plan(scan_site(site, longer.headers, HEADERS), manifest, siblings)
    assert {f.path for f in plan.changed} == {p for p in files if p.endswith(".html")}


def test_the_delete_guard_counts_files_and_shares(site, settings):
    files = scan_site(site, settings.headers, HEADERS)
    manifest = make_plan(files, None, siblings).manifest
    for number in range(3):
        (site / f"2026/11/{number + 1:02d}/story-{number}/index.html").unlink()
    plan = make_plan(scan_site(site, settings.headers, HEADERS), manifest, siblings)
    with pytest.raises(DeleteGuardError, match=r"refusing to delete 3 of its 14 files \(21%\).*--force"):
        guard_deletions(plan, DeleteLimits(max_count=2, max_share=1.0), force=False, target="t")
    with pytest.raises(DeleteGuardError, match="PUBLISH_MAX_DELETE_SHARE"):
        guard_deletions(plan, DeleteLimits(max_count=100, max_share=0.2), force=False, target="t")
    guard_deletions(plan, DeleteLimits(max_count=3, max_share=0.25), force=False, target="t")
    guard_deletions(plan, DeleteLimits(max_count=0, max_share=0.0), force=True, target="t")


def test_the_delete_guard_does_not_count_content_hashed_files_replaced(site, settings):
    """A search index's shards are named after their content: an older article added changes hundreds of them,
    each a new file and a deletion. Those deletions are not what the guard is for; the others still count."""
    shards = site / "search" / "data" / "shards"
    shards.mkdir(parents=True)

    def write_shards(version: str) -> None:
        for old in shards.iterdir():
            old.unlink()
        for number in range(40):
            data = f'{{"terms":[["term{number}",{number},"{version}"]]}}'.encode()
            (shards / f"{hashlib.sha256(data).hexdigest()[:12]}.json").write_bytes(data)

    write_shards("before")
    manifest = make_plan(scan_site(site, settings.headers, HEADERS), None, siblings).manifest
    write_shards("after")
    plan = make_plan(scan_site(site, settings.headers, HEADERS), manifest, siblings)
    assert len(plan.deleted) == 40
    assert len(plan.new) == 40
    assert plan.counted == ()
    guard_deletions(plan, DeleteLimits(max_count=2, max_share=0.1), force=False, target="t")

    (site / "robots.txt").unlink()
    (site / "feeds" / "all.atom.xml").unlink()
    (site / "images" / "pixel.png").unlink()
    plan = make_plan(scan_site(site, settings.headers, HEADERS), manifest, siblings)
    assert len(plan.counted) == 3
    with pytest.raises(DeleteGuardError, match=r"refusing to delete 3 of its 54 files \(6%\), and 40 content-hashed"):
        guard_deletions(plan, DeleteLimits(max_count=2, max_share=0.1), force=False, target="t")


def test_manifest_round_trip_and_a_broken_one(site, settings):
    manifest = make_plan(scan_site(site, settings.headers, SIBLINGS), None, siblings).manifest
    assert Manifest.from_json(manifest.to_json(), "x") == manifest
    with pytest.raises(ManifestError, match=r"^dest/.publish-manifest.json: not a publish manifest .*delete it"):
        Manifest.from_json("{not json", "dest/.publish-manifest.json")
    with pytest.raises(ManifestError, match="format 9"):
        Manifest.from_json('{"format": 9, "files": {}}', "x")


def test_build_check(tmp_path, site):
    with pytest.raises(BuildCheckError, match=r"no index.html.*invoke build --production"):
        check_build(tmp_path / "nothing", "theme", require_hashed=True)
    check_build(site, "theme", require_hashed=True)
    index = site / "index.html"
    index.write_text(index.read_text().replace('href="/theme/css/site.', 'href="/theme/css/old.'))
    with pytest.raises(BuildCheckError, match=r"links /theme/css/old\..*which is not in"):
        check_build(site, "theme", require_hashed=True)
    index.write_text('<link rel="stylesheet" href="/theme/css/site.css"><h1>x</h1>')
    with pytest.raises(BuildCheckError, match=r"/theme/css/site.css, a name without its content hash.*ASSETS_HASH"):
        check_build(site, "theme", require_hashed=True)
    check_build(site, "theme", require_hashed=False)


def test_target_settings_are_checked(tmp_path: Path):
    settings = read_settings(
        {
            "PUBLISH_TARGETS": {
                "here": {"kind": "rsync", "destination": "published/"},
                "typo": {"kind": "rsync", "destination": "/srv", "destinaton": "/srv"},
                "ftp": {"kind": "ftp"},
                "pages": {"kind": "git", "remote": "https://user:secret@example.org/site.git"},
                "greedy": {"kind": "s3", "bucket": "b", "max_delete_share": 2},
            }
        }
    )
    here = read_target(settings, "here", tmp_path)
    assert isinstance(here, RsyncTarget)
    assert here.destination == str(tmp_path / "published/")
    with pytest.raises(PublishConfigError, match=r"no publish target 'nope' in PUBLISH_TARGETS; targets: ftp, greedy"):
        read_target(settings, "nope", tmp_path)
    with pytest.raises(PublishConfigError, match=r"unknown key\(s\) destinaton; a rsync target takes"):
        read_target(settings, "typo", tmp_path)
    with pytest.raises(PublishConfigError, match=r"PUBLISH_TARGETS\['ftp'\]\['kind'\] is 'ftp'; expected"):
        read_target(settings, "ftp", tmp_path)
    with pytest.raises(PublishConfigError, match=r"\['max_delete_share'\] is 2; expected a share .* from 0 to 1"):
        read_target(settings, "greedy", tmp_path)
    pages = read_target(settings, "pages", tmp_path)
    assert isinstance(pages, GitTarget)
    assert pages.branch == "gh-pages"
    assert redact("https://user:secret@example.org/site.git") == "https://***@example.org/site.git"
    with pytest.raises(PublishConfigError, match="PUBLISH_MAX_DELETE is -1"):
        read_settings({"PUBLISH_MAX_DELETE": -1})


def test_a_compressed_file_the_site_ships_is_not_overwritten(site, settings):
    (site / "feeds" / "all.atom.xml.gz").write_bytes(gzip.compress(b"<feed/>"))
    files = scan_site(site, settings.headers, SIBLINGS)
    assert files["feeds/all.atom.xml"].encodings == ("br",)
    assert files["index.html"].encodings == ("gzip", "br")
