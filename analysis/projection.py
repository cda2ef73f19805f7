"""The analytic projection: a scope read once, kept in memory, answered from memory.

Like a projected graph of Neo4j GDS: the first analysis of a scope (indicators, gaps,
matching, network) at an as-of date reads it with the store-query path
(``analysis.fetch.fetch``: the ``ScopeData`` rows, ~12 set-based reads) and keeps what
it read; the next ones answer from memory: the indicator report per ``Options`` and
language, the co-operation network and its measures per threshold, the resource reads
of matching.
What is kept is exactly what the store path computes over (the same rows, the same
code), so the answers are equal by construction, and the tests check it on hand-built
graphs and on the county preset.  Entries are kept in a bounded LRU
(``Settings.projection_entries``, ``JINLIN_PROJECTION_ENTRIES``; 0 turns the projection
off); a county's entry holds ~54 MB of Python heap once its indicators, match plan and
network are all kept (county preset, ``bench/analysis.py --phases projection``, 2026-12-05).

**Never stale: parts, each with what it could see.**  An entry has three parts, each
read with a store wrapper (:class:`Noting`) that notes the labels and types its reads
could see (``graph.creations.seen_names``):

* the places: everything the indicators read except demands and whistles;
* the demands and whistles of the scope (``analysis.fetch.read_demands``,
  ``analysis.whistle.read_whistles``);
* the co-operation network, once asked for;

and matching's store-wide reads (resources, capacity in use), kept one by one
(:class:`KeptReads`).  Every use first asks, for each part, whether a write could have
changed what it saw, and reads again only what could have:

* ``graph.store.generation_seen_by``: this process's finished writes (every
  ``BoltStore.write``/``transaction``: the API's mutations, dispatches, imports),
  counted under the names each could have changed (``graph.changed``, read from its
  Cypher) and bumped after the write is over.  The count is taken before a part's reads
  (``graph.store.write_mark``), so a write landing meanwhile moves it; free.
* ``graph.store.read_stamp(store)``: a random stamp the bulk paths of *any* process set
  in the database inside their own transaction (``graph.writer.write_graph``: ``jinlin
  load`` against a running ``serve``'s store, ``--replace``, restore, console imports,
  an alert evaluation); one read of one node per analysis, ~2 ms.  A new stamp reads
  the whole entry again.

So a raised demand or a step of its life cycle re-reads the scope's demands and
whistles (two to four reads), when the indicators or matching next ask for them, and
recomputes the figures over them (``analysis.indicators.place_figures``, the others,
are kept); the places and the network stay.  Asked only for figures of the places
(``keys``: the map's compound gaps), the indicators do not read the demands at all.  A
member's report to a community re-reads the places and keeps the network; a post
changed re-reads both.  **Where a write lies.**  A life-cycle step or a dispatch says
which areas its demand is raised under (``graph.store.Query.demand_areas``, from
``graph.lifecycle``), and the demands part reads only the demands raised under its scope
(and, one hop on, their takers' codes and names): it is read again only in the entries
whose scope is among those areas.  A step in one county leaves the other counties'
demands as they were read, and a street's entry those of the other streets
(``bench/analysis.py --phases projection`` prints a city round after a step).  The areas
are read when the step's statement runs, before it commits: a demands part read while a
step was under way is read again on its next use, whatever the step named
(``graph.store.WriteMark.overlapped``: a compound moved to another street meanwhile would
otherwise leave that street's figures stale; found by review, tested).  A demand raised
or edited through the API says where it lies the same way (``graph.queries.DEMAND_OWN``:
the writer's statements for a demand and its own relationships, when it writes without
the bulk stamp).  Every other write is traced by its names only, and the places and the
network are never traced to an area (their reads reach one hop beyond the scope: the
posts of the people met in it, wherever those lie).

**Only the places written.**  The areas such a write names include the place its demand
lies in (a compound or a community; a move names the old one and the new).  While every
write since the demands part was read is such a write, and is still logged
(``graph.store.placed_since``, the last ``PLACED_LOG``), the part reads again just the
demands and whistles of those places (the same queries, ``$places`` only:
``analysis.queries.scoped``) and puts them in place of what it held there
(:meth:`Part.places_written`): on the county preset the dashboard after a step went from
~200 to ~90 ms (p50, ``bench/pages.py``, mode ``written``).  Any other write, or a log
that no longer reaches back, reads them all again.

Once an entry, its place figures or its network are made, they are set apart from
Python's full collections (``analysis.collector.settle_soon``); the demands read again
after a step are not (a few thousand rows: not worth a walk of the whole heap).

Why not a counter node bumped by every write transaction (the robust option): every
write would then lock that one node; on ArcadeDB, whose transactions are optimistic,
concurrent writers would conflict on it and be retried by the driver, serialising the
API's writes.  The cost of counting in the process: a second API replica writing
through its own process (two replicas on one Neo4j) is not seen by this one's counter.
Such a deployment must not keep projections across requests: set
``JINLIN_PROJECTION_ENTRIES=0`` (analyses then read the store each time, as before)
until writes carry the stamp too.

**The slowdown right after an import** (4-7x for matching and network in the city run
that loads then analyses) was JPype's link between the JVM's collector and Python's:
each of the JVM's collections ran a full Python collection over the import's many live
rows (graph.embedded.unlink_collectors, which removes it).  The indicators were spared
because they already ran with the collector paused (``analysis.collector.paused_gc``, which
every build here does too).  City, right after the load, linked (two runs) → untied:
matching 75–104 → 14 s, network 253 → 22 s, the load itself 135–174 → 92 s (reopened
store: matching 12.3 s, network 21.6 s).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from analysis.collector import paused_gc, settle_soon
from analysis.fetch import Row, ScopeData, fetch, read_demands
from analysis.indicators import (
    IndicatorReport,
    Options,
    PlaceFigures,
    indicators_from,
    place_figures,
)
from analysis.matching import MatchPlan, plan_over
from analysis.network import NetworkReport, analyse, build_network
from analysis.whistle import read_whistles
from graph.creations import Names, seen_names, union
from graph.dates import parse_as_of
from graph.i18n import current
from graph.settings import load_settings
from graph.store import (
    Query,
    Store,
    Transaction,
    WriteMark,
    generation_seen_by,
    local_generation,
    placed_since,
    read_stamp,
    write_mark,
)

Key = tuple[str, str, str]  # label, code, as-of day
Generation = tuple[int, str]


def generation(store: Store) -> Generation:
    """The current generation of ``store`` as this process can know it (see above)."""
    return local_generation(), read_stamp(store)


@dataclass(frozen=True)
class Part:
    """What one part of a projection read could see (``graph.creations.seen_names``;
    None: anything), and this process's writes under those names before it read.
    ``area``: the code of the scope whose demands the part read, when it saw demands
    only as those raised under it (graph.store.generation_seen_by)."""

    names: Names
    seen: tuple[int, int]
    area: str | None = None
    overlapped: bool = False  # a demand-only write was under way: not current
    in_area: int = 0  # of ``seen``, the demand-only writes under ``area``
    seq: int = 0  # the number of the last demand-only write counted (placed_since)

    @staticmethod
    def read_from(mark: WriteMark, names: Names, area: str | None = None) -> Part:
        """The part whose reads began at ``mark`` and are done now."""
        return Part(names, mark.seen_by(names, area), area,
                    area is not None and mark.overlapped(),
                    mark.in_area if area is not None else 0, mark.seq)

    def current(self) -> bool:
        """No write of this process since the read could have changed what it saw."""
        return not self.overlapped and generation_seen_by(self.names, self.area) == self.seen

    def places_written(self, mark: WriteMark) -> frozenset[str] | None:
        """When every write since this part was read, up to ``mark`` (taken for its
        area), that it could see was demand-only: the codes of the areas those writes
        named, among them the places their demands lay in, before and after; None
        otherwise (read it again whole)."""
        if self.overlapped or self.area is None:
            return None
        changing, seen = mark.seen_by(self.names, self.area)
        if (changing, seen - mark.in_area) != (self.seen[0], self.seen[1] - self.in_area):
            return None
        return placed_since(self.seq, mark.seq, self.area)


class _ReadOnly:
    """A store wrapper for the projection's reads: it never writes."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.backend = store.backend
        self.round_trips = 0  # its own: the reads are the wrapped store's
        self._lock = threading.Lock()

    def write(self, query: Query, **params: Any) -> list[Row]:
        raise PermissionError("the projection only reads")

    def transaction(self, work: Callable[[Transaction], Any]) -> Any:
        raise PermissionError("the projection only reads")

    def ping(self) -> bool:
        return self._store.ping()

    def close(self) -> None:
        """The store is the caller's to close."""


