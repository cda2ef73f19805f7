"""Signing in and out of the console, CSRF, forced password change, expiry, disabling."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from consolehelp import PASSWORD, Console, console_on, csrf_of, form_csrf, post_form, sign_in

from api.console.sessions import Sessions
from graph.store import BoltStore


def test_a_page_without_a_session_sends_to_the_sign_in_page(console: Console) -> None:
    answer = console.client().get("/", params={"scope": "Street:SA"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2F%3Fscope%3DStreet%253ASA"


def test_sign_in_then_the_dashboard_then_out(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    client = console.client()
    answer = sign_in(client, "wang.wu", PASSWORD, next="/map")
    assert (answer.status_code, answer.headers["location"]) == (303, "/map")
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "jinlin_session=" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "wang.wu" in home.text and "default-src 'self'" in home.headers[
        "content-security-policy"]
    out = post_form(client, "/logout", {})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert client.get("/").status_code == 303  # the old cookie is dead on the server


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(console: Console) -> None:
    console.add("wang.wu")
    wrong = sign_in(console.client(), "wang.wu", "not-the-password")
    unknown = sign_in(console.client(), "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text


def test_five_failures_lock_the_account(console: Console) -> None:
    console.add("wang.wu")
    for _ in range(5):
        sign_in(console.client(), "wang.wu", "guess")
    locked = sign_in(console.client(), "wang.wu", PASSWORD)
    assert locked.status_code == 401 and "锁定" in locked.text


def test_next_never_leaves_the_site(console: Console) -> None:
    console.add("wang.wu")
    answer = sign_in(console.client(), "wang.wu", PASSWORD, next="//evil.example/x")
    assert answer.headers["location"] == "/"


def test_a_sign_in_form_posted_from_elsewhere_is_refused(console: Console) -> None:
    console.add("wang.wu")
    client = console.client()  # no GET /login first: no login cookie to match
    answer = client.post("/login", data={"csrf": "forged", "name": "wang.wu",
                                         "password": PASSWORD})
    assert answer.status_code == 403 and "jinlin_session" not in answer.headers.get(
        "set-cookie", "")


def test_a_post_without_the_sessions_csrf_token_is_refused(console: Console) -> None:
    console.add("wang.wu")
    client = console.login("wang.wu")
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    other_site = client.post("/logout", data={"csrf": csrf_of(client)},
                             headers={"Origin": "http://evil.example"})
    assert other_site.status_code == 403
    assert client.get("/").status_code == 200  # still signed in


def test_graphql_with_the_session_cookie_needs_the_csrf_header(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    client = console.login("wang.wu")
    query = {"query": "{ compounds(first: 50) { edges { node { code } } } }"}
    assert client.post("/graphql", json=query).status_code == 403
    answer = client.post("/graphql", json=query, headers={"X-CSRF-Token": csrf_of(client)})
    codes = {e["node"]["code"] for e in answer.json()["data"]["compounds"]["edges"]}
    assert codes == {"CA", "CS", "XA"}  # street A's compounds, as a street-A token sees


def test_first_sign_in_must_change_the_password(console: Console) -> None:
    first = console.add("li.si", "community_staff", "MA", password=None)
    client = console.client()
    answer = sign_in(client, "li.si", first)
    assert answer.headers["location"] == "/password"
    assert client.get("/").headers["location"] == "/password"
    page = client.get("/password")
    token = form_csrf(page.text)
    same = client.post("/password", data={"csrf": token, "current": first,
                                          "new": "short", "again": "short"})
    assert same.status_code == 400 and "至少 10 个字符" in same.text
    done = client.post("/password", data={"csrf": token, "current": first,
                                          "new": "a-new-long-one", "again": "a-new-long-one"})
    assert (done.status_code, done.headers["location"]) == (303, "/")
    assert client.get("/").status_code == 200
    assert sign_in(console.client(), "li.si", first).status_code == 401
    assert sign_in(console.client(), "li.si", "a-new-long-one").status_code == 303


def test_disabling_an_account_ends_its_sessions(console: Console) -> None:
    console.add("wang.wu")
    client = console.login("wang.wu")
    console.accounts.disable("wang.wu")
    assert client.get("/").status_code == 303
    assert sign_in(console.client(), "wang.wu", PASSWORD).status_code == 401


def test_sessions_end_when_idle_and_at_their_longest() -> None:
    now = [dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)]
    sessions = Sessions(dt.timedelta(minutes=30), dt.timedelta(hours=12), lambda: now[0])
    idle = sessions.start("a")
    busy = sessions.start("b")
    for _ in range(25):  # b is used every 29 minutes for 12 hours and 5 minutes
        now[0] += dt.timedelta(minutes=29)
        got = sessions.get(busy.key)
        assert (got is not None) == (now[0] - busy.started <= dt.timedelta(hours=12))
    assert sessions.get(busy.key) is None
    assert sessions.get(idle.key) is None  # untouched for 12 hours
    fresh = sessions.start("c")
    now[0] += dt.timedelta(minutes=29)
    assert sessions.get(fresh.key) is not None
    now[0] += dt.timedelta(minutes=31)
    assert sessions.get(fresh.key) is None


def test_a_body_past_the_upload_limit_is_refused_while_it_streams(
        store: BoltStore, tmp_path: Path) -> None:
    with console_on(store, tmp_path, upload_max_bytes=1000) as small:
        small.add("wang.wu")
        client = small.login("wang.wu")
        token = csrf_of(client)

        def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
            yield f"csrf={token}&pad=".encode()
            for _ in range(10):
                yield b"x" * 500

        answer = client.post("/logout", content=chunks(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 413 and "上传内容过大" in answer.text
        declared = client.post("/logout", data={"csrf": token, "pad": "x" * 2000})
        assert declared.status_code == 413
        assert client.get("/").status_code == 200  # neither went through: still signed in


def test_the_sign_in_form_takes_a_small_urlencoded_form_only(console: Console) -> None:
    console.add("wang.wu")
    client = console.client()
    token = form_csrf(client.get("/login").text)
    upload = client.post("/login", data={"csrf": token, "name": "wang.wu", "password": PASSWORD},
                         files={"f": ("a.bin", b"x" * 1000, "application/octet-stream")})
    assert upload.status_code == 415 and "jinlin_session" not in upload.headers.get(
        "set-cookie", "")
    big = client.post("/login", data={"csrf": token, "name": "wang.wu",
                                      "password": "x" * 20_000})
    assert big.status_code == 413
    assert sign_in(client, "wang.wu", PASSWORD).status_code == 303  # nothing counted


def test_a_user_due_to_change_the_password_can_still_sign_out(console: Console) -> None:
    first = console.add("li.si", "community_staff", "MA", password=None)
    client = console.client()
    sign_in(client, "li.si", first)
    out = client.post("/logout", data={"csrf": csrf_of(client)})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert client.get("/password").status_code == 303  # to /login: the session is gone


def test_changing_ones_password_is_audited_without_the_password(console: Console) -> None:
    first = console.add("li.si", "community_staff", "MA", password=None)
    client = console.client()
    sign_in(client, "li.si", first)
    token = csrf_of(client)
    client.post("/password", data={"csrf": token, "current": first, "new": "a-new-long-one",
                                   "again": "a-new-long-one"})
    lines = console.audit.read_text().splitlines()
    assert len(lines) == 1 and first not in lines[0] and "a-new-long-one" not in lines[0]
    entry = json.loads(lines[0])
    assert (entry["who"], entry["mutation"], entry["arguments"], entry["outcome"]) == (
        "li.si", "userPassword", {"name": "li.si"}, "ok")
