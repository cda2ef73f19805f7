"""概览 in a real browser: the cards and chart, a new date, drilling into an indicator,
searching it, exporting it (a real xlsx), then a compound and a person on it."""

from __future__ import annotations

import io
from pathlib import Path

from browserhelp import Tab
from openpyxl import load_workbook
from playwright.sync_api import expect


def test_dashboard_drill_export_and_a_compound(tab: Tab) -> None:
    tab.console.add("admin", "county_admin", "K1")
    tab.sign_in("admin")
    page = tab.page
    expect(page.locator("#cards .card")).to_have_count(22)
    expect(page.locator("#card-owners_committee_rate .figure")).to_have_text("40.0%")
    expect(page.locator("#child-chart canvas")).to_have_count(1)
    tab.shot("dashboard")

    page.fill("#asOf", "2025-06-01")
    page.fill("#compare", "2020-06-01")
    page.click("#apply")
    page.wait_for_url("**/?scope=County%3AK1&asOf=2025-06-01&compare=2020-06-01")
    expect(page.locator("#card-red_owners_committees .change")).to_have_text(
        "较 2020-06-01：+33.3 个百分点")  # OCA red since PX chairs it (2021): 0 → 1 of 3
    page.select_option("#child-indicator", "three_no_compounds")
    tab.shot("dashboard-dated")

    page.click("#card-compound_branch_coverage")
    page.wait_for_url("**/indicator/compound_branch_coverage?*")
    expect(page.locator("#items tbody tr")).to_have_count(5)
    tab.shot("indicator")
    with page.expect_download() as download:
        page.click("#export")
    saved = download.value
    assert saved.suggested_filename == "小区党组织覆盖率_K1.xlsx"
    sheet = load_workbook(io.BytesIO(Path(saved.path()).read_bytes())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "CA", "CB", "CS", "XA", "XB"]  # the rows as the table shows them
    page.fill("#q", "X")
    page.click("#find")
    expect(page.locator("#items tbody tr")).to_have_count(2)
    tab.shot("indicator-searched")

    page.click("#items a[href='/compound/XA']")
    page.wait_for_url("**/compound/XA")
    expect(page.locator("#committee")).to_have_text("OwnersCommittee-OCA、OwnersCommittee-OCS")
    tab.shot("compound")
    page.click("#posts a[href='/person/PX']")
    page.wait_for_url("**/person/PX")
    expect(page.locator("#posts tbody tr")).to_have_count(3)
    tab.shot("person")
