"""The command line as a user runs it: exit codes and what it prints."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.cli.main import main
from graph.store import BoltStore
from graph.writer import NodeRecord, write_graph


def test_template_writes_every_sheet_with_chinese_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["template", str(tmp_path)]) == 0
    with (tmp_path / "HOLDS_POST.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == [
            "起点编码", "终点类型", "终点编码", "职务", "开始日期", "结束日期", "专职"
        ]
    book = load_workbook(tmp_path / "templates.xlsx", read_only=True)
    assert "Compound" in book.sheetnames and len(book.sheetnames) == 42
    assert "wrote 43 blank ledgers" in capsys.readouterr().out


def test_stats_dump_and_restore(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    write_graph(store, [NodeRecord("Compound", "K1", {"name": "幸福小区"})], [])
    assert main(["stats", "--data-dir", str(embedded_dir)]) == 0
    assert "  Compound                   1" in capsys.readouterr().out
    dump = tmp_path / "backup.jsonl.gz"
    assert main(["dump", "--data-dir", str(embedded_dir), str(dump)]) == 0
    assert main(["restore", "--data-dir", str(embedded_dir), str(dump)]) == 2
    assert "the store is not empty" in capsys.readouterr().err
