"""Render pages on every core: plan every page first, render them all at the end, in forked workers.

Pelican renders each page the moment a generator asks for it, on one core. This writer splits that in two:

1. **Planning** (each `write_file` call, in the Pelican process): what Pelican's `write_file` does before it
   renders, in the same order: pagination, the output names, the checks against writing one file twice, and
   the `content_written` signal (the sitemap listens to it). No folder or file is made yet. The call itself
   is kept as a job.
2. **Rendering** (`start()`, once the articles' pages are planned and again at `finalized`): the jobs go out
   in batches of about `OUTPUT_WORKER_PAGES` pages, each to its own process forked from the Pelican process,
   `BUILD_WORKERS` (news_reader's setting, one per core by default) at a time; a worker sees the finished
   context without pickling anything, and exits after its batch (its memory grows with every page: see
   start()). Each job is Pelican's `write_file` again, now for real, with the checks already done. A job
   that overwrites another's file (`override_output`) is rendered afterwards, in order, by the Pelican
   process. The workers render while the Pelican process goes on (planning the other pages, building the
   search index, the sitemap), starting the next batches as they finish; `finish()` waits for them.

A template error in a worker fails the build with the output file's name and the error. With
`BUILD_WORKERS = 0` pages are rendered at once, as Pelican does (tests compare the two byte for byte).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import io
import logging
import os
import pickle
import select
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from news_feeds import AbsoluteFeedWriter
from news_reader import BuildError, in_forked_worker, reading_fingerprint, worker_count
from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError

from . import pages
from .pagination import StablePaginator, pages_in_order
from .settings import flag, worker_pages

logger = logging.getLogger(__name__)


class OutputError(BuildError, RuntimeError):
    """A page failed to render."""


@dataclasses.dataclass
class Job:
    """One `write_file` call, kept until every page is known."""

    name: str
    template: Any
    context: dict[str, Any]
    options: dict[str, Any]  # relative_urls, paginated, template_name, override_output, url
    kwargs: dict[str, Any]
    pages: list[str] = dataclasses.field(default_factory=list)  # output paths it writes, in order
    names: list[str] = dataclasses.field(default_factory=list)  # each page's output name (`output_file`)
    page_kwargs: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # each page's own variables
    discarded: set[str] = dataclasses.field(default_factory=set)  # paths Pelican sends to os.devnull
    in_order: bool = False  # overwrites or is overwritten: rendered last, in the Pelican process


# output folder -> the previous build set aside beside it (filled by output.set_aside while a build runs)
previous_builds: dict[str, str] = {}
# output folders (absolute) whose builds record the pages' reads: OUTPUT_PAGE_RECORDS with unchanged files kept.
# output.set_aside decides, at the start of each build; the templates are traced and the records kept for these.
recording_outputs: set[str] = set()


def output_key(output: str | os.PathLike[str]) -> str:
    return os.path.normpath(os.path.abspath(output))


@dataclasses.dataclass
class _Rendered:
    """What rendering a share of the pages sends back to the Pelican process."""

    records: dict[str, pages.Record] = dataclasses.field(default_factory=dict)  # output name -> its record
    kept: int = 0  # pages whose recorded reads were unchanged: the previous build's file was kept, unrendered
    untracked: int = 0  # pages rendered without a record (a read the tracer cannot replay)
    why: str = ""  # the first such read

    def add(self, other: _Rendered) -> None:
        self.records.update(other.records)
        self.kept += other.kept
        self.untracked += other.untracked
        self.why = self.why or other.why


class _KeptIfSame(io.StringIO):
    """A page's text, written when closed, unless the previous build's file has the very same bytes: then that
    file is moved into place, keeping its modification time, with its folder when it is alone there (the
    workers compare pages in parallel, so the end of the build compares only the files written outside this
    writer)."""

    def __init__(self, path: str, previous: str, encoding: str) -> None:
        super().__init__()
        self.path, self.previous, self.encoding_name = path, previous, encoding

    def close(self) -> None:
        if not self.closed:
            data = self.getvalue().encode(self.encoding_name)
            if not _same_bytes(self.previous, data):
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                with open(self.path, "wb") as handle:
                    handle.write(data)
            else:
                _move_back(self.previous, self.path)
        super().close()


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.path.islink(path) or os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


class OutputWriter(AbsoluteFeedWriter):
    """Pelican's writer (with news_feeds' absolute feed links) that renders pages in parallel at the end."""

    def __init__(self, output_path: str, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.workers = worker_count(self.settings)
        self.stable_pagination = flag(self.settings, "OUTPUT_STABLE_PAGINATION")
        self.jobs: list[Job] = []
        self._rendering: Job | None = None
        self._children: list[_Child] = []  # render workers alive
        self._batches: list[list[Job]] = []  # shares of the pages not yet given to a render worker
        self._failures: list[str] = []  # what went wrong in the render workers so far
        self._slots = 0  # render workers alive at once
        self.forked = 0  # render workers started in this build (one per batch)
        self._planned = 0  # pages planned: every few, a look at the render workers
        self.pages = 0  # pages handed to workers or rendered
        self.pages_here = 0  # of those, rendered in the Pelican process, on one core (override_output)
        self.rendered = _Rendered()  # records and counts of the pages rendered so far
        self._previous_records: dict[str, pages.Record] | None = None  # the last build's, once loaded
        self._version = ""
        self._replayer = pages.Replayer()
        _active.append(self)

    # --- planning ----------------------------------------------------------------------------------------

    def write_file(
        self,
        name: str,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: Any = None,
        template_name: str | None = None,
        override_output: bool = False,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        options = {
            "relative_urls": relative_urls,
            "paginated": paginated,
            "template_name": template_name,
            "override_output": override_output,
            "url": url,
        }
        if self._rendering is not None:
            return super().write_file(name, template, context, **options, **kwargs)
        if not name:
            return None
        job = Job(name, template, context, options, kwargs)
        self._plan(job, relative_urls, paginated, template_name, override_output, url)
        if self.workers == 0:  # each page rendered the moment it is asked for, as Pelican does
            self._render_here([job])
        else:
            self.jobs.append(job)
            self._planned += 1
            if self._planned % 256 == 0:  # planning goes on while the workers render: start the next batches
                self._look_after_workers(wait=False)
        return None

    def _plan(
        self, job: Job, relative_urls: bool, paginated: Any, template_name: str | None, override: bool, url: Any
    ) -> None:
        """What Pelican's `Writer.write_file` (4.12) does before it renders: the pages of a paginated template
        and each page's local context, then for each page the checks against writing a file twice and the
        `content_written` signal. Nothing is created on disk: the render workers make the folders."""
        name, kwargs = job.name, job.kwargs
        if paginated is None:
            paginated = {key: value for key, value in kwargs.items() if key in {"articles", "dates"}}
        if not (paginated and template_name in self.settings["PAGINATED_TEMPLATES"]):
            self._plan_page(job, name, kwargs, relative_urls, override)
            return
        per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
        kind = StablePaginator if self.stable_pagination else Paginator
        paginators = {key: kind(name, url, value, self.settings, per_page) for key, value in paginated.items()}
        count = next(iter(paginators.values())).num_pages
        in_order = {key: pages_in_order(paginator, count) for key, paginator in paginators.items()}
        for position in range(count):
            page_kwargs = kwargs.copy()
            for key, paginator in paginators.items():
                page = in_order[key][position]
                page_kwargs[f"{key}_paginator"] = paginator
                page_kwargs[f"{key}_page"] = page
                page_kwargs[f"{key}_previous_page"] = in_order[key][position - 1] if position > 0 else None
                page_kwargs[f"{key}_next_page"] = (
                    in_order[key][position + 1] if position + 1 < min(count, paginator.num_pages) else None
                )
            self._plan_page(job, page.save_as, page_kwargs, relative_urls, override)

    def _plan_page(self, job: Job, name: str, kwargs: dict[str, Any], relative_urls: bool, override: bool) -> None:
        localcontext = _local_context(job.context, name, kwargs, relative_urls)
        path = sanitised_join(self.output_path, name)
        self._plan_open(job, path, override)
        job.names.append(name)
        job.page_kwargs.append(kwargs)
        signals.content_written.send(path, context=localcontext)

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        rendering = self._rendering
        if rendering is not None:
            if filename in rendering.discarded:
                return open(os.devnull, "w", encoding=encoding)
            previous = previous_builds.get(os.path.normpath(self.output_path))
            if previous is None:
                os.makedirs(os.path.dirname(filename), exist_ok=True)
                return open(filename, "w", encoding=encoding)
            return _KeptIfSame(filename, os.path.join(previous, os.path.relpath(filename, self.output_path)), encoding)
        return super()._open_w(filename, encoding, override)

    def _plan_open(self, job: Job, filename: str, override: bool) -> None:
        """Pelican's checks against writing a file twice (Writer._open_w), without opening anything."""
        job.pages.append(filename)
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            logger.info('Skipping "%s", not overwriting', filename)
            job.discarded.add(filename)
            job.in_order = True
        elif filename in self._written_files:
            if not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it previously '
                    "(set `override=True` if intended)"
                )
            logger.info('Overwriting "%s"', filename)
            job.in_order = True
        if override:
            self._overridden_files.add(filename)
            job.in_order = True
        self._written_files.add(filename)

    # --- rendering ---------------------------------------------------------------------------------------

    def start(self, children: int) -> None:
        """Hand the pages planned so far to forked workers, `children` at a time, which render them while this
        process goes on. Jobs that overwrite or are overwritten stay for finish(). With one worker, nothing
        starts: finish() renders every page here.

        The pages go out in batches of about `OUTPUT_WORKER_PAGES` (10,000), one forked worker per batch.
        A worker's memory grows with every page it renders: each object it reads (an article, its tags, the
        related articles' titles) has its reference count written, which copies the object's page out of
        what it shares with this process. At 100,000 articles one worker for 77,000 pages ended with 850 MB
        of its own; a fresh worker per batch starts again from nothing. Never more than `children` at once:
        four render workers alive together brought a 100,000-article build to 3.9 GB."""
        if self.workers <= 1:
            return
        queued, self.jobs = _by_order(self.jobs)
        if not queued:
            return
        self.pages += sum(len(job.pages) - len(job.discarded) for job in queued)
        self._load_records(queued[0].template)
        self._batches.extend(_batches(queued, children, worker_pages(self.settings)))
        del queued  # before the forks: each batch is kept until its worker exits (see _Child.batch)
        self._slots = children
        self._look_after_workers(wait=False)

    def _look_after_workers(self, wait: bool) -> None:
        """Collect the render workers that are done (waiting for one if `wait`), and start the next batches."""
        if self._children:
            readers = [child.reader for child in self._children]
            ready, _, _ = select.select(readers, [], [], None if wait else 0)
            for child in [child for child in self._children if child.reader in ready]:
                self._children.remove(child)
                ok, payload = _report(child)
                if not ok:
                    self._failures.append(str(payload))
                elif isinstance(payload, _Rendered):
                    self.rendered.add(payload)
        while self._batches and len(self._children) < self._slots:
            batch = self._batches.pop(0)
            child = _fork(functools.partial(self._render, batch), "render worker")
            child.batch = batch
            self._children.append(child)
            self.forked += 1

    def finish(self) -> int:
        """Hand the pages planned since start() to the workers too and wait for them (this process only
        looks after them: each page it rendered would copy what the page reads out of what the workers
        share); then render here the jobs that overwrite or are overwritten, in order. Return how many pages
        were written. OutputError names each page that failed."""
        self.start(self.workers)
        while self._children or self._batches:
            self._look_after_workers(wait=True)
        failures, self._failures = self._failures, []
        if failures:
            raise OutputError("; ".join(failures))
        ahead, last = _by_order(self.jobs)  # ahead: only with one worker
        self.jobs = []
        self._render_here(ahead)
        self._render_here(last)
        self._save_records()
        return self.pages

    def _render_here(self, jobs: list[Job]) -> None:
        """Render jobs in this process, in order."""
        if not jobs:
            return
        self._load_records(jobs[0].template)
        with signals.content_written.muted():  # planning sent it already, once per page
            self.rendered.add(self._render(jobs))
        pages = sum(len(job.pages) - len(job.discarded) for job in jobs)
        self.pages += pages
        self.pages_here += pages

    # --- page records (pages.py) ---------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        """Whether this build records what its pages read (and keeps the pages whose reads are unchanged)."""
        return bool(self._version)

    def _records_path(self) -> Path | None:
        output = output_key(self.output_path)
        cache = self.settings.get("CACHE_PATH")
        if output not in recording_outputs or not cache:
            return None
        return Path(cache) / pages.records_name(output)

    def _load_records(self, template: Any) -> None:
        """Once per build, in the Pelican process (before the workers fork): the last build's records, when
        the content cache is read and the last build's output was set aside."""
        if self._previous_records is not None:
            return
        self._previous_records = {}
        path = self._records_path()
        if path is None or not pages.traceable(template):
            return
        self._version = pages.render_version(template.environment, reading_fingerprint(self.settings))
        previous = previous_builds.get(os.path.normpath(self.output_path))
        if self.settings.get("LOAD_CONTENT_CACHE") and previous is not None:
            self._previous_records = pages.load_records(path, self._version)
        else:
            with contextlib.suppress(OSError):
                os.remove(path)

    def _save_records(self) -> None:
        path = self._records_path()
        if path is None or not self._version or not self.settings.get("CACHE_CONTENT"):
            return
        pages.save_records(path, self._version, self.rendered.records)

    def _render(self, jobs: Iterable[Job]) -> _Rendered:
        """Render the jobs' pages (what Pelican's `write_file` does once it has planned them), each traced
        and recorded, or kept from the previous build when its recorded reads are unchanged."""
        done = _Rendered()
        for job in jobs:
            self._rendering = job
            try:
                for path, name, kwargs in zip(job.pages, job.names, job.page_kwargs, strict=True):
                    self._render_page(job, path, name, kwargs, done)
            except Exception as exc:
                raise OutputError(f"{job.name}: {type(exc).__name__}: {exc}") from exc
            finally:
                self._rendering = None
        return done

    def _render_page(self, job: Job, path: str, name: str, kwargs: dict[str, Any], done: _Rendered) -> None:
        template = job.template
        localcontext = _local_context(job.context, name, kwargs, job.options["relative_urls"])
        recording = pages.traceable(template) and path not in job.discarded and bool(self._version)
        if recording and self._keep_previous(job, path, name, kwargs, localcontext, done):
            return
        if not recording:
            self._write_page(job, path, template.render(localcontext))
            return
        tracer = pages.Tracer(localcontext, template.globals)
        with pages.tracing(tracer):
            output = template.render(localcontext)
        self._write_page(job, path, output)
        if tracer.untracked:
            done.untracked += 1
            done.why = done.why or f"{name}: {tracer.untracked}"
            return
        observations, digest = tracer.record()
        info = os.stat(path)
        done.records[name] = pages.Record(template.name, observations, digest, info.st_size, info.st_mtime_ns)

    def _write_page(self, job: Job, path: str, output: str) -> None:
        with self._open_w(path, "utf-8", override=job.options["override_output"]) as handle:  # makes the folder
            handle.write(output)
        logger.info('Writing "%s"', path)

    def _keep_previous(
        self, job: Job, path: str, name: str, kwargs: dict[str, Any], localcontext: dict[str, Any], done: _Rendered
    ) -> bool:
        """Put back the previous build's file for this page, unrendered, if the page would read what it read."""
        template = job.template
        record = (self._previous_records or {}).get(name)
        previous_build = previous_builds.get(os.path.normpath(self.output_path))
        if record is None or previous_build is None or record.template != template.name:
            return False
        previous = os.path.join(previous_build, os.path.relpath(path, self.output_path))
        if not pages.unchanged_file(record, previous):
            return False
        local = None if job.options["relative_urls"] else frozenset(kwargs).union(_PER_PAGE)
        if self._replayer.digest(localcontext, template, record.observations, local) != record.digest:
            return False
        _move_back(previous, path)
        done.records[name] = record
        done.kept += 1
        return True


