"""Red points (红色积分) over GraphQL: awards and corrections by staff, rankings, my points.

The ledger itself (rules, caps, entries never edited) is graph.points; the automatic
awards run inside the life-cycle steps (api.graphql.demands) and ``confirmReport``
(api.graphql.selfservice).  Here: ``awardPoints(member, rule, source, note)`` for activity
rules (the entry is earned in the member's home community within the caller's scope),
``correctPoints(entry, points, reason)`` (a new entry naming the original, which stays),
``pointsRanking(within, period)`` (红榜: ties share a rank) and ``myPoints(period)``.
Every mutation is audited once; scope is checked on both ends.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry

from api.graphql import queries
from api.graphql.auditing import audited
from api.graphql.context import ApiError, Context, not_in_scope, now
from api.graphql.docs import documented
from api.graphql.guard import check_end
from api.graphql.reads import parse_id
from api.graphql.selfservice import MEMBER_ARG, PointsPayload, Result, homes, payload, result
from api.graphql.types import FieldError
from api.graphql.writes import visible
from api.policy import Cap
from graph import points
from graph.i18n import _
from graph.model import MEMBER
from graph.spine import SCOPE_LABELS


@strawberry.type(description="红榜上的一行（PointsStanding）：并列同名次，下一名次顺延（1、1、3）")
class PointsStanding:
    rank: int = strawberry.field(description="名次（rank）")
    member: strawberry.ID = strawberry.field(description="党员（member），'Person:code'")
    name: str | None = strawberry.field(description="姓名（name）")
    points: int = strawberry.field(description="积分（points）")


@strawberry.type(description="一条积分记录（PointsEntryView），记入后不再修改")
class PointsEntryView:
    code: str = strawberry.field(description="编码（code）")
    points: int = strawberry.field(description="积分（points），更正可为负")
    reason: str = strawberry.field(description="事由（reason）")
    rule: str | None = strawberry.field(description="规则编码（rule），更正为空")
    source: str | None = strawberry.field(description="来源（source）：需求编码或活动")
    at: str = strawberry.field(description="记分时间（at）")
    correction_of: str | None = strawberry.field(description="更正的记录（correctionOf）")


@strawberry.type(description="我的红色积分（MyPoints）")
class MyPoints:
    member: strawberry.ID = strawberry.field(description="党员（member），'Person:code'")
    points: int = strawberry.field(description="期内合计（points）")
    rank: int | None = strawberry.field(description="在本人范围内的名次（rank），无积分为空")
    entries: list[PointsEntryView] = strawberry.field(description="期内各条记录，按时间")


def _entry(row: dict[str, Any]) -> PointsEntryView:
    e = row["entry"]
    return PointsEntryView(code=e["code"], points=e["points"], reason=e["reason"],
                           rule=e.get("rule"), source=e.get("source"), at=e["at"],
                           correction_of=e.get("correction_of"))


async def award_points(ctx: Context, member: str, rule: str, source: str,
                       note: str | None) -> Result:
    """Staff award an activity rule to a member, earned in its home community within
    the caller's scope."""
    ctx.require(Cap.AWARD_POINTS)
    errors: list[FieldError] = []
    person = parse_id(member, ("Person",))[1]
    found = await check_end(ctx, errors, "member", member, MEMBER, person, exclusive=False)
    rules = await ctx.read(points.RULE, rule=rule)
    if not rules:
        errors.append(FieldError(field="rule", message=_("没有积分规则 {rule}", rule=rule)))
    elif rules[0]["event"] != "activity":
        errors.append(FieldError(field="rule", message=_(
            "规则 {rule} 由系统在办结、评价或确认报到时自动记分，不能手工记", rule=rule)))
    if not source.strip():
        errors.append(FieldError(field="source", message=_("必须填写")))
    if errors or found is None:
        return result(errors)
    home = await homes(ctx, person)
    seen = {r["props"]["code"] for r in await ctx.read(
        queries.by_codes("Community", ctx.scope_label), codes=home)}
    here = [c for c in home if c in seen]  # in the order of homes: the first is earned in
    if not here:
        return result([FieldError(field="member", message=_(
            "{member} 不住在你管辖范围内的社区，也没有向其中的社区报到", member=member))])
    at = now()
    code = await asyncio.to_thread(ctx.store.transaction, lambda tx: points.award(
        tx, rules[0], person, here[0], source.strip(), at, ctx.caller.subject, note))
    if code is None:
        errors.append(FieldError(field="source", message=_(
            "已为 {source} 按规则 {rule} 给 {member} 记过分", source=source, rule=rule,
            member=member)))
    return result(errors, code)


