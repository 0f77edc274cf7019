"""A lunr.js 2.3.9 index builder in Python: the same tokens, terms, term numbers and scores as lunr.js.

lunr.js works on UTF-16 strings; Python on code points. Everything here that lunr.js measures or compares
in UTF-16 code units (token positions, the stemmer's regular expressions and its length test, the order of
terms in the serialized index) is done in code units too, so that emoji and other characters outside the
Basic Multilingual Plane give what lunr.js gives. `lunr.Index.load` rejects an index whose terms are not
in UTF-16 order ("Out of order word insertion"); `serialize_terms` sorts that way.

The pieces, in pipeline order: `tokenize` (lunr.tokenizer), `trim` (lunr.trimmer), `STOP_WORDS`
(lunr.stopWordFilter), `stem` (lunr.stemmer); `IndexBuilder` plays lunr.Builder and writes the structure
of `lunr.Index.toJSON()`, either whole (`to_lunr_json`) or per term (`postings`) for sharded indexes.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

LUNR_VERSION = "2.3.9"
K1 = 1.2
B = 0.75

# JavaScript's \s (WhiteSpace and LineTerminator) plus "-": lunr.tokenizer.separator is /[\s\-]+/.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_TOKEN = re.compile(f"[^{_JS_SPACE}\\-]+")
# JavaScript's \W is ASCII-only: [^A-Za-z0-9_].
_LEADING_NON_WORD = re.compile(r"\A\W+", re.ASCII)
_TRAILING_NON_WORD = re.compile(r"\W+\Z", re.ASCII)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

STOP_WORDS = frozenset(
    [
        "a",
        "able",
        "about",
        "across",
        "after",
        "all",
        "almost",
        "also",
        "am",
        "among",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "dear",
        "did",
        "do",
        "does",
        "either",
        "else",
        "ever",
        "every",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "he",
        "her",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "least",
        "let",
        "like",
        "likely",
        "may",
        "me",
        "might",
        "most",
        "must",
        "my",
        "neither",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "often",
        "on",
        "only",
        "or",
        "other",
        "our",
        "own",
        "rather",
        "said",
        "say",
        "says",
        "she",
        "should",
        "since",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "tis",
        "to",
        "too",
        "twas",
        "us",
        "wants",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "yet",
        "you",
        "your",
    ]
)


class LunrBuildError(ValueError):
    """A document or a setting that lunr.js could not index as given."""


# -- UTF-16 helpers -----------------------------------------------------------------------------------------


def _split_surrogates(text: str) -> str:
    units: list[str] = []
    for char in text:
        point = ord(char)
        if point > 0xFFFF:
            point -= 0x10000
            units.append(chr(0xD800 + (point >> 10)))
            units.append(chr(0xDC00 + (point & 0x3FF)))
        else:
            units.append(char)
    return "".join(units)


def from_code_units(units: str) -> str:
    """Join surrogate pairs back into characters (a lone surrogate stays as it is)."""
    if not re.search("[\ud800-\udfff]", units):
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def utf16_key(term: str) -> bytes:
    """The sort key that orders strings as JavaScript's default sort does (by UTF-16 code units)."""
    return term.encode("utf-16-be", "surrogatepass")


# -- the pipeline -------------------------------------------------------------------------------------------


class Token(NamedTuple):
    """A token as lunr.tokenizer makes it: its text and [start, length] in UTF-16 code units (a named tuple:
    made about 870,000 times at 10,000 articles, three times faster than a frozen dataclass)."""

    text: str
    start: int
    length: int


def tokenize(value: object) -> list[Token]:
    """lunr.tokenizer: lowercase, split on whitespace and hyphens; positions in UTF-16 code units.

    A list (lunr.js: an array) gives one token per element, without positions (start -1)."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [Token(_js_string(item).lower(), -1, -1) for item in value]
    text = _js_string(value).lower()
    if not _ASTRAL.search(text):
        return [Token(m.group(), m.start(), m.end() - m.start()) for m in _TOKEN.finditer(text)]
    units = _split_surrogates(text)
    return [Token(from_code_units(m.group()), m.start(), m.end() - m.start()) for m in _TOKEN.finditer(units)]


def token_texts(value: object) -> list[str]:
    """The texts of tokenize(value), faster: separators are all in the Basic Multilingual Plane, so the
    tokens are the same whether astral characters count as one unit or two."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [_js_string(item).lower() for item in value]
    found: list[str] = _TOKEN.findall(_js_string(value).lower())
    return found


