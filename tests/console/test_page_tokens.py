"""令牌 /tokens on the scope town: a user issues tokens to their own account (named, with
an expiry, scoped to their scope or an area under it), sees them listed, revokes them; a
narrower token is honoured end to end, a revoked one gets 401; each change is audited.

Scope town: county K1 has compounds CA, CS, XA (street SA) and CB, CS, XB (street SB):
five in all, three in SA.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from consolehelp import Console, post_form

TOKEN = re.compile(r'<code class="secret-value" id="token">([^<]+)</code>')
COUNT = "{ compounds(first: 50) { totalCount edges { node { code } } } }"


def _audit(console: Console) -> list[dict[str, Any]]:
    return [json.loads(line) for line in console.audit.read_text().splitlines()]


def _issue(client: httpx.Client, label: str, hours: str, scope: str) -> httpx.Response:
    return post_form(client, "/tokens", {"label": label, "hours": hours, "scope": scope})


def _compounds(console: Console, token: str) -> tuple[int, Any]:
    answer = httpx.post(f"{console.base}/graphql", json={"query": COUNT},
                        headers={"Authorization": f"Bearer {token}"})
    if answer.status_code != 200:
        return answer.status_code, answer.json()["errors"][0]["message"]
    compounds = answer.json()["data"]["compounds"]
    return 200, (compounds["totalCount"],
                 sorted(e["node"]["code"] for e in compounds["edges"]))


def test_a_county_admins_token_for_street_a_sees_street_a_only(console: Console) -> None:
    console.add("zhao", "county_admin", "K1")
    client = console.login("zhao")
    page = client.get("/tokens")
    assert re.findall(r'<option value="([^"]+)"', page.text) == [
        "County:K1", "Street:SA", "Street:SB", "Community:MA", "Community:MB", "Community:MS"]
    narrow = _issue(client, "报表程序", "2", "Street:SA")
    assert narrow.status_code == 200
    (token,) = TOKEN.findall(narrow.text)
    assert "已签发令牌“报表程序”（街道 Street-SA（SA），有效期 2 小时）" in narrow.text
    assert _compounds(console, token) == (200, (3, ["CA", "CS", "XA"]))
    (wide,) = TOKEN.findall(_issue(client, "全县", "1.5", "County:K1").text)
    assert _compounds(console, wide) == (200, (5, ["CA", "CB", "CS", "XA", "XB"]))
    listed = client.get("/tokens")
    assert token not in listed.text and wide not in listed.text  # shown once
    rows = re.findall(r"<tr data-jti=\"([0-9a-f]+)\">\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>",
                      listed.text)
    account = console.accounts.get("zhao")
    assert account is not None
    jtis = {t.label: t.jti for t in account.tokens}
    assert sorted(rows) == sorted([(jtis["报表程序"], "报表程序", "街道 Street-SA（SA）"),
                                   (jtis["全县"], "全县", "县(区) County-K1（K1）")])
    assert [(t.label, t.scope) for t in account.tokens] == [("报表程序", "SA"), ("全县", "K1")]
    first = _audit(console)[0]
    assert first | {"id": "", "when": ""} == {
        "id": "", "when": "", "who": "zhao", "role": "county_admin", "scope": "K1",
        "mutation": "userToken", "outcome": "ok",
        "arguments": {"name": "zhao", "label": "报表程序", "ttlHours": 2.0, "scope": "SA",
                      "jti": jtis["报表程序"]}}
    assert token not in console.audit.read_text()


def test_a_revoked_token_gets_401(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    client = console.login("wang.wu")
    (token,) = TOKEN.findall(_issue(client, "app", "12", "Street:SA").text)
    assert _compounds(console, token)[0] == 200
    account = console.accounts.get("wang.wu")
    assert account is not None
    jti = account.tokens[0].jti
    answer = post_form(client, f"/tokens/{jti}/revoke", {})
    assert (answer.status_code, answer.headers["location"]) == (303, "/tokens")
    assert _compounds(console, token) == (401, "令牌被拒绝：令牌“app”已被吊销")
    assert f'data-jti="{jti}"' not in client.get("/tokens").text
    entry = _audit(console)[-1]
    assert (entry["who"], entry["mutation"], entry["arguments"], entry["outcome"]) == (
        "wang.wu", "userRevoke", {"name": "wang.wu", "token": jti}, "ok")
    again = post_form(client, f"/tokens/{jti}/revoke", {})
    assert again.status_code == 404 and f"没有编号为 {jti} 的有效令牌" in again.text


def test_a_scope_above_the_account_and_a_long_lifetime_are_refused(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    client = console.login("wang.wu")
    assert re.findall(r'<option value="([^"]+)"', client.get("/tokens").text) == [
        "Street:SA", "Community:MA", "Community:MS"]
    for scope in ("County:K1", "Street:SB", "Community:MB"):
        answer = _issue(client, "app", "1", scope)
        assert answer.status_code == 400 and f"范围 {scope} 不在你的账号范围内" in answer.text
    for hours in ("721", "0", "-1", "abc"):
        answer = _issue(client, "app", hours, "Street:SA")
        assert answer.status_code == 400
        assert "有效期须是大于 0、不超过 720 小时的数" in answer.text
    (token,) = TOKEN.findall(_issue(client, "app", "720", "Community:MS").text)
    assert _compounds(console, token) == (200, (0, []))  # MS holds no compound
    twice = _issue(client, "app", "1", "Street:SA")
    assert twice.status_code == 400 and "账号 wang.wu 已有名为“app”的有效令牌" in twice.text
    outcomes = [(e["mutation"], e["outcome"]) for e in _audit(console)]
    assert outcomes == [("userToken", "refused")] * 7 + [("userToken", "ok"),
                                                         ("userToken", "refused")]


def test_only_ones_own_tokens_are_revoked(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    console.add("li.si", "street_staff", "SB")
    (token,) = TOKEN.findall(_issue(console.login("li.si"), "app", "1", "Street:SB").text)
    account = console.accounts.get("li.si")
    assert account is not None
    jti = account.tokens[0].jti
    answer = post_form(console.login("wang.wu"), f"/tokens/{jti}/revoke", {})
    assert answer.status_code == 404
    assert _compounds(console, token)[0] == 200