async def correct_points(ctx: Context, entry: str, delta: int, reason: str) -> Result:
    ctx.require(Cap.AWARD_POINTS)
    errors: list[FieldError] = []
    rows = await ctx.read(points.ENTRY, code=entry)
    if not rows or not await visible(ctx, "Community", rows[0]["community"]):
        errors.append(FieldError(field="entry", message=not_in_scope(f"PointsEntry:{entry}")))
    if delta == 0:
        errors.append(FieldError(field="points", message=_("更正的分值不能为 0")))
    if not reason.strip():
        errors.append(FieldError(field="reason", message=_("必须填写")))
    if errors:
        return result(errors)
    at = now()
    code = await asyncio.to_thread(ctx.store.transaction, lambda tx: points.correct(
        tx, rows[0], delta, reason.strip(), at, ctx.caller.subject))
    return result(errors, code)


# reads

async def _within(ctx: Context, within: str | None) -> tuple[str, str]:
    if within is None:
        return ctx.scope_label, ctx.scope_code
    label, code = parse_id(within, SCOPE_LABELS)
    await ctx.require_within(label, code, within)
    return label, code


def _period(period: str | None) -> str | None:
    if period is not None and not (len(period) in (4, 7) and period[:4].isdigit()
                                   and (len(period) == 4 or period[4] == "-")):
        raise ApiError(_("period 须是年份 YYYY 或月份 YYYY-MM，收到 {period}",
                         period=repr(period)))
    return period


async def ranking(ctx: Context, within: str | None, period: str | None) -> list[points.Standing]:
    ctx.require(Cap.SEE_POINTS)
    label, code = await _within(ctx, within)
    rows = await ctx.read(points.ranking_query(label), within=code, period=_period(period))
    return points.ranked(rows)


async def my_points(ctx: Context, period: str | None) -> MyPoints:
    ctx.require(Cap.SEE_POINTS)
    member = ctx.caller.subject
    rows = await ctx.read(points.HISTORY, member=member, period=_period(period))
    standings = await ranking(ctx, None, period)
    rank = next((s.rank for s in standings if s.code == member), None)
    return MyPoints(member=strawberry.ID(f"Person:{member}"),
                    points=sum(r["entry"]["points"] for r in rows), rank=rank,
                    entries=[_entry(r) for r in rows])


# GraphQL fields

def _standing(s: points.Standing) -> PointsStanding:
    return PointsStanding(rank=s.rank, member=strawberry.ID(f"Person:{s.code}"), name=s.name,
                          points=s.points)


async def points_ranking(self: Any, info: strawberry.Info, within: strawberry.ID | None = None,
                         period: str | None = None) -> list[PointsStanding]:
    return [_standing(s) for s in await ranking(info.context, within, period)]


async def my_points_field(self: Any, info: strawberry.Info,
                          period: str | None = None) -> MyPoints:
    return await my_points(info.context, period)


async def award_points_field(self: Any, info: strawberry.Info, member: strawberry.ID,
                             rule: str, source: str, note: str | None = None) -> PointsPayload:
    args = {"member": member, "rule": rule, "source": source, "note": note}
    return payload(await audited(info.context, "award_points", args,
                                  lambda ctx: award_points(ctx, member, rule, source, note)))


async def correct_points_field(self: Any, info: strawberry.Info, entry: str, points: int,
                               reason: str) -> PointsPayload:
    args = {"entry": entry, "points": points, "reason": reason}
    return payload(await audited(info.context, "correct_points", args,
                                  lambda ctx: correct_points(ctx, entry, points, reason)))


_WITHIN = "社区或街道（within），'Label:code'；缺省为调用者的范围"
_PERIOD = "期间（period）：年份 YYYY 或月份 YYYY-MM；缺省为全部"


def query_fields() -> dict[str, Any]:
    return {
        "points_ranking": strawberry.field(resolver=documented(
            points_ranking, within=_WITHIN, period=_PERIOD), description=(
            "红榜（pointsRanking）：范围内党员的红色积分，从高到低，并列同名次")),
        "my_points": strawberry.field(resolver=documented(my_points_field, period=_PERIOD),
                                      description=(
            "我的红色积分（myPoints）：合计、名次和各条记录（党员本人）")),
    }


def mutation_fields() -> dict[str, Any]:
    return {
        "award_points": strawberry.mutation(resolver=documented(
            award_points_field, member=MEMBER_ARG, rule="活动类积分规则的编码（rule）",
            source="来源（source）：活动名称或编号；同一规则同一来源只记一次",
            note="备注（note），可选"), description=(
            "记分（awardPoints）：工作人员按活动类规则给党员记红色积分（受每期上限约束）")),
        "correct_points": strawberry.mutation(resolver=documented(
            correct_points_field, entry="要更正的积分记录编码（entry）",
            points="更正的分值（points），正负均可，不能为 0", reason="更正的理由（reason）"),
            description=("更正积分（correctPoints）：新记一条更正记录，原记录不变")),
    }
