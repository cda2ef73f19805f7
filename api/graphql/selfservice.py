"""Members' self-service (党员自助) over GraphQL: 双报到 online, 领办, tasks and duties.

A member's token names its person (``subject``; an account bound to a Person, api.accounts),
so everything here acts for that person and nobody else:

* ``reportToCommunity(community)``: 双报到 online, a ``REPORTED_TO`` with ``confirmed``
  false until the community's staff ``confirmReport`` it; the dual-reporting indicator
  counts only confirmed reports (a report written before this existed has no flag and
  counts, as it always did).
* ``claimDemand(code)`` (领办): an open demand of the member's *home* community (where it
  lives, or has a confirmed report) within the caller's scope; the claim is the same
  dispatch staff make (graph.lifecycle, the same ``ASSIGNED_TO``) and the member's
  acceptance in one transaction: a member claiming a task has taken it, so the demand
  goes straight to ``accepted``; then ``completeDemand`` (only its own tasks) and the
  resident's ``reviewDemand``.  Why not the service radius of the member's resources:
  a member's resource has no place of its own in the model (it is placed by its offerer's
  home), so the home community is the rule that can be checked.
* ``openNeeds``, ``myTasks``, ``myDuties`` (the member's 4+1 of a year) and, for staff,
  ``pendingReports``.  Red points are api.graphql.redpoints (awards and caps: graph.points);
  the result type and the member's home communities are shared with it.

Every mutation is audited once (api.graphql.auditing); scope is checked on both ends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from typing import Any

import strawberry

from api.graphql import changes, queries
from api.graphql.auditing import audited
from api.graphql.context import ApiError, Context, now, today
from api.graphql.docs import documented
from api.graphql.guard import check_end
from api.graphql.mutations import Payload
from api.graphql.reads import parse_id
from api.graphql.types import FieldError
from api.graphql.writes import existing
from api.policy import Cap
from graph import lifecycle, points
from graph.i18n import _
from graph.model import DUTIES, MEMBER
from graph.scope import in_scope, scopes_under
from graph.spine import SPINE, confirmed
from graph.store import Query, Transaction
from graph.writer import rel_key

CONFIRMED = confirmed("r")
# The communities a member calls home: where it lives, and where a report is confirmed.
HOMES = Query(
    "member_homes",
    "MATCH (p:Member {code: $member}) "
    f"RETURN [(p)-[:LIVES_IN]->(){SPINE}(c:Community) | c.code] "
    f"+ [(p)-[r:REPORTED_TO]->(c:Community) WHERE {CONFIRMED} | c.code] AS homes",
)
REPORT = Query(
    "member_report",
    "MATCH (m:Member {code: $member}) MATCH (c:Community {code: $community}) "
    "WHERE NOT EXISTS { MATCH (m)-[:REPORTED_TO]->(c) } "
    "CREATE (m)-[:REPORTED_TO {rkey: $rkey, date: $date, confirmed: false}]->(c) "
    "RETURN c.code AS code",
)
CONFIRM = Query(
    "member_report_confirm",
    "MATCH (m:Member {code: $member})-[r:REPORTED_TO]->(c:Community {code: $community}) "
    "WHERE r.confirmed = false SET r.confirmed = true RETURN c.code AS code",
)
MAX_NEEDS = 100
DUTIES_DONE = Query(
    "member_duties_done",
    "MATCH (t:DutyRecord)-[:DUTY_OF]->(:Person {code: $member}) "
    "WHERE substring(t.date, 0, 4) = $year RETURN t.duty AS duty, min(t.date) AS date",
)
_BRIEF = ("n.code AS code, coalesce(n.status, 'open') AS status, n.title AS title, "
          "n.category AS category, n.urgency AS urgency, n.created_at AS created_at, "
          "n.due AS due")


@cache
def _claimable(scope_label: str) -> Query:
    """Demand ``$code`` in the caller's scope, whoever raised it: its status and the
    communities it was raised in."""
    where = in_scope("Demand", "n", scope_label)
    return Query(f"member_claimable_in_{scope_label}",
                 f"MATCH (n:Demand {{code: $code}}) WHERE {where} "
                 "RETURN coalesce(n.status, 'open') AS status, "
                 f"{scopes_under('Demand', 'n', 'Community')} AS communities")


# The two lists of demands a member's page shows: the open ones of the scope (to claim),
# and those assigned to ``$member``; each its pattern and its extra condition.
_LISTS = {
    "open_needs": ("MATCH (n:Demand)", " AND coalesce(n.status, 'open') = 'open'"),
    "tasks": ("MATCH (n:Demand)-[:ASSIGNED_TO]->(:Person {code: $member})", ""),
}


@cache
def _briefs(kind: str, scope_label: str) -> Query:
    """One of :data:`_LISTS` in the caller's scope, oldest first, at most MAX_NEEDS."""
    match, more = _LISTS[kind]
    where = in_scope("Demand", "n", scope_label)
    return Query(f"member_{kind}_in_{scope_label}",
                 f"{match} WHERE {where}{more} "
                 f"RETURN {_BRIEF} ORDER BY n.created_at, n.code LIMIT {MAX_NEEDS}")


