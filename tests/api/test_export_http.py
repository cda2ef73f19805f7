"""``GET /export/<what>.xlsx|.csv`` as a front end or a browser uses it (apihelp's town).

The town: county K1; street S1 holds compounds C1 阳光小区 (300 households, old) and
C2 月亮小区 (120), street S2 holds C3 星星小区 (80).  P1 张三 lives in C1, P2 李四 in C3.
Here two demands are added: D1 raised by P1 in C1, D2 raised by P2 in C3.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from apihelp import Api, api_settings, running
from openpyxl import load_workbook

from api.http.app import create_app
from graph.writer import NodeRecord, RelRecord, write_graph

COMPOUND_HEADERS = ["编码", "名称", "户数", "楼栋数", "建成年份", "老旧小区", "纬度", "经度",
                    "物业管理模式"]


def get(api: Api, path: str, token: str | None = None, **who: Any) -> httpx.Response:
    auth = token if token is not None else api.token(**who)
    return api.http.get(path, headers={"Authorization": f"Bearer {auth}"} if auth else {})


def cells(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1])
    return [[c.value for c in row] for row in sheet.iter_rows()]


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    return str(error["message"])


@pytest.fixture
def demands(town_api: Api) -> Api:
    write_graph(town_api.store, [
        NodeRecord("Demand", "D1", {"title": "修水管", "category": "repair",
                                    "created_at": "2024-03-01T09:30:00", "due": "2024-03-10"}),
        NodeRecord("Demand", "D2", {"title": "助老", "category": "elder_care"}),
    ], [RelRecord("RAISED_IN", "Demand", "D1", "Compound", "C1"),
        RelRecord("RAISED_BY", "Demand", "D1", "Person", "P1"),
        RelRecord("RAISED_IN", "Demand", "D2", "Compound", "C3"),
        RelRecord("RAISED_BY", "Demand", "D2", "Person", "P2")])
    return town_api


def test_compounds_cell_by_cell(town_api: Api) -> None:
    response = get(town_api, "/export/compounds.xlsx")
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"compounds_K1.xlsx\"; filename*=UTF-8''"
        "%E5%B0%8F%E5%8C%BA_K1.xlsx")
    assert unquote(response.headers["content-disposition"].split("''")[1]) == "小区_K1.xlsx"
    assert cells(response) == [
        COMPOUND_HEADERS,
        ["C1", "阳光小区", 300, None, None, True, None, None, None],
        ["C2", "月亮小区", 120, None, None, None, None, None, None],
        ["C3", "星星小区", 80, None, None, None, None, None, None]]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.title == "小区"


def test_filters_as_query_parameters(town_api: Api) -> None:
    """nameContains and householdsMin as the GraphQL filter has them; an unknown one
    is refused, naming the filters there are."""
    rows = cells(get(town_api, "/export/compounds.xlsx?householdsMin=100&nameContains=小区"))
    assert [r[0] for r in rows[1:]] == ["C1", "C2"]
    assert [r[0] for r in cells(get(town_api, "/export/compounds.xlsx?codes=C3,C1"))[1:]] \
        == ["C1", "C3"]
    message = refused(get(town_api, "/export/compounds.xlsx?colour=red"), 400, "INVALID_INPUT")
    assert "colour" in message and "nameContains" in message
    refused(get(town_api, "/export/compounds.xlsx?householdsMin=many"), 400, "INVALID_INPUT")


def test_indicator_items_and_gaps(town_api: Api) -> None:
    """三无小区 (2025-01-01): C2 has no firm, committee or unit (counted: 1/1, a gap); C1
    (F1, OC1) and C3 (F2) are not counted.  Items: the hits (for this indicator the
    compounds that are not 三无, by households), then the gaps; the gap list alone is
    ranked from 1."""
    response = get(town_api, "/export/indicator/three_no_compounds.xlsx?asOf=2025-01-01")
    assert unquote(response.headers["content-disposition"].split("''")[1]) == \
        "三无小区_K1.xlsx"
    assert cells(response) == [
        ["类型", "编码", "名称", "分子", "分母", "计入分子", "涉及户数", "所属下级范围", "明细"],
        ["Compound", "C1", "阳光小区", 0, 1, False, 300, "S1",
         '{"committees": ["OC1"], "firms": ["F1"], "units": []}'],
        ["Compound", "C3", "星星小区", 0, 1, False, 80, "S2",
         '{"committees": [], "firms": ["F2"], "units": []}'],
        ["Compound", "C2", "月亮小区", 1, 1, True, 120, "S1",
         '{"committees": [], "firms": [], "units": []}']]
    assert cells(get(town_api, "/export/gaps/three_no_compounds.xlsx"))[1:] == [
        [1, "Compound", "C2", "月亮小区", 1, 1, True, 120, "S1",
         '{"committees": [], "firms": [], "units": []}']]
    refused(get(town_api, "/export/indicator/three_no_compounds.xlsx?asOf=yesterday"), 400,
            "INVALID_INPUT")
    assert "没有指标 nope" in refused(get(town_api, "/export/gaps/nope.xlsx"), 404,
                                       "UNKNOWN_EXPORT")
    refused(get(town_api, "/export/nothing.xlsx"), 404, "UNKNOWN_EXPORT")
    refused(get(town_api, "/export/compounds.pdf"), 404, "UNKNOWN_EXPORT")


def test_masking_by_role(town_api: Api, caplog: pytest.LogCaptureFixture) -> None:
    """An analyst gets phone and ID numbers masked; staff in clear, and that is logged."""
    with caplog.at_level(logging.INFO, logger="jinlin.export"):
        masked = cells(get(town_api, "/export/people.xlsx", role="analyst"))
        assert not [r for r in caplog.records if r.name == "jinlin.export"]
        clear = cells(get(town_api, "/export/people.xlsx", role="county_admin"))
    assert masked == [["编码", "姓名", "性别", "联系电话", "身份证号", "党员状态"],
                      ["P1", "张三", None, "138****1234", "110***********1234", "in_service"],
                      ["P2", "李四", None, "139****1111", None, None]]
    assert [r[3:5] for r in clear[1:]] == [["13812341234", "110101199001011234"],
                                          ["13900001111", None]]
    [logged] = [r for r in caplog.records if r.name == "jinlin.export"]
    assert logged.fields == {"role": "county_admin",  # type: ignore[attr-defined]
                             "subject": "county_admin@K1", "scope": "County:K1",
                             "what": "Person", "within": None, "rows": 2}


def test_scope_and_within(town_api: Api) -> None:
    """Street staff of S1 see C1 and C2 only; within narrows, and outside is refused."""
    staff = {"role": "street_staff", "scope": "S1"}
    assert [r[0] for r in cells(get(town_api, "/export/compounds.xlsx", **staff))[1:]] == \
        ["C1", "C2"]
    within = cells(get(town_api, "/export/compounds.xlsx?within=Street:S2"))
    assert [r[0] for r in within[1:]] == ["C3"]
    message = refused(get(town_api, "/export/compounds.xlsx?within=Street:S2", **staff),
                      403, "NOT_IN_SCOPE")
    assert message == "Street:S2 不在您的范围内"
    refused(get(town_api, "/export/indicator/three_no_compounds.xlsx?within=Street:S2",
                **staff), 403, "NOT_IN_SCOPE")
    gaps = cells(get(town_api, "/export/gaps/three_no_compounds.xlsx?within=Street:S2"))
    assert gaps[1:] == []  # C3 is managed by F2
    refused(get(town_api, "/export/compounds.xlsx?within=S2"), 400, "INVALID_INPUT")


def test_residents_export_their_own_demands_only(demands: Api) -> None:
    resident = {"role": "resident", "subject": "P1"}
    rows = cells(get(demands, "/export/demands.xlsx", **resident))
    assert [r[:2] for r in rows] == [["编码", "需求内容"], ["D1", "修水管"]]
    refused(get(demands, "/export/compounds.xlsx", **resident), 403, "FORBIDDEN")
    refused(get(demands, "/export/indicator/three_no_compounds.xlsx", **resident), 403,
            "FORBIDDEN")


def test_dates_as_dates(demands: Api) -> None:
    response = get(demands, "/export/demands.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][5:7] == ["提出时间", "办结时限"]
    created, due = sheet["F2"], sheet["G2"]
    assert created.value == dt.datetime(2024, 3, 1, 9, 30)
    assert created.number_format == "yyyy-mm-dd hh:mm:ss"
    assert due.value == dt.datetime(2024, 3, 10) and due.number_format == "yyyy-mm-dd"
    assert sheet["F3"].value is None


def test_csv_variant(town_api: Api) -> None:
    response = get(town_api, "/export/compounds.csv?nameContains=阳光")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].endswith("''%E5%B0%8F%E5%8C%BA_K1.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [{"code": "C1", "name": "阳光小区", "households": "300", "buildings": "",
                     "built_year": "", "old": "True", "lat": "", "lon": "",
                     "property_mode": ""}]


def test_unauthenticated(town_api: Api) -> None:
    for token in ("", "forged"):
        response = get(town_api, "/export/compounds.xlsx", token=token)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_row_limit(town_api: Api, tmp_path: Path) -> None:
    """Three compounds over a limit of two: refused, never cut short; two fit."""
    app = create_app(api_settings(tmp_path, export_max_rows=2), town_api.store)
    with running(app, town_api.store, tmp_path) as small:
        message = refused(get(small, "/export/compounds.xlsx"), 400, "EXPORT_TOO_LARGE")
        assert message == "导出超过 2 行的上限：请用 within 或筛选条件缩小范围后重试"
        assert len(cells(get(small, "/export/compounds.xlsx?within=Street:S1"))) == 3
        refused(get(small, "/export/indicator/three_no_compounds.csv"), 400,
                "EXPORT_TOO_LARGE")
