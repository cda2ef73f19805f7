"""What a write statement can change (graph.changed), and the kept reads it moves.

Each rule on hand-written Cypher, worked out from graph.model's ends: a demand's
properties are seen through Demand and the four types that touch a demand (RAISED_IN,
RAISED_BY, ASSIGNED_TO, ABOUT); a relationship's only through its type.  Then every
write the service makes is read (none falls back to "anything" but the bulk stamp and
the schema), and on a real store a write moves exactly the reads that could see it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analysis import alert_queries
from api.graphql import queries as api_queries
from api.graphql.selfservice import CONFIRM, REPORT
from graph import lifecycle, points, pruning, queries, ratings
from graph import store as store_module
from graph.changed import changed_names, touching
from graph.creations import seen_names
from graph.model import ENTERED_NODES, ENTERED_RELS
from graph.schema import statements
from graph.store import (
    BUMP_STAMP,
    BoltStore,
    Query,
    Transaction,
    generation_seen_by,
    write_mark,
)
from graph.writer import NodeRecord, RelRecord, rel_key, write_graph

DEMAND = {"Demand", "RAISED_IN", "RAISED_BY", "ASSIGNED_TO", "ABOUT"}
PERSON = {"Person", "Member", "WORKS_AT", "LIVES_IN", "HOLDS_POST", "RAISED_BY", "ABOUT",
          "MEMBER_OF", "REPORTED_TO", "LIAISES", "OFFERS", "ASSIGNED_TO", "AWARDED_TO",
          "DUTY_OF"}


def test_what_touches_a_label() -> None:
    assert touching("Demand") == DEMAND - {"Demand"}
    assert touching("Person") | touching("Member") == PERSON - {"Person", "Member"}


@pytest.mark.parametrize(("cypher", "changed"), [
    # reading changes nothing
    ("MATCH (d:Demand {code: $c})-[r]->(x) RETURN d, r, x", set()),
    # a node that existed: its label and every type that can touch it
    ("MATCH (d:Demand {code: $c}) SET d.title = $t", DEMAND),
    ("MATCH (d:Demand {code: $c}) WHERE d.status = 'open' SET d += $p RETURN d.code AS code",
     DEMAND),
    ("MATCH (d:Demand {code: $c}) REMOVE d.due", DEMAND),
    ("MATCH (d:Demand {code: $c}) DETACH DELETE d", DEMAND),
    ("MATCH (d:Demand) SET d.set = 1, d.delete = [x IN $l WHERE x > 1 | x]", DEMAND),
    ("MATCH (d:Demand) SET d.t = 'MATCH (n) DETACH DELETE n' // MATCH (n) SET n.x = 1", DEMAND),
    ("MATCH (p:Person {code: $c}) SET p:Member", PERSON),
    ("MATCH (p:Member {code: $c}) REMOVE p:Member", PERSON),
    ("MERGE (d:Demand {code: $c}) ON CREATE SET d.n = 0 ON MATCH SET d.n = d.n + 1", DEMAND),
    # a relationship: its type
    ("MATCH (:Person {code: $p})-[r:HOLDS_POST {rkey: $k}]->(:PartyOrg) SET r.until = $d",
     {"HOLDS_POST"}),
    ("MATCH (:Person {code: $p})-[r:HOLDS_POST]->(o:PartyOrg) DELETE r", {"HOLDS_POST"}),
    # what CREATE and MERGE make: the labels and types named, nothing that existed
    ("MATCH (m:Member {code: $m}) CREATE (e:PointsEntry $p) "
     "CREATE (e)-[:AWARDED_TO {rkey: ''}]->(m)", {"PointsEntry", "AWARDED_TO"}),
    ("UNWIND $rows AS row CREATE (n:Demand) SET n += row.props", {"Demand"}),
    ("UNWIND $rows AS row CREATE (n:Person:Member) SET n += row.props", {"Person", "Member"}),
    ("MATCH (a:Unit {code: $a}) MATCH (b:Community {code: $b}) "
     "MERGE (a)-[r:CO_BUILDS_WITH {rkey: $k}]->(b) SET r += $p", {"CO_BUILDS_WITH"}),
    # fail closed: anything
    ("MATCH (n {code: $c}) SET n.x = 1", None),  # no label
    ("MATCH (d:Demand)-[:ASSIGNED_TO]->(m) SET m.x = 1", None),  # m: one of three labels
    ("MATCH (a:Demand)-[r]->(b) DELETE r", None),  # no type
    ("MATCH (a:Demand), (b:Person) WITH b AS a SET a.x = 1", None),  # rebound
    ("MATCH (d:Demand) SET d[$key] = 1", None),  # a dynamic property
    ("MATCH (d:Demand) WITH collect(d) AS ds DELETE ds[0]", None),
    ("MATCH (s:JinlinWriteStamp) SET s.stamp = $s", None),  # outside the model
    ("CREATE (x {code: $c})", None),  # a node with no label
    ("MATCH (a:Unit) CREATE (a)-[:CO_BUILDS_WITH]->(b)", None),
    ("MERGE (a:Alert {code: $c, m: {n: 1}})", None),  # a nested map: not read
    ("MATCH (n:Demand|Alert) SET n.x = 1", None),
    ("FOREACH (c IN $codes | CREATE (:Demand {code: c}))", None),
    ("CALL { MATCH (d:Demand) SET d.x = 1 }", None),
    ("MATCH (d:Demand) CALL apoc.create.addLabels(d, ['X']) YIELD node RETURN 1", None),
    ("LOAD CSV FROM $url AS row CREATE (:Demand {code: row[0]})", None),
    ("CREATE CONSTRAINT demand_code IF NOT EXISTS FOR (n:Demand) REQUIRE n.code IS UNIQUE",
     None),
    ("CREATE INDEX demand_status IF NOT EXISTS FOR (n:Demand) ON (n.status)", None),
    ("DROP INDEX demand_status", None),
    ("MATCH (n) DETACH DELETE n", None),
    # found in review: each of these escaped counting before
    ("MATCH (n:Demand) WITH count(n) AS c MATCH (n) SET n.x = c", None),  # WITH drops n
    ("MATCH (n:Demand) RETURN n.code AS k UNION MATCH (n) SET n.x = 1 RETURN n.code AS k",
     None),
    ("CREATE (n:Demand) WITH count(*) AS k MATCH (n:Demand) SET n.seen = k", DEMAND),
    ("MATCH (d:Demand)-[:RAISED_IN]->(c) OPTIONAL MATCH (c:Compound) SET c.x = 1", None),
    ("MATCH (a:Demand)-[r]->(b) OPTIONAL MATCH ()-[r:RAISED_IN]->() DELETE r", None),
    ("MATCH (n) SET n.x = 1, n:Demand", None),
    ("MATCH (:Demand)-[:RAISED_IN]->(c) SET c:Alert, c.x = 1", None),
    ("MATCH (n WHERE NOT (n:Demand)) SET n.x = 1", None),  # an inline WHERE
    ("MATCH (c:Compound WHERE EXISTS { (y:Demand) }) MATCH (y) SET y.x = 1", None),
    ("WITH 1 AS `skip` MATCH (d:Demand), (c:Compound) SET d.x = `skip`, c.x = 1", None),
    ("MATCH (n:Compound) WITH n AS `m`SET m.x = 1", None),  # glued: read as AS m SET
    ("MATCH (c:Compound {code: $c}) INSERT (d:Demand {code: $d})-[:RAISED_IN]->(c)",
     {"Demand", "RAISED_IN"}),
    ("MATCH (d:Demand) WHEN d.x > 1 THEN { MATCH (n) SET n.x = 1 }", None),
    # while CASE … WHEN is an expression, read as such
    ("MATCH (d:Demand) SET d.x = CASE WHEN d.y > 1 THEN 1 ELSE CASE d.z WHEN 1 THEN 2 END END",
     DEMAND),
])
def test_what_a_write_can_change(cypher: str, changed: set[str] | None) -> None:
    assert changed_names(cypher) == (None if changed is None else frozenset(changed))


def _service_writes() -> list[Query]:
    """Every statement the service writes with, for every label and type it takes."""
    found = [ratings.SET_FIRM_STATUS, points.WRITE, REPORT, CONFIRM, alert_queries.UPDATE,
             alert_queries.transition("", "any"), queries.SET_MEMBER_LABEL,
             queries.REMOVE_MEMBER_LABEL]
    for kind in ENTERED_NODES:
        found += [queries.create_nodes(kind.label), queries.update_nodes(kind.label),
                  queries.create_nodes(kind.label, placed=True),
                  queries.update_nodes(kind.label, placed=True), queries.delete_node(kind.label),
                  pruning.delete_nodes(kind.label)]
        found += [alert_queries.create(kind.label, area)
                  for area in ("County", "Street", "Community", "Grid", "Compound")
                  if kind.label not in ("Alert", "AlertRule")]
    for rel in ENTERED_RELS:
        for source in rel.sources:
            for target in rel.targets:
                if rel.allows(source, target):
                    found += [queries.upsert_rels(rel.type, source, target),
                              queries.upsert_rels(rel.type, source, target, placed=True),
                              queries.delete_rel(rel.type, source, target),
                              queries.delete_rel(rel.type, source, target, placed=True)]
            if rel.one:
                found += [queries.delete_others(rel.type, source),
                          queries.delete_others(rel.type, source, placed=True)]
    for scope in ("County", "Street", "Community"):
        for guard in (api_queries.demand_guard(scope), api_queries.task_guard(scope),
                      api_queries.scope_guard(scope)):
            found.append(lifecycle.transition_query(guard))
            found += [lifecycle.dispatch_query(taker, guard) for taker in lifecycle.TAKERS]
    return found


def test_every_write_of_the_service_is_read() -> None:
    """Only the bulk writers' stamp and the schema fall back to "anything"."""
    writes = _service_writes()
    assert len(writes) > 300
    assert [w.name for w in writes if changed_names(w.cypher) is None] == []
    assert changed_names(BUMP_STAMP.cypher) is None
    assert all(changed_names(text.cypher) is None for text in statements())


