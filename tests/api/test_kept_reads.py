"""Answers kept until the store is written (api.kept), over HTTP on the scope town.

By hand (scope_town.py): four open demands, DA and DA2 in street A's compound CA, DB in
street B's CB, DS in CS, which lies in both streets.  So the county counts 4, street A 3,
street B 2.  A repeated count reads only the write stamp; any write, through the API or
in bulk, is counted by the very next request; callers of other scopes never share an
answer; ``projection_entries=0`` keeps nothing; a large answer is not kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scope_town import COUNTY, STREET_A, STREET_B, serving

from api import kept
from api.graphql import queries
from graph import lifecycle
from graph.store import BoltStore, Query
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

COUNT = "{ demands { totalCount } }"
PAGE = "{ demands(first: 10) { edges { node { code title } } } }"
RAISE = """mutation { raiseDemand(code: "DN", raisedIn: "Community:MA", raisedBy: "Person:PA",
  input: {title: "路灯", category: repair}) { errors { field message } } }"""


def _count(api: object, who: dict[str, str]) -> tuple[int, int]:
    """The caller's count of demands, and the store reads the request made."""
    before = api.store.round_trips  # type: ignore[attr-defined]
    n = api.gql(COUNT, **who)["demands"]["totalCount"]  # type: ignore[attr-defined]
    return n, api.store.round_trips - before  # type: ignore[attr-defined]