def _js_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return ""
    return str(value)


def trim(term: str) -> str:
    """lunr.trimmer: strip non-word characters (JavaScript's ASCII \\W) from both ends."""
    return _TRAILING_NON_WORD.sub("", _LEADING_NON_WORD.sub("", term))


_STEP2 = {
    "ational": "ate",
    "tional": "tion",
    "enci": "ence",
    "anci": "ance",
    "izer": "ize",
    "bli": "ble",
    "alli": "al",
    "entli": "ent",
    "eli": "e",
    "ousli": "ous",
    "ization": "ize",
    "ation": "ate",
    "ator": "ate",
    "alism": "al",
    "iveness": "ive",
    "fulness": "ful",
    "ousness": "ous",
    "aliti": "al",
    "iviti": "ive",
    "biliti": "ble",
    "logi": "log",
}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}

# The Porter stemmer as lunr.js writes it: a consonant is anything but a, e, i, o, u (so "Y", the marked
# initial y, and every non-ASCII unit are consonants), a vowel is a, e, i, o, u or y.
_CONS = "[^aeiou]"
_VOWEL = "[aeiouy]"
_CONS_SEQ = _CONS + "[^aeiouy]*"
_VOWEL_SEQ = _VOWEL + "[aeiou]*"
_M_GT0 = re.compile(f"^({_CONS_SEQ})?{_VOWEL_SEQ}{_CONS_SEQ}", re.S)
_M_EQ1 = re.compile(f"^({_CONS_SEQ})?{_VOWEL_SEQ}{_CONS_SEQ}({_VOWEL_SEQ})?\\Z", re.S)
_M_GT1 = re.compile(f"^({_CONS_SEQ})?{_VOWEL_SEQ}{_CONS_SEQ}{_VOWEL_SEQ}{_CONS_SEQ}", re.S)
_HAS_VOWEL = re.compile(f"^({_CONS_SEQ})?{_VOWEL}", re.S)
_CVC = re.compile(f"^{_CONS_SEQ}{_VOWEL}[^aeiouwxy]\\Z", re.S)
# JavaScript's "." excludes \n, \r, \u2028 and \u2029; tokens never contain them (they separate tokens).
_ANY = "[^\n\r\u2028\u2029]"
_S1A = re.compile(f"^({_ANY}+?)(ss|i)es\\Z")
_S1A_2 = re.compile(f"^({_ANY}+?)([^s])s\\Z")
_S1B = re.compile(f"^({_ANY}+?)eed\\Z")
_S1B_2 = re.compile(f"^({_ANY}+?)(ed|ing)\\Z")
_S1B_ADD_E = re.compile("(at|bl|iz)\\Z")
_S1B_DOUBLE = re.compile("([^aeiouylsz])\\1\\Z")
_S1C = re.compile(f"^({_ANY}+?[^aeiou])y\\Z")
_S2 = re.compile(f"^({_ANY}+?)({'|'.join(_STEP2)})\\Z")
_S3 = re.compile(f"^({_ANY}+?)({'|'.join(_STEP3)})\\Z")
_S4 = re.compile(f"^({_ANY}+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)\\Z")
_S4_2 = re.compile(f"^({_ANY}+?)(s|t)(ion)\\Z")
_S5 = re.compile(f"^({_ANY}+?)e\\Z")
_S5_LL = re.compile("ll\\Z")


def stem(term: str) -> str:
    """lunr.stemmer (its Porter stemmer), on UTF-16 code units."""
    if not _ASTRAL.search(term):
        return _porter(term)
    return from_code_units(_porter(_split_surrogates(term)))


def _drop_last(w: str) -> str:
    """JavaScript's w.replace(/.$/, ""): drop the last code unit unless it is a line terminator."""
    return w[:-1] if w and w[-1] not in "\n\r\u2028\u2029" else w


