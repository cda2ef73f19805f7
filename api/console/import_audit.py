"""Imports audited like the API's mutations, from the command line and the console alike.

``jinlin load`` (api.cli.auditing) and the console's 台账 page (api.console.ledger_import)
change the store as much as any mutation, so each import gets one line in the audit log
by the mutations' own mechanism (:class:`api.graphql.auditing.AuditedStore`): the ``ok``
line, with the import's counts, is made durable inside the write transaction before its
commit, and if it cannot be the import rolls back.  Refused and invalid imports never
reach the store; they get their line all the same (outcome from :func:`outcome_of`).
Kept in the console's room (it may use the loaders and the GraphQL audit; the command
line, above it, imports it from here), so the console need not import the command line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from api.audit import AuditLog
from api.auth import Caller
from api.graphql.auditing import AuditedStore, AuditFailed
from graph.store import Store
from graph.writer import WriteSummary


class ImportRefused(Exception):
    """An import the caller may not make (rows outside their scope); ``problems`` are
    :class:`loaders.ledger_table.LedgerProblem` naming the rows.  Nothing was written."""

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def file_facts(files: Sequence[tuple[str, Path]]) -> list[dict[str, Any]]:
    """Name, sha256 and size of each (name, path); a file that cannot be read is named
    with what stopped it (the import then says more)."""
    facts: list[dict[str, Any]] = []
    for name, path in files:
        digest = hashlib.sha256()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except OSError as exc:
            facts.append({"name": name, "unreadable": type(exc).__name__})
            continue
        facts.append({"name": name, "sha256": digest.hexdigest(),
                      "size": path.stat().st_size})
    return facts


def ledger_facts(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """:func:`file_facts` of the ledger files the import reads (directories expanded as
    the import expands them)."""
    from loaders.ledger_read import ledger_files
    from loaders.ledger_table import ProblemLog

    return file_facts(ledger_files(paths, ProblemLog()))


def outcome_of(exc: BaseException) -> str:
    from analysis.fetch import ScopeNotFound
    from api.accounts import AccountError
    from graph.backup import DumpInvalid, RestoreRefused
    from loaders.ledger import LedgerInvalid
    from loaders.replace import ReplaceRefused

    if isinstance(exc, LedgerInvalid | DumpInvalid):
        return "invalid"
    if isinstance(exc, RestoreRefused | ReplaceRefused | ScopeNotFound | AccountError
                  | ImportRefused):
        return "refused"
    return "error"


def audited_import(log: AuditLog, caller: Caller, mutation: str, arguments: dict[str, Any],
                   store: Store, work: Callable[[Store], WriteSummary | None]
                   ) -> WriteSummary | None:
    """Run ``work`` (None: the person cancelled) on an audited view of ``store``: one
    line naming ``caller``, ``ok`` with the counts, else the outcome of what it raised."""
    entry = log.entry(caller, mutation, arguments)
    try:
        summary = work(AuditedStore(store, entry, lambda s: {"counts": s.totals()}))
    except BaseException as exc:
        entry.settle_quietly(outcome_of(exc))  # AuditFailed: "error"
        raise
    try:
        entry.settle("ok" if summary is not None else "cancelled")
    except OSError:
        raise AuditFailed() from None
    return summary
