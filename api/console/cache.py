"""What a workbench page read, kept until the store is written (issue 13).

The map, the demands board and the network page of a county each send tens of GraphQL
reads (the map pages through every unfinished demand of the county): seconds, for an
answer that changes only when something is written (the dashboard keeps its indicator
table the same way).  A page keeps what it read here,
keyed by what it asked, who asked and in which language, and by the day (overdue and
as-of figures are "on today"); each entry remembers the store's write generation
(``analysis.projection.generation``: this process's finished writes and the bulk
writers' stamp in the database) read *before* its reads, and is used only while the
generation is still the same.  So the first look after any write reads the store again,
and an answer is never older than the last write: the same rule, and the same caveat,
as the analytic projection (a second API replica writing the same Neo4j is not seen:
``JINLIN_PROJECTION_ENTRIES=0`` turns this cache off with the projection).

What is kept went through :meth:`View.gql` as that account, so it holds nothing the
account could not read; the key holds the account and its role and scope, so no one
gets another's answer.  Values are shared between requests: read them, never change them.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from analysis.projection import Generation, generation
from api.console.web import View, today
from graph.i18n import current
from graph.store import Store

ENTRIES = 32  # page answers kept (a county's map: 626 KB of JSON, ~2.5 MB of Python objects)


class PageCache:
    """A bounded LRU of page answers, each valid at one write generation."""

    def __init__(self, entries: int) -> None:
        self.entries = max(0, entries)
        self._kept: OrderedDict[Hashable, tuple[Generation, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # answers read from the store (the tests count them)

    def get(self, key: Hashable, now: Generation) -> Any | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept[0] != now:
                return None
            self._kept.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, now: Generation, value: Any) -> None:
        with self._lock:
            self.builds += 1
            if self.entries:
                self._kept[key] = (now, value)
                self._kept.move_to_end(key)
                while len(self._kept) > self.entries:
                    self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.builds = 0


_CACHES: weakref.WeakKeyDictionary[Store, PageCache] = weakref.WeakKeyDictionary()  # per store
_CACHES_LOCK = threading.Lock()


def cache_of(view: View) -> PageCache:
    """The cache of the store behind ``view``."""
    store = view.backend.store
    with _CACHES_LOCK:
        found = _CACHES.get(store)
        if found is None:
            found = _CACHES[store] = PageCache(ENTRIES)
        return found


async def kept(view: View, page: str, asked: Hashable,
               read: Callable[[], Awaitable[Any]]) -> Any:
    """What ``read`` answers for ``page`` and ``asked`` (the page's parameters), read
    again only when the store was written since, or for another account, role, scope,
    language, day or app settings (two apps may share one store)."""
    if view.backend.settings.projection_entries <= 0:  # see the module's docstring
        return await read()
    who = (view.account.name, view.caller.role, view.caller.scope)
    key = (page, asked, who, current(), today(), view.backend.settings)
    cache = cache_of(view)
    now = await view.backend.pools.read(generation, view.backend.store)
    found = cache.get(key, now)
    if found is None:
        found = await read()
        cache.put(key, now, found)
    return found
