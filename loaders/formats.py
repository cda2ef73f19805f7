"""The ledger (台账) formats: one sheet (or CSV file) per node label or relationship type.

A node sheet is named after its label (``Compound`` or ``小区``) and has one column per
property of the model.  A relationship sheet is named after its type (``HOLDS_POST`` or
``任职``) and has the columns ``from`` / ``to`` (the codes of the two ends), the end
kinds ``from_kind`` / ``to_kind`` when the type allows several labels at that end, and
one column per relationship property.  Every column accepts its English name or its
Chinese header; enum cells accept the code or the Chinese label.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.model import (
    ENTERED_NODES,
    ENTERED_RELS,
    NODE_BY_LABEL,
    NodeKind,
    Prop,
    PropType,
    RelKind,
    choices,
)
from graph.settings import Settings
from loaders.ledger_limits import human_size

# Template marks: a required header ends with REQUIRED_MARK (``编码*``); the reader
# ignores it (and its full-width form) so a filled-in template loads as written.
REQUIRED_MARK = "*"
_MARKS = "*＊ \u3000"
# Tabs of the template workbook that are not ledgers (instructions, dropdown lists):
# the reader skips them by name, Chinese or English.
GUIDE_TABS = ("填写说明", "Instructions")
CHOICE_TABS = ("选项", "Choices")
ASIDE_TABS = frozenset(GUIDE_TABS + CHOICE_TABS)

# Headers of the relationship end columns, English and Chinese.
FROM, FROM_KIND, TO, TO_KIND = "from", "from_kind", "to", "to_kind"
_END_ZH = {FROM: "起点编码", FROM_KIND: "起点类型", TO: "终点编码", TO_KIND: "终点类型"}


@dataclass(frozen=True)
class Column:
    name: str  # English header, also the key in parsed rows
    zh: str  # Chinese header
    prop: Prop  # how a cell is parsed


@dataclass(frozen=True)
class Sheet:
    """One ledger sheet: a node label or a relationship type."""

    name: str  # English sheet name = label or type
    zh: str
    columns: tuple[Column, ...]
    node: NodeKind | None = None
    rel: RelKind | None = None

    def headers(self, chinese: bool) -> list[str]:
        return [c.zh if chinese else c.name for c in self.columns]

    def tab(self, chinese: bool) -> str:
        """The workbook tab (or CSV file stem) the template gives this sheet."""
        return self.zh if chinese else self.name

    def column_for(self, header: str) -> Column | None:
        text = str(header).strip().rstrip(_MARKS)
        for col in self.columns:
            if text in (col.name, col.zh) or text.lower() == col.name:
                return col
        return None


def end_zh(label: str) -> str:
    """The Chinese name of a relationship end label (Member, not a node kind, is 党员)."""
    return NODE_BY_LABEL[label].zh if label in NODE_BY_LABEL else "党员"


def _end_kind_prop(name: str, labels: tuple[str, ...]) -> Prop:
    options = choices(*[(lab, end_zh(lab)) for lab in labels])
    return Prop(name, PropType.ENUM, _END_ZH[name], required=True, choices=options)


def _node_sheet(kind: NodeKind) -> Sheet:
    return Sheet(kind.label, kind.zh, tuple(Column(p.name, p.zh, p) for p in kind.props), node=kind)


def _rel_sheet(kind: RelKind) -> Sheet:
    cols: list[Column] = []
    if len(kind.sources) > 1:
        cols.append(Column(FROM_KIND, _END_ZH[FROM_KIND], _end_kind_prop(FROM_KIND, kind.sources)))
    cols.append(Column(FROM, _END_ZH[FROM], Prop(FROM, PropType.STR, _END_ZH[FROM], required=True)))
    if len(kind.targets) > 1:
        cols.append(Column(TO_KIND, _END_ZH[TO_KIND], _end_kind_prop(TO_KIND, kind.targets)))
    cols.append(Column(TO, _END_ZH[TO], Prop(TO, PropType.STR, _END_ZH[TO], required=True)))
    cols.extend(Column(p.name, p.zh, p) for p in kind.props)
    return Sheet(kind.type, kind.zh, tuple(cols), rel=kind)


SHEETS: tuple[Sheet, ...] = (
    tuple(_node_sheet(n) for n in ENTERED_NODES) + tuple(_rel_sheet(r) for r in ENTERED_RELS)
)


def sheet_for(name: str) -> Sheet | None:
    """The sheet a workbook tab or CSV file stem stands for (English or Chinese name)."""
    text = str(name).strip()
    for sheet in SHEETS:
        if text in (sheet.name, sheet.zh) or text.lower() == sheet.name.lower():
            return sheet
    return None


def is_aside(name: str) -> bool:
    """A template tab that holds no ledger (填写说明, 选项): skipped when loading."""
    return str(name).strip() in ASIDE_TABS


def describe() -> str:
    """The ledger reference (docs/ledgers.md), generated so it cannot drift from the model."""
    lines = [
        "# Ledger formats (台账格式)",
        "",
        "Generated from `graph/model.py` by `python -m loaders.formats`; do not edit by hand.",
        "Each sheet is a workbook tab or a CSV file named after the sheet (English or Chinese",
        "name). Headers may be English or Chinese; enum cells take the code or the Chinese",
        "label; dates are `2024-03-01` (also `2024/3/1`, `2024年3月1日`, Excel dates).",
        "",
        *_limits(),
        "",
    ]
    for sheet in SHEETS:
        kind = "node" if sheet.node else "relationship"
        lines += [f"## {sheet.name} · {sheet.zh} ({kind})", ""]
        if sheet.rel is not None:
            ends = f"{'/'.join(sheet.rel.sources)} → {'/'.join(sheet.rel.targets)}"
            note = sheet.rel.doc or ", ".join(f"{s}→{t}" for s, t in sheet.rel.pairs)
            lines += [f"Ends: {ends}." + (f" {note}" if note else ""), ""]
        lines += ["| column | 表头 | type | required | values |", "| --- | --- | --- | --- | --- |"]
        for col in sheet.columns:
            p = col.prop
            values = ", ".join(f"`{c.code}` {c.zh}" for c in p.choices)
            if p.minimum is not None or p.maximum is not None:
                values = f"{p.minimum if p.minimum is not None else ''}…" \
                         f"{p.maximum if p.maximum is not None else ''}"
            lines.append(f"| {col.name} | {col.zh} | {p.type.value} | "
                         f"{'yes' if p.required else ''} | {values} |")
        lines.append("")
    return "\n".join(lines)


def _limits() -> list[str]:
    """What a file may hold (the defaults of :class:`graph.settings.Settings`)."""
    d = Settings()
    return [
        "Files are checked before they are parsed and refused whole (nothing is written) if",
        f"they exceed: {human_size(d.ledger_max_bytes)} uncompressed, an .xlsx's parts summed",
        f"(`JINLIN_LEDGER_MAX_BYTES`); {d.ledger_max_rows:,} rows per sheet or CSV file",
        "(`JINLIN_LEDGER_MAX_ROWS`; an .xlsx sheet never more than Excel's 1,048,576); "
        f"{d.ledger_max_cell:,}",
        "characters per cell (`JINLIN_LEDGER_MAX_CELL`). Formulas are refused, also behind",
        "leading blanks (` =1+1`): text that must start with `=` is written `'=…`. Workbooks",
        "declaring XML entities, symbolic links, devices and pipes are refused unread.",
    ]


if __name__ == "__main__":
    print(describe())
