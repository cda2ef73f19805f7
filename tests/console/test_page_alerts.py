"""预警 page over HTTP on the scope town (tests/api/scope_town.py).

One rule, "grids without a full-time grid worker": the town's grids have no grid worker
at all, so all five are alerts: GA, GA2 and GS in community MA (GS lies in MA and MB),
GB, GB2 and GS in MB.  A county admin sees five, community MA's staff three."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import httpx
import pytest
from consolehelp import Console, csrf_of, post_form

from analysis import alerts
from api.graphql import alerts as api_alerts
from api.graphql.alerts import run_quietly
from graph.store import Query
from graph.writer import NodeRecord, RelRecord, write_graph

STATUS = Query("t_alert_status", "MATCH (a:Alert) RETURN a.code AS code, a.status AS status, "
                                 "a.note AS note ORDER BY code")
ENABLED = Query("t_rule_enabled", "MATCH (r:AlertRule) RETURN r.code AS code, "
                                  "r.enabled AS enabled, r.threshold AS threshold")


def grid(code: str) -> str:
    return f"A-GRID-Grid-{code}"


@pytest.fixture
def alerting(console: Console) -> Console:
    write_graph(console.store,
                [NodeRecord("AlertRule", "GRID", {"name": "网格无专职网格员",
                                                  "kind": "grid_worker", "enabled": True})],
                [RelRecord("RULE_OF", "AlertRule", "GRID", "County", "K1")])
    alerts.evaluate(console.store, "2026-06-01", at="2026-06-01T08:00:00")
    console.add("admin", "county_admin", "K1")
    console.add("li.si", "community_staff", "MA")
    return console


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="alert-([\w.-]+)"', html)


def counts(html: str) -> dict[str, int]:
    return {code: int(n) for code, n in re.findall(
        r'id="count-(\w+)"[^>]*>[^<]*<span class="badge">(\d+)</span>', html)}


def step(client: httpx.Client, name: str, code: str, **extra: str) -> httpx.Response:
    data = {"csrf": csrf_of(client, "/alerts"), "step": name, "code": code, **extra}
    return client.post("/alerts/step", data=data)


def test_the_scopes_alerts_and_counts(alerting: Console) -> None:
    county = alerting.login("admin").get("/alerts")
    assert county.status_code == 200, county.text
    assert sorted(rows(county.text)) == sorted(grid(g) for g in ("GA", "GA2", "GB", "GB2", "GS"))
    assert counts(county.text) == {"new": 5, "acknowledged": 0, "handled": 0, "cleared": 0}
    assert 'id="rules"' in county.text and 'id="rule-GRID"' in county.text
    assert "网格“Grid-GA”没有专职网格员（现有网格员 0 名）" in county.text
    community = alerting.login("li.si").get("/alerts")
    assert sorted(rows(community.text)) == [grid("GA"), grid("GA2"), grid("GS")]
    assert 'id="rules"' not in community.text  # rules are the county admins'
    assert '<a href="/alerts" class="on">预警</a>' in community.text


def test_acknowledge_and_resolve_from_the_page(alerting: Console) -> None:
    client = alerting.login("li.si")
    assert step(client, "acknowledge", grid("GA")).status_code == 303
    answer = step(client, "resolve", grid("GA2"), note="已配备专职网格员")
    assert answer.status_code == 303
    stored = {r["code"]: (r["status"], r["note"]) for r in alerting.store.read(STATUS)}
    assert stored[grid("GA")] == ("acknowledged", None)
    assert stored[grid("GA2")] == ("handled", "已配备专职网格员")
    page = client.get("/alerts", params={"status": "acknowledged"}).text
    assert rows(page) == [grid("GA")]
    assert counts(page) == {"new": 1, "acknowledged": 1, "handled": 1, "cleared": 0}
    # the sibling community's grid is not found, as the API says
    assert step(client, "acknowledge", grid("GB")).status_code == 404
    lines = [json.loads(x) for x in alerting.audit.read_text("utf-8").splitlines()]
    assert [(x["mutation"], x["who"], x["outcome"]) for x in lines] == [
        ("acknowledge_alert", "li.si", "ok"), ("resolve_alert", "li.si", "ok"),
        ("acknowledge_alert", "li.si", "invalid")]


def test_rules_table_for_county_admins_only(alerting: Console) -> None:
    staff = alerting.login("li.si")
    data = {"csrf": csrf_of(staff, "/alerts"), "code": "GRID", "threshold": "2"}
    assert staff.post("/alerts/rule", data=data).status_code == 403
    admin = alerting.login("admin")
    data = {"csrf": csrf_of(admin, "/alerts"), "code": "GRID", "threshold": "2"}  # unticked
    assert admin.post("/alerts/rule", data=data).status_code == 303
    assert alerting.store.read(ENABLED) == [{"code": "GRID", "enabled": False, "threshold": 2.0}]
    bad = {"csrf": csrf_of(admin, "/alerts"), "code": "GRID", "threshold": "两"}
    assert admin.post("/alerts/rule", data=bad).status_code == 400


RULES_LEDGER = "编码,名称,规则类型,启用\nGRID2,网格无专职网格员,网格无专职网格员,是\n"
RULE_OF_LEDGER = "起点编码,终点编码\nGRID2,K1\n"


def _import(client: httpx.Client) -> httpx.Response:
    files = [("files", (f"{name}.csv", text.encode(), "text/csv"))
             for name, text in (("预警规则", RULES_LEDGER), ("适用县(区)", RULE_OF_LEDGER))]
    tried = post_form(client, "/ledgers/check", {}, files=files)
    token = re.search(r'name="token" value="([^"]+)"', tried.text)
    assert token, tried.text[-2000:]
    return post_form(client, "/ledgers/import", {"token": token.group(1)})


def test_a_rules_ledger_is_the_county_admins_and_evaluated_on_import(
        console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import answers before its evaluation runs (held here until the answer is
    in), which then runs in the background; the test waits for it."""
    held, evaluated = threading.Event(), []

    def after_the_answer(*args: Any) -> Any:
        assert held.wait(30)
        evaluated.append(args[3])
        return run_quietly(*args)

    monkeypatch.setattr(api_alerts, "run_quietly", after_the_answer)
    console.add("admin", "county_admin", "K1")
    console.add("wang.wu", "street_staff", "SA")
    # a street user sees no county to hang a rule on, and may not make one either
    files = [("files", ("预警规则.csv", RULES_LEDGER.encode(), "text/csv"))]
    refused = post_form(console.login("wang.wu"), "/ledgers/check", {}, files=files)
    assert refused.status_code == 422
    assert "只有县级管理员可以修改规则，角色 street_staff 不能" in refused.text
    assert 'id="confirm"' not in refused.text
    answer = _import(console.login("admin"))
    assert answer.status_code == 200 and 'id="evaluating"' in answer.text
    assert evaluated == [] and console.store.read(STATUS) == []
    assert console.app.state.console.alerting.busy
    held.set()
    assert console.app.state.console.alerting.wait(30) and evaluated == ["import"]
    # the import's evaluation: the five grids without a full-time grid worker
    assert sorted(r["code"] for r in console.store.read(STATUS)) == sorted(
        f"A-GRID2-Grid-{g}" for g in ("GA", "GA2", "GB", "GB2", "GS"))
    lines = [json.loads(x) for x in console.audit.read_text("utf-8").splitlines()]
    assert [(x["mutation"], x["who"], x.get("counts")) for x in lines] == [
        ("loadLedgers", "admin", {"created": 2, "updated": 0, "deleted": 0}),
        ("evaluate_alerts", alerts.SYSTEM, {"raised": 5, "cleared": 0})]
