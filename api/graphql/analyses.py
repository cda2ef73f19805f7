"""GraphQL fields for the analyses: indicators, coverage gaps, matching, network structure.

Each field takes an optional ``scope`` ("Label:code" of a county, street, community, grid
or compound; default the caller's own scope).  The requested scope must lie inside the
caller's, checked in Cypher with the same scope predicate as every other read; the
analyses then read only inside it, once, into the projection (analysis.projection) that
answers the next analyses of that scope until a write changes the store.  Residents get
none of these.  The analyses run on the bounded analysis pool (api.graphql.pools: they
are synchronous and may take seconds at city scale); a request holds at most one of them
(api.graphql.cost) and, when every slot is taken, is refused at once with BUSY rather
than queued behind the others.  What they follow out of the scope (posts elsewhere,
workplaces, hosts) is redacted from the answer before it leaves (api.graphql.redact),
and matching only uses resources and takers the caller may see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from analysis import projection, tally
from analysis.gaps import gaps_from
from analysis.indicators import IndicatorReport, Options
from analysis.matching import Assignment, MatchPlan, write_plan
from api.graphql import changes, pools, reads, redact
from api.graphql.auditing import audited
from api.graphql.context import ApiError, Context
from api.graphql.docs import documented
from api.graphql.redact import OUTSIDE, Ref
from api.graphql.results import (
    Dispatch,
    GapList,
    IndicatorFigure,
    IndicatorTable,
    MatchResult,
    NetworkEdge,
    NetworkGraph,
    NetworkNode,
    NetworkStructure,
    NodeScore,
    UnmatchedDemand,
    indicator_list,
)
from api.policy import Cap
from graph.i18n import _
from graph.model import rel_kind
from graph.spine import AREAS


def _item(row: tally.Item, visible: set[Ref]) -> tally.Item:
    shown = redact.ref(row.label, row.code) in visible
    return replace(row, code=row.code if shown else OUTSIDE, name=row.name if shown else None,
                   detail=redact.redact_detail(row.detail, visible))


async def _visible_items(ctx: Context, items: list[tally.Item], more: Iterable[Ref] = ()
                         ) -> set[Ref]:
    """The nodes the caller may see among those the items (and their details) name,
    and ``more``: one check per label."""
    refs = {redact.ref(i.label, i.code) for i in items}
    refs.update(r for i in items for r in redact.detail_refs(i.detail))
    refs.update(more)
    return await redact.seen(ctx, refs)


def _figure(ind: tally.Indicator, limit: int, visible: set[Ref]) -> IndicatorFigure:
    extra = {**ind.extra, **{k: redact.redact_detail(ind.extra[k], visible, k)
                             for k in redact.EXTRA_NODES if k in ind.extra}}
    return IndicatorFigure(**{
        **vars(ind), "extra": extra, "hits": [_item(i, visible) for i in ind.hits[:limit]],
        "gaps": [_item(i, visible) for i in ind.gaps[:limit]],
        "hit_count": len(ind.hits), "gap_count": len(ind.gaps)})


async def _scope(info: strawberry.Info, scope: str | None) -> tuple[str, str]:
    return await analysis_scope(info.context, scope)


async def analysis_scope(ctx: Context, scope: str | None) -> tuple[str, str]:
    """The analysis scope, refused unless it lies inside the caller's scope (the
    console's report downloads ask the same)."""
    ctx.require(Cap.RUN_ANALYSES)
    if scope is None:
        return ctx.scope_label, ctx.scope_code
    label, sep, code = scope.partition(":")
    if not sep or label not in AREAS or not code:
        raise ApiError(_("scope 须写成 类型:编码，类型为 {labels} 之一，收到 {scope}",
                         labels=", ".join(AREAS), scope=repr(scope)))
    await ctx.require_within(label, code, scope)
    return label, code


async def _run(fn: Any, *args: Any, **kw: Any) -> Any:
    """``fn`` on the analysis pool of the request."""
    pool = pools.current()
    try:
        return await pool.analysis(fn, *args, **kw)
    except pools.PoolFull:
        raise ApiError(_("分析任务繁忙，请稍后再试（同时最多运行 {workers} 个分析、"
                         "排队 {queue} 个，现已占满）", workers=pool.workers, queue=pool.queue),
                       code="BUSY") from None
    except ValueError as exc:  # bad as-of dates, unknown scope labels …
        raise ApiError(str(exc), code="INVALID_INPUT") from exc


