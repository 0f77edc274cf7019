"""Render pages on every core: plan every page first, render them all at the end, in forked workers.

Pelican renders each page the moment a generator asks for it, on one core. This writer splits that in two:

1. **Planning** (each `write_file` call, in the Pelican process): Pelican's own `write_file` runs with a
   template that renders nothing and a file opener that opens nothing. Pagination, the output names, the
   checks against writing one file twice, and the `content_written` signal (the sitemap listens to it) all
   happen exactly as they would, in the same order. The call itself is kept as a job.
2. **Rendering** (`start()`, once the articles' pages are planned and again at `finalized`): the jobs are
   shared out over `BUILD_WORKERS` processes (news_reader's setting, one per core by default) forked from
   the Pelican process, so each worker sees the finished context without pickling anything.
   Each job is Pelican's `write_file` again, now for real, with the checks already done. A job that
   overwrites another's file (`override_output`) is rendered afterwards, in order, by the Pelican process.
   The workers render while the Pelican process goes on (planning the other pages, building the search
   index, the sitemap); `finish()` waits for them.

A template error in a worker fails the build with the output file's name and the error. With
`BUILD_WORKERS = 0` pages are rendered at once, as Pelican does (tests compare the two byte for byte).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from news_feeds import AbsoluteFeedWriter
from news_reader import worker_count
from pelican import signals
from pelican.writers import FileOverwriteFailedError

logger = logging.getLogger(__name__)


class OutputError(RuntimeError):
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
    discarded: set[str] = dataclasses.field(default_factory=set)  # paths Pelican sends to os.devnull
    in_order: bool = False  # overwrites or is overwritten: rendered last, in the Pelican process


class _Planned:
    """The template Pelican 'renders' while planning: it notes the page and renders nothing."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def render(self, localcontext: Mapping[str, Any]) -> str:
        return ""


class _Sink:
    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


class OutputWriter(AbsoluteFeedWriter):
    """Pelican's writer (with news_feeds' absolute feed links) that renders pages in parallel at the end."""

    def __init__(self, output_path: str, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.workers = worker_count(self.settings)
        self.jobs: list[Job] = []
        self._planning: Job | None = None
        self._rendering: Job | None = None
        self._children: list[_Child] = []
        self.pages = 0  # pages handed to workers or rendered
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
        if self.workers == 0 or self._rendering is not None:
            return super().write_file(name, template, context, **options, **kwargs)
        if not name:
            return None
        job = Job(name, template, context, options, kwargs)
        self._planning = job
        try:
            super().write_file(name, _Planned(job), context, **options, **kwargs)
        finally:
            self._planning = None
        self.jobs.append(job)
        return None

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        planning, rendering = self._planning, self._rendering
        if planning is not None:
            return self._plan_open(planning, filename, override)
        if rendering is not None:
            if filename in rendering.discarded:
                return open(os.devnull, "w", encoding=encoding)
            return open(filename, "w", encoding=encoding)
        return super()._open_w(filename, encoding, override)

    def _plan_open(self, job: Job, filename: str, override: bool) -> _Sink:
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
        return _Sink()

    # --- rendering ---------------------------------------------------------------------------------------

    def start(self, children: int) -> None:
        """Hand the pages planned so far to `children` forked workers, which render them while this process
        goes on. Jobs that overwrite or are overwritten stay for finish(). With one worker, nothing starts:
        finish() renders every page here."""
        if self.workers <= 1:
            return
        shared = [job for job in self.jobs if not job.in_order]
        if not shared:
            return
        self.jobs = [job for job in self.jobs if job.in_order]
        self.pages += sum(len(job.pages) - len(job.discarded) for job in shared)
        for share in _share_out(shared, children):
            self._children.append(_fork(functools.partial(self._render, share), "render worker"))

    def finish(self) -> int:
        """Wait for the workers, render the remaining jobs here, in order; return how many pages were
        written. OutputError names each page that failed."""
        children, self._children = self._children, []
        failures = [problem for problem in (_wait(child) for child in children) if problem]
        if failures:
            raise OutputError("; ".join(failures))
        jobs, self.jobs = self.jobs, []
        with signals.content_written.muted():  # planning sent it already, once per page
            self._render(jobs)
        self.pages += sum(len(job.pages) - len(job.discarded) for job in jobs)
        return self.pages

    def _render(self, jobs: Iterable[Job]) -> None:
        for job in jobs:
            self._rendering = job
            try:
                super().write_file(job.name, job.template, job.context, **job.options, **job.kwargs)
            except Exception as exc:
                raise OutputError(f"{job.name}: {type(exc).__name__}: {exc}") from exc
            finally:
                self._rendering = None


def _share_out(jobs: Sequence[Job], workers: int) -> list[list[Job]]:
    """Split the jobs into `workers` shares of about the same number of pages (biggest jobs first)."""
    count = max(1, min(workers, len(jobs)))
    shares: list[list[Job]] = [[] for _ in range(count)]
    loads = [0] * count
    for job in sorted(jobs, key=lambda j: len(j.pages), reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(job)
        loads[lightest] += len(job.pages)
    return shares


@dataclasses.dataclass
class _Child:
    pid: int
    reader: int
    what: str


def _fork(work: Callable[[], object], what: str) -> _Child:
    """Run `work` in a forked process; a failure is sent back on a pipe, read by _wait()."""
    gc.collect()
    gc.freeze()  # the collector then leaves the shared objects' pages alone, so they stay shared
    reader, report = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: work, report a failure on the pipe, exit without Python's teardown
        os.close(reader)
        status = 0
        try:
            signals.content_written.receivers.clear()
            work()
        except BaseException as exc:
            message = str(exc) if isinstance(exc, OutputError) else "".join(traceback.format_exception(exc))
            os.write(report, f"{what}: {message}".encode("utf-8", "replace"))
            status = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    gc.unfreeze()
    os.close(report)
    return _Child(pid, reader, what)


def _wait(child: _Child) -> str:
    with os.fdopen(child.reader, "rb") as pipe:
        message = pipe.read().decode("utf-8", "replace")
    _, status = os.waitpid(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 and not message:
        message = f"{child.what}: the worker process (pid {child.pid}) ended with exit status {code}"
    return message


_active: list[OutputWriter] = []  # writers of builds whose pages are not all written yet
_beside: list[_Child] = []  # run_beside() tasks not yet waited for


def run_beside(task: Callable[[], object], what: str, settings: Mapping[str, Any]) -> None:
    """Run `task` (which writes files and returns nothing the build needs) in a forked process while the
    build goes on, e.g. the search index; the build waits for it at the end, and fails if it failed. With
    BUILD_WORKERS ≤ 1 it runs here and now."""
    if worker_count(settings) <= 1:
        task()
        return
    _beside.append(_fork(task, what))


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


def finish_rendering() -> None:
    """Wait until every planned page is written and every run_beside task is done (OutputError naming each
    one that failed)."""
    failures = []
    while _beside:
        problem = _wait(_beside.pop(0))
        if problem:
            failures.append(problem)
    while _active:
        writer = _active.pop(0)
        started = time.perf_counter()
        try:
            written = writer.finish()
        except OutputError as exc:
            failures.append(str(exc))
            continue
        logger.info(
            "news_output: %d pages rendered by %d processes (waited %.1f s for the last)",
            written,
            max(1, writer.workers),
            time.perf_counter() - started,
        )
    if failures:
        raise OutputError("; ".join(failures))
