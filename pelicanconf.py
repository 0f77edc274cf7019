"""Pelican settings for the news archive (development build).

`publishconf.py` imports this file and overrides what changes for production.
Every setting of our own plugins is documented in that plugin's README.
"""

from __future__ import annotations

import os

SITENAME = "Open News Archive"
SITESUBTITLE = "Reporting from many outlets, kept in one place"
AUTHOR = "Open News Archive"

# Links inside the site are root-relative ("/2026/10/14/slug/"), so the same build works on any host and
# under `invoke serve`. Canonical links, OpenGraph, JSON-LD, feeds and the sitemap need absolute URLs:
# they use SITE_ORIGIN, the address the site is published at.
SITEURL = ""
SITE_ORIGIN = "https://news.example.org"
RELATIVE_URLS = False

PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
OUTPUT_PATH = "output"
THEME = "theme"
THEME_STATIC_DIR = "theme"

TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
# Each article is its own piece; articles in other languages are not translations of one another.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
# An article's slug is its file name: content/articles/2026/10/ferry-strike.md -> ferry-strike.
SLUGIFY_SOURCE = "basename"

PLUGIN_PATHS = ["plugins"]
# Pelican's content cache: a file whose bytes (sha1) did not change is not read and rendered again.
# news_reader throws the cache away when the settings or code that reading depends on change.
CACHE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache")
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "sha1"
GZIP_CACHE = False
# Order matters: the reader must be registered before content is read; navigation and sources read
# what the reader produced; tags merge before any taxonomy is built; search indexes the finished articles;
# trending and related need the merged tags; the sitemap listens to every page written.
PLUGINS = [
    "news_reader",
    "news_tags",
    "news_sources",
    "news_navigation",
    "news_related",
    "news_stories",
    "news_search",
    "news_trending",
    "news_feeds",
    "news_sitemap",
    "news_assets",
    "news_output",  # last: it runs after every other plugin has written its files
]

# The sections of the archive (Pelican's categories), in navigation order. An article whose `section`
# is not listed here is an error with the file and line.
NEWS_SECTIONS = {
    "World": "International news and diplomacy.",
    "Business": "Markets, companies, work and the economy.",
    "Technology": "Chips, software, networks and the people who build them.",
    "Science": "Research, space and health.",
    "Climate": "Weather, energy and the environment.",
    "Culture": "Arts, sport, food and everyday life.",
}

# Clean, stable URLs. Every page is a directory with an index.html.
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
# Articles in another language than DEFAULT_LANG keep the same clean URLs.
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = DRAFT_URL + "index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
PAGE_LANG_URL = PAGE_URL
PAGE_LANG_SAVE_AS = PAGE_SAVE_AS
DRAFT_LANG_URL = DRAFT_URL
DRAFT_LANG_SAVE_AS = DRAFT_SAVE_AS
CATEGORY_URL = "section/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
CATEGORIES_URL = "sections/"
CATEGORIES_SAVE_AS = CATEGORIES_URL + "index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = TAGS_URL + "index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = AUTHORS_URL + "index.html"
SOURCE_URL = "source/{slug}/"
SOURCE_SAVE_AS = SOURCE_URL + "index.html"
SOURCES_URL = "sources/"
SOURCES_SAVE_AS = SOURCES_URL + "index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
DAY_ARCHIVE_URL = "{date:%Y}/{date:%m}/{date:%d}/"
DAY_ARCHIVE_SAVE_AS = DAY_ARCHIVE_URL + "index.html"

# Direct templates: the home page, "All articles" (Pelican's paginated index), the indexes and 404.
DIRECT_TEMPLATES = ["home", "index", "categories", "tags", "authors", "archives", "404", "search"]
HOME_URL = ""
HOME_SAVE_AS = "index.html"
INDEX_URL = "articles/"
INDEX_SAVE_AS = "articles/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
# news_search: the search page (its index is written under SEARCH_OUTPUT_DIR, see plugins/news_search).
SEARCH_URL = "search/"
SEARCH_SAVE_AS = "search/index.html"

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {
    "index": None,
    "category": None,
    "tag": None,
    "author": None,
    "source": None,
    "period_archives": 50,
}
# Page 1 is the list's own URL; page N is .../page/N/ (no collisions between "tag1" page 2 and "tag12").
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Atom feeds: all articles, per section, per tag, per source (news_sources). No RSS duplicates.
# news_feeds makes every link in them absolute, on SITE_ORIGIN.
FEED_DOMAIN = SITE_ORIGIN
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/section/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
SOURCE_FEED_ATOM = "feeds/source/{slug}.atom.xml"
FEED_ATOM = None
FEED_RSS = None
FEED_ALL_RSS = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 50

# Templates autoescape: everything that is not our sanitised article HTML is escaped. Each build makes its
# own template environment, so templates need no reload check (Jinja would stat the template file at every
# include and import: seconds per 10,000 pages).
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
    "extensions": [],
    "auto_reload": False,
}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.smarty": {},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# Deterministic output: no build timestamps anywhere, sorted lists.
NEWEST_FIRST_ARCHIVES = True
ARTICLE_ORDER_BY = "reversed-date"
DELETE_OUTPUT_DIRECTORY = True
OUTPUT_RETENTION = [".git"]

# news_navigation: how many stories the home page leads with, and per section.
HOME_TOP_STORIES = 4
HOME_SECTION_STORIES = 4

# news_tags: spellings of one topic merge into one tag; aliases in content/tag-aliases.toml.
TAG_ALIASES_FILE = "tag-aliases.toml"
TAG_INDEX_POPULAR = 12

# news_trending: what is rising now (the newest article's date is "now" unless BUILD_TIME is set).
TRENDING_URL = "trending/"
TRENDING_SAVE_AS = TRENDING_URL + "index.html"
# Phrases that are not tags link to the site search.
TRENDING_SEARCH_URL = "search/?q={query}"

# news_related: up to RELATED_MAX related articles per article (weights and more: plugins/news_related/README.md).
# The result is reused while nothing changes; the cache file is in cache/ at the project root (git-ignored),
# for every settings file that imports this one.
RELATED_MAX = 5
RELATED_CACHE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache", "related.json")

# news_stories: stories (/story/<slug>/, /stories/), arcs (/arc/<slug>/), digests (/digest/<day or week>/ with an
# email version, feeds/digests.atom.xml) and "cited by"; every setting in plugins/news_stories/README.md.
# Its front-matter overrides (`story`, `arc`, `arc_name`) are accepted by the reader through NEWS_EXTRA_FIELDS,
# which passes them on to news_stories as each article's `extra_fields`.
NEWS_EXTRA_FIELDS = ("story", "arc", "arc_name")

# news_output: a rebuild keeps the files whose bytes did not change as they were (mtime, inode).
OUTPUT_KEEP_UNCHANGED = True
# Lists are paginated from their oldest article: page N of a list keeps its URL and its articles as new ones
# arrive, and a new article changes only the front page of each list it is in (plugins/news_output/README.md).
OUTPUT_STABLE_PAGINATION = True

# news_sitemap
SITEMAP_MAX_URLS = 50000
# The email copies of digests are for newsletters, not for search engines.
SITEMAP_EXCLUDE = ("404.html", "digest/*/email.html")

# news_assets: templates link theme CSS/JS through asset_url("css/site.css"). Development keeps plain names;
# publishconf.py turns ASSETS_HASH on, so published names carry a content hash and are cached for a year.
ASSETS_HASH = False
ASSETS_HASH_EXTENSIONS = [".css", ".js"]
ASSETS_HASH_LENGTH = 10
