"""No N+1: a nested query costs the same number of store round trips for 2 or 20 rows."""

from __future__ import annotations

from apihelp import Api, town

from graph.queries import DELETE_ALL
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

NESTED = """{ compounds(first: 50, within: "Grid:G1") { totalCount edges { node { code
  managedByPropertyFirm { node { code } }
  representedByOwnersCommittee { code }
  coveredByPartyOrg { code }
  residentPerson(first: 5) { code holdsPostOwnersCommittee(first: 5) { role node { code } } }
  } } } }"""


def _compounds(n: int) -> tuple[list[N], list[R]]:
    nodes, rels = town()
    nodes = [x for x in nodes if x.label != "Compound"]
    rels = [r for r in rels if "Compound" not in (r.source_label, r.target_label)]
    for i in range(n):
        c, f, o, b = f"X{i:02}", f"XF{i:02}", f"XO{i:02}", f"XB{i:02}"
        nodes += [N("Compound", c, {"name": c}), N("PropertyFirm", f, {"name": f}),
                  N("OwnersCommittee", o, {"name": o}),
                  N("PartyOrg", b, {"name": b, "kind": "compound_branch"})]
        rels += [R("IN_GRID", "Compound", c, "Grid", "G1"),
                 R("MANAGES", "PropertyFirm", f, "Compound", c, {"since": "2020-01-01"}),
                 R("REPRESENTS", "OwnersCommittee", o, "Compound", c),
                 R("COVERS", "PartyOrg", b, "Compound", c)]
        for j in range(2):
            p = f"XP{i:02}{j}"
            nodes.append(N("Person", p, {"name": p}))
            rels += [R("LIVES_IN", "Person", p, "Compound", c),
                     R("HOLDS_POST", "Person", p, "OwnersCommittee", o,
                       {"role": "owners_committee_member", "since": "2021-01-01"})]
    return nodes, rels


def _round_trips(api: Api, n: int) -> int:
    api.store.write(DELETE_ALL)
    write_graph(api.store, *_compounds(n))
    api.gql("{ counties { totalCount } }")  # resolves and caches the caller's scope
    before = api.store.round_trips
    data = api.gql(NESTED)["compounds"]
    used = api.store.round_trips - before
    assert data["totalCount"] == n and len(data["edges"]) == n
    people = [p for e in data["edges"] for p in e["node"]["residentPerson"]]
    assert len(people) == 2 * n
    assert all(len(p["holdsPostOwnersCommittee"]) == 1 for p in people)
    assert all(len(e["node"]["managedByPropertyFirm"]) == 1 for e in data["edges"])
    return used


def test_nested_query_round_trips_do_not_grow_with_rows(api: Api) -> None:
    small, large = _round_trips(api, 2), _round_trips(api, 20)
    # page + count + one batched query per relationship field per level, and the
    # store's write stamp, read once per request for the answers kept (api.kept)
    assert small == large == 8
