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
in the two cases above, and whenever the text holds a form it does not read (it fails
closed): label expressions and dynamic labels, a node with ``WHERE`` or nested maps, a
relationship with brackets inside, quantified ``-->+``, procedures and namespaced
functions (APOC's ``degree`` sees new relationships unnamed), quoted names that are not
plain words.  Comments and strings are blanked first.  A name too many only costs a
read again.

Writes that change or delete what existed are read the same way, from their own text
(``graph.changed``): a changed node counts under its labels and every relationship type
that can touch it, since an unlabelled end on a typed relationship reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from graph.model import MEMBER

Names = frozenset[str] | None  # None: anything
SAME_NODES = frozenset({"Person", MEMBER})  # labels borne by one node together

# Strings, comments and quoted names, in one left-to-right pass (a quote in a comment
# or a name must not start a "string").
_OPAQUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`([^`]*)`|//[^\n]*|/\*.*?\*/",
                     re.DOTALL)
_NODE = re.compile(r"\(\s*(\w*)\s*((?::\s*\w+\s*)*)(\{[^{}]*\})?\s*\)")
_LABEL_TEST = re.compile(r"\b\w+((?::[A-Za-z_]\w*)+)")  # p:Member, SET n:Member
_REL = re.compile(r"-\s*\[([^\[\]]*)\]\s*-")
_REL_OPEN = re.compile(r"-\s*\[")
_TYPES = re.compile(r":\s*(\w+)((?:\s*\|\s*:?\s*\w+)*)\s*$")
_BARE_REL = re.compile(r"\)\s*<?-->?\s*[(+*{]")  # (a)--(b), (a)-->(b), (a)<--+(b)
# What the forms above do not read, and so must answer "anything": label expressions
# and dynamic labels (Neo4j 5), a node with WHERE inside or an unparsed map, procedure
# and namespaced function calls (APOC's degree sees new relationships unnamed).
UNREAD = re.compile(
    r"\([^()]*:[^(){}]*[|&!%]"          # (n:X|Y), (n:!X), (n:%)
    r"|[(\[]\s*\w*\s*:\s*[!%($]"          # -[:!T]-, (n:$(…)), (n:(X|Y))
    r"|[|&]\s*!"                        # -[:T|!U]-
    r"|\bIS\s+(?!NULL\b|NOT\b)\w"        # (n IS X)
    r"|\bCALL\b(?!\s*\{)"                 # CALL db.labels(), CALL apoc…
    r"|\b\w+\.\w+\s*\(",                  # apoc.node.degree(n)
    re.IGNORECASE)


def union(a: Names, b: Names) -> Names:
    """Names seen through either (None, anything, absorbs the rest)."""
    return None if a is None or b is None else a | b


def widened(names: Iterable[str]) -> frozenset[str]:
    """``names`` with the labels their nodes always bear besides (Person ⇔ Member)."""
    found = frozenset(names)
    return found | SAME_NODES if found & SAME_NODES else found


def names_in(listed: str, sep: str = ":") -> set[str]:
    """The names of a label list (``:A:B``) or, with ``sep="|"``, a type list
    (``:T|U``), as the patterns here capture them."""
    return {n.strip(" :") for n in listed.split(sep) if n.strip(" :")}


def plain(cypher: str) -> str | None:
    """The text with strings and comments blanked and quoted names unquoted; None when
    a quoted name is not a plain word, or is a keyword (`` `skip` `` unquoted would
    start a clause).  An unquoted name touching a word is set apart by a space
    (``AS `m`SET`` reads ``AS m SET``)."""
    odd = False

    def one(m: re.Match[str]) -> str:
        nonlocal odd
        name = m.group(1)
        if name is None:
            return "''" if m.group(0)[0] in "'\"" else " "
        odd = odd or not re.fullmatch(r"\w+", name) or name.upper() in KEYWORDS
        before = " " if re.match(r"\w", cypher[m.start() - 1:m.start()]) else ""
        after = " " if re.match(r"\w", cypher[m.end():m.end() + 1]) else ""
        return before + name + after

    text = _OPAQUE.sub(one, cypher)
    return None if odd else text


# Words that read as Cypher (or GQL) syntax when unquoted: a quoted name spelled so is
# not read (plain).
KEYWORDS = frozenset("""MATCH OPTIONAL MERGE CREATE INSERT SET REMOVE DELETE DETACH NODETACH
    WITH RETURN UNWIND WHERE ORDER BY SKIP OFFSET LIMIT UNION ALL FOREACH CALL LOAD CSV DROP
    USE FINISH SHOW ON AS YIELD LET FILTER NEXT WHEN THEN ELSE END CASE EXISTS COUNT COLLECT
    IS NOT AND OR XOR IN DISTINCT ASC DESC ASCENDING DESCENDING""".split())


@lru_cache(maxsize=4096)  # the dashboard's texts: a few hundred in use
def seen_names(cypher: str) -> Names:
    """The labels and relationship types through which ``cypher`` can see new nodes
    and relationships, or None when it could see them without naming them."""
    text = plain(cypher)
    if text is None or UNREAD.search(text) or _BARE_REL.search(text):
        return None
    found: set[str] = set()
    rels = list(_REL.finditer(text))
    if len(rels) != len(_REL_OPEN.findall(text)):
        return None  # a relationship with brackets inside: not read, so not trusted
    for rel in rels:
        head = re.split(r"[{*]", rel.group(1), maxsplit=1)[0]  # before properties, length
        typed = _TYPES.match(re.sub(r"^\s*\w*\s*", "", head))  # after the variable
        if typed is None:
            return None
        found.add(typed.group(1))
        found |= names_in(typed.group(2), "|")
    for opening in re.finditer(r"\(", text):
        at = opening.start()
        if _called(text, at):
            continue  # a function's arguments (``count(n)``, ``collect({n: n})``)
        node = _NODE.match(text, at)
        if node is None:
            if _node_like(text[at + 1:]):
                return None  # (:X {a: {b: 1}}), (n WHERE …): a node not read here
            continue  # an expression in parentheses
        labels = node.group(2)
        if labels:
            found |= names_in(labels)
        elif not _on_relationship(text, node.start(), node.end()):
            return None  # (n), (), ({code: $c}): any label
    for labels in _LABEL_TEST.findall(text):
        found |= names_in(labels)
    return widened(found)


_KEYWORDS = frozenset({"MATCH", "MERGE", "CREATE", "OPTIONAL", "WHERE", "AND", "OR", "XOR",
                       "NOT", "EXISTS", "WITH", "RETURN", "UNWIND", "DELETE", "SET", "IN",
                       "WHEN", "THEN", "ELSE", "CASE"})


def _node_like(rest: str) -> bool:
    """Whether what follows an unparsed ``(`` opens a node pattern: a label, a map, or
    a variable followed by one of those or by ``WHERE``; a keyword (``EXISTS {``,
    ``NOT``) or anything else opens an expression."""
    m = re.match(r"\s*(\w*)\s*([:{]|WHERE\b)?", rest, re.IGNORECASE)
    if m is None or m.group(2) is None:
        return False
    return m.group(1).upper() not in _KEYWORDS and m.group(1).upper() not in _SUBQUERIES


_SUBQUERIES = frozenset({"COUNT", "COLLECT"})


def _called(text: str, start: int) -> bool:
    """Whether the parenthesis at ``start`` opens a function's arguments: a name right
    before it, no space (``count(n)``); a keyword there (``MATCH(n)``) opens a pattern."""
    name = re.search(r"(\w+)$", text[:start])
    return name is not None and name.group(1).upper() not in _KEYWORDS


def _on_relationship(text: str, start: int, end: int) -> bool:
    before, after = text[:start].rstrip(), text[end:].lstrip()
    return before.endswith(("-", ">")) or after.startswith(("-", "<"))
