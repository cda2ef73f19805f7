"""Named accounts and the API tokens issued to them, kept in the data directory.

An account is a person who signs in (the web console, later) or holds tokens: user name,
display name, role (api.policy), scope, an argon2id password hash, whether the password
must be changed, whether the account is disabled, and its failed-login count.  The tokens
issued to it are listed by ``jti``, so one can be revoked, and every token of a disabled
account is refused (api.http.tokens.decode_token asks :meth:`AccountStore.refusal`).

Why one JSON file (``accounts.json``) and not SQLite: a county has tens to hundreds of
accounts, read on every request (cached until the file changes) and written rarely; a JSON
file is read with ordinary tools, backed up with the data directory like the audit log,
and rewritten whole.  Writers are serialised by a thread lock and an ``flock`` on
``accounts.lock`` (the command line and the server are separate processes); each write
reads the file afresh under the lock, then replaces it atomically, mode 0600
(graph.datadir.replace_private): readers never see half a file.

Passwords are never stored, printed or logged: only the one-time password ``add`` and
``reset`` return is shown, once, by whoever called them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.policy import ROLES
from graph.datadir import private_dir, replace_private
from graph.i18n import _
from graph.model import check_text

ACCOUNTS_FILE = "accounts.json"
LOCK_FILE = "accounts.lock"
MAX_FAILURES = 5  # failed logins in a row before the account is locked
LOCKOUT = dt.timedelta(minutes=15)  # the first lock; each further one doubles …
MAX_LOCKOUT = dt.timedelta(hours=24)  # … up to this
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MAX_DISPLAY = 100
MAX_LABEL = 64
MIN_PASSWORD = 10  # of a password a person chooses (the console; api.invitations)
HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters
Clock = Callable[[], dt.datetime]
T = TypeVar("T")


class AccountError(ValueError):
    """A request about accounts that is refused (unknown name, duplicate, bad field)."""


@dataclass(frozen=True)
class IssuedToken:
    """A token issued to an account: what is needed to list and revoke it (never the
    token itself)."""

    label: str
    jti: str
    scope: str
    expires: str  # ISO 8601, UTC
    revoked: bool = False


@dataclass(frozen=True)
class Account:
    name: str
    display_name: str
    role: str
    scope: str
    password_hash: str
    must_change_password: bool
    disabled: bool
    created: str
    updated: str
    failures: int = 0  # failed logins since the last success or lock
    lockouts: int = 0  # locks since the last success: each doubles the next
    locked_until: str | None = None
    tokens: tuple[IssuedToken, ...] = ()
    person: str | None = None  # the Person a member's or resident's account acts as


    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < dt.datetime.fromisoformat(
            self.locked_until)

    def state(self, now: dt.datetime) -> str:
        """The account's state as people read it (``jinlin user list``, the console)."""
        if self.disabled:
            return _("已停用")
        if self.locked(now):
            return _("锁定至 {until}", until=self.locked_until)
        return _("须改密码") if self.must_change_password else _("正常")

    def live_tokens(self, now: dt.datetime) -> list[IssuedToken]:
        """Tokens neither revoked nor expired."""
        return [t for t in self.tokens
                if not t.revoked and now < dt.datetime.fromisoformat(t.expires)]


@dataclass(frozen=True)
class Refused:
    """Why a sign-in was refused: ``code`` for the page to branch on, ``message`` to show.
    An unknown name and a wrong password get the same answer."""

    code: str  # BAD_CREDENTIALS, LOCKED, DISABLED
    message: str


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def one_time_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


_DUMMY = HASHER.hash(one_time_password())  # verified for unknown names: the same time


