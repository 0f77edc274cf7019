"""The errors publishing reports: each says what went wrong, where, and how to fix it, in one line."""

from __future__ import annotations

import re

_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


class PublishError(Exception):
    """Publishing stopped; the message is the one line shown to the user."""

    exit_code = 1


class PublishConfigError(PublishError):
    """A PUBLISH_* setting or a target's key is wrong."""

    exit_code = 2


class BuildCheckError(PublishError):
    """The output folder is not a finished production build."""


class ManifestError(PublishError):
    """The manifest kept on the target cannot be read."""


class DeleteGuardError(PublishError):
    """The plan deletes more remote files than the limits allow without --force."""


class TargetError(PublishError):
    """The target refused or could not be reached."""


def redact(text: str) -> str:
    """Hide credentials written in URLs (https://user:token@host/...) before a message is shown or logged."""
    return _CREDENTIALS.sub("***@", text)
