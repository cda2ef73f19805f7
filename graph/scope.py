"""Scope predicates: which nodes a caller scoped to a county, street or community sees.

Scope is decided by the graph, never by code prefixes: a node is in scope when an
anchor path (:data:`graph.spine.ANCHORS`) leads from it to an administrative node that
lies on the spine below the scope node.  The builders here turn the anchors into Cypher
text and are used in two directions; the scope code itself always travels as the
``$scope`` parameter.  They live in ``graph/`` because graph-level code (writes, the
demand life cycle) needs them as much as the API does.

* ``in_scope``: an ``EXISTS`` predicate walking up from a bound node, for queries that
  start from a few nodes (lookups by code, relationship fields, writes).
* ``downward``: ``UNION`` branches walking down from the scope node to the nodes
  anchored under it, for root lists and counts, which would otherwise check every
  node of the label upward (on a county of 21k people: seconds instead of 0.3 s).
* ``scopes_under``: the scopes of one level a bound node lies in, for the exclusivity
  check of writes; ``SCOPE_RELS``: the relationship types the anchors and the spine
  follow, read off the paths themselves.
"""

from __future__ import annotations

import re

from graph.model import NODE_BY_LABEL, key_label
from graph.spine import (
    ANCHORS,
    AREAS,
    DOWN_SPINE,
    LEVELS,
    SCOPE_LABELS,
    SPINE,
    anchor_floor,
    depth,
    down_to,
    down_within,
)

_STEP = re.compile(r"\([^()]*\)|<-\[[^\]]*\]-|-\[[^\]]*\]->")


def reverse(path: str) -> str:
    """The same pattern read from its other end: ``(v)-[:R]->(t)`` → ``(t)<-[:R]-(v)``."""
    steps = _STEP.findall(path)
    if "".join(steps) != path:
        raise ValueError(f"cannot reverse {path!r}")
    out = []
    for step in reversed(steps):
        if step.startswith("("):
            out.append(step)
        elif step.startswith("<-"):
            out.append(step[1:] + ">")
        else:
            out.append("<" + step[:-1])
    return "".join(out)


for _paths in ANCHORS.values():
    for _path in _paths:
        assert reverse(reverse(_path)) == _path, _path


def _walks(label: str, var: str) -> list[str]:
    """Each anchor path of ``label`` from ``var`` to an anonymous administrative node,
    ready to be continued along the spine."""
    walks = []
    for path in ANCHORS[key_label(label)]:
        walk = path.replace("(v)", f"({var})", 1)
        if walk.endswith("(t)"):
            walk = walk[: -len("(t)")] + "()"
        walks.append(walk)
    return walks


def in_scope(label: str, var: str, scope_label: str, param: str = "scope") -> str:
    """Cypher predicate: node ``var`` of ``label`` lies within ``$<param>``.

    ``label`` and ``scope_label`` come from the model's fixed set (checked), so the
    text never carries user input.
    """
    if scope_label not in AREAS:
        raise ValueError(f"{scope_label} cannot be a scope")
    target = f"(:{scope_label} {{code: ${param}}})"
    parts = [f"EXISTS {{ MATCH {walk}{SPINE}{target} }}" for walk in _walks(label, var)]
    return "(" + " OR ".join(parts) + ")"


def scopes_under(label: str, var: str, level: str) -> str:
    """Cypher list: the codes of every ``level`` node (a caller's level: County, Street
    or Community) that node ``var`` lies under, by any anchor path (with repeats).

    A write may only change what the caller's own scope sees: a node whose list holds
    any other code is shared with a scope outside the caller's (api.graphql.guard).  One
    pattern comprehension per anchor path, concatenated: the same paths as
    ``in_scope``, read without a fixed end.
    """
    if level not in SCOPE_LABELS:
        raise ValueError(f"{level} cannot be a caller's scope")
    return " + ".join(f"[{walk}{SPINE}(up:{level}) | up.code]" for walk in _walks(label, var))


