"""What a write statement can change, named by labels and relationship types.

``graph.creations`` reads a *read's* Cypher for the labels and types through which it
sees data; this module reads a *write's* for the labels and types under which a read
could see a difference afterwards.  ``graph.store`` counts every finished write under
those names, and a kept answer (``api.kept``) is read again only when its names and a
write's meet: a county's member count stays kept while demands move through their life
cycle, a demand board while posts change hands.  Derived from the text every write
already has, so no caller declares anything and none can declare too little.

What one statement changes:

* what CREATE and MERGE may create: the labels of the nodes in their patterns and the
  types of the relationships (a new node hangs only on new relationships:
  ``graph.creations``);
* a node named by SET, REMOVE or DELETE existed (unless this statement's CREATE made
  it).  A read may see it through one of its labels, or through any relationship type
  whose ends allow those labels (``graph.model``): an unlabelled end on a typed
  relationship (``(c)<-[:PART_OF]-(t)``) reads the node's properties, and DETACH DELETE
  takes its relationships with it.  So its labels count, and every type that can touch
  them;
* a relationship named by SET, REMOVE or DELETE: its types.

Variables are followed as Cypher scopes them: WITH passes on only the variables it
names plainly (``WITH a, b``; ``*``: all), UNWIND … AS and UNION start them afresh, and
OPTIONAL MATCH labels only what it binds (an already bound variable keeps its row when
the pattern fails).  A variable counts under what its patterns in the current scope say
*before* the clause that changes it.

It fails closed, answering None ("anything"), on whatever these rules do not read: the
forms ``graph.creations`` does not read, FOREACH, CALL, LOAD CSV, GQL's LET, FILTER,
NEXT and WHEN, schema commands, a clause it does not know, a pattern clause with
anything besides node and relationship patterns (an inline WHERE, a function), a
changed variable that no pattern of its scope labels or types, an item of SET, REMOVE
or DELETE that is not a variable, a label outside the model.

Soundness rests on the model's two rules, which ledgers, ``link`` and ``restore`` all
check: a node bears one label (a member also bears Member, which ``widened`` adds), and a
relationship joins only the ends its type allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from graph.creations import UNREAD, Names, names_in, plain, widened
from graph.model import ENDPOINT_LABELS, RELS

# Clause keywords, longest first; only those outside brackets start a clause.
_CLAUSE = re.compile(
    r"(?<![\w.:$])(OPTIONAL\s+MATCH|ON\s+CREATE\s+SET|ON\s+MATCH\s+SET|DETACH\s+DELETE"
    r"|NODETACH\s+DELETE|ORDER\s+BY|UNION\s+ALL|LOAD\s+CSV|MATCH|MERGE|CREATE|INSERT|SET"
    r"|REMOVE|DELETE|WITH|RETURN|UNWIND|WHERE|SKIP|OFFSET|LIMIT|UNION|FOREACH|CALL|DROP|USE"
    r"|FINISH|SHOW|LET|FILTER|NEXT|WHEN)(?!\w)",
    re.IGNORECASE)
_PASSING = {"RETURN", "WHERE", "ORDER BY", "SKIP", "OFFSET", "LIMIT", "FINISH"}
_PATTERNS = {"MATCH", "OPTIONAL MATCH", "MERGE", "CREATE", "INSERT"}
_MAKING = {"MERGE", "CREATE", "INSERT"}
_SCHEMA = re.compile(r"^\s*(CONSTRAINT|INDEX|RANGE|TEXT|POINT|FULLTEXT|LOOKUP|VECTOR|OR\b"
                     r"|DATABASE|COMPOSITE|ALIAS|USER|ROLE)\b", re.IGNORECASE)
_NODE = re.compile(r"\(\s*(\w*)\s*((?::\s*\w+\s*)*)(?:\{[^{}]*\}|\$\w+)?\s*\)")
_REL = re.compile(r"-\s*\[\s*(\w*)\s*((?::\s*\w+(?:\s*\|\s*:?\s*\w+)*)?)\s*"
                  r"(?:\*[\d.\s]*)?(?:\{[^{}]*\}|\$\w+)?\s*\]\s*-")
_LEFT_OVER = re.compile(r"[^\w\s=,<>-]")  # what a pattern clause holds besides its patterns
_ITEM = re.compile(r"\s*(\w+)\s*(?:\.\s*\w+\s*(?:=.*)?|\+=.*|=.*|((?::\s*\w+\s*)+))\s*$",
                   re.DOTALL)
_OPEN, _CLOSE = "([{", ")]}"
_CASE = re.compile(r"(?<![\w.:$])(CASE|END)(?!\w)", re.IGNORECASE)


@dataclass
class _Scope:
    """The variables bound at one point of a statement."""

    labels: dict[str, set[str]] = field(default_factory=dict)  # node variable -> labels
    types: dict[str, set[str]] = field(default_factory=dict)  # relationship variable -> types
    new: set[str] = field(default_factory=set)  # node variables bound by CREATE

    def keep(self, names: set[str]) -> _Scope:
        return _Scope({v: ls for v, ls in self.labels.items() if v in names},
                      {v: ts for v, ts in self.types.items() if v in names},
                      self.new & names)

    def bound(self) -> set[str]:
        return set(self.labels) | set(self.types)


class _Unread(Exception):
    """The statement holds something these rules do not read: it changes anything."""


@lru_cache(maxsize=4096)  # every write text in use: a few hundred
def changed_names(cypher: str) -> Names:
    """The labels and types under which a read could see what ``cypher`` changed, or
    None when it could have changed anything (see the module docstring)."""
    text = plain(cypher)
    if text is None or UNREAD.search(text):
        return None
    clauses = _clauses(text)
    if clauses is None:
        return None
    scope, names = _Scope(), set[str]()
    try:
        for keyword, body in clauses:
            scope = _clause(scope, names, keyword, body)
    except _Unread:
        return None
    return widened(names)


def _clauses(text: str) -> list[tuple[str, str]] | None:
    """The statement's clauses as (keyword, body), split where a keyword stands outside
    every bracket; None when text comes before the first clause."""
    starts: list[tuple[int, int, str]] = []
    depth, at = 0, 0
    for m in _CLAUSE.finditer(text):
        depth += _depth(text[at:m.start()])
        at = m.start()
        if depth == 0:
            starts.append((m.start(), m.end(), " ".join(m.group(1).upper().split())))
    if not starts or text[:starts[0][0]].strip():
        return None
    ends = [s for s, _e, _k in starts[1:]] + [len(text)]
    return [(kw, text[end:stop]) for (_s, end, kw), stop in zip(starts, ends, strict=True)]


def _depth(text: str) -> int:
    """Brackets opened less those closed; CASE … END counts as a bracket, so the WHEN
    of an expression is not GQL's conditional clause."""
    words = [w.upper() for w in _CASE.findall(text)]
    return (sum(text.count(c) for c in _OPEN) - sum(text.count(c) for c in _CLOSE)
            + words.count("CASE") - words.count("END"))


