"""Cross-posting (交叉任职) indicators and overloaded people.

All five are computed from the post lists the compound and community queries already
fetched (see ``analysis.queries``), so they cost no extra round trip; each drill-down
item carries the person's current posts (``detail["posts"]``).
Definitions: see ``analysis.indicators``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analysis.fetch import ScopeData
from analysis.tally import NO_COMMUNITIES, Indicator, Item, tally
from graph.codes import OrgKind
from graph.i18n import N_, _

# The PartyOrg kind of a community's party committee (社区党委), one of its 两委.
COMMUNITY_PARTY_COMMITTEE = OrgKind.COMMUNITY_PARTY_COMMITTEE


def crossposting_indicators(d: ScopeData, threshold: int) -> list[Indicator]:
    return [cross_posting(d), secretary_chair(d), two_way_entry(d), red_committees(d),
            overloaded(d, threshold)]


def _posts(d: ScopeData, person: str) -> list[dict[str, Any]]:
    row = d.people.get(person)
    return sorted(row["posts"], key=lambda p: (p["label"], p["code"], p["role"])) if row else []


def _t(d: ScopeData, key: str, zh: str, definition: str, units: Any, empty: str,
       **kw: Any) -> Indicator:
    return tally(key, zh, definition, units, empty, d.scope.child_label, d.child_names, **kw)


def cross_posting(d: ScopeData) -> Indicator:
    units: dict[tuple[str, str], Item] = {}
    for c in d.compounds:
        branch_people = {p["person"] for p in c["branch_posts"]}
        for post in c["oc_posts"]:
            key = (post["org"], post["person"])
            if key in units:
                units[key].detail["roles"].append(post["role"])
                continue
            crossed = post["person"] in branch_people
            units[key] = Item(
                "Person", post["person"], post["name"], 1.0 if crossed else 0.0, 1.0,
                d.households[c["code"]], c["children"],
                detail={"committee": post["org"], "compound": c["code"], "roles": [post["role"]],
                        "branch_posts": [b for b in c["branch_posts"]
                                         if b["person"] == post["person"]],
                        "posts": _posts(d, post["person"])})
    return _t(d, "cross_posting_ratio", N_("交叉任职比例"),
              _("同时在覆盖该小区的党支部任职的现任业委会成员数 ÷ 现任业委会成员数"),
              units.values(), N_("范围内没有业委会成员"))


def secretary_chair(d: ScopeData) -> Indicator:
    units = []
    for c in d.compounds:
        if not c["committees"] or not c["branches"]:
            continue
        chairs = {p["person"] for p in c["oc_posts"] if p["role"] == "chair"}
        secretaries = {p["person"] for p in c["branch_posts"] if p["role"] == "secretary"}
        both = sorted(chairs & secretaries)
        units.append(Item("Compound", c["code"], c["name"], 1.0 if both else 0.0, 1.0,
                          d.households[c["code"]], c["children"],
                          detail={"chairs": sorted(chairs), "secretaries": sorted(secretaries),
                                  "overlap": both}))
    return _t(d, "secretary_chair_overlap", N_("书记兼任业委会主任"),
              _("党支部书记兼任业委会主任的小区数 ÷ 既有党支部又有现任业委会的小区数"), units,
              N_("范围内没有既有党支部又有业委会的小区"))


def two_way_entry(d: ScopeData) -> Indicator:
    """Per community: (a) a member of either of its two committees (两委: the community
    party committee or the residents' committee) on an owners' committee or managing firm
    of a compound there, and (b) an owners' committee or firm person on the party
    committee.  Someone posted on both the party committee and a committee/firm satisfies
    both directions, so (b) implies (a): the residents' committee side only ever adds to
    the drill-down."""
    ocfirm: dict[str, set[str]] = defaultdict(set)
    hh: dict[str, int] = defaultdict(int)
    for c in d.compounds:
        people = {p["person"] for p in c["oc_posts"] + c["firm_posts"]}
        for m in set(c["communities"]):
            ocfirm[m] |= people
            hh[m] += d.households[c["code"]]
    units = []
    for m in d.communities:
        rc = {p["person"] for p in m["rc_posts"]}
        pc = {p["person"] for p in m["pc_posts"] if p["kind"] == COMMUNITY_PARTY_COMMITTEE}
        inward = sorted((rc | pc) & ocfirm[m["code"]])  # 两委 members on committees / firms
        outward = sorted(pc & ocfirm[m["code"]])  # committee / firm people on the party cttee
        units.append(Item("Community", m["code"], m["name"],
                          1.0 if inward and outward else 0.0, 1.0, hh[m["code"]], m["children"],
                          detail={"community_to_committees": inward,
                                  "committees_to_party_committee": outward}))
    return _t(d, "two_way_entry", N_("双向进入、交叉任职"),
              _("社区“两委”（社区党组织、居民委员会）成员在本社区小区的业委会或物业服务企业"
                "任职，且业委会或物业服务企业人员在社区党组织任职的社区数 ÷ 社区数"), units,
              NO_COMMUNITIES)


def red_committees(d: ScopeData) -> Indicator:
    members: dict[str, dict[str, bool]] = defaultdict(dict)
    chairs: dict[str, set[str]] = defaultdict(set)
    where: dict[str, Any] = {}
    for c in d.compounds:
        for post in c["oc_posts"]:
            members[post["org"]][post["person"]] = bool(post["member"])
            if post["role"] == "chair":
                chairs[post["org"]].add(post["person"])
        for oc in c["committees"]:
            where.setdefault(oc, c)
    units = []
    for oc, c in sorted(where.items()):
        people = members.get(oc, {})
        party = sum(people.values())
        chair_member = any(people.get(p, False) for p in chairs.get(oc, ()))
        red = chair_member or (bool(people) and 2 * party >= len(people))
        units.append(Item("OwnersCommittee", oc, None, 1.0 if red else 0.0, 1.0,
                          d.households[c["code"]], c["children"],
                          detail={"compound": c["code"], "members": len(people),
                                  "party_members": party, "chair_is_member": chair_member}))
    return _t(d, "red_owners_committees", N_("红色业委会"),
              _("主任是党员或党员委员不少于一半的现任业委会数 ÷ 现任业委会数"), units,
              N_("范围内没有现任业委会"))


def overloaded(d: ScopeData, threshold: int) -> Indicator:
    units = []
    for code, kids in sorted(d.person_children.items()):
        posts = _posts(d, code)
        row = d.people.get(code, {})
        units.append(Item("Person", code, row.get("name"),
                          1.0 if len(posts) >= threshold else 0.0, 1.0, 0, sorted(kids),
                          rank=float(len(posts)), detail={"posts": posts}))
    return _t(d, "overloaded_people", N_("一人多岗"),
              _("现任职务不少于 {threshold} 个的人数 ÷ 在范围内任职的人数", threshold=threshold),
              units, N_("范围内没有任职人员"), hit_is_gap=True, extra={"threshold": threshold})
