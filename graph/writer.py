"""Idempotent batched upserts of validated records, all in one transaction.

Both the ledger import and the API mutations write through here, so "re-importing
changes nothing" and "an update changes the node in place" hold everywhere.  Records
must already be validated (see :mod:`graph.model`); this module only writes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph import queries, ratings
from graph.embedded import own_database
from graph.i18n import N_, _, translate
from graph.model import MEMBER, rel_kind
from graph.store import (
    Store,
    StoreError,
    Transaction,
    bump_stamp,
    in_batches,
)

Progress = Callable[[str, int, int], None]  # (what, done, total)

NOTHING_WRITTEN = N_("已中断，未写入任何数据")
MAYBE_WRITTEN = N_("已中断：中断时正在提交，数据可能已写入，请用 jinlin stats 核对")


# A kind with fewer rows than this in one write is not probed for emptiness (see write_graph).
PROBE_FROM = 100
# A write with fewer records than this keeps Cypher's one transaction even when asked for
# the bulk path: that needs no undo, and the batch would save it milliseconds, not seconds.
BULK_FROM = 5000


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during an import or restore; ``str()`` says what became of the data.

    Still a KeyboardInterrupt (nothing catching ``Exception`` swallows it); the command
    line prints the message and exits with 130.
    """


@dataclass(frozen=True)
class NodeRecord:
    label: str
    code: str
    props: dict[str, Any]  # the properties to set; None removes one, absent keys are kept


@dataclass(frozen=True)
class RelRecord:
    type: str
    source_label: str
    source: str
    target_label: str
    target: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def rkey(self) -> str:
        return rel_key(self.type, self.props)


def rel_key(rel_type: str, props: dict[str, Any]) -> str:
    """The identity of a relationship between two nodes (see queries.upsert_rels)."""
    keys = rel_kind(rel_type).key_props
    return "|".join("" if props.get(k) is None else str(props[k]) for k in keys)


