"""Validated ledgers as ``neo4j-admin database import full`` CSVs: a province in minutes.

``jinlin load`` writes through Cypher at a few thousand rows a second; Neo4j's offline
importer writes the store files directly, an order of magnitude faster, into a stopped,
empty database.  The ledgers are read and validated by :func:`loaders.ledger.read_ledgers`
exactly as ``jinlin load`` reads them into an empty store (same records, same problems,
nothing written on any problem), and the files describe exactly the graph
:func:`graph.writer.write_graph` would make of those records:

- nodes: one header file and one data file per label; ``code:ID(<Label>)`` keeps the
  code as the ``code`` property and makes one id space per label (codes are unique per
  label only); ``:LABEL`` adds ``Member`` to a Person with a member status, as the
  writer does; a property left empty (None) is not stored, as ``SET n += {p: null}``.
- relationships: one header and one data file per (type, source label, target label):
  ``:START_ID(<Label>)`` / ``:END_ID(<Label>)`` name the id spaces (a ``Member`` end is
  a Person: :func:`graph.model.key_label`), plus ``rkey``, the identity the writer merges on.
- types: the model's ints are ``long`` and its floats ``double`` (what the driver sends
  for a Python int / float), booleans ``boolean``; dates, datetimes and enums stay
  strings, as the model stores them (graph.model).

Text fields are always quoted (so an empty ``rkey`` is an empty string, not a missing
value) and quotes doubled; a value holding a line break needs ``--multiline-fields=true``,
which :attr:`AdminExport.multiline` says and :meth:`AdminExport.arguments` adds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.i18n import _
from graph.model import NODE_BY_LABEL, Prop, PropType, key_label, rel_kind
from graph.writer import NodeRecord, RelRecord, stored_row
from loaders.ledger import Ledger, read_ledgers
from loaders.ledger_limits import LedgerLimits

Progress = Callable[[str, int, int], None]

# neo4j-admin's property types for the model's (a missing entry is a plain string)
ADMIN_TYPES: dict[PropType, str] = {
    PropType.INT: "long",
    PropType.FLOAT: "double",
    PropType.BOOL: "boolean",
}
ARGS_FILE = "neo4j-admin.args"  # the importer's options, one a line: ``import full @FILE``
_LINE_BREAKS = ("\n", "\r")


class ExportRefused(ValueError):
    """The output directory cannot take an export (it holds files already)."""


@dataclass(frozen=True)
class AdminFile:
    """One ``--nodes`` or ``--relationships`` group: its header and data files, and rows."""

    kind: str  # label, or relationship type
    header: Path
    data: Path
    rows: int

    def option(self, relationships: bool) -> str:
        flag = "--relationships" if relationships else "--nodes"
        return f"{flag}={self.header},{self.data}"


@dataclass
class AdminExport:
    """What an export wrote, and the importer's options to load it."""

    out: Path
    nodes: list[AdminFile] = field(default_factory=list)
    rels: list[AdminFile] = field(default_factory=list)
    multiline: bool = False  # some text holds a line break

    def arguments(self) -> list[str]:
        """``neo4j-admin database import full`` options (the database name follows)."""
        options = [f.option(False) for f in self.nodes] + [f.option(True) for f in self.rels]
        if self.multiline:
            options.append("--multiline-fields=true")
        return options

    def command(self, database: str = "neo4j") -> list[str]:
        """The import, to run with Neo4j stopped: ``--overwrite-destination`` because a
        Neo4j started once already has its (empty) ``neo4j`` database, which it replaces."""
        return ["neo4j-admin", "database", "import", "full", "--overwrite-destination=true",
                f"@{self.out / ARGS_FILE}", database]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in [*self.nodes, *self.rels])


def export_ledgers(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    progress: Progress | None = None,
    limits: LedgerLimits | None = None,
) -> AdminExport:
    """Validate the ledgers as ``jinlin load`` does into an empty store, then write the
    import files to ``out`` (which must be missing or empty).

    Raises :class:`loaders.ledger.LedgerInvalid` (nothing written) on any problem, and
    :class:`ExportRefused` before reading anything when ``out`` holds files.
    """
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportRefused(_("{out} 已存在且不是空目录：请指定新的或空的目录，以免旧文件混入导入",
                              out=target))
    ledger = read_ledgers(paths, None, progress=progress, limits=limits)
    return write_admin_files(ledger, target, progress)


