"""The demand life cycle (graph.lifecycle): its table, its Cypher, every step on a store.

What the API says about a refused step (the current status named) and that the mutation
and matching write-back store the same dispatch: tests/api/test_lifecycle_api.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph import lifecycle
from graph.lifecycle import DISPATCH, STEPS, Guard, StepRefused
from graph.store import BoltStore, Query, Transaction
from graph.writer import NodeRecord, write_graph

AT = "2025-03-01T09:30:00"
AREAS = "[(n)-[:RAISED_IN]->(anchor)-[:PART_OF|IN_GRID*0..6]->(area) | area.code] AS areas"
CHAIN = ["open", "dispatched", "accepted", "done", "reviewed"]


def test_the_steps_form_the_models_chain() -> None:
    assert [(s.name, s.before, s.after) for s in STEPS.values()] == [
        ("dispatch", "open", "dispatched"), ("accept", "dispatched", "accepted"),
        ("complete", "accepted", "done"), ("review", "done", "reviewed")]
    assert lifecycle.raised(AT) == {"status": "open", "created_at": AT, "done_at": None,
                                    "satisfaction": None, "accepted_at": None,
                                    "reviewed_at": None}


def test_overdue_means_not_handled_by_the_day_and_due_before_it() -> None:
    on = "2025-03-01"
    assert lifecycle.overdue("open", "2025-02-28", None, on)
    assert not lifecycle.overdue("open", "2025-03-01", None, on)  # due that day: not yet
    assert not lifecycle.overdue("accepted", None, None, on)  # no due date: never
    assert not lifecycle.overdue("done", "2025-01-01", "2025-03-01T18:00:00", on)
    assert lifecycle.overdue("done", "2025-01-01", "2025-03-02T08:00:00", on)  # done later
    assert not lifecycle.overdue("reviewed", "2025-01-01", None, on)


def test_what_each_step_sets() -> None:
    assert lifecycle.changes(STEPS["dispatch"], AT, {}) == {"status": "dispatched"}
    assert lifecycle.changes(STEPS["accept"], AT, {"satisfaction": 3}) == {
        "status": "accepted", "accepted_at": AT}  # 签收: the whistle rates read it
    assert lifecycle.changes(STEPS["complete"], AT, {}) == {"status": "done", "done_at": AT}
    assert lifecycle.changes(STEPS["review"], AT, {"satisfaction": 5}) == {
        "status": "reviewed", "satisfaction": 5, "reviewed_at": AT}
    for given, message in (({}, "必须填写"), ({"satisfaction": None}, "必须填写"),
                           ({"satisfaction": 6}, "不能大于 5，填的是 6")):
        with pytest.raises(StepRefused) as refused:
            lifecycle.changes(STEPS["review"], AT, given)
        assert (refused.value.field, str(refused.value)) == ("satisfaction", message)


def test_taker_rules_come_from_the_model() -> None:
    assert lifecycle.TAKERS == ("Member", "Unit", "VolunteerTeam")
    assert [lifecycle.taker_label(x) for x in ("Person", "Member", "Unit", "VolunteerTeam",
                                               "SocialOrg", "PropertyFirm")] == [
        "Member", "Member", "Unit", "VolunteerTeam", None, None]


def test_dispatch_cypher() -> None:
    assert lifecycle.dispatch_query("Unit").name == "demand_dispatch_Unit_any"
    assert lifecycle.dispatch_query("Unit").cypher == """UNWIND $rows AS row
