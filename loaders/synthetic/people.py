"""People: party members (where they live, work, belong, report and liaise) and the
non-member residents later phases need as post holders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from graph.codes import Gender, Status, UnitKind
from loaders.synthetic import names as nm
from loaders.synthetic.draws import Weighted, day, iso
from loaders.synthetic.presets import SNAPSHOT
from loaders.synthetic.state import County, Person

# How much likelier a member works for these kinds of unit than for any other.
_EMPLOYER_WEIGHTS = {UnitKind.GOVERNMENT_ORGAN: 4, UnitKind.PUBLIC_INSTITUTION: 3,
                     UnitKind.STATE_ENTERPRISE: 3, UnitKind.SCHOOL: 3, UnitKind.HOSPITAL: 4}
# Birth years of retired and student members (everyone else: 1965–2000).
_BIRTH_YEARS = {Status.RETIRED: (1940, 1965), Status.STUDENT: (2000, 2007)}


def person(county: County, status: str | None, compound: int | None,
           female: bool | None = None, employer: tuple[str, str] | None = None) -> Person:
    """Write a Person (and where they live and work); members also get their org."""
    rng = county.rng
    code = f"P{next(county.ids.person):07d}"
    female = rng.random() < 0.5 if female is None else female
    born = _BIRTH_YEARS.get(status or "", (1965, 2000))
    building = None
    if compound is not None:
        cp = county.compounds[compound]
        if rng.random() < 0.7:
            building = rng.choice(cp.buildings)[0]
    p = Person(code, nm.person_name(rng, female), status, compound, building,
               employer[1] if employer else None)
    county.people[code] = p
    county.node("Person", code=code, name=p.name,
                gender=Gender.FEMALE if female else Gender.MALE, phone=nm.phone(rng),
                id_number=nm.id_number(rng, county.region, rng.randint(*born), female),
                member_status=status)
    if compound is not None:
        cp = county.compounds[compound]
        if building is not None:
            county.rel("LIVES_IN", code, building, tgt_kind="Building")
        else:
            county.rel("LIVES_IN", code, cp.code, tgt_kind="Compound")
        cp.residents.append(code)
        if status:
            cp.members.setdefault(status, []).append(code)
    if employer:
        county.rel("WORKS_AT", code, employer[1], tgt_kind=employer[0])
        if employer[0] == "PropertyFirm":
            county.firm_staff.setdefault(employer[1], []).append(code)
    if status:
        county.members.append(code)
    return p


def build(county: County) -> None:
    """Members: where they live, work, belong, report (双报到) and liaise (联户)."""
    rng = county.rng
    homes = Weighted(range(len(county.compounds)), [c.households for c in county.compounds])
    statuses = Weighted((Status.IN_SERVICE, Status.RETIRED, Status.MOBILE, Status.STUDENT),
                        (45, 40, 10, 5))
    units = Weighted(county.units, [_EMPLOYER_WEIGHTS.get(u[2], 1) for u in county.units])
    for _ in range(county.n.members):
        status = statuses.draw(rng)
        home = None if status == Status.MOBILE and rng.random() < 0.5 else homes.draw(rng)
        employer: tuple[str, str] | None = None
        if status == Status.IN_SERVICE:
            r = rng.random()
            if r < 0.85:
                employer = ("Unit", units.draw(rng)[0])
            elif r < 0.9:
                employer = ("PropertyFirm", rng.choice(county.firms)[0])
        p = person(county, status, home, employer=employer)
        _membership(county, p)
        if home is None:
            continue
        comm = county.communities[county.compounds[home].community]
        if status == Status.IN_SERVICE and rng.random() < 0.7:
            county.rel("REPORTED_TO", p.code, comm.code, "Member",
                       date=iso(day(rng, dt.date(2019, 3, 1), SNAPSHOT)))
        liaise = {Status.RETIRED: 0.15, Status.IN_SERVICE: 0.05}.get(status, 0.0)
        if rng.random() < liaise:
            target = p.building or rng.choice(county.compounds[home].buildings)[0]
            county.rel("LIAISES", p.code, target, tgt_kind="Building",
                       since=iso(day(rng, dt.date(2020, 1, 1), SNAPSHOT)))
        if rng.random() < 0.1 and county.teams:
            local = [t for t in county.teams if t[1] == county.compounds[home].community]
            team = rng.choice(local or county.teams)
            county.rel("MEMBER_OF", p.code, team[0], "Person", "VolunteerTeam",
                       since=iso(day(rng, dt.date(2018, 1, 1), SNAPSHOT)))


def _membership(county: County, p: Person) -> None:
    """One organisational relationship per member (组织关系)."""
    rng = county.rng
    org: str
    if p.status == Status.MOBILE:
        org = county.mobile_branch if (rng.random() < 0.7 or p.compound is None) else ""
    elif p.status == Status.IN_SERVICE and p.employer in county.unit_orgs and rng.random() < 0.6:
        org = county.unit_orgs[p.employer]
    elif p.status == Status.IN_SERVICE and p.employer in county.firm_branches:
        org = county.firm_branches[p.employer]
    else:
        org = ""
    if not org:
        assert p.compound is not None
        cp = county.compounds[p.compound]
        org = cp.branch if cp.branch and p.status != Status.STUDENT else \
            county.communities[cp.community].committee
    county.rel("MEMBER_OF", p.code, org, "Member", "PartyOrg",
               since=iso(day(rng, dt.date(1985, 1, 1), SNAPSHOT)))


def new_member(county: County, status: str, compound: int | None,
               employer: tuple[str, str] | None = None) -> str:
    """A new member (a Person with their organisational relationship); returns the code."""
    p = person(county, status, compound, employer=employer)
    _membership(county, p)
    return p.code


def resident(county: County, compound: int, member_share: float, exclude: Sequence[str] = (),
             prefer: Sequence[str] = (Status.RETIRED, Status.IN_SERVICE)) -> str:
    """A person living in the compound: a member with probability ``member_share``
    (an existing one when there is one), else a new non-member resident."""
    rng = county.rng
    if rng.random() < member_share:
        cp = county.compounds[compound]
        for status in prefer:
            pool = [c for c in cp.members.get(status, ()) if c not in exclude]
            if pool:
                return rng.choice(pool)
        return new_member(county, prefer[0], compound)
    return person(county, None, compound).code
