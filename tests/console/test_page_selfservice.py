"""邀请码 /invitations, 注册 /join, 我的 /me and 红色积分 /points on the scope town.

Scope town (tests/api/scope_town.py): communities MA (street SA), MB (SB); party member
PA lives in compound CA of MA, PB in CB of MB; demands DA and DA2 are open in CA, DS
in CS (in MA and MB).
Community staff "ma" invites PA as a member; PA signs up with the code, claims DA and
completes it, reports to MA; "ma" confirms the report.  Every step is one audit line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from consolehelp import Console, form_csrf, post_form

CODE = re.compile(r'<code class="secret-value" id="code">([^<]+)</code>')
SECRET = "pa-own-password"


def _audit(console: Console) -> list[tuple[str, str, str]]:
    lines = [json.loads(line) for line in console.audit.read_text().splitlines()]
    return [(line["who"], line["mutation"], line["outcome"]) for line in lines]


def _invite(client: httpx.Client, person: str, role: str = "member",
            community: str = "Community:MA") -> httpx.Response:
    return post_form(client, "/invitations", {"person": person, "role": role,
                                              "community": community, "days": "3"})


def _join(console: Console, code: str, name: str = "pa") -> tuple[httpx.Client, httpx.Response]:
    client = console.client()
    page = client.get("/join", params={"code": code})
    assert f'value="{code}"' in page.text
    return client, client.post("/join", data={
        "csrf": form_csrf(page.text), "code": code, "name": name, "display_name": "甲",
        "password": SECRET, "again": SECRET})


def _error(page: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]+)</p>', page.text)
    return found.group(1) if found else ""


def _rows(page: httpx.Response, table: str) -> list[str]:
    section = page.text.split(f'id="{table}"')[1].split("</table>")[0]
    return re.findall(r'<tr data-code="([^"]+)">', section)


def test_staff_invite_only_people_of_their_scope(console: Console) -> None:
    console.add("ma", "community_staff", "MA")
    staff = console.login("ma")
    refused = _invite(staff, "PB")
    assert (refused.status_code, _error(refused)) == (400, "人员 PB 不存在或不在你的管辖范围内")
    assert _error(_invite(staff, "PA", community="Community:MB")) == "社区须是你管辖范围内的社区"
    assert _error(_invite(staff, "PA", role="street_staff")) == (
        "邀请只能用于角色 member、resident，不能是 &#39;street_staff&#39;")
    made = _invite(staff, "PA")
    assert made.status_code == 200 and CODE.search(made.text)
    assert len(re.findall(r'<tr data-id="([^"]+)">', made.text)) == 1
    assert _audit(console) == [("ma", "invitationCreate", "refused")] * 3 + [
        ("ma", "invitationCreate", "ok")]
    # another community's staff neither see nor revoke it; its own staff revoke it
    console.add("mb", "community_staff", "MB")
    other = console.login("mb")
    assert re.findall(r'<tr data-id=', other.get("/invitations").text) == []
    [ident] = re.findall(r'<tr data-id="([^"]+)">', made.text)
    assert post_form(other, f"/invitations/{ident}/revoke", {}).status_code == 404
    revoked = post_form(staff, f"/invitations/{ident}/revoke", {})
    assert (revoked.status_code, revoked.headers["location"]) == (303, "/invitations")
    assert "<td>已撤销</td>" in staff.get("/invitations").text
    assert _audit(console)[-2:] == [("mb", "invitationRevoke", "refused"),
                                    ("ma", "invitationRevoke", "ok")]


def test_a_member_signs_up_claims_completes_and_reports(console: Console) -> None:
    console.add("ma", "community_staff", "MA")
    staff = console.login("ma")
    found = CODE.search(_invite(staff, "PA").text)
    assert found
    code = found.group(1)
    member, joined = _join(console, code)
    assert (joined.status_code, joined.headers["location"]) == (303, "/me")
    _again, twice = _join(console, code, "pa2")
    assert (twice.status_code, _error(twice)) == (400, "邀请码已使用过")
    me = member.get("/me")
    assert me.status_code == 200
    assert (_rows(me, "my-tasks"), _rows(me, "open-needs")) == ([], ["DA", "DA2", "DS"])
    # PA's one duty record (a survey) is of 2025: this year shows all five to do
    assert me.text.count('<span class="badge bad">未完成</span>') == 5
    for path, data in (("/me/claim", {"code": "DA"}), ("/me/complete", {"code": "DA"}),
                       ("/me/report", {"community": "Community:MA"})):
        answer = post_form(member, path, data)
        assert (answer.status_code, answer.headers.get("location")) == (303, "/me"), path
    me = member.get("/me")
    assert (_rows(me, "my-tasks"), _rows(me, "open-needs")) == (["DA"], ["DA2", "DS"])
    # claiming what is taken shows why, on /me
    refused = post_form(member, "/me/claim", {"code": "DA"})
    assert (refused.status_code, _error(refused)) == (
        400, "需求 DA 已不是待派单状态（当前为 done），不能领办")
    # the staff member confirms the report on /points
    board = staff.get("/points")
    assert 'name="member" value="Person:PA"' in board.text
    confirmed = post_form(staff, "/points/confirm", {"member": "Person:PA",
                                                     "community": "Community:MA"})
    assert confirmed.headers.get("location") == "/points"
    assert 'name="member" value="Person:PA"' not in staff.get("/points").text
    who: list[Any] = _audit(console)
    assert who == [("ma", "invitationCreate", "ok"), ("pa", "userJoin", "ok"),
                   ("pa2", "userJoin", "refused"), ("PA", "claim_demand", "ok"),
                   ("PA", "complete_demand", "ok"), ("PA", "report_to_community", "ok"),
                   ("PA", "claim_demand", "invalid"), ("ma", "confirm_report", "ok")]
    # a member has no staff pages
    assert member.get("/points").status_code == 403
    assert member.get("/invitations").status_code == 403
