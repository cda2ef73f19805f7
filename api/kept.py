"""Answers kept until the store is next written (issue 13).

Counting a county's members walks every person of the county (0.1–0.2 s on either
store), and so does every other dashboard figure (a board's counts per status, counts
per area, a map's demands per place, the scope checks of an analysis' drill-down).
Their answers change only when something is written, so they are kept here, each with
the store's write generation (``analysis.projection.generation``: this process's
finished writes and the bulk writers' stamp in the database) read *before* the read
that made it, and used only while the generation is still the same.  The first look
after any write reads the store again: an answer is never older than the last write.
One refinement, for the GraphQL reads: each write moves only the generation of the
reads that could see what it changed.  ``graph.changed`` reads the names from the
write's own Cypher: what it created (``raiseDemand``, seven a second in the load test:
a demand, its RAISED_IN and RAISED_BY), and for what existed, the labels of each node it
changed with every type that can touch them, the types of each relationship.  A read
names what it can see (``graph.creations``): a member count is not read again because
a demand was raised or accepted.
The same rule, and the same caveat, as the analytic projection: a second API replica
writing the same Neo4j is not seen, and ``JINLIN_PROJECTION_ENTRIES=0`` turns this off
with the projection.

Two users of one :class:`Answers` LRU per store:

* the workbench's pages (``api.console.cache``): a whole page's GraphQL answers, keyed
  by the account, role, scope, language and day;
* the GraphQL reads a resolver marks as kept (:func:`read`, ``Context.read_kept``): the
  dashboard reads (pages, counts, scope checks) of at most ``ROWS`` rows, keyed by the
  query's name and text and *every* parameter, the caller's scope and subject included,
  so an answer is only ever reused for a read that would have returned exactly it;
* and apart, the batches of the relationship fields and node look-ups (:func:`read_each`),
  kept per code: a batch holds whichever codes one tick of the event loop gathered, so
  the same batch seldom comes twice, while the same code does.  A demand's are kept
  per demand: after a step the demands board reads the stepped card's compound and
  takers again, not every card's, and the compounds' grids and communities not at all.

Values are shared between requests: :func:`read` hands out copies of the rows (and of
the maps in them: a node's properties).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from analysis.projection import Generation, generation
from graph.changed import touching
from graph.creations import seen_names
from graph.queries import DEMAND
from graph.scope import rels_in
from graph.spine import ANCHORS, SPINE
from graph.store import Query, Store, generation_seen_by, local_generation

ENTRIES = 32  # page answers kept (a county's map: 626 KB of JSON, ~2.5 MB of Python objects)
READ_ENTRIES = 512  # kept GraphQL reads
CODE_ENTRIES = 8192  # kept answers per code (a board's 250 cards: ~1,300 of a few rows each)
CODE_ROWS = 20_000  # and the rows they hold in all
ROWS = 2000  # a read answering more rows than this is not kept (bounds the memory)


class Answers:
    """A bounded LRU of answers, each valid at one write generation (any value that
    moves when the answer may have changed): at most ``entries`` answers, and when
    ``rows`` is given, at most that many rows in all (an answer is a list of rows)."""

    def __init__(self, entries: int, rows: int | None = None) -> None:
        self.entries = max(0, entries)
        self.rows = rows
        self._held = 0  # rows held, when counted
        self._kept: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # answers read from the store (the tests count them)

    def _size(self, value: Any) -> int:
        return 0 if self.rows is None else len(value)

    def get(self, key: Hashable, now: Hashable) -> Any | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept[0] != now:
                return None
            self._kept.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, now: Hashable, value: Any) -> None:
        with self._lock:
            self.builds += 1
            if not self.entries or (self.rows is not None and len(value) > self.rows):
                return
            old = self._kept.pop(key, None)
            if old is not None:
                self._held -= self._size(old[1])
            self._kept[key] = (now, value)
            self._held += self._size(value)
            while len(self._kept) > self.entries or (
                    self.rows is not None and self._held > self.rows):
                self._held -= self._size(self._kept.popitem(last=False)[1][1])

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._held = 0
            self.builds = 0


_CACHES: weakref.WeakKeyDictionary[Store, dict[str, Answers]] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def answers_of(store: Store, use: str = "pages") -> Answers:
    """The LRU of ``store`` for ``use`` ("pages": the workbench's, "reads": GraphQL's,
    "codes": GraphQL's per code)."""
    with _CACHES_LOCK:
        found = _CACHES.setdefault(store, {})
        if use not in found:
            found[use] = (Answers(ENTRIES) if use == "pages" else
                          Answers(CODE_ENTRIES, CODE_ROWS) if use == "codes" else
                          Answers(READ_ENTRIES))
        return found[use]


class Seen:
    """One request's view of the generation: the database's stamp is read once per
    request, and again when this process wrote meanwhile (a mutation, then a count in
    the same request) or after ``MAX_AGE`` seconds (a long-lived context: a
    subscription's)."""

    MAX_AGE = 1.0

    def __init__(self) -> None:
        self._now: tuple[Generation, float] | None = None
        self._lock = threading.Lock()  # a page and its count ask side by side

    def now(self, store: Store) -> Generation:
        with self._lock:
            kept = self._now
            if (kept is None or kept[0][0] != local_generation()
                    or time.monotonic() - kept[1] > self.MAX_AGE):
                kept = self._now = generation(store), time.monotonic()
            return kept[0]


def _now(store: Store, seen: Seen, query: Query) -> tuple[tuple[int, int], str]:
    """This process's writes ``query`` could see (a write that changed nothing it names
    is skipped: graph.changed, graph.creations), and the database's stamp as the request
    saw it."""
    return generation_seen_by(seen_names(query.cypher)), seen.now(store)[1]


def _copies(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: dict(v) if isinstance(v, dict) else v for k, v in r.items()} for r in rows]


