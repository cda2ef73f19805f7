"""The DOMAIN.md indicator table, for any scope on the spine, at any as-of date.

``compute_indicators(store, "County", "C01")`` returns every indicator with numerator,
denominator, ratio (None plus a reason when the denominator is 0), the items behind the
figure (``hits``; ``gaps`` ranked by households affected) and the figure per child
scope (a county's streets, a street's communities, a community's grids, a grid's
compounds).  Only relationships current at ``as_of`` (default today) count.  Each
indicator's ``title``, ``definition`` and ``reason`` are in the language in force
(``graph.i18n``: Chinese first), its ``zh`` always the Chinese name.

Definitional choices (the API docs):

* **Scope.** An item is in a scope through the spine Compound-IN_GRID→Grid-PART_OF→
  Community-PART_OF→Street-PART_OF→County; a compound without a grid is in no scope.
  A compound in two grids counts once in the scope and in each grid's child figure.
  Community-level indicators for a grid or compound scope describe its community.
* **Compound branch coverage.** A compound is covered when a compound or grid branch
  ``COVERS`` it, or a grid branch covers a grid it lies in.
* **Building group coverage.** Buildings of the scope's compounds covered by a
  ``building_group`` or with a current ``building_head`` post held by a member.
* **Property-management coverage.** A compound is managed when a firm currently
  ``MANAGES`` it; its ``property_mode`` attribute is not read, so a compound marked
  ``market`` with no current contract counts as 无物业 (and in three-no).  ``jinlin check``
  (``analysis.check``) lists every compound whose attribute and relationship disagree.
* **Three-no compounds.** Numerator = three-no compounds; the ratio is their share
  (lower is better); ``gaps`` lists them.
* **Property-firm party coverage.** Firms in scope = firms currently managing a compound
  of the scope.  Covered = hosting any PartyOrg (``IN_ORG``), or belonging (``MEMBER_OF``)
  to, or co-hosting, a joint or association branch.
* **Cross-posting ratio.** Counted per (owners' committee, person): a person sitting on
  the committees of two compounds counts twice, each against the branches covering that
  compound.  Any current post on the committee makes a member (chair, vice chair ...);
  any current post in a covering compound/grid branch makes the cross-post.
* **Secretary-chair overlap.** Denominator = compounds with both a current owners'
  committee and a covering branch; numerator = those where a chair of the committee holds
  a current ``secretary`` post in a covering branch.
* **Two-way entry.** Per community: (a) a member of either of its two committees (两委:
  someone with a current post in the community party committee, a PartyOrg of kind
  ``community_party_committee`` covering the community, or on the community itself, its
  residents' committee) holds a current post on a current owners' committee or a
  currently managing firm of a compound there, and (b) someone with such a committee/firm
  post holds a current post in the community party committee.  One person posted on both
  the party committee and a committee/firm satisfies both, so (b) implies (a).
* **Red owners' committee.** Current committees whose chair is a member, or at least half
  of whose (distinct, currently posted) members are party members.
* **Dual reporting.** In-service members living in a compound of the scope (directly or
  in one of its buildings) who have a ``REPORTED_TO`` dated on or before ``as_of`` (or
  undated) to a community their compound lies in; a report made online counts once the
  community confirmed it (``confirmed`` false: pending; unset: confirmed).
* **Household liaison.** Per compound: a liaised building counts all its households;
  otherwise liaised household nodes count one each; capped at the compound's households
  (its count, else the sum over its buildings).
* **Co-building coverage.** ``extra["units_per_community"]`` gives the units per community.
* **Leader linkage.** A current ``liaison_leader`` post on the community or on a party
  organisation covering it.
* **Grid staffing.** ``extra["community_workers_per_10k"]``: current ``community_worker``
  posts on the scope's communities per 10,000 residents (None without a population).
* **15-minute service circle.** Great-circle distance from a compound to the nearest
  service site (any site, in scope or not).  Weighted by households when every located
  compound has a household count, else by compounds; compounds without coordinates are
  left out and listed in ``extra["no_location"]``.
* **Overloaded people.** People holding a current post on something in the scope (an
  owners' committee, managing firm or covering branch of its compounds, a building, grid,
  community or community party organisation; members or not), with at least
  ``overload_threshold`` current posts anywhere; the ratio is their share.
* **Demand closure.** Demands raised in the scope's compounds (and, for a scope at or
  above a community, in its communities) created by ``as_of``; done =
  status done/reviewed and ``done_at`` (if set) by ``as_of``; ``extra`` has the median
  hours from creation to done and the overdue list (not done, ``due`` before ``as_of``).
* **Whistle rates (三率).** Response, resolution and satisfaction rates of the whistles
  (吹哨报到) of the scope, per child scope and (``extra["by_unit"]``) per unit: the
  definitions are in :mod:`analysis.whistle`.
* **Annual duties (4+1).** The members counted by dual reporting who did all five
  duties in the as-of year (analysis.duties).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.collector import paused_gc
from analysis.crossposting import crossposting_indicators
from analysis.duties import annual_duties
from analysis.fetch import Row, Scope, ScopeData, building_households, fetch
from analysis.geo import nearest_distance_m
from analysis.tally import NO_COMMUNITIES, NO_COMPOUNDS, Indicator, Item, tally
from analysis.whistle import whistle_indicators
from graph import lifecycle
from graph.i18n import N_, _
from graph.store import Store


@dataclass
class IndicatorReport:
    scope: Scope
    indicators: list[Indicator]

    def get(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)


@dataclass(frozen=True)
class Options:
    overload_threshold: int = 3
    walk_m: float = 1000.0


def compute_indicators(
    store: Store,
    scope_label: str,
    scope_code: str,
    as_of: str | None = None,
    options: Options | None = None,
) -> IndicatorReport:
    """Every indicator of DOMAIN.md for one scope (see the module docstring)."""
    with paused_gc():
        data = fetch(store, scope_label, scope_code, as_of)
        return indicators_from(data, options or Options())


# The figures over the places, in the table's order around the demands' figures: what
# a report over the same places can hand on when only the demands were read again.
PlaceFigures = tuple[list[Indicator], list[Indicator]]


def indicators_from(d: ScopeData, opt: Options, places: PlaceFigures | None = None
                    ) -> IndicatorReport:
    """The report over ``d``.  ``places``: :func:`place_figures` of ``d``'s places with
    these options, computed before (the analytic projection keeps them while it reads
    only the demands and whistles again after a demand's step)."""
    before, after = places if places is not None else place_figures(d, opt)
    return IndicatorReport(d.scope, [*before, demand_closure(d), *whistle_indicators(d),
                                     *after])


def place_figures(d: ScopeData, opt: Options) -> PlaceFigures:
    """Every figure that reads neither the demands nor the whistles of ``d`` (the
    tests check it, with those emptied), as the table's part before them and after."""
    before = [
        compound_flag(d, "compound_branch_coverage", N_("小区党组织覆盖率"),
                      _("有小区或网格党支部覆盖的小区数 ÷ 小区数"), "branches"),
        building_groups(d),
        compound_flag(d, "property_management_coverage", N_("物业管理覆盖率"),
                      _("当前有物业服务企业管理（MANAGES）的小区数 ÷ 小区数"), "firms"),
        compound_flag(d, "owners_committee_rate", N_("业委会组建率"),
                      _("当前有业主委员会的小区数 ÷ 小区数"), "committees"),
        three_no(d),
        firm_party_coverage(d),
        *crossposting_indicators(d, opt.overload_threshold),
        dual_reporting(d),
        liaison(d),
        *community_indicators(d),
        grid_staffing(d),
        service_circle(d, opt.walk_m),
    ]
    return before, [annual_duties(d)]


def _compound_item(d: ScopeData, c: Row, num: float, den: float = 1.0,
                   **detail: Any) -> Item:
    return Item("Compound", c["code"], c["name"], num, den, d.households[c["code"]],
                c["children"], detail=dict(detail))


def _tally(d: ScopeData, key: str, zh: str, definition: str, units: Any, empty: str,
           **kw: Any) -> Indicator:
    """:func:`analysis.tally.tally` for the child scopes of ``d``; ``zh`` and ``empty``
    marked with ``N_``, ``definition`` translated (see there)."""
    return tally(key, zh, definition, units, empty, d.scope.child_label, d.child_names, **kw)


def compound_flag(d: ScopeData, key: str, zh: str, definition: str,
                  column: str) -> Indicator:
    """A compound counts when the list ``column`` of its row is not empty."""
    units = [
        _compound_item(d, c, 1.0 if c[column] else 0.0, den=1.0,
                       **{column: sorted(set(c[column]))})
        for c in d.compounds
    ]
    return _tally(d, key, zh, definition, units, NO_COMPOUNDS)


def building_groups(d: ScopeData) -> Indicator:
    units = [
        Item("Building", b["code"], b["name"], 1.0 if b["groups"] or b["member_heads"] else 0.0,
             1.0, building_households(b), b["children"],
             detail={"compound": b["compound"], "groups": b["groups"],
                     "member_heads": b["member_heads"]})
        for b in d.buildings
    ]
    return _tally(d, "building_group_coverage", N_("楼栋党小组覆盖率"),
                  _("有楼栋党小组覆盖或有党员楼栋长的楼栋数 ÷ 楼栋数"), units,
                  N_("范围内没有楼栋"))


def three_no(d: ScopeData) -> Indicator:
    units = [
        _compound_item(d, c, 0.0 if c["firms"] or c["committees"] or c["units"] else 1.0,
                       firms=c["firms"], committees=c["committees"], units=c["units"])
        for c in d.compounds
    ]
    return _tally(d, "three_no_compounds", N_("三无小区"),
                  _("当前既无物业服务企业、也无业主委员会和责任单位的小区数 ÷ 小区数"), units,
                  NO_COMPOUNDS, hit_is_gap=True)


def firm_party_coverage(d: ScopeData) -> Indicator:
    units = [
        Item("PropertyFirm", f["code"], f["name"], 1.0 if f["hosted"] or f["joint"] else 0.0,
             1.0, sum(d.households.get(c, 0) for c in f["compounds"]),
             sorted({x for kids in f["nested"] for x in kids}),
             detail={"compounds": f["compounds"], "hosted": f["hosted"], "joint": f["joint"]})
        for f in d.firms
    ]
    return _tally(d, "firm_party_coverage", N_("物业服务企业党组织覆盖率"),
                  _("建有党组织或加入联合/行业协会党支部的物业服务企业数 ÷ 物业服务企业数"),
                  units, N_("范围内没有物业服务企业"))


def dual_reporting(d: ScopeData) -> Indicator:
    homes: dict[str, set[str]] = {}
    reported: dict[str, set[str]] = {}
    rows: dict[str, Row] = {}
    children: dict[str, set[str]] = {}
    for r in d.residents:
        homes.setdefault(r["code"], set()).update(r["homes"])
        reported.setdefault(r["code"], set()).update(r["reported"])
        children.setdefault(r["code"], set()).update(r["children"])
        rows.setdefault(r["code"], r)
    units = [
        Item("Member", code, r["name"], 1.0 if homes[code] & reported[code] else 0.0, 1.0, 0,
             sorted(children[code]),
             detail={"compound": r["compound"], "home_communities": sorted(homes[code]),
                     "reported_to": sorted(reported[code])})
        for code, r in rows.items()
    ]
    return _tally(d, "dual_reporting_rate", N_("双报到率"),
                  _("居住在范围内并已到居住地社区报到的在职党员数 ÷ 居住在范围内的在职党员数"),
                  units, N_("范围内没有居住的在职党员"))


def liaison(d: ScopeData) -> Indicator:
    liaised: dict[str, float] = {}
    for b in d.buildings:
        if b["liaisons"]:
            n = float(building_households(b))
        else:
            n = float(len(set(b["liaised_households"])))
        liaised[b["compound"]] = liaised.get(b["compound"], 0.0) + n
    units = []
    for c in d.compounds:
        den = float(d.households[c["code"]])
        num = min(den, liaised.get(c["code"], 0.0))
        item = _compound_item(d, c, num, den, liaised_households=num)
        item.households = int(den - num)
        units.append(item)
    return _tally(d, "household_liaison_coverage", N_("党员联户覆盖率"),
                  _("有党员联系的户数 ÷ 户数"), units, N_("范围内没有住户"))


def community_indicators(d: ScopeData) -> list[Indicator]:
    hh: dict[str, int] = {}
    for c in d.compounds:
        for m in set(c["communities"]):
            hh[m] = hh.get(m, 0) + d.households[c["code"]]
    cob, lead = [], []
    for m in d.communities:
        units = sorted(set(m["cobuilders"]))
        leaders = sorted({p["person"] for p in m["rc_posts"] + m["pc_posts"]
                          if p["role"] == "liaison_leader"})
        base = (m["code"], m["name"])
        cob.append(Item("Community", *base, 1.0 if units else 0.0, 1.0, hh.get(m["code"], 0),
                        m["children"], detail={"units": units}))
        lead.append(Item("Community", *base, 1.0 if leaders else 0.0, 1.0, hh.get(m["code"], 0),
                         m["children"], detail={"leaders": leaders}))
    per = {u.code: len(u.detail["units"]) for u in cob}
    extra = {"units_per_community": per,
             "mean_units_per_community": (sum(per.values()) / len(per)) if per else None}
    return [
        _tally(d, "co_building_coverage", N_("共驻共建覆盖率"),
               _("当前有共驻共建单位的社区数 ÷ 社区数"), cob, NO_COMMUNITIES, extra=extra),
        _tally(d, "leader_linkage", N_("挂钩领导联系率"),
               _("有挂钩联系领导的社区数 ÷ 社区数"), lead, NO_COMMUNITIES),
    ]


def grid_staffing(d: ScopeData) -> Indicator:
    units = [
        Item("Grid", g["code"], g["name"],
             1.0 if any(w["full_time"] for w in g["workers"]) else 0.0, 1.0,
             int(g["households"] or 0), g["children"],
             detail={"workers": sorted({w["person"] for w in g["workers"]})})
        for g in d.grids
    ]
    workers = sum(1 for m in d.communities for p in m["rc_posts"]
                  if p["role"] == "community_worker")
    population = sum(int(m["population"] or 0) for m in d.communities)
    per10k = workers / population * 10_000 if population else None
    return _tally(d, "grid_staffing", N_("网格专职网格员配备率"),
                  _("配备专职网格员的网格数 ÷ 网格数"), units, N_("范围内没有网格"),
                  extra={"community_workers": workers, "population": population,
                         "community_workers_per_10k": per10k})


def service_circle(d: ScopeData, walk_m: float) -> Indicator:
    located = [c for c in d.compounds if c["lat"] is not None and c["lon"] is not None]
    by_households = bool(located) and all(c["households"] is not None for c in located)
    pts = np.array([[c["lat"], c["lon"]] for c in located], dtype=float).reshape(-1, 2)
    sites = np.array([[s["lat"], s["lon"]] for s in d.sites], dtype=float).reshape(-1, 2)
    dist = nearest_distance_m(pts, sites)
    units = []
    for c, m in zip(located, dist, strict=True):
        w = float(d.households[c["code"]]) if by_households else 1.0
        near = bool(m <= walk_m)
        units.append(_compound_item(d, c, w if near else 0.0, w,
                                    nearest_site_m=None if np.isinf(m) else round(float(m), 1)))
    walk = f"{walk_m:g}"
    definition = (_("距党群服务阵地 {walk_m} 米以内的户数 ÷ 全部户数", walk_m=walk)
                  if by_households else
                  _("距党群服务阵地 {walk_m} 米以内的小区数 ÷ 全部小区数", walk_m=walk))
    return _tally(d, "service_circle", N_("15分钟党群服务圈"), definition, units,
                  N_("范围内没有有坐标的小区"),
                  extra={"walk_m": walk_m, "unit": "households" if by_households else "compounds",
                         "no_location": [c["code"] for c in d.compounds if c not in located]})


def demand_closure(d: ScopeData) -> Indicator:
    end = d.scope.as_of_end
    units, hours, overdue = [], [], []
    for r in d.demands:
        done = lifecycle.closed(r["status"], r["done_at"], end)
        if done and r["created_at"] and r["done_at"]:
            hours.append(_hours(r["created_at"], r["done_at"]))
        late = lifecycle.overdue(r["status"], r["due"], r["done_at"], d.scope.as_of)
        if late:
            overdue.append(r["code"])
        units.append(Item("Demand", r["code"], r["name"], 1.0 if done else 0.0, 1.0, 0,
                          r["children"], rank=float(r["urgency"] or 0),
                          detail={"compound": r["compound"], "community": r["community"],
                                  "status": r["status"],
                                  "due": r["due"], "overdue": late}))
    return _tally(d, "demand_closure", N_("需求办结率"), _("已办结的需求数 ÷ 需求数"), units,
                  N_("范围内没有需求"),
                  extra={"median_hours": float(np.median(hours)) if hours else None,
                         "overdue": sorted(overdue)})


def _hours(start: str, end: str) -> float:
    a, b = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
    return (b - a).total_seconds() / 3600.0


def catalogue(options: Options | None = None) -> list[Indicator]:
    """Every indicator, in the table's order, computed over an empty scope: its ``key``,
    ``zh`` and ``definition`` (in the language in force) without a store, so a list of
    the indicators (the GraphQL schema's descriptions) cannot drift from this module."""
    scope = Scope("County", "", None, "1970-01-01", None)
    empty = ScopeData(scope, [], [], [], [], [], [], [], {}, [], {})
    return indicators_from(empty, options or Options()).indicators
