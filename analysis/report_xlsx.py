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
from analysis.report_html import indicator_head
from analysis.report_text import (
    Names,
    detail_keys,
    extra_text,
    header,
    name_of,
    readable,
    safe_cell,
)
from analysis.tally import Indicator
from analysis.texts import label_name, listed
from graph.i18n import N_, _, translate
from graph.model import CODE, NAME

OVERVIEW = N_("概览")  # the first tab, translated when the workbook is written
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
    overview.title = translate(OVERVIEW)
    kids = _children(report)
    _overview(overview, report, kids)
    used = {overview.title}
    for ind in report.indicators:
        tab = book.create_sheet(_tab_name(ind.title, used))
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
    return [(code, name if seen[name] == 1 else _("{name}（{code}）", name=name, code=code))
            for code, name in sorted(found.items())]


def _overview(ws: Worksheet, report: IndicatorReport, kids: list[tuple[str, str]]) -> None:
    s = report.scope
    ws.append([safe_cell(_("{level} {name}（{code}）基层党建指标概览，截至 {as_of}",
                           level=label_name(s.label), name=s.name or s.code, code=s.code,
                           as_of=s.as_of))])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([*indicator_head(), *(safe_cell(h) for _code, h in kids), _("备注")])
    for ind in report.indicators:
        per = {c.code: c.ratio for c in ind.children}
        ws.append([ind.title, _number(ind.numerator), _number(ind.denominator), ind.ratio,
                   *(per.get(code) for code, _name in kids), ind.reason])
        row = ws.max_row
        for column in range(4, 5 + len(kids)):
            ws.cell(row, column).number_format = PERCENT
        _count_format(ws, row, (2, 3))
    _head(ws, HEAD_ROW)
    _widths(ws, [24, 10, 10, 10, *(max(10, 2 * len(h) + 2) for _code, h in kids), 24])
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
        chart.title = _("{title}（各{level}）", title=ind.title,
                        level=label_name(report.scope.child_label or ""))
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
    figure = _("{title}：{numerator} / {denominator} = {ratio}", title=ind.title,
               numerator=_text(ind.numerator), denominator=_text(ind.denominator), ratio=ratio)
    if ind.reason:
        figure = _("{figure}（{reason}）", figure=figure, reason=ind.reason)
    ws.append([safe_cell(figure)])
    ws["A1"].font = Font(bold=True, size=13)
    definition = _("口径：{definition}", definition=ind.definition)
    if extra := extra_text(ind, names):
        definition = _("{definition}；{extra}", definition=definition, extra=extra)
    ws.append([safe_cell(definition)])
    keys = detail_keys(ind.gaps + ind.hits)
    child_zh = {code: h for code, h in kids}
    ws.append([_("序号"), translate(NAME.zh), _("类型"), translate(CODE.zh), _("所属"),
               _("达标情况"), _("分子"), _("分母"), _("影响户数"), *(header(k) for k in keys)])
    for number, (item, gap) in enumerate(
            [(i, True) for i in ind.gaps] + [(i, False) for i in ind.hits], start=1):
        cells: list[Any] = [
            number, name_of(names, item.label, item.code), label_name(item.label), item.code,
            listed(child_zh.get(c, c) for c in item.children),
            _("需关注") if gap else _("达标"), _number(item.num), _number(item.den),
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
