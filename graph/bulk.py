"""The embedded store's bulk path: a first load written through ArcadeDB's own graph
batch (``GraphBatch``) instead of Cypher.

Why: through Cypher, a fresh county spends about two thirds of its write time in the
store, planning each ``UNWIND`` batch and looking up both ends of every relationship by
code.  The batch takes each type's vertices in one crossing into the JVM, and edges by
record id.  That halves the write (``bench/load.py``).

It is taken only where nothing can see a half-written store, and so only when
:func:`graph.writer.write_graph` is asked for it (``bulk=True``: a ledger load, the demo
and a restore, from the command line) and:

- this process runs the embedded server (:func:`graph.embedded.own_database`): a
  command that finds a running ``jinlin serve`` writes through it, with Cypher.  While
  the batch writes, no other process can join (:func:`graph.embedded.unjoined`);
- the store holds no node;
- no code repeats within a label (ledgers and dumps refuse that before; here it would
  make two vertices where Cypher's constraint fails the write).

The batch commits as it goes, so it is not one transaction.  If anything fails, or the
person presses Ctrl-C, everything written is deleted, which leaves the store empty as
it was: nothing half written.  The last step (firms' standing from their ratings, the
write stamp) is an ordinary transaction, the one in which an audited load makes its
audit line durable.

Everything ArcadeDB-specific (type names of several labels, edge types made before
their edges) stays here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph import queries
from graph.embedded import take_pending_interrupt, unjoined
from graph.store import Store, Transaction, bump_stamp

Progress = Callable[[str, int, int], None]  # (what, done, total), as graph.writer's
BATCH = 50_000  # edges the batch holds before it writes them

# The writer's records (graph.writer.NodeRecord, RelRecord), grouped by the writer:
# nodes by their labels (a member: Person and Member), relationships by type, source
# label and target label.  Duck-typed: the writer imports this module.
Nodes = dict[tuple[str, ...], list[Any]]
Rels = dict[tuple[str, str, str], list[Any]]


class Unavailable(Exception):
    """The records cannot take the bulk path (nothing was written): use Cypher."""


def type_name(database: Any, labels: tuple[str, ...]) -> str:
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


def write_fresh(store: Store, database: Any, nodes: Nodes, rels: Rels, summary: Any,
                progress: Progress | None = None,
                finish: Callable[[Transaction], None] | None = None) -> None:
    """Write ``nodes`` and ``rels`` into the empty embedded store ``store`` through
    ``database`` (its arcadedb_embedded handle), counting them in ``summary`` (a
    ``graph.writer.WriteSummary``); then run ``finish`` and the write stamp in one
    transaction.  Raises :class:`Unavailable` before writing anything when the records
    cannot be bulk-written; deletes everything written when it fails."""
    keys = {(label, n.code) for labels, group in nodes.items() for n in group
            for label in labels}
    if len(keys) != sum(len(labels) * len(group) for labels, group in nodes.items()):
        raise Unavailable("a code repeats")
    for (rtype, src, tgt), group in rels.items():
        if rtype not in queries.ALL_TYPES or any(
                (src, r.source) not in keys or (tgt, r.target) not in keys for r in group):
            raise Unavailable(rtype)
    with unjoined(store):
        try:
            _write(store, database, nodes, rels, summary, progress, finish)
        except BaseException:
            _undo(database)
            raise


def _undo(database: Any) -> None:
    """Delete everything: the store held no node before the batch.  Through the handle,
    not ``store``: an audited store takes one transaction only, the last step's."""
    take_pending_interrupt()  # after Ctrl-C, the next Java call would be refused once
    database.run_in_transaction(
        lambda: database.command("opencypher", queries.DELETE_ALL.cypher))


def _write(store: Store, database: Any, nodes: Nodes, rels: Rels, summary: Any,
           progress: Progress | None, finish: Callable[[Transaction], None] | None) -> None:
    total = sum(map(len, nodes.values())) + sum(map(len, rels.values()))
    # Every type first: a change of the schema waits for the batch's writers, which
    # wait for the batch to end.
    types = {labels: type_name(database, labels) for labels in nodes}
    for rtype, _src, _tgt in rels:
        database.schema.get_or_create_edge_type(rtype)
    rid: dict[tuple[str, str], str] = {}
    done = 0
    with database.graph_batch(batch_size=BATCH, light_edges=False) as batch:
        for labels, group in nodes.items():
            made = batch.create_vertices(types[labels], [
                {k: v for k, v in {**n.props, "code": n.code}.items() if v is not None}
                for n in group])
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
                            [{k: v for k, v in {**r.props, "rkey": r.rkey}.items()
                              if v is not None} for r in rel_group])
            summary.add(rtype, "created", len(rel_group))
            done += len(rel_group)
            if progress:
                progress(rtype, done, total)

    def last(tx: Transaction) -> Any:
        if finish is not None:
            finish(tx)
        bump_stamp(tx)
        return summary

    store.transaction(last)
