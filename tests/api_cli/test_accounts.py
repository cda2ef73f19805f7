"""Accounts: argon2id hashes, sign-in with lockout and back-off, and ``jinlin user …``
end to end (exact lines printed, one audit line per command, no password in the log).

The store tests run on a file in ``tmp_path`` with a hand-driven clock; the command line
runs on the embedded store (its data directory holds the accounts), with county K1 and
street S1.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from api.accounts import ACCOUNTS_FILE, Account, AccountStore, Refused
from api.cli import users
from api.cli.main import main
from graph.settings import Settings
from graph.store import BoltStore

sys.path.insert(0, str(Path(__file__).parents[1] / "analysis"))  # the graph builder
from analysis_builder import G  # noqa: E402

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def _store(tmp_path: Path) -> tuple[AccountStore, Clock, str]:
    clock = Clock()
    accounts = AccountStore.in_data_dir(tmp_path, clock)
    _account, password = accounts.add("zhang.san", "张三", "street_staff", "S1",
                                      lambda scope: scope == "S1")
    return accounts, clock, password


def test_the_stored_hash_is_argon2id_and_verifies(tmp_path: Path) -> None:
    accounts, _clock, password = _store(tmp_path)
    path = tmp_path / ACCOUNTS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert password not in path.read_text() and len(password) == 16
    row = json.loads(path.read_text())["accounts"][0]
    assert row["password_hash"].startswith("$argon2id$v=19$")
    assert (row["must_change_password"], row["disabled"], row["created"]) == (
        True, False, "2026-01-05T08:00:00+00:00")
    signed_in = accounts.authenticate("zhang.san", password)
    assert isinstance(signed_in, Account) and signed_in.must_change_password
    wrong = Refused("BAD_CREDENTIALS", "用户名或密码错误")
    assert accounts.authenticate("zhang.san", password + "x") == wrong
    assert accounts.authenticate("nobody", password) == wrong  # the same answer
    changed = accounts.change_password("zhang.san", "a better secret")
    assert not changed.must_change_password
    assert accounts.authenticate("zhang.san", password) == wrong
    assert isinstance(accounts.authenticate("zhang.san", "a better secret"), Account)


def test_the_fifth_failure_locks_for_15_minutes_then_30(tmp_path: Path) -> None:
    accounts, clock, password = _store(tmp_path)
    wrong = Refused("BAD_CREDENTIALS", "用户名或密码错误")
    for _ in range(4):
        assert accounts.authenticate("zhang.san", "guess") == wrong
    first = Refused("LOCKED", "登录失败次数过多，账号 zhang.san 已锁定至 "
                              "2026-01-05T08:15:00+00:00（UTC）")
    assert accounts.authenticate("zhang.san", "guess") == first
    clock.now = T0 + dt.timedelta(minutes=14, seconds=59)
    assert accounts.authenticate("zhang.san", password) == first  # right, but locked
    clock.now = T0 + dt.timedelta(minutes=15)
    for _ in range(4):
        assert accounts.authenticate("zhang.san", "guess") == wrong
    second = Refused("LOCKED", "登录失败次数过多，账号 zhang.san 已锁定至 "
                               "2026-01-05T08:45:00+00:00（UTC）")  # doubled: 30 minutes
    assert accounts.authenticate("zhang.san", "guess") == second
    clock.now = T0 + dt.timedelta(minutes=45)
    assert isinstance(accounts.authenticate("zhang.san", password), Account)
    account = accounts.get("zhang.san")
    assert account is not None
    assert (account.failures, account.lockouts, account.locked_until) == (0, 0, None)


def test_a_disabled_account_cannot_sign_in_and_reset_lifts_a_lock(tmp_path: Path) -> None:
    accounts, _clock, password = _store(tmp_path)
    for _ in range(5):
        accounts.authenticate("zhang.san", "guess")
    _account, fresh = accounts.reset("zhang.san")
    assert fresh != password
    assert isinstance(accounts.authenticate("zhang.san", fresh), Account)
    accounts.disable("zhang.san")
    assert accounts.authenticate("zhang.san", fresh) == Refused(
        "DISABLED", "账号 zhang.san 已停用")
    assert accounts.authenticate("zhang.san", "guess").code == "BAD_CREDENTIALS"  # type: ignore[union-attr]


# the command line


@pytest.fixture
def data_dir(store: BoltStore, embedded_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    monkeypatch.setenv("JINLIN_JWT_SECRET", "s" * 48)
    G().spine("K1", {"S1": {}}).write(store)
    (embedded_dir / ACCOUNTS_FILE).unlink(missing_ok=True)  # the directory is the session's
    return embedded_dir


def _audit(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "audit.log"
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [{k: v for k, v in line.items() if k not in ("id", "when")} for line in lines]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_user_commands_end_to_end(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = len(_audit(data_dir))
    d = ["--data-dir", str(data_dir), "--by", "admin"]
    status, out, _err = _run(capsys, "user", "add", "zhang.san", "--role", "street_staff",
                             "--scope", "S1", "--display-name", "张三", *d)
    assert status == 0 and out[0] == "已创建账号 zhang.san（张三，角色 street_staff，范围 S1）"
    assert out[1].startswith("一次性密码（只显示这一次，首次登录后须修改）：") and len(out) == 2
    password = out[1].rpartition("：")[2]
    accounts = AccountStore.in_data_dir(data_dir)
    assert isinstance(accounts.authenticate("zhang.san", password), Account)

    assert _run(capsys, "user", "add", "li.si", "--role", "analyst", "--scope", "NOPE", *d) \
        == (2, [], "jinlin: 范围 NOPE 不存在（县/街道/社区编码）\n")
    status, out, err = _run(capsys, "user", "token", "zhang.san", "--name", "laptop",
                            "--ttl-hours", "2", *d)
    assert status == 0 and out[0].count(".") == 2 and len(out) == 1  # the JWT alone
    jti = accounts.get("zhang.san").tokens[0].jti  # type: ignore[union-attr]
    assert err == (f"已为账号 zhang.san 签发令牌“laptop”，jti {jti}，有效期 2 小时；"
                   f"吊销：jinlin user revoke zhang.san {jti}\n")
    assert _run(capsys, "user", "list", *d)[1] == [
        "zhang.san\t张三\tstreet_staff\tS1\t须改密码\t有效令牌 1"]
    assert _run(capsys, "user", "revoke", "zhang.san", "laptop", *d)[1] == [
        f"已吊销账号 zhang.san 的令牌“laptop”（jti {jti}）"]
    status, out, _err = _run(capsys, "user", "reset", "zhang.san", *d)
    assert out[0] == "已重置账号 zhang.san 的密码，并解除锁定"
    assert out[1].rpartition("：")[2] != password
    assert _run(capsys, "user", "disable", "zhang.san", *d)[1] == [
        "已停用账号 zhang.san：它的令牌一律拒绝"]
    assert _run(capsys, "user", "list", "--data-dir", str(data_dir))[1] == [
        "zhang.san\t张三\tstreet_staff\tS1\t已停用\t有效令牌 0"]

    lines = _audit(data_dir)[before:]
    shell = {"who": "admin", "role": "shell", "scope": "*"}
    assert lines == [
        {**shell, "scope": "S1", "mutation": "userAdd", "outcome": "ok",
         "arguments": {"name": "zhang.san", "displayName": "张三", "role": "street_staff",
                       "scope": "S1"}},
        {**shell, "scope": "NOPE", "mutation": "userAdd", "outcome": "refused",
         "arguments": {"name": "li.si", "displayName": "li.si", "role": "analyst",
                       "scope": "NOPE"}},
        {**shell, "mutation": "userToken", "outcome": "ok",
         "arguments": {"name": "zhang.san", "label": "laptop", "ttlHours": 2.0, "jti": jti}},
        {**shell, "mutation": "userList", "outcome": "ok", "arguments": {}},
        {**shell, "mutation": "userRevoke", "outcome": "ok",
         "arguments": {"name": "zhang.san", "token": "laptop"}},
        {**shell, "mutation": "userReset", "outcome": "ok", "arguments": {"name": "zhang.san"}},
        {**shell, "mutation": "userDisable", "outcome": "ok",
         "arguments": {"name": "zhang.san"}},
        {**shell, "who": getpass.getuser(), "mutation": "userList", "outcome": "ok",
         "arguments": {}},
    ]
    assert password not in (data_dir / "audit.log").read_text()


def test_commands_refuse_what_is_not_there(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = ["--data-dir", str(data_dir)]
    assert _run(capsys, "user", "list", *d)[1] == ["还没有账号：用 `jinlin user add` 创建"]
    assert _run(capsys, "user", "disable", "ghost", *d)[2] == "jinlin: 账号 ghost 不存在\n"
    assert _run(capsys, "user", "add", "bad name", "--role", "analyst", "--scope", "S1",
                *d)[2] == ("jinlin: 用户名 'bad name' 无效：须是 1 到 64 个字母、数字或 . _ @ -，"
                           "以字母或数字开头\n")
    assert _run(capsys, "user", "add", "wang", "--role", "analyst", "--scope", "S1", *d)[0] == 0
    assert _run(capsys, "user", "token", "wang", "--name", "x", "--ttl-hours", "9999", *d)[2] \
        .startswith("jinlin: 令牌有效期 9999 小时不在允许范围内")
    assert _run(capsys, "user", "revoke", "wang", "x", *d)[2] == (
        "jinlin: 账号 wang 没有 jti 或名称为“x”的有效令牌\n")
    assert AccountStore.in_data_dir(data_dir).get("wang").tokens == ()  # type: ignore[union-attr]


def test_the_demo_account_is_made_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=str(tmp_path))
    users.demo_account(settings, "demo", "K1")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "示例账号：demo-admin（县级管理员）"
    password = out[1].rpartition("：")[2]
    assert out[2] == "工作台：http://127.0.0.1:8000/ ，用此账号登录"
    account = AccountStore.in_data_dir(tmp_path).authenticate("demo-admin", password)
    assert isinstance(account, Account)
    assert (account.role, account.scope, account.display_name) == (
        "county_admin", "K1", "示例县级管理员")
    users.demo_account(settings, "demo", "K1")
    assert capsys.readouterr().out == (
        "示例账号 demo-admin 已存在（忘记密码时：jinlin user reset demo-admin）\n")
    assert [line["mutation"] for line in _audit(tmp_path)] == ["userAdd"]
