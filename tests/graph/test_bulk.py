"""The embedded store's bulk path (graph.bulk): it stores exactly what the Cypher path
stores, it is taken only where asked and possible, and a failure leaves the store empty."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import backup, bulk, embedded, queries, writer
from graph.store import BoltStore, StoreError
from graph.writer import Interrupted, NodeRecord, RelRecord, write_graph
from loaders.ledger import load_ledgers
from loaders.synthetic import generate


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A small county with every kind of record, and how many rows its ledgers hold."""
    out = tmp_path_factory.mktemp("ledgers")
    return out, sum(generate("county", 3, out, scale=0.05).values())


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many records each bulk write that began writing was given (the real one runs;
    one that found it could not take them wrote nothing, and is not counted)."""
    seen: list[int] = []
    real = bulk.write_fresh

    def spy(store: Any, database: Any, nodes: Any, rels: Any, *args: Any) -> None:
        given = sum(map(len, nodes.values())) + sum(map(len, rels.values()))
        try:
            real(store, database, nodes, rels, *args)
        except bulk.Unavailable:
            raise
        except BaseException:
            seen.append(given)
            raise
        seen.append(given)

    monkeypatch.setattr(bulk, "write_fresh", spy)
    yield seen


def _dump(store: BoltStore, path: Path) -> list[str]:
    backup.dump(store, path)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def test_a_bulk_load_stores_what_cypher_stores(store: BoltStore, ledgers: tuple[Path, int],
                                               tmp_path: Path, taken: list[int]) -> None:
    ledger_dir, rows = ledgers
    assert rows == 6452  # every row a node or a relationship
    through_cypher = load_ledgers(store, [ledger_dir])
    expected = _dump(store, tmp_path / "cypher.jsonl.gz")
    assert taken == []
    store.write(queries.DELETE_ALL)

    through_bulk = load_ledgers(store, [ledger_dir], bulk=True)
    assert _dump(store, tmp_path / "bulk.jsonl.gz") == expected
    assert through_bulk.rows() == through_cypher.rows()
    assert through_bulk.totals() == {"created": rows, "updated": 0, "deleted": 0}
    # Neo4j has no such path: the same load, through Cypher
    assert taken == ([rows] if store.backend == "arcadedb" else [])
    # edges are walked both ways: a branch's members, out from them and in to it
    row = store.read(queries.Query(
        "t", "MATCH (:Member)-[r:MEMBER_OF]->(o:PartyOrg) WITH o, count(r) AS n "
             "ORDER BY n DESC, o.code LIMIT 1 MATCH (o)<-[:MEMBER_OF]-(p:Member) "
             "RETURN n, count(p) AS back"))[0]
    assert row["n"] == row["back"] > 1


NODES = [NodeRecord("Compound", "K1", {"name": "幸福小区", "households": 300, "lat": 30.1}),
         NodeRecord("Person", "P1", {"name": "王芳", "member_status": "in_service"}),
         NodeRecord("Person", "P2", {"name": "赵强"})]
RELS = [RelRecord("LIVES_IN", "Person", "P2", "Compound", "K1"),
        RelRecord("LIVES_IN", "Member", "P1", "Compound", "K1")]


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch, store: BoltStore) -> None:
    """Hand-built graphs take the bulk path too (on the embedded store)."""
    if store.backend != "arcadedb":
        pytest.skip("the bulk path is the embedded store's")
    monkeypatch.setattr(writer, "BULK_FROM", 1)


def _nothing_left(store: BoltStore) -> bool:
    return writer.is_empty(store) and not store.read(queries.Query(
        "t", "MATCH ()-[r]->() RETURN count(r) AS n"))[0]["n"]


def test_a_failure_after_the_batch_leaves_the_store_empty(
        store: BoltStore, small: None, taken: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(tx: Any) -> None:
        raise StoreError("磁盘已满")

    monkeypatch.setattr(bulk, "bump_stamp", refused)
    with pytest.raises(StoreError, match="磁盘已满"):
        write_graph(store, NODES, RELS, bulk=True)
    assert taken == [5]
    assert _nothing_left(store)


def test_ctrl_c_in_the_batch_leaves_the_store_empty_and_says_so(
        store: BoltStore, small: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import arcadedb_embedded.graph_batch as graph_batch

    def interrupted(*args: Any, **kw: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(graph_batch.GraphBatch, "new_edges", interrupted)
    with pytest.raises(Interrupted, match="未写入任何数据"):
        write_graph(store, NODES, RELS, bulk=True)
    assert _nothing_left(store)
    monkeypatch.undo()
    write_graph(store, NODES, RELS, bulk=True)  # and the next load goes through
    assert writer.counts(store)[0]["Member"] == 1


def test_the_bulk_path_is_taken_only_into_an_empty_store_and_when_asked(
        store: BoltStore, small: None, taken: list[int]) -> None:
    write_graph(store, NODES[:1], [])  # not asked
    assert taken == []
    summary = write_graph(store, NODES, RELS, bulk=True)  # not empty: Cypher merges
    assert taken == []
    assert summary.totals() == {"created": 4, "updated": 0, "deleted": 0}
    store.write(queries.DELETE_ALL)
    assert write_graph(store, NODES, RELS, bulk=True).totals()["created"] == 5
    assert taken == [5]


def test_records_the_batch_cannot_take_go_through_cypher(
        store: BoltStore, small: None, taken: list[int]) -> None:
    """An end not in the load (the Cypher path says which), a code twice, a relationship
    twice (one edge, as MERGE makes it; the member named by either label)."""
    lost = RELS + [RelRecord("LIVES_IN", "Person", "P9", "Compound", "K1")]
    with pytest.raises(StoreError, match="一端已不在库中"):
        write_graph(store, NODES, lost, bulk=True)
    twice = NODES + [NodeRecord("Person", "P2", {"name": "赵强强"})]
    assert write_graph(store, twice, RELS, bulk=True).totals()["created"] == 5
    store.write(queries.DELETE_ALL)
    again = RELS + [RelRecord("LIVES_IN", "Person", "P1", "Compound", "K1")]
    write_graph(store, NODES, again, bulk=True)
    assert writer.counts(store)[1]["LIVES_IN"] == 2
    assert taken == []


def test_a_process_already_connected_keeps_the_load_on_cypher(
        store: BoltStore, small: None, taken: list[int]) -> None:
    """A command that joined before the load (a connection of another process to the
    store's port) could read the batch half-written: one transaction instead."""
    port = int(store.uri.rsplit(":", 1)[1])
    other = subprocess.Popen(
        [sys.executable, "-c", "import socket, sys, time; "
         f"s = socket.create_connection(('127.0.0.1', {port})); print('on', flush=True); "
         "sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline() == "on\n"
        assert embedded.others_connected(store)
        assert write_graph(store, NODES, RELS, bulk=True).totals()["created"] == 5
        assert taken == []
    finally:
        other.communicate("", timeout=30)
    store.write(queries.DELETE_ALL)
    deadline = time.monotonic() + 10
    while embedded.others_connected(store) and time.monotonic() < deadline:
        time.sleep(0.05)  # the server sees the hang-up
    write_graph(store, NODES, RELS, bulk=True)
    assert taken == [5]


def test_a_failed_undo_says_the_store_holds_part_of_the_load(
        store: BoltStore, small: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import arcadedb_embedded.core as core

    def refused(tx: Any) -> None:
        raise StoreError("磁盘已满")

    def undo_refused(self: Any, fn: Any, *args: Any, **kw: Any) -> None:
        raise RuntimeError("磁盘仍满")

    monkeypatch.setattr(bulk, "bump_stamp", refused)
    monkeypatch.setattr(core.Database, "run_in_transaction", undo_refused)
    with pytest.raises(StoreError) as failed:
        write_graph(store, NODES, RELS, bulk=True)
    assert str(failed.value) == (
        "导入失败，且已写入的部分未能删除：存储中现在只有这次导入的一部分。"
        "它在导入前是空的：请删除数据目录后重新导入。原因：磁盘仍满")
    assert str(failed.value.__cause__.__context__) == "磁盘已满"  # what failed first, kept
    assert writer.counts(store)[0]["Person"] == 2  # as the message says: part of it


def test_a_restore_into_an_empty_store_takes_the_batch(
        store: BoltStore, small: None, taken: list[int], tmp_path: Path) -> None:
    """A dump names a member by the Person label; restored through the batch, the member
    is one node with both labels again, and the dump read back is the same."""
    write_graph(store, NODES, RELS)
    first = _dump(store, tmp_path / "first.jsonl.gz")
    store.write(queries.DELETE_ALL)
    assert backup.restore(store, tmp_path / "first.jsonl.gz", bulk=True).changed == 5
    assert taken == [5]
    assert _dump(store, tmp_path / "second.jsonl.gz") == first
    assert writer.counts(store)[0]["Member"] == 1


def test_only_a_store_this_process_serves_is_its_own(store: BoltStore) -> None:
    found = embedded.own_database(store)
    assert (found is not None) == (store.backend == "arcadedb")
    assert embedded.own_database(object()) is None


def test_no_other_process_can_join_while_the_batch_writes(
        store: BoltStore, small: None, embedded_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its port is withdrawn from store.json meanwhile (a joining command finds the
    directory locked and says so), and published again after."""
    published: list[bool] = []
    real = bulk._write

    def watched(*args: Any) -> None:
        published.append((embedded_dir / embedded.INFO_FILE).exists())
        real(*args)

    monkeypatch.setattr(bulk, "_write", watched)
    assert (embedded_dir / embedded.INFO_FILE).exists()
    write_graph(store, NODES, RELS, bulk=True)
    assert published == [False]
    assert (embedded_dir / embedded.INFO_FILE).exists()
