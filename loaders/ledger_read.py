"""Reading ledger files into raw tables: cells and row numbers, before any validation.

Kept apart from :mod:`loaders.ledger` so the Excel and CSV quirks (formula cells, error
cells, our own ``'`` escaping, GB18030 exports, Excel lock files, wrong sheet dimensions)
live in one place and the validator sees the same shape from every file type.  Nothing
here raises on bad input: every problem goes to a :class:`ProblemLog`, so one run can
tell a clerk everything that is wrong.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

LEDGER_SUFFIXES = (".xlsx", ".csv")
# A text cell that ledger_writer.safe_cell escaped with a leading ' (see there).
_ESCAPED_START = ("=", "+", "-", "@")
FORMULA = "formulas are not accepted"


@dataclass(frozen=True)
class LedgerProblem:
    """One thing a clerk must fix, located as precisely as the file allows."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = self.file + (f" [{self.sheet}]" if self.sheet else "")
        parts = ([f"row {self.row}"] if self.row is not None else []) + (
            [f"column {self.column}"] if self.column is not None else []
        )
        if parts:
            place += " " + ", ".join(parts)
        return f"{place}: {self.reason}"


class ProblemLog:
    """Collects problems and returns them grouped by file and sheet, in row order.

    Problems are found in several passes (cells while reading, references at the end),
    so they are ordered by where they are, not by when they were found.
    """

    def __init__(self) -> None:
        self._places: dict[tuple[str, str], int] = {}
        self._items: list[tuple[tuple[int, int, int], LedgerProblem]] = []

    def place(self, file: str, sheet: str) -> int:
        """The rank of a sheet: call when it is first read, so problems found later
        (unknown references) still sort with it."""
        return self._places.setdefault((file, sheet), len(self._places))

    def add(self, file: str, sheet: str, row: int | None, column: str | None, reason: str) -> None:
        place = self.place(file, sheet)
        key = (place, row or 0, len(self._items))
        self._items.append((key, LedgerProblem(file, sheet, row, column, reason)))

    def __len__(self) -> int:
        return len(self._items)

    def problems(self) -> list[LedgerProblem]:
        return [problem for _, problem in sorted(self._items, key=lambda item: item[0])]


@dataclass(frozen=True)
class BadCell:
    """A cell that cannot hold ledger data (a formula, an error); the validator reports it
    under the column's header."""

    reason: str


@dataclass
class Table:
    """One workbook tab or CSV file.  ``rows`` yields (spreadsheet row number, cells) for
    non-blank rows, header first; consume it before asking for the next table."""

    file: str  # as shown to the clerk
    name: str  # tab name or CSV file stem, as written
    rows: Iterator[tuple[int, list[Any]]]


def ledger_files(paths: Sequence[str | Path], log: ProblemLog) -> list[tuple[str, Path]]:
    """(display name, path) of every ledger file: files as given, directories expanded.

    Files in a directory are shown as ``dir/file.csv`` so two same-named files in two
    directories stay distinguishable; Excel's ``~$`` lock files are skipped.
    """
    found: list[tuple[str, Path]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if _is_ledger(p))
            if not inside:
                log.add(path.name or str(path), "", None, None,
                        "no .xlsx or .csv files in this directory")
            found.extend((f"{path.name}/{p.name}", p) for p in inside)
        elif not path.exists():
            log.add(str(given), "", None, None, "no such file or directory")
        elif path.suffix.lower() not in LEDGER_SUFFIXES:
            log.add(path.name, "", None, None,
                    "not a ledger: use .xlsx or .csv (save .xls files as .xlsx)")
        else:
            found.append((path.name, path))
    return found


def _is_ledger(path: Path) -> bool:
    return (path.is_file() and path.suffix.lower() in LEDGER_SUFFIXES
            and not path.name.startswith("~$"))


def read_tables(display: str, path: Path, log: ProblemLog) -> Iterator[Table]:
    if path.suffix.lower() == ".csv":
        table = _csv_table(display, path, log)
        if table is not None:
            yield table
    else:
        yield from _xlsx_tables(display, path, log)


def _xlsx_tables(display: str, path: Path, log: ProblemLog) -> Iterator[Table]:
    """data_only=False so formula cells are seen as formulas (and refused), never as
    whatever value Excel last cached for them."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        log.add(display, "", None, None, f"cannot be opened as an Excel workbook ({exc})")
        return
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # some tools write A1:A1 and rows would be cut short
            yield Table(display, sheet.title, _nonblank(_xlsx_rows(sheet)))
    finally:
        workbook.close()


def _xlsx_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, [_xlsx_cell(cell) for cell in cells]


def _xlsx_cell(cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        return BadCell(FORMULA)
    if cell.data_type == "e":
        return BadCell(f"the cell holds the spreadsheet error {value}")
    return _unescape(value)


def _unescape(value: Any) -> Any:
    """Undo ledger_writer.safe_cell: "'=x" is the text "=x", not a formula."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_ESCAPED_START):
        return value[1:]
    return value


def _csv_table(display: str, path: Path, log: ProblemLog) -> Table | None:
    """UTF-8 (with or without BOM) first; Chinese Excel saves "CSV" as GB18030/GBK."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        log.add(display, path.stem, None, None, "cannot be read as UTF-8 or GB18030")
        return None
    return Table(display, path.stem, _nonblank(_csv_rows(display, path.stem, text, log)))


def _csv_rows(display: str, stem: str, text: str, log: ProblemLog
              ) -> Iterator[tuple[int, list[Any]]]:
    """Malformed CSV (a field over the csv module's 128 KiB limit, say) ends the file
    with a problem at the row where reading stopped."""
    number = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, [_csv_cell(cell) for cell in cells]
    except csv.Error as exc:
        log.add(display, stem, number + 1, None, f"cannot be read as CSV ({exc})")


def _csv_cell(text: str) -> Any:
    """A CSV has no formula cells, but a spreadsheet opening it runs "=…" text as one."""
    if text.startswith("="):
        return BadCell(FORMULA)
    return _unescape(text)


def _nonblank(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if any(not is_blank(cell) for cell in cells):
            yield number, cells


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