async def _projected(ctx: Context, fn: Any, *args: Any, **kw: Any) -> Any:
    """``fn``, a function of analysis.projection, on the analysis pool, with the write
    generation this request already read (api.kept) instead of reading it again."""
    now = await pools.current().read(ctx.seen.now, ctx.store)
    return await _run(fn, ctx.store, *args, now=now, **kw)


async def _report(info: strawberry.Info, scope: str | None, as_of: str | None,
                  overload_threshold: int, walk_m: float, keys: list[str] | None = None
                  ) -> IndicatorReport:
    """The scope's report; with ``keys``, it may hold only those and others that need
    no demands (analysis.projection: the map's gaps need not wait for a demand's step)."""
    label, code = await _scope(info, scope)
    ctx: Context = info.context
    options = Options(overload_threshold=overload_threshold, walk_m=walk_m)
    report: IndicatorReport = await _projected(
        ctx, projection.indicators, label, code, as_of, options,
        keys=None if keys is None else frozenset(keys))
    return report


async def indicators(
    info: strawberry.Info, scope: str | None = None, as_of: str | None = None,
    keys: list[str] | None = None, overload_threshold: int = 3, walk_m: float = 1000.0,
    item_limit: int = 50,
) -> IndicatorTable:
    """The DOMAIN.md indicator table with drill-down and per-child-scope figures."""
    report = await _report(info, scope, as_of, overload_threshold, walk_m, keys)
    rows = [i for i in report.indicators if keys is None or i.key in keys]
    limit = max(0, min(item_limit, 500))
    visible = await _visible_items(
        info.context, [x for i in rows for x in i.hits[:limit] + i.gaps[:limit]],
        [r for i in rows for k in redact.EXTRA_NODES for r in redact.detail_refs(i.extra.get(k))])
    return IndicatorTable(scope=f"{report.scope.label}:{report.scope.code}",
                          as_of=report.scope.as_of,
                          indicators=[_figure(i, limit, visible) for i in rows])


async def coverage_gaps(
    info: strawberry.Info, scope: str | None = None, as_of: str | None = None,
    walk_m: float = 1000.0, item_limit: int = 50,
) -> list[GapList]:
    """Every indicator's gap list, ranked by households affected (largest first)."""
    report = await _report(info, scope, as_of, 3, walk_m)
    gaps = gaps_from(report, walk_m)
    by_key = {i.key: i for i in report.indicators}
    limit = max(0, min(item_limit, 500))
    visible = await _visible_items(info.context, [
        x for items in gaps.lists.values() for x in items[:limit]])
    return [GapList(key=key, title=by_key[key].title, zh=by_key[key].zh, total=len(items),
                    items=[_item(i, visible) for i in items[:limit]])
            for key, items in gaps.lists.items()]


def _taker(a: Assignment) -> Ref | None:
    return redact.ref(a.offerer_label, a.offerer) if a.offerer and a.offerer_label else None


async def _match_result(ctx: Context, plan: MatchPlan, dispatched: list[str]) -> MatchResult:
    """The plan as the caller sees it.  Its candidates were filtered (redact.admit), so
    this only guards that nothing outside the scope is ever named."""
    named: set[Ref] = {t for a in plan.assignments if (t := _taker(a))}
    named.update(("Resource", a.resource) for a in plan.assignments)
    named.update(("Demand", a.demand) for a in plan.assignments)
    named.update(("Demand", u.demand) for u in plan.unmatched)
    visible = await redact.seen(ctx, named)

    def code(label: str, value: str) -> str:
        return value if (label, value) in visible else OUTSIDE

    def taker(a: Assignment) -> str | None:
        t = _taker(a)
        return redact.show(t, visible) if t else None

    return MatchResult(**{
        **vars(plan),
        "assignments": [Dispatch(**{**vars(a), "demand": code("Demand", a.demand),
                                    "resource": code("Resource", a.resource),
                                    "distance_m": round(a.distance_m, 1)}, taker=taker(a))
                        for a in plan.assignments],
        "unmatched": [UnmatchedDemand(**{**vars(u), "demand": code("Demand", u.demand)})
                      for u in plan.unmatched],
        "total_distance_m": round(plan.total_distance_m, 1), "dispatched": dispatched})


