"""The analytic projection (analysis.projection): equal to the store path, never stale.

Equality on the hand-built graphs of the other analysis tests (the indicator town at
two dates and every scope level, the matching city, the network street); freshness
after a write through the store, after ``graph.writer.write_graph`` (as ``jinlin load``
does), and after a bulk write by *another* process (this process's write counter held
still: only the database's stamp can tell).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator

import pytest
from analysis_builder import G
from analysis_town import town
from test_matching import city
from test_network import street

from analysis import projection
from analysis import queries as aq
from analysis.gaps import gaps_from
from analysis.indicators import Options, compute_indicators
from analysis.matching import match_demands
from analysis.network import build_network, network_report
from analysis.whistle import whistles_query
from graph import lifecycle
from graph import store as store_module
from graph.store import BoltStore, Query
from graph.writer import NodeRecord, RelRecord, write_graph

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


def test_matching_reads_the_resources_again_after_they_change(
        store: BoltStore, fresh: projection.Projections) -> None:
    city().write(store)
    plan = projection.match_demands(store, "County", "K")
    # R3 (elder care, capacity 1) serves D3 (urgency 5) before D4 (urgency 1)
    assert {a.demand: a.resource for a in plan.assignments} == {
        "D1": "R2", "D2": "R1", "D3": "R3"}
    store.write(Query("t_capacity", "MATCH (r:Resource {code: $r}) SET r.capacity = 2"),
                r="R3")
    plan = projection.match_demands(store, "County", "K")
    assert {a.demand: a.resource for a in plan.assignments} == {
        "D1": "R2", "D2": "R1", "D3": "R3", "D4": "R3"}
    assert plan == match_demands(store, "County", "K")
    assert fresh.builds == 1  # the scope's rows were not read again


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
    # the load stamped the database: read again whole; the statement moved the demands
    assert (fresh.builds, fresh.refreshes) == (2, 1)


def figure(store: BoltStore, key: str) -> tuple[float, float]:
    ind = projection.indicators(store, "County", "K", NOW).get(key)
    return ind.numerator, ind.denominator


def run(store: BoltStore, cypher: str, **params: str) -> None:
    store.write(Query("t_write", cypher), **params)


def test_a_demand_step_reads_only_the_demands_again(store: BoltStore,
                                                    fresh: projection.Projections) -> None:
    town().write(store)
    graph = projection.network_graph(store, "County", "K", NOW)
    assert closure(store) == (2, 5)  # D1, D2 done of D1-D4, D6
    [places] = fresh.get(store, "County", "K", NOW).places_figures.values()
    run(store, "MATCH (d:Demand {code: $code}) SET d.status = 'open'", code="D1")
    # the network neither was read again nor asked for the demands
    assert projection.network_graph(store, "County", "K", NOW) is graph
    assert (fresh.builds, fresh.refreshes) == (1, 0)
    assert closure(store) == (1, 5)
    assert (fresh.builds, fresh.refreshes) == (1, 1)  # the places were not read again
    [again] = fresh.get(store, "County", "K", NOW).places_figures.values()
    assert again is places  # nor their figures computed again
    assert closure(store) == (1, 5) and fresh.refreshes == 1  # warm again


def test_figures_of_places_alone_do_not_wait_for_a_demand_step(
        store: BoltStore, fresh: projection.Projections) -> None:
    town().write(store)
    gaps = frozenset({"three_no_compounds", "service_circle"})  # as the map asks
    whole = projection.indicators(store, "County", "K", NOW)
    run(store, "MATCH (d:Demand {code: $code}) SET d.status = 'open'", code="D1")
    only = projection.indicators(store, "County", "K", NOW, keys=gaps)
    assert fresh.refreshes == 0  # the demands were not read again for them
    assert "demand_closure" not in {i.key for i in only.indicators}
    for key in gaps:
        assert only.get(key) == whole.get(key)
    # a key the place figures lack (or none) asks for the whole report, demands read again
    mixed = projection.indicators(store, "County", "K", NOW, keys=gaps | {"demand_closure"})
    assert fresh.refreshes == 1
    closed = mixed.get("demand_closure")
    assert (closed.numerator, closed.denominator) == (1, 5)
    assert projection.indicators(store, "County", "K", NOW) is mixed


LATER = "2025-06-01"
STREETS_AND_COUNTY = (("Street", "S1"), ("Street", "S2"), ("County", "K"))


def closures_at(store: BoltStore, as_of: str) -> list[tuple[float, float]]:
    """Demand closure of S1, S2 and K at ``as_of``, from the projection."""
    found = [projection.indicators(store, label, code, as_of).get("demand_closure")
             for label, code in STREETS_AND_COUNTY]
    return [(ind.numerator, ind.denominator) for ind in found]


def step(store: BoltStore, name: str, demand: str, at: str, **given: object) -> None:
    move = lifecycle.STEPS[name]
    assert store.transaction(lambda tx: lifecycle.transit(
        tx, move, demand, lifecycle.changes(move, at, given)))


def test_demand_only_writes_read_again_only_the_places_they_name(
        store: BoltStore, fresh: projection.Projections) -> None:
    """D4 (dispatched, raised in C1 of street S1) accepted, then moved to C4 (of street
    S2) as the API writes a move: each kept scope reads again only the demands of C1
    and C4, and every figure equals the store path's.  At 2025-06-01 S1 has D1, D2 closed
    of D1-D4, D6; S2 has D5 (open)."""
    town().write(store)
    later, scopes = LATER, STREETS_AND_COUNTY

    def closures() -> list[tuple[float, float]]:
        return closures_at(store, later)

    def patched() -> list[tuple[int, int]]:
        kept = [fresh.get(store, label, code, later) for label, code in scopes]
        return [(p.refreshes, p.patches) for p in kept]

    def the_store_path() -> None:
        for label, code in scopes:
            assert projection.indicators(store, label, code, later) == compute_indicators(
                store, label, code, later), f"{label}:{code}"

    assert closures() == [(2, 5), (0, 1), (2, 6)]
    step(store, "accept", "D4", "2025-05-01T08:00:00")
    step(store, "complete", "D4", "2025-05-02T08:00:00")
    assert closures() == [(3, 5), (0, 1), (3, 6)]
    assert patched() == [(1, 1), (0, 0), (1, 1)]
    write_graph(store, [], [RelRecord("RAISED_IN", "Demand", "D4", "Compound", "C4")],
                stamp=False)  # the move: its old place's areas and its new place's
    assert closures() == [(2, 4), (1, 2), (3, 6)]
    assert patched() == [(2, 2), (1, 1), (2, 2)] and fresh.builds == 3
    the_store_path()
    # a write that does not say where: every scope reads its demands again whole
    run(store, "MATCH (d:Demand {code: $code}) SET d.status = 'done'", code="D5")
    assert closures() == [(2, 4), (2, 2), (4, 6)]
    assert patched() == [(3, 2), (2, 1), (3, 2)]
    the_store_path()


def test_demands_are_read_again_whole_once_the_writes_since_are_not_logged(
        store: BoltStore, fresh: projection.Projections, monkeypatch: pytest.MonkeyPatch
) -> None:
    town().write(store)
    monkeypatch.setattr(store_module._WRITES, "_log", deque(maxlen=1))
    assert closure(store) == (2, 5)
    step(store, "accept", "D4", NOW + "T08:00:00")
    step(store, "complete", "D4", NOW + "T09:00:00")  # two writes: one is logged
    assert closure(store) == (3, 5)
    kept = fresh.get(store, "County", "K", NOW)
    assert (kept.refreshes, kept.patches) == (1, 0)
    step(store, "review", "D4", NOW + "T10:00:00", satisfaction=5)  # one write: logged
    assert closure(store) == (3, 5)
    assert (kept.refreshes, kept.patches) == (2, 1)


def test_a_demand_step_reads_again_only_the_demands_of_the_areas_it_lies_under(
        store: BoltStore, fresh: projection.Projections) -> None:
    """At 2025-06-01: street S1 has D1, D2 closed of D1-D4, D6; street S2 has D5 (open)."""
    town().write(store)
    later = "2025-06-01"

    def closure_of(label: str, code: str) -> tuple[float, float]:
        ind = projection.indicators(store, label, code, later).get("demand_closure")
        return ind.numerator, ind.denominator

    def refreshes(label: str, code: str) -> int:
        return fresh.get(store, label, code, later).refreshes

    assert [closure_of(*s) for s in (("Street", "S1"), ("Street", "S2"), ("County", "K"))] == [
        (2, 5), (0, 1), (2, 6)]
    for step in ("accept", "complete"):  # D4, raised in C1 of S1: dispatched → done
        move = lifecycle.STEPS[step]
        assert store.transaction(lambda tx, move=move: lifecycle.transit(
            tx, move, "D4", lifecycle.changes(move, "2025-05-01T08:00:00", {})))
    assert [closure_of(*s) for s in (("Street", "S1"), ("Street", "S2"), ("County", "K"))] == [
        (3, 5), (0, 1), (3, 6)]
    assert [refreshes(*s) for s in (("Street", "S1"), ("Street", "S2"), ("County", "K"))] == [
        1, 0, 1]  # S2's demands were not read again; S1's and K's once for both steps
    assert fresh.builds == 3
    for label, code in (("Street", "S1"), ("Street", "S2"), ("County", "K")):
        direct = compute_indicators(store, label, code, later).get("demand_closure")
        assert (direct.numerator, direct.denominator) == closure_of(label, code)
    run(store, "MATCH (d:Demand {code: $code}) SET d.status = 'done'", code="D5")  # says not where
    assert closure_of("Street", "S2") == (1, 1) and refreshes("Street", "S2") == 1


def test_a_demand_raised_as_the_api_writes_it_is_read_again_only_where_it_lies(
        store: BoltStore, fresh: projection.Projections) -> None:
    """D9 raised in C4 (street S2, open) and edited there, written as a mutation writes
    (graph.writer without the stamp): S1's demands are not read again, S2's and K's are.
    At 2025-06-01 S1 has 2 of 5 demands closed, S2 0 of 1, K 2 of 6."""
    town().write(store)
    later, scopes = LATER, STREETS_AND_COUNTY

    def closures() -> list[tuple[float, float]]:
        return closures_at(store, later)

    def refreshes() -> list[int]:
        return [fresh.get(store, label, code, later).refreshes for label, code in scopes]

    assert closures() == [(2, 5), (0, 1), (2, 6)]
    demand = {"title": "t", "category": "repair", "urgency": 3, "status": "done",
              "created_at": "2025-05-01T08:00:00", "done_at": "2025-05-02T08:00:00"}
    write_graph(store, [NodeRecord("Demand", "D9", demand)],
                [RelRecord("RAISED_IN", "Demand", "D9", "Compound", "C4"),
                 RelRecord("RAISED_BY", "Demand", "D9", "Person", "P1")], new=True, stamp=False)
    assert closures() == [(2, 5), (1, 2), (3, 7)]
    assert refreshes() == [0, 1, 1]
    write_graph(store, [NodeRecord("Demand", "D9", {"urgency": 5})], [], stamp=False)
    assert closures() == [(2, 5), (1, 2), (3, 7)] and refreshes() == [0, 2, 2]
    for (label, code), (numerator, denominator) in zip(scopes, closures(), strict=True):
        direct = compute_indicators(store, label, code, later).get("demand_closure")
        assert (direct.numerator, direct.denominator) == (numerator, denominator)
    # a bulk write (jinlin load: the stamp) is seen everywhere
    write_graph(store, [NodeRecord("Demand", "D9", {"urgency": 4})], [])
    assert closures() == [(2, 5), (1, 2), (3, 7)] and fresh.builds == 6


MOVE_C1 = Query("t_move_c1", "MATCH (c:Compound {code: 'C1'})-[r:IN_GRID]->(:Grid {code: 'G1'}) "
                             "DELETE r WITH c MATCH (g:Grid {code: 'G3'}) "
                             "CREATE (c)-[:IN_GRID]->(g)")


def test_a_step_under_way_while_its_compound_moves_is_not_missed(
        store: BoltStore, fresh: projection.Projections) -> None:
    """D4 (dispatched, in C1 of street S1) is accepted by a transaction whose statement
    has named its areas (C1, G1, M1, S1, K) but which has not committed when C1 moves to
    G3, of street S2, and S2's demands are read (D4 still dispatched).  Once the step
    commits, S2's entry must not trust that read: the step named S1, not S2."""
    town().write(store)
    scopes = (("Street", "S2"), ("Grid", "G3"), ("County", "K"))
    for label, code in scopes:
        projection.indicators(store, label, code, NOW)
    named, go = threading.Event(), threading.Event()

    def accept(tx: store_module.Transaction) -> bool:
        move = lifecycle.STEPS["accept"]
        done = lifecycle.transit(tx, move, "D4", lifecycle.changes(move, NOW + "T08:00:00", {}))
        named.set()
        go.wait(10)
        return done

    stepping = threading.Thread(target=store.transaction, args=(accept,))
    stepping.start()
    try:
        assert named.wait(10)
        store.write(MOVE_C1)
        closure = projection.indicators(store, "Street", "S2", NOW).get("demand_closure")
        assert {i.code: i.detail["status"] for i in closure.hits + closure.gaps}["D4"] == (
            "dispatched")  # read while the step was under way
    finally:
        go.set()
        stepping.join(20)
    for label, code in scopes:
        assert projection.indicators(store, label, code, NOW) == compute_indicators(
            store, label, code, NOW), f"{label}:{code}"


