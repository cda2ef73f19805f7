"""What a workbench page read, kept until the store is written (issue 13).

The map, the demands board and the network page of a county each send tens of GraphQL
reads: seconds, for an answer that changes only when something is written (the
dashboard keeps its indicator table the same way).  A page keeps what it read in the
store's ``pages`` LRU of :mod:`api.kept`, under that module's rule (valid while the write
generation read before it is unchanged), keyed by what it asked, who asked and in which
language, and by the day (overdue and as-of figures are "on today").

What is kept went through :meth:`View.gql` as that account, so it holds nothing the
account could not read; the key holds the account and its role and scope, so no one
gets another's answer.  Values are shared between requests: read them, never change them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from api.console.web import View, today
from api.kept import Answers, answers_of
from graph.i18n import current


def cache_of(view: View) -> Answers:
    """The pages' cache of the store behind ``view`` (api.kept)."""
    return answers_of(view.backend.store, "pages")


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
    now = await view.backend.pools.read(view.seen.now, view.backend.store)
    found = cache.get(key, now)
    if found is None:
        found = await read()
        cache.put(key, now, found)
    return found
