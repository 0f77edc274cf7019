"""news_output: a rebuild leaves the output files whose bytes did not change exactly as they were."""

from __future__ import annotations

from pelican import signals

from .output import restore_unchanged, set_aside

__all__ = ["register", "restore_unchanged", "set_aside"]


def register() -> None:
    signals.get_generators.connect(set_aside)
    signals.finalized.connect(restore_unchanged)
