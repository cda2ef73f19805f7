"""The demand life cycle (居民点单 → 社区派单 → 党员接单 → 办结 → 评价).

open → dispatched → accepted → done → reviewed.  Each step is its own mutation and a
compare-and-set on the stored status, so an illegal or repeated step is refused
with the current status named, and two staff racing cannot both dispatch.

Scope (api.graphql.guard): the place a demand is raised in must be exclusive to the caller
(``RAISED_IN`` places the demand in every scope the place lies in); the person it is
raised by and the taker it is dispatched to must be visible to the caller.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from api.graphql import queries
from api.graphql.context import Context, Forbidden, now
from api.graphql.guard import check_end
from api.graphql.reads import parse_id
from api.graphql.types import FieldError, build_node
from api.graphql.writes import Outcome, end_label, existing, parse_code, validate, visible
from graph import queries as graph_queries
from graph.model import NODE_BY_LABEL, REL_BY_TYPE
from graph.scope import SCOPE_RELS
from graph.store import Transaction
from graph.writer import NodeRecord, RelRecord, write_graph

STEPS = {  # mutation: (from, to)
    "dispatch": ("open", "dispatched"),
    "accept": ("dispatched", "accepted"),
    "complete": ("accepted", "done"),
    "review": ("done", "reviewed"),
}
TAKERS = REL_BY_TYPE["ASSIGNED_TO"].targets


async def raise_demand(ctx: Context, code: str | None, values: dict[str, Any],
                       raised_in: str, raised_by: str | None) -> Outcome:
    """A resident (for themself) or staff (for a resident) posts a demand."""
    if not (ctx.caller.is_staff or ctx.caller.role == "resident"):
        raise Forbidden(f"role {ctx.caller.role} may not raise demands")
    out = Outcome()
    code = parse_code(code, out.errors) if code else f"D{now()[:10].replace('-', '')}-" \
        f"{secrets.token_hex(4)}"
    values = {**values, "status": "open", "created_at": now(), "done_at": None,
              "satisfaction": None}
    props = validate("Demand", values, out.errors)
    where_label, where_code = parse_id(raised_in, ("Compound", "Community"))
    await check_end(ctx, out.errors, "raisedIn", raised_in, where_label, where_code,
                    exclusive="RAISED_IN" in SCOPE_RELS)
    person = ctx.caller.subject if ctx.caller.role == "resident" else None
    if person is not None:  # a resident raises for themself: their token names them
        if await existing(ctx, "Person", person) is None:
            out.errors.append(FieldError(field="raisedBy", message=f"no person {person}"))
    elif raised_by:
        person = parse_id(raised_by, ("Person",))[1]
        await check_end(ctx, out.errors, "raisedBy", raised_by, "Person", person,
                        exclusive="RAISED_BY" in SCOPE_RELS)
    if await existing(ctx, "Demand", code) is not None:
        out.errors.append(FieldError(field="code", message=f"Demand {code} already exists"))
    if out.errors:
        return out
    rels = [RelRecord("RAISED_IN", "Demand", code, where_label, where_code)]
    if person:
        rels.append(RelRecord("RAISED_BY", "Demand", code, "Person", person))
    await asyncio.to_thread(write_graph, ctx.store, [NodeRecord("Demand", code, props)], rels)
    out.node = build_node(ctx, "Demand", {"props": {**props, "code": code}, "labels": []})
    return out


async def step(ctx: Context, name: str, code: str, taker: str | None = None,
               resource: str | None = None, satisfaction: int | None = None) -> Outcome:
    """One transition; dispatch also points the demand at its taker (ASSIGNED_TO)."""
    if name == "review":
        if not (ctx.caller.is_staff or ctx.caller.role == "resident"):
            raise Forbidden(f"role {ctx.caller.role} may not review demands")
    elif not ctx.caller.is_staff:
        raise Forbidden(f"role {ctx.caller.role} may not {name} demands")
    out = Outcome()
    before, after = STEPS[name]
    props: dict[str, Any] = {"status": after}
    kind = NODE_BY_LABEL["Demand"]
    if name == "complete":
        props["done_at"] = now()
    if name == "review":
        try:
            props["satisfaction"] = kind.prop("satisfaction").parse(satisfaction)
            if props["satisfaction"] is None:
                raise ValueError("a value is required")
        except ValueError as exc:
            out.errors.append(FieldError(field="satisfaction", message=str(exc)))
    taker_label = taker_code = None
    if name == "dispatch":
        if not taker:
            out.errors.append(FieldError(field="taker", message="dispatch needs a taker: a "
                                         "Member, Unit or VolunteerTeam"))
        else:
            label, taker_code = parse_id(taker, ("Person", "Unit", "VolunteerTeam"))
            taker_label = end_label(TAKERS, label)
            if taker_label is None:
                out.errors.append(FieldError(field="taker", message=f"{taker} is not a party "
                                             "member, unit or volunteer team"))
            else:
                await check_end(ctx, out.errors, "taker", taker, taker_label, taker_code,
                                exclusive="ASSIGNED_TO" in SCOPE_RELS)
    if out.errors:
        return out
    params = ctx.params(code=code, props=props, **{"from": before})
    with_taker = (taker_label, taker_code, {"at": now(), "resource": resource})

    def step(tx: Transaction) -> bool:
        if not tx.run(queries.transition(ctx.scope_label), **params):
            return False
        if name == "dispatch":
            lab, tcode, rprops = with_taker
            assert lab and tcode
            record = RelRecord("ASSIGNED_TO", "Demand", code, lab, tcode, rprops)
            tx.run(graph_queries.upsert_rels("ASSIGNED_TO", "Demand", lab),
                   rows=[{"src": code, "tgt": tcode, "rkey": record.rkey,
                          "props": {**rprops, "rkey": record.rkey}}])
        return True

    if not await asyncio.to_thread(ctx.store.transaction, step):
        rows = await ctx.read(queries.demand_status(ctx.scope_label), code=code)
        if not rows:
            out.errors.append(FieldError(field="code", message=f"no demand {code} in your "
                                         "scope"))
        else:
            out.errors.append(FieldError(
                field="status", message=f"cannot {name} demand {code}: it is "
                f"{rows[0]['status']}, {name} needs {before}"))
        return out
    row = await visible(ctx, "Demand", code)
    out.node = build_node(ctx, "Demand", row) if row else None
    return out
