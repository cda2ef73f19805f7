"""What-if matching on export_town.py's street: an extra resource, another radius, k,
weights that score the plans, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_town import AS_OF, C2_EAST_M, export_town

from analysis.matching import EXHAUSTED, NO_RESOURCE, match_demands
from analysis.whatif import compare, plan_table, read_resources, what_if
from graph.store import BoltStore, Query

COUNT = Query("t_count", "MATCH (n) WHERE NOT n:JinlinWriteStamp RETURN count(n) AS n")
ASSIGNED = Query("t_assigned", "MATCH ()-[r:ASSIGNED_TO]->() RETURN count(r) AS n")


@pytest.fixture
def town(store: BoltStore) -> BoltStore:
    export_town().write(store)
    return store


def _extra(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extra.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_base_plan_is_match_plan(town: BoltStore) -> None:
    plan = what_if(town, "Street", "S", as_of=AS_OF)
    assert plan == match_demands(town, "Street", "S", as_of=AS_OF)
    assert plan_table(plan).rows == [
        {"demand": "DA", "category": "repair", "urgency": 2, "resource": "R1",
         "taker": "PropertyFirm:F1", "distance_m": 0.0, "reason": None},
        {"demand": "DB", "category": "repair", "urgency": 1, "resource": None, "taker": None,
         "distance_m": None, "reason": EXHAUSTED},
        {"demand": "DC", "category": "legal", "urgency": 1, "resource": None, "taker": None,
         "distance_m": None, "reason": NO_RESOURCE}]


def test_extra_resources_from_a_file_and_the_comparison(town: BoltStore,
                                                          tmp_path: Path) -> None:
    """X1 (repair, at C2) serves DB; X2 (legal, Chinese headers and category) serves DC
    from C1, 963 m away; X3 (elder care) has no demand to serve.  Nothing is written."""
    before = town.read(COUNT)[0]["n"]
    rows = read_resources(_extra(tmp_path, "编码,类别,每期服务能力,纬度,经度,服务半径(米)\n"
                                           "X1,repair,1,30.0,120.01,500\n"
                                           "X2,法律服务,,30.0,120.0,1500\n"
                                           "X3,elder_care,2,30.0,120.0,\n"))
    assert rows[1] == {"code": "X2", "name": None, "category": "legal", "capacity": None,
                       "lat": 30.0, "lon": 120.0, "radius_m": 1500.0}
    base = what_if(town, "Street", "S", as_of=AS_OF)
    other = what_if(town, "Street", "S", as_of=AS_OF, extra=rows)
    assert [(a.demand, a.resource, a.offerer) for a in other.assignments] == [
        ("DA", "R1", "F1"), ("DB", "X1", None), ("DC", "X2", None)]
    assert other.assignments[2].distance_m == pytest.approx(C2_EAST_M, abs=0.5)
    diff = compare(base, other, weights={"法律服务": 3})
    assert diff.newly_matched == ["DB", "DC"] and diff.newly_unmatched == []
    assert (diff.a.matched, diff.b.matched) == (1, 3)
    assert diff.a.unmatched == {EXHAUSTED: 1, NO_RESOURCE: 1} and diff.b.unmatched == {}
    assert (diff.a.urgency_served, diff.b.urgency_served) == (2, 4)
    assert (diff.a.weighted_served, diff.b.weighted_served) == (2.0, 2 + 1 + 3 * 1)
    assert [r["demand"] for r in diff.changes.rows] == ["DB", "DC"]
    assert diff.changes.rows[0] == {
        "demand": "DB", "category": "repair", "urgency": 1, "resource_a": None,
        "distance_m_a": None, "reason_a": EXHAUSTED, "resource_b": "X1", "distance_m_b": 0.0,
        "reason_b": None}
    summary = {r["figure"]: (r["a"], r["b"], r["change"]) for r in diff.summary_table().rows}
    assert summary["matched"] == (1, 3, 2)
    assert summary[f"unmatched: {EXHAUSTED}"] == (1, 0, -1)
    assert town.read(COUNT)[0]["n"] == before and town.read(ASSIGNED)[0]["n"] == 0


def test_radius_and_k(town: BoltStore) -> None:
    """A 500 m radius for every resource leaves DB (963 m from R1) without a candidate;
    k is validated."""
    plan = what_if(town, "Street", "S", as_of=AS_OF, radius=500)
    assert [(u.demand, u.reason) for u in plan.unmatched] == [("DB", NO_RESOURCE),
                                                              ("DC", NO_RESOURCE)]
    with pytest.raises(ValueError, match="k 必须至少为 1"):
        what_if(town, "Street", "S", k=0)


def test_bad_extra_files_are_refused(town: BoltStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="缺少列：lat、lon"):
        read_resources(_extra(tmp_path, "code,category\nX1,repair\n"))
    with pytest.raises(ValueError, match="第 2 行 category"):
        read_resources(_extra(tmp_path, "code,category,lat,lon\nX1,plumbing,30,120\n"))
    with pytest.raises(ValueError, match="编码重复：X1"):
        read_resources(_extra(tmp_path, "code,category,lat,lon\nX1,repair,30,120\n"
                                        "X1,repair,30,120\n"))
    clash = read_resources(_extra(tmp_path, "code,category,lat,lon\nR1,repair,30,120\n"))
    with pytest.raises(ValueError, match="与已有资源重复：R1"):
        what_if(town, "Street", "S", as_of=AS_OF, extra=clash)
    with pytest.raises(ValueError, match="权重不能为负"):
        compare(what_if(town, "Street", "S", as_of=AS_OF),
                what_if(town, "Street", "S", as_of=AS_OF), weights={"repair": -1})
