"""The analytic projection: a scope read once, kept in memory, answered from memory.

Like a projected graph of Neo4j GDS: the first analysis of a scope (indicators, gaps,
matching, network) at an as-of date reads it with the store-query path
(``analysis.fetch.fetch``: the ``ScopeData`` rows, ~12 set-based reads) and keeps what
it read; the next ones answer from memory: the indicator report per ``Options``, the
co-operation network and its measures per threshold, the resource reads of matching.
What is kept is exactly what the store path computes over (the same rows, the same
code), so the answers are equal by construction, and the tests check it on hand-built
graphs and on the county preset.  Entries are kept in a bounded LRU
(``Settings.projection_entries``, ``JINLIN_PROJECTION_ENTRIES``; 0 turns the projection
off); a county's entry holds ~54 MB of Python heap once its indicators, match plan and
network are all kept (county preset, ``bench/analysis.py --phases projection``, 2026-12-05).

**Never stale: the generation.**  Every entry remembers the generation it was read at,
and every use first compares it with the current one; any difference rebuilds it.  The
generation is the pair

* ``graph.store.local_generation()``: the writes this process has finished (every
  ``BoltStore.write``/``transaction``: the API's mutations, dispatches, imports), bumped
  after the write is over, so a read that starts after a write sees a new value; free.
* ``graph.store.read_stamp(store)``: a random stamp the bulk paths of *any* process set
  in the database inside their own transaction (``graph.writer.write_graph``: ``jinlin
  load`` against a running ``serve``'s store, ``--replace``, restore, console imports);
  one read of one node per analysis, ~2 ms.

Why not a counter node bumped by every write transaction (the robust option): every
write would then lock that one node; on ArcadeDB, whose transactions are optimistic,
concurrent writers conflict on it and are retried by the driver, which serialises the
API's writes (``bench/projection.py --write-cost`` measures it).  Per-county counters
would conflict less but need every write to know its county.  The cost of the chosen
pair: a second API replica writing through its own process (two replicas on one
Neo4j) is not seen by this one's in-process counter.  Such a deployment must not keep
projections across requests: set ``JINLIN_PROJECTION_ENTRIES=0`` (analyses then read the
store each time, as before) until writes carry the stamp too.  Any write invalidates
every entry (a write is not traced to its counties): a rebuild costs one cold read.

**The slowdown right after an import** (4-7x for matching and network in the city run
that loads then analyses) was JPype's link between the JVM's collector and Python's:
each of the JVM's collections ran a full Python collection over the import's many live
rows (graph.embedded.unlink_collectors, which removes it).  The indicators were spared
because they already ran with the collector paused (``analysis.fetch.paused_gc``, which
every build here does too).  City, right after the load, linked (two runs) → untied:
matching 75–104 → 14 s, network 253 → 22 s, the load itself 135–174 → 92 s (reopened
store: matching 12.3 s, network 21.6 s).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from analysis.fetch import Row, ScopeData, fetch, paused_gc
from analysis.indicators import IndicatorReport, Options, indicators_from
from analysis.matching import MatchPlan, plan_over
from analysis.network import NetworkReport, analyse, build_network
from graph.dates import parse_as_of
from graph.settings import load_settings
from graph.store import Query, Store, Transaction, local_generation, read_stamp

Key = tuple[str, str, str]  # label, code, as-of day
Generation = tuple[int, str]


def generation(store: Store) -> Generation:
    """The current generation of ``store`` as this process can know it (see above)."""
    return local_generation(), read_stamp(store)


class KeptReads:
    """A store whose reads are answered from memory once asked (the resource reads of
    matching); each caller gets its own copy of every row, which it may change.
    ``only``: keep the answers of these queries (by name), pass the others through."""

    def __init__(self, store: Store, only: frozenset[str] | None = None) -> None:
        self._store = store
        self._only = only
        self.backend = store.backend
        self.round_trips = 0
        self._rows: dict[tuple[str, str], list[Row]] = {}
        self._lock = threading.Lock()

    def read(self, query: Query, **params: Any) -> list[Row]:
        if self._only is not None and query.name not in self._only:
            return self._store.read(query, **params)
        key = (query.name, repr(sorted(params.items())))
        with self._lock:
            rows = self._rows.get(key)
        if rows is None:
            rows = self._store.read(query, **params)
            with self._lock:
                self._rows[key] = rows
        return [dict(r) for r in rows]

    def write(self, query: Query, **params: Any) -> list[Row]:
        raise PermissionError("the projection only reads")

    def transaction(self, work: Callable[[Transaction], Any]) -> Any:
        raise PermissionError("the projection only reads")

    def ping(self) -> bool:
        return self._store.ping()

    def close(self) -> None:
        """The store is the caller's to close."""


