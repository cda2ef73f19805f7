"""吹哨报到 / 接诉即办: a community whistles a problem to a unit, which must respond by a deadline.

A whistle is a Demand with ``whistle: true`` on the ordinary life cycle (graph.lifecycle),
with a Unit as its taker: ``whistle`` raises it and dispatches it to the unit in one
transaction (the checks of ``raiseDemand``, then the dispatch of ``dispatchDemand``, the
same Cypher), so it is never seen raised but not sent.  The unit's 签收 is ``acceptDemand``
(``accepted_at``), its report of the work done ``completeDemand`` (``done_at``), the
community's confirmation with the resident's rating ``reviewDemand`` (``satisfaction``).
``respondBy`` is the deadline for the 签收, ``due`` for the resolution; both are dates
and a deadline runs to the end of its day.  The three rates computed over whistles are
in analysis.whistle.

Scope: the place it is raised in must be exclusive to the caller (as for every demand),
the unit visible to it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from api.graphql import demands
from api.graphql.context import Context, now
from api.graphql.guard import check_end
from api.graphql.reads import parse_id
from api.graphql.types import FieldError, build_node
from api.graphql.writes import Outcome, write_records
from api.policy import Cap
from graph import lifecycle
from graph.i18n import _
from graph.model import NODE_BY_LABEL
from graph.scope import SCOPE_RELS
from graph.store import StoreError, Transaction
from graph.writer import stored_row

TAKER = "Unit"
# the deadlines the mutation takes as arguments: (argument, property)
DEADLINES = (("respondBy", "respond_by"), ("due", "due"))


def deadlines(given: dict[str, str | None], errors: list[FieldError]) -> dict[str, Any]:
    """The two deadlines parsed by the model (both required; the 签收 one not after the
    resolution one); the reasons in ``errors`` under the argument's name."""
    kind = NODE_BY_LABEL["Demand"]
    out: dict[str, Any] = {}
    for argument, name in DEADLINES:
        try:
            out[name] = replace(kind.prop(name), required=True).parse(given.get(argument))
        except ValueError as exc:
            out[name] = None
            errors.append(FieldError(field=argument, message=str(exc)))
    if out["respond_by"] and out["due"] and out["respond_by"] > out["due"]:
        errors.append(FieldError(field="respondBy", message=_(
            "签收时限 {respond_by} 不能晚于办结时限 {due}", respond_by=out["respond_by"],
            due=out["due"])))
    return out


async def whistle(ctx: Context, code: str | None, values: dict[str, Any], raised_in: str,
                  unit: str, respond_by: str | None, due: str | None) -> Outcome:
    """Raise a whistle in ``raised_in`` and dispatch it to ``unit``, in one transaction."""
    ctx.require(Cap.WHISTLE)
    out = Outcome()
    limits = deadlines({"respondBy": respond_by, "due": due}, out.errors)
    raised = await demands.prepare_raise(ctx, out, code, {**values, **limits, "whistle": True},
                                         raised_in, None)
    unit_code = parse_id(unit, (TAKER,))[1]
    found = await check_end(ctx, out.errors, "unit", unit, TAKER, unit_code,
                            exclusive="ASSIGNED_TO" in SCOPE_RELS)
    if raised is None or found is None or out.errors:
        return out
    node, rels = raised
    row = lifecycle.assignment(node.code, unit_code, now(), None)

    def dispatch(tx: Transaction) -> None:
        if not lifecycle.dispatch(tx, TAKER, [row]):  # the unit went meanwhile
            raise StoreError(_("单位 {unit} 已不在库中，吹哨未保存", unit=unit))

    await write_records(ctx, [node], rels, new=True, then=dispatch)
    shown = {**stored_row(node), "props": {**stored_row(node)["props"],
                                           "status": lifecycle.DISPATCH.after}}
    out.node = build_node(ctx, "Demand", shown)
    return out
