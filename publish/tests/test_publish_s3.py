"""The S3 target against moto's S3 server on 127.0.0.1 (real HTTP, started by the test)."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from publish.config import MANIFEST_NAME, DeleteLimits, S3Target
from publish.errors import TargetError
from publish.pipeline import publish
from publish.tests.conftest import write_page

boto3 = pytest.importorskip("boto3", reason="boto3 not installed (requirements.txt)")


def target(endpoint: str, bucket: str) -> S3Target:
    return S3Target("cdn", bucket, "site/", endpoint, "us-east-1", True, 4, DeleteLimits(500, 0.5))


def client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def test_objects_carry_type_cache_and_encoding(site, settings, s3_server, s3_env):
    s3 = client(s3_server.endpoint)
    s3.create_bucket(Bucket="headers")
    publish(site, target(s3_server.endpoint, "headers"), settings)

    page = s3.get_object(Bucket="headers", Key="site/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=300"
    assert page["ContentEncoding"] == "gzip"
    original = (site / "index.html").read_bytes()
    assert gzip.decompress(page["Body"].read()) == original
    assert page["Metadata"]["sha256"] == hashlib.sha256(original).hexdigest()

    css_key = next(
        o["Key"]
        for o in s3.list_objects_v2(Bucket="headers", Prefix="site/theme/css/site.")["Contents"]
        if o["Key"] != "site/theme/css/site.css"
    )
    css = s3.head_object(Bucket="headers", Key=css_key)
    assert css["CacheControl"] == "public, max-age=31536000, immutable"
    assert css["ContentType"] == "text/css; charset=utf-8"
    image = s3.get_object(Bucket="headers", Key="site/images/pixel.png")
    assert image["ContentType"] == "image/png"
    assert "ContentEncoding" not in image
    assert image["Body"].read() == (site / "images/pixel.png").read_bytes()
    assert s3.head_object(Bucket="headers", Key="site/" + MANIFEST_NAME)["CacheControl"] == "no-cache"


def test_a_second_publish_sends_nothing_then_only_what_changed(site, settings, s3_server, s3_env):
    s3 = client(s3_server.endpoint)
    s3.create_bucket(Bucket="changes")
    first = publish(site, target(s3_server.endpoint, "changes"), settings)
    assert len(s3_server.log.requests("PUT", "changes")) == len(first.plan.new) + 1  # files + manifest

    s3_server.log.clear()
    second = publish(site, target(s3_server.endpoint, "changes"), settings)
    assert second.sent_nothing
    assert s3_server.log.requests("PUT", "changes") == []  # the server saw no upload at all
    assert s3_server.log.requests("POST", "changes") == []  # nor a delete

    write_page(site, "2026/11/01/story-0/index.html", "Story 0, corrected")
    (site / "2026/11/02/story-1/index.html").unlink()
    s3_server.log.clear()
    third = publish(site, target(s3_server.endpoint, "changes"), settings)
    puts = s3_server.log.requests("PUT", "changes")
    assert len(puts) == 2
    assert any("story-0" in line for line in puts)
    assert len(s3_server.log.requests("POST", "changes")) == 1  # one DeleteObjects
    assert third.plan.deleted == ("2026/11/02/story-1/index.html",)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="changes")["Contents"]}
    assert "site/2026/11/02/story-1/index.html" not in keys
    body = s3.get_object(Bucket="changes", Key="site/2026/11/01/story-0/index.html")["Body"].read()
    assert b"Story 0, corrected" in gzip.decompress(body)


def test_a_missing_bucket_is_one_clear_line(site, settings, s3_server, s3_env):
    with pytest.raises(TargetError) as caught:
        publish(site, target(s3_server.endpoint, "no-such-bucket"), settings)
    assert str(caught.value).startswith("target 'cdn': could not read the manifest from s3://no-such-bucket/site/")
    assert "NoSuchBucket" in str(caught.value)
    assert "create the bucket" in str(caught.value)
