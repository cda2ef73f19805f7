"""Members' self-service through the API: claim (领办), online dual reporting, red points.

The town of apihelp (S1 → M1: grid G1 with C1, C2; S2 → M2: C3) plus, by hand:
members P3 and P6 living in C1 and C2 (M1), P5 living in C3 (M2) but signed in to M1,
resident R9 in C1; demands D1–D3 raised by R9 in C1, D9 in C3; county rules PR-T (task
completed: 10, at most 25 a month), PR-R (reviewed at satisfaction ≥ 4: 5), PR-A
(activity: 8), PR-C (report confirmed: 3).
"""

from __future__ import annotations

import json
from typing import Any

from apihelp import Api

from graph.store import Query
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R
from graph.writer import write_graph


def _setup(api: Api) -> None:
    member = {"member_status": "in_service"}
    nodes = [N("Person", "P3", {"name": "王五", **member}),
             N("Person", "P5", {"name": "赵六", **member}),
             N("Person", "P6", {"name": "钱七", **member}),
             N("Person", "R9", {"name": "居民甲"})]
    rels = [R("LIVES_IN", "Person", "P3", "Compound", "C1"),
            R("LIVES_IN", "Person", "P5", "Compound", "C3"),
            R("LIVES_IN", "Person", "P6", "Compound", "C2"),
            R("LIVES_IN", "Person", "R9", "Compound", "C1")]
    for code, where in (("D1", "C1"), ("D2", "C1"), ("D3", "C1"), ("D9", "C3")):
        nodes.append(N("Demand", code, {"title": f"需求{code}", "category": "repair",
                                        "status": "open"}))
        rels += [R("RAISED_IN", "Demand", code, "Compound", where),
                 R("RAISED_BY", "Demand", code, "Person", "R9")]
    for code, event, pts, extra in (
            ("PR-T", "task_completed", 10, {"cap": 25, "period": "month"}),
            ("PR-R", "task_reviewed", 5, {"min_satisfaction": 4}),
            ("PR-A", "activity", 8, {}),
            ("PR-C", "report_confirmed", 3, {})):
        nodes.append(N("PointsRule", code, {"name": f"规则{code}", "event": event,
                                            "points": pts, **extra}))
        rels.append(R("APPLIES_IN", "PointsRule", code, "County", "K1"))
    write_graph(api.store, nodes, rels)


def _member(code: str, scope: str = "M1") -> dict[str, Any]:
    return {"role": "member", "scope": scope, "subject": code}


STAFF = {"role": "community_staff", "scope": "M1"}


def _errors(api: Api, mutation: str, **who: Any) -> list[dict[str, str]]:
    data = api.gql(f"mutation {{ {mutation} {{ errors {{ field message }} }} }}", **who)
    return next(iter(data.values()))["errors"]  # type: ignore[no-any-return]


def _claim(api: Api, code: str, member: str) -> list[dict[str, str]]:
    return _errors(api, f'claimDemand(code: "{code}")', **_member(member))


TAKEN = Query("t_taken", "MATCH (d:Demand)-[:ASSIGNED_TO]->(m:Person) "
                         "RETURN d.code AS d, d.status AS s, m.code AS m ORDER BY d")


def test_claim_only_in_home_community_once_and_complete_only_own(town_api: Api) -> None:
    _setup(town_api)
    assert _claim(town_api, "D1", "P1") == []
    assert town_api.store.read(TAKEN) == [{"d": "D1", "s": "accepted", "m": "P1"}]
    # a second claim, by another member or the same one, finds it taken
    taken = [{"field": "status",
              "message": "需求 D1 已不是待派单状态（当前为 accepted），不能领办"}]
    assert _claim(town_api, "D1", "P3") == taken
    assert _claim(town_api, "D1", "P1") == taken
    # P5 lives in M2: an M1 demand is outside its community
    assert _claim(town_api, "D2", "P5") == [{"field": "code", "message": (
        "需求 D2 不在你居住或已确认报到的社区（M2）：只能领办本社区的需求")}]
    # a demand outside the member's scope is not even there
    assert _claim(town_api, "D9", "P1") == [{"field": "code",
                                             "message": "你的管辖范围内没有需求 D9"}]
    # only the member it is assigned to completes it
    assert _errors(town_api, 'completeDemand(code: "D1")', **_member("P3")) == [
        {"field": "code", "message": "你的管辖范围内没有需求 D1"}]
    assert _errors(town_api, 'completeDemand(code: "D1")', **_member("P1")) == []
    assert town_api.store.read(TAKEN) == [{"d": "D1", "s": "done", "m": "P1"}]
    # staff and residents do not claim
    body = town_api.post('mutation { claimDemand(code: "D2") { errors { field } } }',
                         **STAFF).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["message"] == "只有党员本人可以领办需求，角色 community_staff 不能"


