"""The small street the export, what-if and entry-point tests reason about.

    County K ─ Street S ─ Community M1 ─ Grid G1 ─ Compound C1 (30.000, 120.000)
                                                   Compound C2 (30.000, 120.010: 963 m east)

Network at 2025-01-01 (8 nodes, 7 edges; the grid has no edge, so it is not in it):

    F1 ─MANAGES (since 2020-01-01)─ C1 ─REPRESENTS─ OC1 ─HOLDS_POST (chair)─ P1
                                    C1 ─COVERS─ B1 ─HOLDS_POST (secretary, since 2019)─ P1
                                                OC1 ─HOLDS_POST (member)─ P2
    U1 ─CO_BUILDS_WITH (since 2021-05-01)─ M1

Post network: B1 ─ P1 ─ OC1 ─ P2, so P1 and OC1 are its cut vertices.  Betweenness
(normalised by (n-1)(n-2)/2 = 21 pairs): OC1 lies on every path of P2 to C1, F1, B1, P1
(4) and on half of C1–P1 and F1–P1 (1): 5/21; P1 on half of B1–OC1 and of B1–P2: 1/21.

Matching: repair resource R1 (capacity 1, radius 2 km, offered by F1) at C1; open
repair demands DA (urgency 2, at C1) and DB (urgency 1, at C2), legal demand DC at C2.
DA takes R1 (0 m); DB is left with R1 exhausted; no legal resource exists for DC.
"""

from __future__ import annotations

from analysis_builder import G

AS_OF = "2025-01-01"
C2_EAST_M = 962.9  # great-circle metres from C1 to C2 (0.01° of longitude at 30° N)


def export_town() -> G:
    g = G().spine("K", {"S": {"M1": {"G1": ["C1", "C2"]}}},
                  C1={"name": "阳光小区", "households": 100, "lat": 30.0, "lon": 120.0},
                  C2={"name": "月亮小区", "households": 50, "lat": 30.0, "lon": 120.01})
    g.node("PartyOrg", "B1", name="阳光小区党支部", kind="compound_branch")
    g.rel("B1", "COVERS", "C1")
    g.node("OwnersCommittee", "OC1", name="阳光业委会").rel("OC1", "REPRESENTS", "C1")
    g.node("PropertyFirm", "F1", name="红管家物业").rel("F1", "MANAGES", "C1", since="2020-01-01")
    g.node("Unit", "U1", name="县医院").rel("U1", "CO_BUILDS_WITH", "M1", since="2021-05-01")
    g.node("Member", "P1", name="张三", phone="13812341234", id_number="110101199001011234")
    g.node("Person", "P2", name="李四", phone="13900001111")
    g.rel("P1", "HOLDS_POST", "B1", role="secretary", since="2019-01-01")
    g.rel("P1", "HOLDS_POST", "OC1", role="chair")
    g.rel("P2", "HOLDS_POST", "OC1", role="owners_committee_member")
    g.rel("P1", "LIVES_IN", "C1").rel("P2", "LIVES_IN", "C1")
    g.node("ServiceSite", "SS", name="阳光驿站", lat=30.0, lon=120.0).rel("SS", "LOCATED_IN", "C1")
    g.node("Resource", "R1", name="维修队", category="repair", capacity=1, lat=30.0, lon=120.0,
           radius_m=2000.0)
    g.rel("F1", "OFFERS", "R1")
    for code, cat, urgency, compound in (("DA", "repair", 2, "C1"), ("DB", "repair", 1, "C2"),
                                         ("DC", "legal", 1, "C2")):
        g.node("Demand", code, title=f"需求{code}", category=cat, urgency=urgency,
               status="open", created_at="2024-12-01T09:00:00")
        g.rel(code, "RAISED_IN", compound)
    return g
