"""The demand life cycle (居民点单 → 社区派单 → 党员接单 → 办结 → 评价).

open → dispatched → accepted → done → reviewed.  Each step is its own mutation and a
compare-and-set on the stored status, so an illegal or repeated step is refused
with the current status named, and two staff racing cannot both dispatch.

Scope (api.graphql.guard): the place a demand is raised in must be exclusive to the caller
(``RAISED_IN`` places the demand in every scope the place lies in); the person it is
raised by and the taker it is dispatched to must be visible to the caller, and so must the
resource a dispatch draws on, which its taker must offer: matching counts dispatched
demands against their resource's capacity in every scope, so drawing on another
street's resource would use up what that street sees.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from api.graphql import queries
from api.graphql.context import Context, now
from api.graphql.guard import check_end
from api.graphql.reads import parse_id
from api.graphql.types import FieldError, build_node
from api.graphql.writes import (
    Outcome,
    already_exists,
    existing,
    parse_code,
    validate,
    visible,
    write_records,
)
from api.policy import STEP_CAPS, Cap
from graph import lifecycle, points
from graph.i18n import _
from graph.model import key_label
from graph.scope import SCOPE_RELS
from graph.store import Transaction
from graph.writer import NodeRecord, RelRecord, stored_row


async def raise_demand(ctx: Context, code: str | None, values: dict[str, Any],
                       raised_in: str, raised_by: str | None) -> Outcome:
    """A resident (for themself) or staff (for a resident) posts a demand."""
    out = Outcome()
    raised = await prepare_raise(ctx, out, code, values, raised_in, raised_by)
    if raised is None:
        return out
    node, rels = raised
    await write_records(ctx, [node], rels, new=True)
    out.node = build_node(ctx, "Demand", stored_row(node))
    return out


async def prepare_raise(ctx: Context, out: Outcome, code: str | None, values: dict[str, Any],
                        raised_in: str, raised_by: str | None,
                        ) -> tuple[NodeRecord, list[RelRecord]] | None:
    """Check a demand about to be raised (the caller's capability, its values, where and
    by whom): the demand's node and its ``RAISED_IN``/``RAISED_BY`` to write, or None
    with the reasons in ``out.errors``.  ``raiseDemand`` writes them; ``whistle`` writes
    them and dispatches in the same transaction."""
    ctx.require(Cap.RAISE)
    given = bool(code)
    code = parse_code(code, out.errors) if code else f"D{now()[:10].replace('-', '')}-" \
        f"{secrets.token_hex(4)}"
    values = {**values, **lifecycle.raised(now())}
    props = validate("Demand", values, out.errors)
    where_label, where_code = parse_id(raised_in, ("Compound", "Community"))
    await check_end(ctx, out.errors, "raisedIn", raised_in, where_label, where_code,
                    exclusive="RAISED_IN" in SCOPE_RELS)
    # without RAISE_FOR_OTHERS (a resident) the token names the person raising it
    person = None if ctx.caller.may(Cap.RAISE_FOR_OTHERS) else ctx.caller.subject
    if person is not None:
        if await existing(ctx, "Person", person) is None:
            out.errors.append(FieldError(field="raisedBy", message=_("没有人员 {person}",
                                                                     person=person)))
    elif raised_by:
        person = parse_id(raised_by, ("Person",))[1]
        await check_end(ctx, out.errors, "raisedBy", raised_by, "Person", person,
                        exclusive="RAISED_BY" in SCOPE_RELS)
    # A generated code is not looked up first (one round trip less): in the rare case it
    # is taken, the write is refused by the uniqueness constraint (new=True), not merged.
    if given and await existing(ctx, "Demand", code) is not None:
        out.errors.append(FieldError(field="code", message=already_exists("Demand", code)))
    if out.errors:
        return None
    rels = [RelRecord("RAISED_IN", "Demand", code, where_label, where_code)]
    if person:
        rels.append(RelRecord("RAISED_BY", "Demand", code, "Person", person))
    return NodeRecord("Demand", code, props), rels


async def taker_of(ctx: Context, taker: str | None,
                   errors: list[FieldError]) -> tuple[str, str] | None:
    """The label to dispatch to ``taker`` with and its code, once checked (a taker by
    the model, visible to the caller); None, with the reason in ``errors``, otherwise."""
    if not taker:
        errors.append(FieldError(field="taker", message=_(
            "派发需求须指定承接方（taker）：Member、Unit 或 VolunteerTeam")))
        return None
    label, code = parse_id(taker, tuple(dict.fromkeys(map(key_label, lifecycle.TAKERS))))
    taker_label = lifecycle.taker_label(label)
    if taker_label is None:
        errors.append(FieldError(field="taker", message=_(
            "{taker} 不是党员、单位或志愿队", taker=taker)))
        return None
    if await check_end(ctx, errors, "taker", taker, taker_label, code,
                       exclusive="ASSIGNED_TO" in SCOPE_RELS) is None:
        return None
    return taker_label, code


async def _resource(ctx: Context, resource: str, taker: str | None,
                    to: tuple[str, str] | None, errors: list[FieldError]) -> None:
    """Refuse, in ``errors``, a ``resource`` the dispatch may not draw on: one the caller
    cannot see (or that does not exist: the same refusal, so nothing outside is told
    apart) or one the taker ``to`` (checked, named ``taker``) does not offer."""
    gid = f"Resource:{resource}"
    if await check_end(ctx, errors, "resource", gid, "Resource", resource,
                       exclusive=False) is None or to is None:
        return
    if not await ctx.read(queries.offers(to[0]), taker=to[1], resource=resource):
        errors.append(FieldError(field="resource", message=_(
            "{resource} 不是 {taker} 提供的资源：派单只能动用承接方自己的资源",
            resource=gid, taker=taker)))


def _guard(ctx: Context, name: str) -> lifecycle.Guard:
    """A member (CLAIM, no READ_ALL) accepts and completes only the demands assigned to
    it (its own tasks); everyone else steps a demand in scope (a resident: its own)."""
    if name in ("accept", "complete") and ctx.caller.may(Cap.CLAIM) \
            and not ctx.caller.may(Cap.READ_ALL):
        return queries.task_guard(ctx.scope_label)
    return queries.demand_guard(ctx.scope_label)


async def step(ctx: Context, name: str, code: str, taker: str | None = None,
               resource: str | None = None, satisfaction: int | None = None) -> Outcome:
    """One transition of graph.lifecycle; dispatch also points the demand at its taker
    (ASSIGNED_TO), with the same Cypher as matching write-back."""
    ctx.require(STEP_CAPS[name])
    out = Outcome()
    move = lifecycle.STEPS[name]
    at = now()
    try:
        props = lifecycle.changes(move, at, {"satisfaction": satisfaction})
    except lifecycle.StepRefused as exc:
        props = {}
        out.errors.append(FieldError(field=exc.field, message=str(exc)))
    to = await taker_of(ctx, taker, out.errors) if move is lifecycle.DISPATCH else None
    if move is lifecycle.DISPATCH and resource:
        await _resource(ctx, resource, taker, to, out.errors)
    if out.errors:
        return out
    guard = _guard(ctx, name)

    def perform(tx: Transaction) -> bool:
        if to is None:
            done = lifecycle.transit(tx, move, code, props, guard, **ctx.params())
            if done:  # the taker's red points, committed with the step (graph.points)
                points.for_step(tx, name, code, at, ctx.caller.subject, satisfaction)
            return done
        row = lifecycle.assignment(code, to[1], at, resource)
        return bool(lifecycle.dispatch(tx, to[0], [row], guard, **ctx.params()))

    if not await asyncio.to_thread(ctx.store.transaction, perform):
        rows = await ctx.read(queries.demand_status(ctx.scope_label, guard), code=code)
        if not rows:
            out.errors.append(FieldError(field="code", message=_(
                "你的管辖范围内没有需求 {code}", code=code)))
        else:
            out.errors.append(FieldError(field="status", message=_(
                "需求 {code} 不能执行 {step}：当前状态为 {status}，{step} 要求状态为 {before}",
                code=code, step=name, status=rows[0]["status"], before=move.before)))
        return out
    row = await visible(ctx, "Demand", code)
    out.node = build_node(ctx, "Demand", row) if row else None
    return out
