"""Where a request's blocking work runs: store reads on their own pool, analyses on a
small bounded one.

``asyncio.to_thread`` hands everything to the loop's default executor (cpu + 4 threads:
six on two cores), so thirty analyses filled it and another user's one-node lookup
waited 62 s behind them (issue 9).  Here a read never queues behind an analysis:

- reads (node lookups, pages, relationship loaders, scope checks) run on
  ``READ_WORKERS`` threads of their own.  They mostly wait on the store and each
  statement is bounded by the request's deadline, so a handful of slow ones cannot hold
  the pool for long;
- analyses run on ``analysis_workers`` threads with at most ``analysis_queue`` more
  waiting; one more is refused at once (:class:`PoolFull`) instead of queueing for
  minutes.  A slot is freed when the work itself ends, not when its request gives up,
  so an abandoned analysis still counts until its thread is done (its next statement
  is refused by the store deadline, so that is soon).

The work runs in a copy of the caller's context, so the store deadline of the request
(a context variable) follows it into the thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from graph.settings import Settings

T = TypeVar("T")

READ_WORKERS = 16  # threads waiting on the store for cheap reads (I/O bound, bounded by deadlines)


class PoolFull(RuntimeError):
    """Every analysis slot is taken, running or waiting."""


class Pools:
    """The thread pools of one app."""

    def __init__(self, analysis_workers: int, analysis_queue: int,
                 read_workers: int = READ_WORKERS) -> None:
        self.workers, self.queue = max(1, analysis_workers), max(0, analysis_queue)
        self.reads = ThreadPoolExecutor(read_workers, thread_name_prefix="jinlin-read")
        self.analyses = ThreadPoolExecutor(self.workers, thread_name_prefix="jinlin-analysis")
        self.admitted = self.workers + self.queue
        self._pending = 0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Pools:
        return cls(settings.analysis_workers, settings.analysis_queue)

    async def read(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn`` on the read pool (cheap store work)."""
        return await asyncio.wrap_future(self._submit(self.reads, fn, args, kw))

    async def analysis(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """``fn`` on the analysis pool; :class:`PoolFull` when no slot is free."""
        with self._lock:
            if self._pending >= self.admitted:
                raise PoolFull(f"{self._pending} analyses running or waiting")
            self._pending += 1
        try:
            future = self._submit(self.analyses, fn, args, kw)
        except BaseException:
            self._release(None)
            raise
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)

    @property
    def pending(self) -> int:
        """Analyses running or waiting now."""
        with self._lock:
            return self._pending

    def _release(self, _: Future[Any] | None) -> None:
        with self._lock:
            self._pending -= 1

    @staticmethod
    def _submit(pool: ThreadPoolExecutor, fn: Callable[..., T], args: tuple[Any, ...],
                kw: dict[str, Any]) -> Future[T]:
        context = contextvars.copy_context()
        return pool.submit(context.run, functools.partial(fn, *args, **kw))

    def close(self) -> None:
        """Stop taking work; queued work is dropped, running work ends with its deadline."""
        self.reads.shutdown(wait=False, cancel_futures=True)
        self.analyses.shutdown(wait=False, cancel_futures=True)


_CURRENT: contextvars.ContextVar[Pools | None] = contextvars.ContextVar("pools", default=None)
_fallback: Pools | None = None
_fallback_lock = threading.Lock()


@contextmanager
def using(pools: Pools) -> Iterator[None]:
    """Make ``pools`` the ones of the enclosed request (the HTTP gate sets them)."""
    token = _CURRENT.set(pools)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current() -> Pools:
    """The pools of the current request; outside one (in-process benchmarks, scripts)
    one process-wide set built from the default settings."""
    pools = _CURRENT.get()
    if pools is not None:
        return pools
    global _fallback
    with _fallback_lock:
        if _fallback is None:
            _fallback = Pools.from_settings(Settings())
        return _fallback
