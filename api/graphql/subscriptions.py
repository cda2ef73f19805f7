"""The Subscription root: the app's change events (api.events) as each subscriber may see them.

``demandChanged(within)`` hears every demand change (api.graphql.changes), ``alertRaised(within)``
every event of topic "alert".  An event only names a node; before anything is sent the
node is read again *as the subscriber*, with the query ``node(id:)`` uses
(api.graphql.queries.by_codes: the caller's scope, a resident's own demands) and built as
every read builds it (personal data masked); with ``within`` it must lie in that area too,
as a connection's ``within`` narrows it.  An event whose node the subscriber cannot see
(another community's demand, a deleted one, a label the role does not read) is dropped
without a trace: the subscriber learns nothing of it.

A socket's context lives as long as the socket (api.http.sockets), so each event is read
with fresh loaders (a loader caches what it read) under its own deadline, the one a
request gets.  A subscriber that cannot keep up loses the oldest events (api.events): the
next payload says so (``lagged``), and the client re-reads what it shows.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from functools import cache
from types import GenericAlias
from typing import Any

import strawberry

from api.events import Event
from api.graphql import changes, queries, types
from api.graphql.context import ApiError, Context
from api.graphql.docs import documented
from api.graphql.reads import parse_id
from api.graphql.registry import registry
from api.policy import reads
from graph.i18n import _
from graph.model import NODE_BY_LABEL
from graph.spine import AREAS
from graph.store import StoreTimeout, StoreUnavailable, deadline

ALERT_TOPIC = "alert"  # what the alert evaluator publishes (label "Alert")
Row = dict[str, Any]


async def _read(ctx: Context, event: Event, area: tuple[str, str] | None) -> Row | None:
    """The event's node as the subscriber sees it (in ``area`` when given), or None."""
    ctx.loaders.clear()  # nothing read for an earlier event answers this one
    if area is None:
        query, extra = queries.by_codes(event.label, ctx.scope_label), {}
    else:
        query = queries.within_codes(event.label, ctx.scope_label, area[0])
        extra = {"within": area[1]}
    with deadline(ctx.settings.request_timeout):
        rows = await ctx.read(query, codes=[event.code], **extra)
    return rows[0] if rows else None


async def watch(ctx: Context, topic: str,
                within: str | None) -> AsyncIterator[tuple[Event, Row, bool]]:
    """The events of ``topic`` whose node the caller sees: (event, its node's row,
    whether events were lost before it).  Subscribed on the app's bus until the
    subscription ends, however it ends."""
    area = parse_id(within, AREAS) if within else None
    if ctx.events is None:
        raise ApiError(_("这个服务没有开启变更订阅"))
    sub = ctx.events.subscribe(frozenset({topic}))
    dropped = 0
    try:
        async for event in sub.events():
            if event.label not in NODE_BY_LABEL or not reads(ctx.caller.role, event.label):
                continue  # a label this build does not know (not merged yet), or not read
            try:
                row = await _read(ctx, event, area)
            except (StoreTimeout, StoreUnavailable):
                sub.dropped += 1  # the subscriber is told, as for a full queue
                continue
            if row is None:
                continue
            lagged, dropped = sub.dropped > dropped, sub.dropped
            yield event, row, lagged
    finally:
        ctx.events.unsubscribe(sub)


@cache
def payloads() -> tuple[type, type]:
    """The payload types (they name the generated Demand type, built on first use)."""

    @strawberry.type(name="DemandChange", description="一条需求变更（DemandChange）。")
    class DemandChange:
        change: str = strawberry.field(description=(
            "发生了什么（change）：raised 点单、created/updated/deleted 增改删，"
            "或流转的一步：dispatch、accept、complete、review"))
        at: str = strawberry.field(description="变更时间（at），YYYY-MM-DDTHH:MM:SS")
        lagged: bool = strawberry.field(description=(
            "为 true 表示此前有变更因接收过慢被丢弃（lagged），请重新查询需求列表"))
        demand: Any = strawberry.field(graphql_type=registry().ref("Demand"), description=(
            "变更后的需求（demand），按订阅者的范围读取"))

    @strawberry.type(name="AlertChange", description="一条预警变更（AlertChange）。")
    class AlertChange:
        change: str = strawberry.field(description="发生了什么（change），如 raised、cleared")
        at: str = strawberry.field(description="变更时间（at），YYYY-MM-DDTHH:MM:SS")
        lagged: bool = strawberry.field(description=(
            "为 true 表示此前有变更因接收过慢被丢弃（lagged），请重新查询预警列表"))
        code: str = strawberry.field(description="节点的编码（code）")
        label: str = strawberry.field(description="节点的类型（label），如 Alert")
        node: types.Node = strawberry.field(description=(
            "变更的节点（node），按订阅者的范围读取；用 ... on Alert 取其字段"))
        # Once graph/model.py has the Alert label, the typed field is this one line:
        # alert: Any = strawberry.field(graphql_type=registry().ref("Alert") | None,
        #     resolver=lambda self: self.node if self.label == "Alert" else None,
        #     description="预警（alert）")

    return DemandChange, AlertChange


async def demand_changed(self: Any, info: strawberry.Info,
                         within: strawberry.ID | None = None) -> AsyncGenerator[Any, None]:
    """Every change of a demand the caller sees, as it happens."""
    ctx: Context = info.context
    ctx.require_read(changes.LABEL)
    demand_change = payloads()[0]
    async for event, row, lagged in watch(ctx, changes.TOPIC, within):
        yield demand_change(change=event.change, at=event.at, lagged=lagged,
                            demand=types.build_node(ctx, event.label, row))


async def alert_raised(self: Any, info: strawberry.Info,
                       within: strawberry.ID | None = None) -> AsyncGenerator[Any, None]:
    """Every alert event whose node the caller sees, as it happens."""
    ctx: Context = info.context
    alert_change = payloads()[1]
    async for event, row, lagged in watch(ctx, ALERT_TOPIC, within):
        yield alert_change(change=event.change, at=event.at, lagged=lagged, code=event.code,
                           label=event.label, node=types.build_node(ctx, event.label, row))


WITHIN = "只要这个区域（within，如 Community:M1）里的，须在调用者范围内；缺省为整个范围"


def subscription_fields() -> dict[str, Any]:
    demand_change, alert_change = payloads()
    demand_changed.__annotations__["return"] = GenericAlias(AsyncGenerator, (demand_change, None))
    alert_raised.__annotations__["return"] = GenericAlias(AsyncGenerator, (alert_change, None))
    return {
        "demand_changed": strawberry.subscription(
            resolver=documented(demand_changed, within=WITHIN), description=(
                "需求变更（demandChanged）：调用者范围内的需求每次点单、流转、修改时推送一条；"
                "居民只收到自己的需求")),
        "alert_raised": strawberry.subscription(
            resolver=documented(alert_raised, within=WITHIN), description=(
                "预警变更（alertRaised）：调用者范围内的预警每次产生或变化时推送一条")),
    }