def read(store: Store, seen: Seen, on: bool, query: Query, params: dict[str, Any]
         ) -> list[dict[str, Any]]:
    """``store.read(query, **params)``, answered from memory while the store is
    unwritten since the same read (``on``: the app keeps answers at all).  Synchronous:
    call it off the event loop."""
    if not on:
        return store.read(query, **params)
    key = (query.name, query.cypher, repr(sorted(params.items())))
    cache, now = answers_of(store, "reads"), _now(store, seen, query)
    rows = cache.get(key, now)
    if rows is None:
        rows = store.read(query, **params)
        if len(rows) <= ROWS:
            cache.put(key, now, rows)
    return _copies(rows)


def read_each(store: Store, seen: Seen, on: bool, query: Query, params: dict[str, Any],
              codes: list[str], code_of: Callable[[dict[str, Any]], str],
              demands: bool = False) -> list[dict[str, Any]]:
    """:func:`read` of a batch over ``$codes`` whose rows each belong to one of them
    (``code_of``), and whose rows for a code do not depend on the others in the batch
    (``UNWIND $codes``, then each code's own match and cut): kept per code, and only
    the codes not kept are read, in one batch.  Rows come grouped by code, each code's
    in the order the store gave them.

    ``demands``: the codes are demands', and a code's rows see demands only as that
    demand and the nodes one hop from it, checked along their anchors, none of which
    follows a type that can touch a demand (:data:`DEMANDS_APART`): a step of one demand
    then sends back that demand's rows only (graph.store.generation_seen_by), not the
    whole board's.
    """
    if not on:
        return store.read(query, codes=codes, **params)
    shared = (query.name, query.cypher, repr(sorted(params.items())))
    cache = answers_of(store, "codes")
    whole = _now(store, seen, query)  # every code's, unless each demand counts apart
    now: dict[str, tuple[tuple[int, int], str]]
    if demands and DEMANDS_APART:
        names = seen_names(query.cypher)
        now = {code: (generation_seen_by(names, demand=code), whole[1])
               for code in dict.fromkeys(codes)}
    else:
        now = dict.fromkeys(codes, whole)
    found = {code: cache.get((*shared, code), at) for code, at in now.items()}
    missing = [code for code, rows in found.items() if rows is None]
    if missing:
        read_now: dict[str, list[dict[str, Any]]] = {code: [] for code in missing}
        for row in store.read(query, codes=missing, **params):
            read_now[code_of(row)].append(row)
        for code, rows in read_now.items():
            cache.put((*shared, code), now[code], rows)
        found.update(read_now)
    return _copies([row for rows in found.values() for row in rows or ()])


# What read_each(demands=True) rests on: no scope check but a demand's own follows a
# type that can touch a demand (the spine and every other label's anchors), so a write
# of demand Y changes no scope check of what demand X's rows hold.  Were the model to
# change that, demands would be kept like any other code (and a test says so).
DEMANDS_APART = not (rels_in(SPINE, *(path for label, paths in ANCHORS.items()
                                       if label != DEMAND for path in paths))
                     & touching(DEMAND))
