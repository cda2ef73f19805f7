"""Invitations (api.invitations): a code used once, refused when expired or revoked, the
account it makes bound to its person, the code never stored.

Scope checks of who may invite whom and the /join page: tests/console/test_page_invitations.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api import invitations
from api.accounts import AccountError, AccountStore
from api.auth import Caller
from api.http.tokens import decode_token, issue_account_token

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
PASSWORD = "a-long-secret"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def _store(tmp_path: Path) -> tuple[AccountStore, Clock]:
    clock = Clock()
    store = AccountStore.in_data_dir(tmp_path, clock)
    store.add("staff", "社区干部", "community_staff", "M1", lambda s: True)
    return store, clock


def test_a_code_makes_one_bound_account_and_is_then_used(tmp_path: Path) -> None:
    store, _clock = _store(tmp_path)
    made, code = invitations.invite(store, "P1", "member", "M1", "staff")
    assert (made.person, made.role, made.scope, made.created_by, made.expires) == (
        "P1", "member", "M1", "staff", "2026-01-12T08:00:00+00:00")
    assert code not in (tmp_path / "accounts.json").read_text()
    account = invitations.join(store, code, "zhangsan", PASSWORD, "张三")
    assert (account.name, account.display_name, account.role, account.scope,
            account.person, account.must_change_password) == (
        "zhangsan", "张三", "member", "M1", "P1", False)
    assert store.authenticate("zhangsan", PASSWORD) == store.get("zhangsan")
    with pytest.raises(AccountError, match="^邀请码已使用过$"):
        invitations.join(store, code, "lisi", PASSWORD)
    assert store.get("lisi") is None
    [listed] = invitations.invitations(store)
    assert (listed.used_by, listed.state(T0)) == ("zhangsan", "已使用（zhangsan）")
    # the staff account is still there: invitations live beside the accounts
    assert sorted(store.accounts()) == ["staff", "zhangsan"]


def test_an_expired_or_revoked_or_unknown_code_is_refused(tmp_path: Path) -> None:
    store, clock = _store(tmp_path)
    _made, code = invitations.invite(store, "P1", "resident", "M1", "staff", days=2)
    clock.now = T0 + dt.timedelta(days=2)
    with pytest.raises(AccountError, match=r"^邀请码已过期（2026-01-07T08:00:00\+00:00），"
                                           "请向社区重新索取$"):
        invitations.join(store, code, "zhangsan", PASSWORD)
    clock.now = T0 + dt.timedelta(hours=1)  # newer than the first: listed before it
    other, code2 = invitations.invite(store, "P2", "resident", "M1", "staff")
    invitations.revoke(store, other.id)
    for refused in (code2, "not-a-code"):
        with pytest.raises(AccountError, match="^邀请码无效$"):
            invitations.join(store, refused, "zhangsan", PASSWORD)
    assert store.get("zhangsan") is None
    assert [i.state(T0) for i in invitations.invitations(store)] == ["已撤销", "有效"]


def test_what_an_invitation_and_a_sign_up_refuse(tmp_path: Path) -> None:
    store, _clock = _store(tmp_path)
    with pytest.raises(AccountError,
                       match="^邀请只能用于角色 member、resident，不能是 'street_staff'$"):
        invitations.invite(store, "P1", "street_staff", "M1", "staff")
    _made, code = invitations.invite(store, "P1", "member", "M1", "staff")
    with pytest.raises(AccountError, match="^密码至少 10 个字符$"):
        invitations.join(store, code, "zhangsan", "short")
    with pytest.raises(AccountError, match="^账号 staff 已存在$"):
        invitations.join(store, code, "staff", PASSWORD)
    assert invitations.invitations(store)[0].used_by is None  # nothing was used up


def test_a_token_of_a_bound_account_acts_as_its_person(tmp_path: Path) -> None:
    store, _clock = _store(tmp_path)
    _made, code = invitations.invite(store, "P1", "member", "M1", "staff")
    invitations.join(store, code, "zhangsan", PASSWORD)
    secret = "s" * 40
    token, _jti = issue_account_token(secret, store, "zhangsan", "app")
    assert decode_token(secret, token, accounts=store) == Caller("member", "M1", "P1")
    staff, _jti = issue_account_token(secret, store, "staff", "app")
    assert decode_token(secret, staff, accounts=store).subject == "staff"