MATCH (n:Demand {code: row.demand}) WHERE coalesce(n.status, 'open') = 'open'
MATCH (o:Unit {code: row.taker})
SET n.status = 'dispatched'
MERGE (n)-[a:ASSIGNED_TO {rkey: row.link.rkey}]->(o)
SET a += row.link
RETURN n.code AS code, """ + AREAS
    guarded = lifecycle.dispatch_query("Member", Guard("mine", "n.owner = $me"))
    assert guarded.name == "demand_dispatch_Member_mine"
    assert guarded.cypher.splitlines()[1:3] == [
        "MATCH (n:Demand {code: row.demand}) WHERE n.owner = $me AND "
        "coalesce(n.status, 'open') = 'open'",
        "MATCH (o:Member {code: row.taker})"]
    assert lifecycle.transition_query(Guard("mine", "n.owner = $me")).cypher == (
        "MATCH (n:Demand {code: $code}) WHERE n.owner = $me AND "
        "coalesce(n.status, 'open') = $from SET n += $props RETURN n.code AS code, "
        + AREAS)
    # both say where the demand lies, for the write counter (graph.store)
    assert guarded.demand_areas == "areas" == lifecycle.transition_query(
        Guard("mine", "")).demand_areas
    for label in ("Person", "SocialOrg", "Demand"):
        with pytest.raises(ValueError, match="cannot take a dispatch"):
            lifecycle.dispatch_query(label)


def test_assignment_row_carries_the_relationship_key() -> None:
    assert lifecycle.assignment("D1", "U1", AT, "R1") == {
        "demand": "D1", "taker": "U1",
        "link": {"at": AT, "resource": "R1", "rkey": ""}}  # ASSIGNED_TO has no key props


STATE = Query("lifecycle_state", "MATCH (d:Demand) OPTIONAL MATCH (d)-[a:ASSIGNED_TO]->(o) "
                                 "RETURN d.code AS d, d.status AS s, d.done_at AS done, "
                                 "d.satisfaction AS sat, o.code AS o, properties(a) AS a "
                                 "ORDER BY d")


def _demand(store: BoltStore, status: str | None) -> None:
    props: dict[str, Any] = {"title": "t", "category": "repair"}
    if status is not None:
        props["status"] = status
    write_graph(store, [NodeRecord("Demand", "D1", props), NodeRecord("Unit", "U1",
                                                                      {"name": "u"})], [])


def _run(store: BoltStore, name: str) -> bool:
    move = STEPS[name]

    def work(tx: Transaction) -> bool:
        if move is DISPATCH:
            row = lifecycle.assignment("D1", "U1", AT, None)
            return bool(lifecycle.dispatch(tx, "Unit", [row]))
        props = lifecycle.changes(move, AT, {"satisfaction": 4})
        return lifecycle.transit(tx, move, "D1", props)

    return store.transaction(work)


@pytest.mark.parametrize("status", [None, *CHAIN])
def test_every_step_from_every_status(store: BoltStore, status: str | None) -> None:
    """A step applies exactly from its ``before`` status (no status counts as open);
    from any other it changes nothing."""
    for name, move in STEPS.items():
        _demand(store, status)
        before = store.read(STATE)
        applied = _run(store, name)
        assert applied == (move.before == (status or "open")), (status, name)
        after = store.read(STATE)
        if not applied:
            assert after == before
            continue
        row = after[0]
        assert row["s"] == move.after
        assert row["done"] == (AT if name == "complete" else None)
        assert row["sat"] == (4 if name == "review" else None)
        if name == "dispatch":
            assert (row["o"], row["a"]) == ("U1", {"at": AT, "rkey": ""})
        store.write(Query("lifecycle_reset", "MATCH (d:Demand) DETACH DELETE d"))


def test_batch_dispatch_skips_what_is_no_longer_open(store: BoltStore) -> None:
    write_graph(store, [NodeRecord("Demand", "D1", {"title": "a", "category": "repair"}),
                        NodeRecord("Demand", "D2", {"title": "b", "category": "repair",
                                                    "status": "accepted"}),
                        NodeRecord("Unit", "U1", {"name": "u"})], [])
    rows = [lifecycle.assignment(d, "U1", AT, "R1") for d in ("D1", "D2", "D3")]
    assert store.transaction(lambda tx: lifecycle.dispatch(tx, "Unit", rows)) == ["D1"]
    # again: D1 is dispatched now, nothing changes and no second ASSIGNED_TO appears
    assert store.transaction(lambda tx: lifecycle.dispatch(tx, "Unit", rows)) == []
    assert store.read(STATE) == [
        {"d": "D1", "s": "dispatched", "done": None, "sat": None, "o": "U1",
         "a": {"at": AT, "resource": "R1", "rkey": ""}},
        {"d": "D2", "s": "accepted", "done": None, "sat": None, "o": None, "a": None}]


def test_a_dispatch_to_a_missing_taker_changes_nothing(store: BoltStore) -> None:
    write_graph(store, [NodeRecord("Demand", "D1", {"title": "a", "category": "repair"})], [])
    row = lifecycle.assignment("D1", "U9", AT, None)
    assert store.transaction(lambda tx: lifecycle.dispatch(tx, "Unit", [row])) == []
    assert store.read(STATE)[0]["s"] is None


def test_transit_refuses_a_dispatch() -> None:
    with pytest.raises(ValueError, match="use lifecycle.dispatch"):
        lifecycle.transit(None, DISPATCH, "D1", {})  # type: ignore[arg-type]
