"""The named Cypher of early warning (预警): rules, what the indicators' rows lack, alerts.

The conditions themselves are computed from the rows :mod:`analysis.fetch` already reads
for the indicators; these statements only add what those rows do not carry (an owners'
committee's term end, a firm's list status and credit, when a member joined) and keep
the alerts.  Labels are spliced in only through ``checked_label``; values are
parameters.
"""

from __future__ import annotations

from functools import cache

from analysis.queries import scoped
from graph.model import checked_label
from graph.spine import AREAS, TERM, current
from graph.store import Query

RULES = Query(
    "alert_rules",
    "MATCH (r:AlertRule)-[:RULE_OF]->(k:County) "
    "RETURN properties(r) AS props, k.code AS county ORDER BY county, r.code",
    plain=True,
)

# Owners' committees of the county's compounds with a term end, and whether the compound
# has a committee in office (an expired one replaced by a new one is no alarm).
COMMITTEES = Query(
    "alert_committees",
    scoped("Compound", "County") + f"""
MATCH (c)<-[:REPRESENTS]-(o:OwnersCommittee) WHERE o.term_end IS NOT NULL
RETURN o.code AS code, o.name AS name, o.term_end AS term_end, c.code AS compound,
  c.name AS compound_name,
  size([(c)<-[:REPRESENTS]-(x:OwnersCommittee) WHERE {current('x', bounds=TERM)} | x]) AS sitting
ORDER BY code, compound""",
    plain=True,
)

FIRMS = Query(
    "alert_firms",
    "UNWIND $codes AS code MATCH (f:PropertyFirm {code: code}) "
    "RETURN f.code AS code, f.name AS name, f.list_status AS list_status, "
    "f.credit_score AS credit_score ORDER BY code",
    plain=True,
)

# When each member joined a party organisation (the latest start by the as-of date).
JOINED = Query(
    "alert_joined",
    "UNWIND $codes AS code MATCH (p:Person {code: code}) "
    "RETURN p.code AS code, [(p)-[r:MEMBER_OF]->(:PartyOrg) "
    "WHERE r.since IS NOT NULL AND r.since <= $as_of | r.since] AS joined ORDER BY code",
    plain=True,
)

# Every area of a level under a county (the parents a threshold rule's figures come from).
_VARS = {"County": "k", "Street": "s", "Community": "m", "Grid": "g", "Compound": "c"}


@cache
def areas(level: str) -> Query:
    """The codes of the ``level`` nodes in county ``$scope``."""
    if level not in AREAS:
        raise ValueError(f"{level} is not an area")
    return Query(f"alert_areas_{level}",
                 scoped(level, "County") + f" RETURN DISTINCT {_VARS[level]}.code AS code "
                 "ORDER BY code", plain=True)


# Every alert as it stands (an evaluation covers every county at once).
ALERTS = Query(
    "alert_existing",
    "MATCH (a:Alert) RETURN a.code AS code, a.status AS status, a.message AS message, "
    "a.history AS history ORDER BY code",
    plain=True,
)

# Set ``row.props`` on alerts whose status and history are still ``row.status`` and
# ``row.history`` (compare-and-set: the new history is made from the one read).
UPDATE = Query(
    "alert_update",
    "UNWIND $rows AS row MATCH (a:Alert {code: row.code}) "
    "WHERE a.status = row.status AND coalesce(a.history, '') = row.history "
    "SET a += row.props RETURN a.code AS code",
)

# One alert's history, read in the transaction of a person's step (which bounds it).
HISTORY = Query(
    "alert_history",
    "MATCH (a:Alert {code: $code}) RETURN a.history AS history",
    plain=True,
)


@cache
def create(item: str, place: str) -> Query:
    """Raise alerts about ``item`` nodes lying in ``place`` nodes: the alert, its rule,
    its item and its place (``$rows``: code, rule, item, place, props)."""
    x, t = checked_label(item), checked_label(place)
    if t not in AREAS:
        raise ValueError(f"{place} is not an area")
    return Query(
        f"alert_create_{x}_{t}",
        f"""UNWIND $rows AS row
MATCH (r:AlertRule {{code: row.rule}}) MATCH (x:{x} {{code: row.item}})
MATCH (t:{t} {{code: row.place}})
MERGE (a:Alert {{code: row.code}}) SET a += row.props
MERGE (a)-[:RAISED_BY_RULE {{rkey: ''}}]->(r)
MERGE (a)-[:ABOUT {{rkey: ''}}]->(x)
MERGE (a)-[:RAISED_AT {{rkey: ''}}]->(t)
RETURN a.code AS code""",
    )


@cache
def transition(guard: str, name: str) -> Query:
    """Move alert ``$code`` from one of ``$from`` to ``$to`` (a person's step), setting
    ``$props`` (its new history among them) while its history is still ``$was``;
    ``guard`` is a predicate on ``a`` built from the model's fixed labels (the caller's
    scope), ``name`` tells it apart."""
    where = f" AND {guard}" if guard else ""
    return Query(
        f"alert_transition_{name}",
        f"MATCH (a:Alert {{code: $code}}) WHERE a.status IN $from{where} "
        "AND coalesce(a.history, '') = $was "
        "SET a += $props, a.status = $to RETURN a.code AS code",
    )
