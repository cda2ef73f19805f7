"""The command line's writes audited like the API's mutations.

``jinlin load`` (``--replace`` too), ``restore`` and ``demo``'s first load change the
store as much as any mutation, so each gets one line in the data directory's audit log,
by the same mechanism (:class:`api.graphql.auditing.AuditedStore`): the ``ok`` line,
with the import's counts, is made durable inside the write transaction before its
commit, and if it cannot be the import rolls back.

- who: ``--by NAME``, else the operating-system user; role ``shell``; scope the code of
  the scope a ``--replace`` replaces, else ``*``.
- arguments: every file read (name as the import shows it, sha256, size), and the
  command's choices (replace scope, ``--force``, the demo's preset and seed).  The
  files are hashed before they are read, so a file swapped in between is not caught.
- the account commands (``user …``, api.cli.users) change no graph: :func:`audited`
  (api.audit.audited, shared with the console) writes their line once the change is
  made (or refused); never a password.
- outcome: ``ok`` (with ``counts``); ``invalid`` for ledgers or a dump the model
  refuses, ``refused`` when the store or the replace refuses, ``cancelled`` when the
  person answers no at the replace prompt, ``error`` for anything else (Ctrl-C too).
  Refused, invalid and cancelled imports never reach the store; they get their line all
  the same, so the log shows who tried to load what, as it does for the API.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from api import audit
from api.audit import AuditLog
from api.auth import Caller
from api.graphql.auditing import AuditedStore, AuditFailed
from graph.i18n import _
from graph.model import check_text
from graph.store import Store
from graph.writer import WriteSummary

T = TypeVar("T")
ROLE = "shell"
ANY_SCOPE = "*"
MAX_BY = 200


def person(by: str | None) -> str:
    """Who the line names: ``--by``, else the operating-system user (``uid N`` when the
    system knows no name for it).  A ``--by`` that names nobody is refused."""
    if by is None:
        try:
            return getpass.getuser()
        except (OSError, KeyError, ImportError):
            return f"uid {os.getuid()}"
    try:
        check_text(by)
        if not by.strip() or len(by) > MAX_BY:
            raise ValueError(_("须是 1 到 {most} 个字符的名字", most=MAX_BY))
    except ValueError as exc:
        raise ValueError(_("--by 无效：{detail}", detail=exc)) from None
    return by


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
    if isinstance(exc, RestoreRefused | ReplaceRefused | ScopeNotFound | AccountError):
        return "refused"
    return "error"


def audited_write(store: Store, data_dir: str | Path, who: str, mutation: str,
                  arguments: dict[str, Any], work: Callable[[Store], WriteSummary | None],
                  scope: str = ANY_SCOPE) -> WriteSummary | None:
    """Run ``work`` (None: the person cancelled) on an audited view of ``store``; ``who``
    from :func:`person`, asked before the store starts."""
    caller = Caller(ROLE, scope, who)
    entry = AuditLog.in_data_dir(data_dir).entry(caller, mutation, arguments)
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



def audited(data_dir: str | Path, who: str, mutation: str, arguments: dict[str, Any],
            work: Callable[[], T], scope: str = ANY_SCOPE) -> T:
    """:func:`api.audit.audited` for the command line: the line names ``who`` in role
    ``shell``, in the data directory's log."""
    try:
        return audit.audited(AuditLog.in_data_dir(data_dir), Caller(ROLE, scope, who),
                             mutation, arguments, work, outcome_of)
    except audit.AuditWriteFailed:
        raise AuditFailed() from None
