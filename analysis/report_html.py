"""The report as one self-contained HTML page, in Chinese.

The page names a CJK font stack so characters never render as boxes, draws each
indicator's per-child bars as inline SVG with 12 px labels, and lists the network's
weak points as ranked tables with names: people who are single points of failure (cut
vertices of the people–organisation post network) and isolated organisations.  A force
drawn picture of thousands of nodes was unreadable; a table says who and why.
"""

from __future__ import annotations

from collections import Counter
from html import escape

import networkx as nx

from analysis.indicators import IndicatorReport
from analysis.network import Node, analyse, post_network
from analysis.report_text import label_zh
from analysis.tally import Indicator

FONTS = ('"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", '
         '"PingFang SC", sans-serif')
FONT_PX = 12  # chart labels: never smaller
GAP_ROWS = 10  # gap rows per indicator
TABLE_ROWS = 50  # rows per network table
_STYLE = (f"body{{font-family:{FONTS};margin:1.5em}}td,th{{padding:2px 8px;"
          f"border-bottom:1px solid #ddd;text-align:left}}th{{background:#f4f4f4}}"
          f"svg text{{font-size:{FONT_PX}px}}")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float) -> str:
    return f"{value:g}"


def bar_chart(ind: Indicator, width: int = 480, bar: int = 22) -> str:
    """Horizontal bars of the indicator's ratio per child scope (inline SVG)."""
    if not ind.children:
        return ""
    label_w = 170
    height = bar * len(ind.children) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(ind.zh)}（按下级分列）">']
    for i, c in enumerate(ind.children):
        y = 4 + i * bar
        w = 0 if c.ratio is None else (width - label_w - 60) * min(1.0, c.ratio)
        parts.append(f'<text x="0" y="{y + bar - 6}" font-size="{FONT_PX}">'
                     f'{escape(c.name or c.code)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar - 6}" '
                     'fill="#c0392b"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 6}" '
                     f'font-size="{FONT_PX}">{pct(c.ratio)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: IndicatorReport, graph: nx.Graph) -> str:
    s = report.scope
    title = escape(f"{label_zh(s.label)} {s.name or s.code}（{s.code}）基层党建指标报告 — "
                   f"截至 {s.as_of}")
    out = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}"
           f"</title><style>{_STYLE}</style></head><body>", f"<h1>{title}</h1>",
           "<table><tr><th>指标</th><th>分子</th><th>分母</th><th>比率</th></tr>"]
    for ind in report.indicators:
        ratio_cell = pct(ind.ratio) if ind.ratio is not None else f"—（{ind.reason}）"
        out.append(f"<tr><td>{escape(ind.zh)}</td><td>{num(ind.numerator)}</td>"
                   f"<td>{num(ind.denominator)}</td><td>{escape(ratio_cell)}</td></tr>")
    out.append("</table>")
    for ind in report.indicators:
        out.append(f"<h2>{escape(ind.zh)}：{pct(ind.ratio)}</h2>")
        out.append(f"<p>口径：{escape(ind.definition)}</p>")
        out.append(bar_chart(ind))
        if ind.gaps:
            out.append(f"<p>需关注（{len(ind.gaps)} 个，按影响户数从多到少）：</p><ol>")
            for item in ind.gaps[:GAP_ROWS]:
                out.append(f"<li>{escape(item.name or item.code)}（{escape(label_zh(item.label))}"
                           f" {escape(item.code)}）— 影响 {item.households} 户</li>")
            out.append("</ol>")
    out += network_tables(graph)
    out.append("</body></html>")
    return "\n".join(out)


def network_tables(graph: nx.Graph) -> list[str]:
    """The two ranked tables of the co-operation network's weak points."""
    structure = analyse(graph)
    names = structure.names
    out = ["<h2>合作网络薄弱点</h2>", "<h3>单点依赖人员</h3>",
           "<p>这些人一旦离任，其任职的组织之间就失去联系（任职网络的关节点）；"
           "按离任后分裂出的部分数、任职数排序。</p>"]
    rows = ranked_cut_people(graph, structure.articulation_people)
    out.append(_table(["排名", "姓名", "分裂成几部分", "任职数", "任职组织"], [
        [escape(names.get(p) or p[1]), str(parts), str(len(orgs)),
         "、".join(escape(names.get(o) or o[1]) for o in orgs)]
        for p, parts, orgs in rows]))
    out += ["<h3>孤立组织</h3>",
            "<p>与任何人员、其他组织或社区都没有联系的组织（最多只联系所服务的小区、网格、楼栋）；"
            "按所联系的地点数排序。</p>"]
    isolated = sorted(structure.isolated_orgs,
                      key=lambda o: (-graph.degree(o), names.get(o) or o[1], o))
    out.append(_table(["排名", "名称", "类型", "联系的地点"], [
        [escape(names.get(o) or o[1]), escape(label_zh(o[0])),
         "、".join(escape(names.get(n) or n[1]) for n in sorted(graph.neighbors(o)))
         or "（无）"]
        for o in isolated]))
    return out


def ranked_cut_people(graph: nx.Graph, people: list[Node]
                      ) -> list[tuple[Node, int, list[Node]]]:
    """(person, parts their leaving splits their piece into, organisations posted in),
    most parts first, then most posts.  The parts of a cut vertex are the blocks
    (biconnected components) it belongs to, so one pass ranks them all."""
    posts = post_network(graph)
    cut = set(people)
    blocks: Counter[Node] = Counter()
    for block in nx.biconnected_components(posts):
        blocks.update(n for n in block if n in cut)
    ranked = [(p, blocks[p], sorted(posts.neighbors(p))) for p in people]
    return sorted(ranked, key=lambda r: (-r[1], -len(r[2]), r[0]))


def _table(head: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>（无）</p>"
    cells = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for rank, row in enumerate(rows[:TABLE_ROWS], start=1):
        cells.append(f"<tr><td>{rank}</td>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    cells.append("</table>")
    if len(rows) > TABLE_ROWS:
        cells.append(f"<p>另有 {len(rows) - TABLE_ROWS} 个未列出。</p>")
    return "".join(cells)
