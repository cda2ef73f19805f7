"""The template workbook: what a clerk sees, and that filling it in loads exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from graph import queries
from graph.model import PropType
from graph.store import BoltStore
from graph.writer import counts
from loaders.formats import SHEETS, sheet_for
from loaders.ledger import load_ledgers, read_ledgers
from loaders.ledger_writer import write_templates
from loaders.template import INLINE_LIMIT, _Lists, choices_of
from loaders.template_examples import example_row


@pytest.fixture
def template(tmp_path: Path) -> Path:
    write_templates(tmp_path)
    return tmp_path / "templates.xlsx"


def _headers(tab: Worksheet) -> list[str]:
    return [str(c.value) for c in tab[1]]


def _fill(tab: Worksheet, rows: list[dict[str, Any]]) -> None:
    """Type rows under the template's headers, by header text without the * mark."""
    where = {h.rstrip("*"): i for i, h in enumerate(_headers(tab), start=1)}
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            tab.cell(r, where[header], value)


def _props(store: BoltStore, label: str, code: str) -> dict[str, Any]:
    rows = store.read(queries.existing_nodes(label), codes=[code])
    return dict(rows[0]["props"])


def test_layout_of_the_template(template: Path) -> None:
    book = load_workbook(template)
    assert book.sheetnames[0] == "填写说明"
    assert book.sheetnames[1:] == [s.zh for s in SHEETS]  # no 选项: every list fits inline
    guide = book["填写说明"]
    head = [c.value for c in guide[4]]
    assert head == ["工作表", "英文名", "用途", "必填列", "示例行（表头: 值）"]
    rows = {r[0]: r for r in guide.iter_rows(min_row=5, values_only=True)}
    assert len(rows) == len(SHEETS)
    assert rows["小区"][1:4] == ("Compound", "登记小区：每行一个，以编码为准（再次导入按编码更新）",
                                "编码、名称")
    assert rows["小区"][4] == ("编码: C01-S01-M01-K01；名称: 阳光花园；户数: 320；楼栋数: 12；"
                              "建成年份: 2005；老旧小区: 是；纬度: 30.2741；经度: 120.1551；"
                              "物业管理模式: 市场化物业")
    assert rows["任职"][2] == ("登记“任职”关系：人员 → 党组织/业主委员会/物业服务企业/社区/"
                              "网格/楼栋，每行一条；有开始/结束日期，按日期判断是否现任")
    assert rows["任职"][3] == "起点编码、终点类型、终点编码、职务"

    posts = book["任职"]
    assert _headers(posts) == ["起点编码*", "终点类型*", "终点编码*", "职务*", "开始日期",
                               "结束日期", "专职"]
    assert posts.freeze_panes == "A2"
    assert all(c.font.bold for c in posts[1])
    assert [c.fill.fgColor.rgb for c in posts[1]] == ["00FFF2CC"] * 4 + ["00000000"] * 3
    assert [posts.column_dimensions[x].number_format for x in "EF"] == ["yyyy-mm-dd"] * 2
    assert posts.column_dimensions["D"].width == 12  # 兼职委员 / 业委会委员: 5 CJK + 2
    demand = book["需求"]
    assert demand.column_dimensions["F"].number_format == "yyyy-mm-dd hh:mm"  # 提出时间


def test_every_choice_column_has_its_dropdown(template: Path) -> None:
    book = load_workbook(template)
    for sheet in SHEETS:
        tab = book[sheet.zh]
        lists = {str(v.sqref): v.formula1 for v in tab.data_validations.dataValidation}
        expected = {}
        for index, col in enumerate(sheet.columns, start=1):
            entries = choices_of(col.prop, chinese=True)
            if entries:
                letter = tab.cell(1, index).column_letter
                expected[f"{letter}2:{letter}1048576"] = '"' + ",".join(entries) + '"'
            if col.prop.type is PropType.ENUM:
                assert entries == [c.zh for c in col.prop.choices]
        assert lists == expected, sheet.name
    posts = {str(v.sqref): v.formula1 for v in book["任职"].data_validations.dataValidation}
    assert posts["B2:B1048576"] == '"党组织,业主委员会,物业服务企业,社区,网格,楼栋"'
    assert posts["G2:G1048576"] == '"是,否"'


def test_a_long_list_goes_to_the_hidden_choices_sheet() -> None:
    book = Workbook()
    lists = _Lists(book, chinese=True)
    long = [f"第{i}个很长的选项名称" for i in range(30)]
    assert len(",".join(long)) > INLINE_LIMIT
    first = lists.validation("长列表", long)
    again = lists.validation("同一列表", long)
    comma = lists.validation("带逗号", ["甲,乙", "丙"])
    assert (first.formula1, again.formula1, comma.formula1) == (
        "'选项'!$A$2:$A$31", "'选项'!$A$2:$A$31", "'选项'!$B$2:$B$3")
    tab = book["选项"]
    assert tab.sheet_state == "hidden"
    assert [tab.cell(r, 1).value for r in range(1, 32)] == ["长列表", *long]
    assert [tab.cell(r, 2).value for r in range(1, 4)] == ["带逗号", "甲,乙", "丙"]


