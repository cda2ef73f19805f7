"""The report as an Excel workbook a county office prints and forwards.

* 概览 (overview): title, then one row per indicator — Chinese name, 分子, 分母, 比率 (a
  percentage number format, so Excel can sort and chart it), one column per child scope
  headed by its name, and 备注 (why a ratio is missing).  Below the table, one native
  bar chart per indicator comparing the child scopes; its data is the indicator's row.
* one sheet per indicator: title with the figure, definition and secondary figures, then
  its drill-down — every item, gaps first in ranked order — with names, not codes, and
  details flattened into readable text (:mod:`analysis.report_text`).

Every sheet prints landscape, fit to one page wide, with its header row repeated.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from analysis.indicators import IndicatorReport
from analysis.report_text import (
    Names,
    detail_keys,
    extra_text,
    header,
    label_zh,
    name_of,
    readable,
    safe_cell,
)
from analysis.tally import Indicator

OVERVIEW = "概览"
PERCENT = "0.0%"
HEAD_ROW = 2  # overview: row 1 is the title
LIST_HEAD_ROW = 3  # indicator sheets: title, definition, header
CHART_ROWS = 16  # rows one chart takes (7.5 cm high)
BOLD = Font(bold=True)
_BAD_TAB = re.compile(r"[\[\]:*?/\\]")


def render_xlsx(report: IndicatorReport, names: Names) -> bytes:
    """The workbook as bytes; ``names`` from :func:`analysis.report_text.look_up_names`."""
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = OVERVIEW
    kids = _children(report)
    _overview(overview, report, kids)
    used = {OVERVIEW}
    for ind in report.indicators:
        tab = book.create_sheet(_tab_name(ind.zh, used))
        _indicator(tab, ind, names, kids)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _children(report: IndicatorReport) -> list[tuple[str, str]]:
    """(code, heading) of every child scope, in code order; a name shared by two
    children gets the code added so the columns stay distinguishable."""
    found = {c.code: c.name or c.code for ind in report.indicators for c in ind.children}
    seen: dict[str, int] = {}
    for name in found.values():
        seen[name] = seen.get(name, 0) + 1
    return [(code, name if seen[name] == 1 else f"{name}（{code}）")
            for code, name in sorted(found.items())]


def _overview(ws: Worksheet, report: IndicatorReport, kids: list[tuple[str, str]]) -> None:
    s = report.scope
    ws.append([safe_cell(f"{label_zh(s.label)} {s.name or s.code}（{s.code}）基层党建指标概览，"
                         f"截至 {s.as_of}")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["指标", "分子", "分母", "比率", *(safe_cell(h) for _, h in kids), "备注"])
    for ind in report.indicators:
        per = {c.code: c.ratio for c in ind.children}
        ws.append([ind.zh, _number(ind.numerator), _number(ind.denominator), ind.ratio,
                   *(per.get(code) for code, _ in kids), ind.reason])
        row = ws.max_row
        for column in range(4, 5 + len(kids)):
            ws.cell(row, column).number_format = PERCENT
        _count_format(ws, row, (2, 3))
    _head(ws, HEAD_ROW)
    _widths(ws, [24, 10, 10, 10, *(max(10, 2 * len(h) + 2) for _, h in kids), 24])
    ws.freeze_panes = ws.cell(HEAD_ROW + 1, 2)
    if kids:
        _charts(ws, report, len(kids))
    _print(ws, HEAD_ROW)


def _charts(ws: Worksheet, report: IndicatorReport, n_kids: int) -> None:
    """One bar chart per indicator below the table: its child ratios (row ``r``, columns
    E onwards) against the child names of the header row."""
    top = HEAD_ROW + len(report.indicators) + 2
    categories = Reference(ws, min_col=5, max_col=4 + n_kids, min_row=HEAD_ROW)
    for i, ind in enumerate(report.indicators):
        row = HEAD_ROW + 1 + i
        chart = BarChart()
        chart.type = "col"
        chart.title = f"{ind.zh}（各{label_zh(report.scope.child_label or '')}）"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=5, max_col=4 + n_kids, min_row=row),
                       from_rows=True, titles_from_data=False)
        chart.set_categories(categories)
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.y_axis.number_format = "0%"
        chart.y_axis.delete = chart.x_axis.delete = False
        chart.width, chart.height = 24, 7.5
        ws.add_chart(chart, f"A{top + i * CHART_ROWS}")


def _indicator(ws: Worksheet, ind: Indicator, names: Names, kids: list[tuple[str, str]]
               ) -> None:
    ratio = "—" if ind.ratio is None else f"{ind.ratio * 100:.1f}%"
    ws.append([safe_cell(f"{ind.zh}：{_text(ind.numerator)} / {_text(ind.denominator)} = "
                         f"{ratio}" + (f"（{ind.reason}）" if ind.reason else ""))])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([safe_cell("口径：" + ind.definition
                         + (f"；{extra}" if (extra := extra_text(ind, names)) else ""))])
    keys = detail_keys(ind.gaps + ind.hits)
    child_zh = {code: h for code, h in kids}
    ws.append(["序号", "名称", "类型", "编码", "所属", "状态", "分子", "分母", "影响户数",
               *(header(k) for k in keys)])
    for number, (item, gap) in enumerate(
            [(i, True) for i in ind.gaps] + [(i, False) for i in ind.hits], start=1):
        cells: list[Any] = [
            number, name_of(names, item.label, item.code), label_zh(item.label), item.code,
            "、".join(child_zh.get(c, c) for c in item.children),
            "需关注" if gap else "达标", _number(item.num), _number(item.den),
            item.households, *(readable(k, item.detail.get(k), names) for k in keys)]
        ws.append([safe_cell(c) for c in cells])
        _count_format(ws, ws.max_row, (7, 8, 9))
    _head(ws, LIST_HEAD_ROW)
    _widths(ws, [6, 24, 12, 22, 14, 8, 8, 8, 10, *(_width(ind, k) for k in keys)])
    for row in ws.iter_rows(min_row=LIST_HEAD_ROW + 1, min_col=10):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(LIST_HEAD_ROW + 1, 3)
    _print(ws, LIST_HEAD_ROW)


def _width(ind: Indicator, key: str) -> int:
    return 40 if key in ("posts", "branch_posts") else max(12, 2 * len(header(key)) + 2)


def _tab_name(title: str, used: set[str]) -> str:
    """A tab name Excel accepts (31 characters, none of []:*?/\\) and not yet used."""
    base = _BAD_TAB.sub("_", title)[:31]
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:28]}_{n}"
    used.add(name)
    return name


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _text(value: float) -> str:
    return f"{value:g}"


def _count_format(ws: Worksheet, row: int, columns: tuple[int, ...]) -> None:
    for column in columns:
        cell = ws.cell(row, column)
        cell.number_format = "#,##0" if isinstance(cell.value, int) else "#,##0.0"


def _head(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, column).column_letter].width = width


def _print(ws: Worksheet, head_row: int) -> None:
    """Landscape, one page wide (as many pages tall as it takes), header row repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{head_row}:{head_row}"
