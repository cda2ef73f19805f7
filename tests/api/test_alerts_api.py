"""预警 over HTTP on the town of apihelp (S1 ⊃ M1 ⊃ G1 ∋ C1, C2; S2 ⊃ M2 ⊃ G2 ∋ C3; the
branch PO1 covers C1 only).  Two rules: branch coverage per street below 90% (S1 1/2,
S2 0/1: two street alerts) and compounds without a branch (C2 in M1, C3 in M2)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apihelp import Api, api_settings, running, town

from analysis import alerts
from api.events import Bus, Event
from api.graphql.alerts import SYSTEM_CALLER
from api.http import schedule
from api.http.app import create_app
from graph.store import BoltStore
from graph.writer import NodeRecord, RelRecord, write_graph

TS_S1, TS_S2 = "A-TS-Street-S1", "A-TS-Street-S2"
NOBR_C2, NOBR_C3 = "A-NOBR-Compound-C2", "A-NOBR-Compound-C3"
RULES = [NodeRecord("AlertRule", "TS", {
    "name": "街道小区党组织覆盖率低于90%", "kind": "threshold",
    "indicator": "compound_branch_coverage", "level": "Street", "comparison": "below",
    "threshold": 0.9, "enabled": True}),
    NodeRecord("AlertRule", "NOBR", {"name": "小区无党组织", "kind": "no_branch",
                                     "enabled": True})]
LIST = """query($filter: AlertFilter) {
  alerts(first: 10, filter: $filter, orderBy: FIRST_SEEN, descending: true) {
    totalCount edges { node { code status message } } } }"""


@pytest.fixture
def served(store: BoltStore, tmp_path: Path) -> Iterator[tuple[Api, list[Event]]]:
    """The town with the two rules, evaluated once; and the events the app's bus got."""
    app = create_app(api_settings(tmp_path, alert_interval_minutes=0), store)
    bus: Bus = app.state.console.events
    seen: list[Event] = []
    publish = bus.publish
    bus.publish = lambda event: (seen.append(event), publish(event))[1]  # type: ignore[method-assign]
    nodes, rels = town()
    rels += [RelRecord("RULE_OF", "AlertRule", r.code, "County", "K1") for r in RULES]
    write_graph(store, nodes + RULES, rels)
    with running(app, store, tmp_path) as api:
        yield api, seen


def codes(api: Api, filter: dict[str, Any] | None = None, **who: Any) -> list[str]:
    data = api.gql(LIST, {"filter": filter}, **who)["alerts"]
    found = [e["node"]["code"] for e in data["edges"]]
    assert data["totalCount"] == len(found)
    return found


def audit_lines(api: Api, mutation: str) -> list[dict[str, Any]]:
    lines = [json.loads(x) for x in api.audit.read_text(encoding="utf-8").splitlines()]
    return [x for x in lines if x["mutation"] == mutation]


def test_evaluation_scoped_and_published(served: tuple[Api, list[Event]]) -> None:
    api, seen = served
    community = {"role": "community_staff", "scope": "M1"}
    answer = api.gql("mutation { evaluateAlerts(asOf: \"2026-06-01\") { raised cleared } }",
                     **community)["evaluateAlerts"]
    # county-wide evaluation, but the answer names only M1's alert
    assert answer == {"raised": [NOBR_C2], "cleared": []}
    assert sorted((e.code, e.change) for e in seen) == sorted(
        (c, "raised") for c in (TS_S1, TS_S2, NOBR_C2, NOBR_C3))
    [line] = audit_lines(api, "evaluate_alerts")
    assert (line["who"], line["outcome"], line["arguments"]) == (
        "community_staff@M1", "ok", {"as_of": "2026-06-01"})
    # a community sees its compound's alert, neither its sibling's nor its street's
    assert codes(api, **community) == [NOBR_C2]
    # newest first; seen at the same moment, by code (descending)
    assert codes(api, role="street_staff", scope="S1") == [TS_S1, NOBR_C2]
    assert sorted(codes(api)) == sorted([NOBR_C2, NOBR_C3, TS_S1, TS_S2])
    assert sorted(codes(api, {"rule": "TS"})) == [TS_S1, TS_S2]
    node = api.gql('{ node(id: "Alert:A-TS-Street-S2") { ... on Alert { message '
                   "raisedByRule { code } aboutStreet { code } } } }")["node"]
    assert node == {"message": "西街道小区党组织覆盖率为 0.0%（0/1），低于阈值 90.0%",
                    "raisedByRule": [{"code": "TS"}], "aboutStreet": [{"code": "S2"}]}


