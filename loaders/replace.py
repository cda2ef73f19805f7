"""Replace mode (``jinlin load --replace Street:C01-S01 FILES…``): what the ledgers of
one scope no longer hold is deleted, in the same transaction as their import.

Importing only upserts, so a row removed from a ledger stayed in the store forever.  A
replace makes the ledgers the truth about one scope, within limits chosen so that it
never reaches another scope's data or a kind the clerk did not send:

* **Only the kinds (sheets) in the files are replaced**, a sheet with a header and no
  rows included (it says "there are none"); a kind without a sheet is left as it is.
* A **node** of a sheet in the files is a candidate when it lies under the scope **and
  under no other scope of that level** (the API's scope rule, :mod:`graph.scope`), it is
  not the scope node itself, and the ledgers name it neither as a row nor as a
  relationship end.  A person who also holds a post in another street, a firm that also
  manages compounds there, keep their node.
* A candidate must also be **placed in the scope by its own relationships**: it has at
  least one of its :data:`graph.spine.PLACEMENT` relationships (a grid's ``PART_OF``, a
  party organisation's ``COVERS``, a resident's ``LIVES_IN``) and every one of them leads
  to a node under the scope.  The scope rule counts an organisation in a scope when an
  organisation below it covers territory there, so a street committee whose branches all
  lie in one community is "under that community alone"; it has no ``COVERS`` of its own
  there, and a replace of the community keeps it.  A node not placed by itself counts as
  shared below: it keeps its relationships leading elsewhere.
* A **relationship** is deleted when its sheet is in the files, one of its ends lies
  under the scope alone, and the ledgers do not hold it (same type, ends and key
  properties: the ``rkey`` of :mod:`graph.writer`).  A shared person so loses only their
  relationships into the scope; one between two shared nodes is untouched, and so is the
  scope node's own link to the level above (a street ``PART_OF`` its county).
* A candidate is **deleted only when every relationship it still has** (after those
  deletions) is of a type with a sheet in the files; those go with it, and the plan lists
  them.  One with a relationship of a type the files do not carry is kept (a grid whose
  compounds are ``IN_GRID`` it, when no ``IN_GRID`` sheet was sent): a kind with no sheet
  is never touched, not even by a node deleted at its other end.  The plan lists the
  candidates kept and why (:class:`Kept`).  A node kept so also keeps the relationships
  that place it (``PLACEMENT``: a compound its ``IN_GRID``), unless what they lead to is
  deleted: kept but placed nowhere, it would drop out of every figure.

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
from graph.spine import PLACEMENT, SCOPE_LABELS, UP
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


@dataclass(frozen=True, order=True)
class Kept:
    """A node the ledgers no longer name that the replace keeps, and why (``types``: the
    relationship types concerned): ``unplaced``, none of its own placement relationships
    leads into the scope; ``outside``, some of them lead elsewhere; ``unsent``, it still
    has relationships of types with no sheet in the files."""

    label: str
    code: str
    why: str
    types: tuple[str, ...]


@dataclass(frozen=True)
class ReplacePlan:
    """What a replace deletes: ``nodes`` as (label, code), ``rels``; the candidates it
    keeps, ``kept``; all sorted."""

    scope_label: str
    scope: str
    sheets: tuple[str, ...]  # the kinds replaced: the sheets in the files
    nodes: tuple[tuple[str, str], ...]
    rels: tuple[RelId, ...]
    kept: tuple[Kept, ...] = ()

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
    under = {label: _alone(read, label, scope_label, scope)
             for label in sorted(set(node_labels) | ends)}
    inner = [(label, code) for label, codes in under.items() for code in sorted(codes)
             if (label, code) != (scope_label, scope)]
    misplaced = _misplaced(read, inner, scope_label, scope, batch_size)
    # one not placed in the scope by itself counts as shared: it keeps its node and its
    # relationships leading elsewhere
    alone = {label: {code for code in codes if (label, code) not in misplaced}
             for label, codes in under.items()}
    named = _named(ledger)
    unnamed = {(label, code) for label in node_labels for code in under[label] - named[label]
               if (label, code) != (scope_label, scope)}
    kept = {node: why for node, why in misplaced.items() if node in unnamed}
    held = {RelId.of(rel) for rel in ledger.rels}
    rels = {rel for t in rel_types for rel in _rels(read, t, alone, batch_size)
            if rel not in held and not _places_scope(rel, scope_label, scope)}
    nodes, going = [], set()
    for node, attached in sorted(_attached(read, sorted(unnamed - set(kept)),
                                           batch_size).items()):
        unsent = sorted({rel.type for rel in attached - rels} - set(rel_types))
        if unsent:
            kept[node] = Kept(*node, "unsent", tuple(unsent))
        else:
            nodes.append(node)
            going |= attached
    held_back = {node for node, why in kept.items() if why.why == "unsent"}
    rels = {rel for rel in rels if not _places(rel, held_back)} | going
    return ReplacePlan(scope_label, scope, tuple(sorted(ledger.sheets)), tuple(nodes),
                       tuple(sorted(rels)), tuple(sorted(kept.values())))


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


def _misplaced(read: Read, candidates: list[tuple[str, str]], scope_label: str, scope: str,
               batch_size: int) -> dict[tuple[str, str], Kept]:
    """The nodes not placed in the scope by their own PLACEMENT relationships."""
    inside: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    outside: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for label, group in _by_label(candidates).items():
        for rel_type in PLACEMENT[label]:
            for source, target in pruning.key_pairs(rel_type):
                for outgoing, other in ((True, target), (False, source)):
                    if (source if outgoing else target) != label:
                        continue
                    query = pruning.placed(label, rel_type, other, outgoing, scope_label)
                    for batch in in_batches(group, batch_size):
                        for row in read(query, codes=batch):
                            side = inside if scope in row["scopes"] else outside
                            side[(label, row["code"])].add(rel_type)
    kept = {}
    for node in candidates:
        if outside[node]:
            kept[node] = Kept(*node, "outside", tuple(sorted(outside[node])))
        elif not inside[node]:
            kept[node] = Kept(*node, "unplaced", PLACEMENT[node[0]])
    return kept


def _places(rel: RelId, nodes: set[tuple[str, str]]) -> bool:
    """Whether ``rel`` is one of the relationships that place one of ``nodes``
    (graph.spine.PLACEMENT): a node kept keeps them, or it would lie in no scope and
    every figure would leave it out."""
    return any(node in nodes and rel.type in PLACEMENT.get(node[0], ())
               for node in ((rel.source_label, rel.source), (rel.target_label, rel.target)))


def _by_label(nodes: Iterable[tuple[str, str]]) -> defaultdict[str, list[str]]:
    codes: defaultdict[str, list[str]] = defaultdict(list)
    for label, code in nodes:
        codes[label].append(code)
    return codes


def _attached(read: Read, nodes: list[tuple[str, str]],
              batch_size: int) -> dict[tuple[str, str], set[RelId]]:
    """Every relationship of each of the nodes, of any type (a node goes with them)."""
    found: dict[tuple[str, str], set[RelId]] = {node: set() for node in nodes}
    for label, group in _by_label(nodes).items():
        for batch in in_batches(group, batch_size):
            for row in read(pruning.attached(label, True), codes=batch):
                found[(label, row["code"])].add(RelId(
                    row["type"], label, row["code"], pruning.model_label(row["labels"]),
                    row["other"], row["rkey"] or ""))
            for row in read(pruning.attached(label, False), codes=batch):
                found[(label, row["code"])].add(RelId(
                    row["type"], pruning.model_label(row["labels"]), row["other"], label,
                    row["code"], row["rkey"] or ""))
    return found


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
    for label, group in _by_label(plan.nodes).items():
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
        return [*lines, _("没有要删除的内容。"), *_kept(plan.kept, shown)]
    lines.append(_("将删除 {nodes} 个节点、{rels} 条关系：", nodes=len(plan.nodes),
                   rels=len(plan.rels)))
    lines += [_line(label, codes, shown) for label, codes in _by_label(plan.nodes).items()]
    by_type: defaultdict[str, list[str]] = defaultdict(list)
    for rel in plan.rels:
        by_type[rel.type].append(str(rel))
    lines += [_line(t, items, shown) for t, items in sorted(by_type.items())]
    return [*lines, *_kept(plan.kept, shown)]


# Why a candidate is kept (:class:`Kept`), in the language in force.
_WHY = {
    "unplaced": N_("  保留 {kind} {code}：没有自己的 {types} 关系落在本范围内"),
    "outside": N_("  保留 {kind} {code}：自己的 {types} 关系有的不在本范围内"),
    "unsent": N_("  保留 {kind} {code}：仍有 {types} 关系（本次未提供该类台账）"),
}


def _kept(kept: tuple[Kept, ...], shown: int) -> list[str]:
    """The candidates kept, the first ``shown`` with their reason."""
    if not kept:
        return []
    lines = [_("以下 {count} 个节点台账中已没有，但予以保留：", count=len(kept))]
    lines += [translate(_WHY[k.why]).format(kind=k.label, code=k.code, types=_listed(k.types))
              for k in kept[:shown]]
    if len(kept) > shown:
        lines.append(_("  等 {count} 个", count=len(kept)))
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
