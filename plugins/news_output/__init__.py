"""news_output: pages rendered on every core, and a rebuild leaves the output files whose bytes did not change
exactly as they were."""

from __future__ import annotations

from typing import Any

from pelican import signals

from . import pages, templates
from .output import finish, set_aside, start_finishing
from .writer import (
    OutputError,
    OutputWriter,
    Pending,
    articles_planned,
    compute_beside,
    get_writer,
    output_key,
    recording_outputs,
    run_beside,
)

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


def prepare_templates(generator: Any) -> None:
    """At `generator_init` (after `get_generators`, where output.set_aside decides whether this build records
    its pages' reads): the generator's templates record what each page reads (pages.py), and compiled templates
    are kept between builds (templates.py)."""
    environment = getattr(generator, "env", None)
    if environment is None:
        return
    if output_key(generator.output_path) in recording_outputs:
        pages.install(environment)
    templates.install(environment, generator.settings)


def register() -> None:
    signals.initialized.connect(templates.install_escape)
    signals.get_generators.connect(set_aside)
    signals.generator_init.connect(prepare_templates)
    signals.get_writer.connect(get_writer)
    signals.article_writer_finalized.connect(articles_planned)
    signals.finalized.connect(start_finishing)