def _by_order(jobs: list[Job]) -> tuple[list[Job], list[Job]]:
    """(jobs any process may render at any time, jobs that overwrite or are overwritten: last, in order)."""
    return [job for job in jobs if not job.in_order], [job for job in jobs if job.in_order]


def _local_context(context: dict[str, Any], name: str, kwargs: dict[str, Any], relative_urls: bool) -> dict[str, Any]:
    """A page's template variables, as Pelican's `write_file` (4.12) makes them; like Pelican, it also sets the
    shared context's `localsiteurl`, which articles' links read."""
    localcontext = context.copy()
    localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
    if relative_urls:
        relative_url = path_to_url(get_relative_path(name))
        localcontext["SITEURL"] = relative_url
        localcontext["localsiteurl"] = relative_url
    localcontext["output_file"] = name
    localcontext.update(kwargs)
    if localcontext["localsiteurl"]:
        context["localsiteurl"] = localcontext["localsiteurl"]
    return localcontext


_PER_PAGE = frozenset({"output_file", "localsiteurl"})  # set for each page besides its own variables


def _move_back(previous: str, path: str) -> None:
    """Put the previous build's file back at `path`. A page alone in its folder (`slug/index.html`) goes back
    with its folder, in one rename: making each page's folder anew is the slowest part of keeping a page."""
    folder, old_folder = os.path.dirname(path), os.path.dirname(previous)
    if not os.path.exists(folder):
        with contextlib.suppress(OSError):
            if os.listdir(old_folder) == [os.path.basename(previous)]:
                os.makedirs(os.path.dirname(folder), exist_ok=True)
                os.rename(old_folder, folder)
                return
        os.makedirs(folder, exist_ok=True)
    os.replace(previous, path)