# Relationship types that decide scope: those an anchor path or the spine follows.  A
# link or unlink of one of them can move a node (and what hangs on it) into or out of a
# scope; the others only need both ends visible.
_TYPES = re.compile(r"\[:([A-Z_|]+)")


def rels_in(*paths: str) -> frozenset[str]:
    """The relationship types the path patterns ``paths`` follow."""
    return frozenset(t for text in paths for group in _TYPES.findall(text)
                     for t in group.split("|"))


SCOPE_RELS: frozenset[str] = rels_in(SPINE, *(p for paths in ANCHORS.values() for p in paths))


# The variables a downward walk binds besides its node: the top (``s``, by its callers'
# convention) and every area below it (``t``).  A ``where`` must not name them.
WALK_VARIABLES = ("s", "t")
_WALK_VARIABLE = r"(?<![\w$.'])(?:" + "|".join(WALK_VARIABLES) + r")(?![\w'])"


def downward(label: str, var: str, top: str, head: str = "", carry: str = "",
             returns: str = "", level: str | None = None, where: str = "") -> list[str]:
    """UNION branches binding each node ``var`` of ``label`` anchored at or below ``top``.

    The walk goes down: from ``top`` (a node pattern such as ``(s:Street {code:
    $scope})``, or a variable bound by ``head``) down the spine to every administrative
    node ``t``, then backwards along each anchor path of the label to the node, so only
    the nodes under ``top`` are ever touched (the ``in_scope`` form checks every node of
    the label upward).  One branch per anchor path, the same set of nodes as
    ``in_scope``; ``head`` starts every branch and ``carry`` (e.g. ``"g, "``) is kept
    along.  ``label`` may be ``Member``: it labels ``var``, the anchors are Person's.

    Every pattern is written starting from the node already bound (``t``): ArcadeDB
    plans a pattern from its first node, and ``(n:Member)-[..]->()-[..]->(t)`` with
    ``t`` bound took 243 s on the county data where ``(t)<-[..]-()<-[..]-(n:Member)``
    takes 0.09 s.  Hence the anchors are reversed here rather than rewritten.

    ``returns`` replaces what each branch returns (``DISTINCT {carry}{var}``), e.g. one
    list per branch for a count.  ``level``, the level of ``top``: a spine level at or
    below it is then reached in exactly its number of hops (:func:`graph.spine.down_to`),
    and an anchor path's areas no deeper than it can end (:func:`graph.spine.anchor_floor`).
    ``where``, a predicate on ``var`` alone, is checked in every branch before its
    ``DISTINCT``: ArcadeDB makes a node distinct by more than its identity, so keeping
    only the few a filter passes costs a county's filtered demand page a third.  It must
    not name the walk's own variables (:data:`WALK_VARIABLES`): ArcadeDB lets them capture
    a subquery's, even past a ``WITH`` (a taker filter's ``t`` matched the area).
    """
    if key_label(label) not in NODE_BY_LABEL:
        raise ValueError(f"unknown label {label!r}")
    if re.search(_WALK_VARIABLE, where):
        raise ValueError(f"a walk's where names its variables {WALK_VARIABLES}: {where}")
    node = f"({var}:{label})"
    branches = []
    for path in ANCHORS[key_label(label)]:
        if path == "(v)":
            exact = (level is not None and label in LEVELS
                     and depth(label) >= depth(level))
            down = down_to(level, label) if exact and level else DOWN_SPINE
            walk = f"MATCH {top}{down}{node}"
        else:
            back = reverse(path)
            down = down_within(level, anchor_floor(path)) if level else DOWN_SPINE
            walk = (f"MATCH {top}{down}(t) WITH DISTINCT {carry}t "
                    f"MATCH {back[: -len('(v)')]}{node}")
        check = f" WHERE {where}" if where else ""
        branches.append(f"{head}{walk}{check} RETURN {returns or f'DISTINCT {carry}{var}'}")
    return branches
