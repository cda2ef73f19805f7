"""Unplaced nodes and attribute/relationship contradictions (analysis.check), by hand.

    County K ─ Street S1 ─ Community M1 ─ Grid G1: C1 … C5      (all placed)
    C1 market,       F1 manages it (current)           fine
    C2 market,       F2 managed it until 2022-12-31    → firm mode without a firm (now)
    C3 none,         F3 manages it since 2024-01-01    → firm although "none" (now)
    C4 self-managed, no firm                           fine
    C5 no mode                                         fine
Unplaced, one per rule: C9 (no grid; party_led and no firm too), G9, M9, S9, BD9, H9,
party org X1 (W1 has PC1 under it, PC1 covers M1: both placed), members P2 (lives in
C2) and P3 (lives nowhere), OC9, firm F9 (F4 is only located: placed), unit UN9, demand D9.
P4 is no party member: no organisation needed.
"""

from __future__ import annotations

import pytest
from analysis_builder import G

from analysis.check import Finding, check, render
from analysis.fetch import ScopeNotFound
from graph.store import BoltStore

NOW, THEN = "2025-01-01", "2022-06-01"


@pytest.fixture
def town(store: BoltStore) -> BoltStore:
    g = G().spine("K", {"S1": {"M1": {"G1": ["C1", "C2", "C3", "C4", "C5"]}}},
                  C1={"property_mode": "market"}, C2={"property_mode": "market"},
                  C3={"property_mode": "none"}, C4={"property_mode": "self_managed"})
    g.node("Compound", "C9", property_mode="party_led")
    g.node("Grid", "G9").node("Community", "M9").node("Street", "S9")
    g.node("Building", "BD9").node("Household", "H9")
    g.node("PartyOrg", "PC1", kind="community_party_committee").rel("PC1", "COVERS", "M1")
    g.node("PartyOrg", "W1", kind="street_working_committee").rel("PC1", "UNDER", "W1")
    g.node("PartyOrg", "X1", kind="joint_branch")
    for m in ("P1", "P2", "P3"):
        g.node("Member", m)
    g.node("Person", "P4")
    g.rel("P1", "MEMBER_OF", "PC1").rel("P1", "LIVES_IN", "C1").rel("P2", "LIVES_IN", "C2")
    g.node("OwnersCommittee", "OC1").rel("OC1", "REPRESENTS", "C1").node("OwnersCommittee",
                                                                          "OC9")
    g.node("PropertyFirm", "F1").rel("F1", "MANAGES", "C1", since="2020-01-01")
    g.node("PropertyFirm", "F2").rel("F2", "MANAGES", "C2", since="2018-01-01",
                                     until="2022-12-31")
    g.node("PropertyFirm", "F3").rel("F3", "MANAGES", "C3", since="2024-01-01")
    g.node("PropertyFirm", "F4").rel("F4", "LOCATED_IN", "M1").node("PropertyFirm", "F9")
    g.node("Unit", "UN1").rel("UN1", "LOCATED_IN", "M1").node("Unit", "UN9")
    d = {"title": "t", "category": "repair"}
    g.node("Demand", "D1", **d).rel("D1", "RAISED_IN", "C1").node("Demand", "D9", **d)
    g.write(store)
    return store


def found(findings: list[Finding]) -> dict[str, tuple[int, list[str]]]:
    return {f.rule.key: (f.total, [i["code"] for i in f.items]) for f in findings}


def test_whole_store(town: BoltStore) -> None:
    assert found(check(town, as_of=NOW)) == {
        "compound_unplaced": (1, ["C9"]), "grid_unplaced": (1, ["G9"]),
        "community_unplaced": (1, ["M9"]), "street_unplaced": (1, ["S9"]),
        "building_unplaced": (1, ["BD9"]), "household_unplaced": (1, ["H9"]),
        "party_org_unplaced": (1, ["X1"]), "member_unplaced": (2, ["P2", "P3"]),
        "owners_committee_unplaced": (1, ["OC9"]), "firm_unplaced": (1, ["F9"]),
        "unit_unplaced": (1, ["UN9"]), "demand_unplaced": (1, ["D9"]),
        "firm_mode_without_firm": (2, ["C2", "C9"]),
        "no_firm_mode_with_firm": (1, ["C3"]),
    }
    # in 2022 F2 still managed C2 and F3 had not begun at C3: only C9 contradicts
    then = found(check(town, as_of=THEN))
    assert then["firm_mode_without_firm"] == (1, ["C9"])
    assert "no_firm_mode_with_firm" not in then


def test_scope_narrows_what_can_be_placed(town: BoltStore) -> None:
    findings = check(town, "Street", "S1", NOW, shown=1)
    got = {f.rule.key: (f.total, [i["code"] for i in f.items], f.whole_store)
           for f in findings}
    assert got["member_unplaced"] == (1, ["P2"], False)  # P3 lives nowhere: not in S1
    assert got["firm_mode_without_firm"] == (1, ["C2"], False)  # C9 is in no scope
    assert got["no_firm_mode_with_firm"] == (1, ["C3"], False)
    assert got["compound_unplaced"] == (1, ["C9"], True)  # in no scope: listed store-wide
    assert len(got) == 14
    with pytest.raises(ScopeNotFound, match="范围 Street:NOPE 不存在"):
        check(town, "Street", "NOPE")
    with pytest.raises(ValueError, match="asOf"):
        check(town, as_of="yesterday")


def test_render_groups_counts_and_bounds(town: BoltStore) -> None:
    lines = render(check(town, "Community", "M1", NOW, shown=1))
    assert lines[0] == "警告：14 处数据会让指标少算或算错（14 条规则）"  # 11 + P2, C2, C3
    assert ("党员：党员未隶属任何党组织（组织关系），共 1 个" in lines)
    i = lines.index("小区：物业管理模式为市场化物业、党建引领领办物业、国企托管之一，但当前没有"
                    "物业服务企业管理（物业服务），指标按无物业计，共 1 个")
    assert lines[i + 1] == "  C2 C2，物业管理模式：市场化物业"
    i = lines.index("党员：党员未隶属任何党组织（组织关系），共 1 个")
    assert lines[i + 1] == "  P2 P2"
    whole = render(check(town, as_of=NOW, shown=1))
    i = whole.index("党员：党员未隶属任何党组织（组织关系），共 2 个")
    assert whole[i + 1: i + 3] == ["  P2 P2", "  …… 另有 1 个未列出"]
    assert "小区：小区未归属任何网格（IN_GRID），不在任何范围内，所有指标都不计入" \
           "（不在任何范围内，按全库列出），共 1 个" in lines
    store_empty = render([])
    assert store_empty == ["未发现放置缺失或属性与关系矛盾。"]
