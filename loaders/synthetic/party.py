"""Party organisations: street working committees, community party committees and the
branches and groups under them, the property industry committee with firm, joint and
association branches, and unit organisations.  About 10% of compounds stay uncovered.
"""

from __future__ import annotations

import datetime as dt

from graph.codes import OrgKind
from loaders.synthetic.draws import day, iso, quota
from loaders.synthetic.state import Community, County


def party_org(county: County, code: str, name: str, kind: str, parent: str | None = None,
              functional: bool | None = None) -> str:
    """Write one PartyOrg (founded on a random day) under ``parent``; returns its code."""
    founded = day(county.rng, dt.date(2005, 1, 1), dt.date(2025, 12, 31))
    county.node("PartyOrg", code=code, name=name, kind=kind, functional=functional,
                founded=iso(founded))
    if parent:
        county.rel("UNDER", code, parent)
    return code


def build(county: County) -> None:
    """Every party organisation of the county, top down, so each parent exists first."""
    rng = county.rng
    for s_code, s_name, _, _ in county.streets:
        county.street_committees.append(
            party_org(county, f"{s_code}-PW", f"中共{s_name}工作委员会",
                      OrgKind.STREET_WORKING_COMMITTEE))
    industry = party_org(county, f"{county.code}-PIC", f"中共{county.name}物业服务行业委员会",
                         OrgKind.PROPERTY_INDUSTRY_COMMITTEE)
    district = party_org(county, f"{county.code}-BDC", f"中共{county.stem}中心商圈委员会",
                         OrgKind.BUSINESS_DISTRICT_COMMITTEE, county.street_committees[0])
    party_org(county, f"{county.code}-NEB", f"{county.stem}快递外卖新就业群体联合党支部",
              OrgKind.NEW_EMPLOYMENT_BRANCH, district)
    county.mobile_branch = party_org(county, f"{county.code}-MMB",
                                     f"{county.stem}流动党员党支部",
                                     OrgKind.MOBILE_MEMBER_BRANCH, county.street_committees[0])
    for comm in county.communities:
        comm.committee = party_org(
            county, f"{comm.code}-PC", f"中共{comm.name}委员会",
            OrgKind.COMMUNITY_PARTY_COMMITTEE, county.street_committees[comm.street])
        county.rel("COVERS", comm.committee, comm.code, tgt_kind="Community")
        _branches(county, comm)

    covered_firms = quota(rng, county.firms, 0.55)
    for code, name, _, _ in covered_firms:
        branch = party_org(county, f"{code}-PB", f"中共{name}支部委员会",
                           OrgKind.PROPERTY_FIRM_BRANCH, industry)
        county.firm_branches[code] = branch
        county.rel("IN_ORG", branch, code, tgt_kind="PropertyFirm")
    rest = [f for f in county.firms if f not in covered_firms]
    joined = rest[: round(len(rest) * 0.6)]
    for j in range(0, len(joined), 3):
        group = joined[j: j + 3]
        branch = party_org(county, f"{county.code}-JB{j // 3 + 1:02d}",
                           f"{county.stem}物业企业第{j // 3 + 1}联合党支部",
                           OrgKind.JOINT_BRANCH, industry)
        for firm in group:
            county.rel("IN_ORG", branch, firm[0], tgt_kind="PropertyFirm")
    if county.social_orgs:
        branch = party_org(county, f"{county.code}-AB", f"{county.stem}物业管理协会党支部",
                           OrgKind.ASSOCIATION_BRANCH, industry)
        county.rel("IN_ORG", branch, county.social_orgs[0][0], tgt_kind="SocialOrg")
    for code, name, _, _ in quota(rng, county.units, 0.6):
        county.unit_orgs[code] = party_org(county, f"{code}-PO", f"中共{name}委员会",
                                           OrgKind.UNIT_ORG)
        county.rel("IN_ORG", county.unit_orgs[code], code, tgt_kind="Unit")


def _branches(county: County, comm: Community) -> None:
    """Compound branches for large compounds, grid branches for the small ones of a
    grid, building groups for ~30% of buildings; ~10% of compounds stay uncovered."""
    rng = county.rng
    covered = [i for i in comm.compounds if rng.random() < 0.9]
    by_grid: dict[str, list[int]] = {}
    for i in covered:
        cp = county.compounds[i]
        if cp.households >= 600:
            cp.branch = party_org(county, f"{cp.code}-PB", f"中共{cp.name}支部委员会",
                                  OrgKind.COMPOUND_BRANCH, comm.committee,
                                  functional=rng.random() < 0.3)
            county.rel("COVERS", cp.branch, cp.code, tgt_kind="Compound")
        else:
            by_grid.setdefault(cp.grids[0], []).append(i)
    for grid in comm.grids:
        if grid not in by_grid:
            continue
        branch = party_org(county, f"{grid}-PB", f"中共{comm.name}第{grid[-2:].lstrip('0')}"
                           "网格支部委员会", OrgKind.GRID_BRANCH, comm.committee,
                           functional=rng.random() < 0.3)
        county.rel("COVERS", branch, grid, tgt_kind="Grid")
        for i in by_grid[grid]:
            county.compounds[i].branch = branch
            county.rel("COVERS", branch, county.compounds[i].code, tgt_kind="Compound")
    for i in covered:
        cp = county.compounds[i]
        for b_code, b_name, _ in cp.buildings:
            if rng.random() < 0.3:
                group = party_org(county, f"{b_code}-PG", f"{cp.name}{b_name}党小组",
                                  OrgKind.BUILDING_GROUP, cp.branch)
                county.rel("COVERS", group, b_code, tgt_kind="Building")
