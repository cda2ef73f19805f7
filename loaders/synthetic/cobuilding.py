"""Co-building (共驻共建): unit agreements with communities (~15% of communities have
none), the county and street alliances, and co-building projects.
"""

from __future__ import annotations

import datetime as dt

from graph.codes import ProjectStatus
from loaders.synthetic import names as nm
from loaders.synthetic.draws import Weighted, day, iso
from loaders.synthetic.state import County


def build(county: County) -> None:
    """Co-building agreements (~85% of communities), alliances and projects."""
    partners = _agreements(county)
    _alliances(county, partners)
    _projects(county, partners)


def _agreements(county: County) -> dict[int, list[str]]:
    """CO_BUILDS_WITH, current and lapsed; returns each community's current partners."""
    rng = county.rng
    n_comm = len(county.communities)
    n_uncovered = max(1 if n_comm >= 3 else 0, round(0.15 * n_comm))
    uncovered = set(rng.sample(range(n_comm), n_uncovered))
    partners: dict[int, list[str]] = {}
    for ci, comm in enumerate(county.communities):
        same_street = [u for u in county.units
                       if county.communities[u[3]].street == comm.street]
        pool = same_street if len(same_street) >= 5 else county.units
        k = 0 if ci in uncovered else rng.randint(1, 5)
        chosen = rng.sample(pool, min(len(pool), k))
        for u in chosen:
            since = day(rng, dt.date(2018, 1, 1), dt.date(2026, 5, 31))
            county.rel("CO_BUILDS_WITH", u[0], comm.code, since=iso(since),
                       agreement=f"{comm.name}共建协议〔{since.year}〕{rng.randint(1, 60)}号")
        partners[ci] = [u[0] for u in chosen]
        if ci in uncovered and rng.random() < 0.5:  # an agreement that lapsed
            u = rng.choice(pool)
            county.rel("CO_BUILDS_WITH", u[0], comm.code, since=iso(dt.date(2018, 4, 1)),
                       until=iso(dt.date(2021, 3, 31)),
                       agreement=f"{comm.name}共建协议〔2018〕{rng.randint(1, 60)}号")
        elif chosen and rng.random() < 0.1 and len(pool) > len(chosen):
            # CO_BUILDS_WITH has no key property: one relationship per unit and
            # community, so an ended agreement must be with another unit.
            lapsed = rng.choice([u for u in pool if u not in chosen])
            county.rel("CO_BUILDS_WITH", lapsed[0], comm.code,
                       since=iso(dt.date(2015, 6, 1)), until=iso(dt.date(2017, 12, 31)),
                       agreement=f"{comm.name}共建协议〔2015〕{rng.randint(1, 60)}号")
    return partners


def _alliances(county: County, partners: dict[int, list[str]]) -> None:
    """The county alliance of street alliances; a street's alliance has its communities'
    committees and partners, and about half of its firms and social organisations."""
    rng = county.rng
    county_alliance = f"{county.code}-A00"
    county.node("Alliance", code=county_alliance, name=f"{county.name}城市基层党建联盟")
    for s, (_, s_name, _, _) in enumerate(county.streets):
        alliance = f"{county.code}-A{s + 1:02d}"
        county.node("Alliance", code=alliance, name=f"{s_name}区域党建联盟")
        county.rel("MEMBER_OF", county.street_committees[s], county_alliance, "PartyOrg",
                   "Alliance")
        members: list[tuple[str, str]] = []
        for ci, comm in enumerate(county.communities):
            if comm.street != s:
                continue
            members.append(("PartyOrg", comm.committee))
            members += [("Unit", u) for u in partners[ci]]
        members += [("PropertyFirm", f[0]) for f in county.firms
                    if county.communities[f[3]].street == s and rng.random() < 0.5]
        members += [("SocialOrg", o[0]) for o in county.social_orgs
                    if county.communities[o[1]].street == s and rng.random() < 0.5]
        seen: set[str] = set()
        for kind, code in members:
            if code not in seen:
                seen.add(code)
                county.rel("MEMBER_OF", code, alliance, kind, "Alliance",
                           since=iso(day(rng, dt.date(2019, 1, 1), dt.date(2026, 5, 31))))


def _projects(county: County, partners: dict[int, list[str]]) -> None:
    """Projects run by a partner unit of the community they serve (any unit if none)."""
    rng = county.rng
    n_comm = len(county.communities)
    statuses = Weighted((ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.COMPLETED,
                         ProjectStatus.CANCELLED), (15, 45, 35, 5))
    for p in range(1, max(2, round(0.3 * len(county.units))) + 1):
        ci = rng.randrange(n_comm)
        comm = county.communities[ci]
        status = statuses.draw(rng)
        since = day(rng, dt.date(2021, 1, 1), dt.date(2026, 5, 31))
        until = None
        if status == ProjectStatus.PLANNED:
            since = day(rng, dt.date(2026, 7, 1), dt.date(2026, 12, 31))
        elif status in (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED):
            since = day(rng, dt.date(2020, 1, 1), dt.date(2024, 6, 30))
            until = since + dt.timedelta(days=rng.randint(60, 540))
        code = f"{county.code}-PJ{p:03d}"
        county.node("Project", code=code,
                    name=comm.name + rng.choice(nm.PROJECT_THEMES) + "项目", status=status,
                    since=iso(since), until=iso(until))
        runners = partners[ci] or [rng.choice(county.units)[0]]
        county.rel("RUNS", rng.choice(runners), code)
        county.rel("SERVES", code, comm.code)
        if rng.random() < 0.2:
            other = county.communities[rng.randrange(n_comm)].code
            if other != comm.code:
                county.rel("SERVES", code, other)
