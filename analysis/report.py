"""The indicator report of a scope as text, JSON, Excel or HTML.

``render_report(store, "County", "C01", "html")`` computes the indicators once and
renders them: the indicator table with the child-scope breakdown and the ranked gap
lists.  The Excel workbook (:mod:`analysis.report_xlsx`) adds a sheet per indicator with
its whole drill-down by name and native charts; the HTML page
(:mod:`analysis.report_html`) adds bar charts per child scope and ranked tables of the
co-operation network's weak points.  Excel cells that a spreadsheet would run as a
formula are neutralised (:func:`safe_cell`).
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from analysis.indicators import IndicatorReport, compute_indicators
from analysis.network import build_network
from analysis.report_html import indicator_head, num, pct, render_html
from analysis.report_text import look_up_names, safe_cell
from analysis.report_xlsx import render_xlsx
from analysis.texts import label_name
from graph.i18n import _
from graph.store import Store

__all__ = ["FORMATS", "render_json", "render_report", "render_table", "safe_cell", "to_dict",
           "written_report"]

SUFFIXES = {"table": ".txt", "json": ".json", "xlsx": ".xlsx", "html": ".html"}
FORMATS = tuple(SUFFIXES)
GAP_ROWS = 10  # gap rows per indicator in text (all of them in JSON and Excel)


def render_report(store: Store, scope_label: str, scope_code: str, fmt: str,
                  as_of: str | None = None) -> bytes | str:
    """The report in ``fmt`` (table, json, html: str; xlsx: bytes)."""
    if fmt not in FORMATS:
        raise ValueError(_("未知的报告格式 {fmt}，可用：{formats}", fmt=repr(fmt),
                           formats=", ".join(FORMATS)))
    report = compute_indicators(store, scope_label, scope_code, as_of)
    if fmt == "table":
        return render_table(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "xlsx":
        return render_xlsx(report, look_up_names(store, report))
    graph = build_network(store, scope_label, scope_code, report.scope.as_of)
    return render_html(report, graph)


def written_report(store: Store, county: str, out: str, fmt: str,
                   as_of: str | None = None) -> str:
    """A county's report written to ``out/<county><suffix>`` (a task of analysis.batch):
    written beside it first and renamed, so a file there is whole; returns its path."""
    body = render_report(store, "County", county, fmt, as_of=as_of)
    path = Path(out) / f"{county}{SUFFIXES[fmt]}"
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        os.replace(part, path)
    except BaseException:  # a full disk, an interrupt: no half file stays behind
        part.unlink(missing_ok=True)
        raise
    return str(path)


def _children(report: IndicatorReport) -> list[str]:
    return sorted({c.code for ind in report.indicators for c in ind.children})


def render_table(report: IndicatorReport) -> str:
    """The indicator table and the first gaps as plain text for a terminal.  Columns
    are padded by display width (a Chinese character takes two columns)."""
    s = report.scope
    kids = _children(report)
    head = [*indicator_head(), *kids]
    rows = [head]
    for ind in report.indicators:
        per = {c.code: pct(c.ratio) for c in ind.children}
        rows.append([ind.title, num(ind.numerator), num(ind.denominator),
                     pct(ind.ratio) if ind.ratio is not None
                     else _("—（{reason}）", reason=ind.reason),
                     *(per.get(k, "") for k in kids)])
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
    lines = [_("{level} {code} {name} — 截至 {as_of}", level=label_name(s.label), code=s.code,
               name=s.name or "", as_of=s.as_of), ""]
    for r in rows:
        lines.append("  ".join(cell + " " * (w - _width(cell))
                               for cell, w in zip(r, widths, strict=True)))
    for ind in report.indicators:
        if ind.gaps:
            lines += ["", _("需关注：{title}（{count} 个）", title=ind.title, count=len(ind.gaps))]
            for item in ind.gaps[:GAP_ROWS]:
                lines.append("  " + _("{label} {code} {name}  影响 {households} 户",
                                      label=label_name(item.label), code=item.code,
                                      name=item.name or "", households=item.households))
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_dict(report: IndicatorReport) -> dict[str, Any]:
    return {"scope": _plain(report.scope), "indicators": _plain(report.indicators)}


@cache
def _names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _plain(value: Any) -> Any:
    """What ``dataclasses.asdict`` makes of ``value``, without its deep copy of every
    leaf: a county's report holds ~10^5 drill-down items, and those copies were 2 of
    the 8 s a stand-alone ``jinlin report --format json`` took (the leaves are strings
    and numbers, which a copy would not change)."""
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _names(type(value))}
    return value


def render_json(report: IndicatorReport) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=1, default=str)