def _porter(w: str) -> str:
    if len(w) < 3:
        return w
    initial_y = w[0] == "y"
    if initial_y:
        w = "Y" + w[1:]
    # step 1a
    if (found := _S1A.match(w)) or (found := _S1A_2.match(w)):
        w = found.group(1) + found.group(2)
    # step 1b
    if found := _S1B.match(w):
        if _M_GT0.search(found.group(1)):
            w = _drop_last(w)
    elif found := _S1B_2.match(w):
        stem_ = found.group(1)
        if _HAS_VOWEL.search(stem_):
            w = stem_
            if _S1B_ADD_E.search(w):
                w += "e"
            elif _S1B_DOUBLE.search(w):
                w = _drop_last(w)
            elif _CVC.search(w):
                w += "e"
    # step 1c
    if found := _S1C.match(w):
        w = found.group(1) + "i"
    # step 2
    if (found := _S2.match(w)) and _M_GT0.search(found.group(1)):
        w = found.group(1) + _STEP2[found.group(2)]
    # step 3
    if (found := _S3.match(w)) and _M_GT0.search(found.group(1)):
        w = found.group(1) + _STEP3[found.group(2)]
    # step 4
    if found := _S4.match(w):
        if _M_GT1.search(found.group(1)):
            w = found.group(1)
    elif found := _S4_2.match(w):
        stem_ = found.group(1) + found.group(2)
        if _M_GT1.search(stem_):
            w = stem_
    # step 5
    if found := _S5.match(w):
        stem_ = found.group(1)
        if _M_GT1.search(stem_) or (_M_EQ1.search(stem_) and not _CVC.search(stem_)):
            w = stem_
    if _S5_LL.search(w) and _M_GT1.search(w):
        w = _drop_last(w)
    if initial_y:
        w = "y" + w[1:]
    return w


def index_term(token: str) -> str | None:
    """The indexing pipeline (trimmer, stopWordFilter, stemmer) on one token; None when it is a stop word.

    As in lunr.js, a token the trimmer empties ("—", "...") stays, as the empty term."""
    trimmed = trim(token)
    if trimmed in STOP_WORDS:
        return None
    return stem(trimmed)


def search_term(token: str) -> str:
    """The search pipeline lunr.js stores in the index (stemmer only)."""
    return stem(token)


# -- the builder --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One indexed field: its name (the document key) and its boost."""

    name: str
    boost: float = 1.0


@dataclass(frozen=True)
class TermPostings:
    """Everything the index holds about one term: its global number, and per field the documents (by
    position in the order they were added) with the term's frequency and, when recorded, token positions.
    Their lunr scores: IndexBuilder.milli_scores."""

    term: str
    index: int
    documents: tuple[array, ...]  # per field: document numbers, ascending
    frequencies: tuple[array, ...]  # per field: the term's count in each document (what the score is made of)
    positions: tuple[tuple[tuple[int, ...], ...] | None, ...]  # per field: flat [start, length, ...] per doc


