"""Root query fields: node lookup, one connection per label, counts per area.

Connections page with a keyset on (sort key, code) inside the Cypher, never by
skipping rows in Python, so page N costs the same as page 1.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types.nodes import SelectedField

from api.graphql import queries, types
from api.graphql.context import ApiError, Context
from api.graphql.docs import documented
from api.graphql.registry import registry
from api.policy import Cap
from graph.i18n import _
from graph.model import NODE_BY_LABEL, NODES, Choice
from graph.spine import AREAS

LabelEnum: Any = types.make_enum("NodeLabel", {n.label: n.zh for n in NODES},
                                  "模型中的节点类型（NodeLabel）。")
LevelEnum: Any = types.make_enum("AreaLevel", {a: NODE_BY_LABEL[a].zh for a in AREAS},
                                 "行政层级（AreaLevel）：县(区)、街道(乡镇)、社区、网格、小区。")


def parse_id(gid: str, allowed: tuple[str, ...] | None = None) -> tuple[str, str]:
    label, sep, code = str(gid).partition(":")
    if not sep or not code or label not in NODE_BY_LABEL:
        raise ApiError(_("id {id} 格式不对：应写成 类型:编码，如 'Compound:C1'", id=repr(gid)))
    if allowed is not None and label not in allowed:
        raise ApiError(_("id {id} 的类型须是 {labels} 之一", id=repr(gid),
                         labels=", ".join(allowed)))
    return label, code


def filter_params(label: str, flt: Any) -> dict[str, Any]:
    kind = NODE_BY_LABEL[label]
    params: dict[str, Any] = {}
    for arg in queries.filter_args(label):
        value = getattr(flt, arg.name, None) if flt is not None else None
        if value is not None and arg.prop:
            prop = kind.prop(arg.prop)
            try:
                if isinstance(value, list):
                    value = [prop.parse(v) for v in value]
                elif arg.bound:
                    value = prop.parse(value)
                    if arg.bound == "to" and len(str(value)) == 19 and len(
                            str(getattr(flt, arg.name))) <= 10:
                        value = str(value)[:10] + "T23:59:59"  # a date bound includes its day
            except ValueError as exc:
                raise ApiError(_("filter.{name}：{reason}", name=strawberry_name(arg.name),
                                 reason=exc)) from None
        params[queries.param_name(arg)] = value
    return params


def strawberry_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


@dataclass(frozen=True)
class Shape:
    """What decides the Cypher of one connection page, besides the caller's scope."""

    label: str
    within: str | None
    sort: str
    descending: bool
    members: bool
    active: queries.Active


PROBE_SPAN = 20  # the probe reads at most this many nodes per row of the page …
PROBE_MIN = 1000  # … and at least this many (about 50 ms of scope checks on ArcadeDB)


async def page_rows(ctx: Context, shape: Shape, key: Any, code: str | None, limit: int,
                    params: dict[str, Any]) -> list[dict[str, Any]]:
    """The first ``limit`` rows past the cursor (``key``, ``code``), in order.

    Over a whole county, ascending by code, along the code index: a probe finds ``limit``
    passing codes, the window reads the page up to the farthest (two short reads, where
    walking down sorts every node of the county).  When the probe cannot tell (no row,
    or its budget ran out before ``limit`` passed: the county holds few of its first
    nodes), the walk down from the scope answers, as it does for every other shape.
    """
    s, scope = shape, ctx.scope_label
    if queries.walks_index(s.sort, s.descending, scope, s.within):
        after = code is not None
        budget = max(PROBE_SPAN * limit, PROBE_MIN)
        found = await ctx.read_kept(
            queries.index_probe(s.label, scope, s.within, s.members, s.active, after),
            after_code=code, budget=budget, limit=limit, **params)
        if found and (len(found) == limit or found[0]["scanned"] < budget):
            return await ctx.read_kept(
                queries.index_window(s.label, scope, s.within, s.members, s.active, after),
                after_code=code, upto=max(r["code"] for r in found),
                limit=limit, **params)
    return await ctx.read_kept(
        queries.page(s.label, scope, s.within, s.sort, s.descending, s.members, s.active),
        after_key=key, after_code=code, limit=limit, **params)


async def page_count(ctx: Context, shape: Shape, params: dict[str, Any]) -> int:
    """The connection's totalCount: asked for only when the selection holds it."""
    s = shape
    found = await ctx.read_kept(
        queries.total(s.label, ctx.scope_label, s.within, s.members, s.active), **params)
    return int(found[0]["n"])


