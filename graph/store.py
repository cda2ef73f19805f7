"""The seam between domain code and databases.

Domain code (loaders, analyses, the API) sees only :class:`Store`: it runs *named*
queries (:class:`Query`) with parameters, reads in auto-commit transactions and writes
either one statement at a time or many statements in one transaction.  One
implementation, :class:`BoltStore`, serves both backends: Neo4j and the embedded
ArcadeDB are both reached through the official ``neo4j`` driver over Bolt, so there is
one query layer and the Neo4j path is exercised by construction.

A caller may put its work under a deadline (:func:`deadline`, a context variable, so it
follows the work into threads started with ``contextvars.copy_context``): every
statement then runs with the time left as the driver's transaction timeout, a statement
is not started once the time is up, and either way :class:`StoreTimeout` is raised.

Writes are counted for the analytic projection (``analysis.projection``): every write
this process sends bumps :func:`local_generation` once it is over (committed or not),
and the bulk paths of every process (``graph.writer.write_graph``: load, replace,
restore, the console's imports) also set a fresh random stamp in the database
(:func:`bump_stamp`, read back with :func:`read_stamp`) inside their transaction.
Each write is also counted under the labels and types it could have changed, read from
its statements' text (``graph.changed``), so that a kept answer that names none of them
stays valid (:func:`generation_seen_by`).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import uuid
import weakref
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol, TypeVar, cast

import neo4j
from neo4j.exceptions import (
    ConstraintError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.changed import changed_names
from graph.creations import Names, union
from graph.i18n import _

T = TypeVar("T")


@dataclass(frozen=True)
class Query:
    """A named, parameterised Cypher statement.

    The name shows up in errors, logs and metrics; the text never contains user input.
    ``plain`` promises that the statement returns plain values only (no nodes,
    relationships or paths), so a read can take the rows as they come instead of
    through the driver's recursive ``Record.data()`` (a fifth of an analysis's time).
    ``optional_names`` marks a read whose text may name labels, types and properties the
    database has never held: a probe asking whether a label or type has any rows yet (on
    an empty Neo4j), or an analysis over optional data (``confirmed``, ``DUTY_OF`` in a
    county with no duty records yet).  The server's "not available in the database"
    notification (01N42, one per name and query: 114 on a first county load, thousands
    for a province's indicator sets) is then the expected answer, not a finding, so those
    reads run with that notification class switched off; every other query keeps it.
    """

    name: str
    cypher: str
    plain: bool = False
    optional_names: bool = False
    # A write that changes demands only (their properties and their RAISED_IN,
    # RAISED_BY and ASSIGNED_TO) may name the column of its rows that lists, for each
    # demand it changed (its ``code`` beside it), the codes of every area that demand is
    # raised under (each of its places and all their ancestors on the spine).  Reads of
    # one area's demands (analysis.projection) then see it only when their area is
    # among them, and reads of one demand (the API's batches per code) only when it is
    # that demand; every other read still counts it by the names it changed (RAISED_IN,
    # ASSIGNED_TO … included: only reads that see demands by area, or one demand, may
    # go by where).
    demand_areas: str | None = None


RETRY_DELAY = 0.01  # seconds before a transaction that lost a write conflict runs again


class StoreError(RuntimeError):
    """A store failure explained for the person at the keyboard."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (stopped, refused, wrong address)."""


class StoreTimeout(StoreError):
    """The work ran past its deadline: the statement was not started, or the store
    cancelled it (the driver's transaction timeout, or ArcadeDB's command timeout)."""


# Monotonic time by which the current work must be done (None: no deadline).
_DEADLINE: ContextVar[float | None] = ContextVar("store_deadline", default=None)
# Neo4j reports a client-set transaction timeout with this code (5.x adds a suffix:
# ...TransactionTimedOutClientConfiguration); ArcadeDB's command timeout uses it too.
_TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOut"


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Run the enclosed work (and the threads it starts with its context) under a
    deadline ``seconds`` from now; an enclosing, earlier deadline still wins."""
    end = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds left before the current deadline (None without one; may be negative)."""
    end = _DEADLINE.get()
    return None if end is None else end - time.monotonic()


def _budget(query: Query) -> float | None:
    """The transaction timeout of a statement starting now; refuse when time is up."""
    left = time_left()
    if left is not None and left <= 0:
        raise StoreTimeout(_("{query} 未开始：请求已超时", query=query.name))
    return left


# Demand-only writes are also counted per demand, in this many buckets by the code's
# hash: bounded memory however many demands a process steps; two demands sharing a
# bucket only cost a read again.
DEMAND_BUCKETS = 4096
# The last demand-only writes, each with the areas it named (:func:`placed_since`): a
# kept read of a scope's demands reads again only the places they lie in, while the
# writes since it was read are all still here.
PLACED_LOG = 1024


def _bucket(demand: str) -> int:
    return zlib.crc32(demand.encode()) % DEMAND_BUCKETS  # the same in every process


class _Counter:
    """A thread-safe counter of the writes this process has finished: all of them, the
    ones that may have changed anything, per label or type the others that named it
    (``graph.changed``), and apart, per area code and per demand, the demand-only
    statements among them (``Query.demand_areas``)."""

    def __init__(self) -> None:
        self._n = 0
        self._changing = 0
        self._named: dict[str, int] = {}
        self._anywhere: dict[str, int] = {}  # named by a statement that did not say where
        self._in_area: dict[str, int] = {}  # demand-only statements, per area code
        self._per_demand = [0] * DEMAND_BUCKETS  # and per demand (its bucket)
        self._placing = 0  # writes that began a demand-only statement
        self._placed = 0  # of those, the ones counted since
        self._seq = 0  # demand-only writes counted, numbered in ``_log``
        self._log: deque[frozenset[str]] = deque(maxlen=PLACED_LOG)  # their areas
        self._lock = threading.Lock()

    def begin_placed(self) -> None:
        """A write is about to run its first demand-only statement."""
        with self._lock:
            self._placing += 1

    def placing(self) -> int:
        with self._lock:
            return self._placing

    def bump(self, names: Names, placed: Placed, began: bool) -> None:
        """One finished write; ``names``: what it could have changed (None: anything);
        ``placed``: the names its demand-only statements changed, the codes of the
        areas those demands lie under, and of the demands; ``began``: it had called
        :meth:`begin_placed`."""
        only_placed, codes, demands = placed
        with self._lock:
            self._placed += began
            self._n += 1
            if names is None:
                self._changing += 1
            for name in names or ():
                self._named[name] = self._named.get(name, 0) + 1
                if name not in only_placed:
                    self._anywhere[name] = self._anywhere.get(name, 0) + 1
            if only_placed:
                for code in codes:
                    self._in_area[code] = self._in_area.get(code, 0) + 1
                for bucket in {_bucket(d) for d in demands}:
                    self._per_demand[bucket] += 1
                self._seq += 1
                self._log.append(codes)

    @property
    def value(self) -> int:
        return self._n

    def seen_by(self, names: Names, area: str | None = None, demand: str | None = None
                ) -> tuple[int, int]:
        with self._lock:
            placed = (self._in_area.get(area, 0) if area is not None
                      else None if demand is None else self._per_demand[_bucket(demand)])
            return _seen(self._n, self._changing, self._named, names, self._anywhere, placed)

    def mark(self, area: str | None) -> WriteMark:
        with self._lock:
            return WriteMark(self._n, self._changing, dict(self._named),
                             dict(self._anywhere), area,
                             self._in_area.get(area, 0) if area is not None else 0,
                             self._placed, self._seq)

    def placed_since(self, after: int, upto: int, area: str) -> frozenset[str] | None:
        with self._lock:
            first = self._seq - len(self._log) + 1  # the number of the oldest kept
            if after + 1 < first or upto > self._seq:
                return None
            named = list(islice(self._log, after + 1 - first, upto + 1 - first))
        return frozenset(code for codes in named if area in codes for code in codes)


# what a write's demand-only statements changed (names), the areas their demands lie
# under, and the demands' codes
Placed = tuple[frozenset[str], frozenset[str], frozenset[str]]


def _seen(n: int, changing: int, named: dict[str, int], names: Names,
          anywhere: dict[str, int], placed: int | None) -> tuple[int, int]:
    """The part of ``n`` writes a read through ``names`` could see (see
    :func:`generation_seen_by`); ``placed``: the demand-only writes under the read's
    area or of its demand (None: the read is neither)."""
    if names is None:
        return n, 0
    if placed is None:
        return changing, sum(named.get(name, 0) for name in names)
    return changing, sum(anywhere.get(name, 0) for name in names) + placed


@dataclass(frozen=True)
class WriteMark:
    """This process's writes as counted at one moment (:func:`write_mark`)."""

    n: int
    changing: int
    named: dict[str, int]
    anywhere: dict[str, int]
    area: str | None  # the area it was taken for (write_mark), and its count
    in_area: int
    placed: int  # demand-only writes counted
    seq: int = 0  # the number of the last one (placed_since)

    def seen_by(self, names: Names, area: str | None = None) -> tuple[int, int]:
        """:func:`generation_seen_by` as it stood at the mark (``area``: the one the
        mark was taken for)."""
        if area is not None and area != self.area:
            raise ValueError(f"a mark taken for {self.area!r} cannot tell {area!r}")
        placed = None if area is None else self.in_area
        return _seen(self.n, self.changing, self.named, names, self.anywhere, placed)

    def overlapped(self) -> bool:
        """Whether a demand-only write not counted at the mark began before now: call it
        once the reads are done.  Its areas were read when its statement ran; a move of
        the spine or of a demand's place committed meanwhile, and seen by the reads, may
        have put the demand under an area it did not name.  A read by area it overlapped
        must not be trusted by area (analysis.projection reads it again)."""
        return _WRITES.placing() > self.placed


_WRITES = _Counter()


def generation_seen_by(names: Names, area: str | None = None, demand: str | None = None
                       ) -> tuple[int, int]:
    """The part of this process's writes a read through ``names`` (graph.creations'
    ``seen_names``; None: anything) could see: it changes after every write that may
    have changed anything, and after every other one that named one of ``names``
    (graph.changed).  ``area``: the read sees demands only as those raised under the
    area with this code (and, one hop on, their takers' codes and names): a write that
    changed demands only (``Query.demand_areas``) moves it only when it changed one
    under that area.  ``demand``: the read sees demands only as the one with this code
    (and the nodes one hop from it): such a write moves it only when it changed that
    demand (or one sharing its bucket).  Read it before the read, as
    :func:`local_generation`."""
    return _WRITES.seen_by(names, area, demand)


def placed_since(after: int, upto: int, area: str) -> frozenset[str] | None:
    """Every area code named by the demand-only writes numbered ``after + 1`` to ``upto``
    (``WriteMark.seq``) that named ``area``: among them, the places (compounds,
    communities) their demands lay in before and after each write.  None when some of
    those writes are no longer logged (:data:`PLACED_LOG`)."""
    return _WRITES.placed_since(after, upto, area)


def write_mark(area: str | None = None) -> WriteMark:
    """The counts of this process's writes now, for reads that learn what they could see
    only as they go (an analysis runs whatever queries its scope needs): take the mark
    before the first read, then ``mark.seen_by(names)`` once the names are known is what
    :func:`generation_seen_by` would have said before the reads.  ``area``: the one
    area whose demand-only count the mark keeps (``mark.seen_by(names, area)``), rather
    than a copy of every area's."""
    return _WRITES.mark(area)


def local_generation() -> int:
    """How many writes (statements or transactions, any store) this process has
    finished, committed or not.  Bumped *after* the write is over: a reader that sees the
    same value before and after its reads saw no write of this process land in between
    that it could have missed (the projection keys what it read by this value)."""
    return _WRITES.value


# The database's own write stamp: one node, outside the model (its label is not one of
# graph.model's, so dumps, counts and the API never see it), set to a fresh random value
# by every bulk write.  Random rather than counted: no read-modify-write to conflict on,
# and a store emptied and reloaded never shows an old value again.
STAMP_LABEL = "JinlinWriteStamp"
BUMP_STAMP = Query("bump_write_stamp",
                   f"MERGE (s:{STAMP_LABEL} {{key: 'writes'}}) SET s.stamp = $stamp")
READ_STAMP = Query("read_write_stamp", f"MATCH (s:{STAMP_LABEL}) RETURN s.stamp AS stamp",
                   plain=True, optional_names=True)


def bump_stamp(tx: Transaction) -> None:
    """Mark the database written, inside the writing transaction (commits with it)."""
    tx.run(BUMP_STAMP, stamp=uuid.uuid4().hex)


def read_stamp(store: Store) -> str:
    """The database's write stamp ("" before any bulk write): a read of one node, a few
    milliseconds."""
    return "|".join(sorted(str(r["stamp"]) for r in store.read(READ_STAMP)))


class Transaction(Protocol):
    def run(self, query: Query, **params: Any) -> list[dict[str, Any]]: ...


class Reader(Protocol):
    """What code that only looks things up needs of a store (a view of one may narrow
    what it sees: api.console.ledger_import)."""

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]: ...


