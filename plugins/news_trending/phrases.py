"""Key phrases of a headline or summary, without Pelican: names and short noun-like phrases.

Two kinds of candidate come out of each clause (text between punctuation):

- **names**: runs of capitalised words, with "of", "de", "van"... allowed inside ("Bank of Osmark",
  "Corvane Accord"), and single words that are capitalised in mid-sentence ("Veltran"), written in mixed
  case ("DeepSeek") or all capitals ("NATO"). A capitalised first word of a sentence on its own is not a
  name ("Ferry crews walk out"); in a headline in Title Case capitals say nothing, so only mixed-case and
  all-capital words count as names there, and in a text written all in capitals nothing does;
- **phrases**: two or three consecutive ordinary words, none of them a stopword or a generic news word
  ("chip export controls", "export controls").

Generic words never start or end a candidate: stopwords, news verbs and nouns ("says", "report", "new",
"additional"), numbers, month and day names.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one text, a space between words (easier to read and extend)."""
    return frozenset(words.split())


# Function words: never at the edge of a name, never in an ordinary phrase.
STOPWORDS = _word_set(
    """
    a about above after again against all almost along also although am among an and another any are around as
    at be because been before being below between both but by can could did do does doing down during each
    either else ever every few for from further had has have having he her here hers herself him himself his
    how however i if in into is it its itself just least less like many may me might more most much must my
    myself neither no nor not now of off on once only onto or other others otherwise our ours ourselves out
    over own per perhaps quite rather same several shall she should since so some such than that the their
    theirs them themselves then there these they this those though through thus to too toward towards under
    until unto up upon us very via was we were what whatever when where whether which while who whom whose why
    will with within without would yet you your yours yourself yourselves
    """
)

# Words common in any news text: they say nothing about what is happening.
GENERIC_WORDS = _word_set(
    """
    according across added additional ago ahead already amid announced announcement announces another around
    back became become becomes began begin begins best big bigger biggest called calls came chief come comes
    coming could day days despite detail details did early earlier end ends even expected expects far final
    first five following former four full get gets getting give given gives go goes going good got great group
    half head held help high higher including inside issue issues item key known large larger last late later
    latest lead leading least left likely little long look looks low lower made major make makes making man
    men month months move moves near nearly need needs new news next nine number officials old one ones open
    part past people percent place plan plans point points possible previous put ready real recent recently
    reported report reporter reports reporting result results right round said same saw say saying says second
    see seen set seven show shows six small so-called some source sources start started starts statement
    still story such take takes taken taking talk talks team ten term than thing things think third three
    time times today told top two took total update updated updates use used uses using want wants way ways
    week weekend weeks well went women world year years yesterday tomorrow tonight morning afternoon evening
    night mr mrs ms dr sir st
    """
)

MONTHS_AND_DAYS = _word_set(
    """
    january february march april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu
    thur thurs fri sat sun
    """
)

NUMBER_WORDS = _word_set(
    """
    zero one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
    thousand million millions billion billions trillion dozen dozens
    """
)

# Lower-case words that may sit inside a name: "Bank of Osmark", "Ministry for Transport", "Van der Berg".
NAME_CONNECTORS = _word_set("of for de del della di da du la le van von der den al bin el y")

GENERIC = STOPWORDS | GENERIC_WORDS | MONTHS_AND_DAYS | NUMBER_WORDS

