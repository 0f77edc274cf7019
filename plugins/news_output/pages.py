"""Skip rendering a page whose inputs did not change since the last build.

A page is a pure function of its template and of what its template reads from the build: the page's own
variables (`article`, `articles_page`, ...), the site-wide ones (`categories`, `trending_strip_url`, settings) and,
through them, the fields of articles, tags and plugin objects. While a page renders, a `Tracer` records every
read, as an *observation*: a path from a root name to the value (`article` . `related` # 2 . `title`) and what
the template learned there (the value itself, a list's length, a whole list's items). The page's record is
that list of observations and a digest of what was observed.

On the next build, before rendering a page, the record is *replayed*: each path is walked again, from the new
build's variables for that page, and the digest computed again. The same digest means that the template would
make the same reads, take the same branches and write the same bytes: the previous build's file is kept as it
is and the page is not rendered. Anything else renders the page.

How reads are seen:
- names, through the template context (`TracingContext.resolve_or_missing`): only values that come from the
  page's variables or the template globals; values the templates set themselves are derived from other reads;
- attributes and items (`a.b`, `a[b]`), through `TracingEnvironment.getattr` and `getitem`;
- lists, tuples and dicts read that way are handed to the template as `TrackedList`, `TrackedTuple` and
  `TrackedDict`, which record their length when it is asked for (`length`, `if`, loops) and each item a loop
  reaches, so a page that only loops over the section names does not depend on every section's articles;
- calls of methods and of the template globals (`asset_url(...)`), through `TracingContext.call`, and of the
  filters and tests that are not Jinja's own (Jinja's own are pure functions of what they are given, and read
  attributes through `getattr`/`getitem`), which are recorded with their arguments and replayed.
A read the tracer cannot replay (an attribute of an object that came from nowhere it saw, a call with such an
argument, a filter that takes the context) makes the page *untracked*: it is rendered on every build.

Records live in `CACHE_PATH`, one file per output folder (`news_output-pages-<digest of its path>.pickle`),
under a version that covers the templates' sources, the plugins' code, the library versions and news_reader's
reading fingerprint (every plain setting). The file is removed when a build starts using it and written again
only when the build has finished, so a build that fails half way leaves nothing that could vouch for its
half-written output; each record also names the output file's size and modification time, and a file that is
not exactly the one recorded is rendered again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import logging
import os
import pathlib
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import jinja2
import jinja2.defaults
import jinja2.filters
import jinja2.tests
from jinja2.runtime import BlockReference, Context, LoopContext, Macro, TemplateReference, Undefined
from jinja2.utils import Cycler, Joiner, Namespace, missing
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

logger = logging.getLogger(__name__)

RECORDS_PREFIX = "news_output-pages"
_FORMAT = "1"

Path_ = tuple[Any, ...]  # a root step then steps, each a tuple: ("n", name), (".", attribute), ("#", index), ...
Observation = tuple[Path_, str]  # (path, kind): kind "v" (the value), "len" (its length), "all" (every item)


class Untracked(Exception):
    """A read the tracer cannot replay: the page is rendered on every build."""


_PRIMITIVES = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta, decimal.Decimal,
               pathlib.PurePath)  # fmt: skip
# Objects of Jinja's own making, whose attributes hold nothing but what the template computed from its reads.
_TEMPLATE_OBJECTS = (LoopContext, Macro, Undefined, Namespace, Cycler, Joiner, TemplateReference, BlockReference,
                     jinja2.environment.TemplateModule)  # fmt: skip
_PURE_GLOBALS = {id(value) for value in jinja2.defaults.DEFAULT_NAMESPACE.values()}  # range, dict, namespace...
_ITERABLES: tuple[type, ...] = (set, frozenset, type({}.keys()), type({}.values()), type({}.items()), Iterator)

# What a type is, for the tracer (worked out once per type: isinstance() on every read costs more than the read)
# (the kinds below CONTENT need no record when their attributes are read: see _pure)
PRIMITIVE, TEMPLATE, TRACKED, LIST, TUPLE, DICT, ITERABLE, CONTENT, WRAPPER, OTHER = range(10)
_kinds: dict[type, int] = {}


def _kind(kind: type) -> int:
    found = _kinds.get(kind)
    if found is None:
        found = _kinds[kind] = _classify(kind)
    return found


def _classify(kind: type) -> int:
    checks = (
        (_PRIMITIVES, PRIMITIVE),
        (_TEMPLATE_OBJECTS, TEMPLATE),
        ((_Tracked,), TRACKED),
        ((list,), LIST),
        ((tuple,), TUPLE),
        ((dict,), DICT),
        (_ITERABLES, ITERABLE),
        ((Content,), CONTENT),
        ((URLWrapper,), WRAPPER),
    )
    return next((result for types, result in checks if issubclass(kind, types)), OTHER)


_PLAIN_VALUES = (str, int, bool, type(None))  # shown as themselves; other primitives with their type's name
_SINGLETONS = (bool, int, type(None))  # one object stands for such a value wherever it comes from: not named by path


def shape(value: Any) -> Any:
    """What a template can learn from `value` without reading its attributes or items: a primitive's value,
    an article's or a tag's identity, a container's type (its items are observed one by one), an object's
    type, truth and text."""
    kind = type(value)
    what = _kind(kind)
    if what == PRIMITIVE:
        return value if kind in _PLAIN_VALUES else (kind.__name__, value)
    if what == CONTENT:
        return ("content", kind.__name__, value.source_path)
    if what == WRAPPER:
        return ("wrapper", kind.__name__, value.name)
    if what in (LIST, TUPLE, DICT, ITERABLE, TRACKED):
        return ("container", kind.__name__)
    if value is missing or isinstance(value, Undefined):
        return ("undefined",)
    if what == TEMPLATE:
        return ("template", kind.__name__)
    if callable(value) and not hasattr(kind, "__len__"):
        return ("callable", getattr(value, "__qualname__", kind.__qualname__))
    truth = bool(value) if hasattr(kind, "__bool__") or hasattr(kind, "__len__") else None
    text = str(value) if kind.__str__ is not object.__str__ and not dataclasses.is_dataclass(kind) else None
    return ("object", kind.__module__, kind.__qualname__, truth, text)


def _items(value: Any) -> Sequence[Any]:
    """A container's items in the order a loop gives them (a dict's keys)."""
    return value if isinstance(value, list | tuple) else list(value)


def _materialise(value: Any) -> Any:
    """Sets, dict views and iterators become lists: the template can only loop over them, once."""
    return list(cast(Iterable[Any], value)) if _kind(type(value)) == ITERABLE else value


# --- recording ---------------------------------------------------------------------------------------------


# Paths, while pages are traced, are numbers: node n of a tree of every path read in this process. Hashing a
# number and a step is cheaper than hashing a whole path at every read; each path tuple is made once, and is
# the same object for every page that read it (the records then pickle it once).
_node_ids: dict[tuple[int, Any], int] = {}
_dots: dict[str, tuple[str, str]] = {}  # attribute -> its step (".", attribute): one tuple for every read


def _dot(attribute: str) -> tuple[str, str]:
    step = _dots.get(attribute)
    if step is None:
        step = _dots[attribute] = (".", attribute)
    return step


_node_paths: list[Path_] = []
_node_rooted: list[bool] = []  # whether each node is a root (a page's variable, a filter)
_observation_tuples: dict[tuple[int, ...], tuple[Observation, ...]] = {}
# (observations, the positions of the articles and tags among them) -> (observations with group markers, levels)
_structures: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[tuple[Observation, ...], list[list[int]]]] = {}
_KINDS = ("v", "len", "all")  # what an observation saw: coded with its node as node * 4 + position here
_KIND_CODES = {kind: code for code, kind in enumerate(_KINDS)}


def _child(parent: int, step: tuple[Any, ...]) -> int:
    """The node of the path `parent` + `step` (parent -1: a root)."""
    key = (parent, step)
    found = _node_ids.get(key)
    if found is None:
        found = _node_ids[key] = len(_node_paths)
        _node_paths.append((step,) if parent < 0 else (*_node_paths[parent], step))
        _node_rooted.append(parent < 0)
    return found


class Tracer:
    """The reads of one page being rendered."""

    def __init__(self, roots: Mapping[str, Any], globals_: Mapping[str, Any]) -> None:
        self.roots, self.globals = roots, globals_
        self.seen: dict[int, None] = {}  # node * 4 + kind code (_KINDS), in the order first observed
        self.shapes: list[Any] = []
        self.paths: dict[int, tuple[Any, int]] = {}  # id(object) -> (object, the node it was read at)
        self.untracked = ""  # why the page cannot be replayed, once it cannot

    def observe(self, path: int, kind: str, value: Any) -> None:
        key = path * 4 + _KIND_CODES[kind]
        if key not in self.seen:
            self.seen[key] = None
            self.shapes.append(value)

    def path_of(self, value: Any) -> int | None:
        if _kind(type(value)) == TRACKED:
            return cast(_Tracked, value)._path
        known = self.paths.get(id(value))
        return known[1] if known is not None and known[0] is value else None

    def track(self, path: int, value: Any) -> Any:
        """Record `value` read at `path`; return what the template gets (containers wrapped)."""
        what = _kinds.get(type(value))
        if what is None:
            what = _kind(type(value))
        if what == ITERABLE:
            value, what = list(value), LIST
        key = path * 4  # (path, "v")
        if key not in self.seen:
            self.seen[key] = None
            self.shapes.append(shape(value))
        if what == PRIMITIVE:
            if type(value) not in _SINGLETONS and id(value) not in self.paths:
                self.paths[id(value)] = (value, path)  # a call's argument then names where it was read
            return value
        if what == TEMPLATE:
            return value
        if what == LIST:
            return TrackedList(value, self, path)
        if what == TUPLE:
            return TrackedTuple(value, self, path)
        if what == DICT:
            return TrackedDict(value, self, path)
        if id(value) not in self.paths:
            self.paths[id(value)] = (value, path)
        return value

    def give_up(self, why: str) -> None:
        if not self.untracked:
            self.untracked = why

    def argument(self, value: Any) -> Any:
        """How a call's argument is replayed: a primitive as itself, anything read as the path it was read at."""
        path = self.path_of(value)
        if path is not None:  # read from the build: replayed from where it was read (the same for every page)
            return ("@", _node_paths[path])
        if _kind(type(value)) == PRIMITIVE:  # a literal, or computed by the template from what it read
            return ("=", value)
        if isinstance(value, Undefined):
            return ("u",)
        raise Untracked(f"an argument of type {type(value).__name__} that was not read from the build")

    def call_step(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
        return (
            "()",
            tuple(self.argument(arg) for arg in args),
            tuple((name, self.argument(value)) for name, value in sorted(kwargs.items())),
        )

    def record(self) -> tuple[tuple[Observation, ...], bytes]:
        """The page's observations, with a marker after each group's node (see _group_paths), and their digest:
        of what the page observed, in order, each group's observations replaced by the group's digest (of its
        own, likewise). The groups' arrangement is worked out once for every page that observed the same way."""
        key = tuple(self.seen)
        observations = _observation_tuples.get(key)
        if observations is None:
            observations = _observation_tuples[key] = tuple(
                (_node_paths[number >> 2], _KINDS[number & 3]) for number in key
            )
        shapes = self.shapes
        candidates = tuple(
            position
            for position, (number, seen) in enumerate(zip(key, shapes, strict=True))
            if type(seen) is tuple and seen[:1] in _GROUP_SHAPES and not number & 3 and not _node_rooted[number >> 2]
        )
        structure = _structures.get((key, candidates))
        if structure is None:
            structure = _structures[(key, candidates)] = _structure(observations, candidates)
        marked, levels = structure

        def fold(level: list[int]) -> bytes:
            return _digest([shapes[entry] if entry >= 0 else fold(levels[~entry]) for entry in level])

        return marked, fold(levels[0])


def _digest(shapes: list[Any]) -> bytes:
    return hashlib.blake2b(repr(shapes).encode("utf-8", "surrogatepass"), digest_size=16).digest()


_current: list[Tracer] = []  # the tracer of the page being rendered in this process, if any


def _tracer() -> Tracer | None:
    return _current[-1] if _current else None


@contextlib.contextmanager
def tracing(tracer: Tracer) -> Iterator[Tracer]:
    _current.append(tracer)
    try:
        yield tracer
    finally:
        _current.pop()


class _Tracked:
    """Marks the wrapped containers (their `_path` is where they were read, `_raw` the container itself)."""

    _path: int
    _tracer: Tracer
    _raw: Any


class _TrackedSequence(_Tracked):
    """What a tracked list and a tracked tuple share: the length when it is asked for, each item a loop, an
    index or an unpacking reaches, every item when the template compares or searches the whole."""

    def _length(self) -> int:
        length = len(self._raw)
        self._tracer.observe(self._path, "len", length)
        return length

    def _all(self) -> None:
        self._tracer.observe(self._path, "all", tuple(shape(item) for item in self._raw))

    def _item(self, index: int) -> Any:
        return self._tracer.track(_child(self._path, ("#", index)), self._raw[index])

    def __len__(self) -> int:
        return self._length()

    def __bool__(self) -> bool:
        return self._length() > 0

    def __iter__(self) -> Iterator[Any]:
        for index in range(self._length()):
            yield self._item(index)

    def __reversed__(self) -> Iterator[Any]:
        for index in reversed(range(self._length())):
            yield self._item(index)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            items = [self._item(i) for i in range(*index.indices(self._length()))]
            return tuple(items) if isinstance(self._raw, tuple) else items
        if isinstance(index, int):
            length = self._length()
            position = index + length if index < 0 else index
            if not 0 <= position < length:
                raise IndexError(index)
            return self._item(position)
        return self._raw[index]  # TypeError, as the container would

    def __contains__(self, item: object) -> bool:
        self._all()
        return item in self._raw  # the raw container's own `in` (news_navigation's MemberList: a set lookup)

    def __repr__(self) -> str:
        self._all()
        return repr(self._raw)

    __str__ = __repr__


class TrackedList(_TrackedSequence, list[Any]):
    """A list read by a template: records its length and the items a loop reaches."""

    def __init__(self, raw: list[Any], tracer: Tracer, path: int) -> None:
        super().__init__(raw)
        self._raw, self._tracer, self._path = raw, tracer, path

    def _compare(self, other: Any, operator: Callable[[Any, Any], bool]) -> bool:
        self._all()
        return operator(list(self._raw), list(other._raw) if isinstance(other, _Tracked) else other)

    def __eq__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other: object) -> bool:
        return self._compare(other, lambda a, b: a != b)

    __hash__ = None

    def __add__(self, other: Any) -> Any:
        return list(self) + list(other)

    def __radd__(self, other: Any) -> Any:
        return list(other) + list(self)

    def index(self, *args: Any) -> int:
        self._all()
        return list(self._raw).index(*args)

    def count(self, item: Any) -> int:
        self._all()
        return list(self._raw).count(item)

    def copy(self) -> list[Any]:
        return list(self)


