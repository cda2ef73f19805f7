"""Network structure on a small street, measures worked out by hand."""

from __future__ import annotations

import pytest
from analysis_builder import G

from analysis.network import build_network, network_report
from graph.store import BoltStore


def street() -> G:
    """Street S: M1 ⊃ G1 ⊃ C1, M2 ⊃ G2 ⊃ C2.

    Post network (person–org):      P1 ─ B1 ─ P4 ─ OC1 ─ P1   (a cycle)
                                     P2 ─ B1,  P2 ─ F1
                                     P3 ─ F1, P3 ─ PC1, P3 ─ M1 (residents' committee)
    """
    g = G().spine("K", {"S": {"M1": {"G1": ["C1"]}, "M2": {"G2": ["C2"]}}})
    g.node("PartyOrg", "B1", kind="compound_branch").rel("B1", "COVERS", "C1")
    g.node("PartyOrg", "PC1", kind="community_party_committee").rel("PC1", "COVERS", "M1")
    g.node("OwnersCommittee", "OC1").rel("OC1", "REPRESENTS", "C1")
    g.node("OwnersCommittee", "OC2").rel("OC2", "REPRESENTS", "C2")
    g.node("PropertyFirm", "F1").rel("F1", "MANAGES", "C1")
    g.node("PropertyFirm", "F2").rel("F2", "MANAGES", "C2")
    g.node("PropertyFirm", "F9").rel("F9", "MANAGES", "C2", until="2020-01-01")  # history
    for u, m in (("U1", "M1"), ("U2", "M1"), ("U3", "M2")):
        g.node("Unit", u).rel(u, "CO_BUILDS_WITH", m)
    for p in ("P1", "P2", "P3", "P4"):
        g.node("Member", p)
    post = "HOLDS_POST"
    g.rel("P1", post, "B1", role="secretary").rel("P1", post, "OC1", role="chair")
    g.rel("P4", post, "B1", role="committee_member")
    g.rel("P4", post, "OC1", role="owners_committee_member")
    g.rel("P2", post, "B1", role="committee_member").rel("P2", post, "F1", role="project_manager")
    g.rel("P3", post, "F1", role="supervisor").rel("P3", post, "PC1", role="committee_member")
    g.rel("P3", post, "M1", role="chair")
    g.rel("P4", post, "F2", role="supervisor", until="2021-01-01")  # ended: not a link
    return g


def test_structure(store: BoltStore) -> None:
    street().write(store)
    net = network_report(store, "Street", "S", as_of="2025-01-01")
    # {C1 B1 OC1 F1 P1 P2 P3 P4 PC1 M1 U1 U2} = 12, {C2 F2 OC2} = 3, {M2 U3} = 2;
    # F9's management ended, P4's F2 post ended
    assert net.components == [12, 3, 2]
    assert net.nodes == 17
    # orgs linked only to compounds/grids, with no person: F2 and OC2
    assert net.isolated_orgs == [("OwnersCommittee", "OC2"), ("PropertyFirm", "F2")]
    # P1 lies on the cycle B1-P1-OC1-P4, so only P2 (B1|F1) and P3 (F1|PC1,M1) cut it
    assert net.articulation_people == [("Person", "P2"), ("Person", "P3")]
    assert len(net.bridges) == 5  # P2-B1, P2-F1, P3-F1, P3-PC1, P3-M1
    assert net.overloaded == [(("Person", "P3"), 3)]  # ≥ 3 current posts
    assert not net.betweenness_sampled and net.betweenness_k is None
    top = [n for n, _ in net.betweenness]
    assert top[0] == ("Person", "P3")  # every path from M1's side to the rest
    # co-building network: {M1, U1, U2} and {M2, U3}
    assert net.cobuilding_communities == [
        [("Community", "M1"), ("Unit", "U1"), ("Unit", "U2")],
        [("Community", "M2"), ("Unit", "U3")],
    ]


