"""The red-points ledger (graph.points) on a store: caps per period with exact figures,
idempotent awards, corrections, competition ranks.

What the API adds (who may award, scope, the automatic awards of the life cycle):
tests/api/test_selfservice_api.py.
"""

from __future__ import annotations

from typing import Any

from graph import points
from graph.store import BoltStore, Query
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

RULE = {"code": "PR-T", "name": "办结领办任务", "points": 10, "cap": 25, "period": "month",
        "min_satisfaction": None}
ENTRIES = Query("t_entries", "MATCH (e:PointsEntry)-[:AWARDED_TO]->(m:Person) "
                             "MATCH (e)-[:EARNED_IN]->(c:Community) "
                             "RETURN e.points AS points, e.reason AS reason, e.period AS period, "
                             "m.code AS member, c.code AS community ORDER BY e.at, e.code")


def _town(store: BoltStore) -> None:
    write_graph(store, [N("County", "K1", {"name": "县"}), N("Street", "S1", {"name": "街"}),
                        N("Community", "M1", {"name": "社区"}),
                        N("Community", "M2", {"name": "社区二"}),
                        N("Person", "P1", {"name": "甲", "member_status": "in_service"}),
                        N("Person", "P2", {"name": "乙", "member_status": "retired"}),
                        N("Person", "P3", {"name": "丙", "member_status": "in_service"})],
                [R("PART_OF", "Street", "S1", "County", "K1"),
                 R("PART_OF", "Community", "M1", "Street", "S1"),
                 R("PART_OF", "Community", "M2", "Street", "S1")])


def _award(store: BoltStore, source: str, at: str, member: str = "P1",
           rule: dict[str, Any] = RULE) -> str | None:
    return store.transaction(lambda tx: points.award(tx, rule, member, "M1", source, at, "S"))


def test_ranks_are_shared_by_ties() -> None:
    rows = [{"code": c, "name": None, "points": p}
            for c, p in (("A", 9), ("B", 9), ("C", 5), ("D", 5), ("E", 1))]
    assert [(s.rank, s.code) for s in points.ranked(rows)] == [
        (1, "A"), (1, "B"), (3, "C"), (3, "D"), (5, "E")]


def test_period_keys_and_grants() -> None:
    assert points.period_key("month", "2026-03-31T23:59:59") == "2026-03"
    assert points.period_key("year", "2026-03-31T23:59:59") == "2026"
    assert points.period_key(None, "2026-03-31T23:59:59") == "2026"
    assert [points.granted(10, 25, used) for used in (0, 20, 25, 30)] == [10, 5, 0, 0]
    assert points.granted(10, None, 1000) == 10


def test_a_cap_is_reached_within_a_month_and_starts_again_in_the_next(store: BoltStore) -> None:
    _town(store)
    for source, at in (("D1", "2026-03-01T09:00:00"), ("D2", "2026-03-10T09:00:00"),
                       ("D3", "2026-03-20T09:00:00"), ("D4", "2026-03-31T23:00:00"),
                       ("D5", "2026-04-01T08:00:00")):
        assert _award(store, source, at) is not None
    assert store.read(ENTRIES) == [
        {"points": 10, "reason": "办结领办任务（D1）", "period": "2026-03", "member": "P1",
         "community": "M1"},
        {"points": 10, "reason": "办结领办任务（D2）", "period": "2026-03", "member": "P1",
         "community": "M1"},
        {"points": 5, "reason": "办结领办任务（D3）；本期上限 25 分，已得 20 分，记 5 分",
         "period": "2026-03", "member": "P1", "community": "M1"},
        {"points": 0, "reason": "办结领办任务（D4）；本期上限 25 分，已得 25 分，记 0 分",
         "period": "2026-03", "member": "P1", "community": "M1"},
        {"points": 10, "reason": "办结领办任务（D5）", "period": "2026-04", "member": "P1",
         "community": "M1"}]
    # the cap is per member: another member starts from nothing
    _award(store, "D3", "2026-03-20T10:00:00", member="P3")
    assert store.read(ENTRIES)[-1]["points"] == 10


def test_an_award_is_made_once_per_rule_source_and_member(store: BoltStore) -> None:
    _town(store)
    assert _award(store, "D1", "2026-03-01T09:00:00") is not None
    assert _award(store, "D1", "2026-03-02T09:00:00") is None
    assert len(store.read(ENTRIES)) == 1
    # not a party member (a retired member is one; a person without a status is not)
    write_graph(store, [N("Person", "X1", {"name": "非党员"})], [])
    assert _award(store, "D1", "2026-03-01T09:00:00", member="X1") is None
    assert len(store.read(ENTRIES)) == 1


def test_a_correction_adds_an_entry_and_leaves_the_original(store: BoltStore) -> None:
    _town(store)
    first = _award(store, "D1", "2026-03-01T09:00:00")
    original = store.read(points.ENTRY, code=first)[0]
    code = store.transaction(lambda tx: points.correct(tx, original, -4, "重复记分",
                                                       "2026-03-05T10:00:00", "S"))
    assert store.read(points.ENTRY, code=first) == [original]
    fixed = store.read(points.ENTRY, code=code)[0]
    assert (fixed["member"], fixed["community"]) == ("P1", "M1")
    assert {k: fixed["entry"].get(k) for k in ("points", "reason", "rule", "correction_of")} == {
        "points": -4, "reason": f"更正 {first}：重复记分", "rule": None, "correction_of": first}
    history = store.read(points.HISTORY, member="P1", period="2026-03")
    assert [r["entry"]["points"] for r in history] == [10, -4]
    # a correction does not count against the cap: two more awards still earn 10 and 5
    _award(store, "D2", "2026-03-06T09:00:00")
    _award(store, "D3", "2026-03-07T09:00:00")
    assert [r["points"] for r in store.read(ENTRIES)] == [10, -4, 10, 5]


def test_rankings_by_community_street_and_period(store: BoltStore) -> None:
    _town(store)
    activity = {**RULE, "code": "PR-A", "cap": None}
    for member, source, at in (("P1", "a", "2026-03-01T09:00:00"),
                               ("P2", "a", "2026-03-01T09:00:00"),
                               ("P3", "b", "2025-12-01T09:00:00")):
        _award(store, source, at, member=member, rule=activity)
    store.transaction(lambda tx: points.award(tx, activity, "P3", "M2", "c",
                                              "2026-03-02T09:00:00", "S"))

    def ranking(label: str, code: str, period: str | None) -> list[tuple[int, str, int]]:
        rows = store.read(points.ranking_query(label), within=code, period=period)
        return [(s.rank, s.code, s.points) for s in points.ranked(rows)]

    assert ranking("Community", "M1", "2026") == [(1, "P1", 10), (1, "P2", 10)]
    assert ranking("Community", "M1", None) == [(1, "P1", 10), (1, "P2", 10), (1, "P3", 10)]
    assert ranking("Street", "S1", None) == [(1, "P3", 20), (2, "P1", 10), (2, "P2", 10)]
    assert ranking("Street", "S1", "2026-03") == [(1, "P1", 10), (1, "P2", 10), (1, "P3", 10)]
    assert ranking("Community", "M2", "2025") == []