@dataclass
class _TermData:
    """What the builder holds per term, compactly: at 100,000 articles there are some 200,000 terms and
    millions of postings. A field's arrays exist once the term is met in it (most terms are in one or two of
    the six fields); positions are one flat array of (start, length) pairs per field, with the number of
    pairs of each posting beside it."""

    index: int
    documents: list[array | None]  # per field: document numbers, ascending
    frequencies: list[array | None]  # per field: the term's count in each of those documents
    position_counts: list[array | None]  # per recorded field: pairs per posting
    position_pairs: list[array | None]  # per recorded field: every posting's (start, length) pairs, flat

    def add(self, slot: int, document: int, frequency: int, positions: list[int] | None) -> None:
        documents = self.documents[slot]
        if documents is None:
            documents = self.documents[slot] = array("I")
            self.frequencies[slot] = array("I")
            if positions is not None:
                self.position_counts[slot] = array("I")
                self.position_pairs[slot] = array("I")
        documents.append(document)
        self.frequencies[slot].append(frequency)  # type: ignore[union-attr]
        if positions is not None:
            self.position_counts[slot].append(len(positions) // 2)  # type: ignore[union-attr]
            self.position_pairs[slot].extend(positions)  # type: ignore[union-attr]

    def positions(self, slot: int, recorded: bool) -> tuple[tuple[int, ...], ...] | None:
        """Per posting of the field, its flat (start, length, ...) positions; None for a field not recorded."""
        if not recorded:
            return None
        counts, pairs = self.position_counts[slot], self.position_pairs[slot]
        if counts is None or pairs is None:
            return ()
        found = []
        start = 0
        for count in counts:
            found.append(tuple(pairs[start : start + 2 * count]))
            start += 2 * count
        return tuple(found)


@dataclass
class IndexBuilder:
    """lunr.Builder with the default pipelines, for documents given as mappings of field name to text.

    `position_fields` lists the fields whose token positions are kept (lunr's "position" metadata,
    which lunr.js only records for every field at once; recording a subset is ours)."""

    fields: Sequence[FieldSpec]
    position_fields: frozenset[str] = frozenset()
    refs: list[str] = field(default_factory=list)
    _terms: dict[str, _TermData] = field(default_factory=dict)
    _lengths: list[array] = field(default_factory=list)
    _pipeline_cache: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [spec.name for spec in self.fields]
        if not names or len(set(names)) != len(names):
            raise LunrBuildError(f"index fields must be distinct and at least one; got {names}")
        self._lengths = [array("I") for _ in self.fields]

    def add(self, ref: str, document: Mapping[str, object]) -> None:
        """lunr.Builder.add: tokenize and run the pipeline on each field, count terms, number new terms.

        Written for speed (10,000 articles: 2.7 -> 2.4 s; about 90 tokens and 60 terms an article per field):
        each distinct token text goes through the pipeline once per build, and a term already met in the field
        gets its posting appended here rather than through _TermData.add."""
        number = len(self.refs)
        self.refs.append(ref)
        cache = self._pipeline_cache
        field_count = len(self.fields)
        all_terms = self._terms
        for slot, spec in enumerate(self.fields):
            keep_positions = spec.name in self.position_fields
            value = document.get(spec.name)
            tokens = tokenize(value) if keep_positions else None
            texts = [t.text for t in tokens] if tokens is not None else token_texts(value)
            for text in set(texts):
                if text not in cache:
                    cache[text] = index_term(text)
            where: dict[str, list[int]] = {}
            if tokens is None:
                terms = [term for term in map(cache.__getitem__, texts) if term is not None]
            else:
                terms = []
                for token in tokens:
                    term = cache[token.text]
                    if term is not None:
                        terms.append(term)
                        where.setdefault(term, []).extend((token.start, token.length))
            self._lengths[slot].append(len(terms))
            # lunr numbers terms in the order they are first met; Counter keeps first-seen order.
            for term, frequency in Counter(terms).items():
                data = all_terms.get(term)
                if data is None:
                    data = all_terms[term] = _TermData(
                        len(all_terms),
                        [None] * field_count,
                        [None] * field_count,
                        [None] * field_count,
                        [None] * field_count,
                    )
                documents = data.documents[slot]
                if documents is None or keep_positions:
                    data.add(slot, number, frequency, where.get(term, []) if keep_positions else None)
                else:
                    documents.append(number)
                    data.frequencies[slot].append(frequency)  # type: ignore[union-attr]

    @property
    def document_count(self) -> int:
        return len(self.refs)

    def field_lengths(self, slot: int) -> array:
        """Each document's length (terms after the pipeline) in the field at `slot`, by document number."""
        return self._lengths[slot]

    def average_lengths(self) -> list[float]:
        """lunr.Builder.calculateAverageFieldLengths: every document has every field (possibly empty)."""
        count = self.document_count
        return [sum(lengths) / count if count else 0.0 for lengths in self._lengths]

    def postings(self) -> Iterator[TermPostings]:
        """Every term, in UTF-16 order, with its documents, frequencies and positions."""
        recorded = [spec.name in self.position_fields for spec in self.fields]
        slots = range(len(self.fields))
        none = array("I")  # a field without the term: one empty array for all, only read
        for term in sorted(self._terms, key=utf16_key):
            data = self._terms[term]
            documents = tuple([none if docs is None else docs for docs in data.documents])
            frequencies = tuple([none if tfs is None else tfs for tfs in data.frequencies])
            positions = tuple([data.positions(slot, recorded[slot]) for slot in slots])
            yield TermPostings(term, data.index, documents, frequencies, positions)

    def milli_scores(self, posting: TermPostings, averages: Sequence[float]) -> tuple[array, ...]:
        """Per field, each posting's lunr score in thousandths, as lunr.Builder.createFieldVectors rounds it;
        `averages` is average_lengths(). (The sharded index leaves this to the browser: search.js computes
        the same from the frequencies and lengths.)"""
        count = self.document_count
        with_term = sum(len(docs) for docs in posting.documents)
        idf = math.log(1 + abs((count - with_term + 0.5) / (with_term + 0.5)))
        scores = []
        for slot, (docs, frequencies) in enumerate(zip(posting.documents, posting.frequencies, strict=True)):
            lengths, average, boost = self._lengths[slot], averages[slot], self.fields[slot].boost
            scores.append(
                array(
                    "q",
                    [
                        js_round_milli(bm25(idf, tf, lengths[doc], average) * boost)
                        for doc, tf in zip(docs, frequencies, strict=True)
                    ],
                )
            )
        return tuple(scores)

    def to_lunr_json(self, metadata: bool = True) -> dict[str, Any]:
        """The whole index as `lunr.Index.toJSON()` writes it, ready for `lunr.Index.load`."""
        names = [spec.name for spec in self.fields]
        vectors: list[list[float]] = [[] for _ in range(self.document_count * len(names))]
        inverted: list[list[Any]] = []
        # postings() is in term order; vectors need term-number order: collect, then sort each vector.
        averages = self.average_lengths()
        for posting in self.postings():
            scores = self.milli_scores(posting, averages)
            entry: dict[str, Any] = {"_index": posting.index}
            for slot, name in enumerate(names):
                docs = posting.documents[slot]
                recorded = posting.positions[slot]
                by_ref: dict[str, Any] = {}
                for i, doc in enumerate(docs):
                    meta: dict[str, Any] = {}
                    if metadata and recorded is not None:
                        flat = recorded[i]
                        meta["position"] = [[flat[j], flat[j + 1]] for j in range(0, len(flat), 2)]
                    by_ref[self.refs[doc]] = meta
                    vectors[doc * len(names) + slot].extend((posting.index, scores[slot][i] / 1000))
                entry[name] = by_ref
            inverted.append([posting.term, entry])
        field_vectors = []
        for doc, ref in enumerate(self.refs):
            for slot, name in enumerate(names):
                entries = vectors[doc * len(names) + slot]
                pairs = sorted(zip(entries[0::2], entries[1::2], strict=True))
                field_vectors.append([f"{name}/{ref}", [x for pair in pairs for x in pair]])
        return {
            "version": LUNR_VERSION,
            "fields": names,
            "fieldVectors": field_vectors,
            "invertedIndex": inverted,
            "pipeline": ["stemmer"],
        }


def bm25(idf: float, tf: int, length: int, average: float) -> float:
    """lunr's BM25 term weight, with its operations in lunr.js's order (so the floats are the same)."""
    return idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / average)) + tf)


def js_round_milli(score: float) -> int:
    """Math.round(score * 1000), with JavaScript's rounding (halves go up): lunr keeps scores to 1/1000."""
    scaled = score * 1000
    whole = math.floor(scaled)
    if scaled - whole >= 0.5:
        whole += 1
    return whole


def build_index(
    documents: Iterable[Mapping[str, object]],
    ref: str,
    fields: Sequence[FieldSpec],
    position_fields: Iterable[str] = (),
) -> IndexBuilder:
    """Add every document (its reference under the key `ref`) to a new builder."""
    builder = IndexBuilder(fields, frozenset(position_fields))
    for document in documents:
        if ref not in document:
            raise LunrBuildError(f"a document has no {ref!r} (the reference field): keys are {sorted(document)}")
        builder.add(_js_string(document[ref]), document)
    return builder