def write_admin_files(ledger: Ledger, out: Path, progress: Progress | None = None
                      ) -> AdminExport:
    """Write ``ledger``'s records as import files into ``out`` (created 0700: the files
    hold personal data), and the importer's options into :data:`ARGS_FILE` there."""
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    out = out.resolve()
    result = AdminExport(out)
    total = len(ledger.nodes) + len(ledger.rels)
    done = 0
    node_groups: dict[str, list[NodeRecord]] = defaultdict(list)
    for node in ledger.nodes:
        node_groups[node.label].append(node)
    for label, nodes in sorted(node_groups.items()):
        written, lines = _write_nodes(out, label, nodes)
        result.nodes.append(written)
        result.multiline |= lines
        done += written.rows
        if progress:
            progress(label, done, total)
    rel_groups: dict[tuple[str, str, str], list[RelRecord]] = defaultdict(list)
    for rel in ledger.rels:
        rel_groups[(rel.type, key_label(rel.source_label), key_label(rel.target_label))].append(rel)
    for (rtype, source, target), rels in sorted(rel_groups.items()):
        written, lines = _write_rels(out, rtype, source, target, rels)
        result.rels.append(written)
        result.multiline |= lines
        done += written.rows
        if progress:
            progress(rtype, done, total)
    (out / ARGS_FILE).write_text("".join(f"{_argument(a)}\n" for a in result.arguments()),
                                 encoding="utf-8")
    return result


def _argument(option: str) -> str:
    """One line of the options file, quoted: the importer (picocli) splits an unquoted
    line at whitespace, so a directory named with a space would break it."""
    return '"' + option.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_nodes(out: Path, label: str, nodes: Sequence[NodeRecord]) -> tuple[AdminFile, bool]:
    props = [p for p in NODE_BY_LABEL[label].props if p.name != "code"]
    header = [f"code:ID({label})", ":LABEL", *(_column(p) for p in props)]
    rows = ([_text(n.code), ";".join(stored_row(n)["labels"]),
             *(_cell(p, n.props.get(p.name)) for p in props)] for n in nodes)
    return _write(out, f"nodes_{label}", label, header, rows)


def _write_rels(out: Path, rtype: str, source: str, target: str, rels: Sequence[RelRecord]
                ) -> tuple[AdminFile, bool]:
    props = rel_kind(rtype).props
    header = [f":START_ID({source})", f":END_ID({target})", ":TYPE",
              *(_column(p) for p in props), "rkey"]
    rows = ([_text(r.source), _text(r.target), rtype,
             *(_cell(p, r.props.get(p.name)) for p in props), _text(r.rkey)] for r in rels)
    return _write(out, f"rels_{rtype}_{source}_{target}", rtype, header, rows)


def _write(out: Path, stem: str, kind: str, header: list[str], rows: Iterable[list[str]]
           ) -> tuple[AdminFile, bool]:
    head, data = out / f"{stem}.header.csv", out / f"{stem}.csv"
    head.write_text(",".join(header) + "\n", encoding="utf-8")
    count, multiline = 0, False
    with data.open("w", encoding="utf-8", newline="") as fh:
        for row in rows:
            line = ",".join(row)
            multiline = multiline or any(b in line for b in _LINE_BREAKS)
            fh.write(line + "\n")
            count += 1
    return AdminFile(kind, head, data, count), multiline


def _column(prop: Prop) -> str:
    kind = ADMIN_TYPES.get(prop.type)
    return f"{prop.name}:{kind}" if kind else prop.name


def _cell(prop: Prop, value: Any) -> str:
    """A field as the importer reads it back to the value the writer would store: empty
    for None (no property), bare numbers and booleans, quoted text."""
    if value is None:
        return ""
    if prop.type is PropType.BOOL:
        return "true" if value else "false"
    if prop.type in ADMIN_TYPES:
        return repr(value)  # int, or the shortest float that reads back the same
    return _text(str(value))


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


__all__ = ["ADMIN_TYPES", "ARGS_FILE", "AdminExport", "AdminFile", "ExportRefused",
           "export_ledgers", "write_admin_files"]