def test_a_demand_step_changes_only_what_sees_demands() -> None:
    step = lifecycle.transition_query(api_queries.demand_guard("Street"))
    assert changed_names(step.cypher) == frozenset(DEMAND)


def test_a_write_moves_exactly_the_reads_that_can_see_it(store: BoltStore) -> None:
    write_graph(store, [NodeRecord("Compound", "C1", {"name": "甲"}),
                        NodeRecord("Demand", "D1", {"title": "x"}),
                        NodeRecord("Person", "P1", {"member_status": "in_service"})],
                [RelRecord("RAISED_IN", "Demand", "D1", "Compound", "C1"),
                 RelRecord("LIVES_IN", "Person", "P1", "Compound", "C1")])
    members = seen_names("MATCH (c:Compound)<-[:LIVES_IN]-(n:Member) RETURN count(n) AS n")
    place = seen_names("MATCH (:Demand {code: $c})-[:RAISED_IN]->(x) RETURN x.name AS name")
    boards = seen_names("MATCH (d:Demand) RETURN d.status AS s, count(*) AS n")
    reads = (members, place, boards, None)

    def moved(write: Query, **params: object) -> list[bool]:
        before = [generation_seen_by(n) for n in reads]
        store.write(write, **params)
        return [a != b for a, b in zip(before, [generation_seen_by(n) for n in reads],
                                       strict=True)]

    step = Query("t_step", "MATCH (d:Demand {code: $c}) SET d.status = 'accepted'")
    assert moved(step, c="D1") == [False, True, True, True]
    # the compound is read through an unlabelled end of RAISED_IN: its rename moves that
    rename = queries.update_nodes("Compound")
    assert moved(rename, rows=[{"code": "C1", "props": {"name": "乙"}}]) == [True, True, False,
                                                                              True]
    assert store.read(Query("t_place", "MATCH (:Demand {code: $c})-[:RAISED_IN]->(x) "
                                       "RETURN x.name AS name"), c="D1") == [{"name": "乙"}]


