"""Ratings and the red/black list (graph.ratings): history kept, and a firm's current
``stars`` / ``list_status`` derived from its latest rating in the writing transaction,
whoever writes it (a ledger import here; the API in tests/api/test_ratings_api.py)."""

from __future__ import annotations

from graph import ratings
from graph.store import BoltStore, Query
from graph.writer import NodeRecord, RelRecord, write_graph

FIRM = Query("t_firm_status", "MATCH (f:PropertyFirm {code: 'F1'}) "
             "RETURN f.stars AS stars, f.list_status AS list_status")
HISTORY = Query("t_rating_history", "MATCH (r:Rating)-[:RATES]->(f:PropertyFirm {code: 'F1'}) "
                "RETURN r.code AS code ORDER BY code")


def _rating(code: str, date: str, **props: object) -> tuple[NodeRecord, RelRecord]:
    return (NodeRecord("Rating", code, {"date": date, **props}),
            RelRecord("RATES", "Rating", code, "PropertyFirm", "F1"))


def _write(store: BoltStore, *pairs: tuple[NodeRecord, RelRecord]) -> None:
    write_graph(store, [p[0] for p in pairs], [p[1] for p in pairs])


def test_current_takes_each_property_from_the_latest_rating_that_gives_it() -> None:
    rows = [{"code": "R2", "date": "2026-02-01", "stars": None, "list_status": "black"},
            {"code": "R1", "date": "2026-01-01", "stars": 4, "list_status": "red"},
            {"code": "R3", "date": "2026-02-01", "stars": 2, "list_status": None}]
    # latest first by date, then by code on the same day: R3 gives stars, R2 the list
    assert ratings.current(rows) == {"stars": 2, "list_status": "black"}
    assert ratings.current([]) == {}


def test_two_ratings_keep_both_and_the_firm_shows_the_latest(store: BoltStore) -> None:
    write_graph(store, [NodeRecord("PropertyFirm", "F1", {"name": "红管家物业", "stars": 3})],
                [])
    _write(store, _rating("R1", "2026-01-10", stars=5, list_status="red", reason="服务好"))
    assert store.read(FIRM) == [{"stars": 5, "list_status": "red"}]
    # an older rating imported later does not override the newer one
    _write(store, _rating("R0", "2025-06-01", stars=1, list_status="black"))
    assert store.read(FIRM) == [{"stars": 5, "list_status": "red"}]
    _write(store, _rating("R2", "2026-03-01", stars=2, list_status="black",
                          reason="拖欠维修", evidence="https://example.org/notice/7"))
    assert store.read(FIRM) == [{"stars": 2, "list_status": "black"}]
    assert [r["code"] for r in store.read(HISTORY)] == ["R0", "R1", "R2"]  # all kept
    # a later rating giving only stars leaves the list as the last one that gave it
    _write(store, _rating("R3", "2026-04-01", stars=3))
    assert store.read(FIRM) == [{"stars": 3, "list_status": "black"}]


def test_a_unit_rating_is_history_only(store: BoltStore) -> None:
    write_graph(store, [NodeRecord("Unit", "U1", {"name": "县医院"}),
                        NodeRecord("Rating", "R9", {"date": "2026-01-01", "stars": 4})],
                [RelRecord("RATES", "Rating", "R9", "Unit", "U1")])
    row = store.read(Query("t_unit_rating", "MATCH (r:Rating)-[:RATES]->(u:Unit) "
                           "RETURN r.code AS r, u.code AS u, u.stars AS stars"))
    assert row == [{"r": "R9", "u": "U1", "stars": None}]


def test_a_firm_written_again_keeps_the_status_of_its_ratings(store: BoltStore) -> None:
    write_graph(store, [NodeRecord("PropertyFirm", "F1", {"name": "红管家物业"})], [])
    _write(store, _rating("R1", "2026-01-10", stars=1, list_status="black"))
    # a firm ledger re-imported with an old status column: the ratings decide
    write_graph(store, [NodeRecord("PropertyFirm", "F1", {"name": "红管家物业", "stars": 5,
                                                         "list_status": "red"})], [])
    assert store.read(FIRM) == [{"stars": 1, "list_status": "black"}]
    # a firm without ratings keeps what its ledger says
    write_graph(store, [NodeRecord("PropertyFirm", "F2", {"name": "西城物业", "stars": 4})], [])
    assert store.read(Query("t_f2", "MATCH (f:PropertyFirm {code: 'F2'}) "
                                    "RETURN f.stars AS stars")) == [{"stars": 4}]
