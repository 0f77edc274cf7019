"""The tag rules, as a plain module: the same in the build (news_tags) and in ingest.

    rules = TagRules.load(Path("content/tag-aliases.toml"))
    rules.normalise("  U.S. ")        # -> "United States"   (an alias)
    rules.normalise("Interest\u00a0Rates")  # -> "Interest Rates"  (cleaned; case is settled by `merge_spellings`)
    rules.normalise("—")              # -> None            (nothing to tag with)
    rules.normalise_all(["AI", "artificial intelligence", "ferries"])  # -> ("artificial intelligence", "ferries")

Cleaning: Unicode NFKC (full-width letters, ligatures, non-breaking spaces become plain ones), invisible
characters removed (zero-width space, soft hyphen, byte-order mark, word joiner), control characters and
runs of white space become one space, trimmed. A tag without a letter or digit is no tag.

Two spellings are the same tag when their *keys* are equal: the cleaned text case-folded, with typographic
apostrophes and dashes made plain ("Women’s football" = "women's football"). The aliases file maps keys to a
canonical display form; among spellings without an alias the most used one is shown (`merge_spellings`).

The aliases file is TOML, one line per canonical tag with its variants:

    "United States" = ["U.S.", "US", "USA"]
    "artificial intelligence" = ["AI", "A.I."]
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from news_reader.reader import FrontMatterError

# Removed outright: they are invisible and only make two equal-looking tags differ.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u00ad\ufeff\u2060\u180e"), None)
# Only for keys: typographic apostrophes and dashes compare equal to the plain ones.
_KEY_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-"})
_TOML_POSITION_RE = re.compile(r"\(at line (\d+), column \d+\)")


class TagRulesError(FrontMatterError):
    """The aliases file (a content file like the articles) cannot be used: `file:line: error: what — fix`."""


def clean(tag: str) -> str | None:
    """The tag as displayable text (NFKC, no invisible or control characters, single spaces, trimmed);
    None when nothing with a letter or a digit is left."""
    text = unicodedata.normalize("NFKC", tag).translate(_INVISIBLE)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        return None
    return text


def tag_key(tag: str) -> str:
    """What makes two cleaned spellings the same tag: case-folded, typographic apostrophes/dashes plain."""
    return unicodedata.normalize("NFKC", tag.translate(_KEY_FOLD).casefold())


@dataclasses.dataclass(frozen=True)
class TagRules:
    """Aliases by key: {tag_key(variant or canonical): canonical display form}."""

    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    source: str = "<no aliases file>"

    @classmethod
    def load(cls, path: Path) -> TagRules:
        """Read an aliases file; every problem is a TagRulesError naming its file and line."""
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TagRulesError(
                name, 1, "the tag aliases file does not exist", "create it, or point TAG_ALIASES_FILE at it"
            ) from None
        except UnicodeDecodeError as exc:
            raise TagRulesError(name, 1, f"the file is not UTF-8 text ({exc.reason})", "save it as UTF-8") from None
        return cls.parse(text, name)

    @classmethod
    def parse(cls, text: str, name: str = "<aliases>") -> TagRules:
        """The rules in the text of an aliases file (`name` is used in errors)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_POSITION_RE.search(str(exc))
            line = int(found.group(1)) if found else max(1, len(text.rstrip().splitlines()))
            problem = _TOML_POSITION_RE.sub("", str(exc)).replace("(at end of document)", "at the end of the file")
            problem = problem.strip()
            raise TagRulesError(
                name, line, f"not valid TOML: {problem}", 'write one line per tag: "canonical" = ["variant", ...]'
            ) from None
        aliases: dict[str, str] = {}
        lines: dict[str, int] = {}  # key -> the line that claimed it, for messages
        for canonical_raw, variants in data.items():
            line = _line_of(text, canonical_raw)
            canonical = clean(canonical_raw)
            if canonical is None:
                raise TagRulesError(
                    name, line, f"the tag {canonical_raw!r} has no letter or digit", "give the canonical tag a name"
                )
            if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
                raise TagRulesError(
                    name,
                    line,
                    f"the variants of {canonical!r} are not a list of texts",
                    f'write "{canonical}" = ["variant", "another variant"]',
                )
            for spelling in [canonical, *variants]:
                variant = clean(spelling)
                variant_line = _line_of(text, spelling, start=line)
                if variant is None:
                    raise TagRulesError(
                        name, variant_line, f"the variant {spelling!r} has no letter or digit", "remove it"
                    )
                key = tag_key(variant)
                claimed = aliases.get(key)
                if claimed is not None and claimed != canonical:
                    raise TagRulesError(
                        name,
                        variant_line,
                        f"{variant!r} is listed for both {claimed!r} (line {lines[key]}) and {canonical!r}",
                        "keep it under one canonical tag only (to merge two canonical tags, list all the "
                        "variants under one of them)",
                    )
                aliases[key] = canonical
                lines.setdefault(key, variant_line)
        return cls(aliases=aliases, source=name)

    def normalise(self, tag: str) -> str | None:
        """The tag's display form: its alias when it has one, else the cleaned spelling; None for no tag."""
        cleaned = clean(tag)
        if cleaned is None:
            return None
        return self.aliases.get(tag_key(cleaned), cleaned)

    def key(self, text: str) -> str:
        """The key of the tag `text` would become ("" for no tag): "U.S." and "united states" give one key."""
        name = self.normalise(text)
        return tag_key(name) if name is not None else ""

    def normalise_all(self, tags: Iterable[str]) -> tuple[str, ...]:
        """Each tag normalised, empty ones dropped, repeats (same key) dropped, first spelling kept, in order."""
        seen: dict[str, str] = {}
        for tag in tags:
            name = self.normalise(tag)
            if name is not None:
                seen.setdefault(tag_key(name), name)
        return tuple(seen.values())


def merge_spellings(rules: TagRules, uses: Iterable[str]) -> dict[str, str]:
    """{key: display form} over every use of a tag in the archive, in the archive's order (oldest first).
    An aliased key shows its canonical form; otherwise the most used spelling, and on a tie the one used
    first. `uses` must already be normalised (`TagRules.normalise`)."""
    counts: Counter[str] = Counter()
    first_use: dict[str, int] = {}
    for position, spelling in enumerate(uses):
        counts[spelling] += 1
        first_use.setdefault(spelling, position)
    best: dict[str, str] = {}
    for spelling in sorted(counts, key=lambda s: (-counts[s], first_use[s])):
        best.setdefault(tag_key(spelling), spelling)
    for key in best:
        if key in rules.aliases:
            best[key] = rules.aliases[key]
    return best


def _line_of(text: str, value: str, start: int = 1) -> int:
    """The first line at or after `start` that mentions `value` (for messages; 1 when not found)."""
    lines = text.splitlines()
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"', "'" + value + "'")
    for number in range(max(start, 1), len(lines) + 1):
        line = lines[number - 1]
        if any(q in line for q in quoted) or line.lstrip().startswith(value + " ") or line.lstrip() == value:
            return number
    return start if start > 1 else 1
