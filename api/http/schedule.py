"""The service's own early-warning runs (预警): every ``alert_interval_minutes``.

One asyncio task per app (started and stopped by api.http.app's lifespan) sleeps, then
runs api.graphql.alerts.run_evaluation in a worker thread and waits for it before sleeping
again, so runs never overlap one another (analysis.alerts also lets one evaluation run
at a time in a process, whoever asks).  A run that fails is logged and the next one
comes at its time: a store that is down for a while must not end the schedule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from analysis.alerts import Changes
from api.audit import AuditLog
from api.events import Bus
from api.graphql.alerts import run_quietly
from graph.store import Store

TRIGGER = "schedule"


async def evaluate_once(store: Store, audit: AuditLog, bus: Bus | None) -> Changes | None:
    """One scheduled run, off the event loop; None when it failed (logged)."""
    return await asyncio.to_thread(run_quietly, store, audit, bus, TRIGGER)


async def every(minutes: float, store: Store, audit: AuditLog, bus: Bus | None,
                sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Run :func:`evaluate_once` every ``minutes`` (after the first wait) until cancelled;
    ``sleep`` is asyncio's (tests pass their own, never waiting on the clock)."""
    while True:
        await sleep(minutes * 60)
        await evaluate_once(store, audit, bus)
