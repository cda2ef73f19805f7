"""The demand life cycle (居民点单 → 社区派单 → 党员接单 → 办结 → 评价), in one place.

open → dispatched → accepted → done → reviewed.  This module owns the steps, what each
step sets, who may take a dispatch, and the Cypher that performs a step: the GraphQL
mutations (api.graphql.demands) and matching write-back (analysis.matching.write_plan) both call
it, so a dispatch writes the same status and the same ``ASSIGNED_TO`` whoever does it.

Every step is a compare-and-set on the stored status in one statement, so a repeated or
illegal step changes nothing and two staff racing cannot both dispatch.  A caller that
must see the demand first (the API: the caller's scope, a resident's own demand) passes
a :class:`Guard`, a predicate on the demand ``n`` built from the model's fixed labels;
its values travel as parameters.  Who may *ask* for a step (roles) is the API's policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from graph.i18n import _
from graph.model import DEMAND_STATUSES, MEMBER, NODE_BY_LABEL, REL_BY_TYPE
from graph.spine import areas_of
from graph.store import Query, Transaction
from graph.writer import rel_key

OPEN = "open"


@dataclass(frozen=True)
class Step:
    """One legal transition: the mutation ``name`` moves a demand from ``before`` to
    ``after``; ``stamps`` are set to the time of the step, ``needs`` are properties the
    caller must give (parsed by the model's Prop)."""

    name: str
    zh: str
    before: str
    after: str
    stamps: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


STEPS: dict[str, Step] = {s.name: s for s in (
    Step("dispatch", "社区派单", OPEN, "dispatched"),
    Step("accept", "接单", "dispatched", "accepted", stamps=("accepted_at",)),
    Step("complete", "办结", "accepted", "done", stamps=("done_at",)),
    Step("review", "评价", "done", "reviewed", stamps=("reviewed_at",), needs=("satisfaction",)),
)}
DISPATCH = STEPS["dispatch"]
# Statuses in which a taker holds the resource it was dispatched from (matching
# subtracts them from the resource's capacity).
HOLDING = ("dispatched", "accepted")
# The model's statuses are exactly the chain of steps, in order: each step leaves the
# status the one before it reached.
_CHAIN = [OPEN, *(s.after for s in STEPS.values())]
assert _CHAIN == [c.code for c in DEMAND_STATUSES]
assert [s.before for s in STEPS.values()] == _CHAIN[:-1]
assert set(HOLDING) <= {s.after for s in STEPS.values()}

# Statuses in which a demand counts as handled (办结): done, and reviewed after it.
CLOSED = ("done", "reviewed")
assert set(CLOSED) == {s.after for s in STEPS.values()} - {OPEN, *HOLDING}


def closed(status: str | None, done_at: str | None, end: str) -> bool:
    """Whether a demand was handled by the moment ``end`` (an ISO datetime): its status
    is a closed one and its ``done_at``, when known, is not later."""
    return status in CLOSED and (done_at is None or done_at <= end)


def overdue(status: str | None, due: str | None, done_at: str | None, on: str) -> bool:
    """Whether a demand is overdue on the day ``on`` (YYYY-MM-DD): not handled by the
    end of that day and its ``due`` date before it.  The one definition: the demand
    closure indicator's overdue list (DOMAIN.md) and the console's board both use it."""
    return (not closed(status, done_at, on + "T23:59:59")
            and due is not None and due < on)


# Who may take a dispatch: the model's ASSIGNED_TO targets (a Person only as a Member).
TAKERS: tuple[str, ...] = REL_BY_TYPE["ASSIGNED_TO"].targets


class StepRefused(ValueError):
    """A value the step needs is missing or invalid (``field`` names it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def raised(at: str) -> dict[str, Any]:
    """The life-cycle properties of a demand just raised at ``at``."""
    return {"status": OPEN, "created_at": at, "satisfaction": None,
            **{stamp: None for s in STEPS.values() for stamp in s.stamps}}


def changes(step: Step, at: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """What ``step`` sets on the demand at time ``at``, with the values ``given``
    parsed by the model; StepRefused for the first missing or invalid one."""
    kind = NODE_BY_LABEL["Demand"]
    props: dict[str, Any] = {"status": step.after, **{p: at for p in step.stamps}}
    for name in step.needs:
        try:
            props[name] = kind.prop(name).parse(given.get(name))
            if props[name] is None:
                raise ValueError(_("必须填写"))
        except ValueError as exc:
            raise StepRefused(name, str(exc)) from None
    return props


def taker_label(label: str) -> str | None:
    """The label a dispatch matches a taker named ``label`` with, None when that label
    cannot take one: a person takes it only as a party member (matched as Member, so a
    Person who is not one is not found)."""
    if label in TAKERS:
        return label
    return MEMBER if label == "Person" and MEMBER in TAKERS else None


@dataclass(frozen=True)
class Guard:
    """A predicate the demand ``n`` must meet for a step to apply; ``name`` tells the
    queries apart (one named query per guard).  ``where`` is Cypher built from the
    model's fixed labels only; its values are parameters of the step."""

    name: str
    where: str


UNGUARDED = Guard("any", "")


def _checks(guard: Guard, status: str) -> str:
    """The WHERE of a step: the guard, then the compare on the status."""
    own = f"{guard.where} AND " if guard.where else ""
    return f"{own}coalesce(n.status, '{OPEN}') = {status}"


# Both writes change the demand and its ASSIGNED_TO only, and say where it lies: the
# analyses' demands of other areas are not read again for them (graph.store).
_AREAS = f"{areas_of('Demand', 'n')} AS areas"


@cache
def transition_query(guard: Guard) -> Query:
    """Compare-and-set one demand ``$code`` from status ``$from``: ``SET n += $props``."""
    return Query(
        f"demand_transition_{guard.name}",
        f"MATCH (n:Demand {{code: $code}}) WHERE {_checks(guard, '$from')} "
        f"SET n += $props RETURN n.code AS code, {_AREAS}",
        demand_areas="areas",
    )


@cache
def dispatch_query(label: str, guard: Guard = UNGUARDED) -> Query:
    """Dispatch the demands of ``$rows`` (``assignment`` rows) still open to takers of
    ``label``: status ``dispatched`` and an ``ASSIGNED_TO`` merged on its key.  One text
    for one demand (the mutation) and a batch (matching write-back); a demand no longer
    open, or whose taker is gone, is left alone and not returned."""
    if label not in TAKERS:
        raise ValueError(f"{label} cannot take a dispatch")
    return Query(
        f"demand_dispatch_{label}_{guard.name}",
        f"""UNWIND $rows AS row
MATCH (n:Demand {{code: row.demand}}) WHERE {_checks(guard, repr(DISPATCH.before))}
MATCH (o:{label} {{code: row.taker}})
SET n.status = '{DISPATCH.after}'
MERGE (n)-[a:ASSIGNED_TO {{rkey: row.link.rkey}}]->(o)
SET a += row.link
RETURN n.code AS code, {_AREAS}""",
        demand_areas="areas",
    )


def assignment(demand: str, taker: str, at: str, resource: str | None) -> dict[str, Any]:
    """One row of ``dispatch_query``: the demand, its taker's code and the link's
    properties (dispatch time, the resource it draws on, the relationship key)."""
    link = {"at": at, "resource": resource}
    return {"demand": demand, "taker": taker,
            "link": {**link, "rkey": rel_key("ASSIGNED_TO", link)}}


def transit(tx: Transaction, step: Step, code: str, props: Mapping[str, Any],
            guard: Guard = UNGUARDED, **params: Any) -> bool:
    """Perform ``step`` (not a dispatch: see ``dispatch``) on demand ``code`` in ``tx``,
    setting ``props`` (from ``changes``); False when it is not in ``step.before``."""
    if step is DISPATCH:
        raise ValueError("a dispatch needs its taker: use lifecycle.dispatch")
    return bool(tx.run(transition_query(guard), code=code, props=dict(props),
                       **{**params, "from": step.before}))


def dispatch(tx: Transaction, label: str, rows: list[dict[str, Any]],
             guard: Guard = UNGUARDED, **params: Any) -> list[str]:
    """Dispatch ``rows`` (``assignment``) to takers of ``label`` in ``tx``; the codes of
    the demands that were open and are now dispatched."""
    return [r["code"] for r in tx.run(dispatch_query(label, guard), rows=rows, **params)]