class Store(Protocol):
    """What domain code may ask of a database."""

    backend: str  # "arcadedb" or "neo4j"
    round_trips: int  # queries sent since opening: the N+1 tests read it

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]: ...

    def write(self, query: Query, **params: Any) -> list[dict[str, Any]]: ...

    def transaction(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one write transaction: committed when it returns, rolled back
        when it raises, and run again from the start when it loses a write conflict to
        a concurrent transaction, so ``work`` must keep its state inside."""
        ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...


class _Changed:
    """What the statements of one transaction could have changed, over every attempt
    the driver makes (graph.changed), kept apart for its demand-only statements with
    the demands' codes and the areas they lie under (``Query.demand_areas``)."""

    def __init__(self) -> None:
        self.names: Names = frozenset()
        self.placed: frozenset[str] = frozenset()  # named by demand-only statements
        self.elsewhere: Names = frozenset()  # named by the others
        self.areas: set[str] = set()
        self.demands: set[str] = set()
        self.began = False

    def begin(self, query: Query) -> None:
        """Before a statement runs: a demand-only one opens the write's window."""
        if query.demand_areas is not None and not self.began:
            _WRITES.begin_placed()
            self.began = True

    def add(self, query: Query, rows: list[dict[str, Any]] | None) -> None:
        """One statement, and its rows (None: it failed, or gave no rows to read)."""
        names = changed_names(query.cypher)
        self.names = union(self.names, names)
        if query.demand_areas is None or rows is None or names is None:
            self.elsewhere = union(self.elsewhere, names)
            return
        areas = [row.get(query.demand_areas) for row in rows]
        lists = [codes for codes in areas if isinstance(codes, list)]
        demands = [row.get("code") for row in rows]
        if len(lists) < len(areas) or None in demands:  # a row that does not say where
            self.elsewhere = union(self.elsewhere, names)
            return
        self.placed |= names
        self.areas.update(str(code) for codes in lists for code in codes)
        self.demands.update(map(str, demands))

    def count(self) -> None:
        only = self.placed - (self.elsewhere or frozenset())
        _WRITES.bump(self.names, (only, frozenset(self.areas), frozenset(self.demands)),
                     self.began)


class _Tx:
    """One attempt of a managed transaction; ``changed`` gathers what its statements
    could have changed."""

    def __init__(self, store: BoltStore, tx: neo4j.ManagedTransaction,
                 changed: _Changed) -> None:
        self._store = store
        self._tx = tx
        self._changed = changed

    def run(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        self._store._count()
        rows = None
        try:
            _budget(query)  # the transaction's own timeout bounds the statement itself
            self._changed.begin(query)
            with _explained(query, keep_transient=True):
                rows = self._tx.run(query.cypher, params).data()
            return rows
        finally:
            self._changed.add(query, rows)


@contextmanager
def _explained(query: Query, keep_transient: bool = False) -> Iterator[None]:
    """Driver errors as StoreErrors a person can read.  Inside a managed transaction
    transient errors pass unchanged, for the driver to retry the transaction.

    A Ctrl-C that lands while the driver reads a reply leaves its connection half read;
    the session's clean-up then fails on it (``BufferError``) and that error would hide
    the interrupt: the interrupt is raised again instead.  The open transaction is not
    committed (the server rolls it back when the connection goes)."""
    try:
        try:
            yield
        except Exception as exc:
            if _after_interrupt(exc):
                raise KeyboardInterrupt from exc
            raise
    except TransientError:
        if keep_transient:
            raise
        raise StoreError(_("{query} 与同时进行的另一项修改发生写冲突，未能及时重试；请再试一次",
                           query=query.name)) from None
    except (ServiceUnavailable, SessionExpired, OSError) as exc:
        raise StoreUnavailable(_("图数据库暂时不可用，请稍后再试（{query}：{error}）",
                                 query=query.name, error=type(exc).__name__)) from exc
    except ConstraintError as exc:
        raise StoreError(_("{query}：违反了唯一性约束：{detail}", query=query.name,
                           detail=exc.message)) from exc
    except Neo4jError as exc:
        left = time_left()
        # past the deadline, a terminated transaction is ours (Neo4j 4.4 may report
        # the timeout as Transaction.Terminated)
        if (exc.code or "").startswith(_TIMED_OUT) or (left is not None and left <= 0):
            raise StoreTimeout(_("{query} 已取消：请求已超时", query=query.name)) from exc
        raise StoreError(_("{query} 失败：{detail}", query=query.name,
                           detail=exc.message or exc)) from exc


def _after_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while a KeyboardInterrupt was being handled."""
    seen: set[int] = set()
    cause = exc.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__context__
    return False


class _QuietAfterInterrupt(logging.Filter):
    """Drops the driver's complaints about the connection a Ctrl-C left half read
    ("RESET received IGNORED (unexpected response) => dropping connection"), logged
    while the interrupt is handled: the driver drops that connection, as it should, and
    the interrupt is reported where it is caught (the command line: one line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = sys.exc_info()[1]
        return exc is None or not (isinstance(exc, KeyboardInterrupt) or _after_interrupt(exc))


logging.getLogger("neo4j.io").addFilter(_QuietAfterInterrupt())


class BoltStore:
    """A store reached through the ``neo4j`` driver (Neo4j or embedded ArcadeDB)."""

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str],
        database: str | None,
        backend: str,
    ) -> None:
        self.backend = backend
        self.database = database or None
        self.uri = uri
        self.round_trips = 0
        self.on_first_contact: Callable[[BoltStore], None] | None = None
        self._lock = threading.Lock()
        self._driver = neo4j.GraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=5.0,
            connection_acquisition_timeout=10.0,
            max_transaction_retry_time=5.0,
            # A lost write conflict is retried after ~10 ms, doubling, not the driver's
            # 1 s: ArcadeDB's conflicts last one commit (a few ms), and a second's wait
            # made concurrent writers' p95 over a second (issue 13).
            initial_retry_delay=RETRY_DELAY,
            retry_delay_jitter_factor=0.5,
        )
        _OPEN.add(self)

    def _count(self) -> None:
        with self._lock:
            self.round_trips += 1

    def _session(self, write: bool, optional_names: bool = False) -> neo4j.Session:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        off = [neo4j.NotificationDisabledClassification.UNRECOGNIZED] if optional_names else None
        return self._driver.session(database=self.database, default_access_mode=mode,
                                    notifications_disabled_classifications=off)

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        self._count()
        timeout = _budget(query)
        quiet = query.optional_names
        with _explained(query), self._session(write=False, optional_names=quiet) as session:
            result = session.run(neo4j.Query(query.cypher, timeout=timeout), params)
            if query.plain:
                return [dict(record) for record in result]
            return result.data()

    def write(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        self._count()
        timeout = _budget(query)
        changed, rows = _Changed(), None
        try:
            changed.begin(query)
            with _explained(query), self._session(write=True) as session:
                rows = cast(list[dict[str, Any]], session.execute_write(
                    neo4j.unit_of_work(timeout=timeout)(
                        lambda tx: tx.run(query.cypher, params).data())))
                return rows
        finally:
            changed.add(query, rows)
            changed.count()

    def transaction(self, work: Callable[[Transaction], T]) -> T:
        # The driver's managed transaction retries on transient errors for up to
        # ``max_transaction_retry_time``: two writers adding a relationship to the same
        # node conflict on ArcadeDB (reported as Neo.TransientError...DeadlockDetected,
        # as a deadlock is on Neo4j); 22 of 320 such concurrent writes failed without it.
        name = Query("transaction", "")
        timeout = _budget(name)
        changed = _Changed()
        try:
            with _explained(name), self._session(write=True) as session:
                return session.execute_write(neo4j.unit_of_work(timeout=timeout)(
                    lambda tx: work(_Tx(self, tx, changed))))
        finally:
            changed.count()

    def ping(self) -> bool:
        """Whether the store answers now (the driver reconnects by itself when it returns)."""
        return self.unreachable() is None

    def unreachable(self) -> str | None:
        """Why the store does not answer now, for a person to act on; None when it does.

        The driver reports a wrong password, a database that does not exist and a port
        where nothing listens as different exceptions: each gets its own remedy, instead
        of one "cannot reach" for all three.
        """
        where = f"{self.backend} {self.uri}"
        try:
            with self._session(write=False) as session:
                session.run("RETURN 1 AS ok").consume()
        except neo4j.exceptions.AuthError:
            return _("{where} 拒绝了用户名或密码：请检查 JINLIN_STORE_USER / "
                     "JINLIN_STORE_PASSWORD", where=where)
        except Neo4jError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                return _("{where} 上没有数据库 {database}（社区版只有 neo4j）：请不设 "
                         "JINLIN_STORE_DATABASE 或设为 neo4j", where=where,
                         database=repr(self.database))
            return _("{where} 回答了错误：{code}: {detail}", where=where, code=exc.code,
                     detail=exc.message)
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            return _("{where} 无人应答（{error}）：请确认服务已启动、地址和端口正确"
                     "（JINLIN_STORE_URI）", where=where, error=type(exc).__name__)
        except Exception as exc:  # anything else the driver raises: say what it was
            return _("{where} 不可用：{error}: {detail}", where=where,
                     error=type(exc).__name__, detail=exc)
        first, self.on_first_contact = self.on_first_contact, None
        if first is not None:
            first(self)
        return None

    def close(self) -> None:
        self._driver.close()
        _OPEN.discard(self)


_OPEN: weakref.WeakSet[BoltStore] = weakref.WeakSet()


def close_all() -> None:
    """Close every open driver: an embedded server must not stop under live sessions
    (the JVM then crashes while Python exits)."""
    for store in list(_OPEN):
        store.close()


def in_batches(rows: Sequence[Any] | Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Split rows into lists of at most ``size`` for ``UNWIND $rows``."""
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
