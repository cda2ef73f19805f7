"""Ledgers uploaded in the console: kept privately, checked, tried, then imported on confirm.

An upload is copied (counting bytes against ``upload_max_bytes`` as it goes, whatever
the request claimed) into a private temporary directory (0700), read by the loaders'
own reader and validator (sizes, zip bombs, cells: :mod:`loaders.ledger_read`), and,
when it has no problem, *tried*: written in a transaction that is always rolled back,
which gives exactly the created / updated / unchanged counts the import would (the
writer's own comparison, :func:`graph.writer.write_graph`) and the data warnings
(:func:`analysis.check.check`) of the store as it would be.  The files then wait,
bound to the session, under a random token that the confirm form sends back
(:class:`Uploads`); the browser never sends them twice.  Whatever ends (a problem, a
confirm, expiry) removes the directory.

Scope: an import may change what the caller's scope sees and nothing any other scope
sees, the API's rule for writes (api.graphql.guard) applied to every row.  It is
checked inside the import's transaction, after the upserts and before the commit, on
the store as the import leaves it: every node a row writes or links must be visible to
the caller; a node the import creates, and both ends of a relationship that decides
scope (``graph.scope.SCOPE_RELS``), must moreover lie in no other scope of the caller's
level.  A row that fails is named (:class:`api.console.import_audit.ImportRefused`) and the
transaction rolls back.  Imports never delete, so a node's scopes only grow: checking
after the write also covers the nodes as they were.
"""

from __future__ import annotations

import secrets
import shutil
import stat
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from starlette.datastructures import UploadFile

from api.audit import AuditLog
from api.console.import_audit import ImportRefused, audited_import, file_facts
from api.graphql import queries as api_queries
from api.graphql.context import Context, not_in_scope
from api.graphql.guard import shared_with
from api.policy import LABEL_CAPS, refusal
from graph import queries as graph_queries
from graph.i18n import _
from graph.model import key_label
from graph.scope import SCOPE_RELS
from graph.store import Query, Store, Transaction
from graph.writer import WriteSummary, write_graph
from loaders.ledger import Ledger, LedgerInvalid, read_ledgers
from loaders.ledger_read import LEDGER_SUFFIXES
from loaders.ledger_table import LedgerProblem

T = TypeVar("T")
CHUNK = 1 << 16
KEPT_SECONDS = 30 * 60  # an upload waits this long for its 确认导入
MAX_FILES = 20
MUTATION = "loadLedgers"


@dataclass
class Upload:
    """Files saved from one upload, bound to the session that sent them."""

    directory: Path
    names: list[str]
    session: str
    expires: float = field(default_factory=lambda: time.monotonic() + KEPT_SECONDS)

    @property
    def paths(self) -> list[Path]:
        return [self.directory / name for name in self.names]

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class Uploads:
    """Uploads waiting for confirmation, by token (one process: as the sessions are)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, Upload] = {}

    def keep(self, upload: Upload) -> str:
        """Keep ``upload`` for its confirmation; the session's earlier upload, if one is
        still waiting, is dropped (one per session: uploads cannot pile up on disk)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            for old in [t for t, u in self._waiting.items() if u.session == upload.session]:
                self._waiting.pop(old).remove()
            self._waiting[token] = upload
        return token

    def take(self, token: str, session: str) -> Upload | None:
        """The upload behind ``token`` if this session made it and it has not expired;
        it is no longer waiting (a second confirm finds nothing)."""
        with self._lock:
            self._expire()
            upload = self._waiting.get(token)
            if upload is None or upload.session != session:
                return None
            return self._waiting.pop(token)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, u in self._waiting.items() if u.expires < now]:
            self._waiting.pop(token).remove()


UPLOADS = Uploads()


