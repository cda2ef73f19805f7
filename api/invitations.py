"""Invitations (邀请码): how a party member or resident gets an account without a shell.

Community staff invite a person of their scope, as a ``member`` (party-member
self-service) or a ``resident``; the invitation holds a one-time code, shown once to the
staff member who hands it over, and expires after ``days``.  The person signs up on
``/join`` with the code, choosing a user name and password: the account is created with
the invitation's role and scope and bound to its person (``Account.person``: the console
acts as that person, so ``raiseDemand``, ``claimDemand`` … are theirs), and the code is
used up in the same write.

Invitations are kept beside the accounts, in ``accounts.json`` (api.accounts: one lock,
one atomic write, so a code is never used twice and a used code always has its account).
Only a hash of the code is stored: the codes are random (96 bits), so a plain SHA-256
is enough, and a copy of the file hands out no accounts.  Who may invite whom (the
person in the staff member's scope, a party member for ``member``) is checked by the
caller (api.console.invitations), which also writes the audit lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from typing import Any

from api.accounts import (
    HASHER,
    MIN_PASSWORD,
    Account,
    AccountError,
    AccountStore,
    checked_names,
)
from graph.i18n import _

INVITED_ROLES = ("member", "resident")
DEFAULT_DAYS = 7
MAX_DAYS = 30


@dataclass(frozen=True)
class Invitation:
    id: str  # public: lists and revocation name it (never the code)
    code_hash: str
    person: str
    role: str
    scope: str
    created_by: str
    created: str
    expires: str  # ISO 8601, UTC
    used_by: str | None = None
    used_at: str | None = None
    revoked: bool = False

    def state(self, now: dt.datetime) -> str:
        if self.used_by:
            return _("已使用（{name}）", name=self.used_by)
        if self.revoked:
            return _("已撤销")
        if now >= dt.datetime.fromisoformat(self.expires):
            return _("已过期")
        return _("有效")


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def _all(body: dict[str, Any]) -> list[Invitation]:
    return [Invitation(**row) for row in body.get("invitations", ())]


def _put(body: dict[str, Any], invitations: list[Invitation]) -> None:
    body["invitations"] = [dataclasses.asdict(i) for i in invitations]


def invitations(store: AccountStore) -> list[Invitation]:
    """Every invitation, newest first."""
    return sorted(_all(store.read_body()), key=lambda i: (i.created, i.id), reverse=True)


def invite(store: AccountStore, person: str, role: str, scope: str, by: str,
           days: int = DEFAULT_DAYS) -> tuple[Invitation, str]:
    """A new invitation and its code (shown once)."""
    if role not in INVITED_ROLES:
        raise AccountError(_("邀请只能用于角色 {roles}，不能是 {role}",
                             roles="、".join(INVITED_ROLES), role=repr(role)))
    if not 1 <= days <= MAX_DAYS:
        raise AccountError(_("有效天数须在 1 到 {max} 之间", max=MAX_DAYS))
    code = secrets.token_urlsafe(12)
    expires = store.clock() + dt.timedelta(days=days)

    def add(body: dict[str, Any], now: str) -> Invitation:
        made = Invitation(secrets.token_hex(4), _hash(code), person, role, scope, by, now,
                          expires.astimezone(dt.UTC).replace(microsecond=0).isoformat())
        _put(body, [*_all(body), made])
        return made

    return store.update_body(add), code


def revoke(store: AccountStore, ident: str) -> Invitation:
    def change(body: dict[str, Any], now: str) -> Invitation:
        found = [i for i in _all(body) if i.id == ident]
        if not found or found[0].used_by:
            raise AccountError(_("没有未使用的邀请 {id}", id=ident))
        done = replace(found[0], revoked=True)
        _put(body, [done if i.id == ident else i for i in _all(body)])
        return done

    return store.update_body(change)


def join(store: AccountStore, code: str, name: str, password: str,
         display_name: str = "") -> Account:
    """The account ``name`` made from the invitation whose code is ``code``, bound to
    its person; AccountError when the code is unknown, used, revoked or expired (the
    same answer for unknown and revoked: a guessed code learns nothing), or the name or
    password cannot be used."""
    shown = checked_names(name, display_name)
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("密码至少 {n} 个字符", n=MIN_PASSWORD))
    hashed, wanted = HASHER.hash(password), _hash(code)
    now_at = store.clock()

    def create(body: dict[str, Any], now: str) -> Account:
        found = [i for i in _all(body)
                 if hmac.compare_digest(i.code_hash, wanted) and not i.revoked]
        if not found:
            raise AccountError(_("邀请码无效"))
        invitation = found[0]
        if invitation.used_by:
            raise AccountError(_("邀请码已使用过"))
        if now_at >= dt.datetime.fromisoformat(invitation.expires):
            raise AccountError(_("邀请码已过期（{expires}），请向社区重新索取",
                                 expires=invitation.expires))
        if any(row["name"] == name for row in body["accounts"]):
            raise AccountError(_("账号 {name} 已存在", name=name))
        account = Account(name, shown, invitation.role, invitation.scope, hashed,
                          must_change_password=False, disabled=False, created=now,
                          updated=now, person=invitation.person)
        body["accounts"].append(dataclasses.asdict(account))
        used = replace(invitation, used_by=name, used_at=now)
        _put(body, [used if i.id == invitation.id else i for i in _all(body)])
        return account

    return store.update_body(create)
