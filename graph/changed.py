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

It fails closed, answering None ("anything"), on whatever these rules do not read: the
forms ``graph.creations`` does not read, FOREACH, CALL, LOAD CSV, schema commands, a
clause it does not know, a changed variable that no pattern of the statement labels or
types (or that ``AS`` may have rebound), an item of SET, REMOVE or DELETE that is not a
variable, a label outside the model.  Soundness rests on the model's two rules, which
ledgers, ``link`` and ``restore`` all check: a node bears one label (a member also
bears Member, which ``widened`` adds), and a relationship joins only the ends its type
allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from graph.creations import UNREAD, Names, plain, widened
from graph.model import ENDPOINT_LABELS, RELS

# Clause keywords, longest first; only those outside brackets start a clause.
_CLAUSE = re.compile(
    r"(?<![\w.:$])(OPTIONAL\s+MATCH|ON\s+CREATE\s+SET|ON\s+MATCH\s+SET|DETACH\s+DELETE"
    r"|ORDER\s+BY|UNION\s+ALL|LOAD\s+CSV|MATCH|MERGE|CREATE|SET|REMOVE|DELETE|WITH|RETURN"
    r"|UNWIND|WHERE|SKIP|LIMIT|UNION|FOREACH|CALL|DROP|USE|FINISH|SHOW)(?![\w])",
    re.IGNORECASE)
_READ_ONLY = {"OPTIONAL MATCH", "MATCH", "WITH", "RETURN", "UNWIND", "WHERE", "ORDER BY",
              "SKIP", "LIMIT", "UNION", "UNION ALL"}
_PATTERNS = {"MATCH", "OPTIONAL MATCH", "MERGE", "CREATE"}
_SCHEMA = re.compile(r"^\s*(CONSTRAINT|INDEX|RANGE|TEXT|POINT|FULLTEXT|LOOKUP|VECTOR|OR\b"
                     r"|DATABASE|COMPOSITE|ALIAS|USER|ROLE)\b", re.IGNORECASE)
_NODE = re.compile(r"\(\s*(\w*)\s*((?::\s*\w+\s*)*)(?:\{[^{}]*\}|\$\w+)?\s*\)")
_REL = re.compile(r"-\s*\[\s*(\w*)\s*((?::\s*\w+(?:\s*\|\s*:?\s*\w+)*)?)\s*"
                  r"(?:\*[\d.\s]*)?(?:\{[^{}]*\}|\$\w+)?\s*\]\s*-")
_ITEM = re.compile(r"\s*(\w+)\s*(?:\.\s*\w+\s*(?:=.*)?|\+=.*|=.*|((?::\s*\w+\s*)+))\s*$",
                   re.DOTALL)
_RENAMED = re.compile(r"\bAS\s+(\w+)", re.IGNORECASE)
_OPEN, _CLOSE = "([{", ")]}"


@dataclass
class _Statement:
    """What the clauses of one statement bind, create and change."""

    labels: dict[str, set[str]] = field(default_factory=dict)  # node variable -> labels
    types: dict[str, set[str]] = field(default_factory=dict)  # relationship variable -> types
    new: set[str] = field(default_factory=set)  # node variables first bound by CREATE
    created: set[str] = field(default_factory=set)  # labels and types CREATE/MERGE may make
    changed: set[str] = field(default_factory=set)  # variables SET, REMOVE or DELETE name
    relabelled: dict[str, set[str]] = field(default_factory=dict)  # SET/REMOVE n:Label
    renamed: set[str] = field(default_factory=set)  # bound by WITH … AS or UNWIND … AS


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
    found = _Statement()
    for keyword, body in clauses:
        if not _read(found, keyword, body):
            return None
    if found.renamed & found.changed:
        return None  # ``WITH m AS n``: n may no longer be the node its pattern labelled
    return _names(found)


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
    return sum(text.count(c) for c in _OPEN) - sum(text.count(c) for c in _CLOSE)


def _read(found: _Statement, keyword: str, body: str) -> bool:
    """Add one clause to ``found``; False when the clause is not one these rules read."""
    if keyword in _PATTERNS:
        if keyword == "CREATE" and _SCHEMA.match(body):
            return False
        return _patterns(found, keyword, body)
    if keyword in ("WITH", "UNWIND"):
        found.renamed.update(_RENAMED.findall(body))
    if keyword in _READ_ONLY:
        return True
    if keyword in ("SET", "ON CREATE SET", "ON MATCH SET", "REMOVE"):
        return all(_item(found, item) for item in _top_level(body))
    if keyword in ("DELETE", "DETACH DELETE"):
        names = [item.strip() for item in _top_level(body)]
        found.changed.update(names)
        return all(re.fullmatch(r"\w+", name) for name in names)
    return False  # FOREACH, CALL, LOAD CSV, schema and administration commands


def _patterns(found: _Statement, keyword: str, body: str) -> bool:
    """Bind the variables of a pattern clause; CREATE and MERGE also record what they
    may create.  A creating clause must be read whole: anything left after its node and
    relationship patterns (a nested map, a label expression) fails closed."""
    making = keyword in ("CREATE", "MERGE")
    rest = body
    for m in _REL.finditer(body):
        var, types = m.group(1), {t.strip(" :") for t in m.group(2).split("|") if t.strip(" :")}
        if making and not types:
            return False
        if var:
            found.types.setdefault(var, set()).update(types)
        if making:
            found.created.update(types)
        rest = rest.replace(m.group(0), " ", 1)
    for m in _NODE.finditer(body):
        var, labels = m.group(1), {p.strip() for p in m.group(2).split(":") if p.strip()}
        first = var and var not in found.labels
        if var:
            found.labels.setdefault(var, set()).update(labels)
        if keyword == "CREATE" and first:
            found.new.add(var)
        if making:
            if not labels and (first or not var):
                return False  # a node with no label made
            found.created.update(labels)
        rest = rest.replace(m.group(0), " ", 1)
    return not making or not re.search(r"[()\[\]{}:]", rest)


def _item(found: _Statement, item: str) -> bool:
    """One item of SET or REMOVE: ``n.p = …``, ``n += …``, ``n = …``, ``n:Label``."""
    m = _ITEM.fullmatch(item)
    if m is None:
        return False
    found.changed.add(m.group(1))
    if m.group(2):
        found.relabelled.setdefault(m.group(1), set()).update(
            p.strip() for p in m.group(2).split(":") if p.strip())
    return True


def _names(found: _Statement) -> Names:
    names = set(found.created)
    for var in found.changed:
        if var in found.types and var not in found.labels:
            if not found.types[var]:
                return None  # an untyped relationship: of any type
            names |= found.types[var]
            continue
        labels = found.labels.get(var, set()) | found.relabelled.get(var, set())
        if not labels or var in found.types:
            return None  # bound by no labelled pattern (or as node and relationship both)
        if var in found.new and var not in found.relabelled:
            names |= labels  # made by this statement: nothing that existed changed
            continue
        for label in widened(labels):
            if label not in ENDPOINT_LABELS:
                return None
            names |= {label} | touching(label)
    return widened(names)


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