def test_acknowledge_and_resolve(served: tuple[Api, list[Event]]) -> None:
    api, seen = served
    alerts.evaluate(api.store, "2026-06-01", at="2026-06-01T08:00:00")
    community = {"role": "community_staff", "scope": "M1"}
    ack = "mutation($c: String!) { acknowledgeAlert(code: $c) { node { status } errors { " \
          "field message } } }"
    assert api.gql(ack, {"c": NOBR_C2}, **community)["acknowledgeAlert"] == {
        "node": {"status": "acknowledged"}, "errors": []}
    again = api.gql(ack, {"c": NOBR_C2}, **community)["acknowledgeAlert"]
    assert again["node"] is None and again["errors"][0]["field"] == "status"
    # the sibling community's alert is out of scope: refused as if it did not exist
    other = api.gql(ack, {"c": NOBR_C3}, **community)["acknowledgeAlert"]
    assert other["errors"] == [{"field": "code", "message": f"你的管辖范围内没有预警 {NOBR_C3}"}]
    resolve = "mutation($c: String!, $n: String) { resolveAlert(code: $c, note: $n) { " \
              "node { status note history } errors { field } } }"
    done = api.gql(resolve, {"c": NOBR_C2, "n": "已联系街道组建支部"}, **community)
    node = done["resolveAlert"]["node"]
    assert (node["status"], node["note"]) == ("handled", "已联系街道组建支部")
    assert [h[1:] for h in alerts.history(node["history"])] == [
        ("new", alerts.SYSTEM), ("acknowledged", "community_staff@M1"),
        ("handled", "community_staff@M1")]
    assert [(e.code, e.change) for e in seen] == [(NOBR_C2, "acknowledged"),
                                                  (NOBR_C2, "handled")]
    outcomes = [(x["arguments"]["code"], x["outcome"])
                for x in audit_lines(api, "acknowledge_alert")]
    assert outcomes == [(NOBR_C2, "ok"), (NOBR_C2, "invalid"), (NOBR_C3, "invalid")]
    assert [x["outcome"] for x in audit_lines(api, "resolve_alert")] == ["ok"]
    # residents and analysts handle no alerts
    refused = api.post(ack, {"c": NOBR_C2}, role="analyst", scope="K1").json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_rule_edits_only_for_county_admins(served: tuple[Api, list[Event]]) -> None:
    api, _ = served
    alerts.evaluate(api.store, "2026-06-01", at="2026-06-01T08:00:00")
    update = 'mutation { updateAlertRule(code: "TS", input: {threshold: 0.4}) { ' \
             "node { threshold } errors { field } } }"
    for role, scope in (("street_staff", "S1"), ("community_staff", "M1")):
        body = api.post(update, role=role, scope=scope).json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "只有县级管理员可以修改规则" in body["errors"][0]["message"]
    create = 'mutation { createAlertRule(code: "G", parent: "County:K1", input: {name: "网格", ' \
             'kind: grid_worker, enabled: true}) { node { code } errors { field } } }'
    assert api.post(create, role="street_staff", scope="S1").json()["errors"][0][
        "extensions"]["code"] == "FORBIDDEN"
    assert api.gql(update)["updateAlertRule"] == {"node": {"threshold": 0.4}, "errors": []}
    assert api.gql(create)["createAlertRule"] == {"node": {"code": "G"}, "errors": []}
    # a rule the evaluation could not run is refused on the property it lacks
    bad = 'mutation { createAlertRule(code: "T2", parent: "County:K1", input: {name: "x", ' \
          'kind: threshold, indicator: "nope", level: Street, threshold: 0.5}) { ' \
          "errors { field } } }"
    assert api.gql(bad)["createAlertRule"] == {"errors": [{"field": "input.indicator"}]}
    unset = 'mutation { updateAlertRule(code: "TS", input: {threshold: null}) { ' \
            "errors { field message } } }"
    assert api.gql(unset)["updateAlertRule"] == {"errors": [
        {"field": "input.threshold", "message": "规则类型 threshold 须填写阈值（threshold）"}]}
    # every staff member of the county reads the rules
    rules = api.gql("{ alertRules(first: 10) { edges { node { code } } } }",
                    role="community_staff", scope="M2")["alertRules"]["edges"]
    assert sorted(e["node"]["code"] for e in rules) == ["G", "NOBR", "TS"]
    # with the threshold at 40%, S1 (50%) is no longer below it: cleared; the new rule
    # finds both grids without a full-time grid worker
    changes = alerts.evaluate(api.store, "2026-06-01", at="2026-06-02T08:00:00")
    assert (changes.raised, changes.cleared) == (["A-G-Grid-G1", "A-G-Grid-G2"], [TS_S1])


def test_schedule_runs_as_the_system(served: tuple[Api, list[Event]]) -> None:
    api, seen = served
    runs = 0

    async def sleep(seconds: float) -> None:
        nonlocal runs
        assert seconds == 0.5 * 60
        runs += 1
        if runs > 2:
            raise asyncio.CancelledError

    bus = Bus()
    got: list[Event] = []
    bus.publish = got.append  # type: ignore[method-assign]
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(schedule.every(0.5, api.store, _audit(api), bus, sleep=sleep))
    lines = audit_lines(api, "evaluate_alerts")
    assert [(x["who"], x["role"], x["arguments"]["trigger"], x["counts"]) for x in lines] == [
        (SYSTEM_CALLER.subject, "system", "schedule", {"raised": 4, "cleared": 0}),
        (SYSTEM_CALLER.subject, "system", "schedule", {"raised": 0, "cleared": 0})]
    assert sorted(e.code for e in got) == sorted([NOBR_C2, NOBR_C3, TS_S1, TS_S2])


@pytest.mark.parametrize("minutes", [5.0, 0.0])
def test_the_app_runs_the_schedule_it_is_set_to(store: BoltStore, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                minutes: float) -> None:
    started: list[tuple[float, Any]] = []

    async def every(minutes: float, store: Any, audit: Any, bus: Any) -> None:
        started.append((minutes, bus))

    monkeypatch.setattr(schedule, "every", every)
    app = create_app(api_settings(tmp_path, alert_interval_minutes=minutes), store)
    with running(app, store, tmp_path) as api:
        assert api.http.get("/health").status_code == 200
    bus = app.state.console.events
    assert started == ([(5.0, bus)] if minutes else [])


def _audit(api: Api) -> Any:
    from api.audit import AuditLog

    return AuditLog(api.audit)