class TrackedTuple(_TrackedSequence, tuple[Any, ...]):
    """A tuple read by a template (a `(tag, articles)` pair): records what a loop or an unpacking reaches."""

    def __new__(cls, raw: tuple[Any, ...], tracer: Tracer, path: int) -> TrackedTuple:
        self = super().__new__(cls, raw)
        self._raw, self._tracer, self._path = raw, tracer, path
        return self

    def __eq__(self, other: object) -> bool:
        self._all()
        return self._raw == (tuple(other._raw) if isinstance(other, _Tracked) else other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:  # a tuple can be a dict's key (news_navigation's period numbers)
        self._all()
        return hash(self._raw)


class TrackedDict(dict[Any, Any], _Tracked):
    """A dict read by a template: records the keys it looks up (found or not) and, when it loops, the keys."""

    def __init__(self, raw: dict[Any, Any], tracer: Tracer, path: int) -> None:
        super().__init__(raw)
        self._raw, self._tracer, self._path = raw, tracer, path

    def _keys(self) -> list[Any]:
        keys = list(dict.keys(self))
        self._tracer.observe(self._path, "all", tuple(shape(key) for key in keys))
        return keys

    def _value(self, key: Any) -> Any:
        return self._tracer.track(_child(self._path, ("k", key)), dict.__getitem__(self, key))

    def __getitem__(self, key: Any) -> Any:
        key = _unwrapped(key)
        if not dict.__contains__(self, key):
            self._tracer.observe(_child(self._path, ("k", key)), "v", shape(missing))
            raise KeyError(key)
        return self._value(key)

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        try:
            self[key]
        except (KeyError, TypeError):
            return False
        return True

    def __len__(self) -> int:
        return len(self._keys())

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())

    def keys(self) -> list[Any]:  # type: ignore[override]
        return self._keys()

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self._value(key) for key in self._keys()]

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        return [(key, self._value(key)) for key in self._keys()]

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    __str__ = __repr__


