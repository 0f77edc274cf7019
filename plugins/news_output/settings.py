"""news_output's settings: each is True or False."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from news_reader import BuildError

OUTPUT_DEFAULTS = {"OUTPUT_KEEP_UNCHANGED": True, "OUTPUT_PAGE_RECORDS": False, "OUTPUT_STABLE_PAGINATION": False}


class OutputSettingsError(BuildError, ValueError):
    """A news_output setting is not a boolean."""


def flag(settings: Mapping[str, Any], name: str) -> bool:
    value = settings.get(name, OUTPUT_DEFAULTS[name])
    if not isinstance(value, bool):
        raise OutputSettingsError(f"{name} is {value!r}; expected True or False")
    return value
