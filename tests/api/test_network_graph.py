"""``networkGraph``: the co-operation network to draw, only what the caller may see.

Community MA on the scope town (scope_town.py), worked out by hand: the community, its
compounds CA, CS, XA, the organisations placed in it (QA and QS cover it; firms FA, FS,
social orgs SOA, SOS and units UA, US sit in it), branches POA, POS covering CA, CS,
owners' committees OCA, OCS representing XA, and PX, who chairs OCA, is secretary of
POA and works at B's unit UB.  Street A's staff do not see UB, so neither it nor the
edge PX–UB is drawn for them; the county admin sees both.
"""

from __future__ import annotations

from pathlib import Path

from scope_town import COUNTY, STREET_A, serving

from graph.store import BoltStore

GRAPH = """query ($scope: String) { networkGraph(scope: $scope) {
  scope nodes { id label name } edges { source target type role } } }"""
EDGES = [  # each the way its relationship runs in the model
    ("OwnersCommittee:OCA", "Compound:XA", "REPRESENTS", None),
    ("OwnersCommittee:OCS", "Compound:XA", "REPRESENTS", None),
    ("PartyOrg:POA", "Compound:CA", "COVERS", None),
    ("PartyOrg:POS", "Compound:CS", "COVERS", None),
    ("PartyOrg:QA", "Community:MA", "COVERS", None),
    ("PartyOrg:QS", "Community:MA", "COVERS", None),
    ("Person:PX", "OwnersCommittee:OCA", "HOLDS_POST", "chair"),
    ("Person:PX", "PartyOrg:POA", "HOLDS_POST", "secretary"),
    ("PropertyFirm:FA", "Community:MA", "LOCATED_IN", None),
    ("PropertyFirm:FS", "Community:MA", "LOCATED_IN", None),
    ("SocialOrg:SOA", "Community:MA", "LOCATED_IN", None),
    ("SocialOrg:SOS", "Community:MA", "LOCATED_IN", None),
    ("Unit:UA", "Community:MA", "LOCATED_IN", None),
    ("Unit:US", "Community:MA", "LOCATED_IN", None),
]
NODES = ["Community:MA", "Compound:CA", "Compound:CS", "Compound:XA", "OwnersCommittee:OCA",
         "OwnersCommittee:OCS", "PartyOrg:POA", "PartyOrg:POS", "PartyOrg:QA", "PartyOrg:QS",
         "Person:PX", "PropertyFirm:FA", "PropertyFirm:FS", "SocialOrg:SOA", "SocialOrg:SOS",
         "Unit:UA", "Unit:US"]


def _drawn(answer: dict[str, object]) -> tuple[list[str], list[tuple[object, ...]]]:
    graph = answer["networkGraph"]
    assert isinstance(graph, dict)
    for node in graph["nodes"]:
        assert node["name"] == node["id"].replace(":", "-")  # the town's names
    return ([n["id"] for n in graph["nodes"]],
            [(e["source"], e["target"], e["type"], e["role"]) for e in graph["edges"]])


def test_the_network_of_a_community_as_each_caller_sees_it(store: BoltStore,
                                                           tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        street = api.gql(GRAPH, {"scope": "Community:MA"}, **STREET_A)
        assert street["networkGraph"]["scope"] == "Community:MA"
        assert _drawn(street) == (NODES, EDGES)
        county = api.gql(GRAPH, {"scope": "Community:MA"}, **COUNTY)
        assert _drawn(county) == (sorted([*NODES, "Unit:UB"]),
                                  sorted([*EDGES, ("Person:PX", "Unit:UB", "WORKS_AT", None)]))
        refused = api.post(GRAPH, {"scope": "Community:MB"}, **STREET_A).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
