"""news_tags.rules: cleaning, keys, aliases, merging spellings and the aliases file's errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from news_tags.rules import TagRules, TagRulesError, clean, merge_spellings, tag_key

ALIASES = """\
# a comment
"United States" = ["U.S.", "USA"]
"artificial intelligence" = ["AI"]
"""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  ferries  ", "ferries"),
        ("interest\u00a0\u00a0rates", "interest rates"),  # non-breaking spaces
        ("Ｐｏｒｔ Ａｌｄｅｒ", "Port Alder"),  # full-width letters (NFKC)
        ("ﬁsheries", "fisheries"),  # the fi ligature
        ("sea\u200blevel", "sealevel"),  # zero-width space removed
        ("Port\tAlder\n", "Port Alder"),  # control characters are spaces
        ("e\u0301lection", "élection"),  # combining accent composed
        ("C++", "C++"),
        ("—", None),
        ("...", None),
        ("", None),
        ("\u200b", None),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_keys_ignore_case_and_typographic_apostrophes():
    assert tag_key("Women’s Football") == tag_key("women's football")
    assert tag_key("STRASSE") == tag_key("straße")  # case folding, not lower()
    assert tag_key("C++") != tag_key("C")


def test_aliases_map_every_spelling_to_the_canonical_form():
    rules = TagRules.parse(ALIASES, "aliases.toml")
    assert rules.normalise("U.S.") == "United States"
    assert rules.normalise(" usa ") == "United States"
    assert rules.normalise("united states") == "United States"  # the canonical's own key too
    assert rules.normalise("ai") == "artificial intelligence"
    assert rules.normalise("ＡＩ") == "artificial intelligence"
    assert rules.normalise("Port Alder") == "Port Alder"  # no alias: cleaned only
    assert rules.normalise("—") is None
    assert rules.key("U.S.") == rules.key("United States") == "united states"


def test_normalise_all_drops_empty_tags_and_repeats_in_order():
    rules = TagRules.parse(ALIASES)
    assert rules.normalise_all(["AI", "ferries", "artificial intelligence", "—", "Ferries", "USA"]) == (
        "artificial intelligence",
        "ferries",
        "United States",
    )


def test_merge_spellings_most_used_then_first_used_alias_wins():
    rules = TagRules.parse('"interest rates" = ["rates"]')
    uses = ["Port Alder", "port alder", "Port Alder", "Fishing", "fishing", "Interest Rates", "interest rates"]
    display = merge_spellings(rules, uses)
    assert display[tag_key("port alder")] == "Port Alder"  # most used
    assert display[tag_key("fishing")] == "Fishing"  # a tie: the first used
    assert display[tag_key("interest rates")] == "interest rates"  # aliased, whatever is used most


def test_load_reads_a_file(tmp_path: Path):
    path = tmp_path / "tag-aliases.toml"
    path.write_text(ALIASES, encoding="utf-8")
    assert TagRules.load(path).normalise("USA") == "United States"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('"A" = ["b"]\n"C" = ["d",\n', 2, "not valid TOML"),
        ('"A" = ["b"]\n\n"C" = [d]\n', 3, "not valid TOML"),
        ('"A" = ["b"]\n\n"Port Alder" = "port alder"\n', 3, "not a list of texts"),
        ('"A" = ["b"]\n"C" = ["d", 3]\n', 2, "not a list of texts"),
        ('"United States" = ["U.S."]\n"America" = [\n  "USA",\n  "u.s.",\n]\n', 4, "listed for both"),
        ('"A" = ["b"]\n"—" = ["x"]\n', 2, "no letter or digit"),
        ('"A" = ["b", "…"]\n', 1, "no letter or digit"),
        ("[section]\nx = 1\n", 1, "not a list of texts"),
    ],
)
def test_file_errors_name_the_file_and_line(text, line, words):
    with pytest.raises(TagRulesError) as caught:
        TagRules.parse(text, "content/tag-aliases.toml")
    message = str(caught.value)
    assert message.startswith(f"content/tag-aliases.toml:{line}: error: "), message
    assert words in message
    assert " — " in message  # and says how to fix it


def test_missing_and_non_utf8_files(tmp_path: Path):
    with pytest.raises(TagRulesError, match=r"missing\.toml:1: error: the tag aliases file does not exist"):
        TagRules.load(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes('"café" = ["cafe"]'.encode("latin-1"))
    with pytest.raises(TagRulesError, match=r"latin\.toml:1: error: the file is not UTF-8"):
        TagRules.load(latin)


def test_the_sample_archive_aliases_file_loads():
    path = Path(__file__).resolve().parents[3] / "content" / "tag-aliases.toml"
    rules = TagRules.load(path)
    assert rules.normalise("U.S.") == "United States"
    assert rules.normalise("AI") == "artificial intelligence"
