"""The change events demand mutations publish (api.events), for ``demandChanged``.

Each demand mutation hands :func:`api.graphql.auditing.audited` one of these as its
``published``: audited calls it with the mutation's result once the outcome is settled
(committed and audited), so only a change that happened is announced.  A result with
field errors changed nothing and announces nothing.

``change`` says what happened: "raised" (raiseDemand), "created" / "updated" /
"deleted" (the generated mutations), or the life-cycle step's name ("dispatch",
"accept", "complete", "review"; dispatchMatches is one "dispatch" per demand written).
An event names the demand only; subscribers read it again as themselves
(api.graphql.subscriptions), so a deleted demand, visible to nobody, reaches nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from api.events import Event
from api.graphql.context import now
from api.graphql.writes import Outcome

TOPIC = "demand"
LABEL = "Demand"
Announce = Callable[[Outcome], list[Event]]


def demand_event(code: str, change: str) -> Event:
    return Event(TOPIC, LABEL, code, change, now())


def changed(change: str, code: str | None = None) -> Announce:
    """The events of one demand mutation's outcome: the demand ``code`` (else the node
    it wrote: a raised demand's generated code) ``change``d, unless it was refused."""

    def events(outcome: Outcome) -> list[Event]:
        if outcome.errors:
            return []
        named = code or (outcome.node.code if outcome.node is not None else None)
        return [demand_event(named, change)] if named else []

    return events


def dispatched(codes: list[str]) -> list[Event]:
    """One "dispatch" per demand matching wrote (dispatchMatches)."""
    return [demand_event(code, "dispatch") for code in codes]
