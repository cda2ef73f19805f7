"""Named Cypher of replace mode (``jinlin load --replace``): what lies under one scope
alone, the relationships hanging on it, and their deletion.

Deleting is the one write that must never reach outside the scope a clerk names, so the
"under the scope" rule is the API's (:mod:`graph.scope`), not a code prefix: the nodes
are found walking down from the scope node (``downward``) and each comes with the codes
of every scope of that level it lies under (``scopes_under``), so the caller can keep
the nodes shared with another scope; ``placed`` says where a node's own placement
relationships lead, so the caller can keep a node that lies in the scope only through
others (a street committee whose branches all sit in one community).  Labels and types
come from the model's checked set; codes and the scope travel as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from graph.model import ENDPOINT_LABELS, NODE_BY_LABEL, key_label, rel_kind
from graph.scope import downward, scopes_under
from graph.spine import SCOPE_LABELS
from graph.store import Query


def _label(label: str) -> str:
    if label not in NODE_BY_LABEL:
        raise ValueError(f"unknown label {label!r}")
    return label


def _rel(rel_type: str) -> str:
    return rel_kind(rel_type).type


def model_label(labels: Iterable[str]) -> str:
    """The label holding a node's code, from the labels the store reports (a member's
    ``[Person, Member]``, in either order, is Person)."""
    return key_label(next(lab for lab in labels if lab in ENDPOINT_LABELS))


def _scope_level(scope_label: str) -> str:
    if scope_label not in SCOPE_LABELS:
        raise ValueError(f"{scope_label} cannot be replaced as a scope")
    return scope_label


@cache
def under_scope(label: str, scope_label: str) -> Query:
    """Every node of ``label`` under ``$scope``, with ``scopes``: the codes of every node
    of the scope's level it lies under (by any anchor; repeats allowed)."""
    lab, level = _label(key_label(label)), _scope_level(scope_label)
    walk = " UNION ".join(downward(lab, "n", f"(s:{level} {{code: $scope}})", level=level))
    return Query(f"replace_under_{lab}_in_{level}",
                 f"CALL {{ {walk} }} WITH n "
                 f"RETURN n.code AS code, {scopes_under(lab, 'n', level)} AS scopes",
                 plain=True)


@cache
def rels_at(rel_type: str, source: str, target: str, outgoing: bool) -> Query:
    """The ``rel_type`` relationships from ``source`` to ``target`` nodes whose source
    (``outgoing``) or target code is in ``$codes``: ``src, tgt, rkey`` each.  Written from
    the bound end, which ArcadeDB plans from (see ``graph.scope.downward``)."""
    t, s, g = _rel(rel_type), _label(source), _label(target)
    if outgoing:
        pattern = f"(a:{s} {{code: code}})-[r:{t}]->(b:{g})"
    else:
        pattern = f"(b:{g} {{code: code}})<-[r:{t}]-(a:{s})"
    side = "from" if outgoing else "to"
    return Query(f"replace_{t}_{s}_{g}_{side}",
                 f"UNWIND $codes AS code MATCH {pattern} "
                 "RETURN a.code AS src, b.code AS tgt, r.rkey AS rkey", plain=True)


@cache
def placed(label: str, rel_type: str, other: str, outgoing: bool, scope_label: str) -> Query:
    """The ``rel_type`` relationships (one of ``label``'s :data:`graph.spine.PLACEMENT`)
    between the ``label`` nodes of ``$codes`` and ``other`` nodes: ``code, scopes``, the
    codes of the ``scope_label`` nodes the other end lies under (the scope rule)."""
    lab, t, o, level = _label(label), _rel(rel_type), _label(other), _scope_level(scope_label)
    arrow = f"-[:{t}]->" if outgoing else f"<-[:{t}]-"
    return Query(f"replace_placed_{lab}_{t}_{o}_{'out' if outgoing else 'in'}_{level}",
                 f"UNWIND $codes AS code MATCH (n:{lab} {{code: code}}){arrow}(m:{o}) "
                 f"RETURN n.code AS code, {scopes_under(o, 'm', level)} AS scopes", plain=True)


@cache
def attached(label: str, outgoing: bool) -> Query:
    """Every relationship of the ``label`` nodes of ``$codes``, of any type (those a
    ``DETACH DELETE`` of the nodes takes along): ``code, type, labels, other, rkey``."""
    lab = _label(label)
    arrow = "-[r]->" if outgoing else "<-[r]-"
    return Query(f"replace_attached_{lab}_{'out' if outgoing else 'in'}",
                 f"UNWIND $codes AS code MATCH (n:{lab} {{code: code}}){arrow}(m) "
                 "RETURN n.code AS code, type(r) AS type, labels(m) AS labels, "
                 "m.code AS other, r.rkey AS rkey", plain=True)


@cache
def delete_rels(rel_type: str, source: str, target: str) -> Query:
    """``$rows``: ``[{src, tgt, rkey}]``; returns how many were deleted."""
    t, s, g = _rel(rel_type), _label(source), _label(target)
    return Query(f"replace_delete_{t}_{s}_{g}",
                 f"UNWIND $rows AS row MATCH (a:{s} {{code: row.src}})"
                 f"-[r:{t} {{rkey: row.rkey}}]->(b:{g} {{code: row.tgt}}) "
                 "DELETE r RETURN count(*) AS n")


@cache
def delete_nodes(label: str) -> Query:
    """``$codes``: the nodes to delete.  The plan has deleted all their relationships
    already (it deletes no node holding one it does not list); DETACH is the guard."""
    lab = _label(label)
    return Query(f"replace_delete_{lab}",
                 f"UNWIND $codes AS code MATCH (n:{lab} {{code: code}}) "
                 "DETACH DELETE n RETURN count(*) AS n")


def key_pairs(rel_type: str) -> tuple[tuple[str, str], ...]:
    """The (source, target) labels a relationship of ``rel_type`` may join, Member read
    as Person (the label holding the codes)."""
    kind = rel_kind(rel_type)
    pairs = {(key_label(s), key_label(t)) for s in kind.sources for t in kind.targets
             if kind.allows(s, t)}
    return tuple(sorted(pairs))
