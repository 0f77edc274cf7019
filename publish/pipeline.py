"""`invoke publish`: send the built site to a target, only what changed, and say what was done.

`publish()` is the whole pipeline and reads as its phases: build check -> plan -> upload -> delete -> summary.
`run()` is the command around it: it reads the settings, prints the plan or the summary, and turns every
PublishError into one line and an exit code.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from publish.config import PublishSettings, TargetConfig, read_settings, read_target
from publish.errors import PublishError, redact
from publish.plan import Plan, guard_deletions, make_plan
from publish.site import LocalFile, check_build, scan_site
from publish.targets import Target, open_target

PROGRESS_MIN_FILES = 50  # fewer uploads than this finish before a bar is worth drawing


@dataclasses.dataclass(frozen=True)
class PublishReport:
    target: str
    description: str
    dry_run: bool
    plan: Plan
    bytes_sent: int
    seconds: float

    @property
    def sent_nothing(self) -> bool:
        return self.plan.is_empty


def publish(
    site: Path,
    config: TargetConfig,
    settings: PublishSettings,
    *,
    dry_run: bool = False,
    force: bool = False,
    console: Console | None = None,
) -> PublishReport:
    """Publish the built site in `site` to the target `config`; raises PublishError on any failure."""
    console = console or Console(stderr=True)
    started = time.perf_counter()
    # Build check: a finished production build, or stop before the target is touched.
    check_build(site, settings.static_dir, settings.require_hashed_assets)
    with open_target(config) as target:
        # Plan: hash every local file and compare with the manifest the target keeps.
        local = scan_site(site, settings.headers, target.capabilities, target.extra_files())
        plan = make_plan(local, target.read_manifest(), target.remote_paths)
        guard_deletions(plan, config.limits, force, config.name)
        sent = 0
        if not dry_run and not plan.is_empty:
            # Upload: new and changed files, assets before the pages that link them.
            sent = _upload(target, plan.uploads, console)
            # Delete: what left the site (and stale .gz/.br), then record what the target now holds.
            target.delete(plan.stale)
            target.finish(plan.manifest)
    # Summary: the caller prints it (print_report).
    return PublishReport(config.name, target.description, dry_run, plan, sent, time.perf_counter() - started)


def _upload(target: Target, files: Sequence[LocalFile], console: Console) -> int:
    """Upload with a progress bar when there are enough files to watch."""
    total = sum(file.size for file in files)
    progress = Progress(
        TextColumn("[bold]uploading[/bold] {task.completed:.0f} bytes of"),
        DownloadColumn(),
        BarColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=len(files) < PROGRESS_MIN_FILES or not console.is_terminal,
    )
    with progress:
        bar = progress.add_task("upload", total=total)
        return target.upload(files, lambda file: progress.advance(bar, file.size))


def print_plan(plan: Plan, console: Console) -> None:
    """The dry run's list: every file that would be sent or deleted, one per line."""
    new = {file.path for file in plan.new}
    for file in plan.uploads:
        console.print(f"{'new' if file.path in new else 'changed':<8} {file.path}", markup=False, highlight=False)
    for path in plan.stale:
        console.print(f"{'delete':<8} {path}", markup=False, highlight=False)


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def print_report(report: PublishReport, console: Console) -> None:
    """The summary table; a line saying so when nothing had to be sent."""
    plan = report.plan
    verb = "would be" if report.dry_run else "were"
    table = Table(title=f"publish to {report.target} ({report.description})" + (" — dry run" if report.dry_run else ""))
    sent = sum(file.size for file in plan.uploads) if report.dry_run else report.bytes_sent
    for column in ("new", "changed", "unchanged", "deleted", "to send" if report.dry_run else "sent", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(
        str(len(plan.new)),
        str(len(plan.changed)),
        str(plan.unchanged),
        str(len(plan.deleted)),
        _size(sent),
        f"{report.seconds:.1f}",
    )
    console.print(table)
    if plan.is_empty:
        console.print(f"nothing to send: {report.target} already has this site ({plan.unchanged} files unchanged)")
    elif report.dry_run:
        console.print(
            f"dry run: {len(plan.uploads)} files {verb} sent and {len(plan.stale)} deleted; nothing was changed"
        )


def run(
    settings_file: Path,
    target_name: str,
    site: Path,
    *,
    root: Path,
    dry_run: bool = False,
    force: bool = False,
    console: Console | None = None,
) -> int:
    """The command: publish and print; every PublishError becomes one line on stderr and the exit code."""
    out = console or Console()
    errors = Console(stderr=True)
    try:
        settings = read_settings(_pelican_settings(settings_file))
        config = read_target(settings, target_name, root)
        report = publish(site, config, settings, dry_run=dry_run, force=force, console=errors)
    except PublishError as error:
        errors.print(f"error: {redact(str(error))}", markup=False, highlight=False, soft_wrap=True)
        return error.exit_code
    if dry_run:
        print_plan(report.plan, out)
    print_report(report, out)
    return 0


def _pelican_settings(path: Path) -> dict[str, Any]:
    from pelican.settings import read_settings as read_pelican_settings

    return dict(read_pelican_settings(str(path)))
