"""news_navigation: archive neighbours skip empty periods; home selection; newer/older in section."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from news_navigation import period_neighbours
from news_navigation.navigation import (
    MemberList,
    build_period_archives,
    link_sections,
    order_sections,
    period_label,
    select_home,
)


def archive(*period_num: int) -> dict:
    return {"period_num": period_num, "url": "/".join(f"{n:02d}" for n in period_num) + "/"}


def test_neighbours_skip_empty_months_and_years():
    archives = {
        "year": [archive(2026), archive(2024)],  # no 2025: 2026's older year is 2024
        "month": [archive(2026, 2), archive(2025, 12), archive(2024, 7)],  # newest first, as Pelican gives them
    }
    found = period_neighbours(archives)
    assert found[(2026,)] == {"older": {"url": "2024/", "label": "2024"}, "newer": None}
    assert found[(2026, 2)]["older"]["label"] == "December 2025"  # January is empty: skipped
    assert found[(2026, 2)]["newer"] is None
    assert found[(2025, 12)]["newer"]["url"] == "2026/02/"
    assert found[(2024, 7)]["older"] is None


def test_period_labels():
    assert period_label((2026,)) == "2026"
    assert period_label((2026, 11)) == "November 2026"
    assert period_label((2026, 11, 3)) == "3 November 2026"


def article(slug: str, day: int, image: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(slug=slug, date=dt.datetime(2026, 10, day, tzinfo=dt.UTC), image=image)


def test_newer_and_older_in_section():
    a, b, c = article("a", 1), article("b", 2), article("c", 3)
    link_sections([(SimpleNamespace(name="World"), [b, a, c])])
    assert (c.newer_in_section, c.older_in_section) == (None, b)
    assert (b.newer_in_section, b.older_in_section) == (c, a)
    assert (a.newer_in_section, a.older_in_section) == (b, None)


def test_sections_follow_configured_order():
    world, business, other = (SimpleNamespace(name=n) for n in ("World", "Business", "Archive"))
    ordered = order_sections([(business, []), (other, []), (world, [])], ["World", "Business"])
    assert [c.name for c, _ in ordered] == ["World", "Business", "Archive"]


def test_home_leads_with_newest_article_with_an_image():
    articles = [article("e", 5), article("d", 4, image="images/d.svg"), article("c", 3), article("b", 2)]
    section = SimpleNamespace(name="World")
    home = select_home(
        articles,
        [(section, articles), (SimpleNamespace(name="Empty"), [])],
        {"HOME_TOP_STORIES": 2, "HOME_SECTION_STORIES": 3},
    )
    assert home is not None
    assert home.lead.slug == "d"
    assert [a.slug for a in home.top] == ["e", "c"]
    assert [(c.name, [a.slug for a in items]) for c, items in home.sections] == [("World", ["b"])]
    assert select_home([], [], {}) is None


def test_one_day_archive_per_local_day_across_timezones():
    """Sorted by absolute time, the 17th (New York) and the 17th (UTC) are not next to each other."""
    tz_ny = dt.timezone(dt.timedelta(hours=-5))
    late_ny = SimpleNamespace(slug="ny", date=dt.datetime(2026, 11, 17, 23, 0, tzinfo=tz_ny))  # 18th 04:00 UTC
    early_18 = SimpleNamespace(slug="utc18", date=dt.datetime(2026, 11, 18, 1, 0, tzinfo=dt.UTC))
    noon_17 = SimpleNamespace(slug="utc17", date=dt.datetime(2026, 11, 17, 12, 0, tzinfo=dt.UTC))
    settings = {
        "DAY_ARCHIVE_SAVE_AS": "{date:%Y}/{date:%m}/{date:%d}/index.html",
        "DAY_ARCHIVE_URL": "{date:%Y}/{date:%m}/{date:%d}/",
    }
    days = build_period_archives([late_ny, early_18, noon_17], settings)["day"]
    assert [d["period_num"] for d in days] == [(2026, 11, 18), (2026, 11, 17)]
    assert [a.slug for a in days[1]["dates"]] == ["ny", "utc17"]
    assert days[1]["save_as"] == "2026/11/17/index.html"
    assert days[1]["period"] == (2026, "November", 17)


class _Term:
    """A tag, section or author: hashable, as Pelican's URLWrapper is."""

    def __init__(self, name: str) -> None:
        self.name = self.slug = self.page_name = name
        self.save_as, self.url = f"{name}.html", f"{name}/"

    def __str__(self) -> str:
        return self.name


