"""Posts (任职): community committees and workers, grid workers, branch committees,
firm posts, owners' committees (in :mod:`.committees`) and building heads.  People with
three or more posts and posts that ended are made here on purpose.
"""

from __future__ import annotations

import datetime as dt

from graph.codes import Role, Status, UnitKind
from loaders.synthetic import committees
from loaders.synthetic.draws import past, since
from loaders.synthetic.people import new_member, person, resident
from loaders.synthetic.state import Community, Compound, County


def build(county: County) -> None:
    """Every post, in the order later posts depend on earlier ones (who sits where)."""
    rng = county.rng
    organs = {u[0] for u in county.units
              if u[2] in (UnitKind.GOVERNMENT_ORGAN, UnitKind.PUBLIC_INSTITUTION)}
    organ_staff = [c for c in county.members if county.people[c].employer in organs]
    leaders = rng.sample(organ_staff,
                         min(len(organ_staff), max(1, len(county.communities) // 3)))
    committee_people: list[list[str]] = []
    for ci, comm in enumerate(county.communities):
        committee_people.append(_community_posts(county, ci, comm, organ_staff, leaders))
    for comm in county.communities:
        _grid_workers(county, comm)
    branch_compounds: dict[str, list[int]] = {}
    for i, cp in enumerate(county.compounds):
        if cp.branch:
            branch_compounds.setdefault(cp.branch, []).append(i)
    for branch, cps in branch_compounds.items():
        _branch_posts(county, branch, cps)
    pms = _firm_posts(county)
    for i, cp in enumerate(county.compounds):
        if cp.committee:
            committees.seats(county, i, cp)
    for ci, comm in enumerate(county.communities):
        committees.two_way_entry(county, comm, committee_people[ci], pms)
    for i, cp in enumerate(county.compounds):
        _building_heads(county, i, cp)


def _community_posts(county: County, ci: int, comm: Community, organ_staff: list[str],
                     leaders: list[str]) -> list[str]:
    """Community party committee, residents' committee (the Community), workers,
    first secretary and liaison leader (挂钩领导)."""
    rng = county.rng
    homes = comm.compounds
    secretary = new_member(county, Status.IN_SERVICE, rng.choice(homes))
    start = since(rng, dt.date(2016, 1, 1))
    county.post(secretary, "PartyOrg", comm.committee, Role.SECRETARY, start)
    county.post(secretary, "Community", comm.code, Role.COMMUNITY_WORKER, start, full_time=True)
    if rng.random() < 0.85:  # 一肩挑: the secretary also chairs the residents' committee
        county.post(secretary, "Community", comm.code, Role.CHAIR, start)
    else:
        chair = new_member(county, Status.IN_SERVICE, rng.choice(homes))
        county.post(chair, "Community", comm.code, Role.CHAIR, start)
    if rng.random() < 0.2:
        began, until = past(rng, start)
        county.post(new_member(county, Status.RETIRED, rng.choice(homes)), "PartyOrg",
                    comm.committee, Role.SECRETARY, began, until)
    workers = [new_member(county, Status.IN_SERVICE, rng.choice(homes)) if rng.random() < 0.6
               else person(county, None, rng.choice(homes)).code
               for _ in range(rng.randint(4, 8))]
    for w in workers:
        county.post(w, "Community", comm.code, Role.COMMUNITY_WORKER, since(rng), full_time=True)
    member_workers = [w for w in workers if county.people[w].status]
    committee = [secretary]
    for k, w in enumerate(member_workers[: rng.randint(2, 4)]):
        role = Role.DEPUTY_SECRETARY if k == 0 else Role.COMMITTEE_MEMBER
        county.post(w, "PartyOrg", comm.committee, role, since(rng))
        committee.append(w)
    if organ_staff and rng.random() < 0.25:
        county.post(rng.choice(organ_staff), "PartyOrg", comm.committee, Role.FIRST_SECRETARY,
                    since(rng, dt.date(2021, 1, 1)))
    if leaders and rng.random() < 0.75:
        county.post(leaders[ci % len(leaders)], "Community", comm.code, Role.LIAISON_LEADER,
                    since(rng, dt.date(2021, 1, 1)))
    county.community_workers[comm.code] = workers
    return committee


def _grid_workers(county: County, comm: Community) -> None:
    """1–3 grid workers per grid; ~15% of grids have no full-time one."""
    rng = county.rng
    workers = county.community_workers.get(comm.code, [])
    for g in comm.grids:
        staffed = rng.random() < 0.85
        for k in range(rng.randint(1, 3)):
            if workers and rng.random() < 0.3:
                who = rng.choice(workers)
            else:
                who = resident(county, rng.choice(comm.compounds), 0.4,
                               prefer=(Status.IN_SERVICE,))
            county.post(who, "Grid", g, Role.GRID_WORKER, since(rng), full_time=staffed and k == 0)


def _branch_posts(county: County, branch: str, cps: list[int]) -> None:
    """A branch's secretary (sometimes with a predecessor) and committee, living in the
    compounds it covers."""
    rng = county.rng
    home = cps[0]
    secretary = resident(county, home, 1.0,
                         prefer=(Status.RETIRED, Status.IN_SERVICE) if rng.random() < 0.6
                         else (Status.IN_SERVICE, Status.RETIRED))
    start = since(rng, dt.date(2017, 1, 1))
    county.post(secretary, "PartyOrg", branch, Role.SECRETARY, start)
    people = [secretary]
    if rng.random() < 0.15:
        began, until = past(rng, start)
        county.post(resident(county, home, 1.0, exclude=people), "PartyOrg", branch,
                    Role.SECRETARY, began, until)
    roles = ([Role.DEPUTY_SECRETARY] if rng.random() < 0.5 else []) + \
        [Role.COMMITTEE_MEMBER] * rng.randint(2, 4)
    for role in roles:
        who = resident(county, rng.choice(cps), 1.0, exclude=people)
        if county.post(who, "PartyOrg", branch, role, since(rng)):
            people.append(who)
    county.branch_people[branch] = people


def _firm_posts(county: County) -> dict[int, str]:
    """Firm branch secretaries and one project manager per managed compound."""
    rng = county.rng
    homes = range(len(county.compounds))
    for firm, branch in county.firm_branches.items():
        staff = [s for s in county.firm_staff.get(firm, ()) if county.people[s].status]
        who = rng.choice(staff) if staff else new_member(
            county, Status.IN_SERVICE, rng.choice(homes), employer=("PropertyFirm", firm))
        county.post(who, "PartyOrg", branch, Role.SECRETARY, since(rng))
    pms: dict[int, str] = {}
    for i, cp in enumerate(county.compounds):
        if cp.firm is None:
            continue
        employer = ("PropertyFirm", cp.firm)
        home = rng.choice(homes)
        pm = new_member(county, Status.IN_SERVICE, home, employer) if rng.random() < 0.3 else \
            person(county, None, home, employer=employer).code
        county.post(pm, "PropertyFirm", cp.firm, Role.PROJECT_MANAGER, since(rng))
        pms[i] = pm
    return pms


def _building_heads(county: County, i: int, cp: Compound) -> None:
    """Building heads (楼栋长) for ~40% of buildings, red neighbour heads for some;
    a few branch secretaries take their own building too (overloaded people)."""
    rng = county.rng
    heads = county.branch_people.get(cp.branch or "")
    secretary = heads[0] if heads else None
    for b_code, _, _ in cp.buildings:
        if secretary and county.people[secretary].building == b_code and rng.random() < 0.5:
            county.post(secretary, "Building", b_code, Role.BUILDING_HEAD, since(rng))
        elif rng.random() < 0.4:
            county.post(resident(county, i, 0.65), "Building", b_code, Role.BUILDING_HEAD,
                        since(rng))
        if rng.random() < 0.08:
            county.post(resident(county, i, 1.0), "Building", b_code, Role.RED_NEIGHBOUR_HEAD,
                        since(rng))
