"""The project's commands: `invoke --list` is the menu.

Builds, previews, tests and checks for the news archive. Every task has a one-line docstring.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from invoke import Context, Exit, task

ROOT = Path(__file__).resolve().parent
SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
OUTPUT = ROOT / "output"
CONTENT = ROOT / "content"
PORT = int(os.environ.get("PORT", "8000"))
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def _pelican(
    c: Context,
    *args: str,
    settings: Path = SETTINGS,
    content: Path = CONTENT,
    output: Path = OUTPUT,
    strict: bool = False,
    pty: bool = False,
) -> None:
    """Run Pelican on `content` into `output`; `strict` makes every warning fatal."""
    command = [sys.executable, "-m", "pelican", str(content), "-s", str(settings), "-o", str(output)]
    if strict:
        command += ["--fatal", "warnings"]
    command += list(args)
    c.run(shlex.join(command), pty=pty)


@task
def clean(c):
    """Remove the generated site (output/)."""
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)


@task(
    help={
        "production": "use publishconf.py (the published site's settings)",
        "strict": "fail on any warning (tests and CI build this way)",
        "force": "build even when nothing changed since the last build",
    }
)
def build(c, production=False, strict=False, force=False):
    """Build the site from content/ into output/ (nothing to do when no input changed since the last build)."""
    strict = strict or bool(os.environ.get("CI"))
    _check(CONTENT, strict=False, warnings_listed=BUILD_WARNINGS_LISTED)  # Pelican makes warnings fatal (--strict)
    ensure_lunr(c)
    settings_file = PUBLISH_SETTINGS if production else SETTINGS
    from news_output.unchanged import BuildStamp

    settings = _settings(settings_file)
    command = f"build {settings_file.name}{' --strict' if strict else ''}"
    stamp = BuildStamp.of(ROOT, OUTPUT, Path(settings["CACHE_PATH"]), settings, command)
    last = None if force else stamp.unchanged()
    if last:
        print(stamp.nothing_to_do(last), file=sys.stderr)
        return
    stamp.forget()
    _pelican(c, settings=settings_file, strict=strict)
    stamp.save(datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))


@task(pre=[clean])
def rebuild(c):
    """Clean, then build the site."""
    build(c)


@task
def regenerate(c):
    """Rebuild the site whenever content, theme or plugins change."""
    _pelican(c, "--autoreload", pty=True)


@task
def serve(c):
    """Serve output/ at http://localhost:8000/ (PORT to change)."""
    _pelican(c, "--listen", "--port", str(PORT), pty=True)


@task
def reserve(c):
    """Build the site, then serve it."""
    build(c)
    serve(c)


@task
def preview(c):
    """Build the production site (publishconf.py) into output/."""
    build(c, production=True)


@task
def livereload(c):
    """Serve the site and reload the browser whenever content, theme or plugins change."""
    from livereload import Server  # a development tool: installed by requirements-dev.txt

    build(c)
    server = Server()
    for pattern in ("content/**/*", "theme/**/*", "plugins/**/*.py", "pelicanconf.py"):
        server.watch(pattern, lambda: build(c))
    server.serve(root=str(OUTPUT), port=PORT, host="localhost")


def find_chromium() -> str | None:
    """The path of a Chromium to drive from Playwright, from CHROMIUM_PATH or PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured and Path(configured).exists():
        return configured
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_chromium(c: Context) -> str:
    """Find Chromium, or install Debian's package when running as root."""
    found = find_chromium()
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Debian's chromium for the browser tests...")
        c.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", hide="out")
        found = find_chromium()
    if not found:
        raise Exit("Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH.", code=2)
    return found


