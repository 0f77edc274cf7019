"""Page records: a page whose recorded reads replay to the same digest renders to the same bytes."""

from __future__ import annotations

import copy
import random
import re
import shutil
from pathlib import Path
from typing import Any

import jinja2
from news_output import pages
from pelican.urlwrappers import URLWrapper

from tests.sitebuild import FIXTURES, build_site

# One template with what the theme does: names, attributes, loops with unpacking and `loop`, `length`,
# `default`, `sort(attribute=...)`, `in`, dict items, a custom filter, a pure one (not recorded) and a global called
# with a value read.
TEMPLATE = """{{ site }}|{{ article.title }}|{{ article.tags|length }}
{% for tag in article.tags|sort(attribute="name") %}[{{ tag.name }}{% if not loop.last %},{% endif %}]{% endfor %}
{% for section, members in sections %}
<{{ section.name }}{% if article.section == section.name %} *{% endif %}>
{% endfor %}
{% if article.related %}{% for item in article.related[:2] %}
({{ item.title|shout }} {{ item["label"]|default("-") }} {{ item.initial(2) }})
{% endfor %}{% endif %}
{% for tag in article.tags %}{{ link(tag.name) }}{% endfor %}
{% if "urgent" in article.flags %}URGENT{% endif %}
{{ link(article.slug) }}|{{ article.extra.get("note", "") }}|{{ article.title|whisper(article.section) }}
{% for key, value in article.extra.items() %}{{ key }}={{ value }};{% endfor %}
{% if article.period in neighbours %}{{ neighbours[article.period] }}{% endif %}
"""


class Thing:
    """An object of the build: attributes only."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


class Item(URLWrapper):
    """A tag or a related article: what a page reads below one is a group, checked once for each (pages.py)."""

    def __init__(self, name: str, **fields: Any) -> None:
        super().__init__(name, {})
        self.__dict__.update(fields)

    def initial(self, letters: int) -> str:
        return str(self.name)[:letters]


def whisper(text: str, where: str) -> str:
    return f"{text.lower()} ({where})"


whisper.depends_only_on_arguments = True  # type: ignore[attr-defined]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": TEMPLATE}), autoescape=True)
    env.filters["shout"] = lambda text: str(text).upper()
    env.filters["whisper"] = whisper
    env.globals["link"] = lambda slug: f"/a/{slug}/"
    pages.install(env)
    return env


def render(template: jinja2.Template, roots: dict[str, Any]) -> tuple[str, pages.Tracer]:
    tracer = pages.Tracer(roots, template.globals)
    with pages.tracing(tracer):
        return template.render(roots), tracer


def site(rng: random.Random) -> dict[str, Any]:
    """A small random build: an article with tags, related items, flags, extra fields; sections with members."""
    words = ["ferry", "port", "tide", "vote", "mill", "rail"]
    tags = [Item(rng.choice(words)) for _ in range(rng.randint(0, 3))]
    related = [
        Item(rng.choice(words), title=rng.choice(words), label=rng.choice(words)) for _ in range(rng.randint(0, 3))
    ]
    extra = {rng.choice(["note", "kicker"]): rng.choice(words) for _ in range(rng.randint(0, 2))}
    article = Thing(
        title=rng.choice(words),
        tags=tags,
        section=rng.choice(["World", "Local"]),
        related=related,
        flags={rng.choice(["urgent", "calm"])},
        slug=rng.choice(words),
        extra=extra,
        period=(2026, rng.randint(1, 2)),
    )
    sections = [(Thing(name=name), list(range(rng.randint(0, 3)))) for name in ("World", "Local")[: rng.randint(1, 2)]]
    neighbours = {(2026, month): f"month {month}" for month in range(1, rng.randint(1, 3))}
    return {"site": rng.choice(["Archive", "News"]), "article": article, "sections": sections, "neighbours": neighbours}


def mutate(rng: random.Random, roots: dict[str, Any]) -> dict[str, Any]:
    """The same build with one thing changed, which the page may or may not read."""
    changed = copy.deepcopy(roots)
    article = changed["article"]
    choice = rng.randrange(10)
    if choice == 0:
        article.title += "!"
    elif choice == 1 and article.tags:
        rng.choice(article.tags).name = "quay"
    elif choice == 2:
        article.tags.append(Item("quay"))
    elif choice == 3 and changed["sections"]:
        changed["sections"][0][1].append(99)  # a section's members: never shown
    elif choice == 4:
        article.related = [*article.related[1:], Item("new", title="new", label="x")]
    elif choice == 9 and article.related:
        rng.choice(article.related).label = "changed"
    elif choice == 5:
        article.flags = {"urgent"} if "urgent" not in article.flags else {"calm"}
    elif choice == 6:
        article.extra["note"] = "changed"
    elif choice == 7:
        article.unread_field = "never read by the template"
        changed["neighbours"][(2026, 2)] = "month 2, again"
    else:
        changed["site"] = changed["site"] + "?"
    return changed


def test_a_traced_page_is_the_page() -> None:
    template = environment().get_template("page.html")
    rng = random.Random(5)
    for _ in range(200):
        roots = site(rng)
        assert render(template, roots)[0] == template.render(roots)
    assert "month 1" in template.render(
        {
            **site(rng),
            "neighbours": {(2026, 1): "month 1"},
            "article": Thing(
                title="t", tags=[], section="World", related=[], flags=set(), slug="s", extra={}, period=(2026, 1)
            ),
        }
    )


def test_an_unchanged_replay_means_the_same_page_over_random_changes() -> None:
    """The property the build relies on: same digest => same bytes. And the digest does not change for
    everything: a change the page does not read keeps it. One checker replays every page, as a build's worker
    does (groups and attributes it has seen are not walked again)."""
    template = environment().get_template("page.html")
    rng = random.Random(7)
    checker = pages.Replayer()
    same = different = grouped = 0
    for _ in range(400):
        roots = site(rng)
        output, tracer = render(template, roots)
        assert not tracer.untracked, tracer.untracked
        observations, digest = tracer.record()
        grouped += any(kind == "g" for _, kind in observations)
        assert pages.Replayer().digest(roots, template, observations) == digest
        assert checker.digest(roots, template, observations, local=frozenset({"article"})) == digest
        changed = mutate(rng, roots)
        replayed = checker.digest(changed, template, observations, local=frozenset({"article"}))
        assert pages.Replayer().digest(changed, template, observations) == replayed
        if replayed == digest:
            same += 1
            assert template.render(changed) == output
        else:
            different += 1
    assert same > 50, (same, different)
    assert different > 50, (same, different)
    assert grouped > 100, grouped


def test_a_group_is_the_reads_below_one_object_and_only_its_own() -> None:
    """The reads below a related item make a group (checked once per item and way of reading it); the reads
    below a tag whose name is given to a global are the page's own (the call is checked for each page)."""
    template = environment().from_string(
        "{% for item in article.related %}{{ item.title }} {{ item.initial(2) }};{% endfor %}"
        "{% for tag in article.tags %}{{ link(tag.name) }}{% endfor %}"
    )
    related = [Item("a", title="Ferry"), Item("b", title="Port")]
    roots = {"article": Thing(related=related, tags=[Item("harbour")])}
    output, tracer = render(template, roots)
    assert output == "Ferry a;Port b;/a/harbour/"
    observations, digest = tracer.record()
    groups = [path for path, kind in observations if kind == "g"]
    base = (("n", "article"), (".", "related"))
    assert groups == [(*base, ("#", 0)), (*base, ("#", 1))]
    checker = pages.Replayer()
    assert checker.digest(roots, template, observations, local=frozenset({"article"})) == digest
    related[1].title = "Quay"  # the same object, read again by another page's checker
    assert pages.Replayer().digest(roots, template, observations) != digest


