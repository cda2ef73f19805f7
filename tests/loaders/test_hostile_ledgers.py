"""Hostile ledgers, generated: every malformed file gets a clear error, nothing is written.

Each property builds a real file (CSV bytes or an .xlsx workbook) from a valid compound
ledger plus one kind of damage, imports it, and checks the two promises of the import:
the error is a :class:`LedgerInvalid` naming the file, and the store is unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from graph.store import BoltStore
from graph.writer import NodeRecord, counts, write_graph
from loaders.ledger import LedgerInvalid, load_ledgers

HEADER = ["编码", "名称", "户数", "老旧小区"]
GOOD = [["K1", "幸福小区", "300", "是"], ["K2", "和睦小区", "120", "否"]]
EXAMPLES = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "小区"
    for row in rows:
        sheet.append(row)
    book.save(path)


def _assert_refused(store: BoltStore, path: Path) -> None:
    before = counts(store)
    with pytest.raises(LedgerInvalid) as err:
        load_ledgers(store, [path])
    assert path.name in str(err.value)
    assert counts(store) == before


@pytest.fixture
def seeded(store: BoltStore) -> BoltStore:
    write_graph(store, [NodeRecord("Compound", "K0", {"name": "已有小区"})], [])
    return store


@EXAMPLES
@example(cell="1E100")  # these three found by hypothesis: a float's syntax,
@example(cell="0E0")  # and a whole number no store keeps
@example(cell="9" * 20)
@given(cell=st.text(min_size=1, max_size=20).filter(
    lambda s: s.strip() != ""  # a blank cell (say "\r") is an empty count, not a wrong one
    and not s.strip().replace(",", "").replace(".", "", 1).lstrip("+-").isdigit()))
def test_wrong_type_in_a_count(seeded: BoltStore, tmp_path: Path, cell: str) -> None:
    path = tmp_path / "Compound.csv"
    path.write_bytes(_csv([HEADER, ["K1", "幸福小区", cell, "是"]]))
    _assert_refused(seeded, path)


@EXAMPLES
@given(dropped=st.sampled_from([0, 1]))
def test_missing_required_column(seeded: BoltStore, tmp_path: Path, dropped: int) -> None:
    rows = [[c for i, c in enumerate(r) if i != dropped] for r in [HEADER, *GOOD]]
    path = tmp_path / "Compound.csv"
    path.write_bytes(_csv(rows))
    _assert_refused(seeded, path)


@EXAMPLES
@given(size=st.integers(min_value=2001, max_value=200_000))
def test_huge_cell(seeded: BoltStore, tmp_path: Path, size: int) -> None:
    path = tmp_path / "Compound.csv"
    path.write_bytes(_csv([HEADER, ["K1", "长" * size, "300", "是"]]))
    _assert_refused(seeded, path)


@EXAMPLES
@given(formula=st.sampled_from([
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "=1+1", "=SUM(A1:A9)",
]))
def test_formula_injection_in_excel(seeded: BoltStore, tmp_path: Path, formula: str) -> None:
    path = tmp_path / "ledger.xlsx"
    _xlsx(path, [HEADER, ["K1", formula, 300, "是"]])
    _assert_refused(seeded, path)


@EXAMPLES
@given(noise=st.binary(min_size=1, max_size=200))
def test_broken_encoding(seeded: BoltStore, tmp_path: Path, noise: bytes) -> None:
    path = tmp_path / "Compound.csv"
    path.write_bytes(b"\xff\xfe\x00" + noise)
    _assert_refused(seeded, path)


@EXAMPLES
@given(twice=st.sampled_from(HEADER))
def test_duplicate_headers(seeded: BoltStore, tmp_path: Path, twice: str) -> None:
    path = tmp_path / "Compound.csv"
    path.write_bytes(_csv([[*HEADER, twice], *[[*r, r[HEADER.index(twice)]] for r in GOOD]]))
    _assert_refused(seeded, path)