@cache
def _pending(scope_label: str) -> Query:
    where = in_scope("Community", "c", scope_label)
    return Query(f"member_pending_reports_in_{scope_label}",
                 "MATCH (m:Member)-[r:REPORTED_TO]->(c:Community) "
                 f"WHERE r.confirmed = false AND {where} "
                 "RETURN m.code AS member, m.name AS name, c.code AS community, "
                 "r.date AS date ORDER BY c.code, m.code")


@strawberry.type(description="一个需求的概要（DemandBrief）：待领办的，或领办了的")
class DemandBrief:
    code: str = strawberry.field(description="编码（code）")
    status: str = strawberry.field(description="状态（status）")
    title: str = strawberry.field(description="需求内容（title）")
    category: str = strawberry.field(description="类别（category）")
    urgency: int | None = strawberry.field(description="紧急程度（urgency）")
    created_at: str | None = strawberry.field(description="提出时间（createdAt）")
    due: str | None = strawberry.field(description="办结时限（due）")


@strawberry.type(description="一项年度责任（DutyDone）：“4+1”之一，及本年完成日期")
class DutyDone:
    duty: str = strawberry.field(description="责任事项（duty）")
    label: str = strawberry.field(description="中文名称（label）")
    date: str | None = strawberry.field(description="本年最早完成日期（date），未完成为空")


@strawberry.type(description="待确认的双报到（PendingReport）")
class PendingReport:
    member: strawberry.ID = strawberry.field(description="党员（member），'Person:code'")
    name: str | None = strawberry.field(description="姓名（name）")
    community: strawberry.ID = strawberry.field(description="社区（community）")
    date: str | None = strawberry.field(description="报到日期（date）")


@strawberry.type(description="记分的结果（PointsPayload）")
class PointsPayload(Payload):
    entry: str | None = strawberry.field(default=None, description="新记录的编码（entry）")


@dataclass
class Result:
    errors: list[FieldError]
    entry: str | None = None
    audit: str = "ok"


def result(errors: list[FieldError], entry: str | None = None) -> Result:
    return Result(errors, entry, "invalid" if errors else "ok")


async def _self(ctx: Context, errors: list[FieldError]) -> str | None:
    """The caller's own person, checked to be a party member.  Not a scope check: the
    account was bound to the person in its staff's scope (api.accounts), and a member
    may live outside the community it serves (双报到 is reporting there)."""
    member = ctx.caller.subject
    row = await existing(ctx, "Person", member)
    if row is None or MEMBER not in row["labels"]:
        errors.append(FieldError(field="member", message=_(
            "你的账号没有对应的党员（Person:{member}）", member=member)))
        return None
    return member