def ensure_node_modules(c: Context) -> None:
    """Install the pinned npm packages (package-lock.json) when they are missing or out of date."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        with c.cd(str(ROOT)):
            c.run("npm ci --no-audit --no-fund --loglevel=error")


def ensure_lunr(c: Context) -> None:
    """lunr.js for the search page (news_search copies it into the output): `npm ci` when it is missing."""
    ensure_node_modules(c)
    if not (ROOT / "node_modules" / "lunr" / "lunr.min.js").is_file():
        with c.cd(str(ROOT)):
            c.run("npm ci --no-audit --no-fund --loglevel=error")


@task(
    help={
        "k": "only tests matching this expression (pytest -k)",
        "browser": "run the headless-Chromium tests too (default: yes)",
    }
)
def test(c, k="", browser=True):
    """Run the whole test suite (unit, plugin, whole-site, browser) and lint."""
    ensure_node_modules(c)
    env = {"PYTHONHASHSEED": "0"}
    if browser:
        env["CHROMIUM_PATH"] = ensure_chromium(c)
    else:
        env["NEWS_SKIP_BROWSER"] = "1"
    selection = f" -k {shlex.quote(k)}" if k else ""
    if not k:
        check(c)
    c.run(f"{sys.executable} -m pytest{selection}", env=env, pty=False)
    if not k:
        lint(c)


@task
def lint(c):
    """Check code style and types: ruff, ruff format --check, mypy, djhtml --check."""
    c.run(f"{sys.executable} -m ruff check .")
    c.run(f"{sys.executable} -m ruff format --check .")
    c.run(f"{sys.executable} -m mypy")
    c.run(f"{sys.executable} -m djhtml --check theme/templates")


@task(name="format")
def format_(c):
    """Format Python with ruff and templates with djhtml."""
    c.run(f"{sys.executable} -m ruff check --fix .")
    c.run(f"{sys.executable} -m ruff format .")
    c.run(f"{sys.executable} -m djhtml theme/templates", warn=True)


@task(
    help={
        "source": "only the source with this name (sources.toml)",
        "url": "a one-off feed URL or file instead of the configured sources",
        "section": "the section for --url",
        "mode": "for --url: summary (the default) or full (fetch and extract each item's page)",
        "dry_run": "report what would change, write nothing",
        "content": "write here instead of content/",
    }
)
def ingest(c, source=None, url=None, section=None, mode=None, dry_run=False, content=str(CONTENT)):
    """Ingest the outlets in sources.toml into content/ (new, updated, unchanged per source)."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from ingest.cli import run
    from pelicanconf import NEWS_SECTIONS, TAG_ALIASES_FILE

    code = run(
        ROOT / "sources.toml",
        Path(content),
        ROOT / "cache" / "ingest-state.json",
        tuple(NEWS_SECTIONS),
        name=source,
        url=url,
        section=section,
        mode=mode,
        dry_run=dry_run,
        tag_aliases=Path(content) / TAG_ALIASES_FILE,
    )
    if code:
        raise Exit(code=code)


def _settings(path: Path = SETTINGS) -> dict:
    from pelican.settings import read_settings

    if str(ROOT / "plugins") not in sys.path:
        sys.path.insert(0, str(ROOT / "plugins"))
    return read_settings(str(path))


@task(help={"content": "check this folder instead of content/", "strict": "fail on warnings too"})
def check(c, content=str(CONTENT), strict=False):
    """Check every article and page: one line per problem (path:line: error|warning: what — fix)."""
    _check(Path(content), strict)


BUILD_WARNINGS_LISTED = 20  # `invoke build` lists every error and this many warnings, then counts the rest by kind


def _check(content: Path, strict: bool, warnings_listed: int | None = None) -> None:
    """Print the check's findings (every error; every warning, or the first `warnings_listed` of them and
    the others counted by kind) and its summary line; exit 1 on errors, and on warnings when `strict`."""
    settings = _settings()
    from news_reader.check import ERROR, check_content, count_kinds

    findings = check_content(content, settings, tag_preferred=_tag_preferred(settings))
    warnings = [f for f in findings if f.level != ERROR]
    errors = len(findings) - len(warnings)
    unlisted = [] if warnings_listed is None or strict else warnings[warnings_listed:]
    hidden = {id(f) for f in unlisted}
    for finding in findings:
        if id(finding) not in hidden:
            print(finding)
    if unlisted:
        kinds = "; ".join(f"{count:,} × {kind}" for kind, count in count_kinds(unlisted))
        print(f"... and {len(unlisted):,} more warnings ({kinds}): `invoke check` lists them all")
    shown = os.path.relpath(content)
    print(f"checked {shown}: {errors} error(s), {len(warnings)} warning(s)", file=sys.stderr)
    if errors or (strict and warnings):
        raise Exit(code=1)


def _tag_preferred(settings: dict):
    """The tag rules' preferred spelling of a tag, when the tags plugin is there to say."""
    try:
        from news_tags.tags import load_rules, read_settings
    except ImportError:
        return None
    return load_rules(read_settings(settings)).normalise


@task(
    help={
        "title": "the headline",
        "section": "one of NEWS_SECTIONS",
        "source": "the outlet's name, when it reported the story",
        "source_url": "the outlet's article address (with --source)",
    }
)
def new(c, title, section, source=None, source_url=None):
    """Create a new article file with valid front matter at content/articles/YYYY/MM/<slug>.md."""
    settings = _settings()
    from news_reader.scaffold import NewArticleError, new_article

    try:
        path = new_article(CONTENT, title, section, settings, source=source, source_url=source_url)
    except NewArticleError as error:
        raise Exit(f"error: {error}", code=2) from None
    print(f"wrote {path.relative_to(ROOT)}: write the summary and the body, then run `invoke check`")


