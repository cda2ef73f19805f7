"""Fetch everything the indicators of one scope need, in a fixed number of round trips.

Nine set-based queries (compounds, buildings, grids, communities, resident members,
demands, firms, the posts of the people met on the way, service sites) plus two for
names, whatever the size of the scope: the indicator arithmetic then runs over these
rows in memory.  Nothing here queries per item.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from analysis import queries as q
from graph.store import Store

Row = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    label: str
    code: str
    name: str | None
    as_of: str
    child_label: str | None


@dataclass
class ScopeData:
    scope: Scope
    compounds: list[Row]
    buildings: list[Row]
    grids: list[Row]
    communities: list[Row]
    residents: list[Row]
    demands: list[Row]
    firms: list[Row]
    people: dict[str, Row]
    sites: list[Row]
    child_names: dict[str, str | None]
    # child scopes each person's in-scope posts lie in (for per-child people figures)
    person_children: dict[str, set[str]] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)  # compound -> households


class ScopeNotFound(LookupError):
    """The scope node does not exist."""


def today() -> str:
    return dt.date.today().isoformat()


def resolve_scope(store: Store, label: str, code: str, as_of: str | None) -> Scope:
    if label not in q.LEVELS:
        raise ValueError(f"{label} cannot be a scope; use one of {', '.join(q.LEVELS)}")
    rows = store.read(q.scope_node(label), scope=code)
    if not rows:
        raise ScopeNotFound(f"no {label} with code {code!r}")
    return Scope(label, code, rows[0]["name"], as_of or today(), q.child_level(label))


def fetch(store: Store, label: str, code: str, as_of: str | None = None) -> ScopeData:
    scope = resolve_scope(store, label, code, as_of)
    p: dict[str, Any] = {
        "scope": code,
        "as_of": scope.as_of,
        "as_of_end": scope.as_of + "T23:59:59",
        "branch_kinds": q.BRANCH_KINDS,
        "joint_kinds": q.JOINT_KINDS,
    }
    compounds = store.read(q.compounds(label), **p)
    buildings = store.read(q.buildings(label), **p)
    grids = store.read(q.grids(label), **p)
    communities = store.read(q.communities(label), **p)
    residents = store.read(q.residents(label), **p)
    demands = store.read(q.demands(label), **p)
    firms = store.read(q.firms(label), **p)
    sites = store.read(q.SERVICE_SITES)

    person_children: dict[str, set[str]] = defaultdict(set)
    for c in compounds:
        for post in c["oc_posts"] + c["branch_posts"] + c["firm_posts"]:
            person_children[post["person"]].update(c["children"])
    for m in communities:
        for post in m["rc_posts"] + m["pc_posts"]:
            person_children[post["person"]].update(m["children"])
    for g in grids:
        for w in g["workers"]:
            person_children[w["person"]].update(g["children"])
    for b in buildings:
        for head in b["member_heads"]:
            person_children[head].update(b["children"])
    people = {
        r["code"]: r
        for r in store.read(q.PEOPLE_POSTS, people=sorted(person_children), as_of=scope.as_of)
    }

    child_codes: set[str] = set()
    for rows in (compounds, grids, communities):
        for r in rows:
            child_codes.update(r["children"])
    child_names: dict[str, str | None] = {}
    if scope.child_label and child_codes:
        child_names = {
            r["code"]: r["name"]
            for r in store.read(q.names(scope.child_label), codes=sorted(child_codes))
        }

    by_compound: dict[str, int] = defaultdict(int)
    for b in buildings:
        by_compound[b["compound"]] += _building_households(b)
    households = {
        c["code"]: int(c["households"]) if c["households"] is not None
        else by_compound.get(c["code"], 0)
        for c in compounds
    }
    return ScopeData(scope, compounds, buildings, grids, communities, residents, demands,
                     firms, people, sites, child_names, dict(person_children), households)


def _building_households(b: Row) -> int:
    """A building's households: its count, else its household nodes."""
    if b["households"] is not None:
        return int(b["households"])
    return len(set(b["household_nodes"]))
