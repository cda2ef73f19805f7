"""Organisations: units (驻区单位), property firms, social organisations and volunteer
teams, with management contracts and owners' committees written between firms and
social organisations (that is the order the random draws were made in).
"""

from __future__ import annotations

import datetime as dt

from graph.codes import CommunityKind, FirmKind, ListStatus, UnitKind
from loaders.synthetic import management
from loaders.synthetic import names as nm
from loaders.synthetic.draws import Weighted, day, iso
from loaders.synthetic.presets import SNAPSHOT
from loaders.synthetic.state import County

_UNIT_KINDS = Weighted(
    (UnitKind.GOVERNMENT_ORGAN, UnitKind.PUBLIC_INSTITUTION, UnitKind.STATE_ENTERPRISE,
     UnitKind.PRIVATE_ENTERPRISE, UnitKind.SCHOOL, UnitKind.HOSPITAL, UnitKind.OTHER),
    (26, 16, 12, 28, 10, 4, 4),
)


def build(county: County) -> None:
    """Units, firms (then who manages what), social organisations, volunteer teams."""
    _units(county)
    _firms(county)
    management.contracts(county)
    management.committees(county)
    _social(county)


def _units(county: County) -> None:
    """Units with kind-specific names; the first few are the streets' police stations."""
    rng, n = county.rng, county.n
    streets = [s[1][:2] for s in county.streets]
    organs = nm.unit_names(rng, county.name, nm.GOVERNMENT_ORGANS, streets,
                           UnitKind.GOVERNMENT_ORGAN)
    publics = nm.unit_names(rng, county.name, nm.PUBLIC_INSTITUTIONS, streets,
                            UnitKind.PUBLIC_INSTITUTION)
    soes = nm.unit_names(rng, county.stem, nm.STATE_ENTERPRISES, streets,
                         UnitKind.STATE_ENTERPRISE)
    hospitals = nm.unit_names(rng, county.stem, nm.HOSPITALS, streets, UnitKind.HOSPITAL)
    for u in range(1, n.units + 1):
        if u <= len(county.streets) and u <= n.units // 4:
            kind, name = UnitKind.POLICE_STATION, county.streets[u - 1][1][:2] + "派出所"
        else:
            kind = _UNIT_KINDS.draw(rng)
            name = {
                UnitKind.GOVERNMENT_ORGAN: lambda: next(organs),
                UnitKind.PUBLIC_INSTITUTION: lambda: next(publics),
                UnitKind.STATE_ENTERPRISE: lambda: next(soes),
                UnitKind.HOSPITAL: lambda: next(hospitals),
                UnitKind.SCHOOL: lambda: county.stem + rng.choice(nm.COMMUNITY_STEMS)
                + rng.choice(nm.SCHOOL_TAILS),
                UnitKind.PRIVATE_ENTERPRISE: lambda: county.stem + rng.choice(nm.PRIVATE_STEMS)
                + rng.choice(nm.PRIVATE_TRADES),
                UnitKind.OTHER: lambda: county.stem + rng.choice(nm.COMMUNITY_STEMS) + "服务中心",
            }[kind]()
        comm = rng.randrange(len(county.communities))
        code = f"{county.code}-U{u:03d}"
        county.units.append((code, name, kind, comm))
        county.node("Unit", code=code, name=name, kind=kind)
        county.rel("LOCATED_IN", code, county.communities[comm].code, "Unit", "Community")
        if rng.random() < 0.8:
            county.rel("REPORTED_TO", code, county.communities[comm].code, "Unit",
                       date=iso(day(rng, dt.date(2019, 3, 1), SNAPSHOT)))


def _firms(county: County) -> None:
    """Firms by kind (state custodians, party-led, village ones where there are urban
    villages, the rest market firms), about one in six on the red or black list."""
    rng, n = county.rng, county.n
    villages = any(c.kind == CommunityKind.URBAN_VILLAGE for c in county.communities)
    kinds = [FirmKind.STATE_CUSTODIAN] * max(1, round(0.1 * n.firms)) \
        + [FirmKind.PARTY_LED] * max(1, round(0.2 * n.firms)) \
        + [FirmKind.VILLAGE] * (max(1, round(0.08 * n.firms)) if villages else 0)
    kinds += [FirmKind.MARKET] * max(1, n.firms - len(kinds))
    for f, kind in enumerate(kinds, 1):
        comm = rng.randrange(len(county.communities))
        stem = rng.choice(nm.FIRM_STEMS)
        cname = county.communities[comm].name[:-2]
        name = {
            FirmKind.MARKET: f"{stem}物业服务有限公司{county.stem}分公司",
            FirmKind.PARTY_LED: f"{county.stem}{cname}社区物业服务有限公司",
            FirmKind.VILLAGE: f"{cname}村物业管理有限公司",
            FirmKind.STATE_CUSTODIAN: f"{county.stem}{nm.STATE_FIRM_STEMS[(f - 1) % 6]}物业有限公司"
            + ("" if f <= 6 else f"第{f}分公司"),
        }[kind]
        code = f"{county.code}-F{f:02d}"
        listed = rng.random()
        status = ListStatus.BLACK if listed < 0.05 else ListStatus.RED if listed < 0.17 \
            else ListStatus.NONE
        credit = rng.uniform(45, 70) if status == ListStatus.BLACK else rng.uniform(70, 100)
        county.firms.append((code, name, kind, comm))
        county.node("PropertyFirm", code=code, name=name, kind=kind,
                    stars=rng.randint(0, 2) if status == ListStatus.BLACK else rng.randint(1, 5),
                    credit_score=round(credit, 1), list_status=status)
        county.rel("LOCATED_IN", code, county.communities[comm].code, "PropertyFirm",
                   "Community")


def _social(county: County) -> None:
    """Social organisations (the first is the county's own) and volunteer teams."""
    rng, n = county.rng, county.n
    for s in range(1, n.social_orgs + 1):
        comm = rng.randrange(len(county.communities))
        base = nm.SOCIAL_ORGS[0] if s == 1 else rng.choice(nm.SOCIAL_ORGS[1:])
        name = county.stem + base if s == 1 else county.communities[comm].name + base
        code = f"{county.code}-SO{s:02d}"
        county.social_orgs.append((code, comm))
        county.node("SocialOrg", code=code, name=name)
        county.rel("LOCATED_IN", code, county.communities[comm].code, "SocialOrg", "Community")
    for t in range(1, n.volunteer_teams + 1):
        comm = rng.randrange(len(county.communities))
        code = f"{county.code}-VT{t:02d}"
        county.teams.append((code, comm))
        county.node("VolunteerTeam", code=code,
                    name=county.communities[comm].name + rng.choice(nm.VOLUNTEER_TEAMS))