async def page_tally(ctx: Context, shape: Shape, params: dict[str, Any], prop: str
                     ) -> list[types.ValueCount]:
    """The connection's totalCountBy: its nodes per value of the enum ``prop``, every
    value of the model in its order (0 when none), then any other stored value."""
    s = shape
    found = await ctx.read_kept(
        queries.total_by(s.label, prop, ctx.scope_label, s.within, s.members, s.active),
        **params)
    counts = {r["value"]: int(r["total"]) for r in found}
    return value_counts(NODE_BY_LABEL[s.label].prop(prop).choices, counts, zeros=True)


def value_counts(choices: tuple[Choice, ...], counts: dict[Any, int], zeros: bool
                 ) -> list[types.ValueCount]:
    """``counts`` per stored value, in the order of the model's ``choices`` (each with
    0 too when ``zeros``), then any value the model does not know, as stored."""
    labels: dict[Any, str | None] = {c.code: c.zh for c in choices}
    values = [*labels, *sorted((v for v in counts if v not in labels), key=str)]
    return [types.ValueCount(value=v, label=labels.get(v), count=counts.get(v, 0))
            for v in values if zeros or counts.get(v)]


def asks_for(info: strawberry.Info, name: str) -> bool:
    """Whether the resolved field's selection holds the field ``name`` (GraphQL's
    spelling), directly or inside a fragment."""
    todo: list[Any] = [s for f in info.selected_fields for s in f.selections]
    while todo:
        sel = todo.pop()
        if isinstance(sel, SelectedField):
            if sel.name == name:
                return True
        else:  # a fragment spread or an inline fragment
            todo.extend(sel.selections)
    return False


def selection(ctx: Context, label: str, within: str | None, flt: Any
              ) -> tuple[str | None, dict[str, Any], queries.Active]:
    """A connection's ``within`` (its level), its parameters and the filters it sets.

    ``within`` the caller's own scope narrows nothing and is dropped: kept, it would
    check every candidate's scope upward once more (a county's demands: 0.1–0.2 s a
    count), and a console page passes its scope as ``within`` whether or not it is the
    caller's own."""
    within_label, within_code = parse_id(within, AREAS) if within else (None, None)
    if (within_label, within_code) == (ctx.scope_label, ctx.scope_code):
        within_label = within_code = None
    params = filter_params(label, flt)
    if within_code:
        params["within"] = within_code
    active = frozenset(a.name for a in queries.filter_args(label)
                       if params[queries.param_name(a)] is not None)
    return within_label, params, active


def _connection_resolver(label: str) -> Any:
    async def resolve(
        self: Any,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        within: strawberry.ID | None = None,
        filter: Any = None,
        order_by: Any = None,
        descending: bool = False,
    ) -> Any:
        ctx: Context = info.context
        ctx.require_read(label)
        size = ctx.settings.page_size_default if first is None else first
        if not 1 <= size <= ctx.settings.page_size_max:
            raise ApiError(_("first 必须在 1 到 {top} 之间，收到 {first}",
                             top=ctx.settings.page_size_max, first=size))
        sort = order_by.value if order_by is not None else "code"
        within_label, params, active = selection(ctx, label, within, filter)
        key, code = types.decode_cursor(after) if after else (None, None)
        members = params.get("f_is_member") is True
        shape = Shape(label, within_label, sort, descending, members, active)
        # the count, when asked for, runs beside the page instead of after it
        counting = (asyncio.ensure_future(page_count(ctx, shape, params))
                    if asks_for(info, "totalCount") else None)
        # a count alone (a board's totalCountBy) reads no page
        paging = asks_for(info, "edges") or asks_for(info, "pageInfo")
        try:
            rows = await page_rows(ctx, shape, key, code, size + 1, params) if paging else []
        except BaseException:
            if counting is not None:
                counting.cancel()
            raise
        more = len(rows) > size
        edges = [
            types.edge_type(label)(
                node=types.build_node(ctx, label, row),
                cursor=types.encode_cursor(row["props"].get(sort), row["props"]["code"]),
            )
            for row in rows[:size]
        ]

        async def count() -> int:
            return await (counting if counting is not None else page_count(ctx, shape, params))

        return types.connection_type(label)(
            edges=edges,
            page_info=types.PageInfo(has_next_page=more,
                                     end_cursor=edges[-1].cursor if edges else None),
            count=count,
            tally=lambda prop: page_tally(ctx, shape, params, prop),
        )

    generated = registry()
    resolve.__annotations__.update(
        filter=generated[f"{label}Filter"] | None, order_by=generated[f"{label}SortField"] | None,
        **{"return": generated[f"{label}Connection"]},
    )
    return documented(resolve)


