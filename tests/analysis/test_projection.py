"""The analytic projection (analysis.projection): equal to the store path, never stale.

Equality on the hand-built graphs of the other analysis tests (the indicator town at
two dates and every scope level, the matching city, the network street); freshness
after a write through the store, after ``graph.writer.write_graph`` (as ``jinlin load``
does), and after a bulk write by *another* process (this process's write counter held
still: only the database's stamp can tell).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from analysis_builder import G
from analysis_town import town
from test_matching import city
from test_network import street

from analysis import projection
from analysis.gaps import gaps_from
from analysis.indicators import Options, compute_indicators
from analysis.matching import match_demands
from analysis.network import build_network, network_report
from graph import store as store_module
from graph.store import BoltStore, Query
from graph.writer import write_graph

NOW, THEN = "2025-01-01", "2022-06-01"
SCOPES = [("County", "K"), ("Street", "S1"), ("Community", "M1"), ("Grid", "G2"),
          ("Compound", "C2")]


@pytest.fixture
def fresh() -> Iterator[projection.Projections]:
    """The shared projections, emptied before and after (tests share the store)."""
    kept = projection.shared()
    kept.clear()
    yield kept
    kept.clear()


def closure(store: BoltStore, as_of: str = NOW) -> tuple[float, float]:
    ind = projection.indicators(store, "County", "K", as_of).get("demand_closure")
    return ind.numerator, ind.denominator


@pytest.mark.parametrize("as_of", [NOW, THEN])
def test_indicators_and_gaps_equal_the_store_path(store: BoltStore, fresh: projection.Projections,
                                                  as_of: str) -> None:
    town().write(store)
    for label, code in SCOPES:
        for options in (Options(), Options(overload_threshold=2, walk_m=2500.0)):
            direct = compute_indicators(store, label, code, as_of, options)
            projected = projection.indicators(store, label, code, as_of, options)
            assert projected == direct, (label, code)
            assert gaps_from(projected, options.walk_m) == gaps_from(direct, options.walk_m)
    # ten scope/option pairs, five scopes: one read of each scope, the rest from memory
    assert fresh.builds == len(SCOPES)


def test_match_plans_equal_the_store_path(store: BoltStore, fresh: projection.Projections) -> None:
    city().write(store)
    for kw in ({}, {"radius": 300.0}, {"radius": 2000.0, "k": 1}):
        assert projection.match_demands(store, "County", "K", **kw) == \
            match_demands(store, "County", "K", **kw)
    plan = projection.match_demands(store, "Community", "M", admit=lambda rows: [
        r for r in rows if r["code"] != "R1"])
    assert plan == match_demands(store, "Community", "M", admit=lambda rows: [
        r for r in rows if r["code"] != "R1"])
    assert {a.resource for a in plan.assignments} == {"R2", "R3"}


def test_networks_equal_the_store_path(store: BoltStore, fresh: projection.Projections) -> None:
    street().write(store)
    for threshold in (2, 3):
        assert projection.network_report(store, "Street", "S", threshold=threshold) == \
            network_report(store, "Street", "S", threshold=threshold)
    graph = projection.network_graph(store, "Street", "S")
    direct = build_network(store, "Street", "S")
    assert sorted(graph.nodes(data=True)) == sorted(direct.nodes(data=True))
    assert sorted(map(sorted, graph.edges)) == sorted(map(sorted, direct.edges))



def new_demand() -> G:
    """DX, done, raised in the town's compound C1 (written on its own, as a load would)."""
    g = G()
    g.labels["C1"] = "Compound"
    return g.node("Demand", "DX", title="新需求", status="done", urgency=1,
                  created_at="2024-12-01T08:00:00", done_at="2024-12-02T08:00:00") \
        .rel("DX", "RAISED_IN", "C1")


SET_OPEN = Query("t_reopen", "MATCH (d:Demand {code: $code}) SET d.status = 'open'")


def test_a_write_through_the_store_is_seen_at_once(store: BoltStore,
                                                   fresh: projection.Projections) -> None:
    town().write(store)
    # D1, D2 done of D1-D4 and D6 raised by 2025-01-01 (D5 comes later)
    assert closure(store) == (2, 5)
    assert closure(store) == (2, 5) and fresh.builds == 1  # warm: from memory
    write_graph(store, new_demand().nodes, new_demand().rels)  # as jinlin load writes
    assert closure(store) == (3, 6)
    store.write(SET_OPEN, code="DX")  # one statement, as a mutation sends
    assert closure(store) == (2, 6)
    direct = compute_indicators(store, "County", "K", NOW).get("demand_closure")
    assert (direct.numerator, direct.denominator) == (2, 6)
    assert fresh.builds == 3


def test_a_bulk_write_by_another_process_is_seen(store: BoltStore,
                                                 fresh: projection.Projections,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    town().write(store)
    assert closure(store) == (2, 5)
    # Another process's write: this one's counter does not move; its stamp does.
    monkeypatch.setattr(store_module._WRITES, "bump", lambda *created: None)
    write_graph(store, new_demand().nodes, new_demand().rels)
    assert closure(store) == (3, 6)
    assert fresh.builds == 2


def test_entries_are_bounded(store: BoltStore) -> None:
    town().write(store)
    kept = projection.Projections(entries=2)
    for label, code in SCOPES[:3]:
        kept.get(store, label, code, NOW)
    kept.get(store, "County", "K", NOW)  # the oldest was dropped: read again
    assert kept.builds == 4
    kept.get(store, "Community", "M1", NOW)  # still kept
    assert kept.builds == 4
    off = projection.Projections(entries=0)
    off.get(store, "County", "K", NOW)
    off.get(store, "County", "K", NOW)
    assert off.builds == 2
