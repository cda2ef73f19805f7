"""Geography: the county, its streets, communities, grids, compounds and buildings.

Runs first: every later phase refers to these codes.  Property modes are decided here
(mostly none for old compounds) because they shape which firms and committees follow.
"""

from __future__ import annotations

import math

from graph.codes import CommunityKind, Mode
from loaders.synthetic import names as nm
from loaders.synthetic.draws import Weighted, allocate, jitter, split
from loaders.synthetic.state import Community, Compound, County

_COMMUNITY_KINDS = Weighted(
    (CommunityKind.RESIDENTIAL, CommunityKind.URBAN_VILLAGE, CommunityKind.TRANSITIONAL,
     CommunityKind.INDUSTRIAL_PARK, CommunityKind.INTERNATIONAL),
    (60, 15, 11, 8, 6),
)


def build(county: County) -> None:
    """Streets, communities, compounds (with grids and property modes), buildings."""
    rng, n = county.rng, county.n
    county.node("County", code=county.code, name=county.name)
    street_names = nm.distinct(rng, nm.STREET_STEMS, n.streets)
    for s, stem in enumerate(street_names, 1):
        code = f"{county.code}-S{s:02d}"
        name = stem + ("镇" if rng.random() < 0.2 else "街道")
        lat, lon = jitter(rng, county.lat, county.lon, 8.0)
        county.streets.append((code, name, lat, lon))
        county.node("Street", code=code, name=name)
        county.rel("PART_OF", code, county.code, "Street", "County")

    per_street = allocate(rng, n.communities, n.streets)
    comm_names = iter(nm.distinct(rng, nm.COMMUNITY_STEMS, n.communities))
    village_names = iter(nm.distinct(rng, nm.VILLAGE_STEMS, n.communities))
    for s, count in enumerate(per_street):
        s_code, _, s_lat, s_lon = county.streets[s]
        for m in range(1, count + 1):
            kind = _COMMUNITY_KINDS.draw(rng)
            stem = next(village_names) if kind == CommunityKind.URBAN_VILLAGE else next(comm_names)
            lat, lon = jitter(rng, s_lat, s_lon, 3.0)
            c = Community(f"{s_code}-M{m:02d}", stem + "社区", kind, s, lat, lon)
            county.communities.append(c)

    per_comm = allocate(rng, n.compounds, len(county.communities))
    for ci, (comm, count) in enumerate(zip(county.communities, per_comm, strict=True)):
        n_grids = max(1, min(count, round(count * n.grids / n.compounds)))
        comm.grids = [f"{comm.code}-G{g:02d}" for g in range(1, n_grids + 1)]
        for k in range(1, count + 1):
            hh = int(min(3000, max(200, rng.lognormvariate(math.log(880), 0.6))))
            year = rng.randint(1978, 1999) if rng.random() < 0.32 else rng.randint(2000, 2023)
            lat, lon = jitter(rng, comm.lat, comm.lon, 1.5)
            cp = Compound(f"{comm.code}-K{k:02d}", nm.compound_name(rng, year < 2000), ci,
                          hh, year, lat, lon)
            comm.compounds.append(len(county.compounds))
            county.compounds.append(cp)
        _assign_grids(county, comm)
    _property_modes(county)

    grid_households: dict[str, int] = {}
    for comm in county.communities:
        for cpi in comm.compounds:
            cp = county.compounds[cpi]
            for g, share in zip(cp.grids, split(rng, cp.households, len(cp.grids)),
                                strict=True):
                grid_households[g] = grid_households.get(g, 0) + share
    for comm in county.communities:
        county.node("Community", code=comm.code, name=comm.name, kind=comm.kind,
                    population=int(sum(county.compounds[i].households for i in comm.compounds)
                                   * rng.uniform(2.4, 3.0)))
        county.rel("PART_OF", comm.code, county.streets[comm.street][0], "Community", "Street")
        for g_no, g in enumerate(comm.grids, 1):
            county.node("Grid", code=g, name=f"{comm.name}第{g_no}网格",
                        households=grid_households.get(g, 0))
            county.rel("PART_OF", g, comm.code, "Grid", "Community")
    for cp in county.compounds:
        n_b = max(1, round(cp.households / rng.uniform(70, 130)))
        suffix = "幢" if rng.random() < 0.4 else "号楼"
        for b, hh in enumerate(split(rng, cp.households, n_b), 1):
            cp.buildings.append((f"{cp.code}-B{b:02d}", f"{b}{suffix}", hh))
        county.node("Compound", code=cp.code, name=cp.name, households=cp.households,
                    buildings=n_b, built_year=cp.built_year, old=cp.old, lat=cp.lat,
                    lon=cp.lon, property_mode=cp.mode)
        for g in cp.grids:
            county.rel("IN_GRID", cp.code, g)
        for b_code, b_name, hh in cp.buildings:
            county.node("Building", code=b_code, name=f"{cp.name}{b_name}", households=hh)
            county.rel("PART_OF", b_code, cp.code, "Building", "Compound")


def _assign_grids(county: County, comm: Community) -> None:
    """Every grid gets a compound; large compounds span two grids."""
    order = list(comm.compounds)
    county.rng.shuffle(order)
    for i, cpi in enumerate(order):
        cp = county.compounds[cpi]
        g = comm.grids[i] if i < len(comm.grids) else county.rng.choice(comm.grids)
        cp.grids = [g]
        if cp.households > 2000 and len(comm.grids) > 1:
            other = county.rng.choice([x for x in comm.grids if x != g])
            cp.grids = sorted([g, other])


def _property_modes(county: County) -> None:
    """About 6% none (mostly old compounds), 12% self-managed, the rest firms."""
    rng, total = county.rng, len(county.compounds)
    by_age = sorted(range(total), key=lambda i: (not county.compounds[i].old, rng.random()))
    n_none = max(1, round(0.06 * total))
    n_self = max(1, round(0.12 * total))
    n_custody = max(1, round(0.12 * total))
    n_party = max(1, round(0.15 * total))
    for i in by_age[:n_none]:
        county.compounds[i].mode = Mode.NONE
    rest = by_age[n_none:]
    rng.shuffle(rest)
    modes = [Mode.SELF_MANAGED] * n_self + [Mode.CUSTODY] * n_custody + [Mode.PARTY_LED] * n_party
    for i, mode in zip(rest, modes, strict=False):
        county.compounds[i].mode = mode