def test_a_transaction_counts_what_all_its_statements_change(store: BoltStore) -> None:
    demands, posts = frozenset({"Demand"}), frozenset({"HOLDS_POST"})
    people = frozenset({"Person"})
    before = [generation_seen_by(n) for n in (demands, posts, people)]

    def work(tx: Transaction) -> None:
        tx.run(Query("t_d", "MATCH (d:Demand {code: 'none'}) SET d.x = 1"))
        tx.run(Query("t_p", "MATCH (:Person)-[r:HOLDS_POST {rkey: 'none'}]->(:PartyOrg) "
                            "SET r.x = 1"))

    store.transaction(work)
    after = [generation_seen_by(n) for n in (demands, posts, people)]
    assert [a != b for a, b in zip(before, after, strict=True)] == [True, True, False]


def two_streets(store: BoltStore) -> None:
    """County K: street S1 ─ community M1 ─ grid G1 ─ compound C1 (demand D1, open);
    street S2 ─ community M2 (demand D2, raised in the community itself, open; unit U1,
    which takes both)."""
    spine = [("Street", "S1", "County", "K"), ("Community", "M1", "Street", "S1"),
             ("Grid", "G1", "Community", "M1"), ("Compound", "C1", "Grid", "G1"),
             ("Street", "S2", "County", "K"), ("Community", "M2", "Street", "S2")]
    write_graph(store, [NodeRecord("County", "K", {"name": "县"}),
                        *(NodeRecord(label, code, {"name": code}) for label, code, _l, _p
                          in spine),
                        NodeRecord("Demand", "D1", {"title": "x", "status": "open"}),
                        NodeRecord("Demand", "D2", {"title": "y", "status": "open"}),
                        NodeRecord("Unit", "U1", {"name": "单位"})],
                [*(RelRecord("IN_GRID" if label == "Compound" else "PART_OF", label, code,
                             parent_label, parent) for label, code, parent_label, parent in spine),
                 RelRecord("RAISED_IN", "Demand", "D1", "Compound", "C1"),
                 RelRecord("RAISED_IN", "Demand", "D2", "Community", "M2"),
                 RelRecord("LOCATED_IN", "Unit", "U1", "Community", "M2")])


