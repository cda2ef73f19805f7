"""Backups: dump → restore → dump gives identical content, on every backend."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from graph import backup, queries
from graph.store import BoltStore
from graph.writer import NodeRecord, RelRecord, counts, write_graph

NODES = [
    NodeRecord("Compound", "K1", {"name": "幸福小区", "households": 300, "old": True,
                                  "lat": 30.1, "lon": 120.2}),
    NodeRecord("Building", "K1-B1", {"name": "1幢", "households": 40}),
    NodeRecord("Person", "P1", {"name": "王芳", "member_status": "in_service",
                                "phone": "13800001111"}),
    NodeRecord("Person", "P2", {"name": "赵强"}),
    NodeRecord("PartyOrg", "O1", {"name": "幸福小区党支部", "kind": "compound_branch"}),
]
RELS = [
    RelRecord("PART_OF", "Building", "K1-B1", "Compound", "K1"),
    RelRecord("COVERS", "PartyOrg", "O1", "Compound", "K1"),
    RelRecord("HOLDS_POST", "Person", "P1", "PartyOrg", "O1",
              {"role": "secretary", "since": "2020-01-01", "until": "2022-12-31"}),
    RelRecord("HOLDS_POST", "Person", "P1", "PartyOrg", "O1",
              {"role": "secretary", "since": "2023-01-01"}),
    RelRecord("LIAISES", "Member", "P1", "Building", "K1-B1", {"since": "2021-05-01"}),
    RelRecord("LIVES_IN", "Person", "P2", "Compound", "K1"),
]


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def test_dump_restore_dump_is_identical(store: BoltStore, tmp_path: Path) -> None:
    write_graph(store, NODES, RELS)
    first = tmp_path / "first.jsonl.gz"
    assert backup.dump(store, first) == (5, 6)
    store.write(queries.DELETE_ALL)
    summary = backup.restore(store, first)
    assert summary.changed == 11
    second = tmp_path / "second.jsonl.gz"
    backup.dump(store, second)
    assert _lines(first) == _lines(second)
    assert counts(store)[0]["Member"] == 1
    assert _lines(first)[0] == (
        '{"format": "jinlin-dump", "nodes": 5, "relationships": 6, "version": 1}'
    )


def test_restore_refuses_a_non_empty_store_unless_forced(store: BoltStore, tmp_path: Path) -> None:
    write_graph(store, NODES, RELS)
    path = tmp_path / "d.jsonl.gz"
    backup.dump(store, path)
    with pytest.raises(backup.RestoreRefused, match="数据库不是空的"):
        backup.restore(store, path)
    assert backup.restore(store, path, force=True).changed == 0


def test_restore_refuses_a_file_that_is_not_a_dump(store: BoltStore, tmp_path: Path) -> None:
    path = tmp_path / "other.gz"
    with gzip.open(path, "wt") as fh:
        fh.write('{"format": "something-else"}\n')
    with pytest.raises(backup.RestoreRefused, match="不是第 1 版的 jinlin 备份文件"):
        backup.restore(store, path)


def test_dump_reports_progress_per_record_then_done(store: BoltStore, tmp_path: Path) -> None:
    write_graph(store, NODES, RELS)
    heard: list[tuple[str, int, int]] = []
    backup.dump(store, tmp_path / "b.jsonl.gz", progress=lambda *a: heard.append(a))
    # labels in model order (a member as its Person), then types in model order; the
    # last record is not reported by itself: the end is reached once the file is written
    kinds = ["Compound", "Building", "PartyOrg", "Person", "Person",
             "PART_OF", "COVERS", "LIVES_IN", "LIAISES", "HOLDS_POST"]
    assert heard == [(k, i, 11) for i, k in enumerate(kinds, 1)] + [("done", 11, 11)]