def test_sampled_betweenness_is_reported(store: BoltStore) -> None:
    street().write(store)
    from analysis.network import analyse

    graph = build_network(store, "Street", "S", as_of="2025-01-01")
    net = analyse(graph, exact_limit=10, sample=5)
    assert net.betweenness_sampled and net.betweenness_k == 5
    # scope of one community: M1's side only
    assert build_network(store, "Community", "M2", as_of="2025-01-01").number_of_nodes() == 5


def test_compiled_betweenness_equals_networkx() -> None:
    """``betweenness`` is NetworkX's normalised betweenness, computed without it: the
    same numbers, exact (leaves pruned, also from a network of mostly leaves, several
    components) and sampled (igraph: same seeded sources, same scaling)."""
    import math
    import random

    import networkx as nx

    from analysis.network import betweenness

    # by hand: on the path a-b-c-d, b lies on a–c and a–d, c on a–d and b–d: 2 of the
    # (4-1)(4-2)/2 = 3 pairs not involving it → 2/3; the ends lie on nothing.
    path = nx.path_graph(["a", "b", "c", "d"])
    assert betweenness(path) == {"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0}
    # a star's centre lies on every pair of its 5 leaves: C(5,2) of C(5,2) pairs → 1.0
    assert betweenness(nx.star_graph(5)) == {0: 1.0, 1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0}
    graph = nx.gnm_random_graph(400, 700, seed=3)
    graph.add_edge(400, 401)  # a second component
    graph.add_node(402)  # and a third, alone
    leafy = nx.gnm_random_graph(150, 260, seed=4)  # mostly leaves, as a county is
    draw = random.Random(5)
    leafy.add_edges_from((1000 + i, draw.randrange(150)) for i in range(600))
    leafy.add_edges_from([(5000, 5001), (5002, 5003), (5003, 5004), (6000, 6001),
                          (6000, 6002), (6000, 6003)])  # a pair, a path, a star apart
    # a ring and a grid have no leaves to prune and many levels: igraph over the whole
    for g, k in ((graph, None), (graph, 40), (leafy, None), (nx.balanced_tree(3, 4), None),
                 (nx.cycle_graph(80), None), (nx.grid_2d_graph(9, 7), None)):
        ours, theirs = betweenness(g, k, seed=7), nx.betweenness_centrality(g, k=k, seed=7)
        assert ours.keys() == theirs.keys()
        assert all(math.isclose(ours[v], theirs[v], rel_tol=1e-9, abs_tol=1e-15)
                   for v in g), k


def test_a_post_holder_who_is_also_a_member_stays_in_the_post_network(store: BoltStore) -> None:
    """Street S: M1 ⊃ G1 ⊃ C1, C2.  Branch B1 covers C1, owners' committee OC1 represents C2.

    Posts: P2 ─ B1 ─ P1 ─ OC1 ─ P3, and P1 (B1's secretary) and P2 are also members of B1,
    as branch officers are; P4 is a plain member.  P1 is the only link between the
    branch's side and the committee's: the one person whose departure splits them.  The
    membership rows come after the post rows; when they replaced the posts B1–P1 and
    B1–P2, P1 was a mere leaf of OC1 and no cut.  Likewise F1's manager P5 also works
    there (WORKS_AT), and U1 co-builds with M1 and is located in it (LOCATED_IN).
    P4's volunteer team and P3's employer come with them, as they are named.
    """
    g = G().spine("K", {"S": {"M1": {"G1": ["C1", "C2"]}}})
    g.node("PartyOrg", "B1", kind="compound_branch").rel("B1", "COVERS", "C1")
    g.node("OwnersCommittee", "OC1").rel("OC1", "REPRESENTS", "C2")
    g.node("PropertyFirm", "F1").rel("F1", "MANAGES", "C1")
    g.node("Unit", "U1").rel("U1", "CO_BUILDS_WITH", "M1").rel("U1", "LOCATED_IN", "M1")
    for p in ("P1", "P2", "P3", "P4", "P5"):
        g.node("Member", p)
    g.rel("P1", "HOLDS_POST", "B1", role="secretary").rel("P1", "MEMBER_OF", "B1")
    g.rel("P2", "HOLDS_POST", "B1", role="committee_member").rel("P2", "MEMBER_OF", "B1")
    g.rel("P1", "HOLDS_POST", "OC1", role="chair")
    g.rel("P3", "HOLDS_POST", "OC1", role="owners_committee_member")
    g.rel("P4", "MEMBER_OF", "B1")
    g.rel("P5", "HOLDS_POST", "F1", role="project_manager").rel("P5", "WORKS_AT", "F1")
    # the people's own links: P4 volunteers, P3 works at a unit outside the street
    g.node("VolunteerTeam", "T1", name="助老服务队").rel("P4", "MEMBER_OF", "T1")
    g.node("Unit", "U2", name="县医院").rel("P3", "WORKS_AT", "U2")
    g.write(store)
    graph = build_network(store, "Street", "S", as_of="2025-01-01")
    assert graph.edges[("Person", "P4"), ("VolunteerTeam", "T1")] == {"type": "MEMBER_OF"}
    assert graph.edges[("Person", "P3"), ("Unit", "U2")] == {"type": "WORKS_AT"}
    assert graph.nodes[("VolunteerTeam", "T1")]["name"] == "助老服务队"
    assert graph.nodes[("Unit", "U2")]["name"] == "县医院"
    assert graph.edges[("Person", "P1"), ("PartyOrg", "B1")] == {"type": "HOLDS_POST",
                                                                "role": "secretary"}
    assert graph.edges[("Person", "P4"), ("PartyOrg", "B1")]["type"] == "MEMBER_OF"
    assert graph.edges[("Person", "P5"), ("PropertyFirm", "F1")]["type"] == "HOLDS_POST"
    assert graph.edges[("Unit", "U1"), ("Community", "M1")]["type"] == "CO_BUILDS_WITH"
    net = network_report(store, "Street", "S", as_of="2025-01-01", threshold=2)
    assert net.articulation_people == [("Person", "P1")]
    B1, OC1, F1 = ("PartyOrg", "B1"), ("OwnersCommittee", "OC1"), ("PropertyFirm", "F1")
    assert net.bridges == [(OC1, ("Person", "P1")), (OC1, ("Person", "P3")),
                           (B1, ("Person", "P1")), (B1, ("Person", "P2")),
                           (("Person", "P5"), F1)]
    assert net.overloaded == [(("Person", "P1"), 2)]
    assert net.cobuilding_communities == [[("Community", "M1"), ("Unit", "U1")]]


def test_exact_betweenness_in_blocks_of_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory is bounded by searching a block of sources at a time: blocks of 2 sources
    give the figures of one block of all."""
    import networkx as nx

    from analysis import betweenness as bc

    graph = nx.barbell_graph(6, 4)
    graph.add_edges_from([(100, 0), (101, 0), (102, 15), (103, 104)])
    whole = bc.exact(graph)
    monkeypatch.setattr(bc, "CELLS", 2 * 18)  # 18 nodes remain once the leaves are pruned
    assert bc.exact(graph) == pytest.approx(whole, rel=1e-12)
    assert whole == pytest.approx(nx.betweenness_centrality(graph), rel=1e-12)


def test_the_pruned_path_gives_way_where_it_would_cost_more() -> None:
    """Level by level over whole arrays costs nodes² x levels: on a ring of 80 (no leaf,
    40 levels) that is 80² x 41 = 262,400 cell passes, over half of Brandes' 80 x 160 =
    12,800, so the pruned path declines (and igraph answers); a star's centre alone, with
    one level, stays."""
    import networkx as nx
    import numpy as np
    from scipy import sparse

    from analysis import betweenness as bc

    ring = nx.to_scipy_sparse_array(nx.cycle_graph(80), format="csr")
    assert bc.weighted_brandes(sparse.csr_matrix(ring), np.ones(80), 0.5 * 80 * 160) is None
    assert bc.weighted_brandes(sparse.csr_matrix(ring), np.ones(80), 262_400) is not None
    assert bc.exact(nx.star_graph(4))[0] == 1.0
    with pytest.raises(TypeError):
        bc.exact(nx.MultiGraph([(0, 1), (1, 2), (0, 1)]))
