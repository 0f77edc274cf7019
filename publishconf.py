"""Pelican settings for the published site: the development settings, plus what production changes.

`invoke publish` (and `invoke build --production`) use this file.
"""

from __future__ import annotations

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *

# The address the site is served from; canonical links, feeds and the sitemap use it.
SITE_ORIGIN = os.environ.get("NEWS_SITE_ORIGIN", "https://news.example.org").rstrip("/")
FEED_DOMAIN = SITE_ORIGIN
DELETE_OUTPUT_DIRECTORY = True

# news_assets: theme CSS/JS get content-hashed names (css/site.<hash>.css), so they can be cached for a year.
ASSETS_HASH = True

# `invoke publish --target NAME`: where the built site goes. Every key is documented in publish/README.md.
# Credentials never live here: S3 reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), rsync
# uses your SSH agent or the key named in "ssh", git uses the credentials in the remote's URL or your helper.
PUBLISH_TARGETS = {
    # A web server over SSH (nginx with gzip_static/brotli_static serves the .gz/.br files written beside).
    "server": {
        "kind": "rsync",
        "destination": os.environ.get("NEWS_PUBLISH_RSYNC_DESTINATION", "deploy@news.example.org:/srv/www/news/"),
        "ssh": os.environ.get("NEWS_PUBLISH_SSH", "ssh"),
    },
    # A folder on this machine: try a publish without a server (cache/ is git-ignored).
    "local": {"kind": "rsync", "destination": "cache/published/"},
    # S3-compatible object storage behind a CDN.
    "s3": {
        "kind": "s3",
        "bucket": os.environ.get("NEWS_PUBLISH_S3_BUCKET", "news-archive-site"),
        "endpoint_url": os.environ.get("NEWS_PUBLISH_S3_ENDPOINT") or None,
        "region": os.environ.get("AWS_REGION") or None,
    },
    # GitHub Pages: the gh-pages branch of a repository (CI passes a remote URL with a token).
    "github-pages": {
        "kind": "git",
        "remote": os.environ.get("NEWS_PUBLISH_GIT_REMOTE", "git@github.com:open-news-archive/site.git"),
        "branch": "gh-pages",
        "cname": os.environ.get("NEWS_PUBLISH_CNAME") or None,
    },
}
# Publish refuses to delete more remote files than this many, or than this share of them, without --force.
PUBLISH_MAX_DELETE = 500
PUBLISH_MAX_DELETE_SHARE = 0.25
