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
from dataclasses import asdict
from typing import Any

from analysis.indicators import IndicatorReport, compute_indicators
from analysis.network import build_network
from analysis.report_html import num, pct, render_html
from analysis.report_text import look_up_names, safe_cell
from analysis.report_xlsx import render_xlsx
from graph.store import Store

__all__ = ["FORMATS", "render_json", "render_report", "render_table", "safe_cell", "to_dict"]

FORMATS = ("table", "json", "xlsx", "html")
GAP_ROWS = 10  # gap rows per indicator in text (all of them in JSON and Excel)


def render_report(store: Store, scope_label: str, scope_code: str, fmt: str,
                  as_of: str | None = None) -> bytes | str:
    """The report in ``fmt`` (table, json, html: str; xlsx: bytes)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    report = compute_indicators(store, scope_label, scope_code, as_of)
    if fmt == "table":
        return render_table(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "xlsx":
        return render_xlsx(report, look_up_names(store, report))
    graph = build_network(store, scope_label, scope_code, report.scope.as_of)
    return render_html(report, graph)


def _children(report: IndicatorReport) -> list[str]:
    return sorted({c.code for ind in report.indicators for c in ind.children})


def render_table(report: IndicatorReport) -> str:
    s = report.scope
    kids = _children(report)
    head = ["indicator", "numerator", "denominator", "ratio", *kids]
    rows = [head]
    for ind in report.indicators:
        per = {c.code: pct(c.ratio) for c in ind.children}
        rows.append([ind.title, num(ind.numerator), num(ind.denominator),
                     pct(ind.ratio) if ind.ratio is not None else f"— ({ind.reason})",
                     *(per.get(k, "") for k in kids)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [f"{s.label} {s.code} {s.name or ''} — as of {s.as_of}", ""]
    for r in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))
    for ind in report.indicators:
        if ind.gaps:
            lines += ["", f"Gaps: {ind.title} ({len(ind.gaps)})"]
            for item in ind.gaps[:GAP_ROWS]:
                lines.append(f"  {item.label} {item.code} {item.name or ''}  "
                             f"households {item.households}")
    return "\n".join(lines) + "\n"


def to_dict(report: IndicatorReport) -> dict[str, Any]:
    return {"scope": asdict(report.scope),
            "indicators": [asdict(ind) for ind in report.indicators]}


def render_json(report: IndicatorReport) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=1, default=str)
