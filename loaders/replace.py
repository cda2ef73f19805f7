"""Replace mode (``jinlin load --replace Street:C01-S01 FILES…``): what the ledgers of
one scope no longer hold is deleted, in the same transaction as their import.

Importing only upserts, so a row removed from a ledger stayed in the store forever.  A
replace makes the ledgers the truth about one scope, within limits chosen so that it
never reaches another scope's data or a kind the clerk did not send:

* **Only the kinds (sheets) in the files are replaced**, a sheet with a header and no
  rows included (it says "there are none"); a kind without a sheet is left as it is.
* A **node** is deleted when its sheet is in the files, it lies under the scope **and
  under no other scope of that level** (the API's scope rule, :mod:`graph.scope`), it is
  not the scope node itself, and the ledgers name it neither as a row nor as a
  relationship end.  A person who also holds a post in another street, a firm that also
  manages compounds there, keep their node.
* A **relationship** is deleted when its sheet is in the files, one of its ends lies
  under the scope alone, and the ledgers do not hold it (same type, ends and key
  properties: the ``rkey`` of :mod:`graph.writer`).  A shared person so loses only their
  relationships into the scope; one between two shared nodes is untouched, and so is the
  scope node's own link to the level above (a street ``PART_OF`` its county).
* A deleted node takes all its relationships along, of any type (none may dangle); the
  plan lists them.

The plan is shown and confirmed before anything is written, then computed again inside
the import's transaction: if the store changed in between, nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graph import pruning
from graph.i18n import N_, _, translate
from graph.model import NODE_BY_LABEL, REL_BY_TYPE, key_label
from graph.spine import SCOPE_LABELS, UP
from graph.store import Store, Transaction, in_batches
from graph.writer import Progress, RelRecord, WriteSummary, write_graph
from loaders.ledger import Ledger

SHOWN = 5  # codes listed per label or type in the plan
LIST_SEP = N_("、")  # how the language joins a list
Read = Callable[..., list[dict[str, Any]]]  # Store.read or Transaction.run


class ReplaceRefused(ValueError):
    """A replace that cannot or must not go ahead; nothing was written."""


@dataclass(frozen=True, order=True)
class RelId:
    """One relationship as the writer keys it: type, ends (code-holding labels), rkey."""

    type: str
    source_label: str
    source: str
    target_label: str
    target: str
    rkey: str

    def __str__(self) -> str:
        return f"{self.source} → {self.target}" + (f"（{self.rkey}）" if self.rkey else "")

    @classmethod
    def of(cls, rel: RelRecord) -> RelId:
        return cls(rel.type, key_label(rel.source_label), rel.source,
                   key_label(rel.target_label), rel.target, rel.rkey)


@dataclass(frozen=True)
class ReplacePlan:
    """What a replace deletes: ``nodes`` as (label, code), ``rels``, both sorted."""

    scope_label: str
    scope: str
    sheets: tuple[str, ...]  # the kinds replaced: the sheets in the files
    nodes: tuple[tuple[str, str], ...]
    rels: tuple[RelId, ...]

    @property
    def empty(self) -> bool:
        return not self.nodes and not self.rels


def plan_replace(read: Read, ledger: Ledger, scope_label: str, scope: str,
                 batch_size: int = 2000) -> ReplacePlan:
    """What replacing ``scope`` by ``ledger`` deletes (the rules of the module doc)."""
    if scope_label not in SCOPE_LABELS:
        raise ReplaceRefused(_("--replace 的范围只能是县(区)、街道(乡镇)或社区"
                               "（County、Street、Community），收到 {label}", label=scope_label))
    node_labels = sorted(s for s in ledger.sheets if s in NODE_BY_LABEL)
    rel_types = sorted(s for s in ledger.sheets if s in REL_BY_TYPE)
    ends = {label for t in rel_types for pair in pruning.key_pairs(t) for label in pair}
    alone = {label: _alone(read, label, scope_label, scope)
             for label in sorted(set(node_labels) | ends)}
    named = _named(ledger)
    nodes = sorted((label, code) for label in node_labels
                   for code in alone[label] - named[label] if (label, code) != (scope_label, scope))
    held = {RelId.of(rel) for rel in ledger.rels}
    rels = {rel for t in rel_types for rel in _rels(read, t, alone, batch_size)
            if rel not in held and not _places_scope(rel, scope_label, scope)}
    rels |= set(_attached(read, nodes, batch_size))
    return ReplacePlan(scope_label, scope, tuple(sorted(ledger.sheets)), tuple(nodes),
                       tuple(sorted(rels)))


def _alone(read: Read, label: str, scope_label: str, scope: str) -> set[str]:
    """Codes of the ``label`` nodes under the scope and under no other of its level."""
    rows = read(pruning.under_scope(label, scope_label), scope=scope)
    return {row["code"] for row in rows if set(row["scopes"]) == {scope}}


def _named(ledger: Ledger) -> defaultdict[str, set[str]]:
    """Codes the ledgers name, per code-holding label: rows and relationship ends."""
    named: defaultdict[str, set[str]] = defaultdict(set)
    for node in ledger.nodes:
        named[node.label].add(node.code)
    for rel in ledger.rels:
        named[key_label(rel.source_label)].add(rel.source)
        named[key_label(rel.target_label)].add(rel.target)
    return named


def _rels(read: Read, rel_type: str, alone: dict[str, set[str]],
          batch_size: int) -> Iterator[RelId]:
    """The ``rel_type`` relationships with an end under the scope alone."""
    for source, target in pruning.key_pairs(rel_type):
        for outgoing, codes in ((True, alone[source]), (False, alone[target])):
            query = pruning.rels_at(rel_type, source, target, outgoing)
            for batch in in_batches(sorted(codes), batch_size):
                for row in read(query, codes=batch):
                    yield RelId(rel_type, source, row["src"], target, row["tgt"],
                                row["rkey"] or "")


def _places_scope(rel: RelId, scope_label: str, scope: str) -> bool:
    """The scope node's link to the level above: the scope's place, not its content."""
    return (rel.type == UP.get(scope_label) and rel.source_label == scope_label
            and rel.source == scope)


def _attached(read: Read, nodes: list[tuple[str, str]], batch_size: int) -> Iterator[RelId]:
    """Every relationship of the nodes to delete, which goes with them."""
    codes: defaultdict[str, list[str]] = defaultdict(list)
    for label, code in nodes:
        codes[label].append(code)
    for label, group in codes.items():
        for batch in in_batches(group, batch_size):
            for row in read(pruning.attached(label, True), codes=batch):
                yield RelId(row["type"], label, row["code"], pruning.model_label(row["labels"]),
                            row["other"], row["rkey"] or "")
            for row in read(pruning.attached(label, False), codes=batch):
                yield RelId(row["type"], pruning.model_label(row["labels"]), row["other"],
                            label, row["code"], row["rkey"] or "")


def load_replacing(store: Store, ledger: Ledger, plan: ReplacePlan, batch_size: int = 2000,
                   progress: Progress | None = None) -> WriteSummary:
    """Delete what ``plan`` lists and import ``ledger``, in one transaction.

    The plan is computed again inside the transaction and must be the one confirmed:
    a change to the store since (another load, an API write) refuses the whole replace.
    """
    def prelude(tx: Transaction, summary: WriteSummary) -> None:
        if plan_replace(tx.run, ledger, plan.scope_label, plan.scope, batch_size) != plan:
            raise ReplaceRefused(_("确认之后存储中的数据有了变化，要删除的内容与预览的不同；"
                                   "未写入任何内容，请重新运行"))
        _delete(tx, plan, summary, batch_size)

    return write_graph(store, ledger.nodes, ledger.rels, batch_size=batch_size,
                       progress=progress, prelude=prelude)


def _delete(tx: Transaction, plan: ReplacePlan, summary: WriteSummary, batch_size: int) -> None:
    """The relationships first, by key, then the nodes (nothing is left to detach)."""
    rels: defaultdict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for rel in plan.rels:
        rels[(rel.type, rel.source_label, rel.target_label)].append(
            {"src": rel.source, "tgt": rel.target, "rkey": rel.rkey})
    for (rel_type, source, target), rows in rels.items():
        for batch in in_batches(rows, batch_size):
            done = tx.run(pruning.delete_rels(rel_type, source, target), rows=batch)
            summary.add(rel_type, "deleted", done[0]["n"] if done else 0)
    codes: defaultdict[str, list[str]] = defaultdict(list)
    for label, code in plan.nodes:
        codes[label].append(code)
    for label, group in codes.items():
        for code_batch in in_batches(group, batch_size):
            done = tx.run(pruning.delete_nodes(label), codes=code_batch)
            summary.add(label, "deleted", done[0]["n"] if done else 0)


def render_plan(plan: ReplacePlan, shown: int = SHOWN) -> list[str]:
    """The plan for the person confirming it, in the language in force: the kinds
    replaced, then the counts per label and type with the first ``shown`` codes."""
    kinds = _listed(f"{_zh(s)}({s})" for s in plan.sheets) or _("（无）")
    lines = [_("按范围替换：{kind} {scope}", kind=_zh(plan.scope_label), scope=plan.scope),
             _("只替换文件中有的表：{kinds}；文件中没有的表，其数据一概不动。", kinds=kinds),
             _("只删除只属于该范围的数据：同时属于其他范围的节点保留，只删除它进入该范围的关系。")]
    if plan.empty:
        return [*lines, _("没有要删除的内容。")]
    lines.append(_("将删除 {nodes} 个节点、{rels} 条关系：", nodes=len(plan.nodes),
                   rels=len(plan.rels)))
    by_label: defaultdict[str, list[str]] = defaultdict(list)
    for label, code in plan.nodes:
        by_label[label].append(code)
    lines += [_line(label, codes, shown) for label, codes in by_label.items()]
    by_type: defaultdict[str, list[str]] = defaultdict(list)
    for rel in plan.rels:
        by_type[rel.type].append(str(rel))
    lines += [_line(t, items, shown) for t, items in sorted(by_type.items())]
    return lines


def render_deleted(summary: WriteSummary) -> str:
    """The deletions a replace made, for the import summary."""
    deleted = summary.deleted()
    nodes = sum(n for kind, n in deleted.items() if kind in NODE_BY_LABEL)
    each = _listed(f"{_zh(kind)} {n:,}" for kind, n in deleted.items() if n)
    counts = {"nodes": f"{nodes:,}", "rels": f"{sum(deleted.values()) - nodes:,}"}
    if each:
        return _("已删除 {nodes} 个节点、{rels} 条关系：{each}。", each=each, **counts)
    return _("已删除 {nodes} 个节点、{rels} 条关系。", **counts)


def _zh(kind: str) -> str:
    """The name of a node label or relationship type (小区, 任职) in the language in force."""
    return translate(NODE_BY_LABEL[kind].zh if kind in NODE_BY_LABEL else REL_BY_TYPE[kind].zh)


def _listed(items: Iterable[str]) -> str:
    return translate(LIST_SEP).join(items)


def _line(kind: str, items: list[str], shown: int) -> str:
    """One label's (个) or type's (条) deletions, with the first ``shown`` of them."""
    values = {"name": _zh(kind), "kind": kind, "count": len(items),
              "items": _listed(items[:shown])}
    if kind in NODE_BY_LABEL:
        if len(items) > shown:
            return _("  {name} {kind}：{count} 个：{items} 等 {count} 个", **values)
        return _("  {name} {kind}：{count} 个：{items}", **values)
    if len(items) > shown:
        return _("  {name} {kind}：{count} 条：{items} 等 {count} 条", **values)
    return _("  {name} {kind}：{count} 条：{items}", **values)