class AccountStore:
    """The accounts of one data directory (see the module's docstring)."""

    def __init__(self, path: str | Path, clock: Clock = _utcnow) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int, int], dict[str, Account]] | None = None

    @classmethod
    def in_data_dir(cls, data_dir: str | Path, clock: Clock = _utcnow) -> AccountStore:
        return cls(Path(data_dir) / ACCOUNTS_FILE, clock)

    # reading

    def accounts(self) -> dict[str, Account]:
        """Every account by name (the file is read again only when it has changed)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (info.st_ino, info.st_mtime_ns, info.st_size)
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1]
        accounts = self._read()
        self._cache = (key, accounts)
        return accounts

    def get(self, name: str) -> Account | None:
        return self.accounts().get(name)

    def refusal(self, subject: str, jti: str | None) -> str | None:
        """Why a token for ``subject`` (with ``jti``, if it has one) must be refused, or
        None.  A token with a ``jti`` must be one issued to that account and not revoked;
        any token naming a disabled account is refused (a shell-issued token without a
        ``jti`` cannot be revoked by itself: only by rotating the signing secret)."""
        account = self.get(subject)
        if account is not None and account.disabled:
            return _("账号 {name} 已停用", name=subject)
        if jti is None:
            return None
        issued = next((t for t in account.tokens if t.jti == jti), None) if account else None
        if issued is None:
            return _("令牌未登记：账号 {name} 没有签发过这个令牌", name=subject)
        if issued.revoked:
            return _("令牌“{label}”已被吊销", label=issued.label)
        return None

    # writing

    def add(self, name: str, display_name: str, role: str, scope: str,
            scope_exists: Callable[[str], bool]) -> tuple[Account, str]:
        """A new account and its one-time password (it must be changed at first sign-in).
        ``scope_exists`` says whether the store holds the scope (a scope it does not
        hold would make every token of the account useless)."""
        display_name = checked_names(name, display_name)
        if role not in ROLES:
            raise AccountError(_("未知角色 {role}；可选：{roles}", role=repr(role),
                                 roles=", ".join(ROLES)))
        if not scope or not scope_exists(scope):
            raise AccountError(_("范围 {scope} 不存在（县/街道/社区编码）", scope=scope))
        password = one_time_password()

        def create(accounts: dict[str, Account], now: str) -> Account:
            if name in accounts:
                raise AccountError(_("账号 {name} 已存在", name=name))
            accounts[name] = Account(name, display_name, role, scope, HASHER.hash(password),
                                     must_change_password=True, disabled=False,
                                     created=now, updated=now)
            return accounts[name]

        return self._update(create), password

    def disable(self, name: str) -> Account:
        return self._change(name, lambda a, now: replace(a, disabled=True, updated=now))

    def reset(self, name: str) -> tuple[Account, str]:
        """A new one-time password for ``name`` (must be changed; the lock is lifted).  A
        reset means the old credentials may be in other hands: the account's tokens are
        revoked with it."""
        password = one_time_password()
        account = self._change(name, lambda a, now: replace(
            a, password_hash=HASHER.hash(password), must_change_password=True, failures=0,
            lockouts=0, locked_until=None, updated=now,
            tokens=tuple(replace(t, revoked=True) for t in a.tokens)))
        return account, password

    def change_password(self, name: str, password: str) -> Account:
        """Set the password the person chose (after :func:`authenticate`)."""
        if len(password) < 8:
            raise AccountError(_("密码至少 8 个字符"))
        return self._change(name, lambda a, now: replace(
            a, password_hash=HASHER.hash(password), must_change_password=False, updated=now))

    def record_token(self, name: str, label: str, jti: str, scope: str,
                     expires: dt.datetime) -> IssuedToken:
        """Note a token issued to ``name`` (before it is handed out); expired tokens are
        dropped from the list on the way (they are refused by their ``exp`` anyway)."""
        check_text(label)
        if not label.strip() or len(label) > MAX_LABEL:
            raise AccountError(_("令牌名须是 1 到 {max} 个字符", max=MAX_LABEL))
        issued = IssuedToken(label, jti, scope, _stamp(expires))

        def add(account: Account, now: str) -> Account:
            if account.disabled:
                raise AccountError(_("账号 {name} 已停用", name=name))
            live = account.live_tokens(self.clock())
            if any(t.label == label for t in live):
                raise AccountError(_("账号 {name} 已有名为“{label}”的有效令牌",
                                     name=name, label=label))
            kept = tuple(t for t in account.tokens  # revoked ones too, until they expire
                         if self.clock() < dt.datetime.fromisoformat(t.expires))
            return replace(account, tokens=(*kept, issued), updated=now)

        self._change(name, add)
        return issued

    def revoke(self, name: str, which: str) -> IssuedToken:
        """Revoke the token of ``name`` whose jti is ``which``, else its live token
        labelled ``which``."""
        found: list[IssuedToken] = []

        def revoke(account: Account, now: str) -> Account:
            live = account.live_tokens(self.clock())
            match = ([t for t in account.tokens if t.jti == which]
                     or [t for t in live if t.label == which])
            if not match:
                raise AccountError(_("账号 {name} 没有 jti 或名称为“{which}”的有效令牌",
                                     name=name, which=which))
            found.append(replace(match[0], revoked=True))
            tokens = tuple(found[0] if t == match[0] else t for t in account.tokens)
            return replace(account, tokens=tokens, updated=now)

        self._change(name, revoke)
        return found[0]

    def authenticate(self, name: str, password: str) -> Account | Refused:
        """The account ``name`` if ``password`` is its password, else why not.

        Every path verifies one argon2 hash (an unknown name verifies a dummy), so the
        time taken does not say whether a name exists.  :data:`MAX_FAILURES` wrong
        passwords in a row lock the account for :data:`LOCKOUT`, doubled by each further
        lock (up to :data:`MAX_LOCKOUT`) until a sign-in succeeds; while locked, even
        the right password is refused.
        """
        account = self.get(name)
        ok = _verify(account.password_hash if account else _DUMMY, password)
        bad = Refused("BAD_CREDENTIALS", _("用户名或密码错误"))
        if account is None:
            return bad
        now = self.clock()
        if account.locked(now):
            return _locked(account)
        if ok and account.disabled:
            return Refused("DISABLED", _("账号 {name} 已停用", name=name))
        if account.disabled:
            return bad
        if ok:
            rehash = HASHER.check_needs_rehash(account.password_hash)
            return self._change(name, lambda a, stamp: replace(
                a, failures=0, lockouts=0, locked_until=None,
                password_hash=HASHER.hash(password) if rehash else a.password_hash))
        failed = self._change(name, lambda a, stamp: _failed(a, now))
        return _locked(failed) if failed.locked(now) else bad

    # the file

    def _change(self, name: str, change: Callable[[Account, str], Account]) -> Account:
        def apply(accounts: dict[str, Account], now: str) -> Account:
            if name not in accounts:
                raise AccountError(_("账号 {name} 不存在", name=name))
            accounts[name] = change(accounts[name], now)
            return accounts[name]

        return self._update(apply)

    def _update(self, apply: Callable[[dict[str, Account], str], T]) -> T:
        def change(body: dict[str, Any], now: str) -> T:
            accounts = _accounts(body)
            result = apply(accounts, now)
            body["accounts"] = [dataclasses.asdict(a) for a in accounts.values()]
            return result

        return self.update_body(change)

    def update_body(self, apply: Callable[[dict[str, Any], str], T]) -> T:
        """Change the whole file under the lock: ``apply`` gets its body (the accounts and
        what is kept beside them: api.invitations) and the time, and changes it in place."""
        with self._locked_file():
            body = self.read_body()
            result = apply(body, _stamp(self.clock()))
            body["version"] = 1
            replace_private(self.path, json.dumps(body, ensure_ascii=False,
                                                  indent=1).encode("utf-8"))
        return result

    @contextmanager
    def _locked_file(self) -> Iterator[None]:
        private_dir(self.path.parent)
        with self._lock:
            fd = os.open(self.path.with_name(LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def _read(self) -> dict[str, Account]:
        return _accounts(self.read_body())

    def read_body(self) -> dict[str, Any]:
        """The file as stored (an empty body when there is none yet)."""
        try:
            body: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": 1, "accounts": []}
        return body


def checked_names(name: str, display_name: str) -> str:
    """The display name to store for a new account ``name`` (the name itself when none
    is given); AccountError for a name or display name that cannot be one."""
    if not NAME.fullmatch(name or ""):
        raise AccountError(_("用户名 {name} 无效：须是 1 到 64 个字母、数字或 . _ @ -，"
                             "以字母或数字开头", name=repr(name)))
    display_name = (display_name or name).strip()
    check_text(display_name)
    if len(display_name) > MAX_DISPLAY:
        raise AccountError(_("显示名最长 {max} 个字符", max=MAX_DISPLAY))
    return display_name


def _accounts(body: dict[str, Any]) -> dict[str, Account]:
    return {row["name"]: _account(row) for row in body["accounts"]}


def _account(row: dict[str, Any]) -> Account:
    tokens = tuple(IssuedToken(**t) for t in row.get("tokens", ()))
    return Account(**{**row, "tokens": tokens})


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _failed(account: Account, now: dt.datetime) -> Account:
    """``account`` after one more wrong password: locked at the :data:`MAX_FAILURES`-th."""
    failures = account.failures + 1
    if failures < MAX_FAILURES:
        return replace(account, failures=failures)
    lockouts = account.lockouts + 1
    span = min(LOCKOUT * 2 ** (lockouts - 1), MAX_LOCKOUT)
    return replace(account, failures=0, lockouts=lockouts, locked_until=_stamp(now + span))


def _locked(account: Account) -> Refused:
    return Refused("LOCKED", _("登录失败次数过多，账号 {name} 已锁定至 {until}（UTC）",
                               name=account.name, until=account.locked_until))
