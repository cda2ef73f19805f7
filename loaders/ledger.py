"""Ledger (台账) import: validate every sheet completely, then write all or nothing.

A county's ledgers come from many hands, so a run reports *every* problem at once
(file, sheet, row, column, reason) instead of stopping at the first, and writes nothing
unless there are none: a half-imported county is worse than none.  Writing goes through
:func:`graph.writer.write_graph` (one transaction, idempotent upserts), so importing the
same ledgers twice changes nothing and an edited ledger updates nodes in place.  An
import never deletes: a row removed from a ledger is deleted only by a replace of one
scope (:mod:`loaders.replace`, ``jinlin load --replace``).

The sheets are described in :mod:`loaders.formats`; reading files is
:mod:`loaders.ledger_read`.  Relationship ends are codes that must name a node in this
import or, failing that, in the store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.i18n import DEFAULT, _, current, translate
from graph.lookup import codes_in_store
from graph.model import MEMBER, check_pair, key_label
from graph.store import Reader, Store
from graph.writer import (
    NOTHING_WRITTEN,
    Interrupted,
    NodeRecord,
    RelRecord,
    WriteSummary,
    write_graph,
)
from loaders.formats import (
    FROM,
    FROM_KIND,
    SHEETS,
    TO,
    TO_KIND,
    Column,
    Sheet,
    is_aside,
    sheet_for,
)
from loaders.ledger_limits import LedgerLimits
from loaders.ledger_read import ledger_files, read_tables
from loaders.ledger_table import BadCell, LedgerProblem, ProblemLog, Table, is_blank

__all__ = ["Ledger", "LedgerInvalid", "LedgerLimits", "LedgerProblem", "load_ledgers",
           "read_ledgers"]

Progress = Callable[[str, int, int], None]
MAX_SHOWN = 200  # problems listed in the message; all are in LedgerInvalid.problems


class LedgerInvalid(Exception):
    """The ledgers have problems; nothing was written.  ``str()`` lists them.

    ``problems`` holds the first :data:`loaders.ledger_table.MAX_KEPT`; ``total`` counts
    every one found."""

    def __init__(self, problems: Sequence[LedgerProblem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if self.total > MAX_SHOWN:
            lines.append(_("… 另有 {more} 个问题", more=self.total - MAX_SHOWN))
        super().__init__("\n".join(lines))


@dataclass
class Ledger:
    """A validated import: the records to write and the data rows read per sheet."""

    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)
    rows: Counter[str] = field(default_factory=Counter)  # English sheet name → rows
    # every sheet the files hold, with a header, even one without rows: a replace
    # (loaders.replace) replaces the data of exactly these kinds
    sheets: set[str] = field(default_factory=set)
    # where each record was read, in step with ``nodes`` and ``rels``: (file, sheet, row),
    # so a refusal of a record (the console's scope check) can name its row
    node_rows: list[tuple[str, str, int]] = field(default_factory=list)
    rel_rows: list[tuple[str, str, int]] = field(default_factory=list)


def read_ledgers(
    paths: Sequence[str | Path],
    store: Reader | None = None,
    *,
    batch_size: int = 2000,
    progress: Progress | None = None,
    limits: LedgerLimits | None = None,
) -> Ledger:
    """Parse and validate ledgers; raise :class:`LedgerInvalid` listing every problem.

    Without a store, relationship ends must be nodes of this import.  ``limits`` default
    to the settings (``JINLIN_LEDGER_MAX_*``).
    """
    limits = limits if limits is not None else LedgerLimits.from_settings()
    log = ProblemLog()
    check = _Checker(log)
    files = ledger_files(paths, log)
    for done, (display, path) in enumerate(files, start=1):
        for table in read_tables(display, path, log, limits):
            check.table(table)
        if progress:
            progress(_("读取 {file}", file=display), done, len(files))
    check.resolve_refs(store, batch_size)
    if len(log):
        raise LedgerInvalid(log.problems(), len(log))
    return check.ledger


def load_ledgers(
    store: Store,
    paths: Sequence[str | Path],
    batch_size: int = 2000,
    progress: Progress | None = None,
    limits: LedgerLimits | None = None,
    bulk: bool = False,
) -> WriteSummary:
    """Validate everything first; write only when there is no problem, in one transaction.
    ``bulk``: as :func:`graph.writer.write_graph`'s (a load with no reader alongside).

    Ctrl-C raises :class:`graph.writer.Interrupted`, which says whether anything was
    written (never, before the commit).
    """
    try:
        ledger = read_ledgers(paths, store, batch_size=batch_size, progress=progress,
                              limits=limits)
    except KeyboardInterrupt:
        raise Interrupted(translate(NOTHING_WRITTEN)) from None
    return write_graph(store, ledger.nodes, ledger.rels, batch_size=batch_size, progress=progress,
                       bulk=bulk)


@dataclass(frozen=True)
class _Place:
    file: str
    sheet: str
    row: int

    def __str__(self) -> str:
        return _("{file} {sheet} 表第 {row} 行", file=self.file, sheet=self.sheet, row=self.row)


@dataclass(frozen=True)
class _Ref:
    """A relationship end to resolve once every sheet has been read."""

    label: str
    code: str
    place: _Place
    column: str


@dataclass
class _Layout:
    """Where a sheet's columns are: parsed columns by cell position, every position that
    has a header (known or not), and whether the header allows importing the sheet."""

    columns: dict[int, tuple[Column, str]] = field(default_factory=dict)
    headed: set[int] = field(default_factory=set)
    complete: bool = True
    headers: dict[str, str] = field(default_factory=dict)  # column name → header as written

    def header_of(self, name: str) -> str:
        return self.headers[name]


class _Checker:
    """Validates tables one by one, remembering what cross-row checks need."""

    def __init__(self, log: ProblemLog) -> None:
        self.log = log
        self.ledger = Ledger()
        self.node_places: dict[tuple[str, str], _Place] = {}
        self.members: dict[str, bool] = {}  # Person code → has member_status
        self.rel_places: dict[tuple[str, ...], _Place] = {}
        self.ones: dict[tuple[str, str], tuple[str, _Place]] = {}  # RelKind.one: its target
        self.refs: list[_Ref] = []

    def table(self, table: Table) -> None:
        self.log.place(table.file, table.name)
        sheet = sheet_for(table.name)
        header = next(table.rows, None)
        if header is None or (sheet is None and is_aside(table.name)):
            # an empty tab (Excel's default "Sheet1") holds nothing to import, nor do the
            # template's instructions and dropdown lists
            return
        if sheet is None:
            self.log.add(table.file, table.name, None, None,
                         _("未知的工作表名；应为以下之一：{sheets}（也可用英文名）",
                           sheets=_known_sheets()))
            return
        row, cells = header
        if not any(isinstance(c, str | int | float) and sheet.column_for(str(c)) for c in cells):
            # Not a ledger at all (a stray or planted file): say so without echoing any of
            # its content, and read no further.
            self.log.add(table.file, table.name, row, None,
                         _("表头中没有一个已知列名，不是 {sheet}（{name}）台账，已拒绝"
                           "（不显示其内容）；表头应为：{expected}", sheet=sheet.name,
                           name=sheet.zh, expected=_expected(sheet)))
            return
        layout = self._header(table, sheet, row, cells)
        self.ledger.sheets.add(sheet.name)
        for number, cells in table.rows:
            self.ledger.rows[sheet.name] += 1
            place = _Place(table.file, table.name, number)
            values, valid = self._cells(place, layout, cells)
            keep = valid and layout.complete
            if sheet.node is not None:
                self._node(place, sheet, layout, values, keep)
            else:
                self._rel(place, sheet, layout, values, keep)

    def _header(self, table: Table, sheet: Sheet, row: int, cells: list[Any]) -> _Layout:
        """Map cell positions to columns.  Header problems make the sheet unimportable,
        but its rows are still checked so the clerk sees their problems in the same run."""
        layout = _Layout()
        seen = layout.headers
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            layout.headed.add(index)
            if isinstance(cell, BadCell):
                self.log.add(table.file, table.name, row, None,
                             _("第 {index} 列的表头：{reason}", index=index + 1,
                               reason=cell.reason))
                layout.complete = False
                continue
            text = str(cell).strip()
            column = sheet.column_for(text)
            if column is None:
                reason = _("未知的列名；应为：{expected}", expected=_expected(sheet))
            elif column.name in seen:
                reason = _("重复的列：{name} 已由表头 {header} 给出", name=column.name,
                           header=repr(seen[column.name]))
            else:
                seen[column.name] = text
                layout.columns[index] = (column, text)
                continue
            self.log.add(table.file, table.name, row, text, reason)
            layout.complete = False
        for column in sheet.columns:
            if column.prop.required and column.name not in seen:
                self.log.add(table.file, table.name, row, None,
                             _("缺少必填列 {zh}（{name}）", name=column.name, zh=column.zh))
                layout.complete = False
        return layout

    def _cells(self, place: _Place, layout: _Layout, cells: list[Any]
               ) -> tuple[dict[str, Any], bool]:
        """Parse one row: the values that parsed, and whether every cell did (each
        failure is reported)."""
        values: dict[str, Any] = {}
        valid = True
        for index, (column, header) in layout.columns.items():
            cell = cells[index] if index < len(cells) else None
            try:
                if isinstance(cell, BadCell):
                    raise ValueError(cell.reason)
                values[column.name] = column.prop.parse(cell)
            except ValueError as exc:
                self._problem(place, header, str(exc))
                valid = False
        for index, cell in enumerate(cells):
            if index not in layout.headed and not is_blank(cell):
                self._problem(place, None, _("第 {index} 列没有表头，却填了值", index=index + 1))
                valid = False
        return values, valid

    def _node(self, place: _Place, sheet: Sheet, layout: _Layout, values: dict[str, Any],
              keep: bool) -> None:
        assert sheet.node is not None
        label, code = sheet.node.label, values.get("code")
        if code is None:
            return
        first = self.node_places.setdefault((label, code), place)
        if first is not place:
            self._problem(place, layout.header_of("code"),
                          _("重复的 {label} 编码 {code}：{first} 已有", label=label,
                            code=repr(code), first=first))
            return
        if not keep:
            return
        # Only the sheet's columns: a column left out of a ledger leaves that property
        # as it is in the store, an empty cell in a present column removes it.
        props = {p.name: values[p.name] for p in sheet.node.props
                 if p.name != "code" and p.name in values}
        if label == "Person" and "member_status" in props:
            self.members[code] = props["member_status"] is not None
        self.ledger.nodes.append(NodeRecord(label, code, props))
        self.ledger.node_rows.append((place.file, place.sheet, place.row))

    def _rel(self, place: _Place, sheet: Sheet, layout: _Layout, values: dict[str, Any],
             keep: bool) -> None:
        kind = sheet.rel
        assert kind is not None
        ends: list[tuple[str, str]] = []
        for code_col, kind_col, labels in ((FROM, FROM_KIND, kind.sources),
                                           (TO, TO_KIND, kind.targets)):
            label = labels[0] if len(labels) == 1 else values.get(kind_col)
            code = values.get(code_col)
            if label is not None and code is not None:
                self.refs.append(_Ref(label, code, place, layout.header_of(code_col)))
                ends.append((label, code))
        if len(ends) < 2:
            return
        (source, src), (target, tgt) = ends
        try:
            check_pair(kind.type, source, target)
        except ValueError as exc:  # named at the kind column that makes the pair wrong
            self._problem(place, layout.headers.get(TO_KIND, layout.headers.get(FROM_KIND)),
                          str(exc))
            return
        if not keep:
            return
        record = RelRecord(kind.type, source, src, target, tgt,
                           {p.name: values.get(p.name) for p in kind.props})
        identity = (kind.type, key_label(source), src, key_label(target), tgt, record.rkey)
        first = self.rel_places.setdefault(identity, place)
        if first is not place:
            keyed = ", ".join(f"{k} {record.props[k]}" for k in kind.key_props
                              if record.props.get(k) is not None)
            keys = _("（{keys}）", keys=keyed) if keyed else ""
            self._problem(place, None, _(
                "重复的 {type} 关系 {source} → {target}{keys}：{first} 已有",
                type=kind.type, source=src, target=tgt, keys=keys, first=first))
            return
        if kind.one:
            end = f"{target}:{tgt}"
            target_seen, at = self.ones.setdefault((kind.type, src), (end, place))
            if target_seen != end:
                self._problem(place, layout.headers.get(TO), _(
                    "{source} 只能有一条 {type}（{name}）：{first} 已给出 {target}",
                    source=src, type=kind.type, name=kind.zh, first=at, target=target_seen))
                return
        self.ledger.rels.append(record)
        self.ledger.rel_rows.append((place.file, place.sheet, place.row))

    def resolve_refs(self, store: Reader | None, batch_size: int) -> None:
        """Every relationship end must be a node of this import or of the store; an end
        of kind Member must be a party member there (member_status set)."""
        missing: dict[str, set[str]] = defaultdict(set)
        for ref in self.refs:
            if ref.label == MEMBER and ("Person", ref.code) in self.node_places:
                if not self.members.get(ref.code, True):  # absent: the row has problems
                    self._problem(ref.place, ref.column,
                                  _("Person {code} 不是党员（本次导入中其 member_status 为空）",
                                    code=repr(ref.code)))
            elif (key_label(ref.label), ref.code) not in self.node_places:
                missing[ref.label].add(ref.code)
        found = codes_in_store(store, missing, batch_size)
        people = codes_in_store(store, {"Person": missing.get(MEMBER, set()) - found[MEMBER]},
                                batch_size)["Person"]
        for ref in self.refs:
            if ref.code not in missing.get(ref.label, ()) or ref.code in found[ref.label]:
                continue
            if ref.label == MEMBER and ref.code in people:
                reason = _("Person {code} 在库中不是党员", code=repr(ref.code))
            elif store is not None:
                reason = _("{label} {code} 不存在（本次导入和库中都没有）", label=ref.label,
                           code=repr(ref.code))
            else:
                reason = _("{label} {code} 不存在（本次导入中没有）", label=ref.label,
                           code=repr(ref.code))
            self._problem(ref.place, ref.column, reason)

    def _problem(self, place: _Place, column: str | None, reason: str) -> None:
        self.log.add(place.file, place.sheet, place.row, column, reason)


def _known_sheets() -> str:
    """The sheet names a tab or CSV file may have: Chinese names in Chinese, else English."""
    if current() == DEFAULT:
        return "、".join(sheet.zh for sheet in SHEETS)
    return ", ".join(sheet.name for sheet in SHEETS)


def _expected(sheet: Sheet) -> str:
    return ", ".join(f"{c.name} ({c.zh})" for c in sheet.columns)