def test_a_pure_filter_is_not_recorded_but_what_it_was_given_is() -> None:
    """A filter marked `depends_only_on_arguments` is not called again to check a page: its call is not among the
    observations, the values it was given are. A filter not marked is recorded and called again."""
    env = environment()
    template = env.from_string("{{ article.title|whisper(article.section) }}|{{ article.title|shout }}")
    roots = {"article": Thing(title="Tide", section="Local")}
    _, tracer = render(template, roots)
    observations, digest = tracer.record()
    paths = [path for path, _ in observations]
    assert not any(path[0] == ("f", "whisper") for path in paths), paths
    assert any(path[0] == ("f", "shout") for path in paths), paths
    assert ((("n", "article"), (".", "section")), "v") in observations
    assert pages.Replayer().digest(roots, template, observations) == digest
    for changed in (Thing(title="Tide", section="World"), Thing(title="Ebb", section="Local")):
        assert pages.Replayer().digest({"article": changed}, template, observations) != digest


def test_a_list_the_page_only_unpacks_is_not_a_dependency() -> None:
    template = environment().get_template("page.html")
    roots = site(random.Random(1))
    roots["sections"] = [(Thing(name="World"), [1, 2])]
    _, tracer = render(template, roots)
    observations, digest = tracer.record()
    grown = {**roots, "sections": [(roots["sections"][0][0], [1, 2, 3])]}
    assert pages.Replayer().digest(grown, template, observations) == digest
    more = {**roots, "sections": [*roots["sections"], (Thing(name="Local"), [])]}
    assert pages.Replayer().digest(more, template, observations) != digest


def test_a_read_the_tracer_cannot_replay_leaves_the_page_untracked() -> None:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": "{{ make().title }}{{ article|context_filter }}"}), autoescape=True
    )
    env.filters["context_filter"] = jinja2.pass_context(lambda context, value: "x")
    pages.install(env)
    template = env.get_template("page.html")
    roots = {"article": Thing(title="A"), "make": lambda: Thing(title="B")}
    tracer = pages.Tracer(roots, template.globals)
    with pages.tracing(tracer):
        template.render(roots)
    assert tracer.untracked == "the filter 'context_filter' takes the template context"
    # the call of `make` and the title of what it made are recorded: without the filter, the page is tracked
    env.filters["context_filter"] = lambda value: "x"
    pages.install(env)
    template = env.from_string("{{ make().title }}{{ article|context_filter }}")
    tracer = pages.Tracer(roots, template.globals)
    with pages.tracing(tracer):
        template.render(roots)
    assert not tracer.untracked
    observations, digest = tracer.record()
    assert pages.Replayer().digest(roots, template, observations) == digest
    other = {**roots, "make": lambda: Thing(title="C")}
    assert pages.Replayer().digest(other, template, observations) != digest


