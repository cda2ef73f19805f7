"""Resource-to-demand matching (资源-需求对接) as a min-cost flow.

Open demands of a scope are matched to resources of the same category within range,
honouring capacities, maximising the urgency-weighted number of matches and, among
plans that do, minimising the total distance.  Candidates come from a KD-tree (the ``k``
nearest resources of the category within range, great-circle metres), the flow is
solved by OR-tools ``SimpleMinCostFlow`` (NetworkX's solvers are ~90× slower; see
PERFORMANCE-NOTES).

Model: source → demand (capacity 1) → resource (capacity 1, cost ``distance −
urgency·BIG``) → sink (capacity = free capacity), plus a zero-cost source → sink bypass
so unmatched supply is allowed.  ``BIG`` exceeds any possible total distance, so one
more unit of urgency always beats any saving in metres (a lexicographic objective).

Choices: a demand's location is its compound's (a demand raised in a community, at the
centroid of the community's located compounds); a resource's range is ``radius`` when
given, else its ``radius_m``, else ``default_radius_m``; a missing capacity is 1, and
capacity already taken by dispatched/accepted demands assigned from that resource is
subtracted; demands without urgency weigh 1.

Black-listed firms (红黑榜): a resource offered by a firm whose current ``list_status`` is
``black`` stays a candidate, and its assignment carries the flag ``black_listed``
(``Assignment.flags``), shown in the plan and the console's match review.  It is
flagged, not excluded: the list judges a firm's property service, and a resource it
offers may be the only one in range; staff decide when they review the plan (only the
demands they tick are dispatched), and a firm is no taker of dispatches anyway
(``write_plan`` skips it), so nothing is sent to it unseen.

``admit`` restricts the candidates before anything is solved: the API passes the
caller's scope, so only resources the caller may see, offered by takers the caller
may see, enter the plan.  What ``matchPlan`` shows and what ``dispatchMatches``
writes are then the same plan, and neither names a node outside the caller's scope.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree

from analysis import queries as q
from analysis.fetch import Row, Scope, read_demands, resolve_scope
from analysis.geo import EARTH_RADIUS_M, arc_metres, chord, unit_vectors
from graph import lifecycle
from graph.i18n import N_, _, translate
from graph.model import MEMBER
from graph.store import Store, Transaction

# why a demand stays unmatched (``Unmatched.reason``, in the language in force)
NO_RESOURCE = N_("服务半径内没有该类别的资源")
EXHAUSTED = N_("可用资源的容量已用完")
NO_LOCATION = N_("需求没有位置（所在小区或社区没有坐标）")


@dataclass
class Assignment:
    demand: str
    resource: str
    offerer_label: str | None
    offerer: str | None
    category: str
    urgency: int
    distance_m: float
    flags: list[str] = field(default_factory=list)  # warnings for the reviewer (FLAGS)


# What an assignment may be flagged with (``Assignment.flags``): its resource is offered by
# a property firm on the black list (红黑榜, graph.ratings).
BLACK_LISTED = "black_listed"
FLAGS = (BLACK_LISTED,)


def flags(resource: Row) -> list[str]:
    """The flags of an assignment drawing on ``resource``: black-listed when any of its
    offerers is a firm whose current ``list_status`` is black."""
    black = any(o.get("list_status") == "black" for o in resource.get("offerers") or [])
    return [BLACK_LISTED] if black else []


@dataclass
class Unmatched:
    demand: str
    category: str
    urgency: int
    reason: str
    candidates: list[str] = field(default_factory=list)


@dataclass
class MatchPlan:
    scope_label: str
    scope_code: str
    assignments: list[Assignment]
    unmatched: list[Unmatched]
    candidate_pairs: int
    urgency_served: int
    total_distance_m: float


def match_demands(
    store: Store,
    scope_label: str,
    scope_code: str,
    radius: float | None = None,
    k: int = 20,
    default_radius_m: float = 1000.0,
    as_of: str | None = None,
    admit: Callable[[list[Row]], list[Row]] | None = None,
    extra: list[Row] | None = None,
) -> MatchPlan:
    """Plan the dispatch of every open demand of the scope (nothing is written); only
    the resource rows ``admit`` keeps (with the offerers it keeps) are candidates.

    ``extra`` resource rows (code, category, capacity, lat, lon, radius_m: a what-if,
    ``analysis.whatif``) join the stored ones, unused and offered by nobody."""
    scope = resolve_scope(store, scope_label, scope_code, as_of)
    return plan_over(store, scope, read_demands(store, scope_label, scope.params()),
                     radius=radius, k=k, default_radius_m=default_radius_m, admit=admit,
                     extra=extra)


def plan_over(
    store: Store,
    scope: Scope,
    raised: list[Row],
    radius: float | None = None,
    k: int = 20,
    default_radius_m: float = 1000.0,
    admit: Callable[[list[Row]], list[Row]] | None = None,
    extra: list[Row] | None = None,
) -> MatchPlan:
    """:func:`match_demands` over the demands ``raised`` in ``scope`` (as
    ``analysis.fetch.read_demands`` reads them; not changed here): the projection
    (``analysis.projection``) passes the ones it holds, and a store that answers the
    resource reads from memory."""
    scope_label, scope_code = scope.label, scope.code
    demands = [r for r in raised if (r["status"] or lifecycle.OPEN) == lifecycle.OPEN]
    categories = sorted({d["category"] for d in demands})
    located = [(d["lat"], d["lon"]) for d in demands
               if d["lat"] is not None and d["lon"] is not None]
    resources: list[Row] = []
    if categories and located:
        if radius is None:
            own = [r["m"] for r in store.read(q.RESOURCES_MAX_RADIUS)
                   if r["category"] in categories and r["m"] is not None]
            reach = max([float(m) for m in own] + [default_radius_m])
        else:
            reach = float(radius)
        resources = store.read(q.RESOURCES, categories=categories,
                               **reach_box([p[0] for p in located], [p[1] for p in located],
                                           reach))
    if admit is not None and resources:
        resources = admit(resources)
    if resources:
        in_use = {r["code"]: r["n"] for r in store.read(q.RESOURCES_IN_USE,
                                                          holding=list(lifecycle.HOLDING))}
        for r in resources:
            r["in_use"] = in_use.get(r["code"], 0)
    clash = sorted({r["code"] for r in resources} & {r["code"] for r in extra or ()})
    if clash:
        raise ValueError(f"额外资源的编码与已有资源重复：{'、'.join(clash)}")
    resources += [{**r, "offerers": [], "in_use": 0} for r in extra or ()
                  if r["category"] in categories]
    return solve(scope_label, scope_code, demands, resources, radius, k, default_radius_m)


def reach_box(lats: list[float], lons: list[float], reach_m: float) -> dict[str, float]:
    """``lat_min … lon_max`` of the points expanded by ``reach_m`` great-circle metres,
    with a 1 % margin: every place within ``reach_m`` of a point lies inside.  Near a
    pole or across the antimeridian the box falls back to all longitudes."""
    d = reach_m * 1.01 / EARTH_RADIUS_M  # radians
    lat_min = max(-90.0, min(lats) - math.degrees(d))
    lat_max = min(90.0, max(lats) + math.degrees(d))
    # within angular distance d of latitude φ, |Δλ| ≤ asin(sin d / cos φ)
    widest = max(abs(min(lats)), abs(max(lats)))
    cos_phi = math.cos(math.radians(widest))
    if d >= math.pi / 2 or math.sin(d) >= cos_phi:
        return {"lat_min": lat_min, "lat_max": lat_max, "lon_min": -180.0, "lon_max": 180.0}
    dlon = math.degrees(math.asin(math.sin(d) / cos_phi))
    lon_min, lon_max = min(lons) - dlon, max(lons) + dlon
    if lon_min < -180.0 or lon_max > 180.0:
        lon_min, lon_max = -180.0, 180.0
    return {"lat_min": lat_min, "lat_max": lat_max, "lon_min": lon_min, "lon_max": lon_max}


def solve(
    scope_label: str,
    scope_code: str,
    demands: list[Row],
    resources: list[Row],
    radius: float | None = None,
    k: int = 20,
    default_radius_m: float = 1000.0,
) -> MatchPlan:
    """The matching over plain rows (demands: code, category, urgency, lat, lon;
    resources: code, category, capacity, lat, lon, radius_m, offerers, in_use)."""
    by_cat: dict[str, list[Row]] = defaultdict(list)
    for r in resources:
        by_cat[r["category"]].append(r)
    pairs: list[tuple[int, int, float]] = []  # (demand index, resource index, metres)
    res_index = {r["code"]: i for i, r in enumerate(resources)}
    located = [i for i, d in enumerate(demands) if d["lat"] is not None and d["lon"] is not None]
    for cat, pool in by_cat.items():
        idx = [i for i in located if demands[i]["category"] == cat]
        if not idx:
            continue
        reach = np.array([radius if radius is not None else
                          (r["radius_m"] if r["radius_m"] is not None else default_radius_m)
                          for r in pool], dtype=float)
        tree = cKDTree(unit_vectors(np.array([r["lat"] for r in pool], dtype=float),
                                    np.array([r["lon"] for r in pool], dtype=float)))
        pts = unit_vectors(np.array([demands[i]["lat"] for i in idx], dtype=float),
                           np.array([demands[i]["lon"] for i in idx], dtype=float))
        kk = min(k, len(pool))
        dist, nbr = tree.query(pts, k=kk, distance_upper_bound=float(chord(reach.max())))
        dist, nbr = np.asarray(dist).reshape(len(idx), kk), np.asarray(nbr).reshape(len(idx), kk)
        metres = arc_metres(np.where(np.isinf(dist), 4.0, dist))
        for row, di in enumerate(idx):
            for col in range(kk):
                j = int(nbr[row, col])
                if j < len(pool) and metres[row, col] <= reach[j]:
                    pairs.append((di, res_index[pool[j]["code"]], float(metres[row, col])))
    return _flow(scope_label, scope_code, demands, resources, pairs, set(located))


def _capacity(r: Row) -> int:
    cap = 1 if r["capacity"] is None else int(r["capacity"])
    return max(0, cap - int(r.get("in_use") or 0))


def _urgency(d: Row) -> int:
    return int(d["urgency"] or 1)


def _flow(scope_label: str, scope_code: str, demands: list[Row], resources: list[Row],
          pairs: list[tuple[int, int, float]], located: set[int]) -> MatchPlan:
    n_d, n_r = len(demands), len(resources)
    source, sink = n_d + n_r, n_d + n_r + 1
    assignments: list[Assignment] = []
    matched: set[int] = set()
    if pairs:
        pd = np.array([p[0] for p in pairs], dtype=np.int64)
        pr = np.array([p[1] for p in pairs], dtype=np.int64)
        metres = np.array([p[2] for p in pairs])
        cost_m = np.rint(metres).astype(np.int64)
        big = int(cost_m.max() + 1) * (n_d + 1)
        urg = np.array([_urgency(demands[i]) for i in pd], dtype=np.int64)
        dem = np.unique(pd)
        res = np.unique(pr)
        caps = np.array([_capacity(resources[j]) for j in res], dtype=np.int64)
        flow = min_cost_flow.SimpleMinCostFlow()
        tails = np.concatenate([np.full(len(dem), source), pd, n_d + res, [source]])
        heads = np.concatenate([dem, n_d + pr, np.full(len(res), sink), [sink]])
        capacity = np.concatenate([np.ones(len(dem) + len(pd), dtype=np.int64), caps,
                                   [len(dem)]])
        costs = np.concatenate([np.zeros(len(dem), dtype=np.int64), cost_m - urg * big,
                                np.zeros(len(res) + 1, dtype=np.int64)])
        arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacity, costs)
        flow.set_nodes_supplies(np.array([source, sink]), np.array([len(dem), -len(dem)]))
        if flow.solve() != flow.OPTIMAL:
            raise RuntimeError("the min-cost flow did not solve to optimality")
        used = flow.flows(arcs)[len(dem): len(dem) + len(pd)]
        for a in np.flatnonzero(used):
            d, r = demands[int(pd[a])], resources[int(pr[a])]
            label, code = _offerer(r)
            matched.add(int(pd[a]))
            assignments.append(Assignment(d["code"], r["code"], label, code, d["category"],
                                          _urgency(d), round(float(metres[a]), 1), flags(r)))
    cands: dict[int, list[str]] = defaultdict(list)
    for di, rj, _metres in pairs:
        cands[di].append(resources[rj]["code"])
    unmatched = [
        Unmatched(d["code"], d["category"], _urgency(d),
                  translate(NO_LOCATION if i not in located else
                            EXHAUSTED if cands.get(i) else NO_RESOURCE),
                  sorted(cands.get(i, [])))
        for i, d in enumerate(demands) if i not in matched
    ]
    assignments.sort(key=lambda a: a.demand)
    unmatched.sort(key=lambda u: (-u.urgency, u.demand))
    return MatchPlan(scope_label, scope_code, assignments, unmatched, len(pairs),
                     sum(a.urgency for a in assignments),
                     round(sum(a.distance_m for a in assignments), 1))


def _offerer(r: Row) -> tuple[str | None, str | None]:
    for o in r.get("offerers") or []:
        labels = o.get("labels") or []
        if o.get("code") is None:
            continue
        return (MEMBER if MEMBER in labels else labels[0] if labels else None), o["code"]
    return None, None


@dataclass
class DispatchResult:
    dispatched: list[str]
    skipped: list[tuple[str, str]]  # (demand, reason)


def write_plan(store: Store, plan: MatchPlan, at: str | None = None) -> DispatchResult:
    """Write the plan as dispatches in one transaction (graph.lifecycle, the same Cypher
    as the ``dispatchDemand`` mutation): each demand still open gets status
    ``dispatched`` and an ``ASSIGNED_TO`` to the resource's offerer.  Offerers the model
    does not allow as takers (social organisations, firms) are skipped.

    ``store`` commits the one transaction: an API writer passes the store
    ``api.graphql.auditing.audited`` gives its work (as ``dispatchMatches`` does), whose
    transaction writes the audit line before it commits; nothing else in the service
    calls this, and any new writer must go through that wrapper too."""
    stamp = at or dt.datetime.now().replace(microsecond=0).isoformat()
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    skipped: list[tuple[str, str]] = []
    for a in plan.assignments:
        if a.offerer_label not in lifecycle.TAKERS or a.offerer is None:
            skipped.append((a.demand, _("提供方 {label} 不能接受派单", label=a.offerer_label)))
            continue
        rows[a.offerer_label].append(lifecycle.assignment(a.demand, a.offerer, stamp,
                                                          a.resource))

    def dispatch(tx: Transaction) -> list[str]:
        return [code for label, batch in sorted(rows.items())
                for code in lifecycle.dispatch(tx, label, batch)]

    done = store.transaction(dispatch)
    missing = {a.demand for a in plan.assignments} - set(done) - {s[0] for s in skipped}
    skipped += [(m, _("需求已不是待办状态")) for m in sorted(missing)]
    return DispatchResult(sorted(done), skipped)
