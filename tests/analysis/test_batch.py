"""Analyses of each county in a pool of processes (analysis.batch): the same answers as
one county at a time, a failing county reported beside the others, and a worker that
cannot reach the store saying so for every county it was given.

The pool's workers are real processes (spawned), each with its own connection: to the
embedded store through this test process, which owns it, or to Neo4j directly.
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from analysis_builder import G
from analysis_town import town
from test_matching import city

from analysis import batch
from analysis.fetch import ScopeNotFound
from analysis.indicators import compute_indicators
from analysis.matching import match_demands
from graph.settings import Settings
from graph.store import BoltStore, Store, StoreError

NOW = "2025-01-01"


def two_counties() -> G:
    """The indicator town (county K) and a county K2 of two compounds, one managed."""
    g = town()
    g.spine("K2", {"K2S": {"K2M": {"K2G": ["K2C1", "K2C2"]}}})
    g.node("PropertyFirm", "K2F").rel("K2F", "MANAGES", "K2C1", since="2020-01-01")
    return g


def coverage(report: object) -> tuple[float, float]:
    ind = report.get("property_management_coverage")  # type: ignore[attr-defined]
    return ind.numerator, ind.denominator


def test_every_county_in_a_pool_equals_one_at_a_time(store: BoltStore,
                                                     settings: Settings) -> None:
    two_counties().write(store)
    codes = batch.counties(store)
    assert codes == ["K", "K2"]
    seen: list[tuple[str, int, int]] = []
    outcomes = list(batch.each_county(settings, batch.task("indicators", NOW), codes, store,
                                      workers=2, progress=lambda c, d, t: seen.append((c, d, t))))
    by_county = {o.county: o for o in outcomes}
    assert sorted(by_county) == ["K", "K2"] and all(o.error is None for o in outcomes)
    # by hand: K's compounds C1 and C4 are managed at the date (F2's term over), of 4;
    # K2's one of 2
    assert coverage(by_county["K"].value) == (2, 4)
    assert coverage(by_county["K2"].value) == (1, 2)
    for code in codes:
        assert by_county[code].value == compute_indicators(store, "County", code, NOW)
    assert sorted(d for _, d, _ in seen) == [1, 2] and {t for _, _, t in seen} == {2}
    serial = list(batch.each_county(settings, batch.task("indicators", NOW), codes, store,
                                    workers=1))
    assert [o.county for o in serial] == codes
    assert [o.value for o in serial] == [by_county[c].value for c in codes]


def test_a_failing_county_does_not_stop_the_others(store: BoltStore,
                                                   settings: Settings) -> None:
    two_counties().write(store)
    outcomes = {o.county: o for o in batch.each_county(
        settings, batch.task("network", NOW), ["K2", "NOPE"], store, workers=2)}
    assert outcomes["NOPE"].value is None
    assert outcomes["NOPE"].error == "范围 County:NOPE 不存在"
    net = outcomes["K2"].value
    assert outcomes["K2"].error is None and net is not None
    # K2's network: the firm and the compound it manages (places enter it only through
    # what meets at them; the spine's own edges are not co-operation)
    assert (net.nodes, net.edges, net.components) == (2, 1, [2])


def test_reads_of_the_whole_store_are_read_once_per_batch(store: BoltStore) -> None:
    """The largest range and the capacity in use do not depend on the county: a batch
    reads them at its first county only, and every plan is the one a county alone gets."""
    g = city()  # county K, demands D1-D7 (test_matching)
    g.spine("K2", {"K2S": {"K2M": {"K2G": ["K2C"]}}}, K2C={"lat": 0.0, "lon": 0.001})
    g.node("Demand", "D9", title="D9", category="repair", urgency=2, status="open")
    g.rel("D9", "RAISED_IN", "K2C")
    g.write(store)
    before = store.round_trips
    alone = [match_demands(store, "County", code, as_of=NOW) for code in ("K", "K2")]
    one_by_one = store.round_trips - before
    before = store.round_trips
    outcomes = list(batch.each_county(Settings(), batch.task("matching", NOW), ["K", "K2"],
                                      store, workers=1))
    assert store.round_trips - before == one_by_one - 2  # the two store-wide reads, once
    assert [o.value for o in outcomes] == alone
    # by hand: D9 (longitude 0.001) is 334 m from R1; R2 is 667 m off, past its 600 m.
    # Plans are per county: K's own plan gives R1 to D2 as well
    assert {a.demand: a.resource for a in alone[1].assignments} == {"D9": "R1"}
    # the indicators' service sites likewise (a site serves across a county line)
    before = store.round_trips
    alone_reports = [compute_indicators(store, "County", code, NOW) for code in ("K", "K2")]
    one_by_one = store.round_trips - before
    before = store.round_trips
    outcomes = list(batch.each_county(Settings(), batch.task("indicators", NOW), ["K", "K2"],
                                      store, workers=1))
    assert store.round_trips - before == one_by_one - 1
    assert [o.value for o in outcomes] == alone_reports


def test_a_worker_that_cannot_reach_the_store_says_so_for_each_county(
        store: BoltStore) -> None:
    if store.backend != "arcadedb":
        pytest.skip("once is enough: the workers reach no store of either kind")
    nowhere = Settings(store_uri="bolt://127.0.0.1:1", store_password="x")
    outcomes = list(batch.each_county(nowhere, batch.task("matching", NOW), ["A", "B"],
                                      store, workers=2))
    assert sorted(o.county for o in outcomes) == ["A", "B"]
    for o in outcomes:
        assert o.value is None and o.error is not None
        assert o.error.startswith("无法使用 Neo4j（用户 neo4j）"), o.error


def dies(store: Store, code: str) -> None:
    """A task whose process ends under it (as one killed for want of memory would)."""
    os._exit(3)


def test_a_worker_that_dies_is_said_not_hidden(store: BoltStore, settings: Settings) -> None:
    if store.backend != "arcadedb":
        pytest.skip("once is enough: the worker dies before it reads")
    said = r"^计算进程意外退出（可能是内存不足）：2 个县\(区\)未完成$"
    with pytest.raises(StoreError, match=said):
        list(batch.each_county(settings, dies, ["A", "B"], store, workers=2))


def test_an_empty_store_has_no_county_to_compute(store: BoltStore) -> None:
    with pytest.raises(ScopeNotFound, match="^存储中没有县\\(区\\)数据，请先导入台账$"):
        batch.counties(store)


def test_outcomes_are_plain_values() -> None:
    """What a worker returns crosses a process boundary: it must pickle."""
    assert [f.name for f in dataclasses.fields(batch.Outcome)] == \
        ["county", "value", "error", "seconds"]