class _Article:
    """Compares by identity, as Pelican's Content does."""

    def __init__(self, title: str) -> None:
        self.title = title


def test_member_lists_test_membership_by_identity_and_stay_lists():
    for make in (_Article, lambda title: SimpleNamespace(title=title)):  # SimpleNamespace has an __eq__ of its own
        articles = [make(f"a{i}") for i in range(5)]
        members = MemberList(articles[1:4])
        assert [a in members for a in articles] == [False, True, True, True, False]
        assert make("a1") not in members  # an equal object is not a member: identity, as in Pelican's lists
        assert list(members) == articles[1:4]
        assert members[0] is articles[1]
        assert [a for a in articles if a in members] == articles[1:4]  # what Pelican's generate_tags computes


def test_term_pages_are_written_as_pelican_writes_them():
    """write_term_pages against Pelican's own generate_tags/_categories/_authors, called on the same generator:
    the same calls of `write`, with the same (identical) arguments, in the same order; a term whose page
    cannot be written is skipped when it has no slug and fails the build when it has one."""
    import pytest
    from news_navigation.navigation import write_term_pages
    from pelican.generators import ArticlesGenerator
    from pelican.writers import FileOverwriteFailedError

    articles = [_Article(f"a{i}") for i in range(12)]
    dates = sorted(articles, key=lambda a: (a.title[-1], a.title))  # an order of their own, not the list's
    terms = [_Term(f"t{i}") for i in range(4)]
    members = [MemberList(articles[i::3] + articles[:1]) for i in range(3)] + [MemberList([])]  # one twice, one empty
    generator = SimpleNamespace(
        dates=dates,
        articles=articles,
        context={"site": 1},
        tags=dict(zip(terms, members, strict=True)),
        categories=list(zip(terms, members, strict=True)),
        authors=list(zip(terms[::-1], members[::-1], strict=True)),
        get_template=lambda name: f"template {name}",
    )

    def calls(run) -> list[tuple]:
        made: list[tuple] = []
        run(lambda *args, **kwargs: made.append((args, kwargs)))
        return made

    for kind, method in (("tag", "generate_tags"), ("category", "generate_categories"), ("author", "generate_authors")):
        ours = calls(lambda write, kind=kind: write_term_pages(generator, kind, write))
        pelicans = calls(lambda write, method=method: getattr(ArticlesGenerator, method)(generator, write))
        assert len(ours) == len(pelicans) == 4
        for (args, kwargs), (p_args, p_kwargs) in zip(ours, pelicans, strict=True):
            assert args == p_args
            assert kwargs.keys() == p_kwargs.keys()
            for key, value in kwargs.items():
                assert value == p_kwargs[key], (kind, key)
                if isinstance(value, list):
                    assert all(a is b for a, b in zip(value, p_kwargs[key], strict=True))

    def refuse(*args, **kwargs):
        raise FileOverwriteFailedError(args[0])

    terms[0].slug = ""
    write_term_pages(SimpleNamespace(**{**vars(generator), "tags": {terms[0]: members[0]}}), "tag", refuse)
    with pytest.raises(FileOverwriteFailedError):
        write_term_pages(SimpleNamespace(**{**vars(generator), "tags": {terms[1]: members[1]}}), "tag", refuse)