@strawberry.type(description="一个区域里的节点数（AreaCount）。")
class AreaCount:
    id: strawberry.ID = strawberry.field(description="区域的全局编号（id），'Label:code'")
    code: str = strawberry.field(description="区域的编码（code）")
    name: str | None = strawberry.field(description="区域的名称（name）")
    count: int = strawberry.field(description="该区域里这类节点的个数（count）")


@strawberry.type(description="一个地点（小区或社区）的需求数（PlaceCount）。")
class PlaceCount:
    id: strawberry.ID = strawberry.field(
        description="地点的全局编号（id）：需求所在的小区，不在小区的为所在社区")
    code: str = strawberry.field(description="地点的编码（code）")
    count: int = strawberry.field(description="这里的需求个数（count）")
    counts: list[types.ValueCount] = strawberry.field(
        description="按状态的需求个数（counts），按状态的顺序，只列出有的")


async def demands_by_place(self: Any, info: strawberry.Info, within: strawberry.ID | None = None,
                           filter: Any = None) -> list[PlaceCount]:
    """The demands a ``demands`` connection would list, counted per place and status in
    one read (a county's map draws its places, not its thousands of demands)."""
    ctx: Context = info.context
    ctx.require_read("Demand")
    within_label, params, active = selection(ctx, "Demand", within, filter)
    rows = await ctx.read_kept(queries.demands_by_place(ctx.scope_label, within_label, active),
                          **params)
    places: dict[str, dict[str, int]] = {}
    for r in rows:
        place = (types.global_id("Compound", min(r["compounds"])) if r["compounds"] else
                 types.global_id("Community", min(r["communities"])))
        counts = places.setdefault(place, {})
        counts[r["value"]] = counts.get(r["value"], 0) + int(r["total"])
    statuses = NODE_BY_LABEL["Demand"].prop("status").choices
    return [PlaceCount(id=strawberry.ID(place), code=place.partition(":")[2],
                       count=sum(counts.values()),
                       counts=value_counts(statuses, counts, zeros=False))
            for place, counts in sorted(places.items())]


async def node(self: Any, info: strawberry.Info, id: strawberry.ID) -> types.Node | None:
    """Any node by its global id, if the caller may see it."""
    ctx: Context = info.context
    label, code = parse_id(id)
    ctx.require_read(label)
    row = await ctx.node_loader(label).load(code)
    return None if row is None else types.build_node(ctx, label, row)


async def count_by(self: Any, info: strawberry.Info, label: LabelEnum,
                   level: LevelEnum) -> list[AreaCount]:
    """Nodes of ``label`` per area of ``level`` in the caller's scope (dashboards)."""
    ctx: Context = info.context
    ctx.require(Cap.READ_ALL)
    lab, lev = label.value, level.value
    rows = await ctx.read_kept(queries.count_by(lab, lev, ctx.scope_label))
    return [AreaCount(id=strawberry.ID(types.global_id(lev, r["code"])), code=r["code"],
                      name=r["name"], count=int(r["n"])) for r in rows]


def query_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {
        "node": strawberry.field(resolver=documented(node), description=(
            "按全局编号取任一节点（node）；不存在或不在调用者范围内时为 null")),
        "count_by": strawberry.field(resolver=documented(count_by), description=(
            "调用者范围内每个区域（按 level）里某类节点（label）的个数（countBy），供看板用")),
    }
    demands_by_place.__annotations__["filter"] = registry()["DemandFilter"] | None
    fields["demands_by_place"] = strawberry.field(
        resolver=documented(demands_by_place), description=(
            "调用者范围内的需求按地点（小区，不在小区的按社区）和状态计数（demandsByPlace），"
            "筛选同 demands，一次查询；供地图汇总显示"))
    for kind in NODES:
        fields[types.plural(kind.label)] = strawberry.field(
            resolver=_connection_resolver(kind.label),
            description=f"调用者范围内的{kind.zh}（{kind.label}），按游标分页。",
        )
    return fields
