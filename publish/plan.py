"""The plan: compare the local files with the manifest the target keeps, by content hash, never by time.

The manifest (`.publish-manifest.json` on the target) records, for every site file published, its SHA-256,
size and how it was stored (Content-Type, Cache-Control, encodings). A file is sent when it is new, when its
hash differs, or when how it is stored changed; a file the manifest lists and the site no longer has is
deleted, with any precompressed siblings. The manifest is written last, so a publish that fails half way is
simply redone by the next one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from publish.config import MANIFEST_NAME, DeleteLimits
from publish.errors import DeleteGuardError, ManifestError
from publish.site import LocalFile, is_content_hashed

MANIFEST_FORMAT = 1


@dataclasses.dataclass(frozen=True)
class ManifestEntry:
    sha256: str
    size: int
    content_type: str
    cache_control: str
    encodings: tuple[str, ...]

    @classmethod
    def of(cls, file: LocalFile) -> ManifestEntry:
        return cls(file.sha256, file.size, file.content_type, file.cache_control, file.encodings)


@dataclasses.dataclass(frozen=True)
class Manifest:
    files: Mapping[str, ManifestEntry]

    def to_json(self) -> str:
        files = {
            path: {
                "sha256": e.sha256,
                "size": e.size,
                "content_type": e.content_type,
                "cache_control": e.cache_control,
                "encodings": list(e.encodings),
            }
            for path, e in sorted(self.files.items())
        }
        return json.dumps({"format": MANIFEST_FORMAT, "files": files}, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, where: str) -> Manifest:
        """Parse a manifest read from the target; `where` names it in the error."""
        try:
            data: Any = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {data.get('format')!r}, this publish writes {MANIFEST_FORMAT}")
            files = {
                str(path): ManifestEntry(
                    str(e["sha256"]),
                    int(e["size"]),
                    str(e["content_type"]),
                    str(e["cache_control"]),
                    tuple(str(x) for x in e["encodings"]),
                )
                for path, e in data["files"].items()
            }
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ManifestError(
                f"{where}: not a publish manifest ({error}); delete it to publish every file again"
            ) from None
        return cls(files)


RemotePaths = Callable[[str, ManifestEntry], tuple[str, ...]]


@dataclasses.dataclass(frozen=True)
class Plan:
    new: tuple[LocalFile, ...]
    changed: tuple[LocalFile, ...]
    unchanged: int
    deleted: tuple[str, ...]  # site paths gone from the site
    counted: tuple[str, ...]  # the deleted paths the delete guard counts: not named after their own content hash
    stale: tuple[str, ...]  # target paths to remove: deleted files, their siblings, siblings no longer made
    remote_count: int  # files the target's manifest listed
    manifest: Manifest  # what the target holds once the plan is carried out

    @property
    def uploads(self) -> tuple[LocalFile, ...]:
        """New and changed files, assets before pages, so no page goes live before what it links."""
        return tuple(sorted(self.new + self.changed, key=lambda f: (f.is_html, f.path)))

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.changed or self.stale)


def make_plan(local: Mapping[str, LocalFile], remote: Manifest | None, remote_paths: RemotePaths) -> Plan:
    """What to send and what to delete so that the target holds exactly `local`."""
    before = remote.files if remote is not None else {}
    new, changed, unchanged = [], [], 0
    stale: set[str] = set()
    for path, file in local.items():
        entry = ManifestEntry.of(file)
        old = before.get(path)
        if old is None:
            new.append(file)
        elif old != entry:
            changed.append(file)
            stale |= set(remote_paths(path, old)) - set(remote_paths(path, entry))
        else:
            unchanged += 1
    deleted = sorted(set(before) - set(local))
    for path in deleted:
        stale |= set(remote_paths(path, before[path]))
    counted = tuple(path for path in deleted if not is_content_hashed(path, before[path].sha256))
    stale.discard(MANIFEST_NAME)
    return Plan(
        new=tuple(new),
        changed=tuple(changed),
        unchanged=unchanged,
        deleted=tuple(deleted),
        counted=counted,
        stale=tuple(sorted(stale)),
        remote_count=len(before),
        manifest=Manifest({path: ManifestEntry.of(file) for path, file in local.items()}),
    )


def guard_deletions(plan: Plan, limits: DeleteLimits, force: bool, target: str) -> None:
    """Refuse a plan that deletes more than the limits allow (a half-built output/ looks like this), unless forced.

    Files named after their own content hash are not counted: when one changes, the site has it under a new
    name and the old one goes (the theme's CSS and JS, news_search's shards, hundreds of them when an older
    article is added); the pages, feeds and other files a half-built output lacks are counted."""
    count = len(plan.counted)
    if force or count == 0:
        return
    share = count / plan.remote_count
    if count > limits.max_count or share > limits.max_share:
        besides = len(plan.deleted) - count
        also = f", and {besides} content-hashed files" if besides else ""
        raise DeleteGuardError(
            f"target {target!r}: refusing to delete {count} of its {plan.remote_count} files ({share:.0%}){also}; "
            f"the limit is {limits.max_count} files and {limits.max_share:.0%} (PUBLISH_MAX_DELETE, "
            "PUBLISH_MAX_DELETE_SHARE); check that output/ is the whole site, then run again with --force"
        )