# --- whole builds ------------------------------------------------------------------------------------------

NEW_ARTICLE = """---
id: contrib-2026-02-05-quay-lamps
title: "Quay lamps to stay on all night"
date: 2026-02-05T09:00:00+00:00
section: World
tags: [ports, energy]
summary: "The lamps on the north quay will stay on through the night from March."
---

The harbour board agreed on Thursday.
"""


def files(output: Path) -> dict[str, bytes]:
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def kept(log: str) -> int:
    found = re.search(r"(\d+) pages kept unrendered", log)
    assert found, log[-2000:]
    return int(found.group(1))


def edit(path: Path, field: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1), encoding="utf-8")


def test_edits_rebuilt_in_place_equal_clean_builds_and_skip_unchanged_pages(content: Path, tmp_path: Path) -> None:
    """Random edits (title, date, section, tags, body, a new article, a deleted one), each rebuilt in place
    with the page records and compared with a clean build of the same content, byte for byte."""
    cache, output = tmp_path / "cache", tmp_path / "output"
    settings = {"CACHE_PATH": str(cache), "RELATED_CACHE_PATH": False, "OUTPUT_PAGE_RECORDS": True}

    def rebuild() -> int:
        result = build_site(content, output, extra=settings, verbose=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return kept(result.stdout + result.stderr)

    assert rebuild() == 0  # the first build has no records
    assert rebuild() > 0  # nothing changed: every page is kept
    off = build_site(content, output, extra={**settings, "OUTPUT_PAGE_RECORDS": False}, verbose=True)
    assert off.returncode == 0, off.stdout + off.stderr
    assert "kept unrendered" not in off.stdout + off.stderr  # the setting's default: no records, every page rendered
    assert "pages by" in off.stdout + off.stderr
    rng = random.Random(3)
    steps = [
        lambda a: edit(a, "title", '"A headline edited for the test"'),
        lambda a: edit(a, "date", "2026-02-06T10:00:00+00:00"),
        lambda a: edit(a, "section", "Business"),
        lambda a: edit(a, "tags", "[ports, weather]"),
        lambda a: a.write_text(a.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8"),
        lambda a: (a.parent / "quay-lamps.md").write_text(NEW_ARTICLE, encoding="utf-8"),
    ]
    for number, step in enumerate(steps):
        articles = sorted((content / "articles").rglob("*.md"))
        step(rng.choice(articles))
        skipped = rebuild()
        clean = tmp_path / f"clean-{number}"
        result = build_site(content, clean, extra={**settings, "CACHE_PATH": str(tmp_path / f"cache-{number}")})
        assert result.returncode == 0, result.stdout + result.stderr
        assert files(output) == files(clean), f"step {number}"
        assert skipped > 0, f"step {number}: no page was kept"
        shutil.rmtree(clean)


def test_a_changed_template_or_a_touched_file_renders_again(content: Path, tmp_path: Path) -> None:
    cache, output = tmp_path / "cache", tmp_path / "output"
    theme = tmp_path / "theme"
    shutil.copytree(FIXTURES.parent.parent / "theme", theme)
    settings = {"CACHE_PATH": str(cache), "RELATED_CACHE_PATH": False, "THEME": str(theme), "OUTPUT_PAGE_RECORDS": True}

    def rebuild() -> tuple[int, str]:
        result = build_site(content, output, extra=settings, verbose=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return kept(result.stdout + result.stderr), result.stdout + result.stderr

    rebuild()
    everything, _ = rebuild()
    assert everything > 0
    footer = theme / "templates" / "partials" / "footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    assert rebuild()[0] == 0  # every page has the footer
    with_footer = [name for name, data in files(output).items() if b"<!-- edited -->" in data]
    assert "index.html" in with_footer
    assert len(with_footer) > everything / 2
    index = output / "index.html"
    index.write_text("tampered", encoding="utf-8")  # not the file the record was made for
    again, _ = rebuild()
    assert again == everything - 1
    assert b"<!-- edited -->" in index.read_bytes()


def test_a_variable_one_page_has_differently_is_not_shared_between_pages() -> None:
    """A checker walks the paths of variables that are not a page's own once for all pages; a variable that is
    not among the page's own but differs from page to page (a generator that passes it in a context of its
    own) must still be walked for each page."""
    env = environment()
    template = env.from_string("{{ period|length }}:{% for part in period %}{{ part }}{% endfor %}")
    pages_: list[dict[str, Any]] = [{"period": (1987, "March", 11)}, {"period": (1987,)}]
    records = []
    for roots in pages_:
        _, tracer = render(template, roots)
        records.append(tracer.record())
    checker = pages.Replayer()
    for roots, (observations, digest) in zip(pages_, records, strict=True):
        assert checker.digest(roots, template, observations, local=frozenset()) == digest
