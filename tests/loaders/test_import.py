"""Ledger import: real .xlsx and .csv files in, exact problems or exact writes out."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from graph import queries
from graph.i18n import language
from graph.store import BoltStore
from graph.writer import NodeRecord, counts, write_graph
from loaders.formats import SHEETS, sheet_for
from loaders.ledger import LedgerInvalid, load_ledgers, read_ledgers
from loaders.ledger_writer import LedgerWriter

Rows = list[list[Any]]

BASE: dict[str, Rows] = {
    "Community.csv": [["code", "name", "kind", "population"],
                      ["CM1", "幸福社区", "residential", 5000]],
    "Grid.csv": [["code", "name", "households"], ["G1", "一网格", 400]],
    "PART_OF.csv": [["from_kind", "from", "to_kind", "to"], ["Grid", "G1", "Community", "CM1"]],
    "Compound.csv": [
        ["code", "name", "households", "old"],
        ["C1", "幸福小区", 120, "是"],
        [],
        ["C2", "和谐小区", 80, "否"],
    ],
    "IN_GRID.csv": [["from", "to"], ["C1", "G1"], ["C2", "G1"]],
    "Person.csv": [["code", "name", "member_status"], ["P1", "张三", "在职"], ["P2", "李四", ""]],
    "PartyOrg.csv": [["code", "name", "kind"], ["PO1", "幸福小区党支部", "compound_branch"]],
    "OwnersCommittee.csv": [["code", "name"], ["OC1", "幸福小区业委会"]],
    "HOLDS_POST.csv": [
        ["from", "to_kind", "to", "role", "since"],
        ["P1", "OwnersCommittee", "OC1", "chair", "2021-03-01"],
        ["P1", "PartyOrg", "PO1", "书记", "2021/3/1"],
    ],
    "REPORTED_TO.csv": [["from_kind", "from", "to", "date"],
                        ["Member", "P1", "CM1", "2024年3月1日"]],
}
FIRST_LOAD = [
    ("Community", 1, 0, 0), ("Compound", 2, 0, 0), ("Grid", 1, 0, 0), ("HOLDS_POST", 2, 0, 0),
    ("IN_GRID", 2, 0, 0), ("OwnersCommittee", 1, 0, 0), ("PART_OF", 1, 0, 0),
    ("PartyOrg", 1, 0, 0), ("Person", 2, 0, 0), ("REPORTED_TO", 1, 0, 0),
]


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, tabs: dict[str, Rows]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    workbook.active.title = "Sheet"  # left empty unless a tab of that name is given
    for name, rows in tabs.items():
        tab = workbook["Sheet"] if name == "Sheet" else workbook.create_sheet(name)
        for row in rows:
            tab.append(row)
    workbook.save(path)
    return path


def write_dir(path: Path, files: dict[str, Any]) -> Path:
    """CSV files from row lists, workbooks from {tab: rows}."""
    for name, content in files.items():
        if name.endswith(".xlsx"):
            write_xlsx(path / name, content)
        else:
            write_csv(path / name, content)
    return path


def node_props(store: BoltStore, label: str, code: str) -> dict[str, Any]:
    rows = store.read(queries.existing_nodes(label), codes=[code])
    return dict(rows[0]["props"]) if rows else {}


def problems_of(store: BoltStore, paths: list[Path]) -> list[str]:
    before = counts(store)
    with pytest.raises(LedgerInvalid) as caught:
        load_ledgers(store, paths)
    assert counts(store) == before, "a rejected import must write nothing"
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


def test_load_then_reload_changes_nothing(store: BoltStore, tmp_path: Path) -> None:
    ledgers = write_dir(tmp_path / "base", BASE)
    assert load_ledgers(store, [ledgers]).rows() == FIRST_LOAD
    again = load_ledgers(store, [ledgers])
    assert again.changed == 0
    assert again.rows() == [(kind, 0, 0, created) for kind, created, _, _ in FIRST_LOAD]
    labels, types = counts(store)
    assert (labels["Person"], labels["Member"], labels["Compound"], types["HOLDS_POST"]) == (
        2, 1, 2, 2)
    assert node_props(store, "Community", "CM1") == {
        "code": "CM1", "name": "幸福社区", "kind": "residential", "population": 5000}


def test_edited_ledger_updates_nodes_in_place(store: BoltStore, tmp_path: Path) -> None:
    ledgers = write_dir(tmp_path / "base", BASE)
    load_ledgers(store, [ledgers])
    write_csv(ledgers / "Compound.csv",
              [["code", "name", "households", "old"], ["C1", "幸福小区", 130, ""],
               ["C2", "和谐小区", 80, "否"]])
    write_csv(ledgers / "Person.csv",
              [["code", "name", "member_status"], ["P1", "张三", "在职"], ["P2", "李四", "离退休"]])
    summary = load_ledgers(store, [ledgers])
    assert [row for row in summary.rows() if row[1] or row[2]] == [
        ("Compound", 0, 1, 1), ("Person", 0, 1, 1)]
    assert node_props(store, "Compound", "C1") == {
        "code": "C1", "name": "幸福小区", "households": 130}
    assert counts(store)[0]["Compound"] == 2
    assert counts(store)[0]["Member"] == 2


def test_workbook_with_chinese_sheet_names_and_headers(store: BoltStore, tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "台账.xlsx", {
        "社区": [["编码", "名称", "社区类型"], ["CM1", "幸福社区", "居住型社区"]],
        "小区": [["编码", "名称", "户数", "老旧小区", "物业管理模式"],
                 [1001, "'=幸福小区", 120.0, True, "无物业"], [None, None], [1002.0, "和谐小区"]],
        "人员": [["编码", "姓名", "党员状态"], ["P1", "'-张三", "离退休"]],
        "业主委员会": [["编码", "名称", "任期开始"], ["OC1", "业委会", dt.datetime(2022, 5, 1)]],
        "任职": [["起点编码", "终点类型", "终点编码", "职务", "开始日期", "专职"],
                 ["P1", "业主委员会", "OC1", "主任", dt.date(2022, 5, 1), "否"]],
        "代表小区": [["起点编码", "终点编码"], ["OC1", 1001]],
        "双报到": [["起点类型", "起点编码", "终点编码"], ["党员", "P1", "CM1"]],
    })
    summary = load_ledgers(store, [book])
    assert summary.rows() == [
        ("Community", 1, 0, 0), ("Compound", 2, 0, 0), ("HOLDS_POST", 1, 0, 0),
        ("OwnersCommittee", 1, 0, 0), ("Person", 1, 0, 0), ("REPORTED_TO", 1, 0, 0),
        ("REPRESENTS", 1, 0, 0),
    ]
    assert node_props(store, "Compound", "1001") == {
        "code": "1001", "name": "=幸福小区", "households": 120, "old": True,
        "property_mode": "none"}
    assert node_props(store, "Person", "P1")["name"] == "-张三"
    assert node_props(store, "OwnersCommittee", "OC1")["term_start"] == "2022-05-01"
    assert read_ledgers([book], store).rows == {
        "Community": 1, "Compound": 2, "Person": 1, "OwnersCommittee": 1, "HOLDS_POST": 1,
        "REPRESENTS": 1, "REPORTED_TO": 1}


def test_gb18030_csv_with_chinese_headers(store: BoltStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "小区.csv",
                     [["编码", "名称", "户数", "建成年份"], ["C1", "锦绣花园", "1,200", "1998"]],
                     encoding="gb18030")
    assert load_ledgers(store, [path]).rows() == [("Compound", 1, 0, 0)]
    assert node_props(store, "Compound", "C1") == {
        "code": "C1", "name": "锦绣花园", "households": 1200, "built_year": 1998}


def test_our_own_escaped_ledgers_round_trip(store: BoltStore, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx"):
        with LedgerWriter(tmp_path / fmt, fmt, chinese=fmt == "xlsx") as writer:
            writer.write("Compound", {"code": f"C-{fmt}", "name": "=SUM(A1)", "households": 3})
            writer.write("Unit", {"code": f"U-{fmt}", "name": "@单位", "kind": "school"})
    summary = load_ledgers(store, [tmp_path / "csv", tmp_path / "xlsx"])
    assert summary.rows() == [("Compound", 2, 0, 0), ("Unit", 2, 0, 0)]
    assert node_props(store, "Compound", "C-xlsx")["name"] == "=SUM(A1)"
    assert node_props(store, "Unit", "U-csv")["name"] == "@单位"


def test_references_resolve_against_the_store(store: BoltStore, tmp_path: Path) -> None:
    member = NodeRecord("Person", "P1", {"name": "张三", "member_status": "in_service"})
    write_graph(store, [NodeRecord("Community", "CM1", {"name": "幸福社区"}), member], [])
    ledgers = write_dir(tmp_path / "more", {
        "Grid.csv": [["code", "name"], ["G1", "一网格"]],
        "PART_OF.csv": [["from_kind", "from", "to_kind", "to"], ["Grid", "G1", "Community", "CM1"]],
        "REPORTED_TO.csv": [["from_kind", "from", "to"], ["Member", "P1", "CM1"]],
    })
    summary = load_ledgers(store, [ledgers])
    assert summary.rows() == [("Grid", 1, 0, 0), ("PART_OF", 1, 0, 0), ("REPORTED_TO", 1, 0, 0)]


def test_without_a_store_references_must_be_in_the_import(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "IN_GRID.csv", [["from", "to"], ["C1", "G1"]])
    with pytest.raises(LedgerInvalid) as caught:
        read_ledgers([path])
    assert [str(p) for p in caught.value.problems] == [
        "IN_GRID.csv IN_GRID 表第 2 行，from 列：Compound 'C1' 不存在（本次导入中没有）",
        "IN_GRID.csv IN_GRID 表第 2 行，to 列：Grid 'G1' 不存在（本次导入中没有）",
    ]


def test_the_message_lists_at_most_200_problems(store: BoltStore, tmp_path: Path) -> None:
    rows: Rows = [["code", "name", "households"]] + [[f"C{i}", "x", -1] for i in range(250)]
    path = write_csv(tmp_path / "Compound.csv", rows)
    before = counts(store)
    with pytest.raises(LedgerInvalid) as caught:
        load_ledgers(store, [path])
    assert counts(store) == before
    assert len(caught.value.problems) == 250
    lines = str(caught.value).splitlines()
    assert (len(lines), lines[0], lines[-1]) == (
        201, "Compound.csv Compound 表第 2 行，households 列：不能小于 0，填的是 -1",
        "… 另有 50 个问题")


def _columns(sheet: str) -> str:
    found = sheet_for(sheet)
    assert found is not None
    return ", ".join(f"{c.name} ({c.zh})" for c in found.columns)


BAD: dict[str, tuple[dict[str, Any], list[str]]] = {
    "unknown sheet": (
        {"Compounds.csv": [["code", "name"], ["C9", "x"]]},
        ["bad/Compounds.csv Compounds 表：未知的工作表名；应为以下之一："
         + "、".join(s.zh for s in SHEETS) + "（也可用英文名）"],
    ),
    "headers": (
        {"Compound.csv": [["code", "名称", "name", "floors"], ["C9", "甲", "乙", 3, "extra"]],
         "Street.csv": [["code"], ["S1"]]},
        ["bad/Compound.csv Compound 表第 1 行，name 列：重复的列：name 已由表头 '名称' 给出",
         "bad/Compound.csv Compound 表第 1 行，floors 列："
         f"未知的列名；应为：{_columns('Compound')}",
         "bad/Compound.csv Compound 表第 2 行：第 5 列没有表头，却填了值",
         "bad/Street.csv Street 表第 1 行：缺少必填列 名称（name）"],
    ),
    "cells": (
        {"Compound.csv": [["code", "name", "households", "old"], ["C9", "", "-3", "maybe"]],
         "Person.csv": [["编码", "姓名", "性别"], ["P9", "王五", "x"]],
         "MANAGES.csv": [["from", "to", "since"], ["F1", "C1", "2024-13-01"]],
         "PropertyFirm.csv": [["code", "name", "stars"], ["F1", "物业", "6"]]},
        ["bad/Compound.csv Compound 表第 2 行，name 列：必须填写",
         "bad/Compound.csv Compound 表第 2 行，households 列：不能小于 0，填的是 -3",
         "bad/Compound.csv Compound 表第 2 行，old 列：应填 是/否（yes/no），填的是 'maybe'",
         "bad/MANAGES.csv MANAGES 表第 2 行，since 列："
         "应填日期，如 2024-03-01，填的是 '2024-13-01'",
         "bad/Person.csv Person 表第 2 行，性别 列：'x' 不是可选值之一：男、女",
         "bad/PropertyFirm.csv PropertyFirm 表第 2 行，stars 列：不能大于 5，填的是 6"],
    ),
    "duplicate nodes": (
        {"Compound.csv": [["code", "name"], ["C9", "甲"], ["C9", "乙"]],
         "b.xlsx": {"小区": [["编码", "名称"], ["C9", "丙"]]}},
        ["bad/Compound.csv Compound 表第 3 行，code 列："
         "重复的 Compound 编码 'C9'：bad/Compound.csv Compound 表第 2 行 已有",
         "bad/b.xlsx 小区 表第 2 行，编码 列："
         "重复的 Compound 编码 'C9'：bad/Compound.csv Compound 表第 2 行 已有"],
    ),
    "duplicate relationships": (
        {"HOLDS_POST.csv": [["from", "to_kind", "to", "role", "since"],
                            ["P1", "OwnersCommittee", "OC1", "chair", "2021-03-01"],
                            ["P1", "OwnersCommittee", "OC1", "chair", "2021-03-01"],
                            ["P1", "OwnersCommittee", "OC1", "chair", "2024-03-01"]],
         "IN_GRID.csv": [["from", "to"], ["C1", "G1"], ["C1", "G1"]]},
        ["bad/HOLDS_POST.csv HOLDS_POST 表第 3 行：重复的 HOLDS_POST 关系 P1 → OC1"
         "（role chair, since 2021-03-01）：bad/HOLDS_POST.csv HOLDS_POST 表第 2 行 已有",
         "bad/IN_GRID.csv IN_GRID 表第 3 行：重复的 IN_GRID 关系 C1 → G1："
         "bad/IN_GRID.csv IN_GRID 表第 2 行 已有"],
    ),
    "a demand in two places": (
        {"Demand.csv": [["code", "title", "category"], ["D9", "路灯坏了", "repair"]],
         "RAISED_IN.csv": [["from", "to_kind", "to"], ["D9", "Compound", "C1"],
                           ["D9", "Community", "CM1"]]},
        ["bad/RAISED_IN.csv RAISED_IN 表第 3 行，to 列：D9 只能有一条 RAISED_IN（需求所在）："
         "bad/RAISED_IN.csv RAISED_IN 表第 2 行 已给出 Compound:C1"],
    ),
    "dangling references": (
        {"PART_OF.csv": [["from_kind", "from", "to_kind", "to"],
                         ["Grid", "G1", "Community", "CM-999"], ["Grid", "G2", "Community", "CM1"]],
         "COVERS.csv": [["from", "to_kind", "to"], ["PO1", "Unit", "U1"]]},
        ["bad/COVERS.csv COVERS 表第 2 行，to_kind 列："
         "'Unit' 不是可选值之一：社区、网格、小区、楼栋",
         "bad/PART_OF.csv PART_OF 表第 2 行，to 列："
         "Community 'CM-999' 不存在（本次导入和库中都没有）",
         "bad/PART_OF.csv PART_OF 表第 3 行，from 列：Grid 'G2' 不存在（本次导入和库中都没有）"],
    ),
    "members": (
        {"Person.csv": [["code", "name", "member_status"], ["P3", "赵六", ""]],
         "REPORTED_TO.csv": [["from_kind", "from", "to"], ["Member", "P2", "CM1"],
                             ["Member", "P3", "CM1"], ["Member", "P404", "CM1"],
                             ["Unit", "P1", "CM1"]]},
        ["bad/REPORTED_TO.csv REPORTED_TO 表第 2 行，from 列：Person 'P2' 在库中不是党员",
         "bad/REPORTED_TO.csv REPORTED_TO 表第 3 行，from 列："
         "Person 'P3' 不是党员（本次导入中其 member_status 为空）",
         "bad/REPORTED_TO.csv REPORTED_TO 表第 4 行，from 列："
         "Member 'P404' 不存在（本次导入和库中都没有）",
         "bad/REPORTED_TO.csv REPORTED_TO 表第 5 行，from 列："
         "Unit 'P1' 不存在（本次导入和库中都没有）"],
    ),
    "formula": (
        {"f.xlsx": {"Compound": [["code", "name", "households"], ["C9", "甲", "=10*12"]],
                    "Unit": [["code", "name", "=A1"], ["U9", "单位", "x"]]},
         "Grid.csv": [["code", "name"], ["G9", "=HYPERLINK(\"http://x\")"]]},
        ["bad/Grid.csv Grid 表第 2 行，name 列：不接受公式，请粘贴为数值",
         "bad/f.xlsx Compound 表第 2 行，households 列：不接受公式，请粘贴为数值",
         "bad/f.xlsx Unit 表第 1 行：第 3 列的表头：不接受公式，请粘贴为数值"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_ledgers_are_rejected_whole(store: BoltStore, tmp_path: Path, case: str) -> None:
    load_ledgers(store, [write_dir(tmp_path / "base", BASE)])
    files, expected = BAD[case]
    assert problems_of(store, [write_dir(tmp_path / "bad", files)]) == expected


def test_problems_read_in_english_on_request(store: BoltStore, tmp_path: Path) -> None:
    """``--lang en`` gives the English texts of before (a golden check of the catalogue)."""
    load_ledgers(store, [write_dir(tmp_path / "base", BASE)])
    with language("en"):
        assert problems_of(store, [write_dir(tmp_path / "bad", BAD["cells"][0])]) == [
            "bad/Compound.csv [Compound] row 2, column name: a value is required",
            "bad/Compound.csv [Compound] row 2, column households: must be at least 0, got -3",
            "bad/Compound.csv [Compound] row 2, column old: expected yes/no (是/否), got 'maybe'",
            "bad/MANAGES.csv [MANAGES] row 2, column since: "
            "expected a date like 2024-03-01, got '2024-13-01'",
            "bad/Person.csv [Person] row 2, column 性别: 'x' is not one of: male (男), female (女)",
            "bad/PropertyFirm.csv [PropertyFirm] row 2, column stars: must be at most 5, got 6"]


def test_unreadable_paths_are_problems_too(store: BoltStore, tmp_path: Path) -> None:
    garbled = tmp_path / "Grid.csv"
    garbled.write_bytes(b"code,name\nG1,\xff\xfe\x80\n")
    (tmp_path / "ledgers.xls").write_bytes(b"old excel")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (tmp_path / "empty").mkdir()
    paths = [garbled, tmp_path / "ledgers.xls", tmp_path / "empty", tmp_path / "missing.csv",
             tmp_path / "broken.xlsx"]
    assert problems_of(store, paths) == [
        "ledgers.xls：不是台账文件：请使用 .xlsx 或 .csv（.xls 文件请另存为 .xlsx）",
        "empty：这个目录中没有 .xlsx 或 .csv 文件",
        f"{tmp_path / 'missing.csv'}：没有这个文件或目录",
        "Grid.csv Grid 表：无法按 UTF-8 或 GB18030 编码读取",
        "broken.xlsx：无法作为 Excel 工作簿打开（File is not a zip file）",
    ]


def test_progress_reports_reading_and_writing(store: BoltStore, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    load_ledgers(store, [write_dir(tmp_path / "base", BASE)], batch_size=1,
                 progress=lambda what, done, total: seen.append((what, done, total)))
    assert seen[0] == ("读取 base/Community.csv", 1, len(BASE))
    assert seen[-1][1:] == (14, 14)



def test_a_cell_beyond_the_csv_limit_is_a_problem(store: BoltStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "Compound.csv",
                     [["code", "name"], ["C1", "甲"], ["C2", "长" * 131_073]])
    assert problems_of(store, [path]) == [
        "Compound.csv Compound 表第 3 行：无法作为 CSV 读取"
        "（field larger than field limit (131072)）"]
