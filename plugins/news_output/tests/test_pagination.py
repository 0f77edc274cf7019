"""Stable pagination: pages counted from the oldest article keep their articles and URLs as new ones arrive."""

from __future__ import annotations

from pathlib import Path

import pytest
from news_output.pagination import StablePaginator, pages_in_order
from pelican.paginator import PaginationRule

from tests.sitebuild import build_site

SETTINGS = {
    "DEFAULT_ORPHANS": 2,  # ignored: the front page takes the rest
    "PAGINATION_PATTERNS": [
        PaginationRule(1, "{url}", "{save_as}"),
        PaginationRule(2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
    ],
}


def paginate(count: int, per_page: int) -> list:
    items = list(range(count, 0, -1))  # newest first, as the lists are shown: item k is the k-th oldest
    paginator = StablePaginator("tag/x/index.html", "tag/x/", items, SETTINGS, per_page)
    return pages_in_order(paginator, paginator.num_pages)


@pytest.mark.parametrize("per_page", [1, 3, 20])
def test_the_pages_cover_the_list_once_in_order_and_only_the_front_page_is_not_full(per_page: int) -> None:
    for count in range(0, 5 * per_page + 2):
        pages = paginate(count, per_page)
        assert [item for page in pages for item in page.object_list] == list(range(count, 0, -1))
        front, *older = pages
        assert front.url == "tag/x/"
        assert front.save_as == "tag/x/index.html"
        assert front.front
        assert not front.has_previous()
        assert front.has_next() == bool(older)
        if count < 2 * per_page:
            assert older == []
        else:
            assert per_page <= len(front.object_list) < 2 * per_page
        for position, page in enumerate(older):
            number = len(older) - position
            assert page.number == number
            assert len(page.object_list) == per_page
            # page N holds the N-th run of per_page items from the oldest
            assert page.object_list == list(range(number * per_page, (number - 1) * per_page, -1))
            assert page.url == f"tag/x/page/{number}/"
            assert page.save_as == f"tag/x/page/{number}/index.html"
            assert page.has_previous()
            assert page.has_next() == (number > 1)
        for page in pages:
            if page.object_list:
                assert page.start_index() == count - page.object_list[0] + 1
                assert page.end_index() == count - page.object_list[-1] + 1


@pytest.mark.parametrize("per_page", [1, 3, 20])
def test_a_new_article_changes_only_the_front_page(per_page: int) -> None:
    for count in range(0, 5 * per_page + 2):
        before = {page.url: page.object_list for page in paginate(count, per_page)}
        after = {page.url: page.object_list for page in paginate(count + 1, per_page)}
        changed = {url for url in after if before.get(url) != after[url]}
        # the front page, and when it is full a new numbered page split off it
        assert changed <= {"tag/x/", f"tag/x/page/{(count + 1) // per_page - 1}/"}, (count, changed)
        assert all(before[url] == after[url] for url in before if url in after and url != "tag/x/")


NEWEST = """---
id: contrib-2026-03-04-ferry-fares
title: "Ferry fares frozen for the summer"
date: 2026-03-04T08:00:00+00:00
section: World
summary: "The operator keeps last year's prices."
---

The operator said fuel costs had settled.
"""


def test_adding_the_newest_article_leaves_the_older_pages_of_every_list_untouched(
    content: Path, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    assert build_site(content, output).returncode == 0
    numbered = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in output.rglob("page/*/index.html")}
    assert output / "section/world/page/1/index.html" in numbered
    front = (output / "section/world/index.html").read_bytes()

    (content / "articles" / "2026" / "03" / "ferry-fares.md").write_text(NEWEST, encoding="utf-8")
    result = build_site(content, output)
    assert result.returncode == 0, result.stdout + result.stderr

    assert b"Ferry fares frozen" in (output / "section/world/index.html").read_bytes() != front
    split = False
    for path, (data, mtime) in numbered.items():
        number = int(path.parent.name)
        newer = path.parent.parent / str(number + 1) / "index.html"
        if newer.is_file() and newer not in numbered:
            # A new page split off the front page: the one below it now links to it, and that is its only change.
            split = True
            listed = "/" + path.parent.parent.parent.relative_to(output).as_posix() + "/"
            text = path.read_text(encoding="utf-8")
            assert text.replace(f'"{listed}page/{number + 1}/"', f'"{listed}"') == data.decode(), path
            continue
        assert path.read_bytes() == data, path  # kept as it was
        assert path.stat().st_mtime_ns == mtime, path
    assert split, "no front page split off a new page: the test no longer covers that case"


def test_off_by_default_pelican_numbers_pages_from_the_newest(content: Path, tmp_path: Path) -> None:
    output = tmp_path / "output"
    result = build_site(content, output, extra={"OUTPUT_STABLE_PAGINATION": False})
    assert result.returncode == 0, result.stdout + result.stderr
    second = (output / "section/world/page/2/index.html").read_text(encoding="utf-8")
    assert "Page 2 of 2" in second
    assert not (output / "section/world/page/1").exists()


def test_a_wrong_setting_names_itself(content: Path, tmp_path: Path) -> None:
    result = build_site(content, tmp_path / "output", extra={"OUTPUT_STABLE_PAGINATION": "yes"})
    assert result.returncode != 0
    assert "OUTPUT_STABLE_PAGINATION is 'yes'; expected True or False" in result.stdout + result.stderr