@task
def golden(c):
    """Regenerate the golden rendered pages in tests/golden/ (review the diff before committing)."""
    c.run(f"{sys.executable} -m tests.golden", env={"PYTHONHASHSEED": "0"})


@task(help={"sizes": "comma-separated numbers of articles (default 2000,5000,10000,20000)", "repeat": "runs per size"})
def bench_trending(c, sizes="2000,5000,10000,20000", repeat=3):
    """Time trending scoring (news_trending) at several archive sizes; writes benchmarks/results/trending.json."""
    import dataclasses
    import datetime as dt
    import json
    import platform
    import random
    import time
    from typing import Any

    sys.path.insert(0, str(ROOT / "plugins"))
    from news_trending.scoring import TrendConfig, TrendDocument, find_trends

    from benchmarks.corpus import scaled_documents

    counts = sorted({int(size) for size in str(sizes).split(",") if size.strip()})
    # The corpus' own dates span decades: spread the articles evenly over the 37 days that the windows and
    # their baselines cover, so every article is read, and shuffle so every size mixes the collections.
    corpus = list(scaled_documents(max(counts)))
    random.Random(0).shuffle(corpus)
    now = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
    config = TrendConfig()
    span = dt.timedelta(hours=max(w.hours for w in config.windows), days=config.baseline_days)
    rows: list[dict[str, Any]] = []
    for count in counts:
        documents = [
            TrendDocument(now - span * (i + 0.5) / count, d.title, d.summary, d.tags)
            for i, d in enumerate(corpus[:count])
        ]
        timings = []
        for _ in range(int(repeat)):
            started = time.perf_counter()
            results = find_trends(documents, now, config)
            timings.append(time.perf_counter() - started)
        best = min(timings)
        rows.append(
            {
                "articles": count,
                "seconds": round(best, 4),
                "microseconds_per_article": round(best / count * 1e6, 1),
                "top": {r.window.label: [t.label for t in r.trends[:3]] for r in results},
            }
        )
    base = rows[0]["microseconds_per_article"]
    print(f"{'articles':>9} {'seconds':>9} {'µs/article':>11} {'vs smallest':>12}")
    for row in rows:
        ratio = row["microseconds_per_article"] / base
        print(f"{row['articles']:>9} {row['seconds']:>9.3f} {row['microseconds_per_article']:>11.1f} {ratio:>11.2f}x")
    result = {
        "benchmark": "trending",
        "what": "news_trending.scoring.find_trends over corpus articles (title, summary, tags) spread over 37 days",
        "config": {k: v for k, v in dataclasses.asdict(config).items() if k != "extra_generic"},
        "repeat": int(repeat),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "rows": rows,
        "per_article_ratio_largest_to_smallest": round(rows[-1]["microseconds_per_article"] / base, 3),
    }
    out = ROOT / "benchmarks" / "results" / "trending.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


@task(help={"articles": "also rank related articles for this many corpus articles (e.g. 100000)"})
def bench_related(c, articles=0):
    """Related articles: Pearson on the Lee corpus, optional scale run; writes benchmarks/results/related.json."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from news_related.benchmark import lee_pearson, report, scale_run

    corpora = ROOT.parent / "shared" / "corpora"
    if not corpora.is_dir():
        raise Exit(f"{corpora}: not there; the benchmark needs ../shared/corpora beside the project.", code=2)
    scale = scale_run(int(articles), corpora / "news-text") if int(articles) else None
    lee = lee_pearson(corpora / "lee-news-similarity")
    for line in report(lee, scale, ROOT / "benchmarks" / "results" / "related.json"):
        print(line)


GOLDEN_LUNR = ROOT.parent / "shared" / "corpora" / "lunr" / "golden-lunrjs-2.3.9"


@task(help={"set_dir": "a golden set folder, pipeline-vectors, or the folder of all sets (the default)"})
def search_parity(c, set_dir=str(GOLDEN_LUNR)):
    """Build each golden set's index with our pipeline, query it in lunr.js (node), print N/M identical."""
    ensure_lunr(c)
    command = f"{sys.executable} -m news_search.parity {shlex.quote(str(set_dir))}"
    c.run(command, env={"PYTHONPATH": str(ROOT / "plugins")})


