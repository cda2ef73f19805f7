"""Portable backups: the whole graph in one gzipped JSON-lines file.

Format (version 1), one JSON object per line:

1. ``{"format": "jinlin-dump", "version": 1, "nodes": N, "relationships": M}``
2. one line per node, labels in model order, codes ascending:
   ``{"node": "Compound", "code": "K1", "props": {...}}`` (``props`` without ``code``;
   persons carry ``member_status``, from which the Member label follows)
3. one line per relationship, types in model order:
   ``{"rel": "HOLDS_POST", "from": ["Person", "P1"], "to": ["PartyOrg", "O1"], "props": {...}}``

Keys are the model's natural keys, never database ids, so a dump taken from ArcadeDB
restores into Neo4j and back.  Lines are sorted, so dumping the same graph twice gives
identical bytes (after decompression) and ``dump → restore → dump`` can be compared.

A dump holds everyone's phone and ID numbers, so it is created 0600.  A dump is also a
file that can be edited, so restore trusts none of it: every record is checked against
the model as a ledger would be (:mod:`graph.dump_check`) and nothing is written unless
every record passes.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from graph import queries
from graph.dump_check import DumpProblem, check_dump
from graph.i18n import _
from graph.model import MEMBER, NODES, RELS
from graph.store import Store
from graph.writer import Progress, WriteSummary, is_empty, write_graph

FORMAT, VERSION = "jinlin-dump", 1
PAGE = 5000
MAX_SHOWN = 200  # problems listed in a refusal's message; all are in .problems


def _model_label(labels: list[str]) -> str:
    """The model label of a node (a member is dumped as its Person)."""
    named = [lab for lab in labels if lab != MEMBER]
    return named[0] if named else MEMBER


def _nodes(store: Store) -> Iterator[dict[str, Any]]:
    for node in NODES:
        after = ""
        while True:
            page = store.read(queries.dump_nodes(node.label), after=after, limit=PAGE)
            for row in page:
                props = {k: v for k, v in row["props"].items() if k != "code"}
                yield {"node": node.label, "code": row["code"], "props": props}
            if len(page) < PAGE:
                break
            after = page[-1]["code"]


def _rels(store: Store) -> Iterator[dict[str, Any]]:
    for rel in RELS:
        skip = 0
        while True:
            page = store.read(queries.dump_rels(rel.type), skip=skip, limit=PAGE)
            for row in page:
                props = {k: v for k, v in row["props"].items() if k != "rkey"}
                yield {
                    "rel": rel.type,
                    "from": [_model_label(row["a_labels"]), row["a_code"]],
                    "to": [_model_label(row["b_labels"]), row["b_code"]],
                    "props": props,
                }
            if len(page) < PAGE:
                break
            skip += PAGE


def _size(store: Store) -> int:
    """Nodes and relationships a dump will hold: the total its progress counts toward."""
    return sum(int(store.read(queries.count_label(node.label))[0]["n"]) for node in NODES) + \
        sum(int(store.read(queries.count_rel(rel.type))[0]["n"]) for rel in RELS)


def dump(store: Store, path: str | Path, progress: Progress | None = None) -> tuple[int, int]:
    """Write the graph to ``path``; returns (nodes, relationships).

    ``progress`` hears of the records read, by label or type, out of the store's count
    taken first; it reaches the end, ``("done", n, n)``, once the file is written.
    """
    total = _size(store) if progress else 0
    nodes: list[dict[str, Any]] = []
    rels: list[dict[str, Any]] = []
    for kept, records in ((nodes, _nodes(store)), (rels, _rels(store))):
        for record in records:
            kept.append(record)
            done = len(nodes) + len(rels)
            if progress and done < total:
                progress(record.get("node") or record["rel"], done, total)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as packed, \
            io.TextIOWrapper(packed, encoding="utf-8") as fh:
        header = {"format": FORMAT, "version": VERSION, "nodes": len(nodes),
                  "relationships": len(rels)}
        for obj in [header, *nodes, *rels]:
            fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")
    if progress:
        progress("done", len(nodes) + len(rels), len(nodes) + len(rels))
    return len(nodes), len(rels)


class RestoreRefused(RuntimeError):
    """The store is not empty, or the file is not a jinlin dump this version reads."""


class DumpInvalid(RestoreRefused):
    """Records of the dump break the model; nothing was written.  ``str()`` lists them."""

    def __init__(self, path: str | Path, problems: Sequence[DumpProblem], total: int) -> None:
        self.problems = list(problems)
        lines = [_("{path} 未通过模型校验，未写入任何内容（{total} 个问题）：", path=path,
                   total=total)]
        lines += [str(p) for p in self.problems[:MAX_SHOWN]]
        if total > MAX_SHOWN:
            lines.append(_("… 另有 {more} 个问题", more=total - MAX_SHOWN))
        super().__init__("\n".join(lines))


def restore(
    store: Store, path: str | Path, force: bool = False, batch_size: int = 2000,
    progress: Progress | None = None, bulk: bool = False,
) -> WriteSummary:
    """Load a dump in one transaction. Refuses a non-empty store unless ``force``, and
    any dump with a record the model refuses (:class:`DumpInvalid`, nothing written).
    ``bulk``: as :func:`graph.writer.write_graph`'s (no reader alongside)."""
    if not force and not is_empty(store):
        raise RestoreRefused(_("数据库不是空的：请恢复到空库，或加 --force 把备份合并到现有数据中"))
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        try:
            header = json.loads(fh.readline(4096))
        except (ValueError, OSError, EOFError) as exc:
            raise RestoreRefused(_("{path} 不是 jinlin 备份文件：{detail}", path=path,
                                   detail=exc)) from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT \
                or header.get("version") != VERSION:
            raise RestoreRefused(_(
                "{path} 不是第 {version} 版的 jinlin 备份文件（文件头 {header}）",
                path=path, version=VERSION, header=f"{header!r:.200}"))
        checked = check_dump(fh, header, store, batch_size)
    if checked.total:
        raise DumpInvalid(path, checked.problems, checked.total)
    return write_graph(store, checked.nodes, checked.rels, batch_size=batch_size,
                       progress=progress, bulk=bulk)