def _clause(scope: _Scope, names: set[str], keyword: str, body: str) -> _Scope:
    """Read one clause: add what it changes to ``names``; the scope after it."""
    if keyword in _PATTERNS:
        if keyword == "CREATE" and _SCHEMA.match(body):
            raise _Unread
        _patterns(scope, names, keyword, body)
    elif keyword in ("SET", "ON CREATE SET", "ON MATCH SET", "REMOVE"):
        for item in _top_level(body):
            m = _ITEM.fullmatch(item)
            if m is None:
                raise _Unread
            added = names_in(m.group(2) or "")
            names |= _changed(scope, m.group(1), added)
    elif keyword in ("DELETE", "DETACH DELETE", "NODETACH DELETE"):
        for item in _top_level(body):
            if not re.fullmatch(r"\s*\w+\s*", item):
                raise _Unread
            names |= _changed(scope, item.strip(), set())
    elif keyword == "WITH":
        items = _top_level(re.sub(r"^\s*DISTINCT\b", "", body, flags=re.IGNORECASE))
        if [i.strip() for i in items] == ["*"]:
            return scope
        return scope.keep({m.group(1) for i in items
                           if (m := re.fullmatch(r"\s*(\w+)(?:\s+AS\s+\1)?\s*", i, re.I))})
    elif keyword == "UNWIND":
        return scope.keep(scope.bound() - set(re.findall(r"\bAS\s+(\w+)", body, re.I)))
    elif keyword in ("UNION", "UNION ALL"):
        return _Scope()
    elif keyword not in _PASSING:
        raise _Unread  # FOREACH, CALL, LOAD CSV, GQL's LET/FILTER/NEXT/WHEN, commands
    return scope


def _patterns(scope: _Scope, names: set[str], keyword: str, body: str) -> None:
    """Bind the variables of a pattern clause (OPTIONAL MATCH: only those not bound
    yet); CREATE, INSERT and MERGE also add what they may create to ``names``.  The
    clause must be read whole: anything left besides its patterns fails closed."""
    making, optional = keyword in _MAKING, keyword == "OPTIONAL MATCH"
    before, rest = scope.bound(), body
    for m in _REL.finditer(body):
        var, types = m.group(1), names_in(m.group(2), "|")
        if making and not types:
            raise _Unread
        if var and not (optional and var in before):
            scope.types.setdefault(var, set()).update(types)
        if making:
            names |= types
        rest = rest.replace(m.group(0), " ", 1)
    for m in _NODE.finditer(body):
        var, labels = m.group(1), names_in(m.group(2))
        first = bool(var) and var not in scope.labels
        if var and not (optional and var in before):
            scope.labels.setdefault(var, set()).update(labels)
        if keyword in ("CREATE", "INSERT") and first:
            scope.new.add(var)
        if making:
            if not labels and (first or not var):
                raise _Unread  # a node with no label made
            names |= labels
        rest = rest.replace(m.group(0), " ", 1)
    if _LEFT_OVER.search(rest):
        raise _Unread


def _changed(scope: _Scope, var: str, added: set[str]) -> set[str]:
    """What changing ``var`` (and adding or removing the labels ``added``) changes."""
    if var in scope.types and var not in scope.labels:
        if added or not scope.types[var]:
            raise _Unread  # an untyped relationship: of any type
        return set(scope.types[var])
    labels = scope.labels.get(var, set())
    if not labels or var in scope.types:
        raise _Unread  # bound by no labelled pattern (or as node and relationship both)
    if var in scope.new and not added:
        return set(labels)  # made by this statement: nothing that existed changed
    names: set[str] = set()
    for label in widened(labels | added):
        if label not in ENDPOINT_LABELS:
            raise _Unread
        names |= {label} | touching(label)
    return names


@cache
def touching(label: str) -> frozenset[str]:
    """Every relationship type the model allows at a node labelled ``label``."""
    return frozenset(r.type for r in RELS if label in r.sources or label in r.targets)


def _top_level(body: str) -> list[str]:
    """``body`` split at the commas that stand outside every bracket."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(body):
        depth += (c in _OPEN) - (c in _CLOSE)
        if c == "," and depth == 0:
            items.append(body[start:i])
            start = i + 1
    items.append(body[start:])
    return items
