"""The places a site is published to. Each target reads and writes its manifest, uploads and deletes.

A target is used in this order by `publish.pipeline.publish`: `read_manifest`, then (unless nothing changed
or it is a dry run) `upload`, `delete` and `finish` (write the manifest; a git target commits and pushes).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from publish.config import GitTarget, RsyncTarget, S3Target, TargetConfig
from publish.plan import Manifest, ManifestEntry
from publish.site import Capabilities, LocalFile

Advance = Callable[[LocalFile], None]


class Target(Protocol):
    name: str
    description: str  # where it goes, credentials hidden: "rsync to deploy@host:/srv/www/"
    capabilities: Capabilities

    def extra_files(self) -> Mapping[str, bytes]:
        """Files the target adds to the site (a git branch's .nojekyll and CNAME)."""
        ...

    def remote_paths(self, path: str, entry: ManifestEntry) -> tuple[str, ...]:
        """The paths a site file occupies on the target (itself, and its .gz/.br siblings where written)."""
        ...

    def read_manifest(self) -> Manifest | None:
        """The manifest of the last publish, or None when the target has none yet."""
        ...

    def upload(self, files: Sequence[LocalFile], advance: Advance) -> int:
        """Send `files`, calling `advance` as each is done; returns the bytes sent."""
        ...

    def delete(self, paths: Sequence[str]) -> None:
        """Remove these target paths."""
        ...

    def finish(self, manifest: Manifest) -> None:
        """Record `manifest` on the target (and, for git, commit and push)."""
        ...


@contextlib.contextmanager
def open_target(config: TargetConfig) -> Iterator[Target]:
    """The target for `config`, with a scratch folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"publish-{config.name}-") as scratch:
        work = Path(scratch)
        if isinstance(config, RsyncTarget):
            from publish.targets.rsync import RsyncPublisher

            yield RsyncPublisher(config, work)
        elif isinstance(config, S3Target):
            from publish.targets.s3 import S3Publisher

            yield S3Publisher(config)
        elif isinstance(config, GitTarget):
            from publish.targets.gitbranch import GitPublisher

            yield GitPublisher(config, work)
        else:  # pragma: no cover - read_target only makes the three kinds
            raise TypeError(config)