AREAS = ("K", "S1", "M1", "G1", "C1", "S2", "M2", None)


def moved_by(write: Callable[[], object]) -> list[str | None]:
    """The areas (None: a read of demands anywhere) whose demands' reads ``write`` moved."""
    demands = frozenset(DEMAND)
    before = {a: generation_seen_by(demands, a) for a in AREAS}
    write()
    return [a for a in AREAS if generation_seen_by(demands, a) != before[a]]


def moved_areas(store: BoltStore, work: object) -> list[str | None]:
    """:func:`moved_by` a transaction's ``work``."""
    return moved_by(lambda: store.transaction(work))  # type: ignore[arg-type]


def test_a_demand_step_moves_the_reads_of_the_areas_it_lies_under(store: BoltStore) -> None:
    two_streets(store)
    accept = lifecycle.changes(lifecycle.STEPS["accept"], "2025-01-02T08:00:00", {})

    def dispatch(code: str) -> object:
        def work(tx: Transaction) -> None:
            lifecycle.dispatch(tx, "Unit", [lifecycle.assignment(code, "U1", "2025", None)])
        return work

    assert moved_areas(store, dispatch("D1")) == ["K", "S1", "M1", "G1", "C1", None]
    assert moved_areas(store, lambda tx: lifecycle.transit(
        tx, lifecycle.STEPS["accept"], "D1", accept)) == ["K", "S1", "M1", "G1", "C1", None]
    assert moved_areas(store, dispatch("D2")) == ["K", "S2", "M2", None]
    # a step refused (D2 is not accepted yet) changed no demand: no area's reads move
    # (those of demands anywhere count the statement by its names alone, as before)
    assert moved_areas(store, lambda tx: lifecycle.transit(
        tx, lifecycle.STEPS["complete"], "D2", {"status": "done"})) == [None]
    # a write that does not say where moves every area's, with a step beside it too
    plain = Query("t_plain", "MATCH (d:Demand {code: 'D2'}) SET d.title = 'z'")
    assert moved_areas(store, lambda tx: tx.run(plain)) == list(AREAS)

    def both(tx: Transaction) -> None:
        lifecycle.transit(tx, lifecycle.STEPS["complete"], "D1", {"status": "done"})
        tx.run(plain)

    assert moved_areas(store, both) == list(AREAS)
    # a statement that says where but gives a row without it: anywhere
    unsaid = Query("t_unsaid", "MATCH (d:Demand {code: 'D2'}) SET d.title = 'w' "
                               "RETURN d.code AS code", demand_areas="areas")
    assert moved_areas(store, lambda tx: tx.run(unsaid)) == list(AREAS)
    # a single statement (Store.write) is counted the same way
    before = {a: generation_seen_by(frozenset(DEMAND), a) for a in AREAS}
    store.write(lifecycle.transition_query(lifecycle.UNGUARDED), code="D2",
                props={"status": "accepted"}, **{"from": "dispatched"})
    assert [a for a in AREAS if generation_seen_by(frozenset(DEMAND), a) != before[a]] == [
        "K", "S2", "M2", None]


