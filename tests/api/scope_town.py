"""A two-street county for the scope tests: every label in three positions.

County K1; street SA → community MA, street SB → community MB; community MS lies in
both streets.  Most labels have a node in street A only (code ending in ``A``), in
street B only (``B``) and one shared by both (``S``), each placed there by its own
anchor (a person by the compound it lives in, a unit by its community, a firm by where
it sits ...).  ``WHERE`` says by hand which county, streets and communities each node
lies in: the tests derive what each caller may see and change from it, never from the
server.

Matching: compound CA lies at (30.0, 120.0); repair resource RA of unit UA 770 m east
of it, repair resource RB and legal resource RB2 of unit UB 193 m and 96 m east.
Demands DA (repair, urgency 3) and DA2 (legal, urgency 2) are raised in CA; DB and DS
(culture) in CB and CS, which have no location.  PX lives in CA, chairs owners'
committee OCA, is secretary of branch POA and committee member of B's party committee
QB, and works at UB (so PX is shared).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from apihelp import Api, api_settings, running

from api.graphql.reads import strawberry_name
from api.graphql.types import plural
from api.http.app import create_app
from graph.model import NODE_BY_LABEL
from graph.queries import DELETE_ALL
from graph.store import BoltStore, Query
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

_A = ({"K1"}, {"SA"}, {"MA"})
_B = ({"K1"}, {"SB"}, {"MB"})
_S = ({"K1"}, {"SA", "SB"}, {"MA", "MB"})
LEVELS = ("County", "Street", "Community")

# node code → (counties, streets, communities) it lies in, by hand
WHERE: dict[str, tuple[set[str], set[str], set[str]]] = {
    "K1": ({"K1"}, set(), set()),
    "SA": ({"K1"}, {"SA"}, set()), "SB": ({"K1"}, {"SB"}, set()),
    "MS": ({"K1"}, {"SA", "SB"}, {"MS"}),
    "PX": _S,
}
# (label, code) of every node
NODES: dict[str, str] = {"K1": "County", "SA": "Street", "SB": "Street",
                         "MS": "Community", "PX": "Person"}
for _label, _stem in (("Community", "M"), ("Grid", "G"), ("Compound", "C"), ("Building", "B"),
                      ("Household", "H"), ("PartyOrg", "PO"), ("PartyOrg", "Q"),
                      ("Unit", "U"), ("PropertyFirm", "F"), ("OwnersCommittee", "OC"),
                      ("SocialOrg", "SO"), ("VolunteerTeam", "VT"), ("Alliance", "AL"),
                      ("ServiceSite", "SS"), ("Person", "P"), ("Project", "J"),
                      ("Demand", "D"), ("Resource", "R"), ("Rating", "RT"),
                      ("DutyRecord", "DR")):
    for _pos, _where in (("A", _A), ("B", _B), ("S", _S)):
        if _label == "Community" and _pos == "S":
            continue  # MS, above
        NODES[_stem + _pos] = _label
        WHERE[_stem + _pos] = _where
for _code, _label, _where in (("GA2", "Grid", _A), ("GB2", "Grid", _B),
                              ("XA", "Compound", _A), ("XB", "Compound", _B),
                              ("DA2", "Demand", _A), ("RB2", "Resource", _B)):
    NODES[_code], WHERE[_code] = _label, _where


def gid(code: str) -> str:
    return f"{NODES[code]}:{code}"


def _props(label: str, code: str) -> dict[str, object]:
    extra: dict[str, dict[str, object]] = {
        "PartyOrg": {"kind": "community_party_committee" if code.startswith("Q")
                     else "compound_branch"},
        "Person": {"member_status": "in_service", "phone": "1380000" + f"{len(code):04d}"},
        "Demand": {"title": "需求" + code, "status": "open",
                   "created_at": "2025-01-02T09:00:00",
                   "category": {"DA": "repair", "DA2": "legal"}.get(code, "culture"),
                   "urgency": {"DA": 3, "DA2": 2}.get(code, 1)},
        "Resource": {"category": {"RB2": "legal"}.get(code, "repair"), "capacity": 1,
                     "radius_m": 1000.0},
        "Rating": {"date": "2025-01-01", "reason": "评价" + code},  # no stars, no list
        "DutyRecord": {"duty": "survey", "date": "2025-03-01"},
    }
    props = dict(extra.get(label, {}))
    if label not in ("Household", "Demand", "Rating", "DutyRecord"):
        props["name"] = f"{label}-{code}"
    return props


PLACES = {"CA": (30.0, 120.0), "RA": (30.0, 120.008), "RB": (30.0, 120.002),
          "RB2": (30.0, 120.001)}


def _both(rel: str, src_label: str, stem: str, tgt_label: str, a: str, b: str) -> list[R]:
    """``stem``A → a, ``stem``B → b, ``stem``S → a and b."""
    return [R(rel, src_label, stem + x, tgt_label, to)
            for x, to in (("A", a), ("B", b), ("S", a), ("S", b))]


def _each(rel: str, src_label: str, stem: str, tgt_label: str, tstem: str) -> list[R]:
    """``stem``X → ``tstem``X for X in A, B, S."""
    return [R(rel, src_label, stem + x, tgt_label, tstem + x) for x in "ABS"]


def scope_town() -> tuple[list[N], list[R]]:
    nodes = []
    for code, label in NODES.items():
        props = _props(label, code)
        if code in PLACES:
            props["lat"], props["lon"] = PLACES[code]
        nodes.append(N(label, code, props))
    rels = [
        R("PART_OF", "Street", "SA", "County", "K1"), R("PART_OF", "Street", "SB", "County", "K1"),
        R("PART_OF", "Community", "MA", "Street", "SA"),
        R("PART_OF", "Community", "MB", "Street", "SB"),
        R("PART_OF", "Community", "MS", "Street", "SA"),
        R("PART_OF", "Community", "MS", "Street", "SB"),
        R("PART_OF", "Grid", "GA2", "Community", "MA"),
        R("PART_OF", "Grid", "GB2", "Community", "MB"),
        *_both("PART_OF", "Grid", "G", "Community", "MA", "MB"),
        *_both("IN_GRID", "Compound", "C", "Grid", "GA", "GB"),
        R("IN_GRID", "Compound", "XA", "Grid", "GA"), R("IN_GRID", "Compound", "XB", "Grid", "GB"),
        *_each("PART_OF", "Building", "B", "Compound", "C"),
        *_each("PART_OF", "Household", "H", "Building", "B"),
        *_each("COVERS", "PartyOrg", "PO", "Compound", "C"),
        *_both("COVERS", "PartyOrg", "Q", "Community", "MA", "MB"),
        *_both("LOCATED_IN", "Unit", "U", "Community", "MA", "MB"),
        *_both("LOCATED_IN", "PropertyFirm", "F", "Community", "MA", "MB"),
        *_both("LOCATED_IN", "SocialOrg", "SO", "Community", "MA", "MB"),
        *_both("LOCATED_IN", "ServiceSite", "SS", "Community", "MA", "MB"),
        *_both("REPRESENTS", "OwnersCommittee", "OC", "Compound", "XA", "XB"),
        *_both("SERVES", "Project", "J", "Community", "MA", "MB"),
        *_each("LIVES_IN", "Person", "P", "Compound", "C"),
        *_each("MEMBER_OF", "Person", "P", "VolunteerTeam", "VT"),
        *_each("MEMBER_OF", "Unit", "U", "Alliance", "AL"),
        *_each("RAISED_IN", "Demand", "D", "Compound", "C"),
        R("RAISED_IN", "Demand", "DA2", "Compound", "CA"),
        *_each("OFFERS", "Unit", "U", "Resource", "R"),
        *_each("DUTY_OF", "DutyRecord", "DR", "Member", "P"),
        R("OFFERS", "Unit", "UB", "Resource", "RB2"),
        *_each("RATES", "Rating", "RT", "PropertyFirm", "F"),
        R("LIVES_IN", "Person", "PX", "Compound", "CA"),
        R("WORKS_AT", "Person", "PX", "Unit", "UB"),
        R("HOLDS_POST", "Person", "PX", "OwnersCommittee", "OCA",
          {"role": "chair", "since": "2021-01-01"}),
        R("HOLDS_POST", "Person", "PX", "PartyOrg", "POA",
          {"role": "secretary", "since": "2021-01-01"}),
        R("HOLDS_POST", "Person", "PX", "PartyOrg", "QB",
          {"role": "committee_member", "since": "2021-01-01"}),
    ]
    return nodes, rels


# ---- callers, and what a caller sees -------------------------------------------------

STREET_A = {"role": "street_staff", "scope": "SA", "subject": "staff-SA"}
COMMUNITY_A = {"role": "community_staff", "scope": "MA", "subject": "staff-MA"}
COUNTY = {"role": "county_admin", "scope": "K1", "subject": "admin-K1"}
STREET_B = {"role": "street_staff", "scope": "SB", "subject": "staff-SB"}
LEVEL = {"county_admin": "County", "street_staff": "Street", "community_staff": "Community"}


def lies_in(who: dict[str, str], code: str) -> set[str]:
    """The scopes of the caller's level that node ``code`` lies in (from WHERE)."""
    return WHERE[code][LEVELS.index(LEVEL[who["role"]])]