def test_a_report_reads_the_places_again_and_keeps_the_network(
        store: BoltStore, fresh: projection.Projections) -> None:
    town().write(store)
    graph = projection.network_graph(store, "County", "K", NOW)
    # P1 reported to M1 (home); P3 to M2, not home; P10 only in 2025-06 → 1/3
    assert figure(store, "dual_reporting_rate") == (1, 3)
    run(store, "MATCH (:Person {code: $p})-[r:REPORTED_TO]->() SET r.date = '2024-06-01'",
        p="P10")
    assert figure(store, "dual_reporting_rate") == (2, 3)  # P10 lives in C4, of M2
    assert fresh.builds == 2
    assert projection.network_graph(store, "County", "K", NOW) is graph  # no REPORTED_TO in it


def test_a_post_ended_reads_the_places_and_the_network_again(
        store: BoltStore, fresh: projection.Projections) -> None:
    town().write(store)
    graph = projection.network_graph(store, "County", "K", NOW)
    assert graph.has_edge(("Person", "P1"), ("OwnersCommittee", "OC1"))
    # OC1 = {P1 chair, P2, P3, P8}; P1 alone also sits on branch B1 → 1/4
    assert figure(store, "cross_posting_ratio") == (1, 4)
    run(store, "MATCH (:Person {code: $p})-[r:HOLDS_POST]->(:OwnersCommittee {code: $o}) "
        "SET r.until = '2024-06-30'", p="P1", o="OC1")
    assert figure(store, "cross_posting_ratio") == (0, 3)
    assert fresh.builds == 2
    again = projection.network_graph(store, "County", "K", NOW)
    assert again is not graph
    assert not again.has_edge(("Person", "P1"), ("OwnersCommittee", "OC1"))


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