def _unwrapped(value: Any) -> Any:
    """A tracked container used as a key or an index: the container itself (what was read is recorded)."""
    if _kind(type(value)) == TRACKED:
        value._all()
        return value._raw
    return value


def _pure(value: Any) -> bool:
    """Whether reading an attribute of `value` needs no record: a primitive (its methods are pure), one of
    Jinja's objects, a tracked container (its own methods record what they read) or a container the template
    made itself (every container read from the build is handed over tracked)."""
    what = _kind(type(value))
    return what < CONTENT


class TracingEnvironment(jinja2.Environment):
    """Pelican's template environment, with attribute and item reads recorded while a page is traced."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        # The hottest function of a traced render (an article page makes 250 to 300 reads): Jinja's getattr,
        # then _after_read and Tracer.track, written out for the common case (an attribute of an object
        # read from the build, a primitive value).
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            value = super().getattr(obj, attribute)
        if not _current:
            return value
        what = _kinds.get(type(obj))
        if what is None:
            what = _kind(type(obj))
        if what < CONTENT:
            return value
        tracer = _current[-1]
        known = tracer.paths.get(id(obj))
        if known is None or known[0] is not obj:
            return _after_read(tracer, obj, (".", attribute), value)
        key = (known[1], _dot(attribute))
        node = _node_ids.get(key)
        if node is None:
            node = _child(*key)
        kind = type(value)
        if kind not in _PLAIN_VALUES:
            return tracer.track(node, value)
        seen = node * 4  # (node, "v"): see Tracer.observe
        if seen not in tracer.seen:
            tracer.seen[seen] = None
            tracer.shapes.append(value)
        if kind is str and id(value) not in tracer.paths:
            tracer.paths[id(value)] = (value, node)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        argument = _unwrapped(argument)
        value = super().getitem(obj, argument)
        tracer = _tracer()
        if tracer is None or _pure(obj):
            return value
        return _after_read(tracer, obj, ("[", argument), value)


def _after_read(tracer: Tracer, obj: Any, step: tuple[Any, ...], value: Any) -> Any:
    path = tracer.path_of(obj)
    if path is None:
        tracer.give_up(f"read {step[1]!r} of a {type(obj).__name__} that was not read from the build")
        return value
    if step[0] != ".":
        try:
            hash(step)
        except TypeError:
            tracer.give_up(f"an item key of type {type(step[1]).__name__}")
            return value
    return tracer.track(_child(path, step), value)


class TracingContext(Context):
    """Records the names a page reads from its variables and the calls it makes."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        tracer = _tracer()
        if tracer is None:
            return value
        if value is missing:
            tracer.observe(_child(-1, ("n", key)), "v", shape(missing))
            return value
        if tracer.roots.get(key, missing) is value or (
            key not in tracer.roots and tracer.globals.get(key, missing) is value
        ):
            if id(value) in _PURE_GLOBALS:
                return value
            return tracer.track(_child(-1, ("n", key)), value)
        return value  # set by the templates themselves, from other reads

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        tracer = _tracer()
        if tracer is None or isinstance(__obj, Macro):
            return super().call(__obj, *args, **kwargs)
        path = tracer.path_of(__obj)
        if path is None:
            owner = getattr(__obj, "__self__", None)
            if (owner is not None and _pure(owner)) or id(__obj) in _PURE_GLOBALS:
                return super().call(__obj, *args, **kwargs)
            tracer.give_up(f"a call of {getattr(__obj, '__qualname__', type(__obj).__name__)}")
            return super().call(__obj, *args, **kwargs)
        if _pass_arg(__obj):
            tracer.give_up(f"a call of {_node_paths[path][-1]} that takes the template context")
            return super().call(__obj, *args, **kwargs)
        plain = {name: value for name, value in kwargs.items() if name not in ("_loop_vars", "_block_vars")}
        try:
            step = tracer.call_step(args, plain)
        except Untracked as exc:
            tracer.give_up(str(exc))
            return super().call(__obj, *args, **kwargs)
        value = super().call(__obj, *args, **kwargs)
        return tracer.track(_child(path, step), value)


