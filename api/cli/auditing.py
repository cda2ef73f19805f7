"""The command line's writes audited like the API's mutations.

``jinlin load`` (``--replace`` too), ``restore`` and ``demo``'s first load change the
store as much as any mutation, so each gets one line in the data directory's audit log,
by the same mechanism (:mod:`api.console.import_audit`, shared with the console): the ``ok`` line,
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

The mechanism (api.console.import_audit, api.graphql.auditing) pulls in the GraphQL
schema's libraries: it is imported when a command writes, not when ``jinlin report``
starts (every command imports this module for :func:`person`).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graph.i18n import _
from graph.model import check_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from graph.store import Store
    from graph.writer import WriteSummary

__all__ = ["audited", "audited_write", "file_facts", "ledger_facts", "person"]

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


def audited_write(store: Store, data_dir: str | Path, who: str, mutation: str,
                  arguments: dict[str, Any], work: Callable[[Store], WriteSummary | None],
                  scope: str = ANY_SCOPE) -> WriteSummary | None:
    """Run ``work`` (None: the person cancelled) on an audited view of ``store``; ``who``
    from :func:`person`, asked before the store starts."""
    from api.audit import AuditLog
    from api.auth import Caller
    from api.console.import_audit import audited_import

    return audited_import(AuditLog.in_data_dir(data_dir), Caller(ROLE, scope, who),
                          mutation, arguments, store, work)


def audited(data_dir: str | Path, who: str, mutation: str, arguments: dict[str, Any],
            work: Callable[[], T], scope: str = ANY_SCOPE) -> T:
    """:func:`api.audit.audited` for the command line: the line names ``who`` in role
    ``shell``, in the data directory's log."""
    from api import audit
    from api.audit import AuditLog
    from api.auth import Caller
    from api.console.import_audit import outcome_of
    from api.graphql.auditing import AuditFailed

    try:
        return audit.audited(AuditLog.in_data_dir(data_dir), Caller(ROLE, scope, who),
                             mutation, arguments, work, outcome_of)
    except audit.AuditWriteFailed:
        raise AuditFailed() from None


def file_facts(files: Sequence[tuple[str, Path]]) -> list[dict[str, Any]]:
    """:func:`api.console.import_audit.file_facts`, imported when a command writes."""
    from api.console.import_audit import file_facts as facts

    return facts(files)


def ledger_facts(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """:func:`api.console.import_audit.ledger_facts`, imported when a command writes."""
    from api.console.import_audit import ledger_facts as facts

    return facts(paths)
