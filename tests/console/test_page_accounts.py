"""账号 /accounts on the scope town: a county admin lists, adds, disables and resets the
accounts of their scope; every change is one audit line naming the admin.

Scope town (tests/api/scope_town.py): county K1 → streets SA, SB; communities MA (SA), MB
(SB), MS (both).  An admin scoped to street SA manages the accounts scoped to SA, MA and
MS, and none scoped to K1, SB or MB.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from consolehelp import PASSWORD, Console, form_csrf, post_form, sign_in

from api.console.accounts import grantable
from api.policy import ROLES

QUERY = {"query": "{ compounds { totalCount } }"}
ONE_TIME = re.compile(r'<code class="secret-value" id="password">([^<]+)</code>')


def _audit(console: Console) -> list[dict[str, Any]]:
    if not console.audit.exists():
        return []
    return [json.loads(line) for line in console.audit.read_text().splitlines()]


def _listed(page: httpx.Response) -> list[str]:
    return re.findall(r'<tr data-name="([^"]+)">', page.text)


def _add(client: httpx.Client, name: str, role: str, scope: str,
         display: str = "") -> httpx.Response:
    return post_form(client, "/accounts", {"name": name, "display_name": display,
                                           "role": role, "scope": scope})


def test_an_admin_lists_the_accounts_of_their_scope_only(console: Console) -> None:
    console.add("zhao", "county_admin", "SA")
    for name, scope in (("k", "K1"), ("sa", "SA"), ("sb", "SB"), ("ma", "MA"), ("mb", "MB"),
                        ("ms", "Community:MS"), ("gone", "NOWHERE")):
        console.add(name, "community_staff", scope)
    page = console.login("zhao").get("/accounts")
    assert page.status_code == 200
    assert _listed(page) == ["ma", "ms", "sa", "zhao"]
    assert re.findall(r'<option value="([^"]+)"', page.text.split('id="new-scope"')[1]) == [
        "Street:SA", "Community:MA", "Community:MS"]
    console.add("qian", "county_admin", "K1")
    assert _listed(console.login("qian").get("/accounts")) == [
        "k", "ma", "mb", "ms", "qian", "sa", "sb", "zhao"]


def test_an_admin_adds_a_street_account_who_must_change_the_password(
        console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    admin = console.login("zhao")
    answer = _add(admin, "wang.wu", "street_staff", "Street:SA", "王五")
    assert answer.status_code == 200
    password = ONE_TIME.findall(answer.text)
    assert len(password) == 1 and "已创建账号 wang.wu（王五）" in answer.text
    assert ONE_TIME.search(admin.get("/accounts").text) is None  # shown once
    account = console.accounts.get("wang.wu")
    assert account is not None
    assert (account.display_name, account.role, account.scope,
            account.must_change_password) == ("王五", "street_staff", "SA", True)
    assert _audit(console)[-1] | {"id": "", "when": ""} == {
        "id": "", "when": "", "who": "zhao", "role": "county_admin", "scope": "K1",
        "mutation": "userAdd", "outcome": "ok",
        "arguments": {"name": "wang.wu", "displayName": "王五", "role": "street_staff",
                      "scope": "SA"}}
    assert password[0] not in console.audit.read_text()
    client = console.client()
    first = sign_in(client, "wang.wu", password[0])
    assert first.headers["location"] == "/password"
    assert client.get("/").headers["location"] == "/password"


def test_a_scope_outside_the_admins_and_a_bad_role_are_refused(console: Console) -> None:
    console.add("zhao", "county_admin", "SA")
    admin = console.login("zhao")
    for scope in ("Street:SB", "Community:MB", "County:K1", "SB"):
        answer = _add(admin, "x1", "street_staff", scope)
        assert answer.status_code == 400
        assert f"范围 {scope} 不在你的管辖范围内" in answer.text
    bad_role = _add(admin, "x1", "superuser", "Street:SA")
    assert bad_role.status_code == 400
    assert "不能授予角色 superuser：新账号的权限不能超出你自己的" in bad_role.text
    twice = _add(admin, "zhao", "street_staff", "Street:SA")
    assert twice.status_code == 400 and "账号 zhao 已存在" in twice.text
    assert console.accounts.get("x1") is None
    lines = _audit(console)  # refusals are audited too, naming the admin
    assert [(e["who"], e["mutation"], e["outcome"]) for e in lines] == [
        ("zhao", "userAdd", "refused")] * 6
    assert [e["arguments"]["scope"] for e in lines] == [
        "Street:SB", "Community:MB", "County:K1", "SB", "SA", "SA"]


def test_no_role_above_the_admins_own() -> None:
    # a member's account acts for its person alone (CLAIM, which no admin holds): it is
    # made from an invitation (/invitations, /join), not added here
    assert grantable("county_admin") == [r for r in ROLES if r != "member"]
    assert grantable("street_staff") == ["street_staff", "community_staff", "analyst",
                                         "resident"]
    assert grantable("analyst") == ["analyst"]
    assert grantable("resident") == ["resident"]


def test_disabling_ends_the_session_and_refuses_the_tokens(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    user = console.login("wang.wu")
    issued = post_form(user, "/tokens", {"label": "app", "hours": "1", "scope": "Street:SA"})
    (token,) = re.findall(r'id="token">([^<]+)<', issued.text)
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{console.base}/graphql", json=QUERY, headers=bearer).status_code == 200
    admin = console.login("zhao")
    answer = post_form(admin, "/accounts/wang.wu/disable", {})
    assert (answer.status_code, answer.headers["location"]) == (303, "/accounts")
    assert user.get("/").status_code == 303  # signed out at once
    refused = httpx.post(f"{console.base}/graphql", json=QUERY, headers=bearer)
    assert (refused.status_code, refused.json()["errors"][0]["message"]) == (
        401, "令牌被拒绝：账号 wang.wu 已停用")
    assert sign_in(console.client(), "wang.wu", PASSWORD).status_code == 401
    row = admin.get("/accounts").text.split('data-name="wang.wu"')[1].split("</tr>")[0]
    assert "已停用" in row and "disable" not in row
    entry = _audit(console)[-1]
    assert (entry["who"], entry["mutation"], entry["arguments"], entry["outcome"]) == (
        "zhao", "userDisable", {"name": "wang.wu"}, "ok")


def test_reset_shows_a_new_one_time_password_once(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    user = console.login("wang.wu")
    answer = post_form(console.login("zhao"), "/accounts/wang.wu/reset", {})
    assert answer.status_code == 200 and "已重置账号 wang.wu 的密码" in answer.text
    (password,) = ONE_TIME.findall(answer.text)
    assert user.get("/").status_code == 303  # the old session ended
    assert sign_in(console.client(), "wang.wu", PASSWORD).status_code == 401
    fresh = console.client()
    assert sign_in(fresh, "wang.wu", password).headers["location"] == "/password"
    entry = _audit(console)[-1]
    assert (entry["who"], entry["mutation"], entry["arguments"], entry["outcome"]) == (
        "zhao", "userReset", {"name": "wang.wu"}, "ok")
    assert password not in console.audit.read_text()


def test_accounts_outside_the_scope_and_ones_own_cannot_be_changed(console: Console) -> None:
    console.add("zhao", "county_admin", "SA")
    console.add("li.si", "street_staff", "SB")
    admin = console.login("zhao")
    for action in ("disable", "reset"):
        answer = post_form(admin, f"/accounts/li.si/{action}", {})
        assert answer.status_code == 404
        assert "账号 li.si 不存在或不在你的管辖范围内" in answer.text
    myself = post_form(admin, "/accounts/zhao/disable", {})
    assert myself.status_code == 400 and "不能在这里停用或重置自己的账号" in myself.text
    li = console.accounts.get("li.si")
    assert li is not None and not li.disabled
    assert sign_in(console.client(), "li.si", PASSWORD).status_code == 303
    assert [(e["who"], e["mutation"], e["arguments"], e["outcome"]) for e in _audit(console)] == [
        ("zhao", "userDisable", {"name": "li.si"}, "refused"),
        ("zhao", "userReset", {"name": "li.si"}, "refused"),
        ("zhao", "userDisable", {"name": "zhao"}, "refused")]


def test_staff_cannot_reach_accounts(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    console.add("li.si", "community_staff", "MA")
    client = console.login("wang.wu")
    page = client.get("/accounts")
    assert page.status_code == 403 and "角色 street_staff 无权管理账号" in page.text
    assert 'href="/accounts"' not in client.get("/").text  # not in the menu either
    token = form_csrf(client.get("/").text)
    for path in ("/accounts", "/accounts/li.si/disable", "/accounts/li.si/reset"):
        answer = client.post(path, data={"csrf": token, "name": "x", "role": "county_admin",
                                         "scope": "County:K1"})
        assert answer.status_code == 403
    li = console.accounts.get("li.si")
    assert li is not None and not li.disabled and console.accounts.get("x") is None


def test_a_post_without_the_csrf_token_changes_nothing(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    admin = console.login("zhao")
    assert admin.post("/accounts/wang.wu/disable", data={}).status_code == 403
    account = console.accounts.get("wang.wu")
    assert account is not None and not account.disabled


def test_admins_cannot_reset_or_disable_each_other(console: Console) -> None:
    """Resetting a peer admin would let one admin sign in as the other (the audit log
    would then name the wrong person): the shell's `jinlin user reset` does that."""
    console.add("zhao", "county_admin", "K1")
    console.add("qian", "county_admin", "K1")
    admin = console.login("zhao")
    for action in ("reset", "disable"):
        answer = post_form(admin, f"/accounts/qian/{action}", {})
        assert answer.status_code == 403 and "管理员之间不能互相停用或重置" in answer.text
    qian = console.accounts.get("qian")
    assert qian is not None and not qian.disabled and not qian.must_change_password
    assert [(e["mutation"], e["outcome"]) for e in _audit(console)] == [
        ("userReset", "refused"), ("userDisable", "refused")]


def test_a_reset_revokes_the_accounts_tokens(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    issued = post_form(console.login("wang.wu"), "/tokens",
                       {"label": "app", "hours": "1", "scope": "Street:SA"})
    (token,) = re.findall(r'id="token">([^<]+)<', issued.text)
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{console.base}/graphql", json=QUERY, headers=bearer).status_code == 200
    assert post_form(console.login("zhao"), "/accounts/wang.wu/reset", {}).status_code == 200
    refused = httpx.post(f"{console.base}/graphql", json=QUERY, headers=bearer)
    assert (refused.status_code, refused.json()["errors"][0]["message"]) == (
        401, "令牌被拒绝：令牌“app”已被吊销")
