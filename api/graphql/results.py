"""The GraphQL types of the analyses' answers, each stated against its dataclass.

An answer type subclasses the analysis dataclass it shows (analysis.tally,
analysis.matching, analysis.network) and states only what differs: a field hidden
(``strawberry.Private``), renamed (``strawberry.field(name=...)``), typed for GraphQL
(``graphql_type=``) or added.  A field added to a dataclass so appears in the schema
(the schema test notices), and a resolver may return the analysis's own objects, or
redacted copies of them (api.graphql.analyses, api.graphql.redact).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from analysis import matching, network, tally


def _place(cls: type, name: str, after: str | None) -> None:
    """Move GraphQL field ``name`` of ``cls`` right after ``after`` (first when None).

    A subclass of an analysis dataclass lists the dataclass's fields first and its own
    after them; this keeps each field where the published schema has it."""
    fields = cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
    field = next(f for f in fields if f.python_name == name)
    fields.remove(field)
    at = 0 if after is None else next(
        i for i, f in enumerate(fields) if f.python_name == after) + 1
    fields.insert(at, field)


def _scope_id(self: Any) -> str:
    return f"{self.scope_label}:{self.scope_code}"


@strawberry.type(name="AnalysisItem")
class AnalysisItem(tally.Item):
    """tally.Item as the caller may see it (api.graphql.redact); resolvers return
    redacted copies of the analysis's own items."""

    num: float = strawberry.field(name="numerator")
    den: float = strawberry.field(name="denominator")
    children: strawberry.Private[list[str]]
    rank: strawberry.Private[float]
    detail: dict[str, Any] = strawberry.field(graphql_type=JSON)


@strawberry.type(name="ChildFigure")
class ChildFigure(tally.ChildFigure):
    """tally.ChildFigure as it is."""


@strawberry.type(name="IndicatorFigure")
class IndicatorFigure(tally.Indicator):
    """One row of the indicator table; ``reason`` says why ``ratio`` is null.  ``hits``
    and ``gaps`` are cut at the item limit, their counts are not."""

    hits: list[tally.Item] = strawberry.field(graphql_type=list[AnalysisItem])
    gaps: list[tally.Item] = strawberry.field(graphql_type=list[AnalysisItem])
    children: list[tally.ChildFigure] = strawberry.field(graphql_type=list[ChildFigure])
    extra: dict[str, Any] = strawberry.field(graphql_type=JSON)
    hit_count: int
    gap_count: int


_place(IndicatorFigure, "gap_count", "reason")
_place(IndicatorFigure, "hit_count", "reason")


@strawberry.type
class IndicatorTable:
    scope: str
    as_of: str
    indicators: list[IndicatorFigure]


@strawberry.type
class GapList:
    key: str
    title: str
    zh: str
    total: int
    items: list[tally.Item] = strawberry.field(graphql_type=list[AnalysisItem])


@strawberry.type(name="Dispatch")
class Dispatch(matching.Assignment):
    """matching.Assignment with its taker as ``Label:code`` (or 范围外)."""

    offerer_label: strawberry.Private[str | None]
    offerer: strawberry.Private[str | None]
    taker: str | None


_place(Dispatch, "taker", "resource")


@strawberry.type(name="UnmatchedDemand")
class UnmatchedDemand(matching.Unmatched):
    candidates: strawberry.Private[list[str]]


@strawberry.type(name="MatchResult")
class MatchResult(matching.MatchPlan):
    """matching.MatchPlan as the caller sees it, with the demands it dispatched."""

    scope_label: strawberry.Private[str]
    scope_code: strawberry.Private[str]
    assignments: list[matching.Assignment] = strawberry.field(graphql_type=list[Dispatch])
    unmatched: list[matching.Unmatched] = strawberry.field(graphql_type=list[UnmatchedDemand])
    dispatched: list[str]
    scope: str = strawberry.field(resolver=_scope_id)


_place(MatchResult, "scope", None)


@strawberry.type
class NodeScore:
    node: str
    value: float


@strawberry.type(name="NetworkStructure")
class NetworkStructure(network.NetworkReport):
    """Betweenness is an estimate when ``betweenness_sampled`` (from ``betweenness_k``
    sources); the other measures are exact.  Nodes are ``Label:code`` or 范围外."""

    scope_label: strawberry.Private[str]
    scope_code: strawberry.Private[str]
    components: list[int] = strawberry.field(name="componentSizes")
    # the answer names nodes as the caller may see them, not as (label, code) pairs
    isolated_orgs: list[str]  # type: ignore[assignment]
    articulation_people: list[str]  # type: ignore[assignment]
    bridges: list[list[str]]  # type: ignore[assignment]
    overloaded: list[NodeScore]  # type: ignore[assignment]
    betweenness: list[NodeScore]  # type: ignore[assignment]
    cobuilding_communities: list[list[str]]  # type: ignore[assignment]
    names: strawberry.Private[dict[network.Node, str | None]]
    scope: str = strawberry.field(resolver=_scope_id)


_place(NetworkStructure, "scope", None)
