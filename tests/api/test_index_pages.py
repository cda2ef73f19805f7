"""Pages over a whole county: the code-index path (probe + window) and the walk down.

Two counties whose people's codes interleave, so any page along the code index passes
over the other county's people: K1 holds the odd codes, K2 the even ones.  P04 lives
in K2 and chairs K1's owners' committee (in both counties); P06 lives nowhere (in
none).  P09 and P12 are not members.  Each caller pages through with every page size,
in both orders, with and without the member filter, and must get exactly its nodes,
each once, in order; the same with a probe budget so small that it runs out and the
walk answers instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from apihelp import Api

from api.graphql import reads
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

PEOPLE = {f"P{i:02d}" for i in range(1, 13)}
NOT_MEMBERS = {"P09", "P12"}
# by hand: who lies in each county
IN = {"K1": {"P01", "P03", "P04", "P05", "P07", "P09", "P11"},
      "K2": {"P02", "P04", "P08", "P10", "P12"}}

QUERY = """query($first: Int, $after: String, $desc: Boolean!, $members: Boolean,
                 $within: ID) {
  people(first: $first, after: $after, descending: $desc, within: $within,
         filter: {isMember: $members}) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { code } } } }"""


def _graph() -> tuple[list[N], list[R]]:
    nodes, rels = [], []
    for k, tail in (("K1", "1"), ("K2", "9")):
        chain = [("County", k), ("Street", "S" + tail), ("Community", "M" + tail),
                 ("Grid", "G" + tail), ("Compound", "C" + tail)]
        nodes += [N(label, code, {"name": code}) for label, code in chain]
        for (child, c_code), (parent, p_code) in zip(chain[1:], chain, strict=False):
            rel = "IN_GRID" if child == "Compound" else "PART_OF"
            rels.append(R(rel, child, c_code, parent, p_code))
    nodes.append(N("OwnersCommittee", "OC1", {"name": "业委会"}))
    rels.append(R("REPRESENTS", "OwnersCommittee", "OC1", "Compound", "C1"))
    for code in sorted(PEOPLE):
        props: dict[str, Any] = {"name": code}
        if code not in NOT_MEMBERS:
            props["member_status"] = "in_service"
        nodes.append(N("Person", code, props))
        if code != "P06":
            home = "C1" if int(code[1:]) % 2 else "C9"
            rels.append(R("LIVES_IN", "Person", code, "Compound", home))
    rels.append(R("HOLDS_POST", "Person", "P04", "OwnersCommittee", "OC1",
                  {"role": "chair", "since": "2020-01-01"}))
    return nodes, rels


def _walk(api: Api, county: str, first: int, desc: bool, members: bool | None,
          within: str | None = None) -> tuple[list[str], set[int]]:
    """Every page in turn: the codes seen, and the totalCount of each page."""
    seen: list[str] = []
    totals: set[int] = set()
    after = None
    for _ in range(20):
        page = api.gql(QUERY, {"first": first, "after": after, "desc": desc,
                               "members": members, "within": within},
                       scope=county)["people"]
        seen += [e["node"]["code"] for e in page["edges"]]
        totals.add(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen, totals
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("budget", ["default", "exhausted"])
def test_pages_across_counties_are_exact(api: Api, budget: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if budget == "exhausted":  # the probe reads one node per row: the walk answers
        monkeypatch.setattr(reads, "PROBE_SPAN", 1)
        monkeypatch.setattr(reads, "PROBE_MIN", 1)
    write_graph(api.store, *_graph())
    for county, mine in IN.items():
        for members in (None, True):
            want = sorted(mine - NOT_MEMBERS if members else mine)
            for desc in (False, True):
                for first in (1, 2, 3, len(want), len(want) + 1):
                    seen, totals = _walk(api, county, first, desc, members)
                    assert seen == (want[::-1] if desc else want), (county, members, first)
                    assert totals == {len(want)}
    seen, _ = _walk(api, "K1", 2, False, True, within="County:K1")
    assert seen == sorted(IN["K1"] - NOT_MEMBERS)


def test_a_page_after_the_last_code_is_empty(api: Api) -> None:
    write_graph(api.store, *_graph())
    last = api.gql(QUERY, {"first": 1, "desc": True}, scope="K1")["people"]
    after = api.gql(QUERY, {"first": 2, "desc": False,
                            "after": last["pageInfo"]["endCursor"]}, scope="K1")["people"]
    assert after["edges"] == [] and after["pageInfo"]["hasNextPage"] is False


def test_total_count_asked_inside_a_fragment(api: Api) -> None:
    write_graph(api.store, *_graph())
    query = """{ people(first: 1) { ...total edges { node { code } } } }
               fragment total on PersonConnection { totalCount }"""
    got = api.gql(query, scope="K2")["people"]
    assert got == {"totalCount": len(IN["K2"]), "edges": [{"node": {"code": "P02"}}]}
