"""GraphQL subscriptions over a real websocket (graphql-transport-ws) against the running
uvicorn: who may connect, what each subscriber hears, and the bounds of a connection.

The town (apihelp.town) gets a third community M3 in street S1 (grid G3, compound C4):
community staff of M1 and of M3 and street staff of S1 listen while a county admin raises
and dispatches demands over HTTP in M1 (C1), M3 (C4) and M2 (C3, street S2).  Each
subscriber must hear exactly the changes of its scope, in order, and nothing else
within a short drain.  Payloads are read when delivered, so only (change, code) is
compared in order; a node's fields are checked where nothing changes it meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from apihelp import SECRET, Api, api_settings, serve, town
from scope_town import COUNTY, scope_town
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from api.accounts import AccountStore
from api.audit import AuditLog
from api.auth import Caller
from api.console.web import Backend
from api.events import Bus, Event
from api.graphql import subscriptions
from api.graphql.context import Context
from api.http import sockets
from api.http.app import create_app
from api.http.tokens import issue_account_token
from graph.queries import DELETE_ALL
from graph.store import BoltStore
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph

PROTOCOL = "graphql-transport-ws"
DRAIN = 0.4  # seconds a subscriber must stay silent after its last expected message
DEMANDS = "subscription($within: ID) { demandChanged(within: $within) { change demand { code } } }"
ALERTS = ("subscription { alertRaised { change code label lagged "
          "node { id ... on Compound { name } } } }")


class Live(Api):
    """The running app, its change-event bus, and websocket clients for it."""

    def __init__(self, base: str, store: BoltStore, audit: Path, console: Backend) -> None:
        super().__init__(base, store, audit)
        assert console.events is not None
        self.console = console  # the app's sessions and accounts
        self.bus: Bus = console.events
        self.sockets = ExitStack()  # every socket opened, closed at the end

    def url(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"

    def socket(self, headers: dict[str, str] | None = None) -> ClientConnection:
        return self.sockets.enter_context(connect(
            self.url(), subprotocols=[PROTOCOL],  # type: ignore[list-item]
            additional_headers=headers or {}, open_timeout=10))

    def client(self, payload: dict[str, Any] | None = None, **who: Any) -> Socket:
        """An acknowledged connection as ``who`` (a token in connection_init)."""
        sock = Socket(self.socket())
        ack = sock.init({"Authorization": f"Bearer {self.token(**who)}"}
                        if payload is None else payload)
        assert ack == {"type": "connection_ack"}, ack
        return sock

    def listening(self, query: str, *socks: Socket) -> None:
        """Each of ``socks`` subscribes to ``query`` (as "s"), and all of them listen."""
        before = self.bus.count()
        for sock in socks:
            sock.subscribe("s", query)
        self.wait_for(before + len(socks))

    def wait_for(self, subscribers: int) -> None:
        """Until the bus has ``subscribers`` (a subscription listens from then on)."""
        deadline = time.monotonic() + 10
        while self.bus.count() != subscribers:
            assert time.monotonic() < deadline, (self.bus.count(), subscribers)
            time.sleep(0.01)


class Socket:
    """One graphql-transport-ws connection, spoken by hand."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def recv(self, timeout: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        return message

    def init(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.send({"type": "connection_init", "payload": payload})
        return self.recv()

    def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        self.send({"id": id, "type": "subscribe",
                   "payload": {"query": query, "variables": variables or {}}})

    def changes(self, count: int) -> list[tuple[str, str]]:
        """The next ``count`` demand changes as (change, code), then silence."""
        got = []
        for _ in range(count):
            message = self.recv()
            assert message["type"] == "next", message
            data = message["payload"]["data"]["demandChanged"]
            got.append((data["change"], data["demand"]["code"]))
        self.silent()
        return got

    def silent(self) -> None:
        with pytest.raises(TimeoutError):
            extra = self.recv(timeout=DRAIN)
            raise AssertionError(f"unexpected message {extra}")

    def closed(self) -> tuple[int, str]:
        """The code and reason the server closed the socket with."""
        with pytest.raises(ConnectionClosed) as closed:
            self.recv()
        frame = closed.value.rcvd
        assert frame is not None
        return frame.code, frame.reason

    def close(self) -> None:
        self.ws.close()


def _more_town() -> tuple[list[N], list[R]]:
    nodes, rels = town()
    nodes += [N("Community", "M3", {"name": "安居社区"}), N("Grid", "G3", {"name": "三网格"}),
              N("Compound", "C4", {"name": "花园小区", "households": 60})]
    rels += [R("PART_OF", "Community", "M3", "Street", "S1"),
             R("PART_OF", "Grid", "G3", "Community", "M3"),
             R("IN_GRID", "Compound", "C4", "Grid", "G3")]
    return nodes, rels


@contextmanager
def live_on(store: BoltStore, tmp_path: Path, graph: tuple[list[N], list[R]],
            **settings: Any) -> Iterator[Live]:
    """The app on ``graph`` served on loopback, with its bus at hand."""
    store.write(DELETE_ALL)
    write_graph(store, *graph)
    app = create_app(api_settings(tmp_path, **settings), store)
    base, stop = serve(app)
    live = Live(base, store, tmp_path / "audit.log", app.state.console)
    try:
        yield live
    finally:
        live.sockets.close()
        live.http.close()
        stop()


@pytest.fixture
def live(store: BoltStore, tmp_path: Path) -> Iterator[Live]:
    with live_on(store, tmp_path, _more_town()) as running:
        yield running


def _raise(api: Api, code: str, compound: str, **who: Any) -> None:
    q = ('mutation($code: String, $in: ID!) { raiseDemand(code: $code, raisedIn: $in, '
         'input: {title: "楼道灯坏了", category: repair}) { errors { field message } } }')
    assert api.gql(q, {"code": code, "in": f"Compound:{compound}"}, **who)["raiseDemand"][
        "errors"] == []


def _step(api: Api, name: str, code: str, extra: str = "", **who: Any) -> list[Any]:
    q = f'mutation {{ {name}Demand(code: "{code}"{extra}) {{ errors {{ field message }} }} }}'
    return list(api.gql(q, **who)[f"{name}Demand"]["errors"])


def test_each_subscriber_hears_exactly_its_scope(live: Live) -> None:
    m1 = live.client(role="community_staff", scope="M1")
    m3 = live.client(role="community_staff", scope="M3")
    s1 = live.client(role="street_staff", scope="S1")
    narrow = live.client(role="street_staff", scope="S1")
    for sock in (m1, m3, s1):
        sock.subscribe("d", DEMANDS)
    narrow.subscribe("d", DEMANDS, {"within": "Community:M3"})
    live.wait_for(4)

    _raise(live, "D1", "C1")  # M1, street S1
    _raise(live, "D2", "C4")  # M3, street S1
    _raise(live, "D3", "C3")  # M2, street S2: none of them
    assert _step(live, "dispatch", "D1", ', taker: "Unit:U1"') == []
    assert _step(live, "dispatch", "D3", ', taker: "Unit:U1"') == []
    assert _step(live, "accept", "D2")[0]["field"] == "status"  # refused: no event
    update = ('mutation { updateDemand(code: "D2", input: {title: "电梯坏了", '
              "category: repair}) { errors { field } } }")
    assert live.gql(update)["updateDemand"]["errors"] == []
    assert _step(live, "dispatch", "D2", ', taker: "Unit:U1"') == []

    assert m1.changes(2) == [("raised", "D1"), ("dispatch", "D1")]
    assert m3.changes(3) == [("raised", "D2"), ("updated", "D2"), ("dispatch", "D2")]
    assert s1.changes(5) == [("raised", "D1"), ("raised", "D2"), ("dispatch", "D1"),
                             ("updated", "D2"), ("dispatch", "D2")]
    assert narrow.changes(3) == [("raised", "D2"), ("updated", "D2"), ("dispatch", "D2")]
    for sock in (m1, m3, s1, narrow):
        sock.close()
    live.wait_for(0)  # closing unsubscribes: nothing is left on the bus


def test_a_resident_hears_only_its_own_demands(live: Live) -> None:
    resident = {"role": "resident", "scope": "M2", "subject": "P2"}
    sock = live.client(**resident)
    sock.subscribe("mine", "subscription { demandChanged { change at demand { code title "
                   "status raisedBy { code } } } }")
    live.wait_for(1)
    _raise(live, "D1", "C3", **resident)  # the resident's own
    _raise(live, "D2", "C3")  # staff's, in the same compound: not the resident's
    message = sock.recv()
    data = message["payload"]["data"]["demandChanged"]
    assert message["id"] == "mine" and data["change"] == "raised" and len(data["at"]) == 19
    assert data["demand"] == {"code": "D1", "title": "楼道灯坏了", "status": "open",
                              "raisedBy": [{"code": "P2"}]}
    sock.silent()
    sock.close()
    live.wait_for(0)


def test_a_write_that_did_not_happen_is_not_published(live: Live) -> None:
    sock = live.client(role="community_staff", scope="M1")
    sock.subscribe("d", DEMANDS)
    live.wait_for(1)
    _raise(live, "D1", "C1")
    assert sock.changes(1) == [("raised", "D1")]
    live.audit.unlink()
    live.audit.mkdir()  # every audit line now fails: the transaction is rolled back
    for query in ('mutation { raiseDemand(code: "D2", raisedIn: "Compound:C1", input: '
                  '{title: "漏水", category: repair}) { errors { field } } }',
                  'mutation { dispatchDemand(code: "D1", taker: "Unit:U1") { errors { field } } }',
                  'mutation { deleteDemand(code: "D1") { errors { field } } }'):
        body = live.post(query).json()
        assert body["errors"][0]["extensions"]["code"] == "AUDIT_FAILED", body
    sock.silent()
    live.audit.rmdir()


def test_matching_publishes_one_dispatch_per_demand_written(store: BoltStore,
                                                            tmp_path: Path) -> None:
    with live_on(store, tmp_path, scope_town()) as live:
        street_a = live.client(role="street_staff", scope="SA")
        street_b = live.client(role="street_staff", scope="SB")
        live.listening(DEMANDS, street_a, street_b)
        q = 'mutation { dispatchMatches(scope: "County:K1") { dispatched } }'
        dispatched = live.gql(q, **COUNTY)["dispatchMatches"]["dispatched"]
        assert sorted(dispatched) == ["DA", "DA2"]  # both raised in CA, street A only
        assert street_a.changes(2) == [("dispatch", code) for code in dispatched]
        street_b.silent()


def test_alert_events_reach_only_the_scope_of_their_node(live: Live) -> None:
    m1 = live.client(role="community_staff", scope="M1")
    m3 = live.client(role="community_staff", scope="M3")
    live.listening(ALERTS, m1, m3)
    at = "2026-12-04T09:00:00"
    live.bus.publish(Event("alert", "Alert", "A1", "raised", at))  # no such label here: skipped
    live.bus.publish(Event("alert", "Compound", "C1", "raised", at))  # M1's
    live.bus.publish(Event("alert", "Compound", "C4", "cleared", at))  # M3's
    live.bus.publish(Event("demand", "Compound", "C1", "raised", at))  # another topic
    expected = {"change": "raised", "code": "C1", "label": "Compound", "lagged": False,
                "node": {"id": "Compound:C1", "name": "阳光小区"}}
    assert m1.recv()["payload"]["data"]["alertRaised"] == expected
    assert m3.recv()["payload"]["data"]["alertRaised"] == {
        **expected, "change": "cleared", "code": "C4",
        "node": {"id": "Compound:C4", "name": "花园小区"}}
    m1.silent()
    m3.silent()


def test_evaluated_alerts_reach_their_scope_typed(live: Live) -> None:
    """A rule "compounds without a branch" (PO1 covers C1 only): evaluateAlerts raises
    C2's alert in M1, C3's in M2 and C4's in M3; each community hears its own."""
    write_graph(live.store, [N("AlertRule", "NOBR", {"name": "小区无党组织", "kind": "no_branch",
                                                     "enabled": True})],
                [R("RULE_OF", "AlertRule", "NOBR", "County", "K1")])
    m1 = live.client(role="community_staff", scope="M1")
    m3 = live.client(role="community_staff", scope="M3")
    typed = "subscription { alertRaised { change code alert { status message } } }"
    live.listening(typed, m1, m3)
    raised = live.gql("mutation { evaluateAlerts { raised } }")["evaluateAlerts"]["raised"]
    assert raised == ["A-NOBR-Compound-C2", "A-NOBR-Compound-C3", "A-NOBR-Compound-C4"]
    assert m1.recv()["payload"]["data"]["alertRaised"] == {
        "change": "raised", "code": "A-NOBR-Compound-C2",
        "alert": {"status": "new", "message": "小区“月亮小区”没有小区或网格党支部覆盖（120 户）"}}
    assert m3.recv()["payload"]["data"]["alertRaised"]["code"] == "A-NOBR-Compound-C4"
    m1.silent()
    m3.silent()


def _closed_with(live: Live, payload: dict[str, Any]) -> tuple[int, str]:
    sock = Socket(live.socket())
    sock.send({"type": "connection_init", "payload": payload})
    return sock.closed()


def test_no_bad_or_revoked_token_is_refused_before_any_subscription(
        live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _closed_with(live, {}) == (
        4401, "需要身份认证：请发送请求头 'Authorization: Bearer <令牌>'")
    english = Socket(live.socket({"Accept-Language": "en"}))  # the upgrade's language
    english.send({"type": "connection_init", "payload": {}})
    assert english.closed() == (4401, "authentication required: send 'Authorization: Bearer "
                                      "<token>'")
    code, reason = _closed_with(live, {"Authorization": "Bearer not-a-token"})
    assert code == 4401 and reason.startswith("令牌无效：")
    accounts = AccountStore.in_data_dir(tmp_path)
    accounts.add("li.si", "李四", "community_staff", "M1", lambda scope: True)
    token, jti = issue_account_token(SECRET, accounts, "li.si", "laptop")
    accounts.revoke("li.si", jti)
    assert _closed_with(live, {"Authorization": f"Bearer {token}"}) == (
        4401, "令牌被拒绝：令牌“laptop”已被吊销")
    # revoked while the socket is open: closed at the next check, as HTTP would refuse
    monkeypatch.setattr(sockets, "RECHECK_SECONDS", 0.1)
    token, jti = issue_account_token(SECRET, accounts, "li.si", "phone")
    sock = live.client({"Authorization": f"Bearer {token}"})
    sock.subscribe("d", DEMANDS)
    live.wait_for(1)
    accounts.revoke("li.si", jti)
    assert sock.closed() == (4401, "令牌被拒绝：令牌“phone”已被吊销")
    live.wait_for(0)
    outside = live.token(role="community_staff", scope="NOWHERE")
    assert _closed_with(live, {"Authorization": f"Bearer {outside}"}) == (
        4403, "范围 NOWHERE 不是已知的县(区)、街道或社区")
    # subscribing before connection_init: closed, nothing subscribed
    sock = Socket(live.socket())
    sock.subscribe("d", DEMANDS)
    assert sock.closed() == (4401, "Unauthorized")
    assert live.bus.count() == 0


def _session_cookie(live: Live, tmp_path: Path, name: str = "wang.wu",
                    changed: bool = True) -> str:
    """The session cookie of a new community_staff account of M1 signed in to the console
    (``changed``: its one-time password already changed)."""
    accounts = AccountStore.in_data_dir(tmp_path)
    _, password = accounts.add(name, name, "community_staff", "M1", lambda scope: True)
    if changed:
        password = "correct-horse-battery"
        accounts.change_password(name, password)
    with httpx.Client(base_url=live.base) as client:
        page = client.get("/login")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        answer = client.post("/login", data={"csrf": csrf, "name": name,
                                             "password": password, "next": "/"})
        assert answer.status_code == 303, answer.text
        return str(client.cookies["jinlin_session"])


def test_the_session_cookie_counts_only_from_our_own_origin(
        live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = _session_cookie(live, tmp_path)
    cookie = f"jinlin_session={session}"
    with pytest.raises(InvalidStatus) as refused:  # CSWSH: another site's page
        live.socket({"Cookie": cookie, "Origin": "http://evil.example"})
    assert refused.value.response.status_code == 403
    ours = live.base  # the console's own pages
    monkeypatch.setattr(sockets, "RECHECK_SECONDS", 0.1)
    sock = Socket(live.socket({"Cookie": cookie, "Origin": ours}))
    assert sock.init({}) == {"type": "connection_ack"}
    sock.subscribe("d", DEMANDS)
    live.wait_for(1)
    _raise(live, "D1", "C1")
    assert sock.changes(1) == [("raised", "D1")]
    time.sleep(0.3)  # checks that find the session live do not keep it alive …
    seen = live.console.sessions.get(session, touch=False).seen  # type: ignore[union-attr]
    time.sleep(0.3)
    assert live.console.sessions.get(session, touch=False).seen == seen  # type: ignore[union-attr]
    live.console.sessions.end(session)  # … and once it has ended (signed out, idle, …):
    assert sock.closed() == (4401, "工作台会话已结束，请重新登录")
    fresh = _session_cookie(live, tmp_path, "zhao.liu", changed=False)
    sock = Socket(live.socket({"Cookie": f"jinlin_session={fresh}", "Origin": ours}))
    sock.send({"type": "connection_init", "payload": {}})
    assert sock.closed() == (4403, "请先在工作台修改初始密码")


def test_an_allowed_cross_origin_page_must_bring_a_token(store: BoltStore,
                                                         tmp_path: Path) -> None:
    with live_on(store, tmp_path, _more_town(), cors_origins="http://app.example") as live:
        cookie = f"jinlin_session={_session_cookie(live, tmp_path)}"
        app_page = {"Cookie": cookie, "Origin": "http://app.example"}
        sock = Socket(live.socket(app_page))
        sock.send({"type": "connection_init", "payload": {}})
        assert sock.closed()[0] == 4401  # its cookie does not count
        sock = Socket(live.socket(app_page))
        token = live.token(role="community_staff", scope="M1")
        assert sock.init({"Authorization": f"Bearer {token}"}) == {"type": "connection_ack"}
        sock.close()


def test_the_server_wide_bounds(store: BoltStore, tmp_path: Path) -> None:
    with live_on(store, tmp_path, _more_town(), ws_init_timeout=0.5,
                 ws_subscriptions_max=2) as live:
        first = live.client(role="community_staff", scope="M1")
        second = live.client(role="community_staff", scope="M3")
        first.subscribe("1", DEMANDS)
        second.subscribe("1", DEMANDS)
        live.wait_for(2)
        second.subscribe("2", DEMANDS)
        assert second.recv() == {"id": "2", "type": "error", "payload": [{
            "message": "服务器的订阅数已达上限 2，请稍后再试",
            "extensions": {"code": "SUBSCRIPTIONS_FULL"}}]}
        first.close()  # its subscription ends with it
        live.wait_for(1)
        second.subscribe("2", DEMANDS)
        live.wait_for(2)
        # a socket that never authenticates is closed, holding nothing
        assert Socket(live.socket()).closed() == (4408, "Connection initialisation timeout")


def test_the_bounds_of_a_connection(live: Live) -> None:
    sock = live.client(role="community_staff", scope="M1")
    for n in range(1, 6):
        sock.subscribe(str(n), DEMANDS)
    live.wait_for(5)
    sock.subscribe("6", DEMANDS)
    assert sock.recv() == {"id": "6", "type": "error", "payload": [{
        "message": "一个连接最多同时有 5 个订阅；请先结束（complete）不用的订阅",
        "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"}}]}
    sock.send({"id": "5", "type": "complete"})
    live.wait_for(4)
    sock.subscribe("6", DEMANDS)  # a slot is free again
    live.wait_for(5)
    sock.send({"id": "6", "type": "complete"})
    live.wait_for(4)
    # queries and mutations go over HTTP, under its rate and deadline
    sock.subscribe("q", "{ communities { totalCount } }")
    message = sock.recv()
    assert message["type"] == "error" and message["payload"][0]["extensions"] == {
        "code": "SUBSCRIPTIONS_ONLY"}
    # the schema's limits apply to subscription documents too
    deep = "subscription { demandChanged { demand { " + "raisedInCompound { " * 10 + "code" + \
        " }" * 10 + " } } }"
    sock.subscribe("deep", deep)
    message = sock.recv()
    assert message["type"] == "error" and "depth" in message["payload"][0]["message"]
    costly = ("subscription { demandChanged { demand { raisedInCompound { residentPerson("
              "first: 50) { livesInCompound(first: 50) { residentPerson(first: 50) { code } } } "
              "} } } }")
    sock.subscribe("costly", costly)
    message = sock.recv()
    assert message["type"] == "error" and message["payload"][0]["extensions"] == {
        "code": "QUERY_TOO_COSTLY"}
    live.wait_for(4)  # none of the refused ones started
    sock.close()
    live.wait_for(0)

    # four connections per account, the fifth refused
    socks = [live.client(role="community_staff", scope="M1") for _ in range(4)]
    fifth = Socket(live.socket())
    fifth.send({"type": "connection_init",
                "payload": {"Authorization": f"Bearer {live.token('community_staff', 'M1')}"}})
    assert fifth.closed() == (4429, "账号 community_staff@M1 已有 4 个订阅连接，请先关闭不用的连接")
    socks[0].close()
    time.sleep(0.2)
    live.client(role="community_staff", scope="M1").close()  # a slot is free again
    for s in socks[1:]:
        s.close()


def test_a_subscriber_that_falls_behind_is_told(store: BoltStore, tmp_path: Path) -> None:
    """150 events reach a queue of 100 before the subscriber reads one: the 50 oldest
    are dropped and the first one it gets says so (asyncio runs the 150 hand-overs
    before the woken subscriber)."""
    write_graph(store, *town())
    bus = Bus()
    ctx = Context(store=store, settings=api_settings(tmp_path),
                  caller=Caller("community_staff", "M1", "staff@M1"), scope_label="Community",
                  scope_code="M1", audit=AuditLog(tmp_path / "audit.log"), events=bus)

    async def listen() -> list[tuple[str, bool]]:
        stream = subscriptions.watch(ctx, "alert", None)
        first = asyncio.ensure_future(anext(stream))
        while bus.count() == 0:
            await asyncio.sleep(0)
        for n in range(150):
            bus.publish(Event("alert", "Compound", "C1", f"e{n}", "2026-12-04T09:00:00"))
        got = [await first, await anext(stream)]
        await stream.aclose()
        return [(event.change, lagged) for event, _row, lagged in got]

    assert asyncio.run(listen()) == [("e50", True), ("e51", False)]
    assert bus.count() == 0


def test_close_reasons_fit_a_close_frame() -> None:
    reason = sockets.close_reason("令牌被拒绝：" + "很长的原因" * 30)
    assert len(reason.encode()) == 123 and reason.startswith("令牌被拒绝：很长")  # 41 characters


def test_no_subscription_runs_over_plain_http(live: Live) -> None:
    for accept in ("application/json", 'multipart/mixed;subscriptionSpec="1.0"',
                   "text/event-stream"):
        answer = live.http.post("/graphql", json={"query": DEMANDS}, headers={
            "Authorization": f"Bearer {live.token()}", "Accept": accept})
        assert answer.json() == {"data": None, "errors": [{
            "message": "订阅（subscription）须经 WebSocket 连接 /graphql"
                       "（子协议 graphql-transport-ws）",
            "extensions": {"code": "WEBSOCKET_REQUIRED"}}]}, accept
    assert live.bus.count() == 0


def test_a_message_over_the_size_limit_closes_the_socket(live: Live) -> None:
    sock = live.client(role="community_staff", scope="M1")
    sock.send({"id": "big", "type": "subscribe", "payload": {"query": "#" * 70_000}})
    assert sock.closed() == (1009, "消息过大：超过 65536 字节的上限")


def test_a_whistle_is_one_event_in_the_scope_of_its_place(live: Live) -> None:
    """吹哨: raised and dispatched at once, announced once as "whistle"; a refused one
    (a unit outside the caller's scope) announces nothing."""
    m1 = live.client(role="community_staff", scope="M1")
    m2 = live.client(role="community_staff", scope="M2")
    for sock in (m1, m2):
        sock.subscribe("d", DEMANDS)
    live.wait_for(2)
    blow = ('mutation($in: ID!) { whistle(code: "W1", input: {title: "井盖缺失", '
            'category: safety}, raisedIn: $in, unit: "Unit:U1", respondBy: "2026-03-02", '
            'due: "2026-03-10") { errors { field } } }')
    assert live.gql(blow, {"in": "Compound:C1"}, role="community_staff",
                    scope="M1")["whistle"]["errors"] == []
    refused = live.gql(blow.replace("W1", "W2"), {"in": "Compound:C3"},
                       role="community_staff", scope="M2")["whistle"]["errors"]
    assert refused == [{"field": "unit"}]
    assert m1.changes(1) == [("whistle", "W1")]
    for sock in (m1, m2):
        sock.silent()
    for sock in (m1, m2):
        sock.close()


def test_a_members_claim_is_heard_as_an_accept(live: Live) -> None:
    sock = live.client(role="community_staff", scope="M1")
    sock.subscribe("d", DEMANDS)
    live.wait_for(1)
    _raise(live, "D1", "C1")
    member = {"role": "member", "scope": "M1", "subject": "P1"}  # P1: a member in C1
    claim = 'mutation { claimDemand(code: "D1") { errors { field } } }'
    assert live.gql(claim, **member)["claimDemand"]["errors"] == []
    assert live.gql(claim, **member)["claimDemand"]["errors"] == [{"field": "status"}]
    assert sock.changes(2) == [("raised", "D1"), ("accept", "D1")]  # the refusal: nothing
    sock.silent()
    sock.close()
    live.wait_for(0)
