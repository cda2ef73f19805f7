"""The command line as a user runs it: exit codes and what it prints."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.cli.main import main
from graph.store import BoltStore
from graph.writer import NodeRecord, write_graph

sys.path.insert(0, str(Path(__file__).parents[1] / "analysis"))  # the graph builder
from analysis_builder import G  # noqa: E402


def test_template_writes_every_sheet_with_chinese_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["template", str(tmp_path)]) == 0
    with (tmp_path / "HOLDS_POST.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == [
            "起点编码", "终点类型", "终点编码", "职务", "开始日期", "结束日期", "专职"
        ]
    book = load_workbook(tmp_path / "templates.xlsx", read_only=True)
    assert book.sheetnames[:2] == ["填写说明", "县(区)"] and "小区" in book.sheetnames
    assert len(book.sheetnames) == 51
    assert "已将 51 个空白台账写入" in capsys.readouterr().out


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
    assert "数据库不是空的" in capsys.readouterr().err


def _arcadedb_only(store: BoltStore) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")


def test_report_scopes(store: BoltStore, embedded_dir: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    _arcadedb_only(store)
    # a compound (unplaced) shares community M1's code: the bare code M1 is ambiguous
    G().spine("K1", {"S1": {"M1": {"G1": ["C1"]}}}).node("Compound", "M1").write(store)
    run = ["report", "--data-dir", str(embedded_dir), "--as-of", "2025-01-01"]
    for scope, err in (
        ("County:NOPE", "范围 County:NOPE 不存在"),
        ("NOPE", "范围 NOPE 不存在"),
        ("M1", "编码 M1 同时是 Compound、Community 的编码，请写成 类型:编码，如 Compound:M1"),
        ("Building:B1", "Building 不能作为范围，可用：Compound、Grid、Community、Street、County"),
    ):
        assert main([*run, "--scope", scope]) == 2
        assert capsys.readouterr().err == f"jinlin: {err}\n"
    assert main(run) == 0  # the only county
    assert capsys.readouterr().out.startswith("县(区) K1 K1 — 截至 2025-01-01\n")
    assert main([*run, "--scope", "S1"]) == 0
    assert capsys.readouterr().out.startswith("街道(乡镇) S1 S1 — 截至 2025-01-01\n")
    assert main([*run, "--scope", "Community:M1"]) == 0
    assert capsys.readouterr().out.startswith("社区 M1 M1 — 截至 2025-01-01\n")
    assert main([*run[:3], "--as-of", "yesterday"]) == 2
    assert capsys.readouterr().err == \
        "jinlin: asOf 必须是 YYYY-MM-DD 格式的日期，收到 'yesterday'\n"
    G().spine("K2").write(store)
    assert main(run) == 2
    assert capsys.readouterr().err == \
        "jinlin: 存储中有多个县(区)，请用 --scope 指定范围，如 County:K1\n"


def test_check_lists_warnings_and_sets_the_exit_status(
    store: BoltStore, embedded_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _arcadedb_only(store)
    g = G().spine("K1", {"S1": {"M1": {"G1": ["C1"]}}}, C1={"property_mode": "market"})
    g.node("Compound", "C9").write(store)
    run = ["check", "--data-dir", str(embedded_dir), "--as-of", "2025-01-01"]
    assert main(run) == 1
    assert capsys.readouterr().out.splitlines() == [
        "警告：2 处数据会让指标少算或算错（2 条规则）",
        "小区：小区未归属任何网格（IN_GRID），不在任何范围内，所有指标都不计入，共 1 个",
        "  C9 C9",
        "小区：物业管理模式为市场化物业、党建引领领办物业、国企托管之一，但当前没有物业服务企业"
        "管理（物业服务），指标按无物业计，共 1 个",
        "  C1 C1，物业管理模式：市场化物业",
    ]
    assert main([*run, "--scope", "Community:M1"]) == 1
    assert capsys.readouterr().out.splitlines()[1].endswith(
        "（不在任何范围内，按全库列出），共 1 个")
    assert main([*run, "--scope", "NOPE"]) == 2
    assert capsys.readouterr().err == "jinlin: 范围 NOPE 不存在\n"
    fixed = G()
    fixed.labels.update(g.labels)
    fixed.node("PropertyFirm", "F1").rel("F1", "MANAGES", "C1").rel("C9", "IN_GRID", "G1")
    fixed.write(store)
    assert main(run) == 0
    assert capsys.readouterr().out == "未发现放置缺失或属性与关系矛盾。\n"


def test_load_prints_the_warnings(store: BoltStore, embedded_dir: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    _arcadedb_only(store)
    ledgers = {"County.csv": "编码,名称\nK1,城关区\n",
               "Street.csv": "编码,名称\nS1,东街\n",
               "PART_OF.csv": "起点类型,起点编码,终点类型,终点编码\nStreet,S1,County,K1\n",
               "Compound.csv": "编码,名称,物业管理模式\nC1,幸福小区,无物业\n"}
    for name, text in ledgers.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["load", "--data-dir", str(embedded_dir), str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[out.index("共新建或更新 4 行。") + 1:] == [
        "警告：1 处数据会让指标少算或算错（1 条规则）",
        "小区：小区未归属任何网格（IN_GRID），不在任何范围内，所有指标都不计入，共 1 个",
        "  C1 幸福小区",
    ]


def test_token_refuses_an_unknown_scope(
    store: BoltStore, embedded_dir: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    _arcadedb_only(store)
    monkeypatch.setenv("JINLIN_JWT_SECRET", "s" * 48)
    G().spine("K1", {"S1": {}}).write(store)
    run = ["token", "--data-dir", str(embedded_dir), "--role", "street_staff",
           "--subject", "zhang.san", "--scope"]
    assert main([*run, "NOPE"]) == 2
    assert capsys.readouterr().err == "jinlin: 范围 NOPE 不存在（县/街道/社区编码）\n"
    assert main([*run, "S1"]) == 0 and capsys.readouterr().out.count(".") == 2  # a JWT


def test_report_each_county(store: BoltStore, embedded_dir: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """One file per county, made by a pool of processes, each equal to that county's
    own ``jinlin report``; wrong combinations refused before the store starts."""
    _arcadedb_only(store)
    G().spine("K1", {"S1": {"M1": {"G1": ["C1"]}}}) \
        .spine("K2", {"S2": {"M2": {"G2": ["C2", "C3"]}}}).write(store)
    run = ["report", "--data-dir", str(embedded_dir), "--as-of", "2025-01-01"]
    out = tmp_path / "reports"
    assert main([*run, "--each-county", "--out", str(out), "--format", "json",
                 "--workers", "2"]) == 0
    assert capsys.readouterr().out == f"已写入 2 份报告到 {out}\n"
    assert sorted(p.name for p in out.iterdir()) == ["K1.json", "K2.json"]
    for county in ("K1", "K2"):
        assert main([*run, "--scope", county, "--format", "json"]) == 0
        assert (out / f"{county}.json").read_text(encoding="utf-8") + "\n" == \
            capsys.readouterr().out
    assert '"denominator": 2' in (out / "K2.json").read_text(encoding="utf-8")
    for extra, err in (([], "--each-county 须与 --out 目录一起用，且不能再给 --scope"),
                       (["--out", str(out), "--scope", "K1"],
                        "--each-county 须与 --out 目录一起用，且不能再给 --scope"),
                       (["--out", str(out), "--workers", "0"], "--workers 须至少为 1，收到 0"),
                       (["--out", str(out / "K1.json")],
                        f"--out {out / 'K1.json'} 已是一个文件：--each-county 要写入目录")):
        assert main([*run, "--each-county", *extra]) == 2
        assert capsys.readouterr().err == f"jinlin: {err}\n"
    assert main([*run, "--workers", "2"]) == 2
    assert capsys.readouterr().err == "jinlin: --workers 只能与 --each-county 一起用\n"
