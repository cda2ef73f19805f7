"""The report as one self-contained HTML page, in the language in force (Chinese first).

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
from analysis.tally import Indicator
from analysis.texts import label_name, listed
from graph import i18n
from graph.i18n import _, translate
from graph.model import NAME

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
             f'role="img" aria-label="{escape(_("{title}（按下级分列）", title=ind.title))}">']
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


def indicator_head() -> list[str]:
    """The headers of an indicator table (the HTML page's and the text table's)."""
    return [_("指标"), _("分子"), _("分母"), _("比率")]


def render_html(report: IndicatorReport, graph: nx.Graph) -> str:
    s = report.scope
    title = escape(_("{level} {name}（{code}）基层党建指标报告 — 截至 {as_of}",
                     level=label_name(s.label), name=s.name or s.code, code=s.code,
                     as_of=s.as_of))
    lang = "zh-CN" if i18n.current() == "zh" else i18n.current()
    out = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}"
           f"</title><style>{_STYLE}</style></head><body>", f"<h1>{title}</h1>",
           "<table><tr>" + "".join(f"<th>{h}</th>" for h in indicator_head()) + "</tr>"]
    for ind in report.indicators:
        ratio_cell = pct(ind.ratio) if ind.ratio is not None else \
            _("—（{reason}）", reason=ind.reason)
        out.append(f"<tr><td>{escape(ind.title)}</td><td>{num(ind.numerator)}</td>"
                   f"<td>{num(ind.denominator)}</td><td>{escape(ratio_cell)}</td></tr>")
    out.append("</table>")
    for ind in report.indicators:
        out.append(f"<h2>{escape(_('{title}：{ratio}', title=ind.title, ratio=pct(ind.ratio)))}"
                   "</h2>")
        out.append(f"<p>{escape(_('口径：{definition}', definition=ind.definition))}</p>")
        out.append(bar_chart(ind))
        if ind.gaps:
            out.append(f"<p>{_('需关注（{count} 个，按影响户数从多到少）：', count=len(ind.gaps))}"
                       "</p><ol>")
            for item in ind.gaps[:GAP_ROWS]:
                out.append("<li>" + escape(_(
                    "{name}（{label} {code}）— 影响 {households} 户", name=item.name or item.code,
                    label=label_name(item.label), code=item.code,
                    households=item.households)) + "</li>")
            out.append("</ol>")
    out += network_tables(graph)
    out.append("</body></html>")
    return "\n".join(out)


def network_tables(graph: nx.Graph) -> list[str]:
    """The two ranked tables of the co-operation network's weak points."""
    structure = analyse(graph)
    names = structure.names
    out = [f"<h2>{_('合作网络薄弱点')}</h2>", f"<h3>{_('单点依赖人员')}</h3>",
           "<p>" + _("这些人一旦离任，其任职的组织之间就失去联系（任职网络的关节点）；"
                     "按离任后分裂出的部分数、任职数排序。") + "</p>"]
    rows = ranked_cut_people(graph, structure.articulation_people)
    out.append(_table([_("排名"), _("姓名"), _("分裂成几部分"), _("任职数"), _("任职组织")], [
        [escape(names.get(p) or p[1]), str(parts), str(len(orgs)),
         listed(escape(names.get(o) or o[1]) for o in orgs)]
        for p, parts, orgs in rows]))
    out += [f"<h3>{_('孤立组织')}</h3>",
            "<p>" + _("与任何人员、其他组织或社区都没有联系的组织（最多只联系所服务的小区、网格、"
                      "楼栋）；按所联系的地点数排序。") + "</p>"]
    isolated = sorted(structure.isolated_orgs,
                      key=lambda o: (-graph.degree(o), names.get(o) or o[1], o))
    out.append(_table([_("排名"), translate(NAME.zh), _("类型"), _("联系的地点")], [
        [escape(names.get(o) or o[1]), escape(label_name(o[0])),
         listed(escape(names.get(n) or n[1]) for n in sorted(graph.neighbors(o)))
         or _("（无）")]
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
        return f"<p>{_('（无）')}</p>"
    cells = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for rank, row in enumerate(rows[:TABLE_ROWS], start=1):
        cells.append(f"<tr><td>{rank}</td>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    cells.append("</table>")
    if len(rows) > TABLE_ROWS:
        cells.append(f"<p>{_('另有 {count} 个未列出。', count=len(rows) - TABLE_ROWS)}</p>")
    return "".join(cells)
