"""Two-way entry (双向进入) on a hand-made street of three communities.

    Street S ─ M1: G1: C1   PC1 (community party committee) covers M1; OC1 represents C1
             ─ M2: G2: C2   no party committee; F2 manages C2
             ─ M3: G3: C3   PC3 covers M3, grid branch B3 covers M3 too; OC3 and F3 on C3

M1: P1, secretary of PC1, chairs OC1 and nobody else crosses: (a) through the party
committee (the case the residents'-committee-only reading missed) and (b) → counted.
P4 sat on PC1 and still sits on OC1, but the PC1 post ended in 2020 → not counted.
M2: R2 chairs the residents' committee and manages for F2 → (a) only → not counted.
M3: R3 (residents' committee) sits on OC3 → (a); Q3, F3's project manager, is a part-time
member of PC3 → (a) and (b) → counted.  X3 sits on OC3 and on B3, which covers M3 but is
no community party committee → neither.  Figure: 2 of 3.
"""

from __future__ import annotations

from analysis_builder import G

from analysis.indicators import compute_indicators
from graph.store import BoltStore

NOW = "2025-01-01"


def street() -> G:
    g = G().spine("K", {"S": {"M1": {"G1": ["C1"]}, "M2": {"G2": ["C2"]},
                              "M3": {"G3": ["C3"]}}},
                  C1={"households": 10}, C2={"households": 20}, C3={"households": 30})
    g.node("PartyOrg", "PC1", kind="community_party_committee").rel("PC1", "COVERS", "M1")
    g.node("PartyOrg", "PC3", kind="community_party_committee").rel("PC3", "COVERS", "M3")
    g.node("PartyOrg", "B3", kind="grid_branch").rel("B3", "COVERS", "M3")
    for oc, c in (("OC1", "C1"), ("OC3", "C3")):
        g.node("OwnersCommittee", oc).rel(oc, "REPRESENTS", c)
    for f, c in (("F2", "C2"), ("F3", "C3")):
        g.node("PropertyFirm", f).rel(f, "MANAGES", c, since="2020-01-01")
    for p in ("P1", "P4", "R2", "R3", "Q3", "X3"):
        g.node("Person", p)
    post = "HOLDS_POST"
    g.rel("P1", post, "PC1", role="secretary").rel("P1", post, "OC1", role="chair")
    g.rel("P4", post, "PC1", role="committee_member", until="2020-12-31")
    g.rel("P4", post, "OC1", role="owners_committee_member")
    g.rel("R2", post, "M2", role="chair").rel("R2", post, "F2", role="project_manager")
    g.rel("R3", post, "M3", role="committee_member")
    g.rel("R3", post, "OC3", role="owners_committee_member")
    g.rel("Q3", post, "F3", role="project_manager")
    g.rel("Q3", post, "PC3", role="part_time_committee_member")
    g.rel("X3", post, "OC3", role="owners_committee_member")
    g.rel("X3", post, "B3", role="committee_member")
    return g


def test_either_committee_counts_for_the_first_direction(store: BoltStore) -> None:
    street().write(store)
    tw = compute_indicators(store, "Street", "S", NOW).get("two_way_entry")
    assert (tw.numerator, tw.denominator, tw.ratio) == (2, 3, 2 / 3)
    assert [(i.code, i.households, i.detail) for i in tw.hits] == [
        ("M1", 10, {"community_to_committees": ["P1"],
                    "committees_to_party_committee": ["P1"]}),
        ("M3", 30, {"community_to_committees": ["Q3", "R3"],
                    "committees_to_party_committee": ["Q3"]}),
    ]
    assert [(i.code, i.detail) for i in tw.gaps] == [
        ("M2", {"community_to_committees": ["R2"], "committees_to_party_committee": []})]
    assert {c.code: (c.numerator, c.denominator) for c in tw.children} == {
        "M1": (1, 1), "M2": (0, 1), "M3": (1, 1)}
    # in 2020 P4's party-committee post was current too: M1 names both people
    then = compute_indicators(store, "Street", "S", "2020-06-01").get("two_way_entry")
    assert then.hits[0].detail == {"community_to_committees": ["P1", "P4"],
                                   "committees_to_party_committee": ["P1", "P4"]}
