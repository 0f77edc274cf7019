"""news_search.lunrjs: lunr.js's tokenizer, trimmer, stop words and stemmer, in UTF-16 terms, and the index
it writes loading in real lunr.js (node) even with emoji, where code-point order would break it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from news_search.lunrjs import (
    FieldSpec,
    IndexBuilder,
    build_index,
    index_term,
    js_round_milli,
    stem,
    tokenize,
    trim,
    utf16_key,
)
from news_search.parity import LUNR_JS

ROOT = Path(__file__).resolve().parents[3]


def test_tokens_split_on_javascript_whitespace_and_hyphens_with_utf16_positions():
    tokens = tokenize("Ferry\u00a0strike—day-two 😀ok  Quay")
    assert [t.text for t in tokens] == ["ferry", "strike—day", "two", "😀ok", "quay"]
    # the emoji is two UTF-16 code units, so "quay" starts at 24, not 23
    assert [(t.start, t.length) for t in tokens] == [(0, 5), (6, 10), (17, 3), (21, 4), (27, 4)]
    # U+0085 and U+001C are whitespace to Python but not to JavaScript
    assert [t.text for t in tokenize("a\u0085b\u001cc")] == ["a\u0085b\u001cc"]


def test_trimmer_uses_ascii_word_characters_like_javascript():
    assert trim("«café»") == "caf"
    assert trim("(£600m)") == "600m"
    assert trim("...") == ""
    assert index_term("—") == ""  # lunr.js keeps the empty term
    assert index_term("The") is None or index_term("the") is None
    assert index_term("the") is None


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("abbey", "abbey"),
        ("economy", "economi"),
        ("running", "run"),
        ("relational", "relat"),
        ("yelling", "yell"),
        ("abbed", "ab"),
        ("hopeful", "hope"),
        ("ab", "ab"),
    ],
)
def test_stemmer_matches_lunrjs(word, stemmed):
    assert stem(word) == stemmed


def test_stemmer_counts_code_units_for_astral_characters():
    # one astral character plus "s" is three UTF-16 units: lunr.js's step 1a drops the "s"
    assert stem("😀ss") == "😀ss"
    assert stem("😀s") == "😀"


def test_rounding_is_javascripts():
    assert js_round_milli(0.0025) == 3  # halves go up (Python's round() would give 2)
    assert js_round_milli(1.2344) == 1234
    assert js_round_milli(2.5e-4) == 0 or js_round_milli(2.5e-4) == 1


def test_terms_and_numbers_follow_first_occurrence_and_utf16_order():
    builder = build_index(
        [{"id": "a", "title": "zebra x😀z xｆz 🎉 apple"}, {"id": "b", "title": "apple crumble"}],
        "id",
        [FieldSpec("title")],
    )
    postings = list(builder.postings())
    assert [p.term for p in postings] == sorted([p.term for p in postings], key=utf16_key)
    # U+FF46 (fullwidth f) sorts after the emoji's surrogates in UTF-16, before it in code points
    assert [p.term for p in postings][-3:] == ["x😀z", "xｆz", "zebra"]
    numbers = {p.term: p.index for p in postings}
    # a token of symbols only is trimmed to the empty term, which lunr.js indexes too
    assert numbers == {"zebra": 0, "x😀z": 1, "xｆz": 2, "": 3, "appl": 4, "crumbl": 5}


def test_duplicate_fields_are_refused():
    with pytest.raises(ValueError, match="distinct"):
        IndexBuilder([FieldSpec("title"), FieldSpec("title")])


def test_lunrjs_loads_an_index_with_emoji_and_finds_them(tmp_path: Path):
    node = shutil.which("node")
    if node is None or not LUNR_JS.is_file():
        pytest.skip("node or node_modules/lunr missing: run `npm ci`")
    docs = [
        {"id": "1", "body": "party go🎉go tonight x\U000f0000 private use"},
        {"id": "2", "body": "ｆｕｌｌ width and go🎉go again xｆ"},
        {"id": "3", "body": "nothing special"},
    ]
    index = build_index(docs, "id", [FieldSpec("body")], position_fields=["body"]).to_lunr_json()
    path = tmp_path / "index.json"
    path.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    script = (
        f"const lunr=require({json.dumps(str(LUNR_JS))});"
        f"const idx=lunr.Index.load(require({json.dumps(str(path))}));"
        "console.log(JSON.stringify(idx.search('go🎉go').map(r=>[r.ref,r.matchData.metadata['go🎉go'].body.position])))"
    )
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    found = dict(json.loads(done.stdout))
    assert sorted(found) == ["1", "2"]
    assert found["1"] == [[6, 6]]  # the emoji is two UTF-16 code units long
    assert found["2"] == [[15, 6]]