@dataclass
class Projection:
    """One scope at one as-of date as read at ``generation``, and what was computed
    from it.  Everything handed out is shared between callers: read it, do not change it."""

    store: Store
    generation: Generation
    data: ScopeData
    reads: KeptReads
    reports: dict[Options, IndicatorReport] = field(default_factory=dict)
    graph: nx.Graph | None = None
    networks: dict[int, NetworkReport] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def indicators(self, options: Options) -> IndicatorReport:
        with self.lock:
            report = self.reports.get(options)
            if report is None:
                with paused_gc():
                    report = self.reports[options] = indicators_from(self.data, options)
            return report

    def network_graph(self) -> nx.Graph:
        with self.lock:
            if self.graph is None:
                s = self.data.scope
                with paused_gc():
                    self.graph = build_network(self.store, s.label, s.code, s.as_of)
            return self.graph

    def network(self, threshold: int) -> NetworkReport:
        graph = self.network_graph()
        with self.lock:
            rep = self.networks.get(threshold)
            if rep is None:
                s = self.data.scope
                rep = self.networks[threshold] = analyse(graph, s.label, s.code,
                                                         threshold=threshold)
            return rep

    def match(self, **kw: Any) -> MatchPlan:
        with paused_gc():
            return plan_over(self.reads, self.data.scope, self.data.demands, **kw)


class Projections:
    """The bounded LRU of projections (at most ``entries``; 0 keeps none)."""

    def __init__(self, entries: int) -> None:
        self.entries = max(0, entries)
        self._kept: OrderedDict[tuple[int, Key], Projection] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # projections read from the store (the tests count them)

    def get(self, store: Store, label: str, code: str, as_of: str | None,
            now: Generation | None = None) -> Projection:
        """The projection of ``label:code`` at ``as_of`` (today when None), read again
        when the store's generation moved since it was read.  ``now``: the generation
        as the caller already read it, before any of its reads (an API request's)."""
        key = (id(store), (label, code, parse_as_of(as_of)))
        if now is None:
            now = generation(store)  # before any read: a write landing meanwhile moves it
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept.store is store and kept.generation == now:
                self._kept.move_to_end(key)
                return kept
        with paused_gc():
            data = fetch(store, label, code, key[1][2])
        made = Projection(store, now, data, KeptReads(store))
        with self._lock:
            self.builds += 1
            if self.entries:
                self._kept[key] = made
                self._kept.move_to_end(key)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        return made

    def clear(self) -> None:
        """Drop every projection and reset the count of builds."""
        with self._lock:
            self._kept.clear()
            self.builds = 0


_SHARED: list[Projections] = []
_SHARED_LOCK = threading.Lock()


def shared() -> Projections:
    """This process's projections, sized by ``Settings.projection_entries``."""
    with _SHARED_LOCK:
        if not _SHARED:
            _SHARED.append(Projections(load_settings().projection_entries))
        return _SHARED[0]


def indicators(store: Store, label: str, code: str, as_of: str | None = None,
               options: Options | None = None, now: Generation | None = None
               ) -> IndicatorReport:
    """``analysis.indicators.compute_indicators``, from the projection (``now``: as in
    :meth:`Projections.get`)."""
    return shared().get(store, label, code, as_of, now).indicators(options or Options())


def match_demands(store: Store, label: str, code: str, as_of: str | None = None,
                  now: Generation | None = None, **kw: Any) -> MatchPlan:
    """``analysis.matching.match_demands`` (same keywords), from the projection."""
    return shared().get(store, label, code, as_of, now).match(**kw)


def network_report(store: Store, label: str, code: str, as_of: str | None = None,
                   threshold: int = 3, now: Generation | None = None) -> NetworkReport:
    """``analysis.network.network_report``, from the projection."""
    return shared().get(store, label, code, as_of, now).network(threshold)


def network_graph(store: Store, label: str, code: str, as_of: str | None = None,
                  now: Generation | None = None) -> nx.Graph:
    """``analysis.network.build_network``, from the projection (do not change it)."""
    return shared().get(store, label, code, as_of, now).network_graph()
