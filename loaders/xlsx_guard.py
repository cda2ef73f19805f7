"""A workbook is checked before openpyxl parses it: sizes, rows, cells and unsafe XML.

openpyxl builds every cell and every shared string in memory, so a small hostile .xlsx
(a 911 KB zip of three million rows, a 297 KB zip holding one 300 MB cell, an entity bomb)
would cost gigabytes or a traceback before any ledger check ran.  This guard reads the
zip's own directory (never decompressing to measure) and then streams every XML part
through expat in 64 KiB pieces, keeping only counters:

* the central directory must be small, and the members' declared sizes must sum to at
  most ``max_bytes``; zipfile stops each member at its declared size and checks its CRC,
  so a member whose size lies is refused as damaged instead of growing past the claim;
* no part may declare a DOCTYPE or entities (billion laughs, XXE): refused outright;
* a sheet may have at most ``max_rows`` rows and never more than Excel's own 1,048,576
  rows or 16,384 cells per row;
* a cell (``<c>``) or shared string (``<si>``) may hold at most ``max_cell`` characters, and
  no text run anywhere may be longer.

The first problem found ends the check with a :class:`Refusal` naming the sheet, row and
column where they are known.  Memory stays a few buffers whatever the file holds.
"""

from __future__ import annotations

import posixpath
import pyexpat
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import IO

from graph.i18n import N_, _, translate
from loaders.ledger_limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    LedgerLimits,
    excel_rows_exceeded,
    human_size,
)

UNSAFE_XML = N_("工作簿含有不安全的 XML（实体声明），已拒绝")
MAX_MEMBERS = 10_000  # parts of one workbook: a few per sheet in real files
MAX_DIRECTORY = 8 << 20  # bytes of the zip's central directory
_CHUNK = 1 << 16
_EOCD, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_DIMENSION_END = re.compile(r"[A-Z]*([0-9]{1,11})$")


class Refusal(Exception):
    """The workbook is refused; ``str()`` is the reason shown to the clerk."""

    def __init__(self, reason: str, sheet: str = "", row: int | None = None,
                 column: str | None = None) -> None:
        super().__init__(reason)
        self.sheet, self.row, self.column = sheet, row, column


def check_workbook(fh: IO[bytes], limits: LedgerLimits) -> None:
    """Raise :class:`Refusal` unless the open workbook ``fh`` is safe to hand to openpyxl.

    A file that is not a zip at all gets zipfile's own BadZipFile, as openpyxl would."""
    _check_directory(fh)
    fh.seek(0)
    archive = zipfile.ZipFile(fh)
    try:
        total = sum(info.file_size for info in archive.infolist())
        if total > limits.max_bytes:
            raise Refusal(limits.too_big(_("工作簿解压后"), total))
        _Workbook(archive, limits).scan()
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:
        raise Refusal(_("工作簿已损坏，无法作为 Excel 文件读取（{detail}），已拒绝", detail=exc)
                      ) from None
    finally:
        archive.close()
        fh.seek(0)


def _check_directory(fh: IO[bytes]) -> None:
    """The zip's end record, read from its last bytes: how many members and how large a
    directory zipfile would load.  Not a zip at all is left to zipfile to say."""
    size = fh.seek(0, 2)
    fh.seek(max(0, size - 22 - 0xFFFF))
    tail = fh.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return
    members, directory = struct.unpack_from("<HI", tail, at + 10)
    locator = at - 20
    if locator >= 0 and tail[locator:locator + 4] == _ZIP64_LOCATOR:
        (record,) = struct.unpack_from("<Q", tail, locator + 8)
        fh.seek(record)
        zip64 = fh.read(56)
        if len(zip64) == 56:
            members, directory = struct.unpack_from("<QQ", zip64, 32)
    if members > MAX_MEMBERS or directory > MAX_DIRECTORY:
        raise Refusal(_("工作簿的压缩目录过大（{members} 个成员，{size}），超过上限 {limit} 个"
                        "成员或 {limit_size}，不是正常的台账工作簿，已拒绝",
                        members=f"{members:,}", size=human_size(directory),
                        limit=f"{MAX_MEMBERS:,}", limit_size=human_size(MAX_DIRECTORY)))


