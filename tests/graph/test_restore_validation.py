"""Restore checks every record of a dump with the model, as a ledger import does, and
writes nothing unless all pass; dumps are private files."""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from graph import backup
from graph.model import NODE_BY_LABEL, REL_BY_TYPE
from graph.store import BoltStore
from graph.writer import NodeRecord, counts, write_graph


def write_dump(path: Path, records: list[Any], nodes: int | None = None,
               rels: int | None = None) -> Path:
    """A dump file: the header (counts from ``records`` unless given), then one line per
    record (a dict as JSON, a str as it is)."""
    header = {"format": "jinlin-dump", "version": 1,
              "nodes": sum("node" in r for r in records if isinstance(r, dict))
              if nodes is None else nodes,
              "relationships": sum("rel" in r for r in records if isinstance(r, dict))
              if rels is None else rels}
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for record in [header, *records]:
            fh.write((record if isinstance(record, str) else json.dumps(record,
                                                                       ensure_ascii=False))
                     + "\n")
    return path


def node(label: str, code: Any, **props: Any) -> dict[str, Any]:
    return {"node": label, "code": code, "props": props}


def rel(rtype: str, src: list[str], tgt: list[str], **props: Any) -> dict[str, Any]:
    return {"rel": rtype, "from": src, "to": tgt, "props": props}


def why(kind: str, prop: str, value: Any) -> str:
    """The model's own reason for refusing ``value`` (so the test follows the model)."""
    owner = NODE_BY_LABEL[kind] if kind in NODE_BY_LABEL else REL_BY_TYPE[kind]
    with pytest.raises(ValueError) as refused:
        owner.prop(prop).parse(value)
    return str(refused.value)


def refused(store: BoltStore, path: Path) -> list[str]:
    before = counts(store)
    with pytest.raises(backup.DumpInvalid) as caught:
        backup.restore(store, path, force=True)
    assert counts(store) == before, "a refused dump must write nothing"
    lines = str(caught.value).splitlines()
    assert lines[1:] == [str(p) for p in caught.value.problems]
    return lines


def test_every_bad_record_is_reported_and_nothing_written(store: BoltStore,
                                                          tmp_path: Path) -> None:
    demand = {"title": "修路灯", "category": "elder_care"}
    path = write_dump(tmp_path / "bad.jsonl.gz", [
        node("County", "K1", name="近邻县"),                                        # 2 fine
        node("Demand", "D1", **demand, status="pwned"),                              # 3
        node("Hacker", "X1", name="x"),                                              # 4
        node("Compound", "", name="无编码"),                                          # 5
        node("Compound", "K2", name="小区", evil=1),                                  # 6
        node("Person", "P2"),                                                        # 7
        node("Person", "P3", name="王五"),                                            # 8 fine
        node("PartyOrg", "O1", name="支部", kind="compound_branch"),                  # 9 fine
        rel("PART_OF", ["Street", "S404"], ["County", "K1"]),                        # 10
        rel("COVERS", ["Compound", "K2"], ["Compound", "K2"]),                       # 11
        rel("LIAISES", ["Person", "P3"], ["Building", "B404"]),                      # 12
        rel("HOLDS_POST", ["Person", "P3"], ["County", "K1"], role="secretary"),     # 13
        rel("MEMBER_OF", ["Person", "P3"], ["PartyOrg", "O1"], since="2024-02-30"),  # 14
        "{not json",                                                                 # 15
        node("County", "K1", name="又一个"),                                          # 16
    ])
    assert refused(store, path) == [
        f"{path} 未通过模型校验，未写入任何内容（13 个问题）：",
        f"第 3 行（Demand 'D1'） 属性 status：{why('Demand', 'status', 'pwned')}",
        "第 4 行（Hacker 'X1'）：模型中没有这个标签",
        f"第 5 行（Compound ''） 属性 code：{why('Compound', 'code', '')}",
        "第 6 行（Compound 'K2'） 属性 'evil'：模型中没有这个属性",
        f"第 7 行（Person 'P2'） 属性 name：{why('Person', 'name', None)}",
        "第 10 行（PART_OF Street 'S404' → County 'K1'） 属性 from："
        "Street 'S404' 不存在（备份和库中都没有）",
        "第 11 行（COVERS Compound 'K2' → Compound 'K2'） 属性 from："
        "Compound 不能作为这一端；允许：PartyOrg",
        "第 12 行（LIAISES Person 'P3' → Building 'B404'） 属性 from："
        "Person 'P3' 不是党员（备份中其 member_status 为空）",
        "第 12 行（LIAISES Person 'P3' → Building 'B404'） 属性 to："
        "Building 'B404' 不存在（备份和库中都没有）",
        "第 13 行（HOLDS_POST Person 'P3' → County 'K1'） 属性 to：County 不能作为这一端；"
        "允许：PartyOrg、OwnersCommittee、PropertyFirm、Community、Grid、Building",
        f"第 14 行（MEMBER_OF Person 'P3' → PartyOrg 'O1'） 属性 since："
        f"{why('MEMBER_OF', 'since', '2024-02-30')}",
        "第 15 行：不是有效的 JSON（Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)）",
        "第 16 行（County 'K1'）：重复的节点：第 2 行已有",
    ]


