"""Structure of the co-operation network (NetworkX).

The network of a scope links people, party organisations, units, property firms, owners'
committees and the communities/compounds they meet at, by current posts (HOLDS_POST),
party membership (MEMBER_OF), work (WORKS_AT), co-building (CO_BUILDS_WITH), management
(MANAGES), representation (REPRESENTS), responsibility (RESPONSIBLE_FOR), territory
(COVERS), hosting (IN_ORG) and the party hierarchy (UNDER).  It is fetched in a fixed
number of set-based queries: the territory edges of the scope's places, then the edges
of the organisations and people found there.

Measures and the choices behind them:

* components of the whole network, and *isolated organisations*: organisations linked to
  no person, no other organisation and no community (a community stands for its
  residents' committee) — at most to the compounds or grids they serve;
* articulation points and bridges are computed on the **people–organisation post
  network** (HOLDS_POST edges only): on the full network they are almost all places,
  while here a cut vertex is a person whose departure splits the organisations apart;
* overloaded people: at least ``threshold`` current posts;
* betweenness of people and units on the network without plain party membership
  (MEMBER_OF): thousands of rank-and-file members hanging off their branch would only
  weight each branch by its size and make the computation ten times dearer; exact up to
  ``exact_limit`` nodes (a county's network has about 7,000), above it sampled from
  ``sample`` sources (seeded) and reported as an estimate (PERFORMANCE-NOTES: good overall
  ranking, weaker top-N).  NetworkX's definition, computed without NetworkX (see
  ``betweenness``): NetworkX itself took 9 s for a county even when sampled;
* Louvain communities (seeded) on the co-building network (units and communities).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import networkx as nx

from analysis import queries as q
from analysis.betweenness import exact, numbered
from analysis.fetch import resolve_scope
from graph.model import MEMBER, ORG_LABELS
from graph.store import Store

PLACE_LABELS = ("Community", "Grid", "Compound", "Building")
MERE_PLACES = ("Grid", "Compound", "Building")  # links to these do not end isolation
Node = tuple[str, str]  # (label, code)
EDGE_PROPS = q.EDGE_COLUMNS[7:]  # since, until, role: kept on an edge when set
# Which relationship a pair of nodes linked by several keeps as its one edge.  The derived
# networks read the type: a branch secretary is also a member of the branch, a firm's
# manager also works there, a co-building unit is often located in its community; were
# the MEMBER_OF, WORKS_AT or LOCATED_IN row (fetched later) to win, the person would drop
# out of the post network and the unit out of the co-building one.  So posts first,
# co-building next, plain membership last (the only type ``without_membership`` drops).
# Types not named rank between; rows of equal rank: the later wins.
EDGE_RANK = {"HOLDS_POST": 0, "CO_BUILDS_WITH": 1, "MEMBER_OF": 3}
OTHER_RANK = 2
PERSON = ["Person"]  # a person's labels as ``_label`` reads them (q.HELD_COLUMNS has none)
TEAM = ["VolunteerTeam"]


@dataclass
class NetworkReport:
    scope_label: str
    scope_code: str
    nodes: int
    edges: int
    components: list[int]  # sizes, largest first
    isolated_orgs: list[Node]
    articulation_people: list[Node]
    bridges: list[tuple[Node, Node]]
    overloaded: list[tuple[Node, int]]
    betweenness: list[tuple[Node, float]]  # people and units, highest first
    betweenness_sampled: bool
    betweenness_k: int | None
    cobuilding_communities: list[list[Node]]
    names: dict[Node, str | None] = field(default_factory=dict)


def _label(labels: list[str]) -> str:
    if MEMBER in labels:
        return "Person"
    return labels[0] if labels else "?"


def build_network(store: Store, scope_label: str, scope_code: str,
                  as_of: str | None = None) -> nx.Graph:
    """The co-operation network of the scope; nodes are (label, code) with ``name``,
    edges carry ``type`` (relationship type) and, when set, ``since``/``until`` (dated
    types) and ``role`` (a post)."""
    scope = resolve_scope(store, scope_label, scope_code, as_of)
    params: dict[str, Any] = {"scope": scope_code, "as_of": scope.as_of}
    graph = nx.Graph()
    for query in q.net_places(scope_label):
        _add(graph, _edges(store.read(query, **params)))
    frontier: dict[str, set[str]] = defaultdict(set)
    for (label, code) in list(graph.nodes):
        if label in q.NET_POST_TARGETS:
            frontier[label].add(code)
    own: dict[str, tuple[str | None, list[list[Any]], list[list[Any]]]] = {}
    for label in sorted(frontier):
        rows = store.read(q.net_people(label), codes=sorted(frontier[label]), as_of=scope.as_of)
        held = [(row, tie) for row in rows for tie in row["held"]]
        _add(graph, ([PERSON, code, name, [label], row["code"], row["name"], *dated]
                     for row, (code, name, *dated, _works, _teams) in held))
        own.update((code, (name, works, teams))
                   for _row, (code, name, *_dated, works, teams) in held if works or teams)
    # the people's own links after every tie, person by person in code order
    _add(graph, (edge for code in sorted(own) for edge in _person_links(code, *own[code])))
    orgs = sorted(code for (label, code) in graph.nodes if label == "PartyOrg")
    _add(graph, _edges(store.read(q.NET_ORG_LINKS, codes=orgs)))
    return graph


def _person_links(code: str, name: str | None, works: list[list[Any]],
                  teams: list[list[Any]]) -> Iterator[list[Any]]:
    """A person's own links (``q.HELD_COLUMNS``' ``works`` and ``teams``) as packed
    edges (``q.EDGE_COLUMNS``)."""
    person = [PERSON, code, name]
    for to in works:
        yield [*person, *to, "WORKS_AT", None, None, None]
    for team, team_name in teams:
        yield [*person, TEAM, team, team_name, "MEMBER_OF", None, None, None]


def _edges(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    return (edge for row in rows for edge in row["edges"])


def _add(graph: nx.Graph, edges: Iterable[list[Any]]) -> None:
    """Edges as the queries packed them (``q.EDGE_COLUMNS``).  A pair of nodes holds one
    edge, of the type ranked first in ``EDGE_RANK`` among the pair's rows: a later row
    replaces an earlier one whole (type, dates, role) unless its type ranks lower."""
    for r in edges:
        a_labels, a_code, a_name, b_labels, b_code, b_name, rtype, *dated = r
        a, b = (_label(a_labels), a_code), (_label(b_labels), b_code)
        graph.add_node(a, name=a_name)
        graph.add_node(b, name=b_name)
        if graph.has_edge(a, b) and _rank(graph.edges[a, b]["type"]) < _rank(rtype):
            continue
        graph.add_edge(a, b)
        attrs = graph.edges[a, b]
        attrs.clear()
        attrs["type"] = rtype
        attrs.update((k, v) for k, v in zip(EDGE_PROPS, dated, strict=True) if v is not None)


def _rank(rtype: str) -> int:
    return EDGE_RANK.get(rtype, OTHER_RANK)


def without_membership(graph: nx.Graph) -> nx.Graph:
    """The network less plain party membership, as a graph of its own: betweenness over
    a filtered *view* pays a predicate call on every neighbour step (3x slower)."""
    core = nx.Graph()
    core.add_edges_from((u, v) for u, v, t in graph.edges(data="type") if t != "MEMBER_OF")
    return core


def betweenness(graph: nx.Graph, k: int | None = None, seed: int = 7) -> dict[Node, float]:
    """``nx.betweenness_centrality(graph, k=k, seed=seed)`` (normalised; ``k`` sampled
    sources, or exact when None): the same numbers (a test compares them), compiled.

    Exact: ``analysis.betweenness.exact``, the leaves pruned first (0.3 s a city county
    where igraph over the whole network took 0.9 s and NetworkX 8.6 s), or igraph over
    the whole network where pruning would cost more.  Sampled: igraph's subset
    betweenness from NetworkX's own draw of sources (``Random(seed).sample`` of the node
    list), scaled as NetworkX does; igraph counts each unordered pair once, NetworkX
    each ordered pair, hence the factor 2."""
    if k is None or k >= graph.number_of_nodes():
        return exact(graph)
    nodes, ends = numbered(graph)
    n = len(nodes)
    if n <= 2:
        return dict.fromkeys(nodes, 0.0)
    index = {v: i for i, v in enumerate(nodes)}
    sources = random.Random(seed).sample(nodes, k)
    raw = ig.Graph(n=n, edges=ends.tolist()).betweenness(
        directed=False, sources=[index[v] for v in sources])
    picked = set(sources)
    # NetworkX's sampled scaling: a source cannot lie on its own paths
    on_source, elsewhere = 2.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0, 2.0 / (k * (n - 2))
    return {v: raw[i] * (on_source if v in picked else elsewhere) for i, v in enumerate(nodes)}


def post_network(graph: nx.Graph) -> nx.Graph:
    """The people–organisation post network: HOLDS_POST edges only, without attributes
    (the measures read only its shape; copying a subgraph's took 3x longer)."""
    posts = nx.Graph()
    posts.add_edges_from((u, v) for u, v, t in graph.edges(data="type") if t == "HOLDS_POST")
    return posts


def cobuilding_network(graph: nx.Graph) -> nx.Graph:
    return graph.edge_subgraph(
        (u, v) for u, v, t in graph.edges(data="type") if t == "CO_BUILDS_WITH").copy()


def analyse(graph: nx.Graph, scope_label: str = "", scope_code: str = "", threshold: int = 3,
            exact_limit: int = 20_000, sample: int = 500, seed: int = 7) -> NetworkReport:
    """Every structural measure of the module docstring over a built network."""
    comps = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    isolated = sorted(
        n for n in graph.nodes
        if n[0] in ORG_LABELS and all(m[0] in MERE_PLACES for m in graph.neighbors(n))
    )
    posts = post_network(graph)
    # One search of the biconnected components serves both: a cut vertex lies in two
    # or more, a bridge is one of a single edge (NetworkX's own ``bridges`` runs a
    # chain decomposition: 6x slower).  Sound without self-loops, which NetworkX puts in
    # a neighbouring edge's block: a post always joins a person to something else.
    blocks = list(nx.biconnected_component_edges(posts))
    seen = Counter(n for block in blocks for n in {end for edge in block for end in edge})
    cut = sorted(n for n, times in seen.items() if times > 1 and n[0] == "Person")
    bridges = sorted(tuple(sorted(block[0])) for block in blocks if len(block) == 1)
    over = sorted(((n, int(d)) for n, d in posts.degree() if n[0] == "Person" and d >= threshold),
                  key=lambda x: (-x[1], x[0]))
    core = without_membership(graph)
    sampled = core.number_of_nodes() > exact_limit
    k = min(sample, core.number_of_nodes()) if sampled else None
    bc = betweenness(core, k, seed)
    between = sorted(((n, float(v)) for n, v in bc.items() if n[0] in ("Person", "Unit")),
                     key=lambda x: (-x[1], x[0]))
    cob = cobuilding_network(graph)
    groups = nx.community.louvain_communities(cob, seed=seed) if cob.number_of_edges() else []
    louvain = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g))
    return NetworkReport(scope_label, scope_code, graph.number_of_nodes(),
                         graph.number_of_edges(), comps, isolated, cut,
                         [(a, b) for a, b in bridges], over, between, sampled, k, louvain,
                         {n: graph.nodes[n].get("name") for n in graph.nodes})


def network_report(store: Store, scope_label: str, scope_code: str, as_of: str | None = None,
                   **kw: Any) -> NetworkReport:
    return analyse(build_network(store, scope_label, scope_code, as_of), scope_label,
                   scope_code, **kw)