def test_a_demand_only_write_moves_the_reads_of_that_demand(store: BoltStore) -> None:
    two_streets(store)
    demands = frozenset(DEMAND)
    assert store_module._bucket("D1") != store_module._bucket("D2")

    def moved(write: Callable[[], object]) -> list[str]:
        before = {d: generation_seen_by(demands, demand=d) for d in ("D1", "D2")}
        write()
        return [d for d, at in before.items() if generation_seen_by(demands, demand=d) != at]

    assert moved(lambda: store.write(
        lifecycle.transition_query(lifecycle.UNGUARDED), code="D1",
        props={"status": "dispatched"}, **{"from": "open"})) == ["D1"]
    assert moved(lambda: store.transaction(lambda tx: lifecycle.dispatch(
        tx, "Unit", [lifecycle.assignment("D2", "U1", "2025", None)]))) == ["D2"]
    assert moved(lambda: store.write(
        Query("t_plain_d1", "MATCH (d:Demand {code: 'D1'}) SET d.title = 'z'"))) == ["D1", "D2"]


def test_a_demand_written_as_a_mutation_moves_the_reads_of_where_it_lies(
        store: BoltStore) -> None:
    """graph.writer without the stamp (the API's writes): a demand's node and its own
    relationships say where it lies; a bulk write (the stamp) is not traced."""
    two_streets(store)

    def raised(code: str, rels: list[RelRecord], stamp: bool = False) -> list[str | None]:
        return moved_by(lambda: write_graph(
            store, [NodeRecord("Demand", code, {"title": "n", "status": "open"})], rels,
            new=True, stamp=stamp))

    assert raised("D3", [RelRecord("RAISED_IN", "Demand", "D3", "Community", "M2")]) == [
        "K", "S2", "M2", None]
    assert raised("D4", []) == [None]  # raised nowhere (yet): no area's demands change
    assert moved_by(lambda: write_graph(
        store, [NodeRecord("Demand", "D4", {"urgency": 2})],
        [RelRecord("RAISED_IN", "Demand", "D4", "Compound", "C1"),
         RelRecord("ASSIGNED_TO", "Demand", "D4", "Unit", "U1", {"at": "2025"})],
        stamp=False)) == ["K", "S1", "M1", "G1", "C1", None]
    # a unit's edit, in the same write as a demand's: not said where, so everywhere
    assert moved_by(lambda: write_graph(
        store, [NodeRecord("Demand", "D4", {"urgency": 3}),
                NodeRecord("Unit", "U1", {"name": "改名"})], [], stamp=False)) == list(AREAS)
    assert raised("D5", [RelRecord("RAISED_IN", "Demand", "D5", "Compound", "C1")],
                  stamp=True) == list(AREAS)
    assert queries.DEMAND_OWN == {"RAISED_IN", "RAISED_BY", "ASSIGNED_TO"}
    assert queries.upsert_rels("LOCATED_IN", "Unit", "Community", placed=True) == \
        queries.upsert_rels("LOCATED_IN", "Unit", "Community")
    assert queries.create_nodes("Unit", placed=True) == queries.create_nodes("Unit")
    assert queries.create_nodes("Demand", placed=True).demand_areas == "areas"


