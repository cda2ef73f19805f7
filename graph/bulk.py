"""The embedded store's bulk path: a first load written through ArcadeDB's own graph
batch (``GraphBatch``) instead of Cypher.

Why: through Cypher, a fresh county spends about two thirds of its write time in the
store, planning each ``UNWIND`` batch and looking up both ends of every relationship by
code.  The batch takes each type's vertices in one crossing into the JVM, and edges by
record id: a first load, validation included, runs 1.3–1.7x as fast on a county and 1.7x
on a city (``bench/load.py``).

It is taken only where nothing can see a half-written store, and so only when
:func:`graph.writer.write_graph` is asked for it (``bulk=True``: a ledger load, the demo
and a restore, from the command line) and:

- this process runs the embedded server (:func:`graph.embedded.own_database`): a
  command that finds a running ``jinlin serve`` writes through it, with Cypher;
- no other process is connected to it, and none can join while the batch writes
  (:func:`graph.embedded.unjoined`): its port is withdrawn first, then connections
  looked for;
- the store holds no node;
- no record repeats (ledgers and dumps refuse that before; here a repeated code would
  make two vertices where Cypher's constraint fails the write, a repeated relationship
  two edges where Cypher's ``MERGE`` makes one).

The batch commits as it goes, so it is not one transaction.  It writes through the
store's write-ahead log (the batch's default is without: a crash could lose the tail
of what it had said was written).  If anything fails, or the person presses Ctrl-C,
everything written is deleted, which leaves the store empty as it was: nothing half
written; should that deletion fail too, the error says so and what to do.  The last
step (firms' standing from their ratings, the write stamp) is an ordinary transaction,
the one in which an audited load makes its audit line durable.

Everything ArcadeDB-specific (type names of several labels, edge types made before
their edges) stays here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from graph import queries
from graph.embedded import others_connected, take_pending_interrupt, unjoined
from graph.i18n import _
from graph.model import key_label
from graph.store import Store, StoreError, Transaction, bump_stamp
from graph.writer import NodeRecord, RelRecord, WriteSummary, stored_props

Progress = Callable[[str, int, int], None]  # (what, done, total), as graph.writer's
BATCH = 50_000  # edges the batch holds before it writes them
# Nodes by their labels (a member: Person and Member), relationships by type, source
# label and target label, as the writer groups them.
Nodes = dict[tuple[str, ...], list[NodeRecord]]
Rels = dict[tuple[str, str, str], list[RelRecord]]


class Unavailable(Exception):
    """The records cannot take the bulk path (nothing was written): use Cypher."""


def type_name(database: Any, labels: Sequence[str]) -> str:
    """The vertex type holding nodes with ``labels``.  ArcadeDB keeps a node of several
    labels in a type of its own that extends each (``Member~Person``); it is made here
    by the function ArcadeDB's Cypher makes it with, so both paths store alike."""
    if len(labels) == 1:
        return labels[0]
    import jpype

    names = jpype.JClass("java.util.ArrayList")()
    for label in labels:
        names.add(label)
    schema = database.get_java_database().getSchema()
    return str(jpype.JClass("com.arcadedb.query.opencypher.Labels")
               .ensureCompositeType(schema, names))


def write_fresh(store: Store, database: Any, nodes: Nodes, rels: Rels, summary: WriteSummary,
                progress: Progress | None = None,
                finish: Callable[[Transaction], None] | None = None) -> None:
    """Write ``nodes`` and ``rels`` into the empty embedded store ``store`` through
    ``database`` (its arcadedb_embedded handle), counting them in ``summary``; then run
    ``finish`` and the write stamp in one transaction.  Raises :class:`Unavailable`
    before writing anything when the batch cannot take them; deletes everything written
    when it fails."""
    _check(nodes, rels)
    with unjoined(store):
        if others_connected(store):
            raise Unavailable("another process is connected")
        try:
            _write(store, database, nodes, rels, summary, progress, finish)
        except BaseException:
            _undo(database)
            raise


def _check(nodes: Nodes, rels: Rels) -> None:
    """Refuse (Unavailable) a repeated record or an end that is not in the load."""
    keys = {(label, n.code) for labels, group in nodes.items() for n in group
            for label in labels}
    if len(keys) != sum(len(labels) * len(group) for labels, group in nodes.items()):
        raise Unavailable("a code repeats")
    seen: set[tuple[str, ...]] = set()
    for (rtype, src, tgt), group in rels.items():
        if rtype not in queries.ALL_TYPES:
            raise Unavailable(rtype)
        for r in group:
            if (src, r.source) not in keys or (tgt, r.target) not in keys:
                raise Unavailable(f"{rtype}: an end is not in the load")
            seen.add((rtype, key_label(src), r.source, key_label(tgt), r.target, r.rkey))
    if len(seen) != sum(map(len, rels.values())):
        raise Unavailable("a relationship repeats")


def _write(store: Store, database: Any, nodes: Nodes, rels: Rels, summary: WriteSummary,
           progress: Progress | None, finish: Callable[[Transaction], None] | None) -> None:
    """The batch, then the last step's transaction.  The batch is closed by hand: after
    Ctrl-C, JPype refuses the next Java call once, and a ``with`` would make that call
    (its close) and replace the interrupt by the refusal."""
    total = sum(map(len, nodes.values())) + sum(map(len, rels.values()))
    # Every type first: a change of the schema waits for the batch's writers, which
    # wait for the batch to end.
    types = {labels: type_name(database, labels) for labels in nodes}
    for rtype, _src, _tgt in rels:
        database.schema.get_or_create_edge_type(rtype)
    batch = database.graph_batch(batch_size=BATCH, light_edges=False, use_wal=True)
    try:
        rid: dict[tuple[str, str], str] = {}
        done = 0
        for labels, group in nodes.items():
            made = batch.create_vertices(types[labels], [
                stored_props({**n.props, "code": n.code}) for n in group])
            for node, at in zip(group, made, strict=True):
                for label in labels:
                    rid[(label, node.code)] = at
            summary.add(labels[0], "created", len(group))
            done += len(group)
            if progress:
                progress(labels[0], done, total)
        for (rtype, src, tgt), rel_group in rels.items():
            batch.new_edges([rid[(src, r.source)] for r in rel_group], rtype,
                            [rid[(tgt, r.target)] for r in rel_group],
                            [stored_props({**r.props, "rkey": r.rkey}) for r in rel_group])
            summary.add(rtype, "created", len(rel_group))
            done += len(rel_group)
            if progress:
                progress(rtype, done, total)
    except BaseException:
        take_pending_interrupt()
        with contextlib.suppress(Exception):  # what it holds is deleted next
            batch.close()
        raise
    batch.close()

    def last(tx: Transaction) -> WriteSummary:
        if finish is not None:
            finish(tx)
        bump_stamp(tx)
        return summary

    store.transaction(last)


def _undo(database: Any) -> None:
    """Delete everything: the store held no node before the batch.  Through the handle,
    not the store: an audited store takes one transaction only, the last step's."""
    try:
        take_pending_interrupt()  # after Ctrl-C, the next Java call would be refused once
        database.run_in_transaction(
            lambda: database.command("opencypher", queries.DELETE_ALL.cypher))
    except BaseException as exc:
        raise StoreError(_(
            "导入失败，且已写入的部分未能删除：存储中现在只有这次导入的一部分。它在导入前是空的："
            "请删除数据目录后重新导入。原因：{detail}", detail=exc)) from exc
