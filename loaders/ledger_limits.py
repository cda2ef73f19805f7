"""How big a ledger file may be, and the words a clerk sees when one is bigger.

A ledger comes from outside (a clerk's workbook, a mail attachment), and a 911 KB xlsx can
hold three million rows or one 300 MB cell.  The limits are settings
(``JINLIN_LEDGER_MAX_BYTES`` / ``_ROWS`` / ``_CELL``, see :mod:`graph.settings`) whose
defaults fit a province's ledgers, and they are checked before and while parsing, never
after: the CSV reader and the workbook guard both stop at the first row or cell over a
limit.  The messages live here so both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.i18n import _
from graph.settings import Settings, load_settings

EXCEL_MAX_ROWS = 1_048_576  # Excel's own sheet limits: a sheet beyond them is not Excel's
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class LedgerLimits:
    max_bytes: int  # a file, uncompressed (an xlsx: its zip members summed)
    max_rows: int  # rows of one sheet or CSV file, header included
    max_cell: int  # characters in one cell

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> LedgerLimits:
        s = settings if settings is not None else load_settings()
        return cls(s.ledger_max_bytes, s.ledger_max_rows, s.ledger_max_cell)

    @property
    def max_line(self) -> int:
        """Characters of one CSV line: room for 32 full cells with every quote doubled.
        A longer line is refused before the csv module holds it as one string."""
        return self.max_cell * 64

    def too_big(self, what: str, size: int) -> str:
        """``what`` (文件, 工作簿解压后: already in the language in force) is too big."""
        return _("{what} {size}，超过上限 {limit}（JINLIN_LEDGER_MAX_BYTES），已拒绝",
                 what=what, size=human_size(size), limit=human_size(self.max_bytes))

    def too_many_rows(self) -> str:
        return _("超过 {limit} 行上限（JINLIN_LEDGER_MAX_ROWS），已在第 {stop} 行停止读取并"
                 "拒绝整个文件", limit=f"{self.max_rows:,}", stop=f"{self.max_rows + 1:,}")

    def line_too_long(self) -> str:
        return _("这一行超过 {limit} 个字符（每个单元格上限 {cell} 个字符，"
                 "JINLIN_LEDGER_MAX_CELL），已停止读取并拒绝整个文件",
                 limit=f"{self.max_line:,}", cell=f"{self.max_cell:,}")

    def cell_too_long(self, length: int | None = None) -> str:
        if length is None:
            return _("单元格过长，超过上限 {limit} 个字符（JINLIN_LEDGER_MAX_CELL），已拒绝",
                     limit=f"{self.max_cell:,}")
        return _("单元格有 {length} 个字符，超过上限 {limit} 个字符（JINLIN_LEDGER_MAX_CELL），"
                 "已拒绝", length=f"{length:,}", limit=f"{self.max_cell:,}")


def excel_rows_exceeded() -> str:
    return _("超过 Excel 工作表的 {limit} 行上限，不是有效的 Excel 工作表，已拒绝整个文件",
             limit=f"{EXCEL_MAX_ROWS:,}")


def human_size(size: int) -> str:
    """``1288490189`` → ``1.2 GB`` (binary units, as file managers show them)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return _("{size} 字节", size=size)
