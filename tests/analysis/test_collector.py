"""analysis.collector: kept results set apart from Python's collections, nothing leaked.

``gc.get_objects()`` lists what later collections walk: what was set apart is not in it.
"""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Iterator

import pytest
from analysis_town import town

from analysis import collector, projection
from graph.store import BoltStore, Query


class Cyclic:
    """An object in a reference cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    """Leave nothing set apart for the tests that follow."""
    yield
    gc.unfreeze()


def walked(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_what_is_set_apart_is_not_walked_and_is_freed_once_dropped() -> None:
    kept = Cyclic()
    dropped = weakref.ref(Cyclic())  # garbage already: collected, never set apart
    collector.set_apart()
    assert dropped() is None
    assert not walked(kept)
    gone = weakref.ref(kept)
    del kept
    gc.collect()
    assert gone() is not None  # a frozen cycle waits ...
    collector.set_apart()
    assert gone() is None  # ... for the next set_apart, which takes it back first


def settled() -> None:
    """Wait for a set_apart that began after every request made so far."""
    asked, deadline = collector.SETTLER.asked, time.monotonic() + 60
    while collector.SETTLER.served < asked:
        assert time.monotonic() < deadline, "the settler did not run"
        time.sleep(0.05)


def test_a_projection_is_set_apart_once_built_but_not_for_a_demand_step(
        store: BoltStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "QUIET", 0.01)
    monkeypatch.setattr(collector, "EVERY", 0.0)
    kept = projection.shared()
    kept.clear()
    town().write(store)
    report = projection.indicators(store, "County", "K", "2025-01-01")
    settled()
    assert not walked(report.indicators)  # the kept report is set apart
    asks: list[None] = []
    monkeypatch.setattr(projection, "settle_soon", lambda: asks.append(None))
    store.write(Query("t_step", "MATCH (d:Demand {code: 'D1'}) SET d.status = 'open'"))
    again = projection.indicators(store, "County", "K", "2025-01-01")
    assert again.get("demand_closure").numerator == 1  # D2 done only (2 before)
    assert asks == []  # a few thousand demand rows: not worth a walk of the heap
    assert walked(again.indicators)
    kept.clear()
