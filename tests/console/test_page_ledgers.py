"""台账 page: problems shown and nothing written; dry run, then import on confirm with one
audit line; rows outside a street user's scope refused, row named; the templates."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import httpx
from consolehelp import FIELD, META, Console, post_form
from openpyxl import load_workbook

from graph.writer import counts

COMPOUNDS = "编码,名称,户数\nCN1,新建小区,120\nCA,Compound-CA,\n"
IN_GRID = "起点编码,终点编码\nCN1,GA\n"
BAD_COMPOUNDS = "编码,名称,户数\nCN1,新建小区,很多\n"
BAD_PROJECTS = "编码,名称,开始日期\nJN1,共建项目一,2024-13-45\n"
BAD_IN_GRID = "起点编码,终点编码\nCN1,GZ\n"
SB_COMPOUNDS = "编码,名称\nCN2,乙街新小区\n"
SB_IN_GRID = "起点编码,终点编码\nCN2,GB\n"
ROW = re.compile(r"<tr><td>(.*?)</td><td>(.*?)</td><td class=\"num\">(.*?)</td>"
                 r"<td>(.*?)</td><td>(.*?)</td></tr>")
SUMMARY = re.compile(r'<tr data-kind="(\w+)">.*?<td class="num">([\d,]+)</td>'
                     r'<td class="num">([\d,]+)</td><td class="num">([\d,]+)</td></tr>')
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _files(**named: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (f"{name}.csv", text.encode(), "text/csv"))
            for name, text in named.items()]


def _upload(client: httpx.Client, **named: str) -> httpx.Response:
    return post_form(client, "/ledgers/check", {}, files=_files(**named))


def _problems(html: str) -> list[tuple[str, ...]]:
    return [tuple(cell.replace("&#39;", "'") for cell in row) for row in ROW.findall(html)]


def _audit(console: Console) -> list[dict[str, Any]]:
    if not console.audit.exists():
        return []
    return [json.loads(line) for line in console.audit.read_text().splitlines()]


def _store(console: Console) -> tuple[dict[str, int], dict[str, int]]:
    return counts(console.store)


def test_a_bad_ledger_shows_every_problem_and_writes_nothing(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    before = _store(console)
    answer = _upload(client, 小区=BAD_COMPOUNDS, 共建项目=BAD_PROJECTS, 所属网格=BAD_IN_GRID)
    assert answer.status_code == 422
    problems = _problems(answer.text)
    assert [p[:4] for p in problems] == [
        ("小区.csv", "小区", "2", "户数"),
        ("共建项目.csv", "共建项目", "2", "开始日期"),
        ("所属网格.csv", "所属网格", "2", "终点编码"),
    ]
    assert "发现 3 个问题，未写入任何数据" in answer.text
    assert problems[2][4] == "Grid 'GZ' 不存在（本次导入和库中都没有）"
    assert "2024-13-45" in problems[1][4]
    assert 'id="confirm"' not in answer.text
    assert _store(console) == before
    assert [line for line in _audit(console) if line["outcome"] == "ok"] == []


def test_a_good_ledger_is_tried_then_imported_on_confirm_with_one_audit_line(
        console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    before = _store(console)
    tried = _upload(client, 小区=COMPOUNDS, 所属网格=IN_GRID)
    assert tried.status_code == 200, tried.text
    assert SUMMARY.findall(tried.text) == [("Compound", "1", "0", "1"), ("IN_GRID", "1", "0", "0")]
    assert 'id="changed">2<' in tried.text
    assert _store(console) == before and _audit(console) == []  # nothing until confirmed
    token = TOKEN.search(tried.text)
    assert token
    done = post_form(client, "/ledgers/import", {"token": token.group(1)})
    assert done.status_code == 200, done.text
    assert 'id="imported"' in done.text
    assert SUMMARY.findall(done.text) == [("Compound", "1", "0", "1"), ("IN_GRID", "1", "0", "0")]
    labels, types = _store(console)
    assert labels["Compound"] == before[0]["Compound"] + 1
    assert types["IN_GRID"] == before[1]["IN_GRID"] + 1
    lines = _audit(console)
    assert [(line["who"], line["role"], line["scope"], line["mutation"], line["outcome"],
             line["counts"]) for line in lines] == [
        ("li.si", "street_staff", "SA", "loadLedgers", "ok",
         {"created": 2, "updated": 0, "deleted": 0})]
    assert [f["name"] for f in lines[0]["arguments"]["files"]] == ["小区.csv", "所属网格.csv"]
    again = post_form(client, "/ledgers/import", {"token": token.group(1)})
    assert again.status_code == 410  # the files went with the import
    assert len(_audit(console)) == 1


def test_a_token_is_bound_to_its_session(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    tried = _upload(console.login("li.si"), 小区=COMPOUNDS, 所属网格=IN_GRID)
    token = TOKEN.search(tried.text)
    assert token
    other = console.login("li.si")  # a second session of the same account
    assert post_form(other, "/ledgers/import", {"token": token.group(1)}).status_code == 410
    assert _audit(console) == []


def test_a_street_user_is_refused_rows_of_another_street(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    before = _store(console)
    answer = _upload(client, 小区=SB_COMPOUNDS, 所属网格=SB_IN_GRID)
    assert answer.status_code == 422
    # SB's grid does not exist for SA: the same answer as for a grid nobody has
    assert _problems(answer.text) == [
        ("所属网格.csv", "所属网格", "2", "终点编码", "Grid 'GB' 不存在（本次导入和库中都没有）"),
    ]
    assert 'id="confirm"' not in answer.text
    assert _store(console) == before and _audit(console) == []
    alone = _upload(client, 小区=SB_COMPOUNDS)  # an unplaced new compound: not SA's to make
    assert _problems(alone.text) == [
        ("小区.csv", "小区", "2", "", "Compound:CN2 不在你的管辖范围内")]


def test_a_street_user_cannot_learn_which_codes_other_streets_hold(console: Console) -> None:
    """CA (SA's) placed in GB (SB's grid) and in GZ (no grid at all): the same answer, and
    nothing names street SB."""
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    answers = [_problems(_upload(client, 所属网格=f"起点编码,终点编码\nCA,{grid}\n").text)
               for grid in ("GB", "GZ")]
    missing = "不存在（本次导入和库中都没有）"
    assert answers == [[("所属网格.csv", "所属网格", "2", "终点编码", f"Grid '{grid}' {missing}")]
                       for grid in ("GB", "GZ")]
    member = _upload(client, 任职="起点编码,终点类型,终点编码,职务\nPB,党组织,POA,书记\n")
    shown = FIELD.sub("", META.sub("", member.text))  # the random CSRF token may hold "SB"
    assert "SB" not in shown.replace("PB", "")


def test_a_street_user_may_not_link_a_node_shared_with_another_street(
        console: Console) -> None:
    """PX lives in CA (SA) and works in SB: placing it in SA's compound CB... is a
    scope-bearing link of a node SB sees too."""
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    answer = _upload(client, 居住="起点编码,终点类型,终点编码\nPX,小区,XA\n")
    assert answer.status_code == 422
    [(file, sheet, row, column, reason)] = _problems(answer.text)
    assert (file, sheet, row, column) == ("居住.csv", "居住", "2", "")
    assert reason.startswith("Person:PX 也在你管辖范围之外的街道(乡镇)（SB）内")


def test_a_county_admin_imports_anywhere_in_the_county(console: Console) -> None:
    console.add("zhang.san", "county_admin", "K1")
    client = console.login("zhang.san")
    tried = _upload(client, 小区=SB_COMPOUNDS, 所属网格=SB_IN_GRID)
    assert tried.status_code == 200, tried.text
    assert SUMMARY.findall(tried.text) == [("Compound", "1", "0", "0"), ("IN_GRID", "1", "0", "0")]


def test_importing_needs_change_graph(console: Console) -> None:
    console.add("ana", "analyst", "K1")
    client = console.login("ana")
    page = client.get("/ledgers")
    assert page.status_code == 200 and 'id="check"' not in page.text
    answer = post_form(client, "/ledgers/check", {}, files=_files(小区=COMPOUNDS))
    assert answer.status_code == 403


def test_an_upload_must_be_a_ledger_file_and_not_too_large(console: Console) -> None:
    console.add("li.si", "street_staff", "SA")
    client = console.login("li.si")
    wrong = post_form(client, "/ledgers/check", {},
                      files=[("files", ("a.xls", b"x", "application/octet-stream"))])
    assert wrong.status_code == 400 and "不是台账文件" in wrong.text
    limit = 20 * 1024 * 1024
    big = post_form(client, "/ledgers/check", {},
                    files=[("files", ("小区.csv", b"x" * (limit + 1), "text/csv"))])
    assert big.status_code == 413


def test_the_blank_templates_download(console: Console) -> None:
    console.add("ana", "analyst", "K1")
    client = console.login("ana")
    xlsx = client.get("/ledgers/templates.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "填写说明" and "小区" in book.sheetnames
    archive = zipfile.ZipFile(io.BytesIO(client.get("/ledgers/templates.zip").content))
    names = archive.namelist()
    assert "templates.xlsx" in names and "Compound.csv" in names and len(names) == 51
    assert archive.read("Compound.csv").decode("utf-8-sig").startswith("编码")
