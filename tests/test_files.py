"""Shared file utilities: an atomic write leaves the old file whole when it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.files import atomic_writer


def test_atomic_writer_leaves_old_file_on_failure(tmp_path: Path) -> None:
    p = tmp_path / "out.jsonl"
    p.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_writer(p) as fh:
        fh.write("new partial")
        raise RuntimeError("boom")
    assert p.read_text() == "old\n"
    assert list(tmp_path.iterdir()) == [p]
