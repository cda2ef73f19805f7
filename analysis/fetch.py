"""Fetch everything the indicators of one scope need, in a fixed number of round trips.

Twelve set-based queries (compounds, buildings, grids, communities, resident members,
demands raised in compounds and in communities, whistles (analysis.whistle) likewise,
firms, the posts of the people met on the way, service sites) plus two for names,
whatever the size of the scope: the indicator arithmetic then runs over these rows in
memory.  Nothing here queries per item.
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from analysis import queries as q
from analysis.texts import listed
from analysis.whistle import read_whistles
from graph.dates import parse_as_of
from graph.i18n import _
from graph.spine import AREAS, depth
from graph.store import Store

Row = dict[str, Any]
READERS = 2  # concurrent reads of one fetch (2 cores: more only contend)
T = TypeVar("T")


class _Readers(ThreadPoolExecutor):
    """The fetch's reading threads.  Each read runs in a copy of the caller's context,
    so the request's deadline (``graph.store.deadline``, a context variable) bounds it
    as it bounds the caller's own reads."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kw: Any) -> Future[T]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kw)


@dataclass(frozen=True)
class Scope:
    label: str
    code: str
    name: str | None
    as_of: str
    child_label: str | None

    @property
    def as_of_end(self) -> str:
        """The last moment of the as-of day, for datetimes (``created_at``, ``done_at``)."""
        return self.as_of + "T23:59:59"

    def params(self) -> dict[str, Any]:
        """The parameters every scoped analysis query takes."""
        return {"scope": self.code, "as_of": self.as_of, "as_of_end": self.as_of_end,
                "branch_kinds": q.BRANCH_KINDS, "joint_kinds": q.JOINT_KINDS}


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
    whistles: list[Row] = field(default_factory=list)  # analysis.whistle


class ScopeNotFound(LookupError):
    """The scope node does not exist."""


def resolve_scope(store: Store, label: str, code: str, as_of: str | None) -> Scope:
    """The scope node and the as-of date every analysis runs at.

    Every analysis entry point (indicators, gaps, matching, network, report, and so the
    API's ``asOf`` and the CLI's ``--as-of``) comes through here, so the date is checked
    once, before any query: a malformed one raises ValueError instead of comparing as
    text against the stored dates."""
    day = parse_as_of(as_of)
    if label not in AREAS:
        raise ValueError(_("{label} 不能作为范围，可用：{labels}", label=label,
                           labels=listed(reversed(AREAS))))
    rows = store.read(q.scope_node(label), scope=code)
    if not rows:
        raise ScopeNotFound(_("范围 {scope} 不存在", scope=f"{label}:{code}"))
    return Scope(label, code, rows[0]["name"], day, q.child_level(label))


def find_scope(store: Store, text: str | None) -> tuple[str, str]:
    """The scope a user typed: ``Label:CODE``; a bare ``CODE`` when exactly one spine
    level has it; nothing when the store holds exactly one county.  Raises
    ScopeNotFound (a message to show as it is) otherwise, ValueError for a label that
    cannot be a scope."""
    if text is None:
        counties = store.read(q.COUNTIES)
        if len(counties) == 1:
            return "County", counties[0]["code"]
        if not counties:
            raise ScopeNotFound(_("存储中没有县(区)数据，请先导入台账"))
        raise ScopeNotFound(_("存储中有多个县(区)，请用 --scope 指定范围，如 County:{code}",
                              code=counties[0]["code"]))
    label, sep, code = text.partition(":")
    if sep:
        resolve_scope(store, label, code, None)
        return label, code
    labels = [lab for lab in reversed(AREAS) if store.read(q.scope_node(lab), scope=text)]
    if not labels:
        raise ScopeNotFound(_("范围 {scope} 不存在", scope=text))
    if len(labels) > 1:
        raise ScopeNotFound(_("编码 {code} 同时是 {labels} 的编码，请写成 类型:编码，"
                              "如 {label}:{code}", code=text, labels=listed(labels),
                              label=labels[0]))
    return labels[0], text