def test_a_demand_moved_says_where_it_lay(store: BoltStore) -> None:
    """A demand is raised in one place (RelKind.one): the writer moves it, deleting its
    other place before the upsert, and that statement says where the demand lay, so
    those areas' reads move too (a bulk write's is counted by the stamp)."""
    two_streets(store)
    others = queries.delete_others("RAISED_IN", "Demand", placed=True)
    assert others.demand_areas == "areas"
    assert queries.delete_others("RAISED_IN", "Demand").demand_areas is None
    to_m2 = {"rows": [{"src": "D1", "tgt": "M2"}], "tgt_label": "Community"}
    rows: list[list[dict[str, object]]] = []
    assert moved_by(lambda: rows.append(store.write(others, **to_m2))) == [
        "K", "S1", "M1", "G1", "C1", None]
    [[row]] = rows
    assert row["code"] == "D1"
    assert sorted(row["areas"]) == ["C1", "G1", "K", "M1", "S1"]  # type: ignore[call-overload]
    # D2's one place is the target itself: nothing deleted, no area moves
    assert moved_by(lambda: rows.append(store.write(
        others, rows=[{"src": "D2", "tgt": "M2"}], tgt_label="Community"))) == [None]
    assert rows[1] == []
    # the writer, as a link writes: D2 moved from M2 to C1 moves both streets' reads
    moved = write_graph(store, [], [RelRecord("RAISED_IN", "Demand", "D2", "Compound", "C1")],
                        stamp=False)
    assert moved.deleted() == {"RAISED_IN": 1}
    places = Query("t_places", "MATCH (d:Demand)-[:RAISED_IN]->(x) "
                               "RETURN d.code AS d, x.code AS x ORDER BY d, x")
    assert store.read(places) == [{"d": "D2", "x": "C1"}]
    assert moved_by(lambda: write_graph(
        store, [], [RelRecord("RAISED_IN", "Demand", "D2", "Community", "M2")],
        stamp=False)) == list(AREAS)  # from C1 (S1) to M2 (S2): both
    # a bulk write moves it too (counted by its stamp)
    write_graph(store, [], [RelRecord("RAISED_IN", "Demand", "D2", "Compound", "C1")])
    assert store.read(places) == [{"d": "D2", "x": "C1"}]
    # an unlink of a demand's own relationship says where, too; other types' as before
    delete = queries.delete_rel("RAISED_IN", "Demand", "Compound", placed=True)
    off = {"src": "D2", "tgt": "C1", "rkey": rel_key("RAISED_IN", {})}
    assert moved_by(lambda: store.write(delete, **off)) == ["K", "S1", "M1", "G1", "C1", None]
    assert queries.delete_rel("LOCATED_IN", "Unit", "Community", placed=True) == \
        queries.delete_rel("LOCATED_IN", "Unit", "Community")
    with pytest.raises(ValueError, match="not one per source"):
        queries.delete_others("LOCATED_IN", "Unit")


def test_a_read_overlapping_a_demand_only_write_is_told(store: BoltStore) -> None:
    """A mark taken before a demand-only write is counted says so once the write has
    begun (its areas were read when its statement ran: graph.store.WriteMark.overlapped);
    a mark taken after it was counted does not; other writes never overlap."""
    two_streets(store)
    before = write_mark()
    during: list[bool] = []

    def step(tx: Transaction) -> None:
        during.append(before.overlapped())
        lifecycle.dispatch(tx, "Unit", [lifecycle.assignment("D1", "U1", "2025", None)])
        during.append(before.overlapped())
        during.append(write_mark().overlapped())  # begun before this mark, still open

    store.transaction(step)
    assert during == [False, True, True]
    assert before.overlapped() and not write_mark().overlapped()
    after = write_mark()
    store.write(Query("t_plain2", "MATCH (d:Demand {code: 'D2'}) SET d.title = 'v'"))
    assert not after.overlapped()


def test_the_log_of_demand_only_writes_names_their_areas_while_it_reaches_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "PLACED_LOG", 2)
    counter = store_module._Counter()
    demand = frozenset({"Demand"})
    counter.bump(demand, (demand, frozenset({"C1", "S1", "K"}), frozenset({"D1"})), True)
    counter.bump(demand, (frozenset(), frozenset({"C9"}), frozenset()), False)  # not placed
    counter.bump(demand, (demand, frozenset({"C4", "S2", "K"}), frozenset({"D2"})), True)
    assert counter.mark("K").seq == 2
    assert counter.placed_since(0, 2, "K") == {"C1", "S1", "C4", "S2", "K"}
    assert counter.placed_since(0, 2, "S2") == {"C4", "S2", "K"}
    assert counter.placed_since(1, 2, "S1") == frozenset()
    assert counter.placed_since(2, 2, "K") == frozenset()
    counter.bump(demand, (demand, frozenset({"M1", "S1", "K"}), frozenset({"D3"})), True)
    assert counter.placed_since(0, 3, "K") is None  # write 1 is no longer logged
    assert counter.placed_since(1, 3, "K") == {"C4", "S2", "M1", "S1", "K"}
    assert counter.placed_since(1, 4, "K") is None  # not yet written
