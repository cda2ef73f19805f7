"""Resources offered and demands raised: demands run through the life cycle (open,
dispatched …) and every one past open has a taker, matched to a resource it offers
when there is one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from graph.codes import Category, DemandStatus, Status
from loaders.synthetic import names as nm
from loaders.synthetic.draws import Weighted, iso, jitter
from loaders.synthetic.presets import SNAPSHOT
from loaders.synthetic.state import County

_CATEGORIES = Weighted(
    (Category.ELDER_CARE, Category.CHILD_CARE, Category.MEDICAL, Category.LEGAL,
     Category.EMPLOYMENT, Category.REPAIR, Category.ENVIRONMENT, Category.SAFETY,
     Category.CULTURE, Category.DISABILITY),
    (18, 9, 11, 6, 5, 20, 13, 8, 6, 4),
)
_DEMAND_STATUS = Weighted(
    (DemandStatus.OPEN, DemandStatus.DISPATCHED, DemandStatus.ACCEPTED, DemandStatus.DONE,
     DemandStatus.REVIEWED),
    (22, 10, 13, 20, 35),
)


def build(county: County) -> None:
    """Resources first: a demand's taker is matched to a resource it offers."""
    _demands(county, _resources(county))


def _resources(county: County) -> dict[tuple[str, str], str]:
    """Resources offered by members, units, teams, organisations and firms; returns the
    first resource of each (offerer, category)."""
    rng = county.rng
    housed = [c for c in county.members if county.people[c].compound is not None]
    offerers = Weighted(("Member", "Unit", "VolunteerTeam", "SocialOrg", "PropertyFirm"),
                        (50, 25, 15, 5, 5))
    offered: dict[tuple[str, str], str] = {}
    comm_of: dict[str, int] = {}
    for u in county.units:
        comm_of[u[0]] = u[3]
    for f in county.firms:
        comm_of[f[0]] = f[3]
    for code, ci in county.social_orgs + county.teams:
        comm_of[code] = ci
    for _ in range(county.n.resources):
        kind = offerers.draw(rng)
        category = _CATEGORIES.draw(rng)
        if kind == "Member":
            who = rng.choice(housed)
            cp = county.compounds[county.people[who].compound or 0]
            lat, lon = jitter(rng, cp.lat, cp.lon, 0.1)
            capacity, radius = rng.randint(1, 5), rng.randint(5, 10) * 100
            label = county.people[who].name
        else:
            pick: dict[str, Callable[[], tuple[str, str]]] = {
                "Unit": lambda: rng.choice(county.units)[:2],
                "PropertyFirm": lambda: rng.choice(county.firms)[:2],
                "VolunteerTeam": lambda: (rng.choice(county.teams)[0], "志愿服务队"),
                "SocialOrg": lambda: (rng.choice(county.social_orgs)[0], "社会组织"),
            }
            who, label = pick[kind]()
            comm = county.communities[comm_of[who]]
            lat, lon = jitter(rng, comm.lat, comm.lon, 0.5)
            capacity, radius = rng.randint(5, 50), rng.randint(10, 30) * 100
        code = f"R{next(county.ids.resource):07d}"
        county.node("Resource", code=code,
                    name=f"{rng.choice(nm.RESOURCE_NAMES[category])}（{label}）",
                    category=category, capacity=capacity, lat=lat, lon=lon,
                    radius_m=float(radius), committed=rng.random() < 0.3)
        county.rel("OFFERS", who, code, kind)
        offered.setdefault((who, category), code)
    return offered


def _demands(county: County, offered: dict[tuple[str, str], str]) -> None:
    """Demands across the life cycle; dispatched and later ones have a taker."""
    rng = county.rng
    homes = Weighted(range(len(county.compounds)), [c.households for c in county.compounds])
    units_in: dict[int, list[str]] = {}
    for u in county.units:
        units_in.setdefault(u[3], []).append(u[0])
    teams_in: dict[int, list[str]] = {}
    for code, ci in county.teams:
        teams_in.setdefault(ci, []).append(code)
    urgency = Weighted((1, 2, 3, 4, 5), (25, 30, 25, 13, 7))
    satisfaction = Weighted((5, 4, 3, 2, 1), (55, 30, 10, 3, 2))
    snapshot = dt.datetime(SNAPSHOT.year, SNAPSHOT.month, SNAPSHOT.day, 18, 0)
    for _ in range(county.n.demands):
        i = homes.draw(rng)
        cp = county.compounds[i]
        comm = county.communities[cp.community]
        category = _CATEGORIES.draw(rng)
        status = _DEMAND_STATUS.draw(rng)
        level = urgency.draw(rng)
        span = 60 if status in (DemandStatus.OPEN, DemandStatus.DISPATCHED) \
            and rng.random() < 0.8 else 365
        created = snapshot - dt.timedelta(days=rng.uniform(0.1, span))
        created = created.replace(hour=rng.randint(7, 21), second=0, microsecond=0)
        created = min(created, snapshot - dt.timedelta(hours=1))
        due = created.date() + dt.timedelta(days=rng.randint(2, 8) * (6 - level))
        done_at = None
        if status in (DemandStatus.DONE, DemandStatus.REVIEWED):
            hours = min(rng.lognormvariate(math.log(40), 1.0), 24 * 60)
            done_at = min(created + dt.timedelta(hours=hours), snapshot)
            done_at = done_at.replace(microsecond=0)
        whistle = rng.random() < 0.05
        code = f"D{next(county.ids.demand):07d}"
        building = rng.choice(cp.buildings)[1] if category == Category.REPAIR else ""
        county.node("Demand", code=code,
                    title=f"{cp.name}{building}{rng.choice(nm.DEMAND_TITLES[category])}",
                    category=category, urgency=level, status=status,
                    created_at=created.isoformat(), due=iso(due),
                    done_at=done_at.isoformat() if done_at else None,
                    satisfaction=satisfaction.draw(rng) if status == DemandStatus.REVIEWED
                    else None,
                    whistle=whistle,  # a whistle is to be signed for the next day (no draw)
                    respond_by=iso(created.date() + dt.timedelta(days=1)) if whistle else None)
        if rng.random() < 0.95:
            county.rel("RAISED_IN", code, cp.code, tgt_kind="Compound")
        else:
            county.rel("RAISED_IN", code, comm.code, tgt_kind="Community")
        if cp.residents and rng.random() < 0.4:
            county.rel("RAISED_BY", code, rng.choice(cp.residents))
        if status == DemandStatus.OPEN:
            continue
        r = rng.random()
        local_members = [c for s in (Status.RETIRED, Status.IN_SERVICE)
                         for c in cp.members.get(s, ())]
        if whistle or r < 0.35 or (r < 0.75 and not local_members):
            kind, taker = "Unit", rng.choice(units_in.get(cp.community)
                                             or [u[0] for u in county.units])
        elif r < 0.75:
            kind, taker = "Member", rng.choice(local_members)
        else:
            kind, taker = "VolunteerTeam", rng.choice(teams_in.get(cp.community)
                                                      or [t[0] for t in county.teams])
        at = created + dt.timedelta(hours=rng.uniform(0.5, 24))
        if done_at is not None:
            at = min(at, done_at)
        county.rel("ASSIGNED_TO", code, taker, tgt_kind=kind,
                   at=at.replace(microsecond=0).isoformat(),
                   resource=offered.get((taker, category)))