# A word: letters and digits, with inner apostrophes, hyphens or dots (U.S., don't, e-mail, 5G).
_WORD_RE = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['’\-][^\W_]+)*")
# What separates two clauses: anything but white space between two words.
_SENTENCE_END_RE = re.compile(r"[.!?:;\"“”‘(\[—–]|(?:^|\s)['’]")


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A phrase as written in the text, and whether it is a name (capitalised) or an ordinary phrase."""

    text: str
    words: tuple[str, ...]
    is_name: bool


@dataclasses.dataclass(frozen=True)
class _Word:
    text: str
    lower: str
    initial: bool  # first word of a sentence or clause
    clause: int  # words with the same clause number have only white space (or a hyphen) between them


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    clause = 0
    position = 0
    for match in _WORD_RE.finditer(text):
        gap = text[position : match.start()]
        position = match.end()
        starts_sentence = not words or bool(_SENTENCE_END_RE.search(gap)) or words[-1].text.endswith(".")
        if words and (gap.strip() not in ("", "-") or words[-1].text.endswith(".")):
            clause += 1
        token = match.group(0)
        words.append(_Word(token, token.casefold().replace("’", "'"), starts_sentence, clause))
    return words


def _is_generic(word: _Word, extra: frozenset[str]) -> bool:
    lower = word.lower.rstrip(".")
    return lower in GENERIC or lower in extra or lower.replace("-", "").replace(".", "").isdigit() or len(lower) < 2


def _capitalised(token: str) -> bool:
    return token[:1].isupper()


def _strong_name(token: str) -> bool:
    """An upper-case letter after the first character: mixed case ("DeepSeek", "iPhone") or all capitals
    ("NATO", "U.S."). A name wherever it stands."""
    rest = token[1:]
    return rest != rest.lower()


def is_title_case(text: str) -> bool:
    """A headline with most long words capitalised ("Ferry Crews Walk Out Over Pay")."""
    long_words = [w for w in _WORD_RE.findall(text) if len(w) >= 4 and w.casefold() not in NAME_CONNECTORS]
    if len(long_words) < 3:
        return False
    return sum(1 for w in long_words if _capitalised(w)) >= 0.7 * len(long_words)


def candidates(
    text: str, *, headline: bool = False, extra_generic: frozenset[str] = frozenset()
) -> Iterator[Candidate]:
    """The names and phrases in one text, in order; repeats are not removed."""
    words = _words(text)
    shouting = len(words) > 2 and text.upper() == text  # "PORT ALDER FERRY STRIKE ENDS": no case at all
    caps_mean_nothing = shouting or (headline and is_title_case(text))

    def name_like(index: int) -> bool:
        word = words[index]
        if shouting:
            return False
        if _strong_name(word.text):
            return True
        if caps_mean_nothing or not _capitalised(word.text):
            return False
        if not word.initial:
            return True
        # A capitalised first word belongs to a name only when the next word is capitalised too.
        following = words[index + 1] if index + 1 < len(words) else None
        return (
            following is not None
            and following.clause == word.clause
            and _capitalised(following.text)
            and not _is_generic(word, extra_generic)
        )

    name_flags = [name_like(index) for index in range(len(words))]
    index = 0
    while index < len(words):
        if name_flags[index]:
            end = index + 1
            while end < len(words) and words[end].clause == words[index].clause:
                if name_flags[end] and not words[end].initial:
                    end += 1
                elif (
                    words[end].lower in NAME_CONNECTORS
                    and end + 1 < len(words)
                    and words[end + 1].clause == words[index].clause
                    and name_flags[end + 1]
                ):
                    end += 2
                else:
                    break
            yield from _name(words[index:end], extra_generic)
            index = end
            continue
        end = index
        while (
            end < len(words)
            and words[end].clause == words[index].clause
            and not name_flags[end]
            and not _is_generic(words[end], extra_generic)
            and not any(ch.isdigit() for ch in words[end].text)
        ):
            end += 1
        yield from _phrases(words[index:end])
        index = max(end, index + 1)


def _name(run: list[_Word], extra: frozenset[str]) -> Iterator[Candidate]:
    """The run without generic or connector words at its edges ("The Corvane Accord" -> "Corvane Accord")."""
    start, end = 0, len(run)
    while start < end and (_is_generic(run[start], extra) or run[start].lower in NAME_CONNECTORS):
        start += 1
    while end > start and (_is_generic(run[end - 1], extra) or run[end - 1].lower in NAME_CONNECTORS):
        end -= 1
    kept = run[start:end]
    if not kept:
        return
    if len(kept) == 1 and kept[0].initial and not _strong_name(kept[0].text):
        return
    yield Candidate(" ".join(w.text for w in kept), tuple(w.lower for w in kept), True)


def _phrases(run: list[_Word]) -> Iterator[Candidate]:
    """Every two- and three-word stretch of ordinary words."""
    for size in (2, 3):
        for start in range(len(run) - size + 1):
            chunk = run[start : start + size]
            text = " ".join(w.text.lower() for w in chunk)
            yield Candidate(text, tuple(w.lower for w in chunk), False)
