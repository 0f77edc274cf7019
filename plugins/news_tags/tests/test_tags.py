"""news_tags in the build: shared merged Tag objects, slug collisions, settings, the index order."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from news_tags.tags import TagSettingsError, index_tags, merge_tags, read_settings
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Tag

SETTINGS = {**DEFAULT_CONFIG, "TAG_URL": "tag/{slug}/", "TAG_SAVE_AS": "tag/{slug}/index.html"}


def article(day: int, *names: str) -> SimpleNamespace:
    return SimpleNamespace(
        date=dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC),
        source_path=f"articles/{day:02d}.md",
        tags=[Tag(name, SETTINGS) for name in names],
        metadata={"tags": []},
    )


def generator(articles, settings=None, hidden=(), drafts=()):
    return SimpleNamespace(
        articles=list(articles),
        translations=[],
        hidden_articles=list(hidden),
        drafts=list(drafts),
        settings=settings or SETTINGS,
        context={},
    )


def names(item) -> list[str]:
    return [tag.name for tag in item.tags]


def test_spellings_merge_into_one_shared_tag(tmp_path: Path):
    (tmp_path / "aliases.toml").write_text('"United States" = ["U.S."]\n', encoding="utf-8")
    settings = {**SETTINGS, "PATH": str(tmp_path), "TAG_ALIASES_FILE": "aliases.toml"}
    # newest first, as Pelican lists them; the merge reads them oldest first
    a3 = article(3, "interest rates", "Port Alder")
    a2 = article(2, "Interest  Rates", "U.S.", "united states")
    a1 = article(1, "Interest Rates", "Ｐｏｒｔ Ａｌｄｅｒ", "—")
    hidden = article(4, "port alder")
    gen = generator([a3, a2, a1], settings, hidden=[hidden])
    merge_tags(gen)
    assert names(a1) == ["Interest Rates", "Port Alder"]  # the empty tag is gone
    assert names(a2) == ["Interest Rates", "United States"]  # two spellings in one article: once
    assert names(a3) == ["Interest Rates", "Port Alder"]
    assert names(hidden) == ["Port Alder"]
    assert a1.tags[0] is a2.tags[0] is a3.tags[0]  # one object per topic
    assert a1.tags[1] is hidden.tags[0]
    assert a2.metadata["tags"] == a2.tags
    assert a1.tags[0].url == "tag/interest-rates/"
    assert gen.context["tag_rules"].normalise("U.S.") == "United States"


def test_slug_collisions_the_first_used_keeps_the_slug():
    c_sharp = article(9, "C#")
    cpp = article(8, "C++")
    c = article(7, "C")
    already = article(1, "C 2")  # a real tag whose slug is c-2: the suffix skips it
    merge_tags(generator([c_sharp, cpp, c, already]))
    assert already.tags[0].slug == "c-2"
    assert c.tags[0].slug == "c"
    assert cpp.tags[0].slug == "c-3"
    assert c_sharp.tags[0].slug == "c-4"
    assert cpp.tags[0].url == "tag/c-3/"
    assert len({tag.slug for item in (c_sharp, cpp, c, already) for tag in item.tags}) == 4


def test_slugs_do_not_move_when_a_later_tag_arrives():
    c = article(1, "C")
    merge_tags(generator([c]))
    assert c.tags[0].slug == "c"
    c_again = article(1, "C")
    cpp = article(2, "C++")
    merge_tags(generator([cpp, c_again]))
    assert c_again.tags[0].slug == "c"
    assert cpp.tags[0].slug == "c-2"


def test_the_default_aliases_file_may_be_absent_but_a_chosen_one_may_not(tmp_path: Path, caplog):
    settings = {**SETTINGS, "PATH": str(tmp_path)}
    with caplog.at_level(logging.ERROR, logger="news_tags.tags"):
        merge_tags(generator([article(1, "AI")], settings))  # no tag-aliases.toml in PATH: no aliases
    assert caplog.records == []
    with caplog.at_level(logging.ERROR, logger="news_tags.tags"):
        merge_tags(generator([article(1, "AI")], {**settings, "TAG_ALIASES_FILE": "other.toml"}))
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path / 'other.toml'}:1: error: the tag aliases file does not exist — create it, or point "
        "TAG_ALIASES_FILE at it"
    ]


def test_a_broken_aliases_file_is_one_error_line_with_file_and_line(tmp_path: Path, caplog):
    (tmp_path / "tag-aliases.toml").write_text('"A" = ["x"]\n"B" = ["X"]\n', encoding="utf-8")
    item = article(1, "x")
    with caplog.at_level(logging.ERROR, logger="news_tags.tags"):
        merge_tags(generator([item], {**SETTINGS, "PATH": str(tmp_path)}))
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(f"{tmp_path / 'tag-aliases.toml'}:2: error: 'X' is listed for both 'A'")
    assert names(item) == ["x"]  # the build goes on without aliases (and fails when errors are fatal)


@pytest.mark.parametrize(
    ("name", "value"),
    [("TAG_ALIASES_FILE", 3), ("TAG_INDEX_POPULAR", -1), ("TAG_INDEX_POPULAR", "12"), ("TAG_INDEX_POPULAR", True)],
)
def test_settings_are_validated_with_name_value_and_expectation(name, value):
    with pytest.raises(TagSettingsError) as caught:
        read_settings({**SETTINGS, name: value})
    assert str(caught.value).startswith(f"{name} is {value!r}; expected ")


def test_index_sorts_a_to_z_ignoring_case_and_accents_and_lists_the_most_used():
    tags = {name: Tag(name, SETTINGS) for name in ["zebras", "Édition", "apples", "Osmark", "edition b"]}
    pairs = [(tags["zebras"], [1]), (tags["Édition"], [1, 2]), (tags["apples"], [1, 2, 3]), (tags["Osmark"], [1])]
    pairs.append((tags["edition b"], [1, 2]))
    gen = generator([], {**SETTINGS, "TAG_INDEX_POPULAR": 2})
    gen.context["tags"] = pairs
    index_tags(gen)
    assert [t.name for t, _ in gen.context["tags"]] == ["apples", "Édition", "edition b", "Osmark", "zebras"]
    assert [t.name for t, _ in gen.context["popular_tags"]] == ["apples", "Édition"]
