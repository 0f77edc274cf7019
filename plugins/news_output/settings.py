"""news_output's settings: three switches (True or False) and the render workers' batch size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from news_reader import BuildError

OUTPUT_DEFAULTS: dict[str, Any] = {
    "OUTPUT_KEEP_UNCHANGED": True,
    "OUTPUT_PAGE_RECORDS": False,
    "OUTPUT_STABLE_PAGINATION": False,
    "OUTPUT_WORKER_PAGES": 10_000,  # pages per forked render worker, which then exits (writer.start)
}


class OutputSettingsError(BuildError, ValueError):
    """A news_output setting has a value the plugin cannot use."""


def flag(settings: Mapping[str, Any], name: str) -> bool:
    value = settings.get(name, OUTPUT_DEFAULTS[name])
    if not isinstance(value, bool):
        raise OutputSettingsError(f"{name} is {value!r}; expected True or False")
    return value


def worker_pages(settings: Mapping[str, Any]) -> int:
    value = settings.get("OUTPUT_WORKER_PAGES", OUTPUT_DEFAULTS["OUTPUT_WORKER_PAGES"])
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OutputSettingsError(f"OUTPUT_WORKER_PAGES is {value!r}; expected a whole number of pages, 1 or more")
    return value
