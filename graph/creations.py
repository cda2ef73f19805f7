"""Which newly created nodes and relationships a read can see, from its Cypher text.

Most writes of a busy service only create: ``raiseDemand`` adds a demand and its
``RAISED_IN``/``RAISED_BY`` and changes nothing that existed (``graph.writer``'s
``new=True`` writes).  A kept answer (``api.kept``) that cannot see such new things
stays valid across them, instead of being read again after every write of any kind.

A read sees a new node only through a pattern that names its label, or by walking one
of its relationships, which are new too and so of a type the write created.  So a read
that names none of the labels and types a write created cannot have changed, *provided*
it has no pattern that reaches data without naming it:

* a relationship without a type (``-[r]-``, ``-[*1..3]-``, ``--``, ``-->``);
* a node pattern with no label that is not on a relationship (``MATCH (n)``,
  ``({code: $code})``): it matches nodes of any label, new ones included.

An unlabelled node *on* a typed relationship (``(c)<-[:PART_OF]-(t)``) is fine: a new
node hangs only on new relationships.  :func:`seen_names` answers ``None`` ("anything")
in the two cases above; a name too many only costs a read again.  Writes that change or
delete what existed are never creation-only (``graph.store.creating_only``): every kept
answer is read again after them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from graph.model import MEMBER

Names = frozenset[str] | None  # None: anything
SAME_NODES = frozenset({"Person", MEMBER})  # labels borne by one node together

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NODE = re.compile(r"\(\s*(\w*)\s*((?::\s*`?\w+`?\s*)*)(\{[^{}]*\})?\s*\)")
_LABEL_TEST = re.compile(r"\b\w+((?::`?[A-Za-z_]\w*`?)+)")  # p:Member, SET n:Member
_REL = re.compile(r"-\s*\[([^\[\]]*)\]\s*-")
_TYPES = re.compile(r":\s*`?(\w+)`?((?:\s*\|\s*:?\s*`?\w+`?)*)")
_BARE_REL = re.compile(r"\)\s*<?-->?\s*\(")


def widened(names: Iterable[str]) -> frozenset[str]:
    """``names`` with the labels their nodes always bear besides (Person ⇔ Member)."""
    found = frozenset(names)
    return found | SAME_NODES if found & SAME_NODES else found


@cache
def seen_names(cypher: str) -> Names:
    """The labels and relationship types through which ``cypher`` can see new nodes
    and relationships, or None when it could see them without naming them."""
    text = _STRING.sub("''", cypher)
    found: set[str] = set()
    for rel in _REL.finditer(text):
        head = re.split(r"[{*]", rel.group(1), maxsplit=1)[0]  # before properties, length
        typed = _TYPES.match(re.sub(r"^\s*\w*\s*", "", head))  # after the variable
        if typed is None:
            return None
        found.add(typed.group(1))
        found.update(t.strip(" :`") for t in typed.group(2).split("|") if t.strip(" :`"))
    if _BARE_REL.search(text):
        return None
    for node in _NODE.finditer(text):
        if _called(text, node.start()):
            continue  # a function's arguments (``count(n)``, ``collect({n: n})``)
        var, labels, props = node.groups()
        if labels:
            found.update(p.strip(" `") for p in labels.split(":") if p.strip(" `"))
        elif (var or props) and not _on_relationship(text, node.start(), node.end()):
            return None
    for labels in _LABEL_TEST.findall(text):
        found.update(p.strip("`") for p in labels.split(":") if p)
    return widened(found)


_KEYWORDS = frozenset({"MATCH", "MERGE", "CREATE", "OPTIONAL", "WHERE", "AND", "OR", "XOR",
                       "NOT", "EXISTS", "WITH", "RETURN", "UNWIND", "DELETE", "SET", "IN",
                       "WHEN", "THEN", "ELSE", "CASE"})


def _called(text: str, start: int) -> bool:
    """Whether the parenthesis at ``start`` opens a function's arguments: a name right
    before it, no space (``count(n)``); a keyword there (``MATCH(n)``) opens a pattern."""
    name = re.search(r"(\w+)$", text[:start])
    return name is not None and name.group(1).upper() not in _KEYWORDS


def _on_relationship(text: str, start: int, end: int) -> bool:
    before, after = text[:start].rstrip(), text[end:].lstrip()
    return before.endswith(("-", ">")) or after.startswith(("-", "<"))