def _batches(jobs: Sequence[Job], workers: int, batch_pages: int) -> list[list[Job]]:
    """Split the jobs into batches of about `batch_pages` pages, at least one per worker and of about the same
    size, the biggest jobs first; a job is never split."""
    total = sum(len(job.pages) for job in jobs)
    count = max(1, min(len(jobs), max(workers, -(-total // batch_pages))))
    batches: list[list[Job]] = [[] for _ in range(count)]
    loads = [0] * count
    for job in sorted(jobs, key=lambda j: len(j.pages), reverse=True):
        lightest = loads.index(min(loads))
        batches[lightest].append(job)
        loads[lightest] += len(job.pages)
    return batches


@dataclasses.dataclass
class _Child:
    pid: int
    reader: int
    what: str
    # A render worker's batch of jobs, kept alive here until the worker exits: dropping it sooner writes to
    # each job (its reference count) and so copies the job's memory page, which the worker shares. At 100,000
    # articles that copied 460 MB of the Pelican process within a second of forking the render workers.
    batch: list[Job] | None = None


def _fork(work: Callable[[], object], what: str) -> _Child:
    """Run `work` in a forked process. It sends back, on a pipe read by _report(), how long it took and its
    result or, when it failed, the error."""
    gc.freeze()  # the collector leaves the shared objects alone (in both processes), so their pages stay shared
    reader, report = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: work, report, exit without Python's teardown
        os.close(reader)
        status = 0
        started = time.perf_counter()
        try:
            in_forked_worker()
            signals.content_written.receivers.clear()
            outcome: tuple[bool, object] = (True, work())
        except BaseException as exc:
            message = str(exc) if isinstance(exc, OutputError) else "".join(traceback.format_exception(exc))
            outcome, status = (False, f"{what}: {message}"), 1
        try:
            payload = pickle.dumps((time.perf_counter() - started, *outcome), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a result that cannot be pickled is the task's bug: report it
            payload, status = pickle.dumps((0.0, False, f"{what}: its result cannot be sent back: {exc}")), 1
        try:
            with os.fdopen(report, "wb") as pipe:
                pipe.write(payload)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    _unreaped.add(pid)
    os.close(report)
    return _Child(pid, reader, what)


# Forked workers not yet waited for. While any is alive, this process's collector leaves the objects they share
# frozen: a full collection here would write to the header of each one, copying its page. (A precaution: at
# 100,000 articles the peak was the same without it; the copies measured came from dropped references.)
_unreaped: set[int] = set()


def _reaped(pid: int) -> None:
    _unreaped.discard(pid)
    if not _unreaped:
        gc.unfreeze()


# what a worker did (e.g. "render worker", "search index") -> its seconds, summed over this process's builds
worker_seconds: dict[str, float] = {}


def _report(child: _Child) -> tuple[bool, object]:
    """Wait for a worker: (True, its result) or (False, what went wrong)."""
    with os.fdopen(child.reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(child.pid, 0)
    _reaped(child.pid)
    child.batch = None
    try:
        seconds, ok, payload = pickle.loads(data)
    except Exception:  # nothing or half a report: the worker died (killed, out of memory)
        code = os.waitstatus_to_exitcode(status)
        return False, f"{child.what}: the worker process (pid {child.pid}) ended with exit status {code}"
    worker_seconds[child.what] = worker_seconds.get(child.what, 0.0) + seconds
    return ok, payload


def _wait(child: _Child) -> str:
    ok, payload = _report(child)
    return "" if ok else str(payload)


_active: list[OutputWriter] = []  # writers of builds whose pages are not all written yet
_beside: list[_Child] = []  # run_beside() tasks not yet waited for


def run_beside(task: Callable[[], object], what: str, settings: Mapping[str, Any]) -> None:
    """Run `task` (which writes files and returns nothing the build needs) in a forked process while the
    build goes on, e.g. the search index; the build waits for it at the end, and fails if it failed. With
    BUILD_WORKERS ≤ 1 it runs here and now."""
    if worker_count(settings) <= 1:
        task()
        return
    _beside.append(_fork(functools.partial(_nothing_back, task), what))


def _nothing_back(task: Callable[[], object]) -> None:
    task()  # its return value is not sent back


class Pending:
    """The result of compute_beside(): `result()` waits for the worker and returns what it computed."""

    def __init__(self, what: str, child: _Child | None = None, value: object = None) -> None:
        self.what, self._child, self._value = what, child, value

    def result(self) -> Any:
        child, self._child = self._child, None
        if child is None:
            return self._value
        ok, payload = _report(child)
        if not ok:
            raise OutputError(str(payload))
        self._value = payload
        return self._value


def compute_beside(function: Callable[..., Any], *args: Any, what: str, settings: Mapping[str, Any]) -> Pending:
    """Start `function(*args)` in a forked process and go on; `.result()` gives its (pickled) return value.
    For computations the build needs later, e.g. news_related's ranking while the stories are clustered.
    With BUILD_WORKERS ≤ 1 it runs here and now."""
    if worker_count(settings) <= 1:
        return Pending(what, value=function(*args))
    return Pending(what, _fork(functools.partial(function, *args), what))


def get_writer(pelican: Any) -> type[OutputWriter]:
    return OutputWriter


def start_rendering() -> None:
    """Hand every page planned so far to forked workers (BUILD_WORKERS of them)."""
    for writer in _active:
        writer.start(writer.workers)


def articles_planned(generator: Any, writer: Any = None) -> None:
    """At `article_writer_finalized`: the articles generator's pages (most of the site) are planned;
    workers start on them while this process plans the other generators' pages."""
    start_rendering()


def finish_rendering() -> int:
    """Wait until every planned page is written and every run_beside task is done (OutputError naming each
    one that failed); return how many pages were written (or kept as they were)."""
    failures = []
    total = 0
    while _active:  # first: the writers start the next batches of pages as workers finish theirs
        writer = _active.pop(0)
        started = time.perf_counter()
        try:
            written = writer.finish()
        except OutputError as exc:
            failures.append(str(exc))
            continue
        total += written
        done = writer.rendered
        who = "the Pelican process"
        if writer.forked:
            batches = f", {writer.forked} batches" if writer.forked > writer.workers else ""
            # Pages the Pelican process renders are rendered on one core: only those that overwrite or are
            # overwritten should be (Pelican's override_output, e.g. content with a `save_as` of its own).
            who = f"{writer.workers} workers at a time{batches} and the Pelican process ({writer.pages_here} of them)"
        logger.info(
            "news_output: %d pages by %s, %.1f s from the end of the build's other work to the last page",
            written,
            who,
            time.perf_counter() - started,
        )
        if writer.recording:
            logger.info(
                "news_output: %d pages kept unrendered, their reads unchanged since the last build; %d rendered",
                done.kept,
                written - done.kept,
            )
        if done.untracked:
            logger.info("news_output: %d pages cannot be skipped on the next build (%s)", done.untracked, done.why)
    while _beside:
        problem = _wait(_beside.pop(0))
        if problem:
            failures.append(problem)
    if failures:
        raise OutputError("; ".join(failures))
    return total