def _pass_arg(function: Any) -> bool:
    return any(
        getattr(candidate, "jinja_pass_arg", None) is not None
        for candidate in (function, getattr(function, "__call__", None))  # noqa: B004
    )


# A filter or test whose result depends only on its arguments (and on the plugins' code and the settings, which
# every record depends on) says so with this attribute set to True. Its calls with arguments of plain values
# (text, numbers, dates) are not recorded: the values they were given are, wherever the template read them.
PURE = "depends_only_on_arguments"


class _RecordedFunction:
    """A filter or test that is not Jinja's own: its calls are recorded, with their arguments, and replayed
    (except a pure function's, above)."""

    def __init__(self, kind: str, name: str, function: Callable[..., Any]) -> None:
        self.kind, self.name, self.function = kind, name, function
        self.what = "filter" if kind == "f" else "test"
        self.__name__ = getattr(function, "__name__", name)
        self.pure = getattr(function, PURE, False) is True
        pass_arg = getattr(function, "jinja_pass_arg", None)
        if pass_arg is not None:
            self.jinja_pass_arg = pass_arg

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tracer = _tracer()
        if tracer is None:
            return self.function(*args, **kwargs)
        if hasattr(self, "jinja_pass_arg"):
            tracer.give_up(f"the {self.what} {self.name!r} takes the template context")
            return self.function(*args, **kwargs)
        value = self.function(*args, **kwargs)
        if (
            self.pure
            and _kind(type(value)) == PRIMITIVE
            and all(_kind(type(argument)) == PRIMITIVE for argument in (*args, *kwargs.values()))
        ):
            return value  # the same as last time if its arguments are: what they were read from is recorded
        try:
            step = tracer.call_step(args, kwargs)
        except Untracked as exc:
            tracer.give_up(f"the {self.what} {self.name!r}: {exc}")
            return value
        return tracer.track(_child(_child(-1, (self.kind, self.name)), step), value)