class _Workbook:
    """Scans the parts in an order that names sheets before they are read: the package
    relationships, the workbook part (sheet names), its relationships (sheet parts)."""

    def __init__(self, archive: zipfile.ZipFile, limits: LedgerLimits) -> None:
        self.archive, self.limits = archive, limits
        self.sheets: dict[str, str] = {}  # part name → sheet title
        self.done: set[str] = set()

    def scan(self) -> None:
        book = "xl/workbook.xml"
        for rel in self._collect("_rels/.rels", "Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                book = _resolve("", rel.get("Target", ""))
        ids = {_rel_id(sheet): sheet.get("name", "") for sheet in self._collect(book, "sheet")}
        folder, base = posixpath.split(book)
        for rel in self._collect(f"{folder}/_rels/{base}.rels", "Relationship"):
            if rel.get("Id") in ids:
                self.sheets[_resolve(folder, rel.get("Target", ""))] = ids[rel["Id"]]
        for info in self.archive.infolist():
            if info.filename not in self.done:
                self._scan(info, set())

    def _collect(self, name: str, element: str) -> list[dict[str, str]]:
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return []
        return self._scan(info, {element})

    def _scan(self, info: zipfile.ZipInfo, collect: set[str]) -> list[dict[str, str]]:
        self.done.add(info.filename)
        scanner = _Part(info.filename, self.sheets.get(info.filename, info.filename),
                        self.limits, collect)
        read = 0
        with self.archive.open(info) as stream:
            chunk = stream.read(_CHUNK)
            if not _looks_like_xml(chunk):
                return []  # images and other binary parts: openpyxl does not parse them
            while chunk:
                read += len(chunk)
                if read > info.file_size:
                    raise zipfile.BadZipFile(f"{info.filename} is larger than declared")
                scanner.feed(chunk)
                chunk = stream.read(_CHUNK)
        scanner.feed(b"", final=True)
        return scanner.collected


def _looks_like_xml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _resolve(folder: str, target: str) -> str:
    """A relationship target as a zip member name."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target))


def _rel_id(attrs: dict[str, str]) -> str:
    """The ``r:id`` of a ``<sheet>``, whatever prefix the relationships namespace got."""
    return next((v for k, v in attrs.items() if k.endswith(":id")), "")


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Part:
    """One XML part fed to expat: counters only, and a Refusal at the first excess."""

    def __init__(self, member: str, sheet: str, limits: LedgerLimits,
                 collect: set[str]) -> None:
        self.member, self.sheet, self.limits, self.collect = member, sheet, limits, collect
        self.collected: list[dict[str, str]] = []
        self.rows = self.row = self.cells = 0
        self.run = self.item = 0  # characters of the current text run / cell or string
        self.in_item = False
        self.ref: str | None = None  # the current cell's reference (B7)
        self.strings = 0  # shared strings met
        parser = pyexpat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._unsafe
        parser.EntityDeclHandler = self._unsafe
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        self.parser = parser

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except pyexpat.ExpatError as exc:
            raise Refusal(_("工作簿已损坏：{member} 不是有效的 XML（{detail}，第 {line} 行），"
                            "已拒绝", member=self.member, detail=pyexpat.ErrorString(exc.code),
                            line=exc.lineno)) from None

    def _unsafe(self, *_args: object) -> None:
        raise Refusal(translate(UNSAFE_XML))

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.run = 0
        local = _local(name)
        handler = _STARTS.get(local)
        if handler is not None:
            handler(self, attrs)
        if local in self.collect and len(self.collected) < MAX_MEMBERS:
            self.collected.append(attrs)

    def _end(self, name: str) -> None:
        if _local(name) in ("c", "si"):
            self.in_item = False

    def _text(self, data: str) -> None:
        self.run += len(data)
        if self.in_item:
            self.item += len(data)
            if self.item > self.limits.max_cell:
                self._cell_refused()
        if self.run > self.limits.max_cell:
            raise Refusal(_("{member} 中有一段文本超过 {limit} 个字符（JINLIN_LEDGER_MAX_CELL），"
                            "已拒绝", member=self.member, limit=f"{self.limits.max_cell:,}"))

    def _row(self, attrs: dict[str, str]) -> None:
        self.rows += 1
        number = attrs.get("r", "")
        self.row = int(number) if number.isdecimal() and len(number) < 12 else self.row + 1
        reached = max(self.rows, self.row)
        if reached > EXCEL_MAX_ROWS:
            raise Refusal(excel_rows_exceeded(), self.sheet, reached)
        if reached > self.limits.max_rows:
            raise Refusal(self.limits.too_many_rows(), self.sheet, self.limits.max_rows + 1)
        self.cells = 0

    def _cell(self, attrs: dict[str, str]) -> None:
        self.cells += 1
        if self.cells > EXCEL_MAX_COLUMNS:
            raise Refusal(_("一行超过 Excel 的 {limit} 列上限，已拒绝",
                            limit=f"{EXCEL_MAX_COLUMNS:,}"), self.sheet, self.row)
        self.ref = attrs.get("r")
        self.item, self.in_item = 0, True

    def _string(self, attrs: dict[str, str]) -> None:
        self.strings += 1
        self.ref = None
        self.item, self.in_item = 0, True

    def _dimension(self, attrs: dict[str, str]) -> None:
        """A sheet that declares more rows than Excel allows is refused at once."""
        end = _DIMENSION_END.search(attrs.get("ref", ""))
        if end and int(end.group(1)) > EXCEL_MAX_ROWS:
            raise Refusal(excel_rows_exceeded(), self.sheet)

    def _cell_refused(self) -> None:
        if self.ref is None and self.strings:
            raise Refusal(_("共享字符串第 {item} 项：{reason}", item=f"{self.strings:,}",
                            reason=self.limits.cell_too_long()))
        found = _CELL_REF.fullmatch(self.ref or "")
        row = int(found.group(2)) if found else self.row
        raise Refusal(self.limits.cell_too_long(), self.sheet, row,
                      found.group(1) if found else None)


_STARTS: dict[str, Callable[[_Part, dict[str, str]], None]] = {
    "row": _Part._row, "c": _Part._cell, "si": _Part._string, "dimension": _Part._dimension,
}
