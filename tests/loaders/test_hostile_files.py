"""Hostile ledger files: each is refused with one exact problem, in bounded memory, before
anything is written, and nothing outside the ledger is read or echoed.

The workbooks are written by hand (a zip of the few XML parts Excel needs), streamed, so a
sheet of three million rows or a 300 MB cell costs the test a second and a few hundred KB
on disk, as they cost the attacker.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph import queries
from graph.store import BoltStore
from graph.writer import NodeRecord, counts, write_graph
from loaders.ledger import LedgerInvalid, LedgerLimits, load_ledgers
from loaders.ledger_limits import human_size
from loaders.ledger_writer import LedgerWriter

SECRET = "root:$6$SECRET-HASH-do-not-echo:19000:0:99999:7:::"
LIMITS = LedgerLimits(max_bytes=1 << 30, max_rows=20_000_000, max_cell=32_767)
MEMORY = 100 << 20  # bytes of Python memory a refusal may take (the files hold gigabytes)
UNSAFE = "工作簿含有不安全的 XML（实体声明），已拒绝"
NOT_REGULAR = "不是普通文件（符号链接/设备/管道），已拒绝"
EXCEL_ROWS = "超过 Excel 工作表的 1,048,576 行上限，不是有效的 Excel 工作表，已拒绝整个文件"
LONG_CELL = "单元格过长，超过上限 32,767 个字符（JINLIN_LEDGER_MAX_CELL），已拒绝"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
BOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
    '<sheets><sheet name="小区" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
BOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    '</Relationships>'
)
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>编码</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>名称</t></is></c></row>')


def compound_row(n: int, name: str = "小区") -> str:
    return (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>K{n}</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>{name}{n}</t></is></c></row>')


def workbook(path: Path, rows: Iterable[str], *, prolog: str = "", dimension: str = "",
             shared: Iterable[str] = (), shared_prolog: str = "") -> Path:
    """A minimal .xlsx, its one sheet 小区 streamed from ``rows`` (XML text pieces), its
    shared strings from ``shared``; a prolog goes before a part's root element."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", BOOK)
        book.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        with book.open("xl/sharedStrings.xml", "w") as out:
            out.write(f'<?xml version="1.0"?>{shared_prolog}<sst xmlns="{MAIN}">'.encode())
            for piece in shared:
                out.write(piece.encode())
            out.write(b"</sst>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            head = f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
            if dimension:
                head += f'<dimension ref="{dimension}"/>'
            out.write(head.encode() + b"<sheetData>")
            for piece in rows:
                out.write(piece.encode())
            out.write(b"</sheetData></worksheet>")
    return path


def refused(store: BoltStore, path: Path, limits: LedgerLimits = LIMITS) -> list[str]:
    """The problems of importing ``path``, checking that nothing was written and that
    Python memory stayed under :data:`MEMORY` meanwhile."""
    before = counts(store)
    tracemalloc.start()
    try:
        with pytest.raises(LedgerInvalid) as caught:
            load_ledgers(store, [path], limits=limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY, f"{peak:,} bytes"
    assert counts(store) == before
    assert SECRET not in str(caught.value)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def seeded(store: BoltStore) -> BoltStore:
    write_graph(store, [NodeRecord("Compound", "K0", {"name": "已有小区"})], [])
    return store


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "shadow"
    path.parent.mkdir()
    path.write_text(SECRET + "\n")
    return path


def test_a_hand_made_workbook_is_a_good_ledger(seeded: BoltStore, tmp_path: Path) -> None:
    """The control: the same minimal workbook, with nothing hostile in it, is imported."""
    path = workbook(tmp_path / "good.xlsx", [HEADER_ROW, compound_row(2)],
                    prolog="<!-- a comment -->")
    assert load_ledgers(seeded, [path], limits=LIMITS).rows() == [("Compound", 1, 0, 0)]
    assert seeded.read(queries.existing_nodes("Compound"), codes=["K2"])[0]["props"] == {
        "code": "K2", "name": "小区2"}


def test_three_million_rows_in_a_small_workbook(seeded: BoltStore, tmp_path: Path) -> None:
    def rows() -> Iterable[str]:
        yield HEADER_ROW
        for _ in range(300):
            yield "<row><c><v>1</v></c></row>" * 10_000

    path = workbook(tmp_path / "rows.xlsx", rows())
    assert path.stat().st_size < 1 << 20
    assert refused(seeded, path) == [f"rows.xlsx 小区 表第 1048577 行：{EXCEL_ROWS}"]


def test_a_sheet_declaring_more_rows_than_excel_is_refused_at_once(
        seeded: BoltStore, tmp_path: Path) -> None:
    path = workbook(tmp_path / "declared.xlsx", [HEADER_ROW], dimension="A1:B3000000")
    assert refused(seeded, path) == [f"declared.xlsx 小区 表：{EXCEL_ROWS}"]


def test_a_row_wider_than_excel(seeded: BoltStore, tmp_path: Path) -> None:
    path = workbook(tmp_path / "wide.xlsx", [HEADER_ROW, '<row r="2">',
                                             "<c><v>1</v></c>" * 16_385, "</row>"])
    assert refused(seeded, path) == [
        "wide.xlsx 小区 表第 2 行：一行超过 Excel 的 16,384 列上限，已拒绝"]


def test_rows_beyond_the_configured_limit(seeded: BoltStore, tmp_path: Path) -> None:
    limits = LedgerLimits(max_bytes=1 << 30, max_rows=3, max_cell=32_767)
    xlsx = workbook(tmp_path / "four.xlsx", [HEADER_ROW, *map(compound_row, (2, 3, 4))])
    csv = tmp_path / "Compound.csv"
    csv.write_text("编码,名称\n" + "".join(f"K{n},小区{n}\n" for n in range(2, 6)))
    message = "超过 3 行上限（JINLIN_LEDGER_MAX_ROWS），已在第 4 行停止读取并拒绝整个文件"
    assert refused(seeded, xlsx, limits) == [f"four.xlsx 小区 表第 4 行：{message}"]
    assert refused(seeded, csv, limits) == [f"Compound.csv Compound 表第 4 行：{message}"]


def _big_text(megabytes: int) -> Iterable[str]:
    block = "A" * (1 << 20)
    for _ in range(megabytes):
        yield block


def test_one_300_mb_cell(seeded: BoltStore, tmp_path: Path) -> None:
    def rows() -> Iterable[str]:
        yield HEADER_ROW
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>K2</t></is></c>'
        yield '<c r="B2" t="inlineStr"><is><t>'
        yield from _big_text(300)
        yield "</t></is></c></row>"

    path = workbook(tmp_path / "cell.xlsx", rows())
    assert path.stat().st_size < 1 << 20
    assert refused(seeded, path) == [f"cell.xlsx 小区 表第 2 行，B 列：{LONG_CELL}"]


def test_one_300_mb_shared_string_made_of_short_runs(seeded: BoltStore, tmp_path: Path) -> None:
    """Rich text: many runs of 1 MB, each a separate text node, one string of 300 MB."""
    def strings() -> Iterable[str]:
        yield "<si>"
        for block in _big_text(300):
            yield f"<r><t>{block}</t></r>"
        yield "</si>"

    row = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    path = workbook(tmp_path / "shared.xlsx", [HEADER_ROW, row], shared=strings())
    assert refused(seeded, path) == [f"shared.xlsx：共享字符串第 1 项：{LONG_CELL}"]


def test_a_long_cell_under_the_guard_is_a_cell_problem(seeded: BoltStore, tmp_path: Path) -> None:
    limits = LedgerLimits(max_bytes=1 << 30, max_rows=100, max_cell=10)
    csv = tmp_path / "Compound.csv"
    csv.write_text("编码,名称\nK1," + "字" * 11 + "\n")
    assert refused(seeded, csv, limits) == [
        "Compound.csv Compound 表第 2 行，名称 列：单元格有 11 个字符，超过上限 10 个字符"
        "（JINLIN_LEDGER_MAX_CELL），已拒绝"]


def test_a_line_longer_than_any_row_could_be(seeded: BoltStore, tmp_path: Path) -> None:
    limits = LedgerLimits(max_bytes=1 << 30, max_rows=100, max_cell=100)
    csv = tmp_path / "Compound.csv"
    csv.write_text("编码,名称\nK1," + "x" * 50_000 + "\n")
    assert refused(seeded, csv, limits) == [
        "Compound.csv Compound 表第 2 行：这一行超过 6,400 个字符（每个单元格上限 100 个字符，"
        "JINLIN_LEDGER_MAX_CELL），已停止读取并拒绝整个文件"]


def test_sizes_are_checked_before_parsing(seeded: BoltStore, tmp_path: Path) -> None:
    limits = LedgerLimits(max_bytes=300 << 10, max_rows=100, max_cell=32_767)
    csv = tmp_path / "Compound.csv"
    csv.write_bytes(b"x" * (400 << 10))
    xlsx = workbook(tmp_path / "big.xlsx", [HEADER_ROW, "<!--", *_big_text(1), "-->"])
    assert xlsx.stat().st_size < 300 << 10
    assert refused(seeded, csv, limits) == [
        "Compound.csv：文件 400 KB，超过上限 300 KB（JINLIN_LEDGER_MAX_BYTES），已拒绝"]
    assert refused(seeded, xlsx, limits) == [
        "big.xlsx：工作簿解压后 1 MB，超过上限 300 KB（JINLIN_LEDGER_MAX_BYTES），已拒绝"]


LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
          + "]>")


def test_billion_laughs(seeded: BoltStore, tmp_path: Path) -> None:
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>K2</t></is></c>' \
          '<c r="B2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    path = workbook(tmp_path / "laughs.xlsx", [HEADER_ROW, row], prolog=LAUGHS)
    assert refused(seeded, path) == [f"laughs.xlsx：{UNSAFE}"]


def test_xxe_reading_a_local_file(seeded: BoltStore, tmp_path: Path, secret: Path) -> None:
    path = workbook(tmp_path / "xxe.xlsx", [HEADER_ROW, '<row r="2"><c r="A2" t="s"><v>0</v></c>'
                    '<c r="B2" t="s"><v>0</v></c></row>'], shared=["<si><t>&xxe;</t></si>"],
                    shared_prolog=f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file://{secret}">]>')
    assert refused(seeded, path) == [f"xxe.xlsx：{UNSAFE}"]


def test_a_corrupt_or_foreign_zip(seeded: BoltStore, tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", [HEADER_ROW, compound_row(2)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:-200])
    foreign = tmp_path / "foreign.xlsx"
    with zipfile.ZipFile(foreign, "w") as book:
        book.writestr("readme.txt", "not a workbook")
    damaged = workbook(tmp_path / "damaged.xlsx", [  # a shared string that is not there
        HEADER_ROW, compound_row(2), '<row r="3"><c r="A3" t="s"><v>99</v></c></row>'])
    problems = refused(seeded, cut) + refused(seeded, foreign) + refused(seeded, damaged)
    assert problems == [
        "cut.xlsx：无法作为 Excel 工作簿打开（File is not a zip file）",
        "foreign.xlsx：无法作为 Excel 工作簿打开"
        "（\"There is no item named '[Content_Types].xml' in the archive\"）",
        "damaged.xlsx 小区 表第 3 行：工作表在此行无法继续读取（IndexError），已拒绝整个文件"]


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Make the zip's central directory claim ``size`` bytes for ``member``."""
    data = bytearray(path.read_bytes())
    name = data.find(member.encode(), data.find(b"PK\x01\x02"))  # in the directory
    entry = data.rfind(b"PK\x01\x02", 0, name)
    struct.pack_into("<I", data, entry + 24, size)  # the uncompressed size field
    path.write_bytes(bytes(data))


def test_a_member_whose_declared_size_lies(seeded: BoltStore, tmp_path: Path) -> None:
    """The directory says 100 bytes; the member inflates to 2 MB.  zipfile stops at the
    claim and the CRC no longer matches: refused as damaged, never read past 100 bytes."""
    path = workbook(tmp_path / "liar.xlsx", [HEADER_ROW, compound_row(2)],
                    shared=["<si><t>", *_big_text(2), "</t></si>"])
    _patch_declared_size(path, "xl/sharedStrings.xml", 100)
    assert refused(seeded, path) == [
        "liar.xlsx：工作簿已损坏，无法作为 Excel 文件读取"
        "（Bad CRC-32 for file 'xl/sharedStrings.xml'），已拒绝"]


def test_too_many_members(seeded: BoltStore, tmp_path: Path) -> None:
    path = workbook(tmp_path / "many.xlsx", [HEADER_ROW])
    with zipfile.ZipFile(path, "a") as book:
        for n in range(10_001):
            book.writestr(f"x/{n}", b"")
    data = path.read_bytes()  # the directory's size, from the zip's end record
    directory = human_size(struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 12)[0])
    assert refused(seeded, path) == [
        f"many.xlsx：工作簿的压缩目录过大（{6 + 10_001:,} 个成员，{directory}），"
        "超过上限 10,000 个成员或 8 MB，不是正常的台账工作簿，已拒绝"]


def test_a_symlink_to_a_secret_is_not_opened(seeded: BoltStore, tmp_path: Path,
                                             secret: Path) -> None:
    direct = tmp_path / "Person.csv"
    direct.symlink_to(secret)
    folder = tmp_path / "ledgers"
    folder.mkdir()
    (folder / "Compound.xlsx").symlink_to(secret)
    assert refused(seeded, direct) == [f"Person.csv：{NOT_REGULAR}"]
    assert refused(seeded, folder) == [f"ledgers/Compound.xlsx：{NOT_REGULAR}"]


def test_a_plain_file_that_is_not_a_ledger_is_not_echoed(seeded: BoltStore, tmp_path: Path,
                                                         secret: Path) -> None:
    path = tmp_path / "Person.csv"
    path.write_bytes(secret.read_bytes() * 3)
    assert refused(seeded, path) == [
        "Person.csv Person 表第 1 行：表头中没有一个已知列名，不是 Person（人员）台账，已拒绝"
        "（不显示其内容）；表头应为：code (编码), name (姓名), gender (性别), phone (联系电话), "
        "id_number (身份证号), member_status (党员状态)"]


def _within(seconds: float, work: Callable[[], list[str]]) -> list[str]:
    """``work()``, failing (instead of hanging the suite) if it takes longer."""
    result: list[list[str]] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert result, f"still running after {time.monotonic() - started:.0f} s"
    return result[0]


def test_a_fifo_is_refused_without_blocking(seeded: BoltStore, tmp_path: Path) -> None:
    fifo = tmp_path / "Compound.csv"
    os.mkfifo(fifo)
    folder = tmp_path / "ledgers"
    folder.mkdir()
    os.mkfifo(folder / "Grid.csv")
    assert _within(10, lambda: refused(seeded, fifo)) == [f"Compound.csv：{NOT_REGULAR}"]
    assert _within(10, lambda: refused(seeded, folder)) == [f"ledgers/Grid.csv：{NOT_REGULAR}"]


LEADING = [" =1+1", "\t=2+2", "\u3000=1", "\r\n=HYPERLINK(\"http://x\")"]
FORMULA = "不接受公式，请粘贴为数值"


def test_formulas_behind_leading_whitespace_in_csv(seeded: BoltStore, tmp_path: Path) -> None:
    path = tmp_path / "Compound.csv"
    rows = ["编码,名称"] + [f'K{n},"{text}"' for n, text in enumerate(LEADING, start=2)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert refused(seeded, path) == [
        f"Compound.csv Compound 表第 {n} 行，名称 列：{FORMULA}" for n in range(2, 6)]


def test_formulas_behind_leading_whitespace_in_xlsx(seeded: BoltStore, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "小区"
    sheet.append(["编码", "名称"])
    for n, text in enumerate(LEADING, start=2):
        sheet.append([f"K{n}", text])
    path = tmp_path / "lead.xlsx"
    book.save(path)
    assert refused(seeded, path) == [
        f"lead.xlsx 小区 表第 {n} 行，名称 列：{FORMULA}" for n in range(2, 6)]


def test_the_writer_escapes_what_the_reader_refuses(seeded: BoltStore, tmp_path: Path) -> None:
    names = [*LEADING, "'=quoted", "-5", "+86 138"]
    for fmt in ("csv", "xlsx"):
        with LedgerWriter(tmp_path / fmt, fmt) as writer:
            for n, name in enumerate(names):
                writer.write("Compound", {"code": f"{fmt}{n}", "name": name})
    load_ledgers(seeded, [tmp_path / "csv", tmp_path / "xlsx"], limits=LIMITS)
    codes = [f"{fmt}{n}" for fmt in ("csv", "xlsx") for n in range(len(names))]
    stored = {r["code"]: r["props"]["name"]
              for r in seeded.read(queries.existing_nodes("Compound"), codes=codes)}
    assert [stored[c] for c in codes] == [n.strip() for n in names] * 2
