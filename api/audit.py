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

Group commit: lines are written one at a time (under a lock, so whole), but the fsync
is shared.  A writer whose line is not yet durable either starts an fsync, covering every
line written to that file before it began, or waits for the one running and then finds
its line covered (or starts the next).  So ``append`` still returns only once its own line
is on disk, and eight concurrent mutations pay for one or two fsyncs instead of queueing
for eight while their transactions stay open (issue 13).  A failed fsync makes no line
durable: each waiter then tries its own, and raises if that fails.  ``GROUP_COMMIT =
False`` restores one fsync per line under the lock (the benchmarks' baseline).
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


GROUP_COMMIT = True  # share fsyncs between concurrent appends (see the module docstring)


class AuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._synced_cond = threading.Condition(self._lock)
        self._written = 0  # lines written so far (under the lock), numbering each append
        self._synced: dict[tuple[int, int], int] = {}  # file (dev, inode) → lines made durable
        self._syncing = False  # an fsync is running outside the lock

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
            fd, info = self._open()
            try:
                self._write(fd, info, data)
                if not GROUP_COMMIT:
                    self._sync_whole(fd, info)
                    return
                self._written += 1
                line = self._written
            except BaseException:
                os.close(fd)
                raise
        try:
            self._durable(fd, (info.st_dev, info.st_ino), line)
        finally:
            os.close(fd)

    def _open(self) -> tuple[int, os.stat_result]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            info = os.fstat(fd)
            if info.st_mode & 0o077:
                os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            raise
        return fd, info

    @staticmethod
    def _write(fd: int, info: os.stat_result, data: bytes) -> None:
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
        except OSError:
            os.ftruncate(fd, info.st_size)  # no torn line for the next one to join
            raise

    @staticmethod
    def _sync_whole(fd: int, info: os.stat_result) -> None:
        """The old way: fsync this line alone, cutting it off again if that fails."""
        try:
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, info.st_size)
            raise

    def _durable(self, fd: int, file: tuple[int, int], line: int) -> None:
        """Return once line number ``line``, written to ``file`` through ``fd``, is on
        disk: covered by an fsync that began after it was written, ours or another's."""
        with self._synced_cond:
            while True:
                if self._synced.get(file, 0) >= line:
                    return
                if not self._syncing:
                    self._syncing = True
                    upto = self._written  # every line written so far, to whichever file
                    break
                self._synced_cond.wait()
        failed = True
        try:
            os.fsync(fd)  # durable: every line written to this file before now
            failed = False
        finally:
            with self._synced_cond:
                self._syncing = False
                if not failed:
                    self._synced[file] = max(self._synced.get(file, 0), upto)
                self._synced_cond.notify_all()


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
