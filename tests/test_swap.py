"""Swapping a built database in: atomic, the previous one gone, by renameat2 where Linux has it."""
import os
import sys

import pytest

from ingest import swap


def _files(tmp_path):
    new, target = tmp_path / ".h.db.building", tmp_path / "h.db"
    new.write_bytes(b"new database")
    target.write_bytes(b"previous database")
    return new, target


@pytest.fixture(params=["renameat2", "os.replace"])
def way(request, monkeypatch):
    if request.param == "renameat2":
        if swap._RENAMEAT2 is None:
            pytest.skip("no renameat2 here")
        monkeypatch.setattr(os, "replace", lambda *a: pytest.fail("os.replace used where renameat2 works"))
    else:
        monkeypatch.setattr(swap, "_RENAMEAT2", None)
    return request.param


def test_the_new_file_takes_the_place_of_the_previous_one(tmp_path, way):
    new, target = _files(tmp_path)
    with open(target, "rb") as reader:  # a server that has the previous database open keeps reading it
        swap.swap_in(new, target)
        assert reader.read() == b"previous database"
    assert target.read_bytes() == b"new database"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.db"]


def test_a_first_build_has_nothing_to_swap_with(tmp_path):
    new, target = _files(tmp_path)
    target.unlink()
    swap.swap_in(new, target)
    assert target.read_bytes() == b"new database" and not new.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_linux_exchanges_the_names():
    assert swap._RENAMEAT2 is not None
