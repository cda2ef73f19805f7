"""Named Cypher for writing and counting the graph, generated from the model.

Labels and relationship types are spliced into the text only from the model's fixed
set (checked here); every value travels as a parameter.  The statements are cached,
so each (label, type) combination is one named query.
"""

from __future__ import annotations

from functools import cache

from graph.model import (
    MEMBER,
    NODE_BY_LABEL,
    NODES,
    REL_BY_TYPE,
    RELS,
    checked_label,
)
from graph.spine import areas_of
from graph.store import Query

# A write that changes demands only (their properties, or the relationships only a
# demand has: RAISED_IN, RAISED_BY, ASSIGNED_TO) can say which demands it wrote and where
# they lie (graph.store.Query.demand_areas): the analyses' demands of other areas, and
# the API's kept batches of other demands, then stay as they were read.  The API's
# writes ask for it (``placed``, graph.writer); a bulk write does not need it, since its
# stamp makes every kept answer be read again anyway.
DEMAND = "Demand"
DEMAND_OWN = frozenset(r.type for r in RELS if r.sources == (DEMAND,))


def _placed(name: str, text: str, var: str) -> Query:
    """``text`` returning, per demand ``var`` it wrote, its code and the codes of every
    area it lies under after the write."""
    return Query(f"{name}_placed",
                 f"{text} RETURN {var}.code AS code, {areas_of(DEMAND, var)} AS areas",
                 demand_areas="areas")


def _rel(rel_type: str) -> str:
    if rel_type not in REL_BY_TYPE:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    return rel_type


@cache
def create_nodes(label: str, member: bool = False, placed: bool = False) -> Query:
    """``$rows``: ``[{props}]`` of nodes known not to exist yet.

    Members are created with both labels at once: ArcadeDB refuses (as a uniqueness
    violation) a label added to a node created earlier in the same transaction.
    ``placed``: demands say where they lie (none yet: their RAISED_IN comes next).
    """
    lab = checked_label(label) + (f":{MEMBER}" if member else "")
    name = f"create_{lab.replace(':', '_')}"
    text = f"UNWIND $rows AS row CREATE (n:{lab}) SET n += row.props"
    return _placed(name, text, "n") if placed and label == DEMAND else Query(name, text)


@cache
def update_nodes(label: str, placed: bool = False) -> Query:
    """``$rows``: ``[{code, props}]``; a None in props removes that property.
    ``placed``: demands say where they lie."""
    lab = checked_label(label)
    name = f"update_{lab}"
    text = f"UNWIND $rows AS row MATCH (n:{lab} {{code: row.code}}) SET n += row.props"
    return _placed(name, text, "n") if placed and label == DEMAND else Query(name, text)


SET_MEMBER_LABEL = Query(
    "set_member_label",
    f"UNWIND $codes AS code MATCH (n:Person {{code: code}}) SET n:{MEMBER}",
)
REMOVE_MEMBER_LABEL = Query(
    "remove_member_label",
    f"UNWIND $codes AS code MATCH (n:{MEMBER} {{code: code}}) REMOVE n:{MEMBER}",
)


@cache
def existing_nodes(label: str) -> Query:
    """Which of ``$codes`` exist, with their properties (to tell created from updated)."""
    lab = checked_label(label)
    return Query(
        f"existing_{lab}",
        f"UNWIND $codes AS code MATCH (n:{lab} {{code: code}}) "
        "RETURN n.code AS code, properties(n) AS props",
    )


@cache
def upsert_rels(rel_type: str, source: str, target: str, placed: bool = False) -> Query:
    """``$rows``: ``[{src, tgt, rkey, props}]``; returns how many were written (``n``),
    or, ``placed`` for a demand's own relationship, one row per relationship written
    with where its demand now lies.

    ``rkey`` joins the type's key properties ("secretary|2021-03-01") so the same
    role held twice in different periods stays two relationships; MERGE on it works
    the same on every backend (MERGE refuses null key values, rkey is never null).
    """
    t, s, g = _rel(rel_type), checked_label(source), checked_label(target)
    name = f"upsert_{t}_{s}_{g}"
    text = (f"UNWIND $rows AS row MATCH (a:{s} {{code: row.src}}) "
            f"MATCH (b:{g} {{code: row.tgt}}) MERGE (a)-[r:{t} {{rkey: row.rkey}}]->(b) "
            "SET r += row.props")
    if placed and t in DEMAND_OWN:
        return _placed(name, text, "a")
    return Query(name, text + " RETURN count(r) AS n")


@cache
def existing_rels(rel_type: str, source: str, target: str) -> Query:
    t, s, g = _rel(rel_type), checked_label(source), checked_label(target)
    return Query(
        f"existing_{t}_{s}_{g}",
        f"UNWIND $rows AS row MATCH (a:{s} {{code: row.src}})-[r:{t} {{rkey: row.rkey}}]->"
        f"(b:{g} {{code: row.tgt}}) RETURN row.src AS src, row.tgt AS tgt, row.rkey AS rkey, "
        "properties(r) AS props",
    )


