"""Precompressed copies of text files: gzip at level 9 and Brotli at quality 11, byte-identical run to run."""

from __future__ import annotations

import gzip
from collections.abc import Callable

try:
    import brotli
except ImportError:  # brotli is pinned in requirements.txt; without it only gzip is offered
    brotli = None

# encoding -> (file suffix for sibling files, compressor)
ENCODERS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    # mtime=0: no timestamp in the header, so an unchanged file compresses to the same bytes
    "gzip": (".gz", lambda data: gzip.compress(data, compresslevel=9, mtime=0)),
}
if brotli is not None:
    ENCODERS["br"] = (".br", lambda data: brotli.compress(data, quality=11))

AVAILABLE_ENCODINGS = tuple(ENCODERS)


def compress(data: bytes, encoding: str) -> bytes:
    """`data` compressed with `encoding` ("gzip" or "br")."""
    return ENCODERS[encoding][1](data)


def suffix(encoding: str) -> str:
    """The sibling file's suffix for `encoding`: ".gz" or ".br"."""
    return ENCODERS[encoding][0]
