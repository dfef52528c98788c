"""The benchmark corpus generator (`scripts/make_scale_data.py`): deterministic and complete.

Owns the fast checks that the same (N, seed) gives the same bytes, that every raw-file kind of
the sample is written with the sample's header layouts, and that the extra petition export for
incremental builds is deterministic too. Small N only: these run in a few seconds.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scale():
    _load("make_sample_data")
    return _load("make_scale_data")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_people_and_seed_give_identical_bytes(scale, tmp_path: Path) -> None:
    scale.generate(tmp_path / "a", 300, seed=7, quiet=True)
    scale.generate(tmp_path / "b", 300, seed=7, quiet=True)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    scale.generate(tmp_path / "c", 300, seed=8, quiet=True)
    c = _tree(tmp_path / "c")
    assert c["raw/contacts/website_signups.csv"] != a["raw/contacts/website_signups.csv"]


def test_every_kind_is_written_with_the_sample_layouts(scale, tmp_path: Path) -> None:
    summary = scale.generate(tmp_path, 300, seed=7, quiet=True)
    raw = tmp_path / "raw"
    assert (tmp_path / "AS_OF").read_text() == "2026-11-20\n"
    assert sorted(p.name for p in raw.iterdir()) == sorted(scale.KINDS)
    for kind in scale.KINDS:
        assert any((raw / kind).iterdir()), kind
    written = [p for p in raw.rglob("*") if p.is_file()]
    assert summary["files"] == len(written)
    sample_raw = REPO / "sample_data" / "raw"
    for path in written:
        if path.suffix != ".csv":
            continue
        data = path.read_bytes()
        encoding = "cp1252" if "share_your_story" in path.name else "utf-8-sig"
        delimiter = ";" if path.name.startswith("street_stall") else ","
        header = next(csv.reader([data.decode(encoding).splitlines()[0]], delimiter=delimiter))
        kind = path.parent.name
        sample_headers = set()
        for other in (sample_raw / kind).glob("*.csv"):
            other_encoding = "cp1252" if "share_your_story" in other.name else "utf-8-sig"
            text = other.read_bytes().decode(other_encoding)
            sample_headers.add(tuple(next(csv.reader([text.splitlines()[0]], delimiter=delimiter))))
        assert tuple(header) in sample_headers, (path.name, header)
    copies = [p for p in (raw / "petitions").iterdir() if "(1)" in p.name]
    assert len(copies) == 1
    original = copies[0].with_name(copies[0].name.replace(" (1)", ""))
    assert copies[0].read_bytes() == original.read_bytes()


def test_extra_file_is_small_and_deterministic(scale, tmp_path: Path) -> None:
    a = scale.generate_extra(tmp_path / "a", 3000, seed=7)
    b = scale.generate_extra(tmp_path / "b", 3000, seed=7)
    assert a.read_bytes() == b.read_bytes()
    rows = a.read_text(encoding="utf-8").splitlines()
    assert rows[0].split(",")[:4] == ["uuid", "first_name", "last_name", "email"]
    assert 5 <= len(rows) - 1 <= 80  # ~1% of 3000 people