def test_a_warm_match_does_not_wait_for_a_network_analysis(
        store: BoltStore, fresh: projection.Projections, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The network's measures run outside the entry's lock (seconds on a county):
    matching the same scope meanwhile answers at once."""
    city().write(store)
    expected = projection.match_demands(store, "County", "K")  # warm
    started, release = threading.Event(), threading.Event()
    real = projection.analyse

    def held(*args: object, **kw: object) -> object:
        started.set()
        release.wait(60)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(projection, "analyse", held)
    measuring = threading.Thread(target=projection.network_report,
                                 args=(store, "County", "K"))
    measuring.start()
    try:
        assert started.wait(60)
        got: list[object] = []
        matching = threading.Thread(
            target=lambda: got.append(projection.match_demands(store, "County", "K")))
        matching.start()
        matching.join(30)  # bounded: a match waiting for the measures would not return
        assert got == [expected]
    finally:
        release.set()
        measuring.join()


def test_the_reads_of_places_only_filter_the_scope_walk_by_a_parameter() -> None:
    """The queries a patch reads with: the scope's, with the places it walks to kept
    only when their code is in ``$places`` (no code spliced into the text)."""
    full, only = aq.demands("County"), aq.demands("County", only=True)
    assert only.name == "analysis_demands_County_only" and full.name == "analysis_demands_County"
    walk = aq.scoped("Compound", "County")
    assert only.cypher == full.cypher.replace(
        walk, walk + "\nWITH c, children WHERE c.code IN $places")
    assert aq.community_demands("Street", only=True).cypher.startswith(
        aq.scoped("Community", "Street") + "\nWITH m, children WHERE m.code IN $places\n")
    assert whistles_query("County", "Compound", only=True).name == (
        "analysis_whistles_County_Compound_only")
