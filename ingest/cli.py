"""`invoke ingest`: choose the sources, run the pipeline with a progress bar, print a summary per source."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from news_reader import write_atomically
from news_tags.rules import TagRules, TagRulesError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ingest.config import ConfigError, SourceConfig, load_sources, source_from_table
from ingest.fetch import Fetcher, FetchPolicy
from ingest.pipeline import Archive, SourceReport, ingest_source


def load_state(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(path: Path, state: dict[str, dict[str, str]]) -> None:
    write_atomically(path, json.dumps(state, indent=1, sort_keys=True))


def choose_sources(
    config: Path, sections: tuple[str, ...], name: str | None, url: str | None, section: str | None, mode: str | None
) -> list[SourceConfig]:
    """The configured sources, one of them (`name`), or a one-off feed (`url`)."""
    if url:
        table = {"name": name or "One-off feed", "feed": url, "section": section or "", "mode": mode or "summary"}
        return [source_from_table(table, "--url", Path.cwd(), sections)]
    sources = load_sources(config, sections)
    if name:
        sources = [s for s in sources if s.name.casefold() == name.casefold()]
        if not sources:
            raise ConfigError(f"{config}: no source named {name!r}")
    return sources


def summary_table(reports: list[SourceReport], dry_run: bool) -> Table:
    table = Table(title="Ingest summary" + (" (dry run: nothing written)" if dry_run else ""))
    for column in ("source", "new", "updated", "unchanged", "skipped", "failed", "note"):
        table.add_column(column, justify="left" if column in ("source", "note") else "right")
    for r in reports:
        note = "feed not modified since the last run" if r.feed_not_modified else ""
        table.add_row(r.name, str(r.new), str(r.updated), str(r.unchanged), str(r.skipped), str(r.failed), note)
    return table


def run(
    config: Path,
    content: Path,
    state_path: Path,
    sections: tuple[str, ...],
    *,
    name: str | None = None,
    url: str | None = None,
    section: str | None = None,
    mode: str | None = None,
    dry_run: bool = False,
    policy: FetchPolicy | None = None,
    tag_aliases: Path | None = None,
) -> int:
    """Ingest and report; the exit code is 1 when any source or item failed, 2 when the command is wrong."""
    # Logs (CI, cron) are not terminals: give the summary table room instead of rich's 80 columns.
    console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)
    try:
        sources = choose_sources(config, sections, name, url, section, mode)
    except ConfigError as error:
        console.print(f"[red]error:[/red] {error}")
        return 2
    try:
        tag_rules = TagRules.load(tag_aliases) if tag_aliases and tag_aliases.is_file() else TagRules()
    except TagRulesError as error:
        console.print(f"[red]error:[/red] {error}", markup=True, highlight=False)
        return 2
    state = load_state(state_path)
    archive = Archive(content)
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    reports = []
    with (
        Fetcher(policy or FetchPolicy(), state) as fetcher,
        Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as progress,
    ):
        # One bar for the sources, one counting the articles of the source being read.
        task = progress.add_task("sources", total=len(sources))
        items = progress.add_task("articles", total=None)
        for source in sources:
            progress.update(task, description=f"ingesting {source.name}")
            progress.reset(items, total=None, description=f"  articles from {source.name}")
            reports.append(
                ingest_source(
                    source,
                    fetcher,
                    archive,
                    now,
                    dry_run,
                    progress=lambda n: progress.advance(items, n),
                    tag_rules=tag_rules,
                )
            )
            progress.advance(task)
    if not dry_run:
        save_state(state_path, state)
    console.print(summary_table(reports, dry_run))
    for report in reports:
        for line in report.problems:
            console.print(line, markup=False, highlight=False, soft_wrap=True)  # one line each, never wrapped
    return 1 if any(r.failed for r in reports) else 0
