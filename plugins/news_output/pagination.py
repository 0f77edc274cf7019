"""Stable pagination (`OUTPUT_STABLE_PAGINATION`): page numbers counted from the oldest article.

Pelican numbers a list's pages from the newest article, so one new article moves every article of the list one
place down: every page of the list changes, and at 10,000 articles a rebuild after adding one article rewrites
about 2,500 list pages (and a CDN uploads them again). Here the pages are counted from the other end:

- page 1 holds the `per_page` oldest articles, page 2 the next `per_page`, and so on; those pages, their URLs
  (`.../page/<number>/`) and their contents stay the same while newer articles are added;
- the front page (the list's own URL, the highest number) holds the newest articles: the rest, from
  `per_page` to `2 × per_page - 1` of them, so it is never nearly empty. A list of fewer than `2 × per_page`
  articles is one page. `DEFAULT_ORPHANS` does not apply (the front page takes the rest).

A reader goes through the pages in the same order as before: the front page, then the highest number down to 1.
The page objects keep Pelican's interface: `has_next()` means an older page exists, `next_page_number()` is its
number.
"""

from __future__ import annotations

from typing import Any

from pelican.paginator import Page, Paginator


class StablePaginator(Paginator):
    """Pelican's `Paginator`, with pages numbered from the end of the list (its oldest articles)."""

    stable = True  # for templates: the page numbers count from the oldest article

    def __init__(self, name: str, url: str, object_list: Any, settings: Any, per_page: int | None = None) -> None:
        super().__init__(name, url, object_list, settings, per_page)
        self.orphans = 0
        self._num_pages = max(1, self.count // self.per_page) if self.per_page else 1

    def page(self, number: int) -> StablePage:
        """Page `number`: 1 is the oldest, `num_pages` the front page."""
        top = self.count - (number - 1) * self.per_page  # the position after the page's last item, newest first
        bottom = 0 if number >= self.num_pages else max(0, top - self.per_page)
        top = max(0, min(top, self.count))
        return StablePage(self.name, self.url, self.object_list[bottom:top], number, self, self.settings, bottom)


class StablePage(Page):
    """A page of a `StablePaginator`: number 1 is the oldest page, `num_pages` the front page."""

    def __init__(
        self, name: str, url: str, object_list: Any, number: int, paginator: Any, settings: Any, offset: int
    ) -> None:
        super().__init__(name, url, object_list, number, paginator, settings)
        self.offset = offset  # position of its first item in the whole list, newest first

    @property
    def front(self) -> bool:
        return bool(self.number >= self.paginator.num_pages)

    def has_next(self) -> bool:  # an older page
        return bool(self.number > 1)

    def has_previous(self) -> bool:  # a newer page
        return not self.front

    def next_page_number(self) -> int:
        return int(self.number) - 1

    def previous_page_number(self) -> int:
        return int(self.number) + 1

    def start_index(self) -> int:
        return self.offset + 1 if self.object_list else 0

    def end_index(self) -> int:
        return int(self.offset + len(self.object_list))

    def _from_settings(self, key: str) -> Any:
        """The page's URL or SAVE_AS from PAGINATION_PATTERNS: the front page takes the rule of Pelican's page
        1 (the list's own URL); every other page the rule of a page numbered at least 2, with its own number
        (page 1, the oldest, is `.../page/1/`). A `-1` rule applies to the oldest page, as Pelican's does to its
        last."""
        effective = 1 if self.front else max(int(self.number), 2)
        rule = None
        for candidate in self.settings["PAGINATION_PATTERNS"]:
            if candidate.min_page == -1:
                if not self.has_next():
                    rule = candidate
                    break
            elif candidate.min_page <= effective:
                rule = candidate
        if rule is None:
            return ""
        pattern = getattr(rule, key)
        if not isinstance(pattern, str):
            return pattern
        value = pattern.format(
            save_as=self.full_name,
            url=self.base_url,
            name=self.name,
            base_name=self.base_name,
            extension=self.extension,
            number=self.number,
        )
        return value[1:] if value.startswith("/") else value  # one leading slash dropped, as Pelican does

    url = property(lambda self: self._from_settings("URL"))
    save_as = property(lambda self: self._from_settings("SAVE_AS"))


def pages_in_order(paginator: Paginator, count: int) -> list[Page]:
    """The first `count` pages of `paginator` in the order a reader goes through them (the newest first)."""
    if isinstance(paginator, StablePaginator):
        return [paginator.page(paginator.num_pages - position) for position in range(count)]
    return [paginator.page(position + 1) for position in range(count)]
