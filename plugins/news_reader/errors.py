"""Errors that are the input's fault, reported in one line.

Pelican logs any exception that stops a build with its traceback. For a wrong setting or a wrong content
file the traceback only hides the message that says what to fix, so every plugin's settings and content
errors derive from `BuildError`, and `quiet_tracebacks` drops the traceback of those from Pelican's last
log line (with `--debug` Pelican still prints it).
"""

from __future__ import annotations

import logging


class BuildError(Exception):
    """The build's input is wrong (a setting, a content file): the message says what and where."""


class _NoTracebackForBuildErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, BuildError) and logging.getLogger().getEffectiveLevel() > logging.DEBUG:
            record.exc_info = None
            record.exc_text = None
        return True


_FILTER = _NoTracebackForBuildErrors()


def quiet_tracebacks() -> None:
    """Install the filter on Pelican's logger (where its `main` reports the error that stopped a build)."""
    logger = logging.getLogger("pelican")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