def test_a_pwned_status_is_refused(store: BoltStore, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "pwned.jsonl.gz", [
        node("Demand", "D1", title="修路灯", category="elder_care", status="pwned")])
    assert refused(store, path)[1:] == [
        f"第 2 行（Demand 'D1'） 属性 status：{why('Demand', 'status', 'pwned')}"]


def test_ends_may_be_in_the_store_when_merging(store: BoltStore, tmp_path: Path) -> None:
    write_graph(store, [NodeRecord("County", "K1", {"name": "近邻县"}),
                        NodeRecord("Person", "P1", {"name": "张三",
                                                    "member_status": "in_service"})], [])
    path = write_dump(tmp_path / "more.jsonl.gz", [
        node("Street", "S1", name="东街道"), node("Building", "B1", name="1幢"),
        rel("PART_OF", ["Street", "S1"], ["County", "K1"]),
        rel("LIAISES", ["Person", "P1"], ["Building", "B1"], since="2021-05-01")])
    assert backup.restore(store, path, force=True).changed == 4
    assert counts(store)[1]["LIAISES"] == 1


def test_a_demand_in_two_places_is_refused(store: BoltStore, tmp_path: Path) -> None:
    """A dump made before a demand had exactly one place (RelKind.one) may give it two:
    restored, every analysis would count it twice.  The second place is refused, naming
    the line of the first; a repeat of the same place is the ordinary duplicate."""
    path = write_dump(tmp_path / "two.jsonl.gz", [
        node("Compound", "K1", name="幸福小区"), node("Compound", "K2", name="和谐小区"),  # 2, 3
        node("Demand", "D1", title="修路灯", category="elder_care"),                    # 4
        rel("RAISED_IN", ["Demand", "D1"], ["Compound", "K1"]),                         # 5
        rel("RAISED_IN", ["Demand", "D1"], ["Compound", "K2"]),                         # 6
        rel("RAISED_IN", ["Demand", "D1"], ["Compound", "K1"]),                         # 7
    ])
    assert refused(store, path)[1:] == [
        "第 6 行（RAISED_IN Demand 'D1' → Compound 'K2'） 属性 to："
        "D1 只能有一条 RAISED_IN（需求所在）：第 5 行已给出 Compound:K1",
        "第 7 行（RAISED_IN Demand 'D1' → Compound 'K1'）：重复的关系：第 5 行已有",
    ]


def test_a_truncated_dump_is_refused(store: BoltStore, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "cut.jsonl.gz", [node("County", "K1", name="近邻县")],
                      nodes=2, rels=5)
    assert refused(store, path)[1:] == [
        "第 1 行：文件头声明 2 个节点、5 条关系，"
        "实际读到 1 个节点、0 条关系（文件可能被截断或改动）"]


def test_an_endless_line_stops_the_reading(store: BoltStore, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "long.jsonl.gz", ['{"node": "County", "code": "'
                                                   + "K" * (2 << 20) + '"}'])
    assert refused(store, path)[1:] == [
        "第 2 行：一行超过 1,048,576 个字符，不是 jinlin 备份的记录，已停止读取"]


def test_deeply_nested_json_is_a_bad_line(store: BoltStore, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "deep.jsonl.gz", ["[" * 100_000 + "]" * 100_000])
    lines = refused(store, path)
    assert lines[1].startswith("第 2 行：不是有效的 JSON（maximum recursion depth exceeded")


def test_dumps_are_private(store: BoltStore, tmp_path: Path) -> None:
    write_graph(store, [NodeRecord("Person", "P1", {"name": "王芳", "phone": "13800001111"})],
                [])
    fresh, existing = tmp_path / "fresh.jsonl.gz", tmp_path / "existing.jsonl.gz"
    existing.write_bytes(b"")
    os.chmod(existing, 0o644)
    for path in (fresh, existing):
        assert backup.dump(store, path) == (1, 0)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert gzip.decompress(fresh.read_bytes()) == gzip.decompress(existing.read_bytes())