async def match_plan(info: strawberry.Info, scope: str | None = None,
                     radius_m: float | None = None, k: int = 20,
                     as_of: str | None = None) -> MatchResult:
    """Open demands matched to resources (min-cost flow); nothing is written.  ``asOf``
    keeps the demands raised by that day; statuses and capacity in use are today's."""
    label, code = await _scope(info, scope)
    ctx: Context = info.context
    plan = await _projected(ctx, projection.match_demands, label, code, as_of,
                            radius=radius_m, k=max(1, min(k, 100)), admit=redact.admit(ctx))
    return await _match_result(ctx, plan, [])


async def dispatch_matches(info: strawberry.Info, scope: str | None = None,
                           radius_m: float | None = None, k: int = 20,
                           demands: list[str] | None = None) -> MatchResult:
    """Match open demands and write the plan as dispatches, in one audited transaction;
    with ``demands``, only the plan's assignments of those demands are written (staff
    review the plan and dispatch some of it).  The answer is the whole plan, and
    ``dispatched`` says which were written."""

    async def work(ctx: Context) -> MatchResult:
        ctx.require(Cap.DISPATCH)
        label, code = await _scope(info, scope)
        # read through the service's own store, not the audited copy that writes: the
        # projection keeps one entry per store, and a copy's would be cold every time
        plan = await _projected(info.context, projection.match_demands, label, code, None,
                                radius=radius_m, k=max(1, min(k, 100)), admit=redact.admit(ctx))
        wanted = None if demands is None else set(demands)
        chosen = plan if wanted is None else replace(plan, assignments=[
            a for a in plan.assignments if a.demand in wanted])
        written = await _run(write_plan, ctx.store, chosen)
        return await _match_result(ctx, plan, list(written.dispatched))

    arguments = {"scope": scope, "radius_m": radius_m, "k": k, "demands": demands}
    return await audited(info.context, "dispatchMatches", arguments, work,
                         lambda result: changes.dispatched(result.dispatched))


async def network_structure(info: strawberry.Info, scope: str | None = None,
                            as_of: str | None = None,
                            overload_threshold: int = 3) -> NetworkStructure:
    """The co-operation network of the scope (people, party orgs, units, firms,
    committees) and its weak points."""
    label, code = await _scope(info, scope)
    ctx: Context = info.context
    rep = await _projected(ctx, projection.network_report, label, code, as_of,
                           threshold=overload_threshold)
    def show(n: tuple[str, str]) -> NetworkNode:
        shown = redact.ref(*n) in seen
        return NetworkNode(id=redact.show(redact.ref(*n), seen), label=n[0],
                           name=rep.names.get(n) if shown else None)

    def only_seen(nodes: list[tuple[str, str]]) -> list[NetworkNode]:  # plain lists: left out
        return [show(n) for n in nodes if redact.ref(*n) in seen]

    # each list of the report: the nodes it names, and how it is shown once checked;
    # only the lists the selection holds are checked and built: a county's co-building
    # groups name every person in it (7,404 scope checks, half a second) and its
    # betweenness every person and unit (6,873 rows, 40 ms a request to build and drop)
    # for a page that shows the weak points only
    lists: dict[str, tuple[list[tuple[str, str]], Callable[[], list[Any]]]] = {
        "isolated_orgs": (rep.isolated_orgs, lambda: only_seen(rep.isolated_orgs)),
        "articulation_people": (rep.articulation_people,
                                lambda: only_seen(rep.articulation_people)),
        "bridges": ([n for e in rep.bridges for n in e],
                    lambda: [[show(a), show(b)] for a, b in rep.bridges]),
        "overloaded": ([n for n, _ in rep.overloaded],
                       lambda: [NodeScore(node=show(n), value=posts)
                                for n, posts in rep.overloaded]),
        "betweenness": ([n for n, _ in rep.betweenness],
                        lambda: [NodeScore(node=show(n), value=score)
                                 for n, score in rep.betweenness]),
        "cobuilding_communities": ([n for g in rep.cobuilding_communities for n in g],
                                   lambda: [group for group in (
                                       only_seen(g) for g in rep.cobuilding_communities)
                                       if group])}
    asked = {field for field in lists if reads.asks_for(info, to_camel_case(field))}
    seen = await redact.seen(ctx, {redact.ref(*n) for field in asked for n in lists[field][0]})
    return NetworkStructure(**{**vars(rep), **{
        field: make() if field in asked else [] for field, (_nodes, make) in lists.items()}})


