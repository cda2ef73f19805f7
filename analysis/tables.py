"""Tables of a scope for other tools: the nodes of one kind, an indicator's items, and
the located kinds as points.

A node table lists every node of the kind that lies in the scope by the same anchor
rules as the API's lists (``graph.scope.downward``), with the model's properties as
columns; personal properties (``Prop.personal``) are masked unless the caller says the
reader may see them (``personal=True``: the CLI decides from the role's capabilities).
Node properties carry no dates, so a node table is the store as it is; an indicator's
items and the demands follow the scope's as-of date.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from analysis.fetch import Row, read_demands, resolve_scope
from analysis.frames import Table
from analysis.indicators import IndicatorReport
from analysis.tally import Indicator, Item
from graph.model import NODE_BY_LABEL
from graph.personal import masked
from graph.scope import downward
from graph.spine import AREAS
from graph.store import Query, Store

# Kinds with coordinates (a demand takes its compound's, or its community's centroid).
LOCATED = ("Compound", "ServiceSite", "Demand", "Resource")
ITEM_COLUMNS = ("label", "code", "name", "numerator", "denominator", "hit", "households",
                "children", "detail")


@cache
def nodes_in_scope(label: str, scope_label: str) -> Query:
    """Every ``label`` node anchored in the ``scope_label`` node ``$scope``."""
    if scope_label not in AREAS:
        raise ValueError(f"{scope_label} 不能作为范围")
    top = f"(s:{scope_label} {{code: $scope}})"
    return Query(f"analysis_nodes_{label}_in_{scope_label}",
                 "CALL { " + " UNION ".join(downward(label, "n", top, level=scope_label)) + " } "
                 "RETURN properties(n) AS props ORDER BY n.code", plain=True)


def node_columns(label: str) -> tuple[str, ...]:
    return tuple(p.name for p in NODE_BY_LABEL[label].props)


def check_kind(label: str) -> str:
    if label not in NODE_BY_LABEL:
        raise ValueError(f"没有 {label} 这种节点类型，可用：{'、'.join(NODE_BY_LABEL)}")
    return label


def node_table(store: Store, label: str, scope_label: str, scope_code: str,
               personal: bool = False) -> Table:
    """The ``label`` nodes of the scope, one row each, columns as the model lists them."""
    resolve_scope(store, scope_label, scope_code, None)
    columns = node_columns(check_kind(label))
    rows = store.read(nodes_in_scope(label, scope_label), scope=scope_code)
    return Table(columns, [{c: props.get(c) for c in columns} for props in
                           (masked(label, r["props"], personal) for r in rows)])


def indicator(report: IndicatorReport, key: str) -> Indicator:
    """Indicator ``key`` of the report; ValueError naming the keys there are."""
    try:
        return report.get(key)
    except KeyError:
        keys = "、".join(i.key for i in report.indicators)
        raise ValueError(f"没有指标 {key}，可用：{keys}") from None


def item_row(item: Item) -> Row:
    """One item behind an indicator as a row of ``ITEM_COLUMNS``: ``children`` joined
    by ``;``, ``detail`` as JSON text (a cell holds one value)."""
    return {"label": item.label, "code": item.code, "name": item.name,
            "numerator": item.num, "denominator": item.den, "hit": item.hit,
            "households": item.households, "children": ";".join(item.children),
            "detail": json.dumps(item.detail, ensure_ascii=False, sort_keys=True,
                                 default=str)}


def indicator_table(report: IndicatorReport, key: str) -> Table:
    """Every item behind one indicator (hits first, then the ranked gaps)."""
    ind = indicator(report, key)
    return Table(ITEM_COLUMNS, [item_row(i) for i in ind.hits + ind.gaps])


def located_rows(store: Store, label: str, scope_label: str, scope_code: str,
                 as_of: str | None = None, personal: bool = False) -> list[Row]:
    """The rows of a located kind that have coordinates (``lat``/``lon`` set)."""
    if label not in LOCATED:
        raise ValueError(f"{label} 没有坐标，GeoJSON 可导出：{'、'.join(LOCATED)}")
    if label == "Demand":
        scope = resolve_scope(store, scope_label, scope_code, as_of)
        rows: list[Row] = read_demands(store, scope_label, scope.params())
    else:
        rows = node_table(store, label, scope_label, scope_code, personal).rows
    return [r for r in rows if r.get("lat") is not None and r.get("lon") is not None]


def points(store: Store, label: str, scope_label: str, scope_code: str,
           as_of: str | None = None, personal: bool = False) -> dict[str, Any]:
    """The located ``label`` nodes of the scope as GeoJSON: what ``jinlin export table
    --format geojson`` writes and ``GET /export/<what>.geojson`` serves."""
    return geojson(label, located_rows(store, label, scope_label, scope_code, as_of, personal))


def geojson(label: str, rows: list[Row]) -> dict[str, Any]:
    """A FeatureCollection of points, coordinates ``[lon, lat]`` as RFC 7946 orders
    them; every other column is a property (``children`` lists kept as lists)."""
    features = [{"type": "Feature", "id": r["code"],
                 "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": {"label": label, **{k: v for k, v in r.items()
                                                   if k not in ("lat", "lon")}}}
                for r in rows]
    return {"type": "FeatureCollection", "features": features}