async def homes(ctx: Context, member: str) -> list[str]:
    rows = await ctx.read(HOMES, member=member)
    return sorted(set(rows[0]["homes"])) if rows else []


# mutations

async def report_to_community(ctx: Context, community: str) -> Result:
    ctx.require(Cap.REPORT_SELF)
    errors: list[FieldError] = []
    member = await _self(ctx, errors)
    code = parse_id(community, ("Community",))[1]
    await check_end(ctx, errors, "community", community, "Community", code, exclusive=False)
    if errors or member is None:
        return result(errors)
    written = await asyncio.to_thread(ctx.store.transaction, lambda tx: tx.run(
        REPORT, member=member, community=code, date=today(), rkey=rel_key("REPORTED_TO", {})))
    if not written:
        errors.append(FieldError(field="community", message=_(
            "你已向社区 {community} 报到过", community=community)))
    return result(errors)


async def confirm_report(ctx: Context, member: str, community: str) -> Result:
    ctx.require(Cap.CONFIRM_REPORTS)
    errors: list[FieldError] = []
    person = parse_id(member, ("Person",))[1]
    code = parse_id(community, ("Community",))[1]
    await check_end(ctx, errors, "member", member, MEMBER, person, exclusive=False)
    await check_end(ctx, errors, "community", community, "Community", code, exclusive=False)
    if errors:
        return result(errors)
    at = now()

    def perform(tx: Transaction) -> bool:
        if not tx.run(CONFIRM, member=person, community=code):
            return False
        points.for_event(tx, "report_confirmed", person, code, f"双报到:{code}", at,
                         ctx.caller.subject)
        return True

    if not await asyncio.to_thread(ctx.store.transaction, perform):
        errors.append(FieldError(field="member", message=_(
            "{member} 没有向社区 {community} 待确认的报到", member=member, community=community)))
    return result(errors)


async def claim_demand(ctx: Context, code: str) -> Result:
    ctx.require(Cap.CLAIM)
    errors: list[FieldError] = []
    member = await _self(ctx, errors)
    if member is None:
        return result(errors)
    rows = await ctx.read(_claimable(ctx.scope_label), code=code)
    if not rows:
        return result([FieldError(field="code", message=_("你的管辖范围内没有需求 {code}",
                                                        code=code))])
    mine = await homes(ctx, member)
    if not set(rows[0]["communities"]) & set(mine):
        return result([FieldError(field="code", message=_(
            "需求 {code} 不在你居住或已确认报到的社区（{homes}）：只能领办本社区的需求",
            code=code, homes="、".join(mine) or _("无")))])
    at = now()
    accept = lifecycle.STEPS["accept"]
    props = lifecycle.changes(accept, at, {})
    row = lifecycle.assignment(code, member, at, None)
    guard = queries.scope_guard(ctx.scope_label)

    def perform(tx: Transaction) -> bool:
        if not lifecycle.dispatch(tx, MEMBER, [row], guard, **ctx.params()):
            return False
        return lifecycle.transit(tx, accept, code, props)

    if not await asyncio.to_thread(ctx.store.transaction, perform):
        errors.append(FieldError(field="status", message=_(
            "需求 {code} 已不是待派单状态（当前为 {status}），不能领办",
            code=code, status=(await ctx.read(_claimable(ctx.scope_label),
                                               code=code))[0]["status"])))
    return result(errors)


async def open_needs(self: Any, info: strawberry.Info) -> list[DemandBrief]:
    ctx: Context = info.context
    if not ctx.caller.may(Cap.READ_ALL):
        ctx.require(Cap.CLAIM)
    rows = await ctx.read(_briefs("open_needs", ctx.scope_label))
    return [DemandBrief(**r) for r in rows]


async def my_tasks(self: Any, info: strawberry.Info) -> list[DemandBrief]:
    ctx: Context = info.context
    ctx.require(Cap.CLAIM)
    rows = await ctx.read(_briefs("tasks", ctx.scope_label), member=ctx.caller.subject)
    return [DemandBrief(**r) for r in rows]