@cache
def delete_others(rel_type: str, source: str, placed: bool = False) -> Query:
    """``$rows``: ``[{src, tgt}]``; each source's relationships of a type it holds one
    of (``RelKind.one``) to anything but its row's target (of label ``$tgt_label``),
    deleted: what moves it there, run before the upsert (graph.writer).  Returns how
    many were (``deleted``, summed over the rows), and, ``placed`` for a demand's own
    type, a row per deletion saying where its demand lay (a demand moved leaves those
    areas)."""
    t, s = _rel(rel_type), checked_label(source)
    if not REL_BY_TYPE[t].one:
        raise ValueError(f"{t} is not one per source")
    return _delete(f"delete_other_{t}_{s}",
                   f"UNWIND $rows AS row MATCH (a:{s} {{code: row.src}})-[r:{t}]->(x) "
                   "WHERE NOT (x.code = row.tgt AND $tgt_label IN labels(x)) ",
                   placed and t in DEMAND_OWN)


@cache
def delete_rel(rel_type: str, source: str, target: str, placed: bool = False) -> Query:
    """``$src``, ``$tgt``, ``$rkey``: the one relationship to delete; returns how many
    were (``deleted``).  ``placed``, for a demand's own relationship: the row also says
    where the demand lay before (a demand moved off its place leaves those areas), and
    there is no row when nothing was deleted."""
    t, s, g = _rel(rel_type), checked_label(source), checked_label(target)
    return _delete(f"delete_{t}_{s}_{g}",
                   f"MATCH (a:{s} {{code: $src}})-[r:{t} {{rkey: $rkey}}]->(b:{g} {{code: $tgt}}) ",
                   placed and t in DEMAND_OWN)


def _delete(name: str, match: str, placed: bool) -> Query:
    """``match`` (binding a source ``a`` and its relationship ``r``), then ``r`` deleted:
    one row saying how many were (``deleted``), or, ``placed`` (a demand's own
    relationship), a row per deletion (``deleted`` 1) with the demand's code and where
    it lay before (``Query.demand_areas``)."""
    if placed:
        return Query(f"{name}_placed",
                     f"{match}WITH a, r, {areas_of(DEMAND, 'a')} AS areas DELETE r "
                     "RETURN a.code AS code, areas, 1 AS deleted", demand_areas="areas")
    return Query(name, f"{match}DELETE r RETURN count(*) AS deleted")


@cache
def delete_node(label: str) -> Query:
    lab = checked_label(label)
    return Query(
        f"delete_{lab}",
        f"MATCH (n:{lab} {{code: $code}}) DETACH DELETE n RETURN count(*) AS deleted",
    )


@cache
def any_node(label: str) -> Query:
    lab = checked_label(label)
    return Query(f"any_{lab}", f"MATCH (n:{lab}) RETURN 1 AS one LIMIT 1", optional_names=True)


@cache
def any_rel(rel_type: str) -> Query:
    t = _rel(rel_type)
    return Query(f"any_{t}", f"MATCH ()-[r:{t}]->() RETURN 1 AS one LIMIT 1", optional_names=True)


@cache
def count_label(label: str) -> Query:
    lab = checked_label(label)
    return Query(f"count_{lab}", f"MATCH (n:{lab}) RETURN count(n) AS n", optional_names=True)


@cache
def count_rel(rel_type: str) -> Query:
    t = _rel(rel_type)
    return Query(f"count_{t}", f"MATCH ()-[r:{t}]->() RETURN count(r) AS n", optional_names=True)


@cache
def dump_nodes(label: str) -> Query:
    """One page of a label's nodes, keyset-paginated on code (``$after``, ``$limit``)."""
    lab = checked_label(label)
    return Query(
        f"dump_{lab}",
        f"MATCH (n:{lab}) WHERE n.code > $after RETURN n.code AS code, properties(n) AS props "
        "ORDER BY n.code LIMIT $limit",
    )


@cache
def dump_rels(rel_type: str) -> Query:
    """One page of a type's relationships in a stable order (``$skip``, ``$limit``)."""
    t = _rel(rel_type)
    return Query(
        f"dump_{t}",
        f"MATCH (a)-[r:{t}]->(b) RETURN labels(a) AS a_labels, a.code AS a_code, "
        "labels(b) AS b_labels, b.code AS b_code, properties(r) AS props "
        "ORDER BY a.code, b.code, r.rkey SKIP $skip LIMIT $limit",
    )


FIRST_COUNTY = Query(
    "first_county", "MATCH (c:County) RETURN c.code AS code, c.name AS name ORDER BY c.code LIMIT 1"
)
DELETE_ALL = Query("delete_all", "MATCH (n) DETACH DELETE n")
COUNT_ALL_NODES = Query("count_all_nodes", "MATCH (n) RETURN count(n) AS n")


ALL_LABELS: tuple[str, ...] = tuple(n.label for n in NODES) + (MEMBER,)
ALL_TYPES: tuple[str, ...] = tuple(r.type for r in RELS)
assert set(NODE_BY_LABEL) <= set(ALL_LABELS)