def visible(who: dict[str, str], code: str) -> bool:
    return who["scope"] in lies_in(who, code)


def exclusive(who: dict[str, str], code: str) -> bool:
    return lies_in(who, code) == {who["scope"]}


_PAGE = "first: 50, after: $after_{i}"


def view(api: Api, who: dict[str, str]) -> set[str]:
    """Every node id the caller can list through the root connections (one request per
    page round: all labels at once)."""
    fields = {label: strawberry_name(plural(label)) for label in NODE_BY_LABEL}
    after: dict[str, str | None] = dict.fromkeys(fields)
    seen: set[str] = set()
    pending = set(fields)
    while pending:
        labels = sorted(pending)
        variables = ", ".join(f"$after_{i}: String" for i in range(len(labels)))
        body = " ".join(
            f"c{i}: {fields[label]}({_PAGE.format(i=i)}) {{ pageInfo {{ hasNextPage endCursor }}"
            " edges { node { id } } }" for i, label in enumerate(labels))
        data = api.gql(f"query({variables}) {{ {body} }}",
                       {f"after_{i}": after[label] for i, label in enumerate(labels)}, **who)
        for i, label in enumerate(labels):
            page = data[f"c{i}"]
            seen.update(edge["node"]["id"] for edge in page["edges"])
            if page["pageInfo"]["hasNextPage"]:
                after[label] = page["pageInfo"]["endCursor"]
            else:
                pending.discard(label)
    return seen