@dataclass
class WriteSummary:
    """Created / updated / unchanged (and, in a replace or a move of a relationship its
    source holds one of, deleted) counts per label or relationship type."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[(kind, outcome)] += n

    def rows(self) -> list[tuple[str, int, int, int]]:
        kinds = sorted({k for k, o in self.counts if o != "deleted"})
        return [
            (k, self.counts[(k, "created")], self.counts[(k, "updated")],
             self.counts[(k, "unchanged")])
            for k in kinds
        ]

    def deleted(self) -> dict[str, int]:
        """Deleted per label or type (a replace, or a move: ``RelKind.one``)."""
        return {k: n for (k, o), n in sorted(self.counts.items()) if o == "deleted"}

    def totals(self) -> dict[str, int]:
        """Nodes and relationships created, updated and deleted, all kinds together."""
        return {outcome: sum(n for (_k, o), n in self.counts.items() if o == outcome)
                for outcome in ("created", "updated", "deleted")}

    @property
    def changed(self) -> int:
        return sum(n for (_k, o), n in self.counts.items() if o in ("created", "updated"))

    def lines(self) -> list[str]:
        """The summary a person reads after an import or a restore, in the language in
        force: a table of counts per label or type (names stay identifiers), then the
        total.  Columns are as wide as their header or widest number, a CJK character
        counting two."""
        head = [_("类型"), _("新建"), _("更新"), _("未变")]
        body = [[kind, *(f"{n:,}" for n in numbers)] for kind, *numbers in self.rows()]
        widths = [max(_width(row[i]) for row in [head, *body]) for i in range(len(head))]
        table = ["  ".join(_pad(cell, width, left=i == 0)
                           for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
                 for row in [head, *body]]
        return [*table, _("共新建或更新 {count} 行。", count=f"{self.changed:,}")]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int, left: bool) -> str:
    fill = " " * (width - _width(text))
    return text + fill if left else fill + text


def stored_props(props: dict[str, Any]) -> dict[str, Any]:
    """What a write stores of ``props``: a None is no property."""
    return {k: v for k, v in props.items() if v is not None}


def write_graph(
    store: Store,
    nodes: Iterable[NodeRecord],
    rels: Iterable[RelRecord],
    batch_size: int = 2000,
    progress: Progress | None = None,
    prelude: Callable[[Transaction, WriteSummary], None] | None = None,
    new: bool = False,
    then: Callable[[Transaction], object] | None = None,
    stamp: bool = True,
    bulk: bool = False,
) -> WriteSummary:
    """Upsert all nodes, then all relationships, in one transaction (all or nothing).

    ``new``: every node is new (the caller found its code free) and every relationship
    touches one, so nothing is looked up first: a mutation's create is two statements,
    not four.  A code a concurrent writer took meanwhile then fails the transaction on
    the uniqueness constraint instead of overwriting that writer's node.

    ``prelude`` runs first in that transaction (and again if it is retried), so what it
    writes (the deletions of ``jinlin load --replace``) commits or rolls back with the
    upserts; it records what it did in the summary.  ``then`` runs last in it, after
    the upserts (a whistle's dispatch of the demand it has just raised).

    Ratings written here (nodes or their ``RATES``), and firms, update the status of the
    firms concerned from their ratings in the same transaction (:func:`graph.ratings.derive`).

    ``stamp``: set the database's write stamp (``graph.store.bump_stamp``), so that the
    serving process's kept answers and projections see a write made by another process
    (load, replace, restore, alerts from the command line).  The API's mutations pass
    False: the serving process counts its own writes by what they change
    (``graph.changed``), and a stamp would send back every kept answer.  Such a write's
    statements for demands and their own relationships also say which demands they wrote
    and where those lie (``graph.queries.DEMAND_OWN``): the kept reads of other demands
    and of other areas' demands stay.

    ``bulk``: the caller can have no reader alongside (a load from the command line):
    into an empty embedded store this process runs, the records go through the store's
    own batch instead (:mod:`graph.bulk`: 1.3–1.7x as fast; undone whole on failure).
    """
    node_groups: dict[str, list[NodeRecord]] = defaultdict(list)
    for node in nodes:
        node_groups[node.label].append(node)
    rel_groups: dict[tuple[str, str, str], list[RelRecord]] = defaultdict(list)
    for rel in rels:
        rel_groups[(rel.type, rel.source_label, rel.target_label)].append(rel)
    total = sum(map(len, node_groups.values())) + sum(map(len, rel_groups.values()))

    # A label or type with no rows yet (a first import) needs no per-batch look-up of
    # what exists: that look-up is a third of the time of a fresh county load.  Asked
    # before the transaction, as probes (see Query.optional_names); a kind that a concurrent writer
    # fills meanwhile makes this transaction fail on the uniqueness constraint, not merge.
    # Only kinds with many rows are asked: for a mutation's one node the look-up is one
    # indexed statement (~2 ms), while the probe is a read of its own, and on ArcadeDB a
    # relationship type's probe walks the graph (~40 ms on the county: issue 13).
    sizes: Counter[str] = Counter({label: len(group) for label, group in node_groups.items()})
    for (rtype, _src, _tgt), rel_group in rel_groups.items():
        sizes[rtype] += len(rel_group)
    kinds = [kind for kind, size in sizes.items() if size >= PROBE_FROM]
    empty: set[str] = set()
    placed = not stamp  # counted by what it changes: its demands say which and where
    committing = False  # work has returned: its commit is on its way to the store

    # the ratings whose firm's standing follows them (graph.ratings), found once
    rated = [n.code for n in node_groups.get(ratings.LABEL, ())]
    rated += [r.source for (rtype, _s, _t), group in rel_groups.items()
              if rtype == ratings.RATES for r in group]

    def standing(tx: Transaction) -> None:
        ratings.derive(tx, rated, (n.code for n in node_groups.get(ratings.FIRM, ())))

    def work(tx: Transaction) -> WriteSummary:  # run again from the start on a conflict
        nonlocal committing
        committing = False
        summary = WriteSummary()
        if prelude is not None:
            prelude(tx, summary)
        done = 0
        for label, group in node_groups.items():
            for batch in in_batches(group, batch_size):
                _write_nodes(tx, label, batch, summary, label in empty, placed)
                done += len(batch)
                if progress:
                    progress(label, done, total)
        for (rtype, src, tgt), rel_group in rel_groups.items():
            for rel_batch in in_batches(rel_group, batch_size):
                _write_rels(tx, rtype, src, tgt, rel_batch, summary, rtype in empty, placed)
                done += len(rel_batch)
                if progress:
                    progress(rtype, done, total)
        standing(tx)
        if then is not None:
            then(tx)
        if stamp:
            bump_stamp(tx)
        committing = True
        return summary

    try:
        asked = bulk and stamp and total >= BULK_FROM and not (prelude or then)
        database = own_database(store) if asked else None
        if database is not None and is_empty(store):
            from graph import bulk as batch  # it imports this module's records

            by_labels: dict[tuple[str, ...], list[NodeRecord]] = defaultdict(list)
            for node_group in node_groups.values():
                for node in node_group:
                    by_labels[labels_of(node)].append(node)
            summary = WriteSummary()
            try:
                batch.write_fresh(store, database, by_labels, rel_groups, summary, progress,
                                  standing)
                return summary
            except batch.Unavailable:
                pass  # nothing written: through Cypher
        empty.update(sizes if new else (kind for kind in kinds if _is_fresh(store, kind)))
        return store.transaction(work)
    except KeyboardInterrupt:
        # Before the commit the transaction is rolled back: nothing of it is stored.
        raise Interrupted(translate(MAYBE_WRITTEN if committing else NOTHING_WRITTEN)) from None


def _is_fresh(store: Store, kind: str) -> bool:
    query = queries.any_rel(kind) if kind in queries.ALL_TYPES else queries.any_node(kind)
    return not store.read(query)


def _write_nodes(tx: Transaction, label: str, batch: Sequence[NodeRecord], summary: WriteSummary,
                 fresh: bool = False, placed: bool = False) -> None:
    latest = {n.code: n for n in batch}  # the same code twice in one batch: last wins
    before = {} if fresh else {
        r["code"]: r["props"]
        for r in tx.run(queries.existing_nodes(label), codes=list(latest))
    }
    created: list[NodeRecord] = []
    updated: list[NodeRecord] = []
    for node in latest.values():
        if node.code not in before:
            summary.add(label, "created")
            created.append(node)
        elif _same(before[node.code], node.props):
            summary.add(label, "unchanged")
        else:
            summary.add(label, "updated")
            updated.append(node)
    for member in (False, True):
        rows = [{"props": stored_props({**n.props, "code": n.code})}
                for n in created if _is_member(n) == member]
        if rows:
            tx.run(queries.create_nodes(label, member=member, placed=placed), rows=rows)
    if not updated:
        return
    if label == "Person":  # relabel first: see queries.create_nodes
        said = [n for n in updated if "member_status" in n.props]
        was = {code for code, props in before.items() if props.get("member_status")}
        joined = [n.code for n in said if _is_member(n) and n.code not in was]
        left = [n.code for n in said if not _is_member(n) and n.code in was]
        if joined:
            tx.run(queries.SET_MEMBER_LABEL, codes=joined)
        if left:
            tx.run(queries.REMOVE_MEMBER_LABEL, codes=left)
    tx.run(queries.update_nodes(label, placed),
           rows=[{"code": n.code, "props": {**n.props, "code": n.code}} for n in updated])


def _same(stored: dict[str, Any], props: dict[str, Any]) -> bool:
    """Would setting ``props`` leave the stored properties as they are?"""
    return all(stored.get(k) == v for k, v in props.items())


def _is_member(node: NodeRecord) -> bool:
    return node.label == "Person" and node.props.get("member_status") is not None


def labels_of(node: NodeRecord) -> tuple[str, ...]:
    """The node's labels once written: a Person with a member status also carries the
    Member label."""
    return (node.label, MEMBER) if _is_member(node) else (node.label,)


def stored_row(node: NodeRecord) -> dict[str, Any]:
    """The node as a read would return it once written (``props``, ``labels``)."""
    return {"props": {**node.props, "code": node.code}, "labels": list(labels_of(node))}


def _write_rels(
    tx: Transaction, rtype: str, src: str, tgt: str, batch: Sequence[RelRecord],
    summary: WriteSummary,
    fresh: bool = False,
    placed: bool = False,
) -> None:
    rows: list[dict[str, Any]] = [
        {"src": r.source, "tgt": r.target, "rkey": r.rkey, "props": {**r.props, "rkey": r.rkey}}
        for r in batch
    ]
    if rel_kind(rtype).one and not fresh:  # a source holds one: this moves it here
        others = queries.delete_others(rtype, src, placed)
        gone = tx.run(others, rows=rows, tgt_label=tgt)
        summary.add(rtype, "deleted", sum(row["deleted"] for row in gone))
    before = {} if fresh else {
        (r["src"], r["tgt"], r["rkey"]): r["props"]
        for r in tx.run(queries.existing_rels(rtype, src, tgt), rows=rows)
    }
    changed = []
    for row in rows:
        old = before.get((row["src"], row["tgt"], row["rkey"]))
        if old is None:
            summary.add(rtype, "created")
        elif _same(old, row["props"]):
            summary.add(rtype, "unchanged")
            continue
        else:
            summary.add(rtype, "updated")
        changed.append(row)
    if not changed:
        return
    upsert = queries.upsert_rels(rtype, src, tgt, placed)
    back = tx.run(upsert, rows=changed)
    written = len(back) if upsert.demand_areas else back[0]["n"]
    if written != len(changed):
        # An end vanished between validation and this transaction: fail it whole.
        raise StoreError(_("{type} {source} → {target}：{count} 条关系中有 {lost} 条的一端已不在"
                           "库中；未写入任何内容", type=rtype, source=src, target=tgt,
                           count=len(changed), lost=len(changed) - written))


def counts(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type (``jinlin stats``)."""
    labels = {lab: store.read(queries.count_label(lab))[0]["n"] for lab in queries.ALL_LABELS}
    types = {t: store.read(queries.count_rel(t))[0]["n"] for t in queries.ALL_TYPES}
    return labels, types


def is_empty(store: Store) -> bool:
    return bool(store.read(queries.COUNT_ALL_NODES)[0]["n"] == 0)