def test_pelicans_strftime_gives_the_same_text_by_the_c_strftime():
    """pelican_strftime against Pelican's own strftime, on every directive alone, with "-", in pairs and in
    the site's formats, for dates with leading zeros, midnight, microseconds, with and without a timezone;
    formats the C strftime would write otherwise go to Pelican's (a lone "%", "%-x", other directives)."""
    import itertools
    import zoneinfo

    from news_navigation.navigation import PELICANS_STRFTIME as pelicans
    from news_navigation.navigation import c_strftime_alike, pelican_strftime
    from pelican.utils import SafeDatetime

    assert pelicans.__module__ == "pelican.utils"
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    dates = [
        SafeDatetime(2007, 1, 5, 0, 0, 0),
        SafeDatetime(2026, 11, 24, 9, 5, 7, 120, tzinfo=dt.UTC),
        SafeDatetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=paris),
        dt.datetime(2008, 2, 1, 12, 0, tzinfo=paris),
    ]
    letters = "aAbBcdfGHIjmMpSUuVwWxXyYzZ%eklsCDFTRnthgPrqQ"
    formats = [f"%{c}" for c in letters] + [f"%-{c}" for c in letters]
    formats += [f"{a} {b}" for a, b in itertools.product(formats[:12], repeat=2)]
    formats += ["%-d %B %Y", "%-d %b %Y, %H:%M", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S%z", "100%", "%", "%-", "März %d"]
    fast = 0
    for date_format in formats:
        for date in dates:
            try:
                expected = pelicans(date, date_format)
            except ValueError:  # Pelican fails on a lone "%": so must we
                assert not c_strftime_alike(date_format), date_format
                continue
            assert pelican_strftime(date, date_format) == expected, (date_format, date)
        fast += c_strftime_alike(date_format)
    assert fast > len(formats) // 2  # most formats take the fast way
    assert not any(c_strftime_alike(f) for f in ("%-x", "%e", "März %d", "%-B"))


def test_time_tag_writes_what_the_timestamp_macro_wrote():
    """The `time_tag` filter against the Jinja macro it replaced (kept here, as it was in article_meta.html),
    for every combination of its options, with and without a timezone, escaped alike."""
    import itertools
    import zoneinfo

    import jinja2
    from news_navigation.navigation import date_text, time_tag

    macro = """{% macro timestamp(d, relative=true, fmt="%-d %B %Y, %H:%M", zone=true) -%}
  <time datetime="{{ d.isoformat(timespec='seconds') }}"{% if relative %} data-relative{% endif %}>{{ d|date_text(fmt) }}{% if zone and d.tzname() %} {{ d.tzname() }}{% endif %}</time>
  {%- if relative %}<span class="reltime"></span>{% endif %}
{%- endmacro %}"""  # noqa: E501
    environment = jinja2.Environment(autoescape=True)
    environment.filters.update(date_text=date_text, time_tag=time_tag)
    old = environment.from_string(macro + "[{{ timestamp(d, relative=r, fmt=f, zone=z) }}]")
    new = environment.from_string("[{{ d|time_tag(f, relative=r, zone=z) }}]")
    default_old = environment.from_string(macro + "[{{ timestamp(d) }}]")
    default_new = environment.from_string("[{{ d|time_tag }}]")
    dates = [
        dt.datetime(2007, 1, 5, 0, 0, 9),
        dt.datetime(2026, 11, 24, 9, 5, 7, 120, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
        dt.datetime(2008, 2, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30), "<India & co>")),
    ]
    for d, r, z, f in itertools.product(dates, (True, False), (True, False), ("%-d %b %Y", "%-d %B %Y, %H:%M", "<%Y>")):
        assert new.render(d=d, r=r, z=z, f=f) == old.render(d=d, r=r, z=z, f=f)
    for d in dates:
        assert default_new.render(d=d) == default_old.render(d=d)
    assert "&lt;India &amp; co&gt;" in new.render(d=dates[3], r=False, z=True, f="%Y")


