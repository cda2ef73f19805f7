"""台账, 报告 and 网络 in a real browser: a bad ledger's problems, a good one tried and
confirmed; the report and the network picture drawn."""

from __future__ import annotations

import json

from browserhelp import Tab

BAD = {"name": "小区.csv", "mimeType": "text/csv",
       "buffer": "编码,名称,户数\nCN1,新建小区,很多\n".encode()}
GOOD = [{"name": "小区.csv", "mimeType": "text/csv",
         "buffer": "编码,名称,户数\nCN1,新建小区,120\nCA,Compound-CA,\n".encode()},
        {"name": "所属网格.csv", "mimeType": "text/csv",
         "buffer": "起点编码,终点编码\nCN1,GA\n".encode()}]


def test_upload_a_bad_ledger_then_a_good_one_and_confirm(tab: Tab) -> None:
    tab.console.add("li.si", "street_staff", "SA")
    tab.sign_in("li.si")
    page = tab.page
    tab.go("/ledgers")
    tab.shot("ledgers")
    page.set_input_files("#files", files=[BAD])  # type: ignore[list-item]
    page.click("#check")
    page.wait_for_selector("#problems")
    rows = page.locator("#problems tbody tr")
    assert rows.count() == 1
    assert rows.nth(0).locator("td").all_inner_texts()[:4] == ["小区.csv", "小区", "2", "户数"]
    tab.shot("problems")
    tab.go("/ledgers")
    page.set_input_files("#files", files=GOOD)  # type: ignore[arg-type]
    page.click("#check")
    page.wait_for_selector("#summary")
    assert page.locator("#changed").inner_text() == "2"
    tab.shot("dry-run")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#confirm")
    page.wait_for_selector("#imported")
    tab.shot("imported")
    lines = [json.loads(line) for line in tab.console.audit.read_text().splitlines()]
    assert [(line["who"], line["mutation"], line["outcome"]) for line in lines] == [
        ("li.si", "loadLedgers", "ok")]


def test_the_report_and_the_network_picture(tab: Tab) -> None:
    tab.console.add("zhang.san", "county_admin", "K1")
    tab.sign_in("zhang.san")
    page = tab.page
    tab.go("/reports")
    assert page.locator("#indicators tbody tr").count() == 22
    tab.shot("report")
    tab.go("/network")
    page.wait_for_selector("#network-chart canvas")
    page.wait_for_timeout(1500)  # the force layout settles
    tab.shot("network")
    page.select_option("#community", "MB")
    page.click("#show")
    page.wait_for_selector("#network-chart canvas")
    assert "community=MB" in page.url
