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
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph import queries
from graph.model import MEMBER, NODES, RELS
from graph.store import Store
from graph.writer import NodeRecord, Progress, RelRecord, WriteSummary, is_empty, write_graph

FORMAT, VERSION = "jinlin-dump", 1
PAGE = 5000


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


def dump(store: Store, path: str | Path) -> tuple[int, int]:
    """Write the graph to ``path``; returns (nodes, relationships)."""
    nodes = list(_nodes(store))
    rels = list(_rels(store))
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        header = {"format": FORMAT, "version": VERSION, "nodes": len(nodes),
                  "relationships": len(rels)}
        for obj in [header, *nodes, *rels]:
            fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")
    return len(nodes), len(rels)


class RestoreRefused(RuntimeError):
    """The store is not empty, or the file is not a jinlin dump this version reads."""


def restore(
    store: Store, path: str | Path, force: bool = False, batch_size: int = 2000,
    progress: Progress | None = None,
) -> WriteSummary:
    """Load a dump in one transaction. Refuses a non-empty store unless ``force``."""
    if not force and not is_empty(store):
        raise RestoreRefused(
            "the store is not empty: restore into an empty store, or pass --force to merge "
            "the dump into what is there"
        )
    nodes: list[NodeRecord] = []
    rels: list[RelRecord] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        try:
            header = json.loads(fh.readline())
        except (ValueError, OSError) as exc:
            raise RestoreRefused(f"{path} is not a jinlin dump: {exc}") from exc
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise RestoreRefused(
                f"{path} is not a version-{VERSION} jinlin dump (header {header!r})"
            )
        for line in fh:
            obj = json.loads(line)
            if "node" in obj:
                nodes.append(NodeRecord(obj["node"], obj["code"], obj["props"]))
            else:
                (src_label, src), (tgt_label, tgt) = obj["from"], obj["to"]
                rels.append(RelRecord(obj["rel"], src_label, src, tgt_label, tgt, obj["props"]))
    return write_graph(store, nodes, rels, batch_size=batch_size, progress=progress)
