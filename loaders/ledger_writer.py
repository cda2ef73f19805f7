"""Write ledger files: one CSV per sheet, or one .xlsx workbook with a tab per sheet.

Rows are streamed (openpyxl's write-only mode, csv writers kept open), so the
province preset never holds all rows in memory.  Rows are dicts keyed by the
English column names of :mod:`loaders.formats`; the header row is Chinese or English.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from openpyxl import Workbook

from loaders.cells import needs_escape
from loaders.formats import SHEETS, Sheet, sheet_for
from loaders.template import template_workbook


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading ' so a ledger we write can
    never run anything when a clerk opens it; the rule is :mod:`loaders.cells`, shared with
    the reader, which takes the ' off again."""
    if isinstance(value, str) and needs_escape(value):
        return "'" + value
    return value


def _sheet(name: str) -> Sheet:
    sheet = sheet_for(name)
    if sheet is None:
        raise ValueError(f"no ledger sheet named {name!r}")
    return sheet


class LedgerWriter:
    """Context manager: ``writer.write("Compound", {"code": ..., "name": ...})``.

    ``fmt`` is ``"csv"`` (a directory of ``<Sheet>.csv`` files, UTF-8 with BOM so Excel
    opens Chinese text correctly) or ``"xlsx"`` (``<out>/ledgers.xlsx``).
    """

    def __init__(self, out_dir: str | Path, fmt: str = "csv", chinese: bool = True) -> None:
        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"unknown ledger format {fmt!r}: use csv or xlsx")
        self.out_dir = Path(out_dir)
        self.fmt = fmt
        self.chinese = chinese
        self.rows_written = 0
        self._files: dict[str, tuple[IO[str], Any]] = {}
        self._workbook: Workbook | None = None
        self._tabs: dict[str, Any] = {}

    def __enter__(self) -> LedgerWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.fmt == "xlsx":
            self._workbook = Workbook(write_only=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self, sheet: Sheet) -> Any:
        headers = sheet.headers(self.chinese)
        if self.fmt == "csv":
            if sheet.name not in self._files:
                path = self.out_dir / f"{sheet.name}.csv"
                fh = path.open("w", newline="", encoding="utf-8-sig")
                writer = csv.writer(fh)
                writer.writerow(headers)
                self._files[sheet.name] = (fh, writer)
            return self._files[sheet.name][1]
        if sheet.name not in self._tabs:
            assert self._workbook is not None
            tab = self._workbook.create_sheet(sheet.name)
            tab.append(headers)
            self._tabs[sheet.name] = tab
        return self._tabs[sheet.name]

    def header(self, name: str) -> None:
        """Create the sheet with its header row even if no row follows (templates)."""
        self._open(_sheet(name))

    def write(self, name: str, row: Mapping[str, Any]) -> None:
        sheet = _sheet(name)
        target = self._open(sheet)
        cells = [safe_cell(row.get(col.name)) for col in sheet.columns]
        if self.fmt == "csv":
            target.writerow(["" if c is None else c for c in cells])
        else:
            target.append(cells)
        self.rows_written += 1

    def close(self) -> None:
        for fh, _ in self._files.values():
            fh.close()
        self._files.clear()
        if self._workbook is not None:
            self._workbook.save(self.out_dir / "ledgers.xlsx")
            self._workbook = None


def write_templates(out_dir: str | Path, chinese: bool = True) -> list[Path]:
    """Blank ledgers: ``templates.xlsx`` (instructions, dropdowns, date formats: see
    :mod:`loaders.template`), and one CSV per sheet with the plain header row."""
    out = Path(out_dir)
    with LedgerWriter(out, "csv", chinese) as csv_writer:
        for sheet in SHEETS:
            csv_writer.header(sheet.name)
    template_workbook(chinese).save(out / "templates.xlsx")
    return sorted(out.iterdir())