def test_claim_is_audited_once_naming_the_member(town_api: Api) -> None:
    _setup(town_api)
    assert _claim(town_api, "D1", "P1") == []
    lines = [json.loads(line) for line in town_api.audit.read_text().splitlines()]
    claims = [line for line in lines if line["mutation"] == "claim_demand"]
    assert len(claims) == 1
    assert (claims[0]["who"], claims[0]["role"]) == ("P1", "member")


def _balance(api: Api, member: str, period: str | None = None) -> dict[str, Any]:
    arg = f'(period: "{period}")' if period else ""
    data = api.gql(f"{{ myPoints{arg} {{ member points rank entries {{ code points reason rule "
                   "source correctionOf } } }", **_member(member))
    return data["myPoints"]  # type: ignore[no-any-return]


def test_completion_and_review_award_points_once(town_api: Api) -> None:
    _setup(town_api)
    for code in ("D1", "D2"):
        assert _claim(town_api, code, "P1") == []
        assert _errors(town_api, f'completeDemand(code: "{code}")', **_member("P1")) == []
    resident = _member("R9")
    resident["role"] = "resident"
    assert _errors(town_api, 'reviewDemand(code: "D1", satisfaction: 5)', **resident) == []
    assert _errors(town_api, 'reviewDemand(code: "D2", satisfaction: 3)', **resident) == []
    mine = _balance(town_api, "P1")
    assert (mine["points"], mine["rank"]) == (25, 1)
    assert sorted((e["rule"], e["source"], e["points"]) for e in mine["entries"]) == [
        ("PR-R", "D1", 5), ("PR-T", "D1", 10), ("PR-T", "D2", 10)]
    # a repeated step is refused and awards nothing more
    assert _errors(town_api, 'completeDemand(code: "D1")', **_member("P1"))[0]["field"] == "status"
    assert _balance(town_api, "P1")["points"] == 25


def test_correction_is_a_new_entry_and_the_original_stays(town_api: Api) -> None:
    _setup(town_api)
    award = town_api.gql('mutation { awardPoints(member: "Person:P1", rule: "PR-A", '
                         'source: "植树节", note: "带队") { entry errors { field message } } }',
                         **STAFF)["awardPoints"]
    assert award["errors"] == []
    again = _errors(town_api, 'awardPoints(member: "Person:P1", rule: "PR-A", source: "植树节")',
                    **STAFF)
    assert again == [{"field": "source",
                      "message": "已为 植树节 按规则 PR-A 给 Person:P1 记过分"}]
    first = award["entry"]
    fix = town_api.gql(f'mutation {{ correctPoints(entry: "{first}", points: -3, '
                       'reason: "只参加半天") { entry errors { field message } } }',
                       **STAFF)["correctPoints"]
    assert fix["errors"] == []
    mine = _balance(town_api, "P1")
    assert mine["points"] == 5
    by_code = {e["code"]: e for e in mine["entries"]}
    assert by_code[first] == {"code": first, "points": 8, "reason": "规则PR-A（植树节）：带队",
                              "rule": "PR-A", "source": "植树节", "correctionOf": None}
    assert by_code[fix["entry"]] == {
        "code": fix["entry"], "points": -3, "reason": f"更正 {first}：只参加半天",
        "rule": None, "source": "植树节", "correctionOf": first}
    # automatic rules are not awarded by hand
    assert _errors(town_api, 'awardPoints(member: "Person:P1", rule: "PR-T", source: "x")',
                   **STAFF)[0]["field"] == "rule"


def test_ranking_ties_share_a_rank(town_api: Api) -> None:
    _setup(town_api)
    for member, sources in (("P1", ("a", "b")), ("P3", ("a", "b")), ("P6", ("a",))):
        for source in sources:
            assert _errors(town_api, f'awardPoints(member: "Person:{member}", rule: "PR-A", '
                                     f'source: "{source}")', **STAFF) == []
    q = "{ pointsRanking(within: \"Community:M1\") { rank member name points } }"
    assert town_api.gql(q, **_member("P6"))["pointsRanking"] == [
        {"rank": 1, "member": "Person:P1", "name": "张三", "points": 16},
        {"rank": 1, "member": "Person:P3", "name": "王五", "points": 16},
        {"rank": 3, "member": "Person:P6", "name": "钱七", "points": 8}]
    assert _balance(town_api, "P6")["rank"] == 3
    # a street's ranking holds its communities'; another street's is empty; a period
    # before any award is empty
    assert len(town_api.gql('{ pointsRanking(within: "Street:S1") { rank } }',
                            role="street_staff", scope="S1")["pointsRanking"]) == 3
    assert town_api.gql('{ pointsRanking(within: "Street:S2") { rank } }')["pointsRanking"] == []
    assert town_api.gql('{ pointsRanking(period: "2001") { rank } }')["pointsRanking"] == []
    # a member reads no other community's ranking
    body = town_api.post('{ pointsRanking(within: "Community:M2") { rank } }',
                         **_member("P1")).json()
    assert body["errors"][0]["message"] == "Community:M2 不在你的管辖范围内"