def test_time_tag_answers_each_date_object_for_itself():
    """time_tag remembers its answers by date object: dates that are equal (the same instant in two zones) or
    the same object with other arguments each get their own text, and asking again gives the same."""
    import zoneinfo

    from news_navigation.navigation import time_tag

    utc = dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.UTC)
    tokyo = utc.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert utc == tokyo
    first = [time_tag(d, f, relative=r) for d in (utc, tokyo) for f in ("%H:%M", "%-d %b") for r in (True, False)]
    assert first == [
        time_tag(d, f, relative=r) for d in (utc, tokyo) for f in ("%H:%M", "%-d %b") for r in (True, False)
    ]
    assert (
        first[0]
        == '<time datetime="2026-03-01T14:30:00+00:00" data-relative>14:30 UTC</time><span class="reltime"></span>'
    )
    assert first[5] == '<time datetime="2026-03-01T23:30:00+09:00">23:30 JST</time>'
    assert (
        first[6]
        == '<time datetime="2026-03-01T23:30:00+09:00" data-relative>1 Mar JST</time><span class="reltime"></span>'
    )
    assert len(set(first)) == 8


def test_urls_formatted_from_slug_date_and_language_alone_equal_pelicans(monkeypatch):
    """expand_settings (Pelican's Content._expand_settings, now) formats a setting that names only the slug,
    the date and the language from those three; every other setting goes to Pelican's own. Both give the same
    text, or the same error, whatever the setting."""
    import pelican.contents
    from news_navigation.navigation import (
        PELICANS_EXPAND_SETTINGS,
        expand_settings,
        install_url_formatting,
        setting_fields,
    )
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Author, Category

    monkeypatch.setattr(pelican.contents.Content, "_expand_settings", PELICANS_EXPAND_SETTINGS)
    install_url_formatting()  # as the plugin's register() does
    assert pelican.contents.Content._expand_settings is expand_settings
    assert setting_fields("{date:%Y}/{date:%m}/{slug}/") == {"date", "slug"}
    assert setting_fields("{slug[0]}/{date.year}/{lang}") == {"slug", "date", "lang"}
    assert setting_fields("{0}/{slug}") is None
    assert setting_fields("{}/{slug}") is None
    assert setting_fields("{slug") is None
    patterns = [
        "{date:%Y}/{date:%m}/{date:%d}/{slug}/",
        "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html",
        "{lang}/{slug}.html",
        "{slug[0]}/{date.year}/{date:%-d-%B}/{slug!r}",
        "{category}/{slug}/",
        "{author}/{date:%Y}/{slug}",
        "{path}",
        "{source}/{slug}",
        "plain/",
        "{0}/{slug}",
        "{slug",
    ]
    settings = dict(DEFAULT_CONFIG)
    when = dt.datetime(1987, 3, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    metadata = {
        "title": "Fuel loading begins",
        "slug": "fuel-loading",
        "date": when,
        "lang": "fr",
        "category": Category("Energy", settings),
        "author": Author("Ana Ruiz", settings),
        "source": "Desert Wire",
    }
    contents = [
        pelican.contents.Article("<p>x</p>", metadata=metadata, settings=settings, source_path="/c/a/fuel.md"),
        pelican.contents.Article("<p>x</p>", metadata={**metadata, "status": "draft"}, settings=settings),
        pelican.contents.Page("<p>x</p>", metadata={"title": "About", "slug": "about"}, settings=settings),
    ]
    compared = 0
    for pattern in patterns:
        for content in contents:
            for key in ("url", "save_as"):
                for name in ("ARTICLE", "DRAFT", "PAGE"):
                    settings[f"{name}_{key}".upper()] = pattern
                expected: object
                try:
                    expected = PELICANS_EXPAND_SETTINGS(content, key)
                except Exception as error:
                    expected = type(error)
                try:
                    got: object = expand_settings(content, key)
                except Exception as error:
                    got = type(error)
                if isinstance(expected, str) and "{date" in pattern and not hasattr(content, "date"):
                    continue  # Pelican formats the time of the call: not comparable, and not ours to format
                assert got == expected, (pattern, type(content).__name__, key)
                compared += 1
    assert compared > 50
    settings["ARTICLE_LANG_SAVE_AS"] = patterns[1]  # "fr" is not the default language
    assert contents[0].save_as == "1987/03/02/fuel-loading/index.html"  # in the date's own offset