class UploadRefused(Exception):
    """An upload refused before any reading (too large, wrong kind); ``status`` is the
    HTTP status the page answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _safe_name(name: str | None, index: int) -> str:
    """The file's own name (no directories), as the clerk will see it in problems."""
    base = Path((name or "").replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or any(ord(ch) < 32 for ch in base):
        base = f"file{index}{Path(base).suffix}"
    return base[-120:]


async def save(files: Sequence[UploadFile], session: str, limit: int) -> Upload:
    """Copy the uploaded files into a new private directory, ``limit`` bytes in all;
    the directory is removed again when anything is refused."""
    if not files:
        raise UploadRefused(_("请选择要上传的台账文件（.xlsx 或 .csv）"))
    if len(files) > MAX_FILES:
        raise UploadRefused(_("一次最多上传 {n} 个文件", n=MAX_FILES))
    directory = Path(tempfile.mkdtemp(prefix="jinlin-upload-"))
    directory.chmod(stat.S_IRWXU)
    upload = Upload(directory, [], session)
    try:
        total = 0
        for index, file in enumerate(files, start=1):
            name = _safe_name(file.filename, index)
            if Path(name).suffix.lower() not in LEDGER_SUFFIXES:
                raise UploadRefused(_("{name} 不是台账文件：请上传 .xlsx 或 .csv 文件"
                                      "（.xls 文件请另存为 .xlsx）", name=name))
            if name in upload.names:
                raise UploadRefused(_("文件名重复：{name}", name=name))
            with (directory / name).open("xb") as out:
                while chunk := await file.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise UploadRefused(_("上传内容过大：最多 {mb} MB",
                                              mb=limit // (1024 * 1024)), 413)
                    out.write(chunk)
            upload.names.append(name)
    except BaseException:
        upload.remove()
        raise
    return upload


@dataclass
class Tried:
    """What an upload would do: its problems (nothing can be imported), or the counts
    and the data warnings of the store after it."""

    problems: list[LedgerProblem] = field(default_factory=list)
    total: int = 0  # problems found, shown or not
    summary: WriteSummary | None = None
    warnings: list[str] = field(default_factory=list)


class _Rollback(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__("dry run")
        self.result = result


class _TxStore:
    """Reads inside a transaction, for code that asks a Store (the data warnings)."""

    def __init__(self, tx: Transaction, backend: str) -> None:
        self.tx, self.backend, self.round_trips = tx, backend, 0

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self.tx.run(query, **params)

    def write(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        raise RuntimeError("a dry run reads only")

    def transaction(self, work: Callable[[Transaction], T]) -> T:
        raise RuntimeError("a dry run reads only")

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        return None


class _Scoped:
    """The store an import writes through: its one transaction ends with the scope
    check, and, for a dry run, the data warnings and a rollback."""

    def __init__(self, store: Store, ctx: Context, ledger: Ledger, dry: bool) -> None:
        self._store, self._ctx, self._ledger, self._dry = store, ctx, ledger, dry
        self.backend = store.backend
        self.round_trips = 0
        self.warnings: list[str] = []

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self._store.read(query, **params)

    def write(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self.transaction(lambda tx: tx.run(query, **params))

    def transaction(self, work: Callable[[Transaction], T]) -> T:
        def checked(tx: Transaction) -> T:
            before = _existing(tx, self._ledger)
            result = work(tx)
            problems = out_of_scope(tx, self._ctx, self._ledger, before)
            if problems:
                raise ImportRefused(problems)
            if self._dry:
                raise _Rollback((result, _warnings(tx, self.backend, self._ctx)))
            return result

        try:
            return self._store.transaction(checked)
        except _Rollback as rolled:
            result, self.warnings = rolled.result
            return result  # type: ignore[no-any-return]

    def ping(self) -> bool:
        return self._store.ping()

    def close(self) -> None:
        self._store.close()


def _warnings(tx: Transaction, backend: str, ctx: Context) -> list[str]:
    from analysis.check import check, render

    findings = check(_TxStore(tx, backend), ctx.scope_label, ctx.scope_code)
    return render(findings) if findings else []


def _by_label(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for label, code in pairs:
        grouped[key_label(label)].add(code)
    return {label: sorted(codes) for label, codes in grouped.items()}


def _existing(tx: Transaction, ledger: Ledger) -> set[tuple[str, str]]:
    """The ledger's nodes that are in the store before it is written."""
    found: set[tuple[str, str]] = set()
    for label, codes in _by_label((n.label, n.code) for n in ledger.nodes).items():
        rows = tx.run(graph_queries.existing_nodes(label), codes=codes)
        found.update((label, row["code"]) for row in rows)
    return found


def out_of_scope(tx: Transaction, ctx: Context, ledger: Ledger,
                 before: set[tuple[str, str]]) -> list[LedgerProblem]:
    """Every row that changes what a scope outside the caller's sees (module docstring),
    with the reason, on the store as ``tx`` has written it."""
    ends = [(r.source_label, r.source) for r in ledger.rels]
    ends += [(r.target_label, r.target) for r in ledger.rels]
    reached: dict[tuple[str, str], dict[str, Any]] = {}
    for label, codes in _by_label([*((n.label, n.code) for n in ledger.nodes), *ends]).items():
        for row in tx.run(api_queries.reach(label, ctx.scope_label), **ctx.params(codes=codes)):
            reached[(label, row["props"]["code"])] = row

    def why(label: str, code: str, exclusive: bool) -> str | None:
        gid = f"{label}:{code}"
        cap = LABEL_CAPS.get(key_label(label))
        if cap is not None and not ctx.caller.may(cap):  # a county's rules: its admins'
            return refusal(ctx.caller.role, cap)
        row = reached.get((key_label(label), code))
        if row is None:
            return not_in_scope(gid)
        return shared_with(ctx, gid, row) if exclusive else None

    problems: list[LedgerProblem] = []
    for node, (file, sheet, number) in zip(ledger.nodes, ledger.node_rows, strict=True):
        reason = why(node.label, node.code, (key_label(node.label), node.code) not in before)
        if reason:
            problems.append(LedgerProblem(file, sheet, number, None, reason))
    for rel, (file, sheet, number) in zip(ledger.rels, ledger.rel_rows, strict=True):
        exclusive = rel.type in SCOPE_RELS
        pair = ((rel.source_label, rel.source), (rel.target_label, rel.target))
        # both ends visible first: "CA also lies in SB" would tell where an unseen end is
        reasons = [why(label, code, False) for label, code in pair]
        if exclusive and not any(reasons):
            reasons = [why(label, code, True) for label, code in pair]
        reason = next((r for r in reasons if r), None)
        if reason:
            problems.append(LedgerProblem(file, sheet, number, None, reason))
    return problems


class _VisibleRefs:
    """The store as the ledger's references see it: a node outside the caller's scope
    does not exist, so a row naming one reads "不存在" exactly as a row naming no node
    at all does (otherwise a street clerk could learn which codes other streets hold by
    uploading guesses)."""

    def __init__(self, store: Store, ctx: Context) -> None:
        self._store, self._ctx = store, ctx
        self.backend = store.backend

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        rows = self._store.read(query, **params)
        label = query.name.removeprefix("existing_")
        if label == query.name or not rows:
            return rows
        seen = {row["props"]["code"] for row in self._store.read(
            api_queries.reach(key_label(label), self._ctx.scope_label),
            **self._ctx.params(codes=[row["code"] for row in rows]))}
        return [row for row in rows if row["code"] in seen]


def _read(store: Store, ctx: Context, upload: Upload, batch_size: int) -> Ledger:
    return read_ledgers(upload.paths, _VisibleRefs(store, ctx), batch_size=batch_size)


def try_upload(store: Store, ctx: Context, upload: Upload, batch_size: int) -> Tried:
    """Validate the upload and try it in a transaction that is rolled back."""
    try:
        ledger = _read(store, ctx, upload, batch_size)
        scoped = _Scoped(store, ctx, ledger, dry=True)
        summary = write_graph(scoped, ledger.nodes, ledger.rels, batch_size=batch_size)
    except LedgerInvalid as exc:
        return Tried(problems=exc.problems, total=exc.total)
    except ImportRefused as exc:
        return Tried(problems=exc.problems, total=len(exc.problems))
    return Tried(summary=summary, warnings=scoped.warnings)


def import_upload(store: Store, ctx: Context, log: AuditLog, upload: Upload,
                  batch_size: int) -> Tried:
    """Import the confirmed upload (validated again: the store may have changed since),
    with its one audit line naming the account."""
    arguments = {"files": file_facts(list(zip(upload.names, upload.paths, strict=True)))}

    def work(audited: Store) -> WriteSummary:
        ledger = _read(store, ctx, upload, batch_size)
        return write_graph(_Scoped(audited, ctx, ledger, dry=False), ledger.nodes,
                           ledger.rels, batch_size=batch_size)

    try:
        summary = audited_import(log, ctx.caller, MUTATION, arguments, store, work)
    except LedgerInvalid as exc:
        return Tried(problems=exc.problems, total=exc.total)
    except ImportRefused as exc:
        return Tried(problems=exc.problems, total=len(exc.problems))
    return Tried(summary=summary)
