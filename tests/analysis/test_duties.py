"""The annual duties indicator (analysis.duties) and the dual-reporting indicator with
reports made online, on a small town worked out by hand.

    County K ─ Street S1 ─ Community M1 ─ Grid G1: C1 (building BD1)
             ─ Street S2 ─ Community M2 ─ Grid G2: C2

In-service members: P1 (C1) did all five duties in 2025; P2 (BD1) four in 2025 and the
household in 2024; P3 (C2) four by June and the survey on 2025-12-01; P5 (C2) none.
P4 (C1) is retired and not counted.  Reports: P1 → M1 made online and not confirmed,
P2 → M1 from a ledger (no flag: confirmed), P3 → M2 confirmed online.
"""

from __future__ import annotations

from typing import Any

from analysis_builder import G

from analysis.duties import DUTY_CODES
from analysis.indicators import compute_indicators
from graph.store import BoltStore

FOUR = ("party_life", "cadre_talk", "volunteer_day")


def _town(store: BoltStore) -> None:
    g = G().spine("K", {"S1": {"M1": {"G1": ["C1"]}}, "S2": {"M2": {"G2": ["C2"]}}})
    g.node("Building", "BD1").rel("BD1", "PART_OF", "C1")
    for code, home in (("P1", "C1"), ("P2", "BD1"), ("P3", "C2"), ("P5", "C2")):
        g.node("Member", code).rel(code, "LIVES_IN", home)
    g.node("Member", "P4", member_status="retired").rel("P4", "LIVES_IN", "C1")
    done = {"P1": [(d, "2025-03-01") for d in DUTY_CODES],
            "P2": [*((d, "2025-02-01") for d in (*FOUR, "survey")),
                   ("household_helped", "2024-11-01")],
            "P3": [*((d, "2025-04-01") for d in (*FOUR, "household_helped")),
                   ("survey", "2025-12-01")],
            "P4": [(d, "2025-03-01") for d in DUTY_CODES]}
    for member, duties in done.items():
        for i, (duty, day) in enumerate(duties):
            code = f"DR-{member}-{i}"
            g.node("DutyRecord", code, duty=duty, date=day).rel(code, "DUTY_OF", member)
    g.rel("P1", "REPORTED_TO", "M1", date="2025-01-01", confirmed=False)
    g.rel("P2", "REPORTED_TO", "M1", date="2025-01-01")
    g.rel("P3", "REPORTED_TO", "M2", date="2025-01-01", confirmed=True)
    g.write(store)


def _figure(store: BoltStore, key: str, as_of: str) -> tuple[float, float, dict[str, Any]]:
    ind = compute_indicators(store, "County", "K", as_of).get(key)
    return ind.numerator, ind.denominator, {
        "children": {c.code: (c.numerator, c.denominator) for c in ind.children},
        "hits": [i.code for i in ind.hits],
        "gaps": [(i.code, i.detail.get("missing")) for i in ind.gaps]}


def test_members_with_all_five_duties_this_year(store: BoltStore) -> None:
    _town(store)
    assert _figure(store, "annual_duties_rate", "2025-06-30") == (1.0, 4.0, {
        "children": {"S1": (1.0, 2.0), "S2": (0.0, 2.0)},
        "hits": ["P1"],
        "gaps": [("P5", list(DUTY_CODES)), ("P2", ["household_helped"]),
                 ("P3", ["survey"])]})
    # by the year's end P3 has done the survey too; a new year starts from nothing
    assert _figure(store, "annual_duties_rate", "2025-12-31")[:2] == (2.0, 4.0)
    assert _figure(store, "annual_duties_rate", "2026-01-01")[:2] == (0.0, 4.0)


def test_a_report_made_online_counts_once_confirmed(store: BoltStore) -> None:
    _town(store)
    num, den, parts = _figure(store, "dual_reporting_rate", "2025-06-30")
    assert (num, den, parts["hits"]) == (2.0, 4.0, ["P2", "P3"])
