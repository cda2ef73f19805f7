"""Owners' committee posts and 双向进入 (two-way entry): committee seats, some held by
branch people (cross-posting), community committee members on owners' committees, and
firm or committee people as part-time members of the community party committee.
"""

from __future__ import annotations

import datetime as dt

from graph.codes import Role
from loaders.synthetic.draws import past, since
from loaders.synthetic.people import resident
from loaders.synthetic.state import Community, Compound, County


def seats(county: County, i: int, cp: Compound) -> None:
    """Chair, vice chair, members and a supervisor; cross-posting with the branch."""
    rng = county.rng
    assert cp.committee is not None
    start = county.committee_start[cp.committee]
    branch_people = list(county.branch_people.get(cp.branch or "", []))
    seated: list[str] = []
    if branch_people and rng.random() < 0.12:  # the branch secretary chairs it
        chair = branch_people.pop(0)
    else:
        chair = resident(county, i, 0.5)
    county.post(chair, "OwnersCommittee", cp.committee, Role.CHAIR, start)
    seated.append(chair)
    roles = [Role.VICE_CHAIR] + [Role.OWNERS_COMMITTEE_MEMBER] * rng.randint(3, 6)
    if rng.random() < 0.3:
        roles.append(Role.SUPERVISOR)
    for role in roles:
        r = rng.random()
        if branch_people and r < 0.25:
            who = branch_people.pop(rng.randrange(len(branch_people)))
        else:
            who = resident(county, i, 0.45 if r < 0.7 else 0.0, exclude=seated)
        if county.post(who, "OwnersCommittee", cp.committee, role, start):
            seated.append(who)
    if rng.random() < 0.1:
        began, until = past(rng, start)
        county.post(resident(county, i, 0.5, exclude=seated), "OwnersCommittee", cp.committee,
                    Role.CHAIR, began, until)


def two_way_entry(county: County, comm: Community, committee: list[str],
                   pms: dict[int, str]) -> None:
    """双向进入: community committee members on owners' committees, and firm or
    committee people as part-time members of the community party committee."""
    rng = county.rng
    r = rng.random()
    with_committee = [county.compounds[i].committee for i in comm.compounds
                      if county.compounds[i].committee]
    if r < 0.65 and with_committee and committee:
        oc = rng.choice(with_committee)
        assert oc is not None
        county.post(rng.choice(committee), "OwnersCommittee", oc,
                    rng.choice((Role.OWNERS_COMMITTEE_MEMBER, Role.SUPERVISOR)),
                    county.committee_start[oc])
    if r < 0.5 or 0.65 <= r < 0.75:
        outsiders = [pms[i] for i in comm.compounds if i in pms]
        if rng.random() < 0.5 or not outsiders:
            outsiders = _committee_chairs(county, comm) or outsiders
        if outsiders:
            county.post(rng.choice(outsiders), "PartyOrg", comm.committee,
                        Role.PART_TIME_COMMITTEE_MEMBER, since(rng, dt.date(2021, 1, 1)))


def _committee_chairs(county: County, comm: Community) -> list[str]:
    """Who chairs an owners' committee in the community (sorted: post_keys is a set)."""
    codes = {c for i in comm.compounds if (c := county.compounds[i].committee)}
    return sorted(p for (p, org, role) in county.post_keys
                  if role == Role.CHAIR and org in codes)
