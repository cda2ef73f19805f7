"""Reading ledger files into raw tables: cells and row numbers, before any validation.

Kept apart from :mod:`loaders.ledger` so the Excel and CSV quirks (formula cells, error
cells, our own ``'`` escaping, GB18030 exports, Excel lock files, wrong sheet dimensions)
live in one place and the validator sees the same shape from every file type.  Nothing
here raises on bad input: every problem goes to a :class:`ProblemLog`, so one run can
tell a clerk everything that is wrong.

Files come from outside, so nothing is trusted before it is looked at: a path that is a
symbolic link, a device or a pipe is refused from ``lstat`` without being opened (and
opened with ``O_NOFOLLOW`` so it cannot be swapped in between); a file is read in a
stream against :class:`~loaders.ledger_limits.LedgerLimits`, a workbook only after
:mod:`loaders.xlsx_guard` has passed it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from graph.i18n import N_, _, translate
from loaders.ledger_csv import csv_table
from loaders.ledger_limits import LedgerLimits
from loaders.ledger_table import FORMULA, BadCell, ProblemLog, Table, nonblank, text_cell
from loaders.xlsx_guard import UNSAFE_XML, Refusal, check_workbook

LEDGER_SUFFIXES = (".xlsx", ".csv")
NOT_REGULAR = N_("不是普通文件（符号链接/设备/管道），已拒绝")


def ledger_files(paths: Sequence[str | Path], log: ProblemLog) -> list[tuple[str, Path]]:
    """(display name, path) of every ledger file: files as given, directories expanded.

    Files in a directory are shown as ``dir/file.csv`` so two same-named files in two
    directories stay distinguishable; Excel's ``~$`` lock files are skipped.  Whatever is
    not a regular file (a symbolic link, even to a ledger; a device; a pipe) is refused
    from its ``lstat`` alone, named directly or found in a directory.
    """
    found: list[tuple[str, Path]] = []
    for given in paths:
        path = Path(given)
        mode = _mode(path)
        if mode is None:
            log.add(str(given), "", None, None, _("没有这个文件或目录"))
        elif stat.S_ISDIR(mode):
            seen = 0
            for inside in sorted(path.iterdir()):
                display = f"{path.name}/{inside.name}"
                kind = _mode(inside)
                if not _is_ledger_name(inside) or kind is None or stat.S_ISDIR(kind):
                    continue
                seen += 1
                if stat.S_ISREG(kind):
                    found.append((display, inside))
                else:
                    log.add(display, "", None, None, translate(NOT_REGULAR))
            if not seen:
                log.add(path.name or str(path), "", None, None,
                        _("这个目录中没有 .xlsx 或 .csv 文件"))
        elif not stat.S_ISREG(mode):
            log.add(path.name or str(path), "", None, None, translate(NOT_REGULAR))
        elif path.suffix.lower() not in LEDGER_SUFFIXES:
            log.add(path.name, "", None, None,
                    _("不是台账文件：请使用 .xlsx 或 .csv（.xls 文件请另存为 .xlsx）"))
        else:
            found.append((path.name, path))
    return found


def _mode(path: Path) -> int | None:
    """The file type bits of ``path`` itself (a link is not followed); None if absent."""
    try:
        return os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None


def _is_ledger_name(path: Path) -> bool:
    return path.suffix.lower() in LEDGER_SUFFIXES and not path.name.startswith("~$")


class _NotRegular(OSError):
    """The path turned into something other than a regular file after it was listed."""


def _open(path: Path) -> IO[bytes]:
    """Open a regular file for reading, refusing (ELOOP) a link put in its place after
    :func:`ledger_files` looked, and without blocking on a pipe."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegular(path)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_tables(display: str, path: Path, log: ProblemLog, limits: LedgerLimits
                ) -> Iterator[Table]:
    """The tables of one ledger file; its size is checked before anything is parsed."""
    try:
        fh = _open(path)
    except OSError as exc:
        reason = translate(NOT_REGULAR) if isinstance(exc, _NotRegular) or _is_link_error(exc) \
            else _("无法读取（{detail}）", detail=exc.strerror or exc)
        log.add(display, "", None, None, reason)
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limits.max_bytes:
            log.add(display, "", None, None, limits.too_big(_("文件"), size))
        elif path.suffix.lower() == ".csv":
            table = csv_table(display, path.stem, fh, log, limits)
            if table is not None:
                yield table
        else:
            yield from _xlsx_tables(display, fh, log, limits)


def _is_link_error(exc: OSError) -> bool:
    return exc.errno in (errno.ELOOP, getattr(errno, "EMLINK", -1))


def _xlsx_tables(display: str, fh: IO[bytes], log: ProblemLog, limits: LedgerLimits
                 ) -> Iterator[Table]:
    """data_only=False so formula cells are seen as formulas (and refused), never as
    whatever value Excel last cached for them.  openpyxl sees the workbook only after
    the guard passed it; whatever it still cannot parse is one problem, not a traceback."""
    try:
        check_workbook(fh, limits)
        workbook = load_workbook(fh, read_only=True, data_only=False)
    except Refusal as refused:
        log.add(display, refused.sheet, refused.row, refused.column, str(refused))
        return
    except DefusedXmlException:
        log.add(display, "", None, None, translate(UNSAFE_XML))
        return
    except Exception as exc:  # a damaged or foreign zip: openpyxl fails in many ways
        log.add(display, "", None, None, _("无法作为 Excel 工作簿打开（{detail}）", detail=exc))
        return
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # some tools write A1:A1 and rows would be cut short
            rows = _xlsx_rows(display, sheet, log, limits)
            yield Table(display, sheet.title, nonblank(rows))
    finally:
        workbook.close()


def _xlsx_rows(display: str, sheet: Any, log: ProblemLog, limits: LedgerLimits
               ) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    try:
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, [_xlsx_cell(cell, limits) for cell in cells]
    except Exception as exc:  # a damaged sheet (a bad shared-string index …): one problem
        log.add(display, sheet.title, number + 1, None,
                _("工作表在此行无法继续读取（{error}），已拒绝整个文件", error=type(exc).__name__))


def _xlsx_cell(cell: Any, limits: LedgerLimits) -> Any:
    value = cell.value
    if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        return BadCell(translate(FORMULA))
    if cell.data_type == "e":
        return BadCell(_("单元格中是电子表格的错误值 {value}", value=value))
    return text_cell(value, limits) if isinstance(value, str) else value
