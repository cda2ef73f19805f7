"""The command line's writes each leave one audit line, written inside their transaction.

Ledgers: a/ holds county K1, street S1 and S1 → K1 (3 rows); b/ holds street S2 and
S2 → K1.  ``load --replace County:K1 b`` then deletes S1 and its PART_OF (the street
sheet no longer has it) and creates S2 and its PART_OF: created 2, deleted 2.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from api.cli.main import main
from graph import bulk, queries, writer
from graph.store import BoltStore
from graph.writer import counts

sys.path.insert(0, str(Path(__file__).parents[1] / "loaders"))
from test_import import write_dir  # noqa: E402

PART_OF = ["from_kind", "from", "to_kind", "to"]
A = {"County.csv": [["code", "name"], ["K1", "城关区"]],
     "Street.csv": [["code", "name"], ["S1", "东街"]],
     "PART_OF.csv": [PART_OF, ["Street", "S1", "County", "K1"]]}
B = {"Street.csv": [["code", "name"], ["S2", "西街"]],
     "PART_OF.csv": [PART_OF, ["Street", "S2", "County", "K1"]]}


def _embedded(store: BoltStore) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")


def _lines(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _new_line(data_dir: Path, before: int) -> dict[str, Any]:
    """The one line written since the log had ``before`` lines, less its id and time."""
    lines = _lines(data_dir)
    assert len(lines) == before + 1
    line = lines[-1]
    assert set(line) >= {"id", "when"}
    return {k: v for k, v in line.items() if k not in ("id", "when")}


def _facts(directory: Path, names: list[str]) -> list[dict[str, Any]]:
    return [{"name": f"{directory.name}/{name}",
             "sha256": hashlib.sha256((directory / name).read_bytes()).hexdigest(),
             "size": (directory / name).stat().st_size} for name in sorted(names)]


def test_a_load_through_the_bulk_path_writes_one_line(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into an empty store, ``jinlin load`` writes through the store's own batch
    (graph.bulk), which commits as it goes: its one line is made durable by the last
    step's transaction, with the counts."""
    _embedded(store)
    taken: list[int] = []
    real = bulk.write_fresh
    monkeypatch.setattr(writer, "BULK_FROM", 1)
    monkeypatch.setattr(bulk, "write_fresh", lambda *args: taken.append(1) or real(*args))
    a = write_dir(tmp_path / "a", A)
    before = len(_lines(embedded_dir))
    assert main(["load", "--data-dir", str(embedded_dir), "--by", "zhang.san", str(a)]) == 0
    assert taken == [1]
    assert _new_line(embedded_dir, before) == {
        "who": "zhang.san", "role": "shell", "scope": "*", "mutation": "load",
        "arguments": {"files": _facts(a, ["County.csv", "PART_OF.csv", "Street.csv"])},
        "outcome": "ok", "counts": {"created": 3, "updated": 0, "deleted": 0}}
    assert counts(store)[1]["PART_OF"] == 1


def test_load_and_replace_each_write_one_line(
    store: BoltStore, embedded_dir: Path, tmp_path: Path
) -> None:
    _embedded(store)
    a, b = write_dir(tmp_path / "a", A), write_dir(tmp_path / "b", B)
    before = len(_lines(embedded_dir))
    assert main(["load", "--data-dir", str(embedded_dir), "--by", "zhang.san", str(a)]) == 0
    assert _new_line(embedded_dir, before) == {
        "who": "zhang.san", "role": "shell", "scope": "*", "mutation": "load",
        "arguments": {"files": _facts(a, ["County.csv", "PART_OF.csv", "Street.csv"])},
        "outcome": "ok", "counts": {"created": 3, "updated": 0, "deleted": 0}}
    before += 1
    assert main(["load", "--data-dir", str(embedded_dir), "--replace", "County:K1", "--yes",
                 str(b)]) == 0
    assert _new_line(embedded_dir, before) == {
        "who": getpass.getuser(), "role": "shell", "scope": "K1", "mutation": "loadReplace",
        "arguments": {"files": _facts(b, ["PART_OF.csv", "Street.csv"]),
                      "replace": "County:K1"},
        "outcome": "ok", "counts": {"created": 2, "updated": 0, "deleted": 2}}
    assert {r["code"] for r in store.read(queries.existing_nodes("Street"), codes=["S1", "S2"])} \
        == {"S2"}


def test_restore_writes_one_line_and_a_refused_one_too(
    store: BoltStore, embedded_dir: Path, tmp_path: Path
) -> None:
    _embedded(store)
    assert main(["load", "--data-dir", str(embedded_dir), str(write_dir(tmp_path / "a", A))]) == 0
    dump = tmp_path / "backup.jsonl.gz"
    assert main(["dump", "--data-dir", str(embedded_dir), str(dump)]) == 0
    restore = ["restore", "--data-dir", str(embedded_dir), "--by", "li.si", str(dump)]
    facts = [{"name": str(dump), "sha256": hashlib.sha256(dump.read_bytes()).hexdigest(),
              "size": dump.stat().st_size}]
    head = {"who": "li.si", "role": "shell", "scope": "*", "mutation": "restore",
            "arguments": {"files": facts, "force": False}}
    before = len(_lines(embedded_dir))
    assert main(restore) == 2  # the store is not empty: nothing reached it
    assert _new_line(embedded_dir, before) == {**head, "outcome": "refused"}
    store.write(queries.DELETE_ALL)
    assert main(restore) == 0
    assert _new_line(embedded_dir, before + 1) == {
        **head, "outcome": "ok", "counts": {"created": 3, "updated": 0, "deleted": 0}}


def test_a_refused_ledger_gets_one_invalid_line(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ledger never reached the store; the line still says who tried to load what."""
    _embedded(store)
    bad = write_dir(tmp_path / "bad", {"PART_OF.csv": [PART_OF, ["Street", "S9", "County", "K9"]]})
    before = len(_lines(embedded_dir))
    assert main(["load", "--data-dir", str(embedded_dir), "--by", "wang.wu", str(bad)]) == 2
    assert "未导入任何内容" in capsys.readouterr().err
    assert _new_line(embedded_dir, before) == {
        "who": "wang.wu", "role": "shell", "scope": "*", "mutation": "load",
        "arguments": {"files": _facts(bad, ["PART_OF.csv"])}, "outcome": "invalid"}


def test_an_import_whose_line_cannot_be_written_is_rolled_back(
    store: BoltStore, embedded_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _embedded(store)
    log = embedded_dir / "audit.log"
    aside = tmp_path / "audit.log.aside"
    if log.exists():
        shutil.move(log, aside)
    log.mkdir()  # no line can be appended to a directory
    try:
        before = counts(store)
        assert main(["load", "--data-dir", str(embedded_dir), str(write_dir(tmp_path / "a", A))]) \
            == 2
        assert "审计日志写入失败，变更已撤销" in capsys.readouterr().err
        assert counts(store) == before
    finally:
        log.rmdir()
        if aside.exists():
            shutil.move(aside, log)


def test_by_must_name_someone(embedded_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--data-dir", str(embedded_dir), "--by", " ", "x.csv"]) == 2
    assert capsys.readouterr().err == "jinlin: --by 无效：须是 1 到 200 个字符的名字\n"
