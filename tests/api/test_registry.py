"""The generated GraphQL types come from one registry, the analysis types from their
dataclasses: no module namespace is written to, and an analysis object is served as is."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import strawberry

from analysis import matching, tally
from api.graphql import results, types
from api.graphql.registry import Ref, TypeRegistry, registry
from graph.model import NODES

ROOT = Path(__file__).resolve().parents[2]


def test_one_registry_holds_every_generated_type_once() -> None:
    generated = registry()
    names = [t.__strawberry_definition__.name for t in generated.types()]
    assert len(names) == len(set(names))
    per_label = {"", "Edge", "Connection", "Filter", "SortField", "Input", "Payload"}
    for kind in NODES:
        for suffix in per_label:
            assert f"{kind.label}{suffix}" in names
    assert {"RelType", "LinkInput", "HoldsPostPersonLink"} <= set(names)
    # nothing is put into a module's namespace any more
    assert not hasattr(types, "Compound") and not hasattr(types, "CompoundConnection")


def test_forward_references_resolve_through_their_registry() -> None:
    generated = registry()
    assert generated.ref("Compound") is generated.node("Compound")
    ahead = generated.ref("NotBuiltYet")
    assert isinstance(ahead, Ref)
    try:
        ahead.resolve_type()
    except KeyError as exc:
        assert exc.args == ("NotBuiltYet",)
    else:
        raise AssertionError("an unknown name must not resolve")
    # a second registry is whole on its own: its references point into it
    other = TypeRegistry()
    assert other.node("Person") is not generated.node("Person")
    assert other.ref("NotBuiltYet").registry is other


def test_the_schema_does_not_depend_on_import_order() -> None:
    """The registry first, then the schema: the same SDL as the committed file."""
    code = ("from api.graphql.registry import registry; registry(); "
            "from api.cli.export_schema import TARGET, sdl; "
            "assert sdl() == TARGET.read_text(encoding='utf-8')")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def _serve(value: Any, graphql_type: Any, query: str) -> dict[str, Any]:
    @strawberry.type
    class Query:
        @strawberry.field(graphql_type=graphql_type)
        def it(self) -> Any:
            return value

    result = asyncio.run(strawberry.Schema(query=Query).execute(query))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["it"]  # type: ignore[no-any-return]


def test_an_analysis_item_is_served_as_the_analysis_made_it() -> None:
    item = tally.Item("Compound", "C1", "一号院", 2.0, 3.0, 40, children=["G1"], rank=7.0,
                      detail={"chair": "P1"})
    got = _serve(item, results.AnalysisItem,
                 "{ it { label code name numerator denominator households detail } }")
    assert got == {"label": "Compound", "code": "C1", "name": "一号院", "numerator": 2.0,
                   "denominator": 3.0, "households": 40, "detail": {"chair": "P1"}}


def test_a_dispatch_is_its_assignment_with_the_taker_as_shown() -> None:
    a = matching.Assignment("D1", "R1", "Unit", "U1", "助老", 3, 120.04)
    shown = results.Dispatch(**{**vars(a), "distance_m": round(a.distance_m, 1)},
                              taker="Unit:U1")
    got = _serve(shown, results.Dispatch,
                 "{ it { demand resource taker category urgency distanceM } }")
    assert got == {"demand": "D1", "resource": "R1", "taker": "Unit:U1", "category": "助老",
                   "urgency": 3, "distanceM": 120.0}
