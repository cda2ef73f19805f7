"""Python's cyclic garbage collector and the large, long-lived results of the analyses.

A full collection walks every tracked container in the process, holding the interpreter
lock all the while.  A server that keeps a county's projection (analysis.projection:
rows, drill-down items, the network) holds ~200k more of them than it started with, and
each full collection then took 150–250 ms: every few requests after a write one of them
paid for it (``bench/pages.py``, mode ``written``: p95 twice p50).  Two remedies, both
here:

- :func:`paused_gc` while a large result is built, so that its allocations do not wake
  the collector over and over;
- :func:`set_apart` once it is kept: everything is examined once and the survivors are
  moved to the permanent generation (``gc.freeze``), so later full collections walk only
  what was made since.  :func:`settle_soon` asks for that on a thread of its own, after
  a quiet moment and at most once every :data:`EVERY` seconds, so the request that built
  the result does not wait for it.

Nothing leaks: each :func:`set_apart` first takes back what the last one set apart
(``gc.unfreeze``), so a kept result dropped since (an evicted projection) is examined,
and freed if it sits in a cycle, by the next one.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

QUIET = 0.5  # seconds after the last request for it (the answer goes out first)
EVERY = 5.0  # seconds at least between two (each walks the whole heap once)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large result is built.

    Decoding tens of thousands of rows (and the arithmetic over them) allocates
    containers by the million, and each allocation burst wakes the collector, which
    walks every live object: that doubled a county's indicator time.  Reference
    counting still frees everything; cycles made meanwhile are collected afterwards.
    Nested or concurrent pauses are harmless: only the outermost one that found the
    collector enabled turns it back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def set_apart() -> None:
    """Collect everything, what an earlier call set apart included, then set what is
    left apart from later collections (see the module docstring)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class _Settler:
    """One thread that runs :func:`set_apart` once asked, debounced and spaced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked = threading.Event()
        self._thread: threading.Thread | None = None
        self.last = float("-inf")  # monotonic time of the last set_apart
        self.asked = 0  # requests so far
        self.served = 0  # the requests the last set_apart came after (the tests wait on it)

    def soon(self) -> None:
        with self._lock:
            self.asked += 1
            self._asked.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="jinlin-settle",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            while self._asked.is_set():  # quiet: no new request for QUIET seconds
                self._asked.clear()
                time.sleep(QUIET)
            time.sleep(max(0.0, self.last + EVERY - time.monotonic()))
            with self._lock:
                serving = self.asked
            set_apart()
            self.last = time.monotonic()
            self.served = serving


SETTLER = _Settler()


def settle_soon() -> None:
    """Ask for :func:`set_apart` on the settler's thread: a large result is now kept."""
    SETTLER.soon()
