"""The indicator report of a scope as text, JSON, Excel or HTML.

``render_report(store, "County", "C01", "html")`` computes the indicators once and
renders: the indicator table with the child-scope breakdown, the ranked gap lists, and
(HTML only) a bar chart per indicator by child scope and a picture of the co-operation
network with gaps highlighted, both as inline SVG so the page is one self-contained
file.  Excel cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from html import escape
from typing import Any

import networkx as nx

from analysis.gaps import gaps_from
from analysis.indicators import IndicatorReport, compute_indicators
from analysis.network import analyse, build_network
from analysis.tally import Indicator
from graph.model import ORG_LABELS
from graph.store import Store

FORMATS = ("table", "json", "xlsx", "html")
GAP_ROWS = 10  # gap rows per indicator in text and HTML (all of them in JSON and Excel)
MAX_DRAWN = 300  # nodes in the network picture


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
        return render_xlsx(report)
    graph = build_network(store, scope_label, scope_code, report.scope.as_of)
    return render_html(report, graph)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float) -> str:
    return f"{value:g}"


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


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would evaluate (= + - @, also after a tab/CR) gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_xlsx(report: IndicatorReport) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Indicators"
    kids = _children(report)
    ws.append(["key", "indicator", "指标", "numerator", "denominator", "ratio", "reason", *kids])
    for ind in report.indicators:
        per = {c.code: c.ratio for c in ind.children}
        ws.append([safe_cell(v) for v in (ind.key, ind.title, ind.zh, ind.numerator,
                                          ind.denominator, ind.ratio, ind.reason,
                                          *(per.get(k) for k in kids))])
    gaps = wb.create_sheet("Gaps")
    gaps.append(["indicator", "label", "code", "name", "households", "detail"])
    for key, items in gaps_from(report).lists.items():
        for item in items:
            gaps.append([safe_cell(v) for v in (key, item.label, item.code, item.name,
                                                item.households,
                                                json.dumps(item.detail, ensure_ascii=False,
                                                           default=str))])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bar_chart(ind: Indicator, width: int = 420, bar: int = 16) -> str:
    """Horizontal bars of the indicator's ratio per child scope (inline SVG)."""
    if not ind.children:
        return ""
    label_w = 140
    height = bar * len(ind.children) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(ind.title)} by child scope">']
    for i, c in enumerate(ind.children):
        y = 4 + i * bar
        w = 0 if c.ratio is None else (width - label_w - 60) * min(1.0, c.ratio)
        parts.append(f'<text x="0" y="{y + bar - 4}" font-size="11">'
                     f'{escape(c.name or c.code)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar - 4}" '
                     'fill="#c0392b"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 4}" font-size="11">'
                     f'{pct(c.ratio)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def network_svg(graph: nx.Graph, flagged: set[tuple[str, str]], size: int = 640) -> str:
    """The co-operation network drawn with a seeded spring layout; flagged nodes
    (gap items, isolated organisations, single points of failure) are red."""
    if graph.number_of_nodes() == 0:
        return "<p>(no co-operation network in this scope)</p>"
    g = graph
    if g.number_of_nodes() > MAX_DRAWN:
        keep = sorted(g.degree, key=lambda x: (-x[1], x[0]))[:MAX_DRAWN]
        g = g.subgraph(n for n, _ in keep)
    pos = nx.spring_layout(g, seed=7)
    xy = {n: ((p[0] + 1.05) / 2.1 * size, (p[1] + 1.05) / 2.1 * size) for n, p in pos.items()}
    colour = {"Person": "#2980b9", "PartyOrg": "#c0392b", "Unit": "#27ae60",
              "PropertyFirm": "#8e44ad", "OwnersCommittee": "#d35400"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
             'role="img" aria-label="co-operation network">']
    for a, b in g.edges:
        parts.append(f'<line x1="{xy[a][0]:.1f}" y1="{xy[a][1]:.1f}" x2="{xy[b][0]:.1f}" '
                     f'y2="{xy[b][1]:.1f}" stroke="#bbb" stroke-width="0.6"/>')
    for n in g.nodes:
        hot = n in flagged
        r = 6 if hot else (4 if n[0] in ORG_LABELS else 3)
        fill = "#e00" if hot else colour.get(n[0], "#7f8c8d")
        title = escape(f"{n[0]} {n[1]} {g.nodes[n].get('name') or ''}")
        stroke = ' stroke="#000" stroke-width="1.5"' if hot else ""
        parts.append(f'<circle cx="{xy[n][0]:.1f}" cy="{xy[n][1]:.1f}" r="{r}" '
                     f'fill="{fill}"{stroke}><title>{title}</title></circle>')
    parts.append("</svg>")
    note = "" if g is graph else (f"<p>Showing the {MAX_DRAWN} best-connected of "
                                  f"{graph.number_of_nodes()} nodes.</p>")
    return "".join(parts) + note


def render_html(report: IndicatorReport, graph: nx.Graph) -> str:
    s = report.scope
    title = escape(f"{s.label} {s.code} {s.name or ''} — as of {s.as_of}")
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
           "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid "
           "#ddd}</style></head><body>", f"<h1>{title}</h1>",
           "<table><tr><th>indicator</th><th>numerator</th><th>denominator</th>"
           "<th>ratio</th></tr>"]
    for ind in report.indicators:
        ratio_cell = pct(ind.ratio) if ind.ratio is not None else f"— ({ind.reason})"
        out.append(f"<tr><td>{escape(ind.title)} {escape(ind.zh)}</td>"
                   f"<td>{num(ind.numerator)}</td><td>{num(ind.denominator)}</td>"
                   f"<td>{escape(ratio_cell)}</td></tr>")
    out.append("</table>")
    for ind in report.indicators:
        out.append(f"<h2>{escape(ind.title)} {escape(ind.zh)}: {pct(ind.ratio)}</h2>")
        out.append(f"<p>{escape(ind.definition)}</p>")
        out.append(bar_chart(ind))
        if ind.gaps:
            out.append(f"<p>Gaps ({len(ind.gaps)}, largest households first):</p><ol>")
            for item in ind.gaps[:GAP_ROWS]:
                out.append(f"<li>{escape(item.label)} {escape(item.code)} "
                           f"{escape(item.name or '')} — {item.households} households</li>")
            out.append("</ol>")
    structure = analyse(graph)
    flagged = {(i.label if i.label != "Member" else "Person", i.code)
               for key in ("three_no_compounds", "property_management_coverage",
                           "compound_branch_coverage", "overloaded_people")
               for i in report.get(key).gaps}
    flagged |= set(structure.isolated_orgs) | set(structure.articulation_people)
    out.append("<h2>Co-operation network</h2><p>Red: gaps (uncovered or three-no compounds, "
               "isolated organisations, people who are single points of failure, "
               "overloaded people).</p>")
    out.append(network_svg(graph, flagged))
    out.append("</body></html>")
    return "\n".join(out)
