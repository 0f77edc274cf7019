"""Near-duplicate text: the same wire copy republished by another outlet, lightly edited.

Two texts resemble each other when most of their 4-word shingles are shared (Jaccard resemblance). Each text
is reduced to a fingerprint: the SKETCH smallest 64-bit hashes of its shingles (a bottom-k MinHash sketch),
from which the resemblance of two texts is estimated without their words. An index on each fingerprint's
BANDS smallest hashes finds the candidates in about constant time per text, so an archive of 100,000
articles is checked without comparing every pair.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

SHINGLE = 4  # words per shingle
SKETCH = 48  # hashes kept per text
BANDS = 6  # smallest hashes indexed: texts that resemble each other share one of them almost surely
MIN_WORDS = 25  # shorter texts (a headline, a one-line summary) are too short to call copies
THRESHOLD = 0.7  # estimated resemblance at and above which a text is a near-duplicate

_WORD = re.compile(r"\w+")


@dataclasses.dataclass(frozen=True)
class Fingerprint:
    hashes: tuple[int, ...]  # ascending; at most SKETCH


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def fingerprint(text: str) -> Fingerprint | None:
    """The text's sketch, or None when it has fewer than MIN_WORDS words (Markdown punctuation is ignored)."""
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    return Fingerprint(tuple(sorted(_hash(s) for s in shingles)[:SKETCH]))


def resemblance(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard resemblance of the two texts' shingle sets (1.0: the same shingles)."""
    mine, theirs = set(a.hashes), set(b.hashes)
    union = sorted(mine | theirs)[: min(SKETCH, len(mine | theirs))]
    return sum(1 for h in union if h in mine and h in theirs) / len(union)


class CopyIndex:
    """Fingerprints by key; `find` returns the key of the text a new one resembles most, if any."""

    def __init__(self) -> None:
        self._prints: dict[str, Fingerprint] = {}
        self._bands: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._prints)

    def add(self, key: str, print_: Fingerprint) -> None:
        if key in self._prints:
            return
        self._prints[key] = print_
        for h in print_.hashes[:BANDS]:
            self._bands.setdefault(h, []).append(key)

    def find(self, print_: Fingerprint, exclude: str | None = None) -> str | None:
        """The most resembling key at or above THRESHOLD (on a tie, the first found), or None."""
        candidates = dict.fromkeys(key for h in print_.hashes[:BANDS] for key in self._bands.get(h, ()))
        best, best_score = None, THRESHOLD
        for key in candidates:
            if key == exclude:
                continue
            score = resemblance(print_, self._prints[key])
            if score >= best_score and (best is None or score > best_score):
                best, best_score = key, score
        return best
