"""The areas a user may hand on: their own scope node and every street and community
under it, read through the API as the signed-in user.

The account page offers them as the scope of a new account, the token page as the scope
of a new token; both accept only one of them, so an account or token is never scoped
outside (or above) the user who made it.  "Under" is the API's own answer (the root lists
``streets`` and ``communities`` walk down from the caller's scope node, graph.scope), not a
code prefix; a community lying in two streets is under both.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.auth import Caller
from api.console.web import View
from api.policy import Cap
from graph.spine import SCOPE_LABELS

HOME = """
query Home($id: ID!) {
  node(id: $id) {
    ... on County { code name }
    ... on Street { code name }
    ... on Community { code name }
  }
}
"""
STREETS = """
query Streets($first: Int!, $after: String) {
  list: streets(first: $first, after: $after) {
    edges { node { code name } } pageInfo { hasNextPage endCursor }
  }
}
"""
COMMUNITIES = """
query Communities($first: Int!, $after: String) {
  list: communities(first: $first, after: $after) {
    edges { node { code name } } pageInfo { hasNextPage endCursor }
  }
}
"""
LEVEL_NAMES = {"County": "县(区)", "Street": "街道", "Community": "社区"}


@dataclass(frozen=True)
class Area:
    label: str
    code: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.label}:{self.code}"

    @property
    def title(self) -> str:
        return f"{LEVEL_NAMES[self.label]} {self.name}（{self.code}）"


async def areas(view: View) -> list[Area]:
    """The user's scope node, then the streets and the communities under it, each list in
    code order (every page of it)."""
    label, code = view.scope
    if not view.may(Cap.READ_ALL):  # a resident reads no areas: only its own scope
        return [Area(label, code, code)]
    home = (await view.gql(HOME, id=f"{label}:{code}")).get("node") or {}
    found = [Area(label, code, home.get("name") or code)]
    for level, document in (("Street", STREETS), ("Community", COMMUNITIES)):
        if SCOPE_LABELS.index(level) <= SCOPE_LABELS.index(label):
            continue  # nothing of this level lies under the scope node
        after: str | None = None
        while True:
            page = (await view.gql(document, first=view.backend.settings.page_size_max,
                                   after=after))["list"]
            found += [Area(level, e["node"]["code"], e["node"]["name"] or e["node"]["code"])
                      for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    return found


async def resolve(view: View, scope: str) -> tuple[str, str] | None:
    """The (label, code) of the scope node an account or token names (a code, or
    ``Label:code``), as every request resolves it; None when the store holds no such
    node."""
    resolved = await view.backend.scope_of(Caller(view.caller.role, scope,
                                                  view.caller.subject))
    return resolved if isinstance(resolved, tuple) else None


async def stored_scope(view: View, area: Area) -> str:
    """How to write ``area`` as an account's or a token's scope: its bare code, as
    ``jinlin user add`` writes it, unless the code alone would resolve to another node."""
    return area.code if await resolve(view, area.code) == (area.label, area.code) else area.id