def test_a_repeated_count_reads_only_the_write_stamp(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        assert _count(api, COUNTY) == (4, 3)  # the caller's scope node, the stamp, the count
        assert _count(api, COUNTY) == (4, 1)


def test_scopes_never_share_an_answer(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        assert _count(api, COUNTY)[0] == 4
        assert _count(api, STREET_A)[0] == 3
        assert _count(api, STREET_B)[0] == 2
        assert [_count(api, w) for w in (COUNTY, STREET_A, STREET_B)] == [(4, 1), (3, 1), (2, 1)]


def test_a_write_is_counted_by_the_next_request(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path) as api:
        assert _count(api, STREET_A)[0] == 3 and _count(api, STREET_A) == (3, 1)
        assert api.gql(RAISE, **STREET_A)["raiseDemand"]["errors"] == []
        assert _count(api, STREET_A)[0] == 4
        assert _count(api, STREET_B)[0] == 2  # DN lies in street A only
        write_graph(store, [N("Demand", "DX", {"title": "x", "category": "legal"})],
                    [R("RAISED_IN", "Demand", "DX", "Compound", "CB")])  # a bulk write
        assert _count(api, STREET_B)[0] == 3
        assert _count(api, COUNTY)[0] == 6


COMPOUNDS = "{ compounds { totalCount } }"
RENAME = """mutation { updateCompound(code: "CA", input: {name: "新名"}) {
  errors { field message } } }"""


def _ask(api: object, query: str, who: dict[str, str]) -> tuple[int, int]:
    """The caller's count asked by ``query``, and the store reads the request made."""
    before = api.store.round_trips  # type: ignore[attr-defined]
    data = api.gql(query, **who)  # type: ignore[attr-defined]
    n = next(iter(data.values()))["totalCount"]
    return n, api.store.round_trips - before  # type: ignore[attr-defined]


def test_a_raised_demand_leaves_what_cannot_see_it_kept(store: BoltStore,
                                                       tmp_path: Path) -> None:
    """raiseDemand only creates (a demand, its RAISED_IN and RAISED_BY): the compounds'
    count cannot see any of it and stays kept; the demands' count is read again; a
    change to a compound moves every kept answer."""
    with serving(store, tmp_path) as api:
        compounds = _ask(api, COMPOUNDS, COUNTY)[0]
        assert _ask(api, COMPOUNDS, COUNTY) == (compounds, 1)  # the stamp only
        assert _ask(api, COUNT, COUNTY) == (4, 1 + 1)
        assert api.gql(RAISE, **STREET_A)["raiseDemand"]["errors"] == []
        assert _ask(api, COMPOUNDS, COUNTY) == (compounds, 1)  # still kept
        assert _ask(api, COUNT, COUNTY) == (5, 1 + 1)  # read again: it sees demands
        assert api.gql(RENAME, **COUNTY)["updateCompound"]["errors"] == []
        assert _ask(api, COMPOUNDS, COUNTY) == (compounds, 1 + 1)  # a change: read again
        assert _ask(api, COUNT, COUNTY) == (5, 1 + 1)


RETITLE = """mutation { updateDemand(code: "DA", input: {title: "新标题"}) {
  errors { field message } } }"""


def test_a_changed_demand_sends_back_only_what_can_see_demands(store: BoltStore,
                                                              tmp_path: Path) -> None:
    """updateDemand changes a demand that existed (graph.changed): reads naming Demand,
    or a type that can touch one (RAISED_IN, RAISED_BY, ASSIGNED_TO, ABOUT), are read
    again and show the change; the compounds' count names none of them and stays kept."""
    with serving(store, tmp_path) as api:
        compounds = _ask(api, COMPOUNDS, COUNTY)[0]
        titles = {e["node"]["code"]: e["node"]["title"]
                  for e in api.gql(PAGE, **COUNTY)["demands"]["edges"]}
        assert api.gql(RETITLE, **COUNTY)["updateDemand"]["errors"] == []
        assert _ask(api, COMPOUNDS, COUNTY) == (compounds, 1)  # still kept: the stamp only
        before = api.store.round_trips
        page = api.gql(PAGE, **COUNTY)["demands"]["edges"]
        assert api.store.round_trips - before > 1  # read again
        assert {e["node"]["code"]: e["node"]["title"] for e in page} == {**titles, "DA": "新标题"}


def test_kept_rows_are_copies(store: BoltStore, tmp_path: Path) -> None:
    """What one reader does to its rows cannot change what the next one is answered."""
    with serving(store, tmp_path):
        seen, query = kept.Seen(), queries.exists("Compound")
        first = kept.read(store, seen, True, query, {"code": "CA"})
        assert first[0]["props"]["code"] == "CA"
        first[0]["props"].clear()
        first[0].clear()
        before = store.round_trips
        again = kept.read(store, seen, True, query, {"code": "CA"})
        assert store.round_trips == before  # kept, and the stamp known to this reader
        assert again[0]["props"]["code"] == "CA"


def test_nothing_kept_when_projections_are_off(store: BoltStore, tmp_path: Path) -> None:
    with serving(store, tmp_path, projection_entries=0) as api:
        assert _count(api, COUNTY) == (4, 2)  # the caller's scope node, the count
        assert _count(api, COUNTY) == (4, 1)


def test_a_large_answer_is_not_kept(store: BoltStore, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept, "ROWS", 0)  # every answer is "large"
    with serving(store, tmp_path) as api:
        assert _count(api, COUNTY) == (4, 3)
        assert _count(api, COUNTY) == (4, 2)  # the stamp again: another request


def test_a_long_lived_reader_reads_the_stamp_again(store: BoltStore) -> None:
    """A subscription's context lives for hours: its view of the generation ages out."""
    seen = kept.Seen()
    seen.now(store)
    before = store.round_trips
    seen.now(store)
    assert store.round_trips == before
    seen.MAX_AGE = -1.0  # every view is too old
    seen.now(store)
    assert store.round_trips == before + 1


CARDS = """query($codes: [String!]) { demands(first: 10, filter: {codes: $codes}) {
  edges { node { code raisedInCompound(first: 1) { code inGrid(first: 1) { code } } } } } }"""


def _cards(api: object, codes: list[str]) -> tuple[dict[str, list[str]], list[list[str]]]:
    """Each demand's compound and its grid, and the codes of each relationship batch the
    request read."""
    batches: list[list[str]] = []
    store, read = api.store, api.store.read  # type: ignore[attr-defined]

    def logged(query: Query, **params: object) -> object:
        if query.name.startswith("rel_"):
            batches.append(list(params["codes"]))  # type: ignore[call-overload]
        return read(query, **params)

    store.read = logged
    try:
        edges = api.gql(CARDS, {"codes": codes}, **COUNTY)["demands"]["edges"]  # type: ignore[attr-defined]
    finally:
        del store.read
    return {e["node"]["code"]: [c["code"] for c in e["node"]["raisedInCompound"]]
            + [g["code"] for c in e["node"]["raisedInCompound"] for g in c["inGrid"]]
            for e in edges}, batches


def test_relationship_batches_are_kept_per_code(store: BoltStore, tmp_path: Path) -> None:
    """A batch of a relationship field is kept per parent: DA's compound and grid, read in
    a batch with DB's, are not read again for a batch of DA alone.  A write of demands
    only (a raise, a step, an edit through the API) sends back the rows of the demands it
    wrote only; any other write that can be seen, everyone's: a demand edited by a
    statement that says not where, and a renamed compound (all the demands' compounds;
    the grids too, this time, since the compound is the grids' parent)."""
    with serving(store, tmp_path) as api:
        assert _cards(api, ["DA", "DB"]) == ({"DA": ["CA", "GA"], "DB": ["CB", "GB"]},
                                             [["DA", "DB"], ["CA", "CB"]])
        assert _cards(api, ["DA"]) == ({"DA": ["CA", "GA"]}, [])
        assert api.gql(RAISE, **STREET_A)["raiseDemand"]["errors"] == []
        assert _cards(api, ["DA", "DN", "DB"]) == (
            {"DA": ["CA", "GA"], "DN": [], "DB": ["CB", "GB"]}, [["DN"]])
        store.write(lifecycle.transition_query(lifecycle.UNGUARDED), code="DB",
                    props={"status": "dispatched"}, **{"from": "open"})
        assert _cards(api, ["DA", "DB"])[1] == [["DB"]]
        assert api.gql(RETITLE, **COUNTY)["updateDemand"]["errors"] == []
        assert _cards(api, ["DA", "DB"])[1] == [["DA"]]
        store.write(Query("t_retitle", "MATCH (d:Demand {code: 'DB'}) SET d.title = 'z'"))
        assert _cards(api, ["DA", "DB"])[1] == [["DA", "DB"]]  # a write that says not where
        assert api.gql(RENAME, **COUNTY)["updateCompound"]["errors"] == []
        assert _cards(api, ["DA", "DB"])[1] == [["DA", "DB"], ["CA", "CB"]]


def test_demands_are_kept_apart_only_while_no_scope_path_crosses_one(
        store: BoltStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Were an anchor of another label to follow a type that touches a demand, a step
    of DB could change what DA's rows hold: the batches then go by names alone."""
    assert kept.DEMANDS_APART  # the model as it is
    monkeypatch.setattr(kept, "DEMANDS_APART", False)
    with serving(store, tmp_path) as api:
        _cards(api, ["DA", "DB"])
        store.write(lifecycle.transition_query(lifecycle.UNGUARDED), code="DB",
                    props={"status": "dispatched"}, **{"from": "open"})
        assert _cards(api, ["DA", "DB"])[1] == [["DA", "DB"]]


def test_answers_kept_per_code_are_bounded_by_their_rows() -> None:
    """At most ``entries`` answers and ``rows`` rows in all, the least recently used
    going first; an answer larger than all of it is not kept."""
    answers = kept.Answers(3, rows=4)
    answers.put("x", 0, [1, 2])
    answers.put("y", 0, [3, 4])
    assert answers.get("x", 0) == [1, 2]  # x is now the most recently used
    answers.put("z", 0, [5])  # 5 rows: y goes
    assert [answers.get(k, 0) for k in "xyz"] == [[1, 2], None, [5]]
    answers.put("w", 0, [1, 2, 3, 4, 5])  # more than the whole budget: not kept
    assert [answers.get(k, 0) for k in "wxz"] == [None, [1, 2], [5]]
    answers.put("x", 1, [])  # replaced: its rows no longer count
    answers.put("p", 0, [6, 7, 8])
    assert [answers.get(k, at) for k, at in (("x", 1), ("z", 0), ("p", 0))] == [[], [5], [6, 7, 8]]
    answers.put("q", 0, [])  # a fourth answer: the least recently used (x) goes
    assert [answers.get(k, at) for k, at in (("x", 1), ("z", 0), ("p", 0), ("q", 0))] == [
        None, [5], [6, 7, 8], []]
