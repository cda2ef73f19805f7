"""Every indicator on the hand-made town (analysis_town.py), worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from analysis_town import town

from analysis.fetch import fetch
from analysis.indicators import (
    IndicatorReport,
    Options,
    compute_indicators,
    indicators_from,
    place_figures,
)
from analysis.tally import Indicator
from graph.store import BoltStore

NOW, THEN = "2025-01-01", "2022-06-01"


@pytest.fixture
def county(store: BoltStore) -> BoltStore:
    town().write(store)
    return store


def fig(ind: Indicator) -> tuple[float, float, float | None]:
    return ind.numerator, ind.denominator, ind.ratio


def kids(ind: Indicator) -> dict[str, tuple[float, float]]:
    return {c.code: (c.numerator, c.denominator) for c in ind.children}


def codes(items: list[Any]) -> list[str]:
    return [i.code for i in items]


def report(store: BoltStore, as_of: str = NOW, label: str = "County", code: str = "K",
           **kw: Any) -> IndicatorReport:
    return compute_indicators(store, label, code, as_of, Options(**kw))


def test_compound_indicators_now_and_then(county: BoltStore) -> None:
    now, then = report(county), report(county, THEN)
    assert now.scope.child_label == "Street"
    # branches: B1 covers C1, grid branch B2 covers G3 ∋ C4 → 2 of 4 compounds
    cov = now.get("compound_branch_coverage")
    assert fig(cov) == (2, 4, 0.5)
    assert kids(cov) == {"S1": (1, 3), "S2": (1, 1)}  # S1: C1 of C1,C2,C3; S2: C4
    assert codes(cov.gaps) == ["C2", "C3"]  # ranked by households: 60 > 40
    # property management now: F1→C1, F3→C4 (since 2024); F2→C2 ended 2022-12-31 → 2/4
    assert fig(now.get("property_management_coverage")) == (2, 4, 0.5)
    assert codes(now.get("property_management_coverage").gaps) == ["C2", "C3"]
    # then: F1→C1, F2→C2 current; F3 not yet → still 2/4 but C4 is the gap
    assert codes(then.get("property_management_coverage").gaps) == ["C4", "C3"]  # 200 > 40
    # owners' committees: OC1 (open term) now; OC1 + OC2 (term ends 2023-06-30) then
    assert fig(now.get("owners_committee_rate")) == (1, 4, 0.25)
    assert fig(then.get("owners_committee_rate")) == (2, 4, 0.5)
    # three-no now: C1 firm, C2 nothing, C3 unit U1, C4 firm F3 → only C2
    three = now.get("three_no_compounds")
    assert fig(three) == (1, 4, 0.25) and codes(three.gaps) == ["C2"]
    assert kids(three) == {"S1": (1, 3), "S2": (0, 1)}
    # then: C2 has F2 and OC2; C4 has nothing yet → only C4
    assert codes(then.get("three_no_compounds").gaps) == ["C4"]


def test_firms_buildings_liaison(county: BoltStore) -> None:
    now, then = report(county), report(county, THEN)
    # firms managing now: F1 (hosts POF) and F3 (member of joint branch JB) → 2/2
    assert fig(now.get("firm_party_coverage")) == (2, 2, 1.0)
    # then: F1 and F2; F2 has no party org → 1/2, gap F2
    firms = then.get("firm_party_coverage")
    assert fig(firms) == (1, 2, 0.5) and codes(firms.gaps) == ["F2"]
    # buildings: BD1 covered by group BG1, BD2 has member head P1, BD3's head P7 is no
    # member → 2/3
    bg = now.get("building_group_coverage")
    assert fig(bg) == (2, 3, pytest.approx(2 / 3)) and codes(bg.gaps) == ["BD3"]
    # liaison now: BD1 liaised (P3 since 2024) → its 50 households; BD2 not liaised but
    # its household H1 is → 1; C1 = 51 of 100; C2, C3, C4 none: 51 / (100+60+40+200)
    li = now.get("household_liaison_coverage")
    assert fig(li) == (51, 400, pytest.approx(51 / 400))
    assert kids(li) == {"S1": (51, 200), "S2": (0, 200)}
    assert codes(li.gaps)[:2] == ["C4", "C2"]  # affected 200, then 60 (C1 lacks 49)
    # then (2022): P3's liaison had not begun → only H1: 1 / 400
    assert fig(report(county, THEN).get("household_liaison_coverage"))[:2] == (1, 400)


def test_cross_posting_and_committees(county: BoltStore) -> None:
    now, then = report(county), report(county, THEN)
    # now OC1 = {P1 chair, P2, P3, P8}; B1 posts now: P1 secretary, P4 (P3's ended 2023)
    cp = now.get("cross_posting_ratio")
    assert fig(cp) == (1, 4, 0.25) and codes(cp.hits) == ["P1"]
    p1 = cp.hits[0].detail
    assert {(p["code"], p["role"]) for p in p1["posts"]} == {
        ("OC1", "chair"), ("B1", "secretary"), ("BD2", "building_head")}
    # then: OC1 as now (P3 still on B1 → crossed) plus OC2 = {P5 chair, P1, P7}; no branch
    # covers C2, so P1 (posted in two compounds) counts crossed for C1 but not for C2:
    # hits (OC1,P1), (OC1,P3) of 7 memberships
    old = then.get("cross_posting_ratio")
    assert fig(old)[:2] == (2, 7)
    assert sorted((i.code, i.detail["committee"]) for i in old.gaps) == [
        ("P1", "OC2"), ("P2", "OC1"), ("P5", "OC2"), ("P7", "OC2"), ("P8", "OC1")]
    # secretary-chair: only C1 has both a branch and a committee; P1 is both → 1/1
    assert fig(now.get("secretary_chair_overlap")) == (1, 1, 1.0)
    # red committees now: OC1 chair P1 is a member → 1/1; then OC2: chair P5 no member,
    # 1 member (P1) of 3 < half → not red → 1/2
    assert fig(now.get("red_owners_committees")) == (1, 1, 1.0)
    red = then.get("red_owners_committees")
    assert fig(red) == (1, 2, 0.5) and codes(red.gaps) == ["OC2"]
    # two-way entry: M1 chair P8 (residents' committee) and P2, a part-time member of
    # party committee PC1, sit on OC1 (inward, either committee); P2 is also an OC1
    # member on PC1 (outward) → M1; M2 has neither → 1/2
    tw = now.get("two_way_entry")
    assert fig(tw) == (1, 2, 0.5) and codes(tw.gaps) == ["M2"]
    assert tw.hits[0].detail == {"community_to_committees": ["P2", "P8"],
                                 "committees_to_party_committee": ["P2"]}


def test_people_and_communities(county: BoltStore) -> None:
    now = report(county)
    # dual reporting: in-service residents P1 (reported to M1 = home ✓), P3 (lives in
    # BD1 of C1, reported to M2 ✗), P10 (C4, reports 2025-06-01, after as-of ✗);
    # P9 is retired → 1/3
    dr = now.get("dual_reporting_rate")
    assert fig(dr) == (1, 3, pytest.approx(1 / 3))
    assert kids(dr) == {"S1": (1, 2), "S2": (0, 1)}
    assert fig(report(county, "2025-12-31").get("dual_reporting_rate"))[:2] == (2, 3)
    # co-building: U1 → M1 now (U2 ended 2021) → 1/2; units per community M1 1, M2 0
    cb = now.get("co_building_coverage")
    assert fig(cb) == (1, 2, 0.5)
    assert cb.extra["units_per_community"] == {"M1": 1, "M2": 0}
    assert report(county, "2021-06-01").get("co_building_coverage").extra[
        "units_per_community"] == {"M1": 2, "M2": 0}
    # leader linkage: P11 liaison leader in PC1 (covers M1) → 1/2
    assert fig(now.get("leader_linkage")) == (1, 2, 0.5)
    # grids: G1 has full-time P12; G2's P13 part-time; G3 none → 1/3
    gs = now.get("grid_staffing")
    assert fig(gs) == (1, 3, pytest.approx(1 / 3))
    # community workers: P14 in M1; population 5,000 (+ M2 none) → 1/5000·10,000 = 2
    assert gs.extra["community_workers_per_10k"] == pytest.approx(2.0)
    # overloaded (≥ 3 current posts): P1 holds OC1 chair, B1 secretary, BD2 head (OC2
    # post ended) = 3. People posted in scope now: P1 P2 P3 P4 P7 P8 P11 P12 P13 P14
    # (P7, not a member, is BD3's building head) → 1/10
    ov = now.get("overloaded_people")
    assert fig(ov) == (1, 10, pytest.approx(1 / 10)) and codes(ov.gaps) == ["P1"]
    assert kids(ov)["S2"] == (0, 1)  # P7's building lies in C4, street S2
    assert fig(report(county, overload_threshold=2).get("overloaded_people"))[0] == 3  # P1 P2 P8


def test_service_circle_and_demands(county: BoltStore) -> None:
    now = report(county)
    # located: C1 (0 m), C2 (~2.2 km), C4 (~868 m); C3 has no location
    sc = now.get("service_circle")
    assert fig(sc) == (300, 360, pytest.approx(300 / 360))  # C1 100 + C4 200 of 360
    assert sc.extra["no_location"] == ["C3"] and codes(sc.gaps) == ["C2"]
    assert 860 < sc.hits[1].detail["nearest_site_m"] < 875
    # a 500 m walk keeps only C1: 100/360
    assert fig(report(county, walk_m=500.0).get("service_circle"))[:2] == (100, 360)
    # demands by 2025-01-01: D1 done (12 h), D2 reviewed (36 h), D3 open and due
    # 2024-06-01 (overdue), D4 dispatched due 2025-06-01, D6 raised in community M1
    # (not a compound), due 2024-12-15 (overdue); D5 is created later → 2/5
    dc = now.get("demand_closure")
    assert fig(dc) == (2, 5, 0.4)
    assert dc.extra == {"median_hours": 24.0, "overdue": ["D3", "D6"]}
    assert kids(dc) == {"S1": (2, 5)}
    d6 = next(u for u in dc.gaps if u.code == "D6")
    assert (d6.detail["compound"], d6.detail["community"]) == (None, "M1")
    # a grid or compound scope does not hold a community's demands: C1 has D1-D4
    assert fig(report(county, label="Grid", code="G1").get("demand_closure"))[:2] == (2, 4)


def test_scopes_children_and_zero_denominators(county: BoltStore) -> None:
    street = report(county, label="Street", code="S1")
    assert street.scope.child_label == "Community"
    assert kids(street.get("compound_branch_coverage")) == {"M1": (1, 3)}
    community = report(county, label="Community", code="M1")
    # a community's children are grids: C2 lies in G1 and G2 and counts in both
    assert kids(community.get("compound_branch_coverage")) == {"G1": (1, 2), "G2": (0, 2)}
    assert fig(community.get("compound_branch_coverage"))[:2] == (1, 3)
    grid = report(county, label="Grid", code="G2")
    assert {c.code for c in grid.get("owners_committee_rate").children} == {"C2", "C3"}
    # street S2: C4 has a branch but no committee → nothing to divide by
    s2 = report(county, label="Street", code="S2")
    sc = s2.get("secretary_chair_overlap")
    assert (sc.ratio, sc.reason) == (None, "范围内没有既有党支部又有业委会的小区")
    assert s2.get("demand_closure").ratio is None  # D5 was raised after the as-of date
    c3 = report(county, label="Compound", code="C3")
    assert c3.get("building_group_coverage").reason == "范围内没有楼栋"
    assert c3.get("service_circle").ratio is None  # C3 has no location
    assert c3.get("compound_branch_coverage").children == []


def test_unknown_scope(county: BoltStore) -> None:
    from analysis.fetch import ScopeNotFound

    with pytest.raises(ScopeNotFound):
        report(county, label="Street", code="nope")
    with pytest.raises(ValueError):
        report(county, label="Building", code="BD1")


def test_fixed_round_trips(county: BoltStore) -> None:
    before = county.round_trips
    report(county)
    # scope + 8 item queries (demands: compounds' and communities') + sites + people +
    # child names + whistles (compounds' and communities'), whatever the graph size
    assert county.round_trips - before == 14


def test_every_analysis_read_may_name_optional_data() -> None:
    """Analyses name optional properties and types (``confirmed``, ``DUTY_OF`` …) that a
    store may not hold yet: on Neo4j each such name would log a warning per query and
    county (thousands for a province) unless the read says so (``Query.optional_names``,
    whose effect tests/graph/test_store_contract.py checks)."""
    from analysis import queries as q
    from analysis.whistle import whistles_query
    from graph.store import Query

    reads = [v for v in vars(q).values() if isinstance(v, Query)]
    reads += [q.compounds("County"), q.names("Street"), q.residents("County"),
              *q.net_places("County"), q.net_people("PartyOrg"),
              whistles_query("County", "Compound")]
    assert len(reads) >= 15  # the module-level ones found, and some built
    assert [r.name for r in reads if not r.optional_names] == []


@pytest.mark.parametrize("as_of", [NOW, THEN])
def test_the_place_figures_read_no_demand(county: BoltStore, as_of: str) -> None:
    """The analytic projection keeps them while it reads only the demands and whistles
    again: they must not change when those do."""
    d, opt = fetch(county, "County", "K", as_of), Options(overload_threshold=2)
    bare = replace(d, demands=[], whistles=[])
    assert place_figures(d, opt) == place_figures(bare, opt)
    whole = indicators_from(d, opt)
    assert indicators_from(d, opt, place_figures(bare, opt)) == whole
    assert [i.key for i in whole.indicators] == [i.key for i in indicators_from(bare, opt)
                                                 .indicators]
    if as_of == NOW:  # D1-D4 and D6 raised by then: the demands' own figure does change
        assert indicators_from(bare, opt).get("demand_closure") != whole.get("demand_closure")