def fetch(store: Store, label: str, code: str, as_of: str | None = None,
          demand_store: Store | None = None) -> ScopeData:
    """The scope's rows.  ``demand_store``: where the demands and whistles are read
    from (default ``store``), so the projection can tell which writes move them and
    which move the places (``analysis.projection``)."""
    scope = resolve_scope(store, label, code, as_of)
    p = scope.params()
    # The reads run side by side, so the store works on one while the driver decodes
    # another; the posts of the people met on the way, and the child scopes' names, are
    # asked for as soon as the places that name them are in.
    with _Readers(max_workers=READERS) as pool:
        places = [pool.submit(store.read, query, **p)
                  for query in (q.compounds(label), q.buildings(label), q.grids(label),
                                q.communities(label))]
        others = [pool.submit(store.read, query, **p)
                  for query in (q.residents(label), q.firms(label))]
        others.append(pool.submit(store.read, q.SERVICE_SITES))  # the store's: no scope
        demanded = pool.submit(read_demands, demand_store or store, label, p)
        whistled = pool.submit(read_whistles, demand_store or store, label, p)
        compounds, buildings, grids, communities = (job.result() for job in places)
        for c in compounds:
            for key in q.COMPOUND_POSTS:
                c[key] = _as_rows(c[key], q.POST_COLUMNS)
        buildings = unpack(buildings, q.BUILDING_COLUMNS)
        person_children = _posted_people(compounds, buildings, grids, communities)
        posts = pool.submit(store.read, q.PEOPLE_POSTS, people=sorted(person_children),
                            as_of=scope.as_of)
        child_codes = sorted({x for rows in (compounds, grids, communities) for r in rows
                              for x in r["children"]})
        names = pool.submit(store.read, q.names(scope.child_label), codes=child_codes) \
            if scope.child_label and child_codes else None
        residents, firms, sites = (job.result() for job in others)
        residents = unpack(residents, q.RESIDENT_COLUMNS)
        homes = {c["code"]: c["communities"] for c in compounds}
        for r in residents:
            r["homes"] = homes[r["compound"]]
        demands = demanded.result()
        people = {r["code"]: {**r, "posts": _as_rows(r["posts"], q.PERSON_POST_COLUMNS)}
                  for r in posts.result()}
        child_names: dict[str, str | None] = (
            {r["code"]: r["name"] for r in names.result()} if names else {})

    by_compound: dict[str, int] = defaultdict(int)
    for b in buildings:
        by_compound[b["compound"]] += building_households(b)
    households = {
        c["code"]: int(c["households"]) if c["households"] is not None
        else by_compound.get(c["code"], 0)
        for c in compounds
    }
    return ScopeData(scope, compounds, buildings, grids, communities, residents, demands,
                     firms, people, sites, child_names, dict(person_children), households,
                     whistled.result())


def _posted_people(compounds: list[Row], buildings: list[Row], grids: list[Row],
                   communities: list[Row]) -> dict[str, set[str]]:
    """Everyone holding a current post on something in the scope, with the child scopes
    those posts lie in (for the per-child people figures)."""
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
        for person in b["posted"]:  # building heads, members or not
            person_children[person].update(b["children"])
    return person_children


def _as_rows(items: list[list[Any]], columns: tuple[str, ...]) -> list[Row]:
    """Packed items (value lists, see ``analysis.queries``) as rows named by ``columns``."""
    return [dict(zip(columns, item, strict=True)) for item in items]


def unpack(rows: list[Row], columns: tuple[str, ...]) -> list[Row]:
    """One row per packed item of each row's ``items``: the item's columns plus the
    fields of the row it came in, sorted by item code."""
    out = []
    for row in rows:
        items = row.pop("items")
        out += [{**row, **item} for item in _as_rows(items, columns)]
    return sorted(out, key=lambda r: r["code"])


def read_demands(store: Store, label: str, params: dict[str, Any], only: bool = False
                 ) -> list[Row]:
    """Demands raised in the scope by its as-of date: in its compounds and, for a scope
    at or above a community, in its communities.  A community's demand is placed at the
    centroid of the community's located compounds (``lat``/``lon`` None without any).
    ``only``: those raised in the places of ``params["places"]``."""
    rows = store.read(q.demands(label, only), **params)
    if depth(label) <= depth("Community"):
        for r in store.read(q.community_demands(label, only), **params):
            points = {p["code"]: (p["lat"], p["lon"]) for p in r.pop("points")}
            lats, lons = [p[0] for p in points.values()], [p[1] for p in points.values()]
            r["lat"] = sum(lats) / len(lats) if lats else None
            r["lon"] = sum(lons) / len(lons) if lons else None
            rows.append(r)
    return unpack(rows, q.DEMAND_COLUMNS)


def building_households(b: Row) -> int:
    """A building's households: its count, else its household nodes."""
    if b["households"] is not None:
        return int(b["households"])
    return len(set(b["household_nodes"]))