def test_every_example_row_is_valid(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        tab = book.create_sheet(sheet.zh)
        tab.append(sheet.headers(chinese=True))
        row = example_row(sheet)
        tab.append([row[c.name] for c in sheet.columns])
    book.save(tmp_path / "examples.xlsx")
    ledger = read_ledgers([tmp_path / "examples.xlsx"])
    assert sum(ledger.rows.values()) == len(SHEETS)
    assert len(ledger.nodes) + len(ledger.rels) == len(SHEETS)


def test_a_clerk_fills_in_the_template_and_it_loads(template: Path, store: BoltStore) -> None:
    book = load_workbook(template)
    _fill(book["县(区)"], [{"编码": "C01", "名称": "示例县"}])
    _fill(book["街道(乡镇)"], [{"编码": "C01-S01", "名称": "城关街道"}])
    _fill(book["社区"], [{"编码": "C01-S01-M01", "名称": "幸福社区", "社区类型": "城中村/村改社区",
                          "常住人口": 8500}])
    _fill(book["网格"], [{"编码": "C01-S01-M01-G01", "名称": "第一网格", "户数": 300}])
    _fill(book["小区"], [{"编码": "K1", "名称": "阳光花园", "户数": 320, "老旧小区": "是",
                          "物业管理模式": "市场化物业"}])
    _fill(book["物业服务企业"], [{"编码": "F1", "名称": "安居物业", "企业类型": "市场化物业企业",
                                "红黑榜": "红榜"}])
    _fill(book["党组织"], [{"编码": "PC1", "名称": "中共幸福社区委员会",
                            "党组织类型": "社区(大)党委", "功能型": "否",
                            "成立日期": dt.datetime(2019, 7, 1)}])
    _fill(book["人员"], [{"编码": "P1", "姓名": "张三", "性别": "女", "党员状态": "在职"}])
    _fill(book["隶属"], [
        {"起点类型": "街道(乡镇)", "起点编码": "C01-S01", "终点类型": "县(区)", "终点编码": "C01"},
        {"起点类型": "社区", "起点编码": "C01-S01-M01", "终点类型": "街道(乡镇)",
         "终点编码": "C01-S01"},
        {"起点类型": "网格", "起点编码": "C01-S01-M01-G01", "终点类型": "社区",
         "终点编码": "C01-S01-M01"},
    ])
    _fill(book["所属网格"], [{"起点编码": "K1", "终点编码": "C01-S01-M01-G01"}])
    _fill(book["物业服务"], [{"起点编码": "F1", "终点编码": "K1",
                              "开始日期": dt.date(2021, 3, 1)}])
    _fill(book["任职"], [{"起点编码": "P1", "终点类型": "党组织", "终点编码": "PC1", "职务": "书记",
                          "开始日期": dt.datetime(2021, 5, 1), "专职": "是"}])
    book.save(template)

    summary = load_ledgers(store, [template])
    labels, types = counts(store)
    assert {k: v for k, v in labels.items() if v} == {
        "County": 1, "Street": 1, "Community": 1, "Grid": 1, "Compound": 1, "PropertyFirm": 1,
        "PartyOrg": 1, "Person": 1, "Member": 1}
    assert {k: v for k, v in types.items() if v} == {
        "PART_OF": 3, "IN_GRID": 1, "MANAGES": 1, "HOLDS_POST": 1}
    assert sum(n for _, n, _, _ in summary.rows()) == 14  # 8 nodes and 6 relationships, all created
    assert _props(store, "Community", "C01-S01-M01") == {
        "code": "C01-S01-M01", "name": "幸福社区", "kind": "urban_village", "population": 8500}
    assert _props(store, "Compound", "K1") == {
        "code": "K1", "name": "阳光花园", "households": 320, "old": True,
        "property_mode": "market"}
    assert _props(store, "PartyOrg", "PC1")["founded"] == "2019-07-01"
    assert _props(store, "PropertyFirm", "F1")["list_status"] == "red"
    post = store.read(queries.existing_rels("HOLDS_POST", "Person", "PartyOrg"),
                      rows=[{"src": "P1", "tgt": "PC1", "rkey": "secretary|2021-05-01"}])
    assert [(r["props"]["role"], r["props"]["since"], r["props"]["full_time"]) for r in post] == [
        ("secretary", "2021-05-01", True)]
    manages = store.read(queries.existing_rels("MANAGES", "PropertyFirm", "Compound"),
                         rows=[{"src": "F1", "tgt": "K1", "rkey": "2021-03-01"}])
    assert [r["props"]["since"] for r in manages] == ["2021-03-01"]


def test_the_english_template_loads_too(tmp_path: Path) -> None:
    write_templates(tmp_path, chinese=False)
    book = load_workbook(tmp_path / "templates.xlsx")
    assert book.sheetnames[:2] == ["Instructions", "County"]
    guide = [[c.value for c in row] for row in book["Instructions"].iter_rows()]
    assert guide[0][0].startswith("Instructions: one sheet per kind of ledger")
    assert guide[3] == ["sheet", "Chinese name", "purpose", "required columns",
                        "example row (header: value)"]
    assert guide[4][:4] == ["County", "县(区)", "one County per row, keyed by its code "
                            "(re-imports update it)", "code、name"]
    _fill(book["Compound"], [{"code": "K1", "name": "Sunny", "old": "yes",
                              "property_mode": "none"}])
    book.save(tmp_path / "templates.xlsx")
    ledger = read_ledgers([tmp_path / "templates.xlsx"])
    assert [(n.label, n.code, n.props) for n in ledger.nodes] == [
        ("Compound", "K1", {"name": "Sunny", "households": None, "buildings": None,
                            "built_year": None, "old": True, "lat": None, "lon": None,
                            "property_mode": "none"})]
    assert sheet_for("Compound") is not None
