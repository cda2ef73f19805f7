"""Reading a dump back: every record checked against the model exactly as a ledger is.

A dump is a file, and a file can be edited: without these checks ``jinlin restore`` wrote
whatever a line said (``status: "pwned"``, a label the schema does not know, a
relationship between nodes that do not exist).  Here every record goes through the
model's own :meth:`graph.model.Prop.parse` (enum values, dates, required properties,
codes), labels and relationship types must be the model's, relationship ends must have a
label the type allows, form a pair it allows (:func:`graph.model.check_pair`) and exist
(in the dump, else in the store), and duplicates are refused, as :mod:`loaders.ledger`
does for ledgers.  Every problem is collected (line number, record, property, reason)
so one run lists them all; the caller writes nothing if there is any.

Reading is bounded too: a line longer than :data:`MAX_LINE` ends the file (one node or
relationship is a few KB), and JSON nested too deep is a bad line, not a crash.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from graph.i18n import N_, _, translate
from graph.lookup import codes_in_store
from graph.model import MEMBER, NODE_BY_LABEL, REL_BY_TYPE, check_pair, key_label
from graph.store import Store
from graph.writer import NodeRecord, RelRecord

MAX_LINE = 1 << 20  # characters in one line of a dump
MAX_KEPT = 10_000  # problems kept; the rest are counted
# Where a problem is, by what is known (the record, the property): one whole template
# each, so a translation may order the parts as its language does.
_PLACES = {
    (False, False): N_("第 {line} 行：{reason}"),
    (True, False): N_("第 {line} 行（{record}）：{reason}"),
    (False, True): N_("第 {line} 行 属性 {prop}：{reason}"),
    (True, True): N_("第 {line} 行（{record}） 属性 {prop}：{reason}"),
}


@dataclass(frozen=True)
class DumpProblem:
    line: int  # line of the file (the header is line 1)
    record: str  # "Demand 'D1'", "HOLDS_POST Person 'P1' → PartyOrg 'O1'", or ""
    prop: str | None
    reason: str

    def __str__(self) -> str:
        template = translate(_PLACES[(bool(self.record), bool(self.prop))])
        return template.format(line=self.line, record=self.record, prop=self.prop,
                               reason=self.reason)


@dataclass
class Checked:
    """What a dump holds once read: records ready to write, or the problems found."""

    header: dict[str, Any]
    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    problems: list[DumpProblem] = field(default_factory=list)
    total: int = 0  # problems found, kept or not

    def problem(self, line: int, record: str, prop: str | None, reason: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_KEPT:
            self.problems.append(DumpProblem(line, record, prop, reason))


def dump_lines(fh: IO[str]) -> Iterator[tuple[int, str | None]]:
    """(line number, text) from line 2 on; text None for a line cut at :data:`MAX_LINE`
    (the last one yielded)."""
    number = 1
    while line := fh.readline(MAX_LINE):
        number += 1
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            yield number, None
            return
        yield number, line


def check_dump(fh: IO[str], header: dict[str, Any], store: Store, batch_size: int) -> Checked:
    """Read the records after the header from ``fh`` and check them all."""
    checked = Checked(header)
    reader = _Reader(checked)
    try:
        for number, line in dump_lines(fh):
            if line is None:
                checked.problem(number, "", None,
                                _("一行超过 {limit} 个字符，不是 jinlin 备份的记录，已停止读取",
                                  limit=f"{MAX_LINE:,}"))
            else:
                reader.line(number, line)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:  # BadGzipFile: OSError
        checked.problem(reader.last + 1, "", None,
                        _("备份文件已损坏，无法继续读取（{detail}）", detail=exc))
    reader.resolve(store, batch_size)
    _check_counts(checked)
    checked.problems.sort(key=lambda p: p.line)  # stable: a line's problems stay in order
    return checked


def _check_counts(checked: Checked) -> None:
    """The header's counts must match what was read: a truncated dump is refused."""
    said = (checked.header.get("nodes"), checked.header.get("relationships"))
    got = (len(checked.nodes), len(checked.rels))
    if not checked.total and said != got:
        checked.problem(1, "", None, _(
            "文件头声明 {nodes} 个节点、{rels} 条关系，实际读到 {got_nodes} 个节点、"
            "{got_rels} 条关系（文件可能被截断或改动）",
            nodes=said[0], rels=said[1], got_nodes=got[0], got_rels=got[1]))