DUAL = ('{ indicators(scope: "Community:M2", keys: ["dual_reporting_rate"], itemLimit: 0) '
        "{ indicators { numerator denominator } } }")


def test_online_report_counts_once_confirmed(town_api: Api) -> None:
    _setup(town_api)
    # P5 (lives in C3, M2) reports to M2 online: pending, not counted
    assert _errors(town_api, 'reportToCommunity(community: "Community:M2")',
                   **_member("P5", "M2")) == []
    assert _errors(town_api, 'reportToCommunity(community: "Community:M2")',
                   **_member("P5", "M2")) == [
        {"field": "community", "message": "你已向社区 Community:M2 报到过"}]
    figures = town_api.gql(DUAL)["indicators"]["indicators"]
    assert figures == [{"numerator": 0.0, "denominator": 1.0}]
    staff_m2 = {"role": "community_staff", "scope": "M2"}
    assert town_api.gql("{ pendingReports { member name community } }",
                        **staff_m2)["pendingReports"] == [
        {"member": "Person:P5", "name": "赵六", "community": "Community:M2"}]
    # M1 staff cannot confirm a report to M2
    assert _errors(town_api, 'confirmReport(member: "Person:P5", community: "Community:M2")',
                   **STAFF) == [
        {"field": "member", "message": "Person:P5 不在你的管辖范围内"},
        {"field": "community", "message": "Community:M2 不在你的管辖范围内"}]
    assert _errors(town_api, 'confirmReport(member: "Person:P5", community: "Community:M2")',
                   **staff_m2) == []
    assert town_api.gql(DUAL)["indicators"]["indicators"] == [
        {"numerator": 1.0, "denominator": 1.0}]
    assert town_api.gql("{ pendingReports { member } }", **staff_m2)["pendingReports"] == []
    # the confirmation earned PR-C
    mine = _balance(town_api, "P5")
    assert (mine["points"], [e["source"] for e in mine["entries"]]) == (3, ["双报到:M2"])


def test_a_confirmed_report_makes_a_home_for_claims(town_api: Api) -> None:
    _setup(town_api)
    p5 = _member("P5")  # signed in to M1, lives in M2
    assert _errors(town_api, 'reportToCommunity(community: "Community:M1")', **p5) == []
    assert _claim(town_api, "D2", "P5")[0]["field"] == "code"  # pending: not yet home
    assert _errors(town_api, 'confirmReport(member: "Person:P5", community: "Community:M1")',
                   **STAFF) == []
    assert _claim(town_api, "D2", "P5") == []


def test_my_duties_of_a_year(town_api: Api) -> None:
    _setup(town_api)
    nodes, rels = [], []
    for i, (duty, day) in enumerate((("party_life", "2025-02-01"), ("survey", "2025-05-01"),
                                     ("party_life", "2025-01-10"), ("cadre_talk", "2024-12-01"))):
        nodes.append(N("DutyRecord", f"DR{i}", {"duty": duty, "date": day}))
        rels.append(R("DUTY_OF", "DutyRecord", f"DR{i}", "Member", "P1"))
    write_graph(town_api.store, nodes, rels)
    got = town_api.gql('{ myDuties(year: "2025") { duty label date } }', **_member("P1"))
    assert got["myDuties"] == [
        {"duty": "party_life", "label": "参加社区组织生活", "date": "2025-01-10"},
        {"duty": "cadre_talk", "label": "与社区干部谈心", "date": None},
        {"duty": "survey", "label": "参与一次调研", "date": "2025-05-01"},
        {"duty": "volunteer_day", "label": "参加志愿服务日", "date": None},
        {"duty": "household_helped", "label": "结对帮扶一户", "date": None}]
    body = town_api.post('{ myDuties(year: "25") { duty } }', **_member("P1")).json()
    assert body["errors"][0]["message"] == "year 须是年份 YYYY，收到 '25'"
