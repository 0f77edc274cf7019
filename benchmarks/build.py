"""The whole-build benchmark (`invoke bench --articles N`): bare Pelican against the full project build.

For each archive size N, in a fresh temporary directory (never in content/):

1. write N corpus articles (benchmarks/corpus.py) plus the project's pages, images and tag aliases;
2. build them with bare Pelican: no plugins, Pelican's own `notmyidea` theme (our theme needs `asset_url`,
   `trending` and other context that our plugins provide, so it cannot render without them);
3. build them with the full project (pelicanconf.py, PATH/OUTPUT_PATH and caches pointed at the temp dir);
4. add one article and rebuild; edit one article and rebuild (into the same output, as `invoke build` does),
   counting the output files rewritten and the files whose bytes changed;
4b. run `invoke build` twice in the temp dir, a project of its own (its content/ the archive; settings, theme
   and plugins linked from this one): the first runs the check and finds nothing changed, the second has
   nothing to do (news_output/unchanged.py);
5. record wall time, peak memory (each Pelican process's own peak RSS, or the summed PSS of it and its
   worker processes sampled every 0.2 s, whichever is larger), output size, search-index bytes and the
   time spent in each of our plugins.

Every Pelican run is a subprocess started as `python -m benchmarks.build child ...`: it times each of our
plugins' signal receivers and generators (news_related, news_trending, news_search, ...) without touching
their code, then runs Pelican's own `main()`. The parent prints a table, writes benchmarks/results/build.json
and, when matplotlib is installed, benchmarks/results/build.png.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.corpus import NEWS_TEXT, NewsDocument, require, scaled_documents, to_markdown, write_archive

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "pelicanconf.py"
RESULTS = ROOT / "benchmarks" / "results"
PROJECT_CONTENT = ROOT / "content"
# What the project's content/ holds besides articles; copied so that the full build sees a real archive.
PROJECT_EXTRAS = ("pages", "images", "tag-aliases.toml")
# The bench's folder is a project of its own, its content/ the archive: these are linked from the real one, so
# that `invoke build` runs there as an operator runs it, with the same settings (and caches) as the builds.
# tasks.py is copied: it finds its project from its own resolved path.
PROJECT_LINKS = ("pelicanconf.py", "publishconf.py", "package.json", "package-lock.json", "theme", "plugins",
                 "node_modules")  # fmt: skip
NOTHING_TO_DO = "nothing changed since the last build"  # how `invoke build` says it (news_output/unchanged.py)
PLUGIN_PREFIX = "news_"
WORKER_PREFIX = "worker: "  # plugin_seconds entries for news_output's worker processes (their own seconds)
SEARCH_OUTPUT_DIR = "search/data"  # news_search's default, not overridden by pelicanconf.py
# Bare Pelican renders with its default theme, which has none of our direct templates (home, 404, search).
# Its period_archives.html lists the whole period (`dates`) on every page, so paginating date archives as
# pelicanconf.py does would write each year's full list once per page of 50 (quadratic: 886 MB at 10,000
# articles): the bare build keeps our list pagination but not that.
BARE_OVERRIDES: dict[str, object] = {
    "PLUGINS": [],
    "THEME": "notmyidea",
    "DIRECT_TEMPLATES": ["index", "tags", "categories", "authors", "archives"],
    "PAGINATED_TEMPLATES": {"index": None, "category": None, "tag": None, "author": None},
    # Pelican's defaults: no content cache (saving one costs a cold build time and gives bare nothing here).
    "CACHE_CONTENT": False,
    "LOAD_CONTENT_CACHE": False,
}
EDIT_NOTE = "\n\nCorrection: an earlier version of this story gave a wrong figure (benchmark edit).\n"


class BenchmarkError(Exception):
    """A build in the benchmark failed, or its input is missing."""


@dataclasses.dataclass(frozen=True)
class RunResult:
    """One Pelican process: wall seconds, peak RSS and the seconds spent in each of our plugins."""

    seconds: float
    peak_rss_mb: float  # the larger of the Pelican process's peak RSS and the process tree's peak summed PSS
    plugin_seconds: dict[str, float]
    main_rss_mb: float = 0.0  # the Pelican process alone (ru_maxrss)


@dataclasses.dataclass(frozen=True)
class OutputChange:
    """How a rebuild changed the output folder compared with the build before it."""

    files: int
    rewritten: int  # new files and files whose modification time changed
    changed: int  # new files and files whose bytes changed
    removed: int


@dataclasses.dataclass(frozen=True)
class SizeResult:
    """One archive size measured end to end."""

    articles: int
    bare: RunResult
    full: RunResult
    add_one: RunResult
    add_one_output: OutputChange
    edit_one: RunResult
    edit_one_output: OutputChange
    bare_output_bytes: int
    bare_files: int
    output_bytes: int
    output_files: int
    search_index_bytes: int
    search_index_files: int
    commit: str = ""  # the project's commit measured (with "+changes" when the working tree differed)
    measured_at: str = ""
    # The corpus's next document (the "add one" rebuild) may fall anywhere in the archive's time span; a news
    # archive mostly grows at its newest end, measured as its own rebuild (not measured before 2026-11-24).
    added_date: str = ""  # the date of the one added
    last_date: str = ""  # the archive's newest date before it
    add_newest: RunResult | None = None
    add_newest_output: OutputChange | None = None
    # `invoke build` (the check, then the build) in the bench's folder after the rebuilds: the first time (no
    # record of a build by it: the check reads every file, the build finds nothing changed), then again (nothing
    # to do). Wall seconds of the whole command (not measured before 2026-11-24).
    invoke_first: float | None = None
    invoke_again: float | None = None

    @property
    def ratio(self) -> float:
        return self.full.seconds / self.bare.seconds

    @property
    def add_one_share(self) -> float:
        return self.add_one.seconds / self.full.seconds

    @property
    def add_newest_share(self) -> float | None:
        return None if self.add_newest is None else self.add_newest.seconds / self.full.seconds

    @property
    def edit_one_share(self) -> float:
        return self.edit_one.seconds / self.full.seconds

    @property
    def peak_rss_mb(self) -> float:
        runs = (self.bare, self.full, self.add_one, self.edit_one, self.add_newest)
        return max(run.peak_rss_mb for run in runs if run is not None)


# --- the benchmark ---------------------------------------------------------------------------------------


def run(counts: Sequence[int], results: Path = RESULTS, keep: bool = False) -> list[str]:
    """Measure every archive size in `counts`; return the report lines (the last one is the summary)."""
    require(NEWS_TEXT)
    if not counts or min(counts) < 1:
        raise BenchmarkError(f"--articles is {list(counts)}; expected one or more positive numbers, e.g. 1000,10000")
    measured = []
    for count in sorted(set(counts)):
        print(f"building {count} articles ...", flush=True)
        measured.append(measure_size(count, keep=keep))
    # Sizes measured earlier and not now stay in the results, each with the commit and time it was measured at.
    json_path = results / "build.json"
    kept = [r for r in load_results(json_path) if r.articles not in {m.articles for m in measured}]
    every = sorted([*kept, *measured], key=lambda r: r.articles)
    lines = table(every)
    results.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(to_json(every), indent=2) + "\n", encoding="utf-8")
    lines.append(
        f"wrote {_shown(json_path)}"
        + (f" (kept {', '.join(f'{r.articles:,}' for r in kept)} from before)" if kept else "")
    )
    png = plot(every, results / "build.png")
    lines.append(f"wrote {_shown(png)}" if png else "matplotlib is not installed: no plot (pip install matplotlib)")
    lines.append(summary(measured[-1]))
    return lines


def load_results(path: Path) -> list[SizeResult]:
    """The sizes in an earlier build.json (none when it is missing or in another layout)."""
    try:
        runs = json.loads(path.read_text(encoding="utf-8"))["runs"]
        return [_from_json(entry) for entry in runs]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _from_json(entry: dict[str, Any]) -> SizeResult:
    fields = {f.name for f in dataclasses.fields(SizeResult)}
    values = {name: value for name, value in entry.items() if name in fields}
    for name in ("bare", "full", "add_one", "edit_one", "add_newest"):
        if values.get(name) is not None:
            values[name] = RunResult(**values[name])
    for name in ("add_one_output", "edit_one_output", "add_newest_output"):
        if values.get(name) is not None:
            values[name] = OutputChange(**values[name])
    return SizeResult(**values)


def project_commit() -> str:
    """The commit the project is at, with "+changes" when plugins, theme, settings or benchmarks differ from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "plugins", "theme", "pelicanconf.py", "benchmarks"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if changed else "")


