"""news_output: pages rendered on every core, and a rebuild leaves the output files whose bytes did not change
exactly as they were."""

from __future__ import annotations

from pelican import signals

from .output import finish, set_aside, start_finishing
from .writer import OutputError, OutputWriter, Pending, articles_planned, compute_beside, get_writer, run_beside

__all__ = [
    "OutputError",
    "OutputWriter",
    "Pending",
    "compute_beside",
    "finish",
    "register",
    "run_beside",
    "set_aside",
    "start_finishing",
]


def register() -> None:
    signals.get_generators.connect(set_aside)
    signals.get_writer.connect(get_writer)
    signals.article_writer_finalized.connect(articles_planned)
    signals.finalized.connect(start_finishing)
