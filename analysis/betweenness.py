"""Exact betweenness of a network that is mostly leaves, by pruning them first.

A county's co-operation network without plain membership has ~7,500 nodes, and ~85% of
them are leaves: people holding one post, firms and social organisations linked to one
community.  Brandes' algorithm pays a breadth-first search from every node, leaves
included, over the whole network (igraph: 0.87 s a county).  A leaf's shortest paths all
leave through its one neighbour, so its pairs can be counted at that neighbour instead
(the degree-1 reduction of Baglioni, Geraci, Pellegrini and Lastres, *Fast exact
computation of betweenness centrality in social networks*, 2012):

* prune every leaf ``l`` hanging from a non-leaf ``p``; ``p`` now stands for ``1 + L_p``
  nodes (itself and its ``L_p`` leaves): its weight ``w_p``;
* on what remains, every ordered pair ``(s, t)`` counts ``w_s * w_t`` times: Brandes'
  accumulation with the target's weight in place of 1,
  ``delta_s(v) = sum over successors u of sigma_sv / sigma_su * (w_u + delta_s(u))``,
  summed as ``sum_s w_s * delta_s(v)``;
* and ``p`` itself lies on every path from one of its leaves to any other node of its
  component (``L_p * (n_c - 2)`` ordered pairs) and from any node outside its leaves to
  one of them (``L_p * (n_c - 1 - L_p)``); leaves lie on nothing.

The searches run a block of sources at a time over dense arrays, level by level (sparse
matrix products): memory is bounded by ``CELLS`` cells per array (one source's row at
least), a dozen arrays at most: ~100 MB, whatever the network's size.  A city county's
7,535 nodes leave 1,120: 0.3 s, where igraph's Brandes over the whole network took 0.9 s
(``bench/analysis.py``).  A network with few leaves and many levels (a ring, a grid, a
long chain) would cost far more this way: there the whole network goes to igraph
(``DENSE_SHARE``).  The figures are NetworkX's normalised ones (the tests compare them).
"""

from __future__ import annotations

import math
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

CELLS = 1 << 20  # sources x nodes per array of one block (8 MB of float64)
# The pruned path works on whole arrays level by level: ~m² x levels for m nodes left,
# against ~n x (n + e) for Brandes over the whole network.  It runs only while its
# estimate stays under this share of Brandes' (measured: it wins below ~0.8; a ring or a
# grid, with no leaves and many levels, costs 25-450x Brandes' this way).
DENSE_SHARE = 0.5


def exact(graph: nx.Graph) -> dict[Any, float]:
    """``nx.betweenness_centrality(graph)`` (normalised, exact) of a simple undirected
    graph: leaves pruned where that is cheaper (see ``DENSE_SHARE``), else igraph's
    Brandes over the whole network."""
    if graph.is_directed() or graph.is_multigraph():
        raise TypeError("exact betweenness of a simple undirected graph only")
    nodes, ends = numbered(graph)
    n = len(nodes)
    if n <= 2:
        return dict.fromkeys(nodes, 0.0)
    pairs = _pruned(n, ends, DENSE_SHARE * n * (n + len(ends)))
    if pairs is None:
        raw = ig.Graph(n=n, edges=ends.tolist()).betweenness(directed=False)
        pairs = 2.0 * np.asarray(raw, dtype=np.float64)  # igraph: each pair once
    scale = (n - 1) * (n - 2)
    return {v: value / scale for v, value in zip(nodes, pairs.tolist(), strict=True)}


def numbered(graph: nx.Graph) -> tuple[list[Any], np.ndarray]:
    """The graph's nodes in order, and its edges (self-loops left out: they lie on no
    shortest path) as pairs of their positions, as igraph and the arrays here take them."""
    nodes = list(graph.nodes())
    index = {v: i for i, v in enumerate(nodes)}
    ends = np.array([(index[u], index[v]) for u, v in graph.edges() if u != v],
                    dtype=np.int64).reshape(-1, 2)
    return nodes, ends


def _pruned(n: int, ends: np.ndarray, budget: float) -> np.ndarray | None:
    """Per node, the ordered pairs whose shortest paths it lies on (shares summed), by
    the reduction of the module docstring; None when it would cost more than ``budget``."""
    a, b = ends[:, 0], ends[:, 1]
    degree = np.bincount(ends.ravel(), minlength=n)
    a_hangs, b_hangs = (degree[a] == 1) & (degree[b] > 1), (degree[b] == 1) & (degree[a] > 1)
    leaf = np.zeros(n, dtype=bool)
    leaf[a[a_hangs]] = leaf[b[b_hangs]] = True
    hanging = np.bincount(np.concatenate([b[a_hangs], a[b_hangs]]), minlength=n)
    kept = np.flatnonzero(~leaf)
    at = np.full(n, -1, dtype=np.int64)
    at[kept] = np.arange(len(kept))
    inner = ~(a_hangs | b_hangs)
    rows, cols = at[a[inner]], at[b[inner]]
    adj = sparse.csr_matrix((np.ones(2 * len(rows)), (np.concatenate([rows, cols]),
                                                       np.concatenate([cols, rows]))),
                            shape=(len(kept), len(kept)))
    leaves = hanging[kept].astype(np.float64)
    weight = 1.0 + leaves
    through = weighted_brandes(adj, weight, budget)
    if through is None:
        return None
    _, component = csgraph.connected_components(adj, directed=False)
    size = np.bincount(component, weights=weight)[component]
    pairs = np.zeros(n)
    pairs[kept] = through + leaves * (size - 2) + leaves * (size - 1 - leaves)
    return pairs


def weighted_brandes(adj: sparse.csr_matrix, weight: np.ndarray,
                     budget: float = math.inf) -> np.ndarray | None:
    """Per node, ``sum over ordered pairs (s, t) of weight[s] * weight[t] * (share of
    the shortest s–t paths through it)``, on the unweighted symmetric ``adj``; None as
    soon as a block's levels show that the whole would take more than ``budget`` cell
    passes (nodes² x levels: a long chain or a ring)."""
    m = adj.shape[0]
    total = np.zeros(m)
    block = max(1, min(m, CELLS // max(m, 1)))
    for start in range(0, m, block):
        sources = np.arange(start, min(start + block, m))
        # nodes x sources, C-ordered: the sparse products read it without a copy
        dist = np.ascontiguousarray(csgraph.shortest_path(adj, unweighted=True,
                                                          indices=sources).T)
        depth = np.where(np.isfinite(dist), dist, -1).astype(np.int32)
        deepest = int(depth.max())
        if m * m * (deepest + 1) > budget:
            return None
        sigma = np.zeros(dist.shape)
        sigma[sources, np.arange(len(sources))] = 1.0
        before = depth == 0
        for k in range(1, deepest + 1):  # paths counted level by level
            level = depth == k
            sigma += (adj @ (sigma * before)) * level
            before = level
        delta = np.zeros(dist.shape)
        for k in range(deepest, 1, -1):  # dependencies pulled back level by level
            share = np.divide(weight[:, None] + delta, sigma, out=np.zeros(dist.shape),
                              where=depth == k)
            delta += sigma * (adj @ share) * (depth == k - 1)
        total += delta @ weight[sources]
    return total
