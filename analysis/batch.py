"""Analyses of many counties at once: one county per task, in a pool of processes.

A province's (or a city's) indicator sets, match plans and network measures are
independent per county.  Run one after another, a county's store reads wait while the
machine has cores to spare, and its arithmetic (decoding rows, the indicators,
betweenness) holds Python's interpreter lock, so threads would only take turns.
Processes do not: each worker opens its own connection to the store, reads one county,
computes it and goes on with the next one.

* **The store.**  A worker opens the same store as the caller (``graph.open``): the
  embedded store through the process that owns it, over Bolt (the caller opens it
  first, so that a live owner is there to join); Neo4j with its own driver, whose read
  sessions a cluster routes to its secondaries (``graph.store``: READ access mode).
* **Processes are spawned, not forked**: the caller may run the embedded store's JVM,
  whose threads a fork would copy half-way.  A worker starts in ~1 s (imports), so the
  pool pays off from a few counties on.
* **What travels back** is what the task returns, pickled: a task that renders a report
  writes its file itself and returns the path (a county's full indicator report is
  ~10⁵ drill-down items).
* **A county that fails does not stop the others**: its outcome carries the error text,
  and the caller says which ones failed.
* **Reads of the whole store** (``analysis.queries.STORE_WIDE``: the largest range of a
  resource, the capacity in use, the service sites) are read once per worker and batch,
  at its first county, not once per county: over a province they scan ~10⁶ rows each.
  A batch so sees them as they were when it began.
* ``workers=1`` runs every county in the calling process, over the caller's store: the
  same tasks, without the pool (the benchmark's baseline).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from analysis import queries as q
from analysis.fetch import ScopeNotFound
from analysis.indicators import IndicatorReport, compute_indicators
from analysis.matching import MatchPlan, match_demands
from analysis.network import NetworkReport, network_report
from analysis.projection import KeptReads
from graph import i18n
from graph.i18n import _
from graph.settings import Settings
from graph.store import Store, StoreError

T = TypeVar("T")
Task = Callable[[Store, str], T]  # (the worker's store, a county's code) -> result
Progress = Callable[[str, int, int], None]  # (what, done, total)

_store: list[Store] = []  # the worker's own store, opened once per worker
_unopened: list[str] = []  # or why it could not be opened


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """One county's result, or why there is none (``error``: a message to show)."""

    county: str
    value: T | None
    error: str | None
    seconds: float


def counties(store: Store) -> list[str]:
    """Every county of the store, by code (ScopeNotFound when there is none)."""
    codes = [r["code"] for r in store.read(q.COUNTIES)]
    if not codes:
        raise ScopeNotFound(_("存储中没有县(区)数据，请先导入台账"))
    return codes


def default_workers() -> int:
    """One worker per core the process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def each_county(settings: Settings, task: Task[T], codes: Sequence[str], store: Store,
                workers: int | None = None, progress: Progress | None = None
                ) -> Iterator[Outcome[T]]:
    """``task`` of every county in ``codes``, as each finishes (not in order).

    ``store`` is the caller's, open on ``settings``: the serial path uses it, and for
    the embedded store it keeps the owner alive that the workers join.  ``task`` must
    be picklable (a module-level function, or a ``functools.partial`` of one)."""
    total, done = len(codes), 0
    n = min(workers or default_workers(), total)
    if n <= 1:
        once = KeptReads(store, q.STORE_WIDE)
        for code in codes:
            outcome = _run(task, once, code)
            done += 1
            if progress:
                progress(code, done, total)
            yield outcome
        return
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, mp_context=spawn, initializer=_open,
                             initargs=(settings, i18n.current())) as pool:
        pending: set[Future[Outcome[T]]] = {pool.submit(_in_worker, task, c) for c in codes}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    try:
                        outcome = future.result()
                    except BrokenProcessPool as exc:  # a worker died: killed, out of memory
                        raise StoreError(_("计算进程意外退出（可能是内存不足）：{n} 个县(区)"
                                           "未完成", n=total - done)) from exc
                    done += 1
                    if progress:
                        progress(outcome.county, done, total)
                    yield outcome
        finally:
            for future in pending:  # the caller stopped early (or was interrupted)
                future.cancel()


def _open(settings: Settings, lang: str) -> None:
    from graph.open import open_store

    os.environ["JINLIN_LANG"] = lang  # the caller's language, for every text a task makes
    try:
        store = open_store(settings, apply=False)  # reads only: the caller applied the schema
    except Exception as exc:  # noqa: BLE001 - said by every county this worker takes
        _unopened.append(str(exc) or type(exc).__name__)
        return
    _store.append(KeptReads(store, q.STORE_WIDE))
    atexit.register(store.close)


def _in_worker(task: Task[T], code: str) -> Outcome[T]:
    if not _store:
        return Outcome(code, None, _unopened[0], 0.0)
    return _run(task, _store[0], code)


def _run(task: Task[T], store: Store, code: str) -> Outcome[T]:
    start = time.perf_counter()
    try:
        value, error = task(store, code), None
    except Exception as exc:  # noqa: BLE001 - one county's failure is reported, not raised
        value, error = None, str(exc) or type(exc).__name__
    return Outcome(code, value, error, time.perf_counter() - start)


# The analyses as tasks (``functools.partial`` binds the keywords).

def indicators(store: Store, code: str, as_of: str | None = None) -> IndicatorReport:
    return compute_indicators(store, "County", code, as_of)


def matching(store: Store, code: str, as_of: str | None = None) -> MatchPlan:
    return match_demands(store, "County", code, as_of=as_of)


def network(store: Store, code: str, as_of: str | None = None, **kw: Any) -> NetworkReport:
    return network_report(store, "County", code, as_of=as_of, **kw)


def task(kind: str, as_of: str | None = None) -> Task[Any]:
    """The task of one analysis by name (``indicators``, ``matching``, ``network``)."""
    return partial(TASKS[kind], as_of=as_of)


TASKS: dict[str, Callable[..., Any]] = {"indicators": indicators, "matching": matching,
                                        "network": network}
