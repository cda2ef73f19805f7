"""The scope checks of writes: is a node visible to the caller, and is it exclusive.

A write may change what the caller's own scope sees and nothing that any scope
outside it sees.  A node is *visible* when it lies in the caller's scope, and
*exclusive* when, besides, it lies in no other scope of the caller's level
(``graph.scope.scopes_under``: e.g. a person living in street A who also holds a post in
street B is visible to both streets' staff and exclusive to neither).  Whatever can
move nodes between scopes needs exclusive nodes: both ends of a link/unlink of a
scope-bearing type (``graph.scope.SCOPE_RELS``), the parent of a create, the node
deleted, the place a demand is raised in; a change across scopes is for a caller whose
scope holds both sides (a county admin for two streets).  Updates, other relationship
types and a demand's taker or resident need visible nodes only: they change no node's
scope.  Both checks are one query (``api.graphql.queries.reach``).
"""

from __future__ import annotations

from typing import Any

from api.graphql import queries
from api.graphql.context import Context, not_in_scope
from api.graphql.types import FieldError
from graph.i18n import N_, _, translate
from graph.model import MEMBER, NODE_BY_LABEL, key_label

# Who may make a change that spans scopes of a caller's level.
_WIDER = {"Community": N_("（如街道或县级工作人员）"), "Street": N_("（如县级管理员）")}


async def reach(ctx: Context, label: str, code: str) -> dict[str, Any] | None:
    """The node as the caller sees it (``props``, ``labels``, ``scopes``: the codes of
    every scope of the caller's level it lies in), or None when it is not visible."""
    rows = await ctx.read(queries.reach(key_label(label), ctx.scope_label), codes=[code])
    return rows[0] if rows else None


def shared_with(ctx: Context, gid: str, row: dict[str, Any]) -> str | None:
    """Why a visible node is not exclusive, naming the other scopes it lies in (None
    when it is exclusive)."""
    others = sorted(set(row["scopes"]) - {ctx.scope_code})
    if not others:
        return None
    wider = _WIDER.get(ctx.scope_label)
    return _("{node} 也在你管辖范围之外的{level}（{others}）内：这一变更会改变那里可见的内容，"
             "需由管辖范围同时包含两边的人员办理{wider}", node=gid,
             level=translate(NODE_BY_LABEL[ctx.scope_label].zh), others=", ".join(others),
             wider=translate(wider) if wider else "")


async def check_end(ctx: Context, errors: list[FieldError], field: str, gid: str,
                    label: str, code: str, exclusive: bool) -> dict[str, Any] | None:
    """The node ``gid`` (matched as ``label``, which may be Member) when it is visible,
    a party member where ``label`` asks for one and, if ``exclusive``, in no other
    scope; otherwise None, with the reason appended to ``errors`` under ``field``."""
    row = await reach(ctx, label, code)
    reason = None
    if row is None:
        reason = not_in_scope(gid)
    elif label == MEMBER and MEMBER not in row["labels"]:
        reason = _("{node} 不是党员", node=gid)
    elif exclusive:
        reason = shared_with(ctx, gid, row)
    if reason:
        errors.append(FieldError(field=field, message=reason))
        return None
    return row