MAX_GRAPH_NODES = 2000  # a picture a person can read; a county's network is not one


async def network_graph(info: strawberry.Info, scope: str | None = None,
                        as_of: str | None = None) -> NetworkGraph:
    """The co-operation network itself, to draw: the nodes the caller may see and the
    edges between them (one community's network; a larger one is refused)."""
    label, code = await _scope(info, scope)
    ctx: Context = info.context
    graph = await _projected(ctx, projection.network_graph, label, code, as_of)
    if graph.number_of_nodes() > MAX_GRAPH_NODES:
        raise ApiError(_("{scope} 的共建网络有 {n} 个节点，超过画图上限 {most}：请选择更小的范围"
                         "（如一个社区）", scope=f"{label}:{code}",
                         n=graph.number_of_nodes(), most=MAX_GRAPH_NODES), code="NETWORK_TOO_LARGE")
    seen = await redact.seen(ctx, {redact.ref(*n) for n in graph.nodes})
    shown = {n for n in graph.nodes if redact.ref(*n) in seen}

    def gid(n: tuple[str, str]) -> str:
        return f"{n[0]}:{n[1]}"

    return NetworkGraph(
        scope=f"{label}:{code}",
        nodes=[NetworkNode(id=gid(n), label=n[0], name=graph.nodes[n].get("name"))
               for n in sorted(shown)],
        edges=sorted((NetworkEdge(source=gid(a), target=gid(b), type=data["type"],
                                  role=data.get("role"))
                      for a, b, data in (_oriented(*edge) for edge in graph.edges(data=True))
                      if a in shown and b in shown),
                     key=lambda e: (e.source, e.target)))


Node = tuple[str, str]  # (label, code), as the network names its nodes


def _oriented(a: Node, b: Node, data: dict[str, Any]) -> tuple[Node, Node, dict[str, Any]]:
    """An edge of the (undirected) network the way its relationship runs in the model
    (a person HOLDS_POST in an organisation, not the reverse); where the model allows
    both ways (a party organisation MEMBER_OF another), in code order: the same answer
    whichever way the store handed the edge over."""
    kind = rel_kind(data["type"])
    forward, backward = kind.allows(a[0], b[0]), kind.allows(b[0], a[0])
    if backward and (not forward or b < a):
        return b, a, data
    return a, b, data


def query_fields() -> dict[str, Any]:
    return {
        "indicators": strawberry.field(resolver=documented(indicators), description=(
            "指标表（indicators）：分子、分母、比率、明细和下一级各区域的数字。指标及其定义（按缺省"
            "参数）：" + indicator_list())),
        "coverage_gaps": strawberry.field(resolver=documented(coverage_gaps), description=(
            "各指标的缺口清单（coverageGaps），按受影响户数从多到少")),
        "match_plan": strawberry.field(resolver=documented(
            match_plan, as_of="只计这一天（asOf，YYYY-MM-DD，缺省今天）以前提出的需求；状态和"
            "已用能力按今天"), description=(
            "待派单需求与资源的匹配方案（matchPlan，最小费用流），不写入")),
        "network_structure": strawberry.field(resolver=documented(network_structure),
                                              description=(
            "范围内共建网络的结构（networkStructure）：连通分量、孤立组织、关键人员、桥、一人多岗、"
            "中介中心度、共建社群")),
        "network_graph": strawberry.field(resolver=documented(network_graph), description=(
            "范围内共建网络本身（networkGraph）：看得到的节点和边，供画图；最多 "
            f"{MAX_GRAPH_NODES} 个节点，宜按社区查询")),
    }


def mutation_fields() -> dict[str, Any]:
    return {"dispatch_matches": strawberry.mutation(resolver=documented(
        dispatch_matches, demands="只派方案中这些需求（demands，编码）；缺省派整个方案"),
                                                    description=(
        "匹配待派单需求并把方案写成派单（dispatchMatches），在一个审计过的事务里"))}


run_analysis = _run  # the export endpoint (api.http.export) runs indicators the same way


async def redacted_items(ctx: Context, items: list[tally.Item]) -> list[tally.Item]:
    """``items`` as the ``indicators`` field shows them: what lies outside the caller's
    scope named ``OUTSIDE`` (the export endpoint writes them to a file)."""
    visible = await _visible_items(ctx, items)
    return [_item(i, visible) for i in items]