def install(environment: jinja2.Environment) -> None:
    """Make a generator's template environment trace pages (at `generator_init`, before any template is
    compiled): a TracingEnvironment with a TracingContext, its own filters and tests recorded."""
    if type(environment) is jinja2.Environment:
        environment.__class__ = TracingEnvironment
    if not isinstance(environment, TracingEnvironment):
        return  # someone else's environment class: its pages are rendered every time (no tracer is set)
    environment.context_class = TracingContext
    for kind, functions, builtin in (
        ("f", environment.filters, jinja2.filters.FILTERS),
        ("t", environment.tests, jinja2.tests.TESTS),
    ):
        for name, function in list(functions.items()):
            if builtin.get(name) is not function and not isinstance(function, _RecordedFunction):
                functions[name] = _RecordedFunction(kind, name, function)  # type: ignore[assignment]


def traceable(template: Any) -> bool:
    return isinstance(getattr(template, "environment", None), TracingEnvironment)


_GONE = object()  # a node whose path leads nowhere in this build
_GROUP = "g"  # an observation kind: the paths below this one are the group of an article's or a tag's reads


# --- groups: the reads below an article or a tag, checked once per object ----------------------------------
#
# A list page reads the title, the date and the link of twenty articles; an article page reads them for its
# related articles; each article's card is read by a dozen pages. The reads below a node that holds an article
# (or a tag, a section, an author) are a *group*: the digest of a page holds the group's digest in their place,
# so a checker computes it once for each article and each way of reading one (the card, the related item).
# A group's digest depends only on its object: a call inside it takes only values read inside it, and no call
# outside it takes a value read inside it (else it is no group, and its reads belong to the page).


_GROUP_SHAPES = (("content",), ("wrapper",))  # the start of an article's or a URL wrapper's shape


def _group_paths(observations: Sequence[Observation], candidates: set[Path_]) -> set[Path_]:
    """Of the candidates (nodes below the page's variables that hold an article or a URL wrapper), those whose
    reads make groups."""
    groups = set(candidates)
    calls = {path for path, _ in observations if path[-1][0] == "()"}  # a call's result is always observed
    for call in calls:
        step = call[-1]
        for spec in (*step[1], *(value for _, value in step[2])):
            if spec[0] != "@":
                continue
            argument = spec[1]
            for group in list(groups):
                inside = _below(call, group)
                if (inside and argument[: len(group)] != group) or (not inside and _below(argument, group)):
                    groups.discard(group)  # a value from outside the group, or one from inside taken outside
    return groups


def _below(path: Path_, group: Path_) -> bool:
    return len(path) > len(group) and path[: len(group)] == group


def _owner(path: Path_, groups: set[Path_] | frozenset[Path_]) -> Path_ | None:
    """The innermost group `path` is below (None: the page's own)."""
    for end in range(len(path) - 1, 0, -1):
        if path[:end] in groups:
            return path[:end]
    return None


