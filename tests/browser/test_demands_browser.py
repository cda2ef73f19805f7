"""需求 in a real browser: the board, matching for street A, dispatching part of the plan,
and a dispatch from a card (scope town: tests/console/test_page_demands.py says what to expect)."""

from __future__ import annotations

from browserhelp import Tab


def _column(tab: Tab, status: str) -> list[str]:
    ids = tab.page.eval_on_selector_all(f"#col-{status} article", "els => els.map(e => e.id)")
    return [i.removeprefix("demand-") for i in ids]


def test_run_matching_and_dispatch_a_demand(tab: Tab) -> None:
    tab.console.add("wang.wu", "street_staff", "SA")
    tab.sign_in("wang.wu")
    page = tab.page
    page.on("dialog", lambda dialog: dialog.accept())  # the forms' data-confirm
    tab.go("/demands")
    assert _column(tab, "open") == ["DA", "DA2", "DS"]
    tab.shot("board")
    page.click("#to-match")
    page.wait_for_url("**/demands/match?scope=Street%3ASA")
    assert "Unit-UA" in page.inner_text("#plan-DA .taker")
    assert "服务半径内没有该类别的资源" in page.inner_text("#unmatched-DA2")
    tab.shot("plan")
    page.check("#plan-DA input[type=checkbox]")
    page.click("#dispatch-chosen")
    page.wait_for_selector("#result")
    assert "已派单 1 件" in page.inner_text("#result")
    tab.shot("result")
    tab.go("/demands")
    assert (_column(tab, "open"), _column(tab, "dispatched")) == (["DA2", "DS"], ["DA"])
    page.select_option("#demand-DS select[name=to]", "VolunteerTeam:VTA")
    page.click("#demand-DS button[type=submit]")
    page.wait_for_selector("#col-dispatched #demand-DS")
    assert _column(tab, "dispatched") == ["DA", "DS"]
    tab.shot("board-dispatched")
    page.select_option("select[name=category]", "culture")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**category=culture**")
    assert (_column(tab, "open"), _column(tab, "dispatched")) == ([], ["DS"])
    tab.shot("board-filtered")