@dataclass(frozen=True)
class _End:
    line: int
    record: str
    side: str  # from / to
    label: str  # as the model names it: Member for an end that must be a party member
    code: str


class _Reader:
    """Checks records one by one, remembering what the end-of-file checks need."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.last = 1
        self.nodes: dict[tuple[str, str], int] = {}  # (label, code) → line
        self.members: set[str] = set()  # people of the dump with member_status
        self.rels: dict[tuple[str, ...], int] = {}
        # (type, source) → (target, line) of the types a source holds one of (RelKind.one)
        self.ones: dict[tuple[str, str], tuple[str, int]] = {}
        self.ends: list[_End] = []

    def line(self, number: int, text: str) -> None:
        self.last = number
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            self.checked.problem(number, "", None,
                                 _("不是有效的 JSON（{detail}）", detail=str(exc)[:80]))
            return
        if isinstance(obj, dict) and "node" in obj:
            self._node(number, obj)
        elif isinstance(obj, dict) and "rel" in obj:
            self._rel(number, obj)
        else:
            self.checked.problem(number, "", None, _("既不是节点也不是关系记录"))

    def _node(self, number: int, obj: dict[str, Any]) -> None:
        label, raw_code = obj.get("node"), obj.get("code")
        record = f"{_name(label)} {_shown(raw_code)}"
        kind = NODE_BY_LABEL.get(label) if isinstance(label, str) else None
        if kind is None:
            self.checked.problem(number, record, None, _("模型中没有这个标签"))
            return
        code = self._code(number, record, kind.label, raw_code)
        if code is None:
            return
        # Known from here on, even if its properties fail: its relationships are not
        # reported as dangling too (one problem, not a cascade), as for ledgers.
        first = self.nodes.setdefault((kind.label, code), number)
        if first != number:
            self.checked.problem(number, record, None,
                                 _("重复的节点：第 {first} 行已有", first=first))
            return
        raw = obj.get("props")
        if kind.label == "Person" and isinstance(raw, dict) and raw.get("member_status"):
            self.members.add(code)
        props = self._props(number, record, kind.props, raw, skip="code")
        if props is not None:
            self.checked.nodes.append(NodeRecord(kind.label, code, props))

    def _rel(self, number: int, obj: dict[str, Any]) -> None:
        rtype = obj.get("rel")
        kind = REL_BY_TYPE.get(rtype) if isinstance(rtype, str) else None
        ends = [obj.get("from"), obj.get("to")]
        record = f"{_name(rtype)} " + " → ".join(
            f"{_name(end[0])} {_shown(end[1])}" if isinstance(end, list) and len(end) == 2
            else _shown(end) for end in ends)
        if kind is None:
            self.checked.problem(number, record, None, _("模型中没有这个关系类型"))
            return
        checked_ends = [self._end(number, record, side, end, allowed)
                        for side, end, allowed in (("from", ends[0], kind.sources),
                                                   ("to", ends[1], kind.targets))]
        props = self._props(number, record, kind.props, obj.get("props"))
        source, target = checked_ends
        if source is not None and target is not None:
            try:
                check_pair(kind.type, source[2], target[2])
            except ValueError as exc:
                self.checked.problem(number, record, None, str(exc))
                return
        if source is None or target is None or props is None:
            return
        rel = RelRecord(kind.type, source[0], source[1], target[0], target[1], props)
        identity = (kind.type, key_label(rel.source_label), rel.source,
                    key_label(rel.target_label), rel.target, rel.rkey)
        first = self.rels.setdefault(identity, number)
        if first != number:
            self.checked.problem(number, record, None,
                                 _("重复的关系：第 {first} 行已有", first=first))
            return
        if kind.one:  # a dump made before a demand had one place may give it two
            end = f"{target[2]}:{rel.target}"
            seen, at = self.ones.setdefault((kind.type, rel.source), (end, number))
            if seen != end:
                self.checked.problem(number, record, "to", _(
                    "{source} 只能有一条 {type}（{name}）：第 {first} 行已给出 {target}",
                    source=rel.source, type=kind.type, name=kind.zh, first=at, target=seen))
                return
        self.checked.rels.append(rel)

    def _end(self, number: int, record: str, side: str, end: Any, allowed: tuple[str, ...]
             ) -> tuple[str, str, str] | None:
        """(label as written, code, label as the model names it) of a legal end,
        remembered for the existence check.  A dump names a party member by its Person
        label."""
        if not (isinstance(end, list) and len(end) == 2 and isinstance(end[0], str)):
            self.checked.problem(number, record, side, _("应为 [标签, 编码]"))
            return None
        label, raw_code = end
        if label in allowed:
            model_label = label
        elif label == "Person" and MEMBER in allowed:
            model_label = MEMBER
        else:
            self.checked.problem(number, record, side,
                                 _("{label} 不能作为这一端；允许：{allowed}", label=label,
                                   allowed="、".join(allowed)))
            return None
        code = self._code(number, record, key_label(model_label), raw_code, side)
        if code is None:
            return None
        self.ends.append(_End(number, record, side, model_label, code))
        return label, code, model_label

    def _code(self, number: int, record: str, label: str, raw: Any,
              prop: str = "code") -> str | None:
        try:
            code = NODE_BY_LABEL[label].prop("code").parse(raw)
        except ValueError as exc:
            self.checked.problem(number, record, prop, str(exc))
            return None
        if not isinstance(code, str):
            self.checked.problem(number, record, prop, _("编码应为文本"))
            return None
        return code

    def _props(self, number: int, record: str, model: tuple[Any, ...], raw: Any,
               skip: str = "") -> dict[str, Any] | None:
        """The properties parsed as the model parses a ledger cell; None if any fails."""
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.checked.problem(number, record, None, _("props 应为对象"))
            return None
        known = {p.name: p for p in model if p.name != skip}
        ok = True
        for name in sorted(set(raw) - set(known)):
            self.checked.problem(number, record, _shown(name)[:40], _("模型中没有这个属性"))
            ok = False
        props: dict[str, Any] = {}
        for name, prop in known.items():
            try:
                value = prop.parse(raw.get(name))
            except ValueError as exc:
                self.checked.problem(number, record, name, str(exc))
                ok = False
                continue
            if name in raw:
                props[name] = value
        return props if ok else None

    def resolve(self, store: Store, batch_size: int) -> None:
        """Every end must be a node of the dump (a party member for a Member end), or
        one already in the store (a forced restore merges into it)."""
        missing: dict[str, set[str]] = {}
        for end in self.ends:
            if not self._in_dump(end):
                missing.setdefault(end.label, set()).add(end.code)
        found = codes_in_store(store, missing, batch_size)
        for end in self.ends:
            if self._in_dump(end) or end.code in found[end.label]:
                continue
            if end.label == MEMBER and ("Person", end.code) in self.nodes:
                reason = _("Person {code} 不是党员（备份中其 member_status 为空）",
                           code=repr(end.code))
            else:
                what = _("党员") if end.label == MEMBER else end.label
                reason = _("{what} {code} 不存在（备份和库中都没有）", what=what,
                           code=repr(end.code))
            self.checked.problem(end.line, end.record, end.side, reason)

    def _in_dump(self, end: _End) -> bool:
        if end.label == MEMBER:
            return end.code in self.members
        return (end.label, end.code) in self.nodes


def _name(value: Any) -> str:
    """A label or type from the file: as is when it looks like one, else quoted."""
    if isinstance(value, str) and value.isidentifier() and len(value) <= 40:
        return value
    return _shown(value)


def _shown(value: Any) -> str:
    """A value from the file as shown in a problem: quoted, and cut."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"

