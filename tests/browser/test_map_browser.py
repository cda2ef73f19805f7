"""地图 in a real browser: the markers are drawn, a click opens the compound's popup with
its gaps and a link to its page, and nothing is fetched from outside 127.0.0.1 (the map
works offline: no tiles unless an intranet tile server is configured).

The scope town as tests/console/test_page_map.py places it: CA and XA located (CS not), service
site SSA 96 m east of CA, open demands DA and DA2 in CA: street SA's map counts them at
CA (one mark, "2"), community MA's draws each.
"""

from __future__ import annotations

from browserhelp import Tab

from graph.writer import NodeRecord as N
from graph.writer import write_graph


def test_find_a_compound_on_the_map(tab: Tab) -> None:
    write_graph(tab.console.store, [N("Compound", "XA", {"lat": 30.02, "lon": 120.0}),
                                    N("ServiceSite", "SSA", {"lat": 30.0, "lon": 120.001})], [])
    tab.console.add("li.si", "street_staff", "SA")
    tab.sign_in("li.si")
    page = tab.page
    tab.go("/map")
    page.wait_for_selector("#map .compound")
    assert page.locator("#map .compound").count() == 2
    assert page.locator("#map .compound[data-code=XA]").get_attribute("data-gaps") == (
        "property_management_coverage compound_branch_coverage service_circle")
    assert page.locator("#map .site").count() == 1
    assert page.locator("#map .demand").count() == 0
    group = page.locator("#map .demand-group[data-code='Compound:CA']")
    assert group.inner_text() == "2"
    assert page.locator(".leaflet-control-scale-line").inner_text().endswith("m")
    assert page.inner_text("#unlocated-compounds") == "1 个小区没有坐标"
    tab.shot("map")
    page.locator("#map .compound[data-code=XA]").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Compound-XA" in text and "无物业" in text and "无小区党组织" in text
    assert "服务圈外（最近阵地 2226 米）" in text
    assert popup.locator("a").get_attribute("href") == "/compound/XA"
    page.wait_for_timeout(600)  # the popup fades in and the map pans to show it
    tab.shot("compound-popup")
    group.click()
    counted = page.locator(".leaflet-popup-content", has_text="Compound-CA")
    assert "待派单 2 条" in counted.inner_text()
    tab.go("/map?scope=Community:MA")
    page.wait_for_selector("#map .demand")
    assert page.locator("#map .demand").count() == 2
    assert page.locator("#map .demand-group").count() == 0
    page.locator("#map .demand[data-code=DA2]").click()
    demand = page.locator(".leaflet-popup-content", has_text="需求DA2")
    assert "法律服务 · 待派单" in demand.inner_text()


def test_another_street_by_editing_the_url(tab: Tab) -> None:
    tab.console.add("li.si", "street_staff", "SA")
    tab.sign_in("li.si")
    answer = tab.go("/map?scope=Street:SB")
    assert answer is not None and answer.status == 403
    assert "不在你的管辖范围内" in tab.page.inner_text("main")
    tab.shot("refused")


def test_names_from_ledgers_are_shown_as_text(tab: Tab) -> None:
    """A name typed into a ledger with markup in it shows as that text on the map's
    labels and tooltips and in the dashboard's chart tooltip: no element is made of it."""
    write_graph(tab.console.store, [
        N("Compound", "XA", {"lat": 30.02, "lon": 120.0, "name": '<b id="cpwn">X</b>'}),
        N("Community", "MA", {"name": '<b id="mpwn">M</b>'}),
        N("Street", "SA", {"name": '<b id="spwn">S</b>'})], [])
    tab.console.add("zhao", "county_admin", "K1")
    tab.sign_in("zhao")
    page = tab.page
    tab.go("/map?scope=Street:SA")
    page.wait_for_selector("#map .compound")
    assert '<b id="mpwn">M</b>' in page.inner_text("#map")  # the community's label, as text
    page.locator("#map .compound[data-code=XA]").hover()
    page.wait_for_selector(".leaflet-tooltip >> text=cpwn")
    tab.shot("markup-as-text")
    tab.go("/")
    page.wait_for_selector("#child-chart canvas")
    box = page.locator("#child-chart").bounding_box()
    assert box is not None
    for step in range(1, 12):  # move over the bars until the tooltip shows
        page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + step * 12)
        page.wait_for_timeout(50)
    assert page.locator("#mpwn, #cpwn, #spwn").count() == 0
