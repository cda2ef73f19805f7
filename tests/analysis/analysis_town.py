"""The hand-made county every indicator test reasons about.

    County K
      Street S1 ─ Community M1 (population 5,000)
                    Grid G1: C1 (100 households), C2 (60)
                    Grid G2: C2 (spans both grids), C3 (40, no location)
      Street S2 ─ Community M2 (no population)
                    Grid G3: C4 (200)

Compounds C1 (30.000, 120.000) and C4 (30.000, 120.009: about 868 m east) lie within
1 km of the service site SS at C1; C2 (30.020, 120.000) is about 2.2 km north.
Dates matter: the tests read it at 2025-01-01 ("now") and at 2022-06-01 (history).
"""

from __future__ import annotations

from analysis_builder import G


def town() -> G:
    g = G().spine(
        "K",
        {"S1": {"M1": {"G1": ["C1", "C2"], "G2": ["C2", "C3"]}}, "S2": {"M2": {"G3": ["C4"]}}},
        C1={"households": 100, "lat": 30.0, "lon": 120.0},
        C2={"households": 60, "lat": 30.02, "lon": 120.0},
        C3={"households": 40},
        C4={"households": 200, "lat": 30.0, "lon": 120.009},
    )
    g.node("Community", "M1", population=5000)  # re-recorded: last record wins
    g.node("ServiceSite", "SS", lat=30.0, lon=120.0)
    # party organisations
    g.node("PartyOrg", "B1", kind="compound_branch").rel("B1", "COVERS", "C1")
    g.node("PartyOrg", "B2", kind="grid_branch").rel("B2", "COVERS", "G3")
    g.node("PartyOrg", "BG1", kind="building_group")
    g.node("PartyOrg", "PC1", kind="community_party_committee").rel("PC1", "COVERS", "M1")
    g.node("PartyOrg", "POF", kind="property_firm_branch")
    g.node("PartyOrg", "JB", kind="joint_branch")
    # firms, committees, units
    g.node("PropertyFirm", "F1").rel("F1", "MANAGES", "C1", since="2020-01-01")
    g.node("PropertyFirm", "F2").rel("F2", "MANAGES", "C2", since="2018-01-01",
                                     until="2022-12-31")
    g.node("PropertyFirm", "F3").rel("F3", "MANAGES", "C4", since="2024-01-01")
    g.rel("POF", "IN_ORG", "F1").rel("F3", "MEMBER_OF", "JB")
    g.node("OwnersCommittee", "OC1").rel("OC1", "REPRESENTS", "C1")
    g.node("OwnersCommittee", "OC2", term_end="2023-06-30").rel("OC2", "REPRESENTS", "C2")
    g.node("Unit", "U1").rel("U1", "RESPONSIBLE_FOR", "C3", since="2021-01-01")
    g.node("Unit", "U2")
    g.rel("U1", "CO_BUILDS_WITH", "M1", since="2020-01-01")
    g.rel("U2", "CO_BUILDS_WITH", "M1", since="2020-01-01", until="2021-12-31")
    # buildings and households
    g.node("Building", "BD1", households=50).rel("BD1", "PART_OF", "C1")
    g.node("Building", "BD2", households=50).rel("BD2", "PART_OF", "C1")
    g.node("Building", "BD3", households=120).rel("BD3", "PART_OF", "C4")
    g.rel("BG1", "COVERS", "BD1")
    g.node("Household", "H1").rel("H1", "PART_OF", "BD2")
    g.node("Household", "H2").rel("H2", "PART_OF", "BD2")
    # people (Member = party member, in service unless stated)
    for code in ("P1", "P3", "P4", "P8", "P10", "P11", "P12", "P13", "P14"):
        g.node("Member", code)
    for code in ("P2", "P5", "P7"):
        g.node("Person", code)
    g.node("Member", "P9", member_status="retired")
    post = "HOLDS_POST"
    g.rel("P1", post, "OC1", role="chair").rel("P1", post, "B1", role="secretary")
    g.rel("P1", post, "BD2", role="building_head")
    g.rel("P1", post, "OC2", role="vice_chair", until="2023-06-30")  # second compound
    g.rel("P2", post, "OC1", role="owners_committee_member")
    g.rel("P2", post, "PC1", role="part_time_committee_member")
    g.rel("P3", post, "OC1", role="owners_committee_member")
    g.rel("P3", post, "B1", role="committee_member", until="2023-12-31")
    g.rel("P4", post, "B1", role="committee_member")
    g.rel("P5", post, "OC2", role="chair", until="2023-06-30")
    g.rel("P7", post, "OC2", role="owners_committee_member", until="2023-06-30")
    g.rel("P7", post, "BD3", role="building_head")
    g.rel("P8", post, "M1", role="chair").rel("P8", post, "OC1", role="owners_committee_member")
    g.rel("P11", post, "PC1", role="liaison_leader")
    g.rel("P12", post, "G1", role="grid_worker", full_time=True)
    g.rel("P13", post, "G2", role="grid_worker", full_time=False)
    g.rel("P14", post, "M1", role="community_worker")
    # homes, dual reporting, liaison
    g.rel("P1", "LIVES_IN", "C1").rel("P1", "REPORTED_TO", "M1", date="2021-05-01")
    g.rel("P3", "LIVES_IN", "BD1").rel("P3", "REPORTED_TO", "M2", date="2021-05-01")
    g.rel("P9", "LIVES_IN", "C1")
    g.rel("P10", "LIVES_IN", "C4").rel("P10", "REPORTED_TO", "M2", date="2025-06-01")
    g.rel("P3", "LIAISES", "BD1", since="2024-01-01").rel("P1", "LIAISES", "H1")
    # demands
    d = {"title": "t", "category": "repair", "urgency": 3}
    g.node("Demand", "D1", status="done", created_at="2024-01-01T08:00:00",
           done_at="2024-01-01T20:00:00", **d).rel("D1", "RAISED_IN", "C1")
    g.node("Demand", "D2", status="reviewed", created_at="2024-02-01T00:00:00",
           done_at="2024-02-02T12:00:00", **d).rel("D2", "RAISED_IN", "C1")
    g.node("Demand", "D3", status="open", created_at="2024-03-01T00:00:00", due="2024-06-01",
           **d).rel("D3", "RAISED_IN", "C1")
    g.node("Demand", "D4", status="dispatched", created_at="2024-11-01T00:00:00",
           due="2025-06-01", **d).rel("D4", "RAISED_IN", "C1")
    g.node("Demand", "D5", status="open", created_at="2025-03-01T00:00:00",
           **d).rel("D5", "RAISED_IN", "C4")
    g.node("Demand", "D6", status="open", created_at="2024-12-01T00:00:00", due="2024-12-15",
           **d).rel("D6", "RAISED_IN", "M1")  # raised in the community, not a compound
    return g
