"""news_reader.write_atomically: the old file or the new one, never a part of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from news_reader import write_atomically


def test_writes_the_text_and_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state.json"
    write_atomically(path, '{"naïve": 1}\n')
    assert path.read_text(encoding="utf-8") == '{"naïve": 1}\n'
    write_atomically(path, "second")
    assert path.read_text(encoding="utf-8") == "second"
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "new text with a lone surrogate \ud800 that UTF-8 cannot hold")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
