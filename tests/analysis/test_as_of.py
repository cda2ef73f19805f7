"""asOf is a real YYYY-MM-DD date or nothing, wherever it enters: the analysis functions,
GraphQL and the command line.  Anything else is refused with the same message instead of
being compared as text with stored dates (which gave 0/0 for ``"x OR 1=1"``)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from analysis_builder import G

from analysis.gaps import gaps_from
from analysis.indicators import compute_indicators
from analysis.matching import match_demands
from analysis.network import network_report
from analysis.report import render_report
from api.cli.main import main
from api.http.app import create_app
from graph.dates import parse_as_of
from graph.store import BoltStore
from graph.writer import NodeRecord, RelRecord, write_graph

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))  # the API tests' live server
from apihelp import Api, api_settings, serve, town  # noqa: E402

BAD = ["x OR 1=1", "2026-02-30", "yesterday", "", "2026-2-3", "２０２６-０１-０１",
       "2026-01-01T00:00:00", "2026-01-01' OR '1'='1"]


def message(value: str) -> str:
    return f"asOf 必须是 YYYY-MM-DD 格式的日期，收到 {value!r}"


def test_parse_as_of() -> None:
    assert parse_as_of("2024-02-29") == "2024-02-29"
    assert parse_as_of(None) == dt.date.today().isoformat()
    for value in BAD:
        with pytest.raises(ValueError) as refused:
            parse_as_of(value)
        assert str(refused.value) == message(value)
    with pytest.raises(ValueError) as long:
        parse_as_of("9" * 100)
    assert str(long.value) == message("9" * 40 + "…")


ANALYSES: dict[str, Callable[[BoltStore, str | None], Any]] = {
    "indicators": lambda store, day: compute_indicators(store, "Street", "S", day),
    "gaps": lambda store, day: gaps_from(compute_indicators(store, "Street", "S", day)),
    "matching": lambda store, day: match_demands(store, "Street", "S", as_of=day),
    "network": lambda store, day: network_report(store, "Street", "S", day),
    "report": lambda store, day: render_report(store, "Street", "S", "json", day),
}


@pytest.mark.parametrize("analysis", list(ANALYSES))
def test_every_analysis_refuses_a_bad_date(store: BoltStore, analysis: str) -> None:
    G().spine("K", {"S": {"M1": {"G1": ["C1"]}}}).write(store)
    run = ANALYSES[analysis]
    run(store, "2025-01-01")  # the scope is there: a good date runs
    for value in ("x OR 1=1", "2026-02-30", "yesterday"):
        with pytest.raises(ValueError) as refused:
            run(store, value)
        assert str(refused.value) == message(value)


@pytest.fixture
def town_api(store: BoltStore, tmp_path: Path) -> Iterator[Api]:
    base, stop = serve(create_app(api_settings(tmp_path), store))
    client = Api(base, store, tmp_path / "audit.log")
    write_graph(store, *town())
    yield client
    client.http.close()
    stop()


@pytest.mark.parametrize("field", [
    "indicators(asOf: $d) { asOf indicators { key numerator denominator } }",
    "coverageGaps(asOf: $d) { key total }",
    "networkStructure(asOf: $d) { nodes }",
    "matchPlan(asOf: $d) { scope }",
])
def test_graphql_refuses_a_bad_date(town_api: Api, field: str) -> None:
    query = f"query($d: String) {{ {field} }}"
    assert "errors" not in town_api.post(query, {"d": "2025-01-01"}).json()
    for value in ("x OR 1=1", "2026-02-30", "yesterday"):
        body = town_api.post(query, {"d": value}).json()
        assert body["data"] is None
        assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
            (message(value), "INVALID_INPUT")]


def test_the_command_line_refuses_a_bad_date(store: BoltStore, embedded_dir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    G().spine("K", {"S": {"M1": {"G1": ["C1"]}}}).write(store)
    argv = ["report", "--data-dir", str(embedded_dir), "--scope", "Street:S", "--as-of"]
    assert main([*argv, "x OR 1=1"]) == 2
    assert capsys.readouterr().err == f"jinlin: {message('x OR 1=1')}\n"
    assert main([*argv, "2025-01-01"]) == 0


def test_relationship_fields_refuse_a_bad_date(town_api: Api) -> None:
    query = ('query($d: String) { node(id: "Person:P1") { ... on Person { '
             "holdsPostOwnersCommittee(asOf: $d) { role } } } }")
    good = town_api.post(query, {"d": "2025-01-01"}).json()
    assert good["data"]["node"]["holdsPostOwnersCommittee"]
    for value in ("yesterday", "2024/3/1"):  # a clerk's spelling is a ledger's, not asOf's
        body = town_api.post(query, {"d": value}).json()
        assert body["data"] == {"node": None}
        assert [(e["message"], e["extensions"]["code"]) for e in body["errors"]] == [
            (message(value), "INVALID_INPUT")]


def test_match_plan_keeps_the_demands_raised_by_as_of(town_api: Api) -> None:
    write_graph(town_api.store, [NodeRecord("Demand", "D1", {
        "title": "修水管", "category": "repair", "urgency": 3, "status": "open",
        "created_at": "2025-03-01T09:00:00"})],
        [RelRecord("RAISED_IN", "Demand", "D1", "Compound", "C1", {})])
    query = "query($d: String) { matchPlan(asOf: $d) { unmatched { demand reason } } }"

    def unmatched(day: str) -> list[str]:
        return [u["demand"] for u in town_api.gql(query, {"d": day})["matchPlan"]["unmatched"]]

    assert unmatched("2025-02-28") == []  # not raised yet
    assert unmatched("2025-03-01") == ["D1"]  # no resource anywhere: unmatched
