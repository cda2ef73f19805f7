"""Audit before acknowledge: how a mutation runs, so that no change escapes the audit log.

:func:`audited` runs a mutation with a Context whose store is an :class:`AuditedStore`.
That store lets the mutation commit **one** write transaction, and makes the audit line
(outcome ``ok``) durable as the last step *inside* it, before the commit: if the line
cannot be written the transaction rolls back and the client gets AUDIT_FAILED
("审计日志写入失败，变更已撤销").  So every committed change has its line, and a client
is told "ok" only after both.

- Retries: the driver runs a transaction again when it loses a write conflict (also at
  commit).  Which attempt will commit is unknowable before its commit, so the ``ok``
  line is written by the first attempt that reaches its end and not again by a retry
  (the line names the mutation and its arguments, which a retry repeats unchanged).
  If no attempt commits, an ``error`` line with the same id follows.
- A work function that changed nothing (it returns ``False``, as a demand step whose
  compare-and-set found another status does, or a single delete statement through
  ``write`` reporting ``deleted: 0``) commits without a line; the mutation then gets
  its one line at the end, like refused and invalid ones.
- The mutation's final outcome is settled at the end: nothing more is written when it
  is the ``ok`` already on disk, else a line with the same id (readers take the last
  line per id, see api.audit).  If the request is cancelled while its transaction is
  still running in its thread, the ``error`` line comes first and the transaction's own
  ``ok`` (then, if its commit fails, ``error``) lines follow: the last line is right.
- Arguments that are not model properties (ids, codes, scopes, a resource name) are
  checked with the model's text rule before anything runs (INVALID_INPUT); model
  properties are checked by their Prop and come back as field errors.
- Change events (api.events) are published here, last: ``published`` turns the result
  into the events of what changed, called only once the outcome is settled, so a
  refused, failed or rolled-back mutation never tells a subscriber it happened.
"""

from __future__ import annotations

import dataclasses
import enum
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from strawberry.types.unset import UNSET

from api.audit import AuditEntry
from api.auth import mask
from api.events import Event
from api.graphql.context import ApiError, Context
from api.graphql.reads import strawberry_name
from graph.i18n import _
from graph.model import MAX_TEXT, NODES, RELS, check_text
from graph.store import Query, Store, Transaction

T = TypeVar("T")

PERSONAL = {p.name for n in NODES for p in n.props if p.personal}
# (a link's ends are ids, checked here even where a model property has the same name:
# a points entry's ``source``)
MODEL_PROPS = ({p.name for n in NODES for p in n.props} | {p.name for r in RELS for p in r.props}
               ) - {"source", "target"}
# The audit outcome of a refusal, by its ApiError code (default "refused").
OUTCOMES = {"INVALID_INPUT": "invalid", "AUDIT_FAILED": "error"}


class AuditFailed(ApiError):
    code = "AUDIT_FAILED"

    def __init__(self) -> None:
        super().__init__(_("审计日志写入失败，变更已撤销；请联系管理员检查审计日志文件与磁盘空间"))


class InvalidInput(ApiError):
    code = "INVALID_INPUT"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in vars(value).items() if v is not UNSET}
    if isinstance(value, enum.Enum):
        return value.value
    return value


def audit_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments as plain data for the audit line, phone and ID numbers masked."""
    out = {}
    for key, value in arguments.items():
        value = _plain(value)
        if isinstance(value, dict):
            value = {k: mask(v) if k in PERSONAL else v for k, v in value.items()}
        out[key] = value
    return out


def _check(name: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _check(name, item)
    elif isinstance(value, str):
        try:
            check_text(value)
            if len(value) > MAX_TEXT:
                raise ValueError(_("超过 {max} 个字符（{count} 个）", max=MAX_TEXT,
                                   count=len(value)))
        except ValueError as exc:
            raise InvalidInput(_("参数 {name} 无效：{reason}", name=name, reason=exc)) from None


def check_arguments(arguments: dict[str, Any]) -> None:
    """Refuse (INVALID_INPUT) a bad text in any argument that is not a model property:
    top-level ids and codes, and input fields such as a link's source and target."""
    for key, value in arguments.items():
        plain = _plain(value)
        if isinstance(plain, dict):
            for field, inner in plain.items():
                if field not in MODEL_PROPS:
                    _check(f"{strawberry_name(key)}.{strawberry_name(field)}", inner)
        else:
            _check(strawberry_name(key), plain)


def _changed_nothing(result: Any) -> bool:
    return result is False or (isinstance(result, list) and len(result) == 1
                                and isinstance(result[0], dict)
                                and result[0].get("deleted") == 0)


class AuditedStore:
    """The Store a mutation sees: reads pass through; its one write transaction ends by
    making the mutation's audit line durable (see the module docstring).  ``details``
    turns the work's result into more fields of that line (the command line's imports:
    their counts)."""

    def __init__(self, store: Store, entry: AuditEntry,
                 details: Callable[[Any], dict[str, Any]] | None = None) -> None:
        self._store = store
        self._entry = entry
        self._details = details
        self.backend = store.backend
        self.uri = getattr(store, "uri", None)  # graph.embedded.own_database finds it by this
        self._lock = threading.Lock()
        self._transactions = 0

    @property
    def round_trips(self) -> int:
        return self._store.round_trips

    @round_trips.setter
    def round_trips(self, value: int) -> None:
        self._store.round_trips = value

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self._store.read(query, **params)

    def write(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self.transaction(lambda tx: tx.run(query, **params))

    def transaction(self, work: Callable[[Transaction], T]) -> T:
        with self._lock:
            self._transactions += 1
            if self._transactions > 1:
                raise RuntimeError("a mutation may commit one write transaction only: "
                                   "its audit line vouches for exactly one")

        def audited_work(tx: Transaction) -> T:
            result = work(tx)
            if not _changed_nothing(result):
                try:
                    # a retried attempt finds it written
                    self._entry.settle("ok", self._details(result) if self._details else None)
                except OSError:
                    raise AuditFailed() from None  # raised inside: the driver rolls back
            return result

        try:
            return self._store.transaction(audited_work)
        except BaseException:
            if self._entry.last == "ok":  # written, then the commit failed
                self._entry.settle_quietly("error")
            raise

    def ping(self) -> bool:
        return self._store.ping()

    def close(self) -> None:
        self._store.close()


async def audited(ctx: Context, mutation: str, arguments: dict[str, Any],
                  work: Callable[[Context], Awaitable[T]],
                  published: Callable[[T], Iterable[Event]] | None = None) -> T:
    """Run ``work`` on an audited copy of the context; the result's ``audit`` attribute
    (default "ok") is its outcome, an ApiError "refused" (see OUTCOMES), anything else
    "error".  ``published``: the change events of the result, published once settled
    (api.graphql.changes)."""
    entry = ctx.audit.entry(ctx.caller, mutation, audit_arguments(arguments))
    try:
        check_arguments(arguments)
        result = await work(dataclasses.replace(ctx, store=AuditedStore(ctx.store, entry)))
    except ApiError as exc:
        entry.settle_quietly(OUTCOMES.get(exc.code, "refused"))
        raise
    except BaseException:
        entry.settle_quietly("error")
        raise
    try:
        entry.settle(getattr(result, "audit", "ok"))
    except OSError:
        raise AuditFailed() from None
    if published is not None and ctx.events is not None:
        for event in published(result):
            ctx.events.publish(event)
    return result