class Noting(_ReadOnly):
    """A store that notes what its reads could see: a part of a projection learns so
    which writes move it, whatever queries its analysis ran (threads included)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.names: Names = frozenset()

    def read(self, query: Query, **params: Any) -> list[Row]:
        seen = seen_names(query.cypher)
        with self._lock:
            self.names = union(self.names, seen)
        return self._store.read(query, **params)


class KeptReads(_ReadOnly):
    """A store whose reads are answered from memory once asked (the resource reads of
    matching) until a write of this process could have changed them; each caller gets
    its own copy of every row, which it may change.  ``only``: keep the answers of these
    queries (by name), pass the others through."""

    def __init__(self, store: Store, only: frozenset[str] | None = None) -> None:
        super().__init__(store)
        self._only = only
        self._rows: dict[tuple[str, str], tuple[list[Row], Part]] = {}

    def read(self, query: Query, **params: Any) -> list[Row]:
        if self._only is not None and query.name not in self._only:
            return self._store.read(query, **params)
        key = (query.name, repr(sorted(params.items())))
        with self._lock:
            kept = self._rows.get(key)
        if kept is None or not kept[1].current():
            part = Part.read_from(write_mark(), seen_names(query.cypher))
            kept = self._store.read(query, **params), part
            with self._lock:
                self._rows[key] = kept
        return [dict(r) for r in kept[0]]


@dataclass
class Projection:
    """One scope at one as-of date, and what was computed from it, in three parts each
    read again on its own once a write could have changed it: the places (everything
    the indicators read but demands and whistles), the demands and whistles, the
    co-operation network; plus matching's store-wide reads, each kept the same way.
    ``stamp``: the database's write stamp before the reads (a bulk write by any process
    moves it: the whole projection is then read again).  Everything handed out is
    shared between callers: read it, do not change it."""

    store: Store
    stamp: str
    data: ScopeData
    places: Part
    demands: Part
    reads: KeptReads
    # per options and language (titles, definitions and reasons are in the language in
    # force: graph.i18n); the place figures stay while only the demands are read again
    reports: dict[tuple[Options, str], IndicatorReport] = field(default_factory=dict)
    places_figures: dict[tuple[Options, str], PlaceFigures] = field(default_factory=dict)
    graph: nx.Graph | None = None
    graph_part: Part | None = None
    networks: dict[int, NetworkReport] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)  # indicators → _data
    refreshes: int = 0  # parts read again (the tests count them)
    patches: int = 0  # of those, demands read again only where written

    def _data(self) -> ScopeData:
        """The rows, with the demands and whistles read again if a write could have
        changed them; the lock is taken only then.  Only what uses them asks: not the
        network."""
        if not self.demands.current():
            with self.lock:
                if not self.demands.current():
                    self._read_demands()
        return self.data

    def _read_demands(self) -> None:
        """Read the demands and whistles again: only those of the places the writes
        since named, when only demand-only writes came (a step, a dispatch, a demand
        raised, edited or moved through the API: the county's figures again in 0.034 s
        after a step, 0.090 s with all its demands read, ``bench/analysis.py``), else
        all of them."""
        s = self.data.scope
        mark, noting = write_mark(s.code), Noting(self.store)
        places = self.demands.places_written(mark)
        with paused_gc():
            if places is None:
                demands = read_demands(noting, s.label, s.params())
                whistles = read_whistles(noting, s.label, s.params())
            else:
                params = {**s.params(), "places": sorted(places)}
                demands = _merged(self.data.demands, places,
                                  read_demands(noting, s.label, params, only=True))
                whistles = _merged(self.data.whistles, places,
                                   read_whistles(noting, s.label, params, only=True))
                self.patches += 1
        self.data = replace(self.data, demands=demands, whistles=whistles)
        # after the data: see _data
        self.demands = Part.read_from(mark, union(self.demands.names, noting.names),
                                      area=s.code)
        self.reports = {}
        self.refreshes += 1

    def indicators(self, options: Options, keys: frozenset[str] | None = None
                   ) -> IndicatorReport:
        """The report; ``keys``: only these figures are asked for.  When the place
        figures hold them all (the map's compound gaps), the report holds the place
        figures only, and the demands and whistles are not read again for it."""
        key = (options, current())
        with self.lock:
            places = self.places_figures.get(key)
            made = places is None
            try:
                if places is None:  # the places' rows: the demands' staleness does not matter
                    with paused_gc():
                        places = self.places_figures[key] = place_figures(self.data, options)
                if keys is not None and keys <= {i.key for part in places for i in part}:
                    return IndicatorReport(self.data.scope, [*places[0], *places[1]])
                data = self._data()
                report = self.reports.get(key)
                if report is None:
                    with paused_gc():
                        report = self.reports[key] = indicators_from(data, options, places)
                return report
            finally:
                if made:  # new place figures, and the report made over them with them
                    settle_soon()

    def _graph(self) -> nx.Graph:
        """The network, read again if a write could have changed it (lock held)."""
        if self.graph is None or self.graph_part is None or not self.graph_part.current():
            if self.graph is not None:
                self.refreshes += 1
            mark, noting = write_mark(), Noting(self.store)
            s = self.data.scope
            with paused_gc():
                self.graph = build_network(noting, s.label, s.code, s.as_of)
            self.graph_part = Part.read_from(mark, noting.names)
            self.networks = {}
            settle_soon()
        return self.graph

    def network_graph(self) -> nx.Graph:
        with self.lock:
            return self._graph()

    def network(self, threshold: int) -> NetworkReport:
        with self.lock:
            graph, networks = self._graph(), self.networks
            rep = networks.get(threshold)
        if rep is None:  # measured outside the lock: matching need not wait for it
            s = self.data.scope
            rep = analyse(graph, s.label, s.code, threshold=threshold)
            with self.lock:  # the graph's own reports (a new graph has a new dict)
                networks[threshold] = rep
            settle_soon()
        return rep

    def match(self, **kw: Any) -> MatchPlan:
        data = self._data()
        with paused_gc():
            return plan_over(self.reads, data.scope, data.demands, **kw)


def _merged(rows: list[Row], places: frozenset[str], again: list[Row]) -> list[Row]:
    """``rows`` (demands or whistles, by code) with those raised in ``places`` replaced
    by ``again``, as read again there."""
    kept = [r for r in rows if (r["compound"] if r["compound"] is not None
                                else r["community"]) not in places]
    return sorted(kept + again, key=lambda r: r["code"])


class Projections:
    """The bounded LRU of projections (at most ``entries``; 0 keeps none)."""

    def __init__(self, entries: int) -> None:
        self.entries = max(0, entries)
        self._kept: OrderedDict[tuple[int, Key], Projection] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # projections read from the store (the tests count them)

    def get(self, store: Store, label: str, code: str, as_of: str | None,
            now: Generation | None = None) -> Projection:
        """The projection of ``label:code`` at ``as_of`` (today when None), with each
        part read again that a write could have changed since it was read.  ``now``: the
        generation as the caller already read it, before any of its reads (an API
        request's); only its stamp is used, this process's writes are counted by name."""
        key = (id(store), (label, code, parse_as_of(as_of)))
        stamp = now[1] if now is not None else read_stamp(store)  # before any read
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and (kept.store is not store or kept.stamp != stamp):
            kept = None
        if kept is not None and kept.places.current():
            with self._lock:
                if key in self._kept:
                    self._kept.move_to_end(key)
            return kept
        mark, places, demanding = write_mark(code), Noting(store), Noting(store)
        with paused_gc():
            data = fetch(places, label, code, key[1][2], demand_store=demanding)
        made = Projection(store, stamp, data, Part.read_from(mark, places.names),
                          Part.read_from(mark, demanding.names, area=code), KeptReads(store))
        if kept is not None:  # the places moved: what else is still current is kept
            with kept.lock:
                made.graph, made.graph_part, made.networks = \
                    kept.graph, kept.graph_part, kept.networks
            made.reads = kept.reads
        with self._lock:
            self.builds += 1
            if self.entries:
                self._kept[key] = made
                self._kept.move_to_end(key)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)
        settle_soon()
        return made

    @property
    def refreshes(self) -> int:
        """Parts of the kept projections read again on their own (the tests count them)."""
        with self._lock:
            return sum(p.refreshes for p in self._kept.values())

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
               options: Options | None = None, now: Generation | None = None,
               keys: frozenset[str] | None = None) -> IndicatorReport:
    """``analysis.indicators.compute_indicators``, from the projection (``now``: as in
    :meth:`Projections.get`); ``keys``: as in :meth:`Projection.indicators` (the report
    may hold only the place figures, every one of ``keys`` among them)."""
    return shared().get(store, label, code, as_of, now).indicators(options or Options(), keys)


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