async def my_duties(self: Any, info: strawberry.Info,
                    year: str | None = None) -> list[DutyDone]:
    """The five duties of the caller (a member) in ``year`` (default this year)."""
    ctx: Context = info.context
    ctx.require(Cap.SEE_POINTS)
    year = year or today()[:4]
    if not (len(year) == 4 and year.isdigit()):
        raise ApiError(_("year 须是年份 YYYY，收到 {year}", year=repr(year)))
    done = {r["duty"]: r["date"] for r in await ctx.read(DUTIES_DONE, member=ctx.caller.subject,
                                                             year=year)}
    return [DutyDone(duty=c.code, label=c.zh, date=done.get(c.code))
            for c in DUTIES]


async def pending_reports(self: Any, info: strawberry.Info) -> list[PendingReport]:
    ctx: Context = info.context
    ctx.require(Cap.CONFIRM_REPORTS)
    rows = await ctx.read(_pending(ctx.scope_label))
    return [PendingReport(member=strawberry.ID(f"Person:{r['member']}"), name=r["name"],
                          community=strawberry.ID(f"Community:{r['community']}"),
                          date=r["date"]) for r in rows]


def payload(out: Result) -> PointsPayload:
    return PointsPayload(errors=out.errors, entry=out.entry)


async def report_to_community_field(self: Any, info: strawberry.Info,
                                    community: strawberry.ID) -> PointsPayload:
    return payload(await audited(info.context, "report_to_community", {"community": community},
                                  lambda ctx: report_to_community(ctx, community)))


async def confirm_report_field(self: Any, info: strawberry.Info, member: strawberry.ID,
                               community: strawberry.ID) -> PointsPayload:
    args = {"member": member, "community": community}
    return payload(await audited(info.context, "confirm_report", args,
                                  lambda ctx: confirm_report(ctx, member, community)))


async def claim_demand_field(self: Any, info: strawberry.Info, code: str) -> PointsPayload:
    # published as the step it ends with (demandChanged: "accept"), once settled
    return payload(await audited(
        info.context, "claim_demand", {"code": code}, lambda ctx: claim_demand(ctx, code),
        lambda out: [] if out.errors else [changes.demand_event(code, "accept")]))


MEMBER_ARG = "党员（member），'Person:code'"


def query_fields() -> dict[str, Any]:
    return {
        "open_needs": strawberry.field(resolver=documented(open_needs), description=(
            f"范围内待派单、可领办的需求（openNeeds），按提出时间，最多 {MAX_NEEDS} 条")),
        "my_tasks": strawberry.field(resolver=documented(my_tasks), description=(
            f"派给我（党员本人）的需求（myTasks），含领办的，最多 {MAX_NEEDS} 条")),
        "my_duties": strawberry.field(resolver=documented(
            my_duties, year="年份（year），YYYY；缺省为今年"), description=(
            "我的年度“4+1”责任（myDuties）：五项各自本年的完成日期（党员本人）")),
        "pending_reports": strawberry.field(resolver=documented(pending_reports), description=(
            "范围内待确认的双报到（pendingReports）")),
    }


def mutation_fields() -> dict[str, Any]:
    return {
        "report_to_community": strawberry.mutation(resolver=documented(
            report_to_community_field, community="报到的社区（community），'Community:code'"),
            description="双报到（reportToCommunity）：党员本人向社区报到，待社区确认"),
        "confirm_report": strawberry.mutation(resolver=documented(
            confirm_report_field, member=MEMBER_ARG,
            community="社区（community），'Community:code'"),
            description="确认双报到（confirmReport）：社区工作人员确认党员的报到，并按规则记分"),
        "claim_demand": strawberry.mutation(resolver=documented(
            claim_demand_field, code="需求的编码（code）"), description=(
            "领办（claimDemand）：党员本人领办本社区一个待派单的需求，open → accepted")),
    }