def graph_state(store: BoltStore) -> tuple[list[str], list[str]]:
    """Everything in the store (nodes with labels and properties, relationships with
    ends and properties), sorted: equal states mean equal counts and contents."""
    nodes = store.read(Query("t_nodes", "MATCH (n) WHERE NOT n:JinlinWriteStamp "
                                        "RETURN labels(n) AS l, properties(n) AS p"))
    rels = store.read(Query("t_rels", "MATCH (a)-[r]->(b) RETURN type(r) AS t, a.code AS a, "
                                      "b.code AS b, properties(r) AS p"))
    return (sorted(json.dumps([sorted(r["l"]), r["p"]], sort_keys=True) for r in nodes),
            sorted(json.dumps([r["t"], r["a"], r["b"], r["p"]], sort_keys=True) for r in rels))


def last_audit(api: Api) -> dict[str, object]:
    line = api.audit.read_text(encoding="utf-8").splitlines()[-1]
    entry: dict[str, object] = json.loads(line)
    return entry


@contextmanager
def serving(store: BoltStore, tmp_path: Path, **settings: object) -> Iterator[Api]:
    """The API on the scope town (api_settings, with ``settings``: no rate limit; the
    tests send thousands of mutations from one token)."""
    store.write(DELETE_ALL)
    write_graph(store, *scope_town())
    with running(create_app(api_settings(tmp_path, **settings), store), store,
                 tmp_path) as client:
        yield client
