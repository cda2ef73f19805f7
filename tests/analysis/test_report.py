"""The report in every format, from the town graph."""

from __future__ import annotations

import io
import json
from dataclasses import asdict

import pytest
from analysis_town import town
from openpyxl import load_workbook

from analysis.indicators import compute_indicators
from analysis.report import render_report, safe_cell, to_dict
from graph.i18n import language
from graph.store import BoltStore


@pytest.fixture
def county(store: BoltStore) -> BoltStore:
    g = town()
    g.node("Compound", "C2", name="=HYPERLINK(\"x\")<script>", households=60, lat=30.02,
           lon=120.0)
    g.node("Street", "S1", name="城关街道").node("Street", "S2", name="城西街道")
    g.node("Person", "P1", name="张三")
    g.node("PartyOrg", "B1", name="阳光支部", kind="compound_branch")
    g.write(store)
    return store


def test_every_format(county: BoltStore) -> None:
    text = render_report(county, "County", "K", "table", as_of="2025-01-01")
    assert isinstance(text, str)
    assert "小区党组织覆盖率" in text and "50.0%" in text and "S1" in text
    assert "需关注：三无小区（1 个）" in text
    with language("en"):  # today's English, kept exactly
        english = str(render_report(county, "County", "K", "table", as_of="2025-01-01"))
    assert "Compound branch coverage" in english and "Gaps: Three-no compounds (1)" in english

    data = json.loads(str(render_report(county, "County", "K", "json", as_of="2025-01-01")))
    assert len(data["indicators"]) == 22
    first = data["indicators"][0]
    assert (first["key"], first["numerator"], first["denominator"]) == (
        "compound_branch_coverage", 2, 4)
    assert [c["code"] for c in first["children"]] == ["S1", "S2"]

    html = str(render_report(county, "County", "K", "html", as_of="2025-01-01"))
    assert html.count("<svg") == 19  # a bar chart per indicator with figures (no whistles here)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_json_holds_what_asdict_gives(county: BoltStore) -> None:
    # to_dict skips asdict's copies of the leaves; the data must be the same, items,
    # children, details and extras included
    report = compute_indicators(county, "County", "K", "2025-01-01")
    assert sum(len(i.hits) + len(i.gaps) for i in report.indicators) > 10
    assert to_dict(report) == {"scope": asdict(report.scope),
                               "indicators": [asdict(i) for i in report.indicators]}


def test_workbook(county: BoltStore) -> None:
    raw = render_report(county, "County", "K", "xlsx", as_of="2025-01-01")
    assert isinstance(raw, bytes)
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames[:3] == ["概览", "小区党组织覆盖率", "楼栋党小组覆盖率"]
    assert len(wb.sheetnames) == 23
    ov = wb["概览"]
    assert ov["A1"].value == "县(区) K（K）基层党建指标概览，截至 2025-01-01"
    assert [c.value for c in ov[2]] == [
        "指标", "分子", "分母", "比率", "城关街道", "城西街道", "备注"]
    assert [c.value for c in ov[3]] == ["小区党组织覆盖率", 2, 4, 0.5, 1 / 3, 1.0, None]
    assert [c.number_format for c in ov[3]][1:6] == ["#,##0", "#,##0", "0.0%", "0.0%", "0.0%"]
    assert ov.freeze_panes == "B3"
    assert ov.page_setup.orientation == "landscape"
    assert (ov.page_setup.fitToWidth, ov.page_setup.fitToHeight) == (1, 0)
    assert ov.sheet_properties.pageSetUpPr.fitToPage is True
    assert ov.print_title_rows == "$2:$2"
    charts = ov._charts
    assert len(charts) == 22
    first = charts[0]
    assert first.series[0].val.numRef.f == "'概览'!$E$3:$F$3"
    assert first.series[0].cat.numRef.f == "'概览'!$E$2:$F$2"

    three_no = wb["三无小区"]
    assert three_no["A1"].value == "三无小区：1 / 4 = 25.0%"
    assert [c.value for c in three_no[3]][:9] == [
        "序号", "名称", "类型", "编码", "所属", "达标情况", "分子", "分母", "影响户数"]
    rows = list(three_no.iter_rows(min_row=4, values_only=True))
    assert rows[0][:9] == (1, "'=HYPERLINK(\"x\")<script>", "小区", "C2", "城关街道", "需关注",
                           1, 1, 60)  # the name neutralised, never a formula
    assert three_no.print_title_rows == "$3:$3"

    cover = wb["小区党组织覆盖率"]
    rows = list(cover.iter_rows(min_row=4, values_only=True))
    by_code = {r[3]: r for r in rows}
    assert by_code["C1"][4:] == ("城关街道", "达标", 1, 1, 100, "阳光支部")
    cells = [c for r in wb.worksheets for row in r.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, str) and (c.startswith("=") or c.startswith("{"))
                   for c in cells)


def test_unknown_format(county: BoltStore) -> None:
    with pytest.raises(ValueError):
        render_report(county, "County", "K", "pdf")


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@x", "ok", 3)] == [
        "'=1+1", "'+1", "'-1", "'@x", "ok", 3]


def test_html_is_chinese_and_lists_weak_points(county: BoltStore) -> None:
    html = str(render_report(county, "County", "K", "html", as_of="2025-01-01"))
    assert '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei"' in html
    assert "<h2>三无小区：25.0%</h2>" in html and "<th>指标</th>" in html
    assert 'font-size="11"' not in html and 'font-size="12"' in html
    assert "<h3>单点依赖人员</h3>" in html and "<td>张三</td>" in html
    assert "<h3>孤立组织</h3>" in html
    assert "<td>F3</td><td>物业服务企业</td><td>C4</td>" in html  # isolated: only its compound


def test_english_on_request(county: BoltStore) -> None:
    with language("en"):
        raw = render_report(county, "County", "K", "xlsx", as_of="2025-01-01")
        html = str(render_report(county, "County", "K", "html", as_of="2025-01-01"))
    assert isinstance(raw, bytes)
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames[:3] == ["Overview", "Compound branch coverage", "Building group coverage"]
    assert "Owners' committee formation rat" in wb.sheetnames  # cut to Excel's 31 characters
    assert [c.value for c in wb["Overview"][2]] == [
        "indicator", "numerator", "denominator", "ratio", "城关街道", "城西街道", "Note"]
    three_no = wb["Three-no compounds"]
    assert three_no["A1"].value == "Three-no compounds: 1 / 4 = 25.0%"
    assert three_no["A2"].value == ("Definition: compounds with no current firm, owners' "
                                    "committee or responsible unit ÷ compounds")
    assert [c.value for c in three_no[3]][5:9] == [
        "Result", "numerator", "denominator", "Households affected"]
    assert three_no["F4"].value == "gap"
    assert "<html lang='en'>" in html and "<h2>Three-no compounds: 25.0%</h2>" in html
    assert "<h3>Single points of failure</h3>" in html and "口径" not in html
