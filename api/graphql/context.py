"""Per-request state: the caller, the store, and the DataLoaders of this request.

Loaders live exactly one request: batching never mixes callers or scopes, and
nothing a request loaded leaks into the next one.  Reads run on the request's read pool
(api.graphql.pools), never on the default executor that long work may fill.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from api import kept
from api.audit import AuditLog
from api.auth import Caller
from api.events import Bus
from api.graphql import pools, queries
from api.policy import Cap, reads, refusal
from graph.i18n import _
from graph.queries import DEMAND
from graph.settings import Settings
from graph.store import Query, Store


class ApiError(Exception):
    """An error whose message is meant for the client (never masked).

    ``code`` is the stable, language-independent reason a client can branch on; it
    reaches the client as ``extensions.code`` (graphql-core copies an original error's
    ``extensions`` onto the GraphQL error).
    """

    code = "BAD_REQUEST"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code}


class Forbidden(ApiError):
    """The caller's role or scope does not allow this."""

    code = "FORBIDDEN"


@dataclass
class Context:
    store: Store
    settings: Settings
    caller: Caller
    scope_label: str
    scope_code: str
    audit: AuditLog
    events: Bus | None = None  # change events for subscriptions (api.events); None: nobody listens
    loaders: dict[Hashable, DataLoader[Any, Any]] = field(default_factory=dict)
    seen: kept.Seen = field(default_factory=kept.Seen)  # the write generation, once a request

    def params(self, **extra: Any) -> dict[str, Any]:
        """Parameters every scoped query takes: the scope and, for a caller who reads
        only its own demands (no READ_ALL: residents), who it is."""
        subject = None if self.caller.may(Cap.READ_ALL) else self.caller.subject
        return {"scope": self.scope_code, "subject": subject, **extra}

    def require(self, cap: Cap) -> None:
        """Forbidden, with the policy's message, unless the caller's role has ``cap``."""
        if not self.caller.may(cap):
            raise Forbidden(refusal(self.caller.role, cap))

    def require_read(self, label: str) -> None:
        """Forbidden unless the caller's role reads nodes of ``label`` at all."""
        if not reads(self.caller.role, label):
            raise Forbidden(refusal(self.caller.role, Cap.READ_ALL))

    async def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        """Run a read off the event loop (the driver is synchronous), on the read pool."""
        return await pools.current().read(self.store.read, query, **self.params(**params))

    async def read_kept(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        """:meth:`read` for a dashboard read (a page, a count, a scope check), kept until
        the store is next written (api.kept); batches over codes: :meth:`read_kept_each`."""
        return await pools.current().read(self.read_kept_now, query, **params)

    def read_kept_now(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        """:meth:`read_kept` for code already off the event loop."""
        return kept.read(self.store, self.seen, self.settings.projection_entries > 0,
                         query, self.params(**params))

    async def read_kept_each(self, query: Query, codes: list[str],
                             code_of: Callable[[dict[str, Any]], str], demands: bool,
                             **params: Any) -> list[dict[str, Any]]:
        """:meth:`read_kept` for a batch over ``$codes``, kept per code (api.kept);
        ``demands``: the codes are demands' (a step sends back its demand's rows only)."""
        return await pools.current().read(
            kept.read_each, self.store, self.seen, self.settings.projection_entries > 0,
            query, self.params(**params), list(codes), code_of, demands)

    async def require_within(self, label: str, code: str, shown: str) -> None:
        """Forbidden unless the node ``label:code`` (a read's ``scope`` or ``within``,
        as the client wrote it: ``shown``) lies in the caller's scope."""
        if not await self.read_kept(queries.by_codes(label, self.scope_label), codes=[code]):
            raise Forbidden(not_in_scope(shown))

    def related_loader(self, rel_type: str, outgoing: bool, parent: str, other: str,
                       as_of: str | None, first: int) -> DataLoader[str, list[dict[str, Any]]]:
        """One loader per relationship field and arguments: one Cypher per level, at
        most ``first`` related nodes per parent."""
        key = ("rel", rel_type, outgoing, parent, other, as_of, first)
        if key not in self.loaders:
            query = queries.related(rel_type, outgoing, parent, other, self.scope_label)

            async def load(codes: list[str]) -> list[list[dict[str, Any]]]:
                rows = await self.read_kept_each(query, codes, _by_key, parent == DEMAND,
                                                 as_of=as_of, first=first)
                grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in codes}
                for row in rows:
                    grouped[row["key"]].append(row)
                return [grouped[c] for c in codes]

            self.loaders[key] = DataLoader(load_fn=load)
        return self.loaders[key]

    def node_loader(self, label: str) -> DataLoader[str, dict[str, Any] | None]:
        key = ("node", label)
        if key not in self.loaders:
            query = queries.by_codes(label, self.scope_label)

            async def load(codes: list[str]) -> list[dict[str, Any] | None]:
                rows = await self.read_kept_each(query, codes, _by_code, label == DEMAND)
                found = {r["props"]["code"]: r for r in rows}
                return [found.get(c) for c in codes]

            self.loaders[key] = DataLoader(load_fn=load)
        return self.loaders[key]


def _by_key(row: dict[str, Any]) -> str:
    """The parent a row of a relationship field's batch belongs to."""
    return str(row["key"])


def _by_code(row: dict[str, Any]) -> str:
    """The node a row of a look-up by codes is."""
    return str(row["props"]["code"])


def not_in_scope(node: str) -> str:
    """The refusal of a node (``Label:code``) or scope outside the caller's scope."""
    return _("{node} 不在你的管辖范围内", node=node)


def now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def today() -> str:
    return dt.date.today().isoformat()