def _levels(marked: Sequence[Observation]) -> dict[Path_ | None, list[int]]:
    """Each group's observations (and the page's own, under None), as positions in `marked`, in order. A
    group's marker belongs where its node's own observation does."""
    groups = {path for path, kind in marked if kind == _GROUP}
    levels: dict[Path_ | None, list[int]] = {None: []}
    for group in groups:
        levels[group] = []
    for position, (path, _) in enumerate(marked):
        levels[_owner(path, groups)].append(position)
    return levels


def _structure(
    observations: tuple[Observation, ...], candidates: tuple[int, ...]
) -> tuple[tuple[Observation, ...], list[list[int]]]:
    """The observations with a marker after each group's node, and the levels Tracer.record digests: the
    page's first, then each group's, as positions in `observations` (a group's digest: ~ its level's index)."""
    groups = _group_paths(observations, {observations[position][0] for position in candidates})
    marked: list[Observation] = []
    origin: list[int] = []  # each marked entry's position in `observations`, -1 for a marker
    for position, (path, kind) in enumerate(observations):
        marked.append((path, kind))
        origin.append(position)
        if kind == "v" and path in groups:
            marked.append((path, _GROUP))
            origin.append(-1)
    by_group = _levels(marked)
    number = {group: index for index, group in enumerate(by_group)}  # None (the page) first
    levels = [
        [origin[i] if origin[i] >= 0 else ~number[marked[i][0]] for i in positions] for positions in by_group.values()
    ]
    return tuple(marked), levels


# --- replaying ---------------------------------------------------------------------------------------------


class _Missing(Exception):
    """A path that leads nowhere in this build."""


@dataclasses.dataclass(frozen=True)
class _Scope:
    """Where a page's paths start: its variables, then the template globals, filters and tests."""

    roots: Mapping[str, Any]
    globals: Mapping[str, Any]
    environment: Any

    def root(self, root: tuple[str, str]) -> Any:
        kind, name = root
        if kind == "n":
            value = self.roots.get(name, missing)
            if value is missing:
                value = self.globals.get(name, missing)
        elif kind == "f":
            value = self.environment.filters.get(name, missing)
        else:
            value = self.environment.tests.get(name, missing)
        if isinstance(value, _RecordedFunction):
            value = value.function
        return _materialise(value)


_ROOT, _ATTR, _ITEM, _INDEX, _KEY, _CALL = range(6)  # what a node's step does
_STEP_CODES = {".": _ATTR, "[": _ITEM, "#": _INDEX, "k": _KEY, "()": _CALL}
_GROUP_CHECK = len(_KINDS)  # a check's kind code for a group (after "v", "len", "all")
_CHECK_CODES = {**_KIND_CODES, _GROUP: _GROUP_CHECK}


@dataclasses.dataclass(frozen=True)
class _Program:
    """Observations compiled for replay: each distinct path prefix is a node, walked in order (parents and call
    arguments before the nodes that use them). A group's program walks from its object, node 0.

    `ops` are (node, parent, step code, step); `checks` (position, node, kind code, the group's program or None),
    one per observation, in order."""

    ops: tuple[tuple[int, int, int, Any], ...]
    checks: tuple[tuple[int, int, int, Any], ...]
    size: int


def _relative(path: Path_, group: Path_) -> Path_:
    """`path` (below or at `group`) from `group`, with its calls' arguments too."""
    steps = []
    for step in path[len(group) :]:
        if step[0] == "()":
            args = tuple(("@", spec[1][len(group) :]) if spec[0] == "@" else spec for spec in step[1])
            kwargs = tuple((k, ("@", v[1][len(group) :]) if v[0] == "@" else v) for k, v in step[2])
            step = ("()", args, kwargs)
        steps.append(step)
    return tuple(steps)


def _compile(entries: Sequence[tuple[Path_, Any]], group: bool) -> _Program:
    """`entries`: (path, kind) with kind "v", "len", "all" or a group's program; `group`: paths start at node 0."""
    index: dict[Path_, int] = {(): 0} if group else {}
    ops: list[tuple[int, int, int, Any]] = []

    def node(path: Path_) -> int:
        found = index.get(path)
        if found is not None:
            return found
        step = path[-1]
        parent = node(path[:-1]) if len(path) > 1 or group else -1
        if step[0] == "()":  # the arguments' paths become nodes first
            args = tuple(("@", node(spec[1])) if spec[0] == "@" else spec for spec in step[1])
            kwargs = tuple((name, ("@", node(spec[1])) if spec[0] == "@" else spec) for name, spec in step[2])
            step = ("()", args, kwargs)
        number = index[path] = len(index)
        if parent < 0:
            ops.append((number, parent, _ROOT, step))
        else:
            ops.append((number, parent, _STEP_CODES[step[0]], step[1] if step[0] in ".[#k" else step))
        return number

    checks = tuple(
        (position, node(path), _GROUP_CHECK, kind)
        if isinstance(kind, _Program)
        else (position, node(path), _CHECK_CODES[kind], None)
        for position, (path, kind) in enumerate(entries)
    )
    return _Program(tuple(ops), checks, len(index))


