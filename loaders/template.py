"""The blank ledger workbook a clerk fills in (``jinlin template``).

A first tab 填写说明 lists every sheet (Chinese and English name, what it is for, the
required columns, an example row); then one tab per sheet of :mod:`loaders.formats`,
named in Chinese, with a bold frozen header row (required headers end in ``*`` and are
filled), a dropdown on every enum, yes/no and end-kind column, and date columns
formatted as dates.  Everything is derived from the model, and the reader accepts
exactly what this writes: the marks are stripped from headers, the aside tabs are
skipped (:func:`loaders.formats.is_aside`), dropdown entries are the labels enum cells
take and date cells arrive as datetimes.

Excel limits an inline dropdown list to 255 characters; a longer list goes to a column
of the hidden tab 选项 and the dropdown refers to that range.

The texts are written in Chinese and translated (:mod:`graph.i18n`) into the template's
language, which is its own (``chinese``), not the language of the command that writes it.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from graph.i18n import N_, _, language, translate
from graph.model import Prop, PropType
from loaders.formats import CHOICE_TABS, GUIDE_TABS, REQUIRED_MARK, SHEETS, Sheet, end_zh
from loaders.template_examples import example_row

INLINE_LIMIT = 255  # characters of an inline list formula (Excel's limit)
LAST_ROW = 1_048_576  # dropdowns and formats cover the whole column
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow
BOLD = Font(bold=True)
_YES_NO = {True: ("是", "否"), False: ("yes", "no")}


def template_workbook(chinese: bool = True) -> Workbook:
    """The template workbook: instructions first, then one empty tab per sheet."""
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = GUIDE_TABS[0] if chinese else GUIDE_TABS[1]
    with language("zh" if chinese else "en"):
        lists = _Lists(book, chinese)
        for sheet in SHEETS:
            _data_tab(book.create_sheet(sheet.tab(chinese)), sheet, chinese, lists)
        _guide(guide, chinese)
    return book


def choices_of(prop: Prop, chinese: bool) -> list[str]:
    """The dropdown entries of a column: enum labels (codes in English), yes/no; none
    for free columns."""
    if prop.type is PropType.ENUM:
        return [c.zh if chinese else c.code for c in prop.choices]
    if prop.type is PropType.BOOL:
        return list(_YES_NO[chinese])
    return []


class _Lists:
    """Dropdown validations, inline when Excel allows it, else a range of the hidden
    选项 tab (created on first need, one column per distinct list)."""

    def __init__(self, book: Workbook, chinese: bool) -> None:
        self.book, self.chinese = book, chinese
        self.tab: Worksheet | None = None
        self.ranges: dict[tuple[str, ...], str] = {}

    def validation(self, header: str, entries: list[str]) -> DataValidation:
        formula = '"' + ",".join(entries) + '"'
        if len(formula) - 2 > INLINE_LIMIT or any("," in e or '"' in e for e in entries):
            formula = self._range(header, tuple(entries))
        return DataValidation(type="list", formula1=formula, allow_blank=True,
                              showErrorMessage=True, errorTitle=header,
                              error=_("只能填写下拉列表中的值"),
                              promptTitle=header, prompt=_("请从下拉列表中选择"),
                              showInputMessage=True)

    def _range(self, header: str, entries: tuple[str, ...]) -> str:
        if entries not in self.ranges:
            if self.tab is None:
                self.tab = self.book.create_sheet(CHOICE_TABS[0 if self.chinese else 1])
                self.tab.sheet_state = "hidden"
            column = len(self.ranges) + 1
            self.tab.cell(1, column, header)
            for row, entry in enumerate(entries, start=2):
                self.tab.cell(row, column, entry)
            letter = get_column_letter(column)
            self.ranges[entries] = (f"{quote_sheetname(self.tab.title)}!"
                                    f"${letter}$2:${letter}${len(entries) + 1}")
        return self.ranges[entries]


def _data_tab(tab: Worksheet, sheet: Sheet, chinese: bool, lists: _Lists) -> None:
    headers = _marked_headers(sheet, chinese)
    tab.append(headers)
    for index, (col, header) in enumerate(zip(sheet.columns, headers, strict=True), start=1):
        letter = get_column_letter(index)
        cell = tab.cell(1, index)
        cell.font = BOLD
        if col.prop.required:
            cell.fill = REQUIRED_FILL
        dimension = tab.column_dimensions[letter]
        dimension.width = _width(header, choices_of(col.prop, chinese))
        if col.prop.type is PropType.DATE:
            dimension.number_format = DATE_FORMAT
        elif col.prop.type is PropType.DATETIME:
            dimension.number_format = DATETIME_FORMAT
        entries = choices_of(col.prop, chinese)
        if entries:
            validation = lists.validation(header, entries)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            tab.add_data_validation(validation)
    tab.freeze_panes = "A2"


def _marked_headers(sheet: Sheet, chinese: bool) -> list[str]:
    return [h + (REQUIRED_MARK if c.prop.required else "")
            for c, h in zip(sheet.columns, sheet.headers(chinese), strict=True)]


def _width(header: str, entries: list[str]) -> float:
    """Wide enough for the header and the longest dropdown entry (a CJK character is
    about two Latin ones wide)."""
    return min(40.0, max(10.0, *(_display(t) + 2 for t in [header, *entries])))


def _display(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


_GUIDE_HEAD = (N_("工作表"), N_("英文名"), N_("用途"), N_("必填列"), N_("示例行（表头: 值）"))
_GUIDE_INTRO = (
    N_("填写说明：每个工作表对应一类台账，第一行是表头，从第二行起每行一条记录。"),
    N_("表头以 * 结尾并标黄的列必填；有下拉箭头的列只能从列表中选择；日期列请填日期"
       "（如 2023-01-01）；不要使用公式。本页和隐藏的“选项”页导入时会被忽略。"),
)


def _guide(tab: Worksheet, chinese: bool) -> None:
    """The instructions tab: two lines of rules, then one row per sheet."""
    for line in _GUIDE_INTRO:
        tab.append([translate(line)])
    tab.append([])
    tab.append([translate(head) for head in _GUIDE_HEAD])
    head_row = tab.max_row
    for cell in tab[head_row]:
        cell.font = BOLD
    for sheet in SHEETS:
        row = example_row(sheet)
        example = "；".join(f"{h}: {row[c.name]}" for c, h in
                           zip(sheet.columns, sheet.headers(chinese), strict=True)
                           if row[c.name] not in ("", None))
        required = "、".join(h for c, h in zip(sheet.columns, sheet.headers(chinese), strict=True)
                            if c.prop.required)
        tab.append([sheet.tab(chinese), sheet.tab(not chinese), _purpose(sheet, chinese),
                    required, example])
    for letter, width in zip("ABCDE", (18, 20, 48, 30, 90), strict=True):
        tab.column_dimensions[letter].width = width
    for row in tab.iter_rows(min_row=head_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    tab.freeze_panes = f"A{head_row + 1}"


def _purpose(sheet: Sheet, chinese: bool) -> str:
    """What a sheet is for, from the model: a kind of node or a link between two."""
    name = sheet.tab(chinese)
    if sheet.node is not None:
        return _("登记{name}：每行一个，以编码为准（再次导入按编码更新）", name=name)
    rel = sheet.rel
    assert rel is not None
    return _("登记“{name}”关系：{sources} → {targets}，每行一条{dated}", name=name,
             sources=_end_names(rel.sources, chinese), targets=_end_names(rel.targets, chinese),
             dated=_("；有开始/结束日期，按日期判断是否现任") if rel.dated else "")


def _end_names(labels: tuple[str, ...], chinese: bool) -> str:
    return "/".join(end_zh(label) if chinese else label for label in labels)
