"""The shape every ledger file is read into, whatever its type: tables of rows of cells,
and the problems found on the way.

Kept apart from the readers (:mod:`loaders.ledger_read` for files and workbooks,
:mod:`loaders.ledger_csv` for CSV) so the validator in :mod:`loaders.ledger` sees one
shape, and a text cell is judged by one rule (:func:`text_cell`) in both file types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graph.i18n import N_, translate
from loaders.cells import is_formula, is_plain, unescape
from loaders.ledger_limits import LedgerLimits

FORMULA = N_("不接受公式，请粘贴为数值")
MAX_KEPT = 10_000  # problems kept in memory; the rest are only counted
# Where a problem is, by the parts known (sheet, row, column): one whole template each,
# so that a translation orders them as its language does.  ``{file}`` always is.
PLACES = {
    (False, False, False): N_("{file}：{reason}"),
    (True, False, False): N_("{file} {sheet} 表：{reason}"),
    (True, True, False): N_("{file} {sheet} 表第 {row} 行：{reason}"),
    (True, True, True): N_("{file} {sheet} 表第 {row} 行，{column} 列：{reason}"),
    (True, False, True): N_("{file} {sheet} 表，{column} 列：{reason}"),
    (False, True, False): N_("{file} 第 {row} 行：{reason}"),
    (False, True, True): N_("{file} 第 {row} 行，{column} 列：{reason}"),
    (False, False, True): N_("{file} {column} 列：{reason}"),
}


@dataclass(frozen=True)
class LedgerProblem:
    """One thing a clerk must fix, located as precisely as the file allows."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        """One line in the language in force: ``小区.xlsx 小区 表第 3 行，物业管理模式 列：…``."""
        return located(self.file, self.sheet, self.row, self.column, self.reason)


def located(file: str, sheet: str, row: int | None, column: str | None, reason: str) -> str:
    """``reason`` at its place in a ledger (only the parts known are named)."""
    template = translate(PLACES[(bool(sheet), row is not None, column is not None)])
    return template.format(file=file, sheet=sheet, row=row, column=column, reason=reason)


class ProblemLog:
    """Collects problems and returns them grouped by file and sheet, in row order.

    Problems are found in several passes (cells while reading, references at the end),
    so they are ordered by where they are, not by when they were found.  Only the first
    :data:`MAX_KEPT` are kept: a hostile file with a bad cell in each of millions of rows
    must not fill memory with their descriptions; the rest are counted.
    """

    def __init__(self) -> None:
        self._places: dict[tuple[str, str], int] = {}
        self._items: list[tuple[tuple[int, int, int], LedgerProblem]] = []
        self._dropped = 0

    def place(self, file: str, sheet: str) -> int:
        """The rank of a sheet: call when it is first read, so problems found later
        (unknown references) still sort with it."""
        return self._places.setdefault((file, sheet), len(self._places))

    def add(self, file: str, sheet: str, row: int | None, column: str | None, reason: str) -> None:
        if len(self._items) >= MAX_KEPT:
            self._dropped += 1
            return
        place = self.place(file, sheet)
        key = (place, row or 0, len(self._items))
        self._items.append((key, LedgerProblem(file, sheet, row, column, reason)))

    def __len__(self) -> int:
        """Every problem found, kept or not."""
        return len(self._items) + self._dropped

    def problems(self) -> list[LedgerProblem]:
        return [problem for _, problem in sorted(self._items, key=lambda item: item[0])]


@dataclass(frozen=True)
class BadCell:
    """A cell that cannot hold ledger data (a formula, an error, an over-long text); the
    validator reports it under the column's header."""

    reason: str


@dataclass
class Table:
    """One workbook tab or CSV file.  ``rows`` yields (spreadsheet row number, cells) for
    non-blank rows, header first; consume it before asking for the next table."""

    file: str  # as shown to the clerk
    name: str  # tab name or CSV file stem, as written
    rows: Iterator[tuple[int, list[Any]]]


def text_cell(text: str, limits: LedgerLimits) -> Any:
    """A text cell of either file type: too long, a formula by its lead, or data."""
    if len(text) > limits.max_cell:
        return BadCell(limits.cell_too_long(len(text)))
    if is_plain(text):
        return text
    if is_formula(text):
        return BadCell(translate(FORMULA))
    return unescape(text)


def nonblank(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if any(not is_blank(cell) for cell in cells):
            yield number, cells


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