def _observed(value: Any, kind: str) -> Any:
    """What an observation of `kind` saw of `value` (as Tracer and the tracked containers record it)."""
    if kind == "v":
        return shape(missing if value is _GONE else value)
    if kind == "len":
        return len(value)
    if isinstance(value, dict):
        return tuple(shape(key) for key in value)
    return tuple(shape(item) for item in value)


@dataclasses.dataclass
class _Plan:
    """A page program split for pages whose own variables are `local`: the nodes that start from another variable
    (the header's sections, settings, the trending strip) are walked once, for every page whose other variables
    are the very objects they were then; each page walks only the nodes that start from its own variables."""

    shared_roots: tuple[tuple[int, tuple[str, str]], ...]
    shared_ops: tuple[tuple[int, int, int, Any], ...]
    local_ops: tuple[tuple[int, int, int, Any], ...]
    shared_checks: tuple[tuple[int, int, int, Any], ...]  # (position in the digest, node, kind code, group)
    local_checks: tuple[tuple[int, int, int, Any], ...]
    size: int
    # the shared part as last walked: (the shared roots' values, every node's value, every check's result)
    state: tuple[tuple[Any, ...], list[Any], list[Any]] | None = None


def _plan(program: _Program, local: frozenset[str] | None) -> _Plan:
    is_local: list[bool] = [False] * program.size
    roots = []
    for number, parent, code, step in program.ops:
        if code == _ROOT:
            own = local is None or (step[0] == "n" and step[1] in local)
            if not own:
                roots.append((number, step))
        else:
            own = is_local[parent] or (
                code == _CALL and any(spec[0] == "@" and is_local[spec[1]] for spec in (*step[1], *step[2]))
            )
        is_local[number] = own
    checks = program.checks
    return _Plan(
        shared_roots=tuple(roots),
        shared_ops=tuple(op for op in program.ops if not is_local[op[0]]),
        local_ops=tuple(op for op in program.ops if is_local[op[0]]),
        shared_checks=tuple(check for check in checks if not is_local[check[1]]),
        local_checks=tuple(check for check in checks if is_local[check[1]]),
        size=program.size,
    )


class Replayer:
    """Walks recorded paths in this build. Pages that made the same observations share one compiled program;
    the part of it that starts from variables every page shares is walked once for all of them; a group (the
    reads below an article or a tag) is walked once for each object and each way of reading it; values reached
    from the same object by the same attribute or item are computed once for every page a process checks."""

    def __init__(self) -> None:
        self._steps: dict[tuple[int, int, Any], tuple[Any, Any]] = {}
        self._programs: dict[int, tuple[tuple[Observation, ...], _Program]] = {}
        self._groups: dict[Any, _Program] = {}  # a group's observations, from its node -> its program
        self._plans: dict[tuple[int, frozenset[str] | None], _Plan] = {}
        self._digests: dict[tuple[int, int], tuple[Any, bytes]] = {}  # (id(object), id(group program))

    def _program(self, observations: tuple[Observation, ...]) -> _Program:
        known = self._programs.get(id(observations))
        if known is None or known[0] is not observations:
            levels = _levels(observations)

            def entries(group: Path_ | None) -> list[tuple[Path_, Any]]:
                found = []
                for position in levels[group]:
                    path, kind = observations[position]
                    found.append((path, self._group(path, entries(path)) if kind == _GROUP else kind))
                return found

            known = self._programs[id(observations)] = (observations, _compile(entries(None), group=False))
        return known[1]

    def _group(self, path: Path_, entries: list[tuple[Path_, Any]]) -> _Program:
        """One program for every group read the same way (relative to its node), whichever page read it."""
        relative = [(_relative(inner, path), kind) for inner, kind in entries]
        key = tuple((inner, kind if isinstance(kind, str) else id(kind)) for inner, kind in relative)
        program = self._groups.get(key)
        if program is None:
            program = self._groups[key] = _compile(relative, group=True)
        return program

    def _plan(self, observations: tuple[Observation, ...], local: frozenset[str] | None) -> _Plan:
        program = self._program(observations)
        key = (id(program), local)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _plan(program, local)
        return plan

    def digest(
        self,
        roots: Mapping[str, Any],
        template: Any,
        observations: tuple[Observation, ...],
        local: frozenset[str] | None = None,
    ) -> bytes | None:
        """The digest of what a page with these variables would observe; None when a path cannot be walked
        as it was (a list is now shorter, an object has another type, a call fails). `local` names the
        variables that are the page's own: paths from the others (the header's sections, the trending strip's file,
        settings) are the same for every page, and walked once for all of them (None: walk every path)."""
        plan = self._plan(observations, local)
        scope = _Scope(roots, template.globals, template.environment)
        try:
            shared_values = tuple(scope.root(step) for _, step in plan.shared_roots)
            state = plan.state
            if state is None or any(a is not b for a, b in zip(state[0], shared_values, strict=True)):
                values: list[Any] = [_GONE] * plan.size
                results: list[Any] = [None] * (len(plan.shared_checks) + len(plan.local_checks))
                self._walk(plan.shared_ops, values, scope)
                self._check(plan.shared_checks, values, results, scope)
                state = plan.state = (shared_values, values, results)
            values = state[1].copy()
            results = state[2].copy()
            self._walk(plan.local_ops, values, scope)
            self._check(plan.local_checks, values, results, scope)
        except Exception:
            return None
        return _digest(results)

    def _walk(self, ops: tuple[tuple[int, int, int, Any], ...], values: list[Any], scope: _Scope) -> None:
        steps, environment = self._steps, scope.environment
        for number, parent, code, step in ops:
            if code == _ROOT:
                values[number] = scope.root(step)
                continue
            obj = values[parent]
            if obj is _GONE or obj is missing or isinstance(obj, Undefined):
                values[number] = _GONE
            elif code in (_ATTR, _ITEM):
                key = (id(obj), code, step)
                known = steps.get(key)
                if known is None:
                    value = environment.getattr(obj, step) if code == _ATTR else environment.getitem(obj, step)
                    known = steps[key] = (obj, _materialise(value))  # the object is kept: its id is not reused
                values[number] = known[1]
            elif code == _INDEX:
                items = obj if type(obj) is list or type(obj) is tuple else _items(obj)
                values[number] = _materialise(items[step]) if 0 <= step < len(items) else _GONE
            elif code == _KEY:
                values[number] = _materialise(obj[step]) if isinstance(obj, dict) and step in obj else _GONE
            else:
                values[number] = self._call(obj, step, scope, values)

    def _check(
        self, checks: tuple[tuple[int, int, int, Any], ...], values: list[Any], results: list[Any], scope: _Scope
    ) -> None:
        for position, node, kind, group in checks:
            value = values[node]
            if kind == 0:  # "v"
                results[position] = shape(missing if value is _GONE else value)
            elif kind == _GROUP_CHECK:
                results[position] = self._group_digest(group, value, scope)
            else:
                results[position] = _observed(value, _KINDS[kind])

    def _group_digest(self, program: _Program, value: Any, scope: _Scope) -> bytes:
        key = (id(value), id(program))
        known = self._digests.get(key)
        if known is not None and known[0] is value:
            return known[1]
        values: list[Any] = [_GONE] * program.size
        values[0] = value
        results: list[Any] = [None] * len(program.checks)
        self._walk(program.ops, values, scope)
        self._check(program.checks, values, results, scope)
        digest = _digest(results)
        self._digests[key] = (value, digest)  # the object is kept: its id is not reused
        return digest

    def _call(self, function: Any, step: tuple[Any, ...], scope: _Scope, values: list[Any]) -> Any:
        def argument(spec: tuple[Any, ...]) -> Any:
            if spec[0] == "=":
                return spec[1]
            if spec[0] == "u":
                return scope.environment.undefined()
            value = values[spec[1]]
            if value is _GONE:
                raise _Missing
            return value

        _, args, kwargs = step
        return _materialise(function(*(argument(a) for a in args), **{k: argument(v) for k, v in kwargs}))


