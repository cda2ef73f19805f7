"""The reads a fetch runs side by side keep the caller's deadline (analysis.fetch): the
request's bound must hold in the reading threads too, not only in the calling one."""

from __future__ import annotations

from typing import Any

from analysis_town import town

from analysis.fetch import fetch
from graph.store import BoltStore, Query, deadline, time_left

NOW = "2025-01-01"


class Timed:
    """The store, noting the time left at each read (None: no deadline in that thread)."""

    def __init__(self, store: BoltStore) -> None:
        self.store, self.backend, self.left = store, store.backend, list[float | None]()

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        self.left.append(time_left())
        return self.store.read(query, **params)


def test_every_read_of_a_fetch_runs_under_the_callers_deadline(store: BoltStore) -> None:
    town().write(store)
    timed = Timed(store)
    with deadline(600):
        data = fetch(timed, "County", "K", NOW)  # type: ignore[arg-type]
    assert data.compounds
    assert len(timed.left) >= 12
    assert all(left is not None and 0 < left <= 600 for left in timed.left)
