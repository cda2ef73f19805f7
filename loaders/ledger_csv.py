"""CSV ledgers, read as a stream: the encoding settled first, then rows counted and lines
and cells measured as they come, so a hostile CSV is refused at its first excess and is
never held whole in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from graph.i18n import _
from loaders.ledger_limits import LedgerLimits
from loaders.ledger_table import ProblemLog, Table, nonblank, text_cell


def csv_table(display: str, stem: str, fh: IO[bytes], log: ProblemLog,
              limits: LedgerLimits) -> Table | None:
    """UTF-8 (with or without BOM) first; Chinese Excel saves "CSV" as GB18030/GBK.
    The encoding is settled by a decoding pass that keeps nothing, then the file is
    read again as a stream: a CSV is never held whole in memory."""
    encoding = next((enc for enc in ("utf-8-sig", "gb18030") if _decodes(fh, enc)), None)
    if encoding is None:
        log.add(display, stem, None, None, _("无法按 UTF-8 或 GB18030 编码读取"))
        return None
    text = io.TextIOWrapper(fh, encoding=encoding, newline="")
    return Table(display, stem, nonblank(_csv_rows(display, stem, text, log, limits)))


def _decodes(fh: IO[bytes], encoding: str) -> bool:
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := fh.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        fh.seek(0)
    return True


class _LineTooLong(Exception):
    pass


def _lines(text: IO[str], limit: int) -> Iterator[str]:
    """Physical lines, each cut off at ``limit`` characters: a longer one is refused
    rather than read whole."""
    while line := text.readline(limit):
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            raise _LineTooLong
        yield line


def _csv_rows(display: str, stem: str, text: IO[str], log: ProblemLog, limits: LedgerLimits
              ) -> Iterator[tuple[int, list[Any]]]:
    """Rows are counted as they stream: the row after ``max_rows`` ends the file with a
    problem.  Malformed CSV (a field over the csv module's 128 KiB limit, say) ends the
    file with a problem at the row where reading stopped."""
    number = 0
    try:
        for number, cells in enumerate(csv.reader(_lines(text, limits.max_line)), start=1):
            if number > limits.max_rows:
                log.add(display, stem, number, None, limits.too_many_rows())
                return
            yield number, [text_cell(cell, limits) for cell in cells]
    except csv.Error as exc:
        log.add(display, stem, number + 1, None, _("无法作为 CSV 读取（{detail}）", detail=exc))
    except _LineTooLong:
        log.add(display, stem, number + 1, None, limits.line_too_long())
