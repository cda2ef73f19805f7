"""What a read can see of newly created data (graph.creations), and the write counts a
kept answer is checked against (graph.store.generation_seen_by).

A read is left kept across a creation-only write when it names none of the labels and
types created *and* has no pattern that reaches data without naming it; these texts
show each rule, on hand-written Cypher and on the API's own dashboard reads.
"""

from __future__ import annotations

import pytest

from api.graphql import queries as api_queries
from graph.creations import seen_names
from graph.store import BoltStore, generation_seen_by, write_mark
from graph.writer import NodeRecord, RelRecord, write_graph


@pytest.mark.parametrize(("cypher", "seen"), [
    # named labels and types; an unlabelled node on a typed relationship is fine
    ("MATCH (c:Compound)<-[:PART_OF|IN_GRID*0..6]-(t) WITH DISTINCT t "
     "MATCH (t)<-[:LIVES_IN]-(n:Member) RETURN count(n) AS n",
     {"Compound", "PART_OF", "IN_GRID", "LIVES_IN", "Member", "Person"}),
    ("MATCH (p:Person {code: $c})-[r:HOLDS_POST]->(o) RETURN labels(o), o.name",
     {"Person", "Member", "HOLDS_POST"}),
    ("MATCH (p:Person) RETURN p:Member AS member", {"Person", "Member"}),  # a label test
    ("MATCH (a:X)-[r:T {since: $d}]->(b:Y) WHERE exists((a)-[:U]->()) RETURN b",
     {"X", "Y", "T", "U"}),
    ("MATCH (d:Demand) WHERE d.title = 'MATCH (n)' RETURN d", {"Demand"}),  # a string
    # reaching data without naming it: anything
    ("MATCH (n) RETURN count(n) AS n", None),
    ("MATCH(n) RETURN n", None),
    ("UNWIND $c AS code MATCH ({code: code}) RETURN 1", None),
    ("MATCH (a:X)-[r]->(b:Y) RETURN b", None),
    ("MATCH (a:X)-[r {k: 1}]->(b:Y) RETURN b", None),
    ("MATCH (a:X)-[*1..3]-(b:Y) RETURN b", None),
    ("MATCH (a:X)-->(b:Y) RETURN b", None),
    ("MATCH (a:X)<--(b:Y) RETURN b", None),
    ("MATCH (a:X) RETURN count (a)", None),  # spaced: read as a pattern, to be safe
    # what the forms do not read is "anything" too (found in review)
    ("MATCH () RETURN count(*) AS n", None),
    ("MATCH (n WHERE n.code = $c) RETURN n", None),
    ("MATCH (n {code: {v: 1}.v}) RETURN n", None),
    ("MATCH (:X {a: {b: 1}}) RETURN count(*)", None),
    ("MATCH (n:X|Y) RETURN n", None),
    ("MATCH (n:!X) RETURN n", None),
    ("MATCH (n IS X) RETURN n", None),
    ("MATCH (n:$($label)) RETURN n", None),
    ("MATCH (a:X)-[:T|!U]->(b:Y) RETURN b", None),
    ("MATCH (a:X)-[:T {k: [1]}]->(b) RETURN b", None),
    ("MATCH (a:X)-[r WHERE r.w IN [1, 2]]->(b) RETURN b", None),
    ("MATCH (a:X)-->+(b:Y) RETURN b", None),
    ("MATCH (a:X) // it's\nMATCH (n) RETURN count(n)", None),
    ("MATCH (a:X) /* don't */ MATCH (n) RETURN count(n)", None),
    ("MATCH (a:`Member~Person`) RETURN a", None),
    ("MATCH (n:Person) RETURN apoc.node.degree(n)", None),
    ("CALL db.labels()", None),
    ("MATCH (a:`X`)-[:`T`]->(b:Y) RETURN b", {"X", "T", "Y"}),
])
def test_what_a_read_can_see(cypher: str, seen: set[str] | None) -> None:
    assert seen_names(cypher) == (None if seen is None else frozenset(seen))


def test_the_dashboard_reads_name_what_they_see() -> None:
    """A member count cannot see a new demand; a demand count can."""
    members = seen_names(api_queries.total("Person", "County", None, True).cypher)
    demands = seen_names(api_queries.total("Demand", "County", None).cypher)
    posts = seen_names(api_queries.related("HOLDS_POST", True, "Person", "PartyOrg",
                                           "County").cypher)
    assert members is not None and demands is not None and posts is not None
    raised = {"Demand", "RAISED_IN", "RAISED_BY"}
    assert not raised & members and not raised & posts
    assert {"Demand", "RAISED_IN"} <= demands


def test_creation_only_writes_move_only_the_reads_that_can_see_them(
        store: BoltStore) -> None:
    members, demands = frozenset({"Person", "Member"}), frozenset({"Demand"})
    before = [generation_seen_by(n) for n in (members, demands, None)]
    write_graph(store, [NodeRecord("Demand", "D1", {"title": "x"})], [], new=True, stamp=False)
    after = [generation_seen_by(n) for n in (members, demands, None)]
    assert [a != b for a, b in zip(before, after, strict=True)] == [False, True, True]
    # a bulk write (not new) also stamps the database: it moves everything
    write_graph(store, [NodeRecord("Demand", "D1", {"title": "z"})], [])
    last = [generation_seen_by(n) for n in (members, demands, None)]
    assert [a != b for a, b in zip(after, last, strict=True)] == [True, True, True]
    # a new member with a home: a member count can see it
    write_graph(store, [NodeRecord("Compound", "C1", {}),
                        NodeRecord("Person", "P1", {"member_status": "in_service"})],
                [RelRecord("LIVES_IN", "Person", "P1", "Compound", "C1")], new=True, stamp=False)
    assert generation_seen_by(members) != last[0]


def test_a_mark_answers_later_as_the_counts_stood_when_it_was_taken(
        store: BoltStore) -> None:
    """A projection's part learns what it could see only from the reads it ran: it takes
    a mark first and asks it once the names are known (analysis.projection)."""
    members, demands = frozenset({"Person", "Member"}), frozenset({"Demand"})
    before = [generation_seen_by(n) for n in (members, demands, None)]
    mark = write_mark()
    write_graph(store, [NodeRecord("Demand", "D1", {"title": "x"})], [], new=True, stamp=False)
    assert [mark.seen_by(n) for n in (members, demands, None)] == before
    assert generation_seen_by(members) == before[0]
    assert generation_seen_by(demands) != before[1]
