"""The network and the tables of a scope, written for Gephi, R, a GIS or a spreadsheet.

``measured_network`` is the co-operation network of ``analysis.network`` with what an
analyst filters and colours by written onto it: on every node its ``label``, Chinese
kind (``kind``, the model's name of the label), ``code`` and ``name``; the measures
``betweenness`` (as ``network_report`` computes it: without plain party membership,
exact up to ``exact_limit`` nodes, 0 for a node linked by membership only),
``articulation`` (a cut vertex of the people–organisation post network, whatever its
kind), ``component`` (0 is the largest) and ``community`` (Louvain over the whole
network, seeded, 0 the largest group); on every edge its ``type``, Chinese ``type_zh``
and, when set, ``since``/``until``/``role``.  Attributes that are not set are left out,
as GraphML and GEXF expect, rather than written empty.

Node ids in the files are ``Label:CODE`` (the API's spelling of a node).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx

from analysis.frames import NETWORK_FORMATS, TABLE_FORMATS, Table
from analysis.network import Node, betweenness, post_network, without_membership
from analysis.report_text import safe_cell
from graph.model import NODE_BY_LABEL, REL_BY_TYPE, key_label

NODE_COLUMNS = ("id", "label", "kind", "code", "name", "degree", "betweenness",
                "articulation", "component", "community")
EDGE_COLUMNS = ("source", "target", "type", "type_zh", "since", "until", "role")


def node_id(node: Node) -> str:
    return f"{node[0]}:{node[1]}"


def measured_network(graph: nx.Graph, exact_limit: int = 20_000, sample: int = 500,
                     seed: int = 7) -> nx.Graph:
    """A copy of ``graph`` with ids ``Label:CODE`` and the attributes of the module
    docstring on every node and edge."""
    core = without_membership(graph)
    k = min(sample, core.number_of_nodes()) if core.number_of_nodes() > exact_limit else None
    between = betweenness(core, k, seed)
    cut = set(nx.articulation_points(post_network(graph)))
    component = _groups(nx.connected_components(graph))
    community = _groups(nx.community.louvain_communities(graph, seed=seed)
                        if graph.number_of_edges() else [])
    out = nx.Graph()
    for node, attrs in sorted(graph.nodes(data=True)):
        label, code = node
        data: dict[str, Any] = {
            "label": label, "kind": NODE_BY_LABEL[key_label(label)].zh, "code": code,
            "name": attrs.get("name"), "degree": graph.degree(node),
            "betweenness": float(between.get(node, 0.0)), "articulation": node in cut,
            "component": component[node], "community": community.get(node, -1)}
        out.add_node(node_id(node), **{k: v for k, v in data.items() if v is not None})
    for a, b, attrs in sorted(graph.edges(data=True)):
        out.add_edge(node_id(a), node_id(b), **attrs, type_zh=REL_BY_TYPE[attrs["type"]].zh)
    return out


def _groups(groups: Any) -> dict[Node, int]:
    """Each node's group index, the largest group 0 (ties by their smallest node)."""
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g))
    return {n: i for i, g in enumerate(ordered) for n in g}


def node_table(net: nx.Graph) -> Table:
    return Table(NODE_COLUMNS, [{"id": n, **{c: a.get(c) for c in NODE_COLUMNS[1:]}}
                                for n, a in net.nodes(data=True)])


def edge_table(net: nx.Graph) -> Table:
    return Table(EDGE_COLUMNS, [{"source": a, "target": b,
                                 **{c: d.get(c) for c in EDGE_COLUMNS[2:]}}
                                for a, b, d in net.edges(data=True)])


def write_network(net: nx.Graph, fmt: str, out: str | Path) -> list[Path]:
    """``net`` (from ``measured_network``) as one GraphML or GEXF file, or as
    ``nodes.csv`` and ``edges.csv`` in the directory ``out``; the paths written."""
    path = Path(out)
    if fmt == "graphml":
        nx.write_graphml(net, path, encoding="utf-8")
        return [path]
    if fmt == "gexf":
        nx.write_gexf(net, path, encoding="utf-8")
        return [path]
    if fmt == "csv":
        path.mkdir(parents=True, exist_ok=True)
        write_table(node_table(net), path / "nodes.csv")
        write_table(edge_table(net), path / "edges.csv")
        return [path / "nodes.csv", path / "edges.csv"]
    raise ValueError(f"不支持的格式 {fmt}，可用：{'、'.join(NETWORK_FORMATS)}")


def csv_text(table: Table) -> str:
    """CSV text: a header of the column names, empty cells for None, formula-like text
    quoted (``_cell``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(table.columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: _cell(r.get(c)) for c in table.columns} for r in table.rows)
    return buf.getvalue()


def write_table(table: Table, out: str | Path, fmt: str | None = None,
                sheet: str = "data") -> Path:
    """``table`` as CSV (UTF-8 with BOM, which Excel needs to read Chinese) or as a
    one-sheet xlsx (``table_bytes``); the format from ``fmt`` or the file's suffix."""
    path = Path(out)
    path.write_bytes(table_bytes(table, fmt or path.suffix.lstrip(".").lower() or "csv",
                                 sheet))
    return path


def table_bytes(table: Table, fmt: str, sheet: str = "data") -> bytes:
    """The file's bytes: CSV text, or an xlsx workbook of one sheet named ``sheet``:
    bold headers (``table.titles``) in a frozen first row, date columns as dates."""
    if fmt == "csv":
        return csv_text(table).encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"不支持的格式 {fmt}，可用：{'、'.join(TABLE_FORMATS)}")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.freeze_panes = "A2"
    titles = [table.titles.get(c, c) for c in table.columns]
    for i, title in enumerate(titles, 1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(title) + 2)
    ws.append([_styled(WriteOnlyCell(ws, value=t), font=Font(bold=True)) for t in titles])
    for row in table.rows:
        ws.append([_dated(ws, row.get(c)) if c in table.dates else _cell(row.get(c))
                   for c in table.columns])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _dated(ws: Any, value: Any) -> Any:
    """An ISO date (``2024-03-01``) or date-time as a date cell; anything else as is."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        try:
            when = (dt.date.fromisoformat(value) if len(value) == 10
                    else dt.datetime.fromisoformat(value))
        except ValueError:
            return _cell(value)
        return _styled(WriteOnlyCell(ws, value=when), number_format="yyyy-mm-dd"
                       if len(value) == 10 else "yyyy-mm-dd hh:mm:ss")
    return _cell(value)


def _styled(cell: Any, **style: Any) -> Any:
    """``cell`` with ``style`` set (a write-only cell takes no style when made)."""
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


def _cell(value: Any) -> Any:
    """A value one spreadsheet cell can hold (lists and maps as JSON text); text a
    spreadsheet would run as a formula is quoted (CSV files open in Excel too)."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return safe_cell(value)
