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
