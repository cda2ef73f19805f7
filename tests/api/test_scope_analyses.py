"""Analyses name nothing outside the caller's scope, and matching uses nothing outside it.

On the scope town (scope_town.py): PX lives in street A, chairs owners' committee OCA,
is secretary of branch POA, sits on B's party committee QB and works at B's unit UB.
Street A's staff see PX, but not QB or UB: where an answer refers to them it says
"范围外" without code or name; a county admin sees them in clear.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from scope_town import COUNTY, NODES, STREET_A, STREET_B, graph_state, last_audit, serving, view
from scope_town import visible as sees

from analysis.matching import EXHAUSTED, NO_LOCATION, NO_RESOURCE
from api.graphql.redact import DETAIL_LABELS, DETAIL_PLAIN, OUTSIDE, detail_refs, redact_detail
from api.kept import answers_of
from graph.store import BoltStore, Query

HIDDEN_FROM_A = sorted(c for c in NODES if not sees(STREET_A, c))


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def names_nothing_hidden(answer: Any) -> None:
    """No code (or name: names embed codes here) of a node hidden from street A."""
    pattern = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(HIDDEN_FROM_A) + r")(?![A-Za-z0-9])")
    leaks = [s for s in _strings(answer) if pattern.search(s)]
    assert leaks == [], leaks


def _metres(dlon: float, lat: float = 30.0) -> float:
    """Great-circle metres between two points on one parallel."""
    return 2 * 6_371_008.8 * math.asin(math.cos(math.radians(lat)) *
                                       math.sin(math.radians(dlon) / 2))


PLAN = """{ matchPlan { scope assignments { demand resource taker category urgency distanceM }
  unmatched { demand category urgency reason } candidatePairs urgencyServed } }"""


def test_match_plan_uses_only_what_the_caller_sees(store: BoltStore, tmp_path: Path) -> None:
    """Street A: DA (repair) goes to A's RA, 770 m away, although B's RB is 193 m away;
    DA2 (legal) finds no legal resource (B's RB2 is invisible); DS (at CS) has no
    location.  The county admin sees RB and RB2 and takes them."""
    with serving(store, tmp_path) as api:
        plan = api.gql(PLAN, **STREET_A)["matchPlan"]
        assert plan["scope"] == "Street:SA"
        assert [{**a, "distanceM": None} for a in plan["assignments"]] == [
            {"demand": "DA", "resource": "RA", "taker": "Unit:UA", "category": "repair",
             "urgency": 3, "distanceM": None}]
        assert plan["assignments"][0]["distanceM"] == pytest.approx(_metres(0.008), abs=0.1)
        assert plan["unmatched"] == [
            {"demand": "DA2", "category": "legal", "urgency": 2, "reason": NO_RESOURCE},
            {"demand": "DS", "category": "culture", "urgency": 1, "reason": NO_LOCATION}]
        assert (plan["candidatePairs"], plan["urgencyServed"]) == (1, 3)
        names_nothing_hidden(plan)

        county = api.gql(PLAN, **COUNTY)["matchPlan"]
        assert [(a["demand"], a["resource"], a["taker"]) for a in county["assignments"]] == [
            ("DA", "RB", "Unit:UB"), ("DA2", "RB2", "Unit:UB")]
        assert [a["distanceM"] for a in county["assignments"]] == [
            pytest.approx(_metres(0.002), abs=0.1), pytest.approx(_metres(0.001), abs=0.1)]
        assert [(u["demand"], u["reason"]) for u in county["unmatched"]] == [
            ("DB", NO_LOCATION), ("DS", NO_LOCATION)]
        assert county["candidatePairs"] == 3
        assert EXHAUSTED not in [u["reason"] for u in county["unmatched"]]


ASSIGNED = Query("t_assigned", "MATCH (d:Demand)-[a:ASSIGNED_TO]->(o) "
                 "RETURN d.code AS demand, d.status AS status, o.code AS taker, "
                 "a.resource AS resource ORDER BY demand")


def test_dispatch_matches_writes_the_plan_shown(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        base = view(api, STREET_B)
        shown = api.gql(PLAN, **STREET_A)["matchPlan"]["assignments"]
        done = api.gql("mutation { dispatchMatches { assignments { demand resource taker } "
                       "dispatched } }", **STREET_A)["dispatchMatches"]
        assert done["assignments"] == [{k: a[k] for k in ("demand", "resource", "taker")}
                                       for a in shown]
        assert done["dispatched"] == ["DA"]
        assert store.read(ASSIGNED) == [
            {"demand": "DA", "status": "dispatched", "taker": "UA", "resource": "RA"}]
        assert last_audit(api)["mutation"] == "dispatchMatches"
        assert view(api, STREET_B) == base


def test_indicators_show_outside_posts_as_outside(store: BoltStore, tmp_path: Path) -> None:
    query = """query($keys: [String!]) { indicators(asOf: "2025-01-01", keys: $keys,
      itemLimit: 500) { indicators { key numerator denominator
        hits { label code name detail } gaps { label code name detail } } } }"""
    with serving(store, tmp_path) as api:
        rows = api.gql(query, {"keys": ["overloaded_people"]}, **STREET_A)
        over = rows["indicators"]["indicators"][0]
        assert (over["numerator"], over["denominator"]) == (1, 1)
        assert [(g["code"], g["name"]) for g in over["gaps"]] == [("PX", "Person-PX")]
        assert over["gaps"][0]["detail"]["posts"] == [
            {"label": "OwnersCommittee", "code": "OCA", "name": "OwnersCommittee-OCA",
             "role": "chair"},
            {"label": "PartyOrg", "code": "POA", "name": "PartyOrg-POA", "role": "secretary"},
            {"label": "PartyOrg", "code": OUTSIDE, "name": None, "role": "committee_member"}]
        county = api.gql(query, {"keys": ["overloaded_people"]}, **COUNTY)
        posts = county["indicators"]["indicators"][0]["gaps"][0]["detail"]["posts"]
        assert posts[2] == {"label": "PartyOrg", "code": "QB", "name": "PartyOrg-QB",
                            "role": "committee_member"}
        # every indicator and every gap list of street A
        names_nothing_hidden(api.gql(query, {"keys": None}, **STREET_A))
        names_nothing_hidden(api.gql('{ coverageGaps(asOf: "2025-01-01", itemLimit: 500) '
                                     "{ key items { code name detail } } }", **STREET_A))


NETWORK = """{ networkStructure(asOf: "2025-01-01", overloadThreshold: 2) { nodes edges
  isolatedOrgs { ...N } articulationPeople { ...N } bridges { ...N }
  overloaded { node { ...N } value } betweenness { node { ...N } value }
  cobuildingCommunities { ...N } } }
fragment N on NetworkNode { id label name }"""


def _ids(nodes: list[Any]) -> Any:
    """The ids of a network answer's nodes, nested as they come."""
    return [_ids(n) if isinstance(n, list) else n["id"] for n in nodes]


def test_network_structure_shows_outside_nodes_as_outside(store: BoltStore,
                                                          tmp_path: Path) -> None:
    """A's network reaches UB through PX's workplace: it is counted, not named."""
    with serving(store, tmp_path) as api:
        net = api.gql(NETWORK, **STREET_A)["networkStructure"]
        names_nothing_hidden(net)
        assert sorted(b["node"]["id"] for b in net["betweenness"]) == sorted(
            ["Person:PX", "Unit:UA", "Unit:US", OUTSIDE])
        assert {"id": OUTSIDE, "label": "Unit", "name": None} in [
            b["node"] for b in net["betweenness"]]
        assert _ids(net["articulationPeople"]) == ["Person:PX"]
        assert _ids(net["bridges"]) == [["OwnersCommittee:OCA", "Person:PX"],
                                        ["PartyOrg:POA", "Person:PX"]]
        assert net["overloaded"] == [{"node": {"id": "Person:PX", "label": "Person",
                                               "name": "Person-PX"}, "value": 2}]
        assert _ids(net["isolatedOrgs"]) == ["OwnersCommittee:OCS", "PartyOrg:POS"]
        county = api.gql(NETWORK, **COUNTY)["networkStructure"]
        assert "Unit:UB" in [b["node"]["id"] for b in county["betweenness"]]
        with pytest.raises(AssertionError):  # the check itself is not vacuous
            names_nothing_hidden(county)
        assert net["nodes"] == 18  # UB counted: figures stay as computed


def test_network_structure_checks_only_the_lists_asked_for(store: BoltStore,
                                                            tmp_path: Path) -> None:
    """Asked for betweenness alone, UB is still shown as outside; asked for figures only,
    no node is checked (A's network names people, committees, party orgs and units:
    one scope check per label when every list is asked for)."""
    with serving(store, tmp_path) as api:
        alone = api.gql('{ networkStructure(asOf: "2025-01-01") { betweenness '
                        '{ node { id } } } }', **STREET_A)["networkStructure"]
        assert sorted(b["node"]["id"] for b in alone["betweenness"]) == sorted(
            ["Person:PX", "Unit:UA", "Unit:US", OUTSIDE])
        api.gql(NETWORK, **STREET_A)  # the projection is read; the next two reuse it
        kept = answers_of(store, "reads")
        kept.clear()  # the scope checks are made again, not answered from api.kept
        before = store.round_trips
        api.gql(NETWORK, **STREET_A)
        every_list = store.round_trips - before
        kept.clear()
        before = store.round_trips
        api.gql('{ networkStructure(asOf: "2025-01-01") { nodes edges } }', **STREET_A)
        assert store.round_trips - before == every_list - 4


def test_redaction_of_a_detail() -> None:
    detail = {"committee": "OC9", "compound": "C1", "roles": ["chair"],
              "branch_posts": [{"org": "B9", "person": "P9", "name": "王五", "role": "secretary",
                                "member": True}],
              "posts": [{"label": "PartyOrg", "code": "B9", "name": "西支部", "role": "x"}],
              "new_key": "whatever"}
    assert set(detail_refs(detail)) == {("OwnersCommittee", "OC9"), ("Compound", "C1"),
                                        ("PartyOrg", "B9"), ("Person", "P9")}
    shown = redact_detail(detail, {("Compound", "C1"), ("PartyOrg", "B9")})
    assert shown == {"committee": OUTSIDE, "compound": "C1", "roles": ["chair"],
                     "branch_posts": [{"org": "B9", "person": OUTSIDE, "name": None,
                                       "role": "secretary", "member": True}],
                     "posts": [{"label": "PartyOrg", "code": "B9", "name": "西支部",
                                "role": "x"}],
                     "new_key": OUTSIDE}  # an unclassified key is never shown
    assert not set(DETAIL_LABELS) & DETAIL_PLAIN


def test_every_detail_key_is_classified(store: BoltStore, tmp_path: Path) -> None:
    """The keys the analyses put in a detail on the scope town, seen by the county."""
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    with serving(store, tmp_path) as api:
        baseline = graph_state(store)
        data = api.gql('{ indicators(asOf: "2025-01-01", itemLimit: 500) { indicators { '
                       "hits { detail } gaps { detail } } } }", **COUNTY)
        walk([i["detail"] for ind in data["indicators"]["indicators"]
              for i in ind["hits"] + ind["gaps"]])
        assert graph_state(store) == baseline
    assert keys and keys <= set(DETAIL_LABELS) | DETAIL_PLAIN, keys - set(DETAIL_LABELS) - \
        DETAIL_PLAIN
