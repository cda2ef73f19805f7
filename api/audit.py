"""The audit log of mutations: JSON lines, appended, each one on disk before it counts.

Kept out of the graph on purpose: audit entries are not part of the model, must
survive a re-import that rebuilds the graph, and are read with ordinary tools.

Format: one JSON object per line, ``ensure_ascii`` so that no argument (a lone
surrogate, a newline, a bidi control) can break the encoding or forge a line:
``id, when, who, role, scope, mutation, arguments, outcome``.  ``who`` is the token's
subject.  A mutation may write more than one line, all with its ``id`` (e.g. ``ok``
written inside the write transaction, then ``error`` when the commit itself failed):
**readers take the last line per id**.  An ``ok`` line may carry more (the command line's
imports add ``counts``: created, updated, deleted).  Every line is written, flushed and fsync'd
before ``append`` returns; a line the disk refused half-way is cut off again, so the
file holds whole lines only.  The file is created 0600 (and an existing one tightened
to 0600): arguments name people.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from api.auth import Caller

AUDIT_FILE = "audit.log"  # in the data directory, for the app and the command line alike
T = TypeVar("T")


class AuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> AuditLog:
        """The log of the store kept in ``data_dir`` (one file, whoever writes)."""
        return cls(Path(data_dir) / AUDIT_FILE)

    def entry(self, caller: Caller, mutation: str, arguments: dict[str, Any]) -> AuditEntry:
        """The lines of one mutation (nothing is written yet)."""
        return AuditEntry(self, {"who": caller.subject, "role": caller.role,
                                 "scope": caller.scope, "mutation": mutation,
                                 "arguments": arguments})

    def record(self, caller: Caller, mutation: str, arguments: dict[str, Any],
               outcome: str) -> None:
        """One mutation, one line (for callers that write nothing to the store)."""
        self.entry(caller, mutation, arguments).write(outcome)

    def append(self, record: dict[str, Any]) -> None:
        """Write one line durably (OSError when it could not be)."""
        data = (json.dumps(record, ensure_ascii=True, default=str) + "\n").encode("ascii")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                info = os.fstat(fd)
                if info.st_mode & 0o077:
                    os.fchmod(fd, 0o600)
                try:
                    written = 0
                    while written < len(data):
                        written += os.write(fd, data[written:])
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, info.st_size)  # no torn line for the next one to join
                    raise
            finally:
                os.close(fd)


class AuditEntry:
    """The line(s) of one mutation: one ``id``; ``last`` is the outcome written last."""

    def __init__(self, log: AuditLog, fields: dict[str, Any]) -> None:
        self.log = log
        self.id = uuid.uuid4().hex
        self.fields = fields
        self.last: str | None = None
        self._lock = threading.Lock()  # the request's task and its store thread both write

    def write(self, outcome: str) -> None:
        with self._lock:
            self._append(outcome, {})

    def settle(self, outcome: str, details: dict[str, Any] | None = None) -> None:
        """Make ``outcome`` the last word on this mutation (written unless it already is);
        ``details`` are fields written after it (e.g. an import's counts)."""
        with self._lock:
            if self.last != outcome:
                self._append(outcome, details or {})

    def settle_quietly(self, outcome: str) -> None:
        """Settle a failed mutation: its own error is what the caller must see, and
        nothing was committed under this entry that its lines would vouch for."""
        try:
            self.settle(outcome)
        except OSError:
            pass

    def _append(self, outcome: str, details: dict[str, Any]) -> None:
        when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        self.log.append({"id": self.id, "when": when, **self.fields, "outcome": outcome,
                         **details})
        self.last = outcome


class AuditWriteFailed(Exception):
    """The line of a change already made outside the store could not be written."""


def account_outcome(exc: BaseException) -> str:
    """The outcome of a change that raised ``exc``: ``refused`` for a request the account
    store refused (api.accounts.AccountError), ``error`` for anything else."""
    from api.accounts import AccountError

    return "refused" if isinstance(exc, AccountError) else "error"


def audited(log: AuditLog, caller: Caller, mutation: str, arguments: dict[str, Any],
            work: Callable[[], T],
            outcome_of: Callable[[BaseException], str] = account_outcome) -> T:
    """Run ``work`` (a change outside the store: the accounts and their tokens) and write
    its one line naming ``caller``: ``ok`` after it, else the outcome of what it raised.
    ``work`` may add to ``arguments`` (e.g. the id of what it made) before the line is
    written; never a password.  Shared by ``jinlin user …`` (api.cli.auditing) and the
    console's account and token pages.  A line that cannot be written after the change
    raises :class:`AuditWriteFailed` (the callers answer AUDIT_FAILED, as the API's
    mutations do)."""
    entry = log.entry(caller, mutation, arguments)
    try:
        result = work()
    except BaseException as exc:
        entry.settle_quietly(outcome_of(exc))
        raise
    try:
        entry.write("ok")
    except OSError as exc:
        raise AuditWriteFailed(str(exc)) from exc
    return result