# --- records between builds --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Record:
    template: str
    observations: tuple[Observation, ...]
    digest: bytes
    size: int  # the output file's, when the record was made
    mtime_ns: int


def render_version(environment: jinja2.Environment, fingerprint: str) -> str:
    """What every record depends on besides the reads: the templates' sources, the plugins' code (filters,
    globals, the objects' properties), the libraries, news_reader's reading fingerprint (the settings)."""
    digest = hashlib.sha256(f"{_FORMAT}\n{fingerprint}\n".encode())
    for library in ("pelican", "jinja2", "markupsafe"):
        digest.update(f"{library}={importlib.metadata.version(library)}\n".encode())
    loader = environment.loader
    if loader is not None:
        for name in sorted(loader.list_templates()):
            with contextlib.suppress(jinja2.TemplateNotFound):
                digest.update(f"{name}\n{loader.get_source(environment, name)[0]}\n".encode())
    plugins = Path(__file__).resolve().parent.parent
    for source in sorted(plugins.glob("*/*.py")):
        digest.update(f"{source.relative_to(plugins)}\n".encode() + source.read_bytes())
    return digest.hexdigest()


def records_name(output: str) -> str:
    """The records' file name in CACHE_PATH, one per output folder (builds of one content into two folders
    share the cache, not the records)."""
    return f"{RECORDS_PREFIX}-{hashlib.blake2b(output.encode(), digest_size=6).hexdigest()}.pickle"


def load_records(path: Path, version: str) -> dict[str, Record]:
    """The records of the last finished build, if made under `version`; the file is removed (it is written
    again when this build finishes)."""
    try:
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # a damaged file only costs a full render
        logger.warning("news_output: ignoring unreadable page records %s (%s)", path, exc)
        stored = None
    with contextlib.suppress(OSError):
        os.remove(path)
    if not isinstance(stored, dict) or stored.get("version") != version:
        return {}
    pages = stored.get("pages")
    return pages if isinstance(pages, dict) else {}


def save_records(path: Path, version: str, pages: Mapping[str, Record]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        pickle.dump({"version": version, "pages": dict(pages)}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, path)


def unchanged_file(record: Record, previous: str) -> bool:
    """Whether the previous build's file is the very one the record was made for."""
    try:
        info = os.stat(previous)
    except OSError:
        return False
    return info.st_size == record.size and info.st_mtime_ns == record.mtime_ns