@task(help={"articles": "comma-separated archive sizes (default 10000,100000)"})
def bench_search(c, articles="10000,100000"):
    """Search at scale: build time, index size, kB fetched and ms to results; writes benchmarks/results/search.json."""
    ensure_lunr(c)
    sys.path.insert(0, str(ROOT / "plugins"))
    from news_search.bench import run

    from tests.sitebuild import SITE_SETTINGS, build_site

    def build_sample(output: Path) -> None:
        done = build_site(CONTENT, output, settings=SITE_SETTINGS)
        if done.returncode != 0:
            raise Exit(f"the sample site did not build:\n{done.stdout}{done.stderr}", code=1)

    counts = [int(n) for n in str(articles).split(",") if n.strip()]
    run(counts, ensure_chromium(c), ROOT / "benchmarks" / "results" / "search.json", build_sample)


EXTRACTION_BENCHMARK = ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark"


@task(help={"corpus": "the article-extraction-benchmark folder (html/*.html.gz + ground-truth.json)"})
def bench_extract(c, corpus=str(EXTRACTION_BENCHMARK)):
    """Article extraction: precision, recall, F1 and pages/s; writes benchmarks/results/extract.json."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from ingest.bench_extract import BenchmarkError, main

    try:
        main(
            Path(corpus),
            ROOT.parent / "shared" / "tools" / "extraction_score.py",
            ROOT / "benchmarks" / "results" / "extract.json",
        )
    except BenchmarkError as error:
        raise Exit(str(error), code=2) from None


@task(
    help={
        "paths": "pages: .html or .html.gz files or http(s) URLs, separated by commas or spaces (quote them)",
        "url": "the page's own URL, for a local file (resolves its relative links and images)",
        "json": "print {path: {title, authors, date, articleBody}} for every page",
        "section": "the section written in the front matter (one page, without --json)",
    }
)
def extract(c, paths, url=None, json=False, section="World"):
    """Run the article extractor alone: one page as front matter + Markdown, or pages as JSON (--json)."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from ingest.extract_cli import ExtractCommandError, run

    try:
        print(run(paths, url, json, section))
    except ExtractCommandError as error:
        raise Exit(f"error: {error}", code=2) from None


@task(help={"articles": "also cluster this many corpus articles and time it (e.g. 100000; 0: quality only)"})
def bench_stories(c, articles=0):
    """Story clusters: ECB+ and UCI B-cubed F1/ARI, optional scale run; writes benchmarks/results/stories.json."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from news_stories.bench import BenchmarkError, run

    corpora = ROOT.parent / "shared" / "corpora"
    if not corpora.is_dir():
        raise Exit(f"{corpora}: not there; the benchmark needs ../shared/corpora beside the project.", code=2)
    tool = ROOT.parent / "shared" / "tools" / "score_clustering.py"
    try:
        for line in run(corpora, tool, int(articles), ROOT / "benchmarks" / "results" / "stories.json"):
            print(line, flush=True)
    except BenchmarkError as error:
        raise Exit(f"error: {error}", code=2) from None


@task(
    help={
        "target": "a target name from PUBLISH_TARGETS in publishconf.py",
        "dry_run": "list what would be sent and deleted; change nothing",
        "force": "delete even more remote files than PUBLISH_MAX_DELETE / PUBLISH_MAX_DELETE_SHARE allow",
    }
)
def publish(c, target, dry_run=False, force=False):
    """Send output/ to a PUBLISH_TARGETS target: only changed files, then a summary."""
    from publish.pipeline import run as run_publish

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "plugins"))
    code = run_publish(PUBLISH_SETTINGS, target, OUTPUT, root=ROOT, dry_run=dry_run, force=force)
    if code:
        raise Exit(code=code)


@task(help={"articles": "comma-separated archive sizes (default 1000)", "keep": "keep the temporary folders"})
def bench(c, articles="1000", keep=False):
    """Whole build: bare Pelican vs full build, rebuilds, RSS, sizes; writes benchmarks/results/build.json."""
    from benchmarks.build import BenchmarkError, run
    from benchmarks.corpus import CorpusError

    ensure_lunr(c)  # the full build copies lunr.js into the output, as `invoke build` does
    try:
        counts = [int(n) for n in str(articles).split(",") if n.strip()]
        for line in run(counts, keep=bool(keep)):
            print(line, flush=True)
    except ValueError:
        raise Exit(f"--articles {articles!r}: expected comma-separated numbers, e.g. 1000,10000", code=2) from None
    except (BenchmarkError, CorpusError) as error:
        raise Exit(f"error: {error}", code=2) from None