def measure_size(count: int, keep: bool = False) -> SizeResult:
    """Build one archive of `count` articles bare, full, after adding one and after editing one."""
    work = Path(tempfile.mkdtemp(prefix=f"news-bench-{count}-"))
    try:
        # The archive, and two more articles held back for the "add one" and "add the newest" rebuilds.
        documents = list(scaled_documents(count + 2))
        content = work / "content"
        write_archive(documents[:count], content)
        _copy_project_extras(content)
        for name in PROJECT_LINKS:
            (work / name).symlink_to(ROOT / name)
        shutil.copy2(ROOT / "tasks.py", work / "tasks.py")
        settings = work / "pelicanconf.py"  # as `invoke build` there reads it: the same settings, paths and caches

        # Bare Pelican and the full build, each from cold caches into its own output.
        bare_out = work / "output-bare"
        bare_cache = work / "cache-bare"
        bare = pelican_run(content, bare_out, {**BARE_OVERRIDES, "CACHE_PATH": str(bare_cache)}, True, settings)
        bare_files = list(_files(bare_out))
        bare_bytes = sum(p.stat().st_size for p in bare_files)
        shutil.rmtree(bare_out)  # not part of the project `invoke build` looks at below
        shutil.rmtree(bare_cache, ignore_errors=True)
        full_out = work / "output"
        full_settings = {"CACHE_PATH": str(work / "cache"), "RELATED_CACHE_PATH": str(work / "cache" / "related.json")}
        full = pelican_run(content, full_out, full_settings, True, settings)
        before = snapshot(full_out)

        # One new article (the corpus's next, whatever its date, entering the archive after all the others, as
        # ingest writes it), one newer than all the others, then one edited article, each rebuilt into the
        # same output.
        write_archive([added_now(documents[count], documents[:count])], content)
        add_one = pelican_run(content, full_out, full_settings, False, settings)
        after_add = snapshot(full_out)
        newest = newest_article(documents[count + 1], documents[: count + 1])
        write_archive([newest], content)
        add_newest = pelican_run(content, full_out, full_settings, False, settings)
        after_newest = snapshot(full_out)
        edit_article(content, documents[count // 2])
        edit_one = pelican_run(content, full_out, full_settings, False, settings)
        after_edit = snapshot(full_out)

        # The operator's command: `invoke build` twice, nothing changed since the last build.
        invoke_first, said = invoke_build(work)
        invoke_again, said_again = invoke_build(work)
        if NOTHING_TO_DO in said or NOTHING_TO_DO not in said_again:
            raise BenchmarkError(f"`invoke build` twice in {work}: expected a build, then nothing to do; it said:\n"
                                 f"{said[-2000:]}\n---\n{said_again[-2000:]}")  # fmt: skip

        search = full_out / SEARCH_OUTPUT_DIR
        return SizeResult(
            articles=count,
            bare=bare,
            full=full,
            add_one=add_one,
            add_one_output=compare(before, after_add),
            edit_one=edit_one,
            edit_one_output=compare(after_newest, after_edit),
            bare_output_bytes=bare_bytes,
            bare_files=len(bare_files),
            output_bytes=sum(size for size, _, _ in before.values()),
            output_files=len(before),
            search_index_bytes=sum(p.stat().st_size for p in _files(search)),
            search_index_files=sum(1 for _ in _files(search)),
            commit=project_commit(),
            measured_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            added_date=f"{documents[count].date:%Y-%m-%d}",
            last_date=f"{max(d.date for d in documents[:count]):%Y-%m-%d}",
            add_newest=add_newest,
            add_newest_output=compare(after_add, after_newest),
            invoke_first=invoke_first,
            invoke_again=invoke_again,
        )
    finally:
        if keep:
            print(f"kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _copy_project_extras(content: Path) -> None:
    for name in PROJECT_EXTRAS:
        source = PROJECT_CONTENT / name
        if source.is_dir():
            shutil.copytree(source, content / name, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, content / name)


def added_now(document: NewsDocument, archive: Sequence[NewsDocument]) -> NewsDocument:
    """`document` as ingest writes a new article: `added` (when it entered the archive) after every article of
    `archive`, an hour after the newest; its date stays its own (the corpus's next can be years older)."""
    return dataclasses.replace(document, added=max(d.date for d in archive) + dt.timedelta(hours=1))


def newest_article(document: NewsDocument, archive: Sequence[NewsDocument]) -> NewsDocument:
    """`document` re-dated an hour after the newest of `archive`, with a slug of its own: an article that
    arrives at the archive's newest end, as news does. Below 28,900 articles it is a story the archive does
    not have; above, a copy of one it has (the corpus has no more)."""
    last = max(archive, key=lambda d: d.date)
    return dataclasses.replace(
        document,
        ident=f"{document.ident}-newest",
        slug=f"{document.slug}-newest",
        date=last.date + dt.timedelta(hours=1),
    )


def edit_article(content: Path, document: NewsDocument) -> None:
    """Append a correction paragraph to one article's file, as an editor fixing a story would."""
    path = content / "articles" / f"{document.date:%Y}" / f"{document.date:%m}" / f"{document.slug}.md"
    if not path.is_file():
        raise BenchmarkError(f"{path}: the article to edit is not there; write_archive() should have written it")
    path.write_text(to_markdown(document) + EDIT_NOTE, encoding="utf-8")


# --- one Pelican process ---------------------------------------------------------------------------------


def invoke_build(project: Path) -> tuple[float, str]:
    """`invoke build` in `project`, as an operator runs it (not CI's strict build): wall seconds, and its output."""
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "build"], cwd=project, env={**env, "PYTHONHASHSEED": "0", "COLUMNS": "200"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchmarkError(f"`invoke build` in {project} failed (exit {done.returncode}):\n{done.stdout[-3000:]}"
                             f"{done.stderr[-3000:]}")  # fmt: skip
    return round(seconds, 2), done.stdout + done.stderr


def pelican_run(
    content: Path, output: Path, extra: Mapping[str, object], clean: bool, settings: Path = SETTINGS
) -> RunResult:
    """Run Pelican on `content` with `settings` (pelicanconf.py) and `extra` overrides in a timed child process."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        timings = Path(handle.name)
    overrides = [f"{name}={json.dumps(value)}" for name, value in extra.items()]
    command = [sys.executable, "-m", "benchmarks.build", "child", str(timings), "--"]
    # Not -q: that hides Pelican's (and our plugins') errors, and a failed run must say why.
    command += [str(content), "-s", str(settings), "-o", str(output), "--extra-settings", *overrides]
    if clean:
        command.append("--delete-output-directory")
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200"}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    sampler = TreeMemory(process.pid)
    sampler.start()
    log = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    try:
        plugin_seconds = json.loads(timings.read_text(encoding="utf-8") or "{}")
    finally:
        timings.unlink(missing_ok=True)
    if process.returncode != 0:
        raise BenchmarkError(
            f"Pelican failed (exit {process.returncode}) building {content} into {output}; its log:\n"
            f"{log.decode('utf-8', 'replace')[-4000:]}\nrun the command yourself to see more: {shlex.join(command)}"
        )
    # ru_maxrss is in kilobytes on Linux. Worker processes (reading, rendering, search) are not in it: the
    # sampler's peak of the whole process tree's memory is; the larger of the two is reported.
    peak = max(usage.ru_maxrss / 1024, sampler.peak_mb)
    return RunResult(round(seconds, 2), round(peak, 1), plugin_seconds, round(usage.ru_maxrss / 1024, 1))


class TreeMemory(threading.Thread):
    """Samples, every 0.2 s, the memory of a process and all its descendants (the build's worker processes):
    the sum of their proportional set sizes (PSS), in which a page shared after fork counts once in all, so
    the sum is the physical memory the build holds. Summed RSS would count each shared page once per process."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child(argv: Sequence[str]) -> int:
    """In the Pelican process: time our plugins' receivers and generators, run Pelican, save the timings."""
    timings_path, pelican_args = Path(argv[0]), list(argv[2:] if argv[1:2] == ["--"] else argv[1:])
    totals: dict[str, float] = {}
    _time_plugin_receivers(totals)

    def save() -> None:
        # news_output waits for its worker processes at exit (an exit handler registered during the build,
        # so it runs before this one): their seconds are known only now.
        writer = sys.modules.get("news_output.writer")
        for what, seconds in sorted(getattr(writer, "worker_seconds", {}).items()):
            totals[f"{WORKER_PREFIX}{what}"] = seconds
        timings_path.write_text(json.dumps({k: round(v, 3) for k, v in sorted(totals.items())}), encoding="utf-8")

    atexit.register(save)
    import pelican

    try:
        pelican.main(pelican_args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


def _plugin_of(thing: object) -> str | None:
    module = getattr(thing, "__module__", None) or ""
    top = module.split(".")[0]
    return top if top.startswith(PLUGIN_PREFIX) else None


def _timed(totals: dict[str, float], plugin: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[plugin] = totals.get(plugin, 0.0) + time.perf_counter() - started

    return wrapper


def _time_plugin_receivers(totals: dict[str, float]) -> None:
    """Make every receiver a news_* plugin connects count its time, every generator class it adds count
    its generate_context/generate_output, and every reader class it adds count its read(). Pelican is not
    changed."""
    import blinker

    original_connect = blinker.Signal.connect
    timed_classes: set[type] = set()

    def time_class(cls: type, plugin: str, methods: tuple[str, ...]) -> None:
        if cls not in timed_classes:
            timed_classes.add(cls)
            for method in methods:
                if hasattr(cls, method):
                    setattr(cls, method, _timed(totals, plugin, getattr(cls, method)))

    def time_added_classes(args: tuple[Any, ...], result: Any, plugin: str) -> Any:
        # get_generators receivers return a generator class; readers_init receivers add reader classes.
        if isinstance(result, type):
            time_class(result, plugin, ("generate_context", "generate_output"))
        for readers in args:
            for reader in getattr(readers, "reader_classes", {}).values():
                if _plugin_of(reader) == plugin:
                    time_class(reader, plugin, ("read",))
        return result

    def connect(self: blinker.Signal, receiver: Any, sender: Any = blinker.ANY, weak: bool = True) -> Any:
        plugin = _plugin_of(receiver)
        if plugin is None:
            return original_connect(self, receiver, sender, weak)
        timed = _timed(totals, plugin, receiver)

        def receive(*args: Any, **kwargs: Any) -> Any:
            return time_added_classes(args, timed(*args, **kwargs), plugin)

        # A strong reference: the wrapper has no other owner (the plugin's own function stays alive anyway).
        original_connect(self, receive, sender, False)
        return receiver

    blinker.Signal.connect = connect  # type: ignore[method-assign]


# --- the output folder -----------------------------------------------------------------------------------

Snapshot = dict[str, tuple[int, int, str]]  # relative path -> (size, mtime_ns, sha1)


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (p for p in folder.rglob("*") if p.is_file())


def snapshot(folder: Path) -> Snapshot:
    """Every file under `folder` with its size, modification time and content hash."""
    found: Snapshot = {}
    for path in _files(folder):
        stat = path.stat()
        digest = hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()
        found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns, digest)
    return found


def compare(before: Snapshot, after: Snapshot) -> OutputChange:
    rewritten = changed = 0
    for name, (_, mtime, digest) in after.items():
        old = before.get(name)
        rewritten += old is None or old[1] != mtime
        changed += old is None or old[2] != digest
    return OutputChange(len(after), rewritten, changed, len(before.keys() - after.keys()))


# --- the report ------------------------------------------------------------------------------------------


def _plugin_names(measured: Sequence[SizeResult]) -> list[str]:
    return sorted({name for result in measured for name in result.full.plugin_seconds})


def table(measured: Sequence[SizeResult]) -> list[str]:
    """One column per archive size, one row per figure."""
    rows: list[tuple[str, list[str]]] = [
        ("articles", [f"{r.articles:,}" for r in measured]),
        ("measured at commit", [r.commit or "?" for r in measured]),
        ("bare Pelican (notmyidea theme), s", [f"{r.bare.seconds:.1f}" for r in measured]),
        ("full build, s", [f"{r.full.seconds:.1f}" for r in measured]),
        ("full / bare", [f"{r.ratio:.2f}" for r in measured]),
        ("rebuild after adding one, s", [f"{r.add_one.seconds:.1f} ({r.add_one_share:.1%})" for r in measured]),
        ("  files rewritten / changed", [_change(r.add_one_output) for r in measured]),
        ("  its date / the archive's last", [f"{r.added_date or '?'} / {r.last_date or '?'}" for r in measured]),
        ("rebuild after adding the newest, s", [_newest(r) for r in measured]),
        (
            "  files rewritten / changed",
            ["–" if r.add_newest_output is None else _change(r.add_newest_output) for r in measured],
        ),
        ("rebuild after editing one, s", [f"{r.edit_one.seconds:.1f} ({r.edit_one_share:.1%})" for r in measured]),
        ("  files rewritten / changed", [_change(r.edit_one_output) for r in measured]),
        ("`invoke build` then, first / again, s", [_invoke(r) for r in measured]),
        ("peak memory bare / full, MB", [f"{r.bare.peak_rss_mb:.0f} / {r.full.peak_rss_mb:.0f}" for r in measured]),
        ("output bare / full, MB", [f"{r.bare_output_bytes / 1e6:.1f} / {r.output_bytes / 1e6:.1f}" for r in measured]),
        ("output files bare / full", [f"{r.bare_files:,} / {r.output_files:,}" for r in measured]),
        (
            "search index, MB (files)",
            [f"{r.search_index_bytes / 1e6:.1f} ({r.search_index_files:,})" for r in measured],
        ),
    ]
    for name in _plugin_names(measured):
        worker = name.removeprefix(WORKER_PREFIX)
        label = f"in {name}, s" if worker == name else f"in workers: {worker}, s"
        seconds = [r.full.plugin_seconds.get(name) for r in measured]  # None: not measured at that commit
        rows.append((label, ["–" if value is None else f"{value:.1f}" for value in seconds]))
    width = max(len(label) for label, _ in rows)
    cells = [max(len(row[1][i]) for row in rows) for i in range(len(measured))]
    lines = []
    for label, values in rows:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(values, cells, strict=True)))
    lines.append(
        "bare: pelicanconf.py without plugins, with Pelican's notmyidea theme (ours needs our plugins' context) and "
        "unpaginated date archives (notmyidea lists the whole period on each page)"
    )
    lines.append(
        "plugin times: in the full build, everything each plugin's receivers, generators and reader do in the "
        "Pelican process; workers: the seconds of news_output's worker processes (render workers summed), which "
        "run beside it; rebuilds go into the existing output, as `invoke build` does"
    )
    lines.append(
        "`invoke build` then: the whole command after the edit, in the bench's folder: first (the check reads "
        "every file, then a build with nothing changed), again (the check, then nothing to do)"
    )
    return lines


def _newest(result: SizeResult) -> str:
    if result.add_newest is None or result.add_newest_share is None:
        return "–"  # measured before the bench had it
    return f"{result.add_newest.seconds:.1f} ({result.add_newest_share:.1%})"


def _invoke(result: SizeResult) -> str:
    if result.invoke_first is None or result.invoke_again is None:
        return "–"  # measured before the bench had it
    return f"{result.invoke_first:.1f} / {result.invoke_again:.1f}"


def _change(change: OutputChange) -> str:
    return f"{change.rewritten:,} / {change.changed:,} of {change.files:,}"


def summary(result: SizeResult) -> str:
    return (
        f"full/bare ratio {result.ratio:.2f}; add-one rebuild {result.add_one_share * 100:.1f}% of full; "
        f"peak RSS {result.peak_rss_mb:.0f} MB"
    )


def to_json(measured: Sequence[SizeResult]) -> dict[str, Any]:
    runs = []
    for result in measured:
        entry = dataclasses.asdict(result)
        entry["full_over_bare"] = round(result.ratio, 3)
        entry["add_one_share_of_full"] = round(result.add_one_share, 4)
        share = result.add_newest_share
        entry["add_newest_share_of_full"] = None if share is None else round(share, 4)
        entry["edit_one_share_of_full"] = round(result.edit_one_share, 4)
        entry["peak_rss_mb"] = result.peak_rss_mb
        runs.append(entry)
    return {
        "benchmark": "build",
        "what": "bare Pelican (no plugins, notmyidea theme) vs the full project build on corpus archives; "
        "rebuilds into the same output after adding one article (the corpus's next, whatever its date), adding "
        "one newer than all the others, and editing one; then `invoke build` twice in the bench's folder (the "
        "whole command: the check, then a build with nothing changed; then nothing to do)",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
        "summary": summary(measured[-1]),
    }


def plot(measured: Sequence[SizeResult], path: Path) -> Path | None:
    """Build time against archive size, or None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    counts = [r.articles for r in measured]
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    series: dict[str, list[float]] = {
        "bare Pelican (notmyidea)": [r.bare.seconds for r in measured],
        "full build": [r.full.seconds for r in measured],
        "rebuild, one added": [r.add_one.seconds for r in measured],
        "rebuild, newest added": [math.nan if r.add_newest is None else r.add_newest.seconds for r in measured],
        "rebuild, one edited": [r.edit_one.seconds for r in measured],
        "`invoke build`, nothing changed": [math.nan if r.invoke_again is None else r.invoke_again for r in measured],
    }
    for label, seconds in series.items():
        axes.plot(counts, seconds, marker="o", label=label)
    if len(counts) > 1:
        axes.set_xscale("log")
        axes.set_yscale("log")
    axes.set_xlabel("articles")
    axes.set_ylabel("wall time, s")
    axes.set_title(f"Build time against archive size ({os.cpu_count()} cores)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        sys.exit(child(sys.argv[2:]))
    sys.exit("usage: python -m benchmarks.build child TIMINGS.json -- PELICAN_ARGS (use `invoke bench` instead)")
