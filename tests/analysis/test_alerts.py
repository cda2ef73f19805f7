"""Early warning on a hand-made county: each rule kind raises exactly the alerts worked
out here (code, item, place, message figures); evaluating again changes nothing; a
condition that goes away clears its alert, one that comes back re-opens it; a person's
acknowledgement stands while the condition holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analysis_builder import G

from analysis import alert_queries as aq
from analysis import alerts
from analysis.alerts import Rule
from graph.store import BoltStore, Query, read_stamp
from graph.writer import NodeRecord, write_graph

AS_OF = "2026-06-01"
AT, AT2, AT3 = "2026-06-01T08:00:00", "2026-06-02T08:00:00", "2026-06-03T08:00:00"

RULES: list[dict[str, Any]] = [
    {"code": "TM", "kind": "threshold", "indicator": "property_management_coverage",
     "level": "Community", "comparison": "below", "threshold": 0.8},
    {"code": "TS", "kind": "threshold", "indicator": "compound_branch_coverage",
     "level": "Street", "comparison": "below", "threshold": 0.9},
    {"code": "TK", "kind": "threshold", "indicator": "compound_branch_coverage",
     "level": "County", "comparison": "below", "threshold": 0.5},
    {"code": "OVER", "kind": "demand_overdue"},
    {"code": "TERM", "kind": "committee_term", "days": 30},
    {"code": "BLACK", "kind": "firm_black"},
    {"code": "CREDIT", "kind": "firm_credit", "threshold": 60},
    {"code": "THREE", "kind": "three_no"},
    {"code": "NOBR", "kind": "no_branch"},
    {"code": "GRID", "kind": "grid_worker"},
    {"code": "LOAD", "kind": "overloaded", "threshold": 3},
    {"code": "REP", "kind": "not_reported", "days": 90},
    {"code": "OFF", "kind": "no_firm", "enabled": False},
]


def county() -> G:
    """S1 ⊃ M1 ⊃ G1 ∋ C1 (branch, firm F1, committee OC1 ending 06-20), C2 (nothing, 50
    households); S2 ⊃ M2 ⊃ G2 ∋ C3 (black-listed firm F2, committee OC3 expired 01-31)."""
    g = G().spine("K", {"S1": {"M1": {"G1": ["C1", "C2"]}}, "S2": {"M2": {"G2": ["C3"]}}},
                  C1={"households": 100}, C2={"households": 50}, C3={"households": 30})
    g.node("PartyOrg", "PO1", kind="compound_branch").rel("PO1", "COVERS", "C1")
    g.node("PropertyFirm", "F1", credit_score=85.0).node(
        "PropertyFirm", "F2", list_status="black", credit_score=40.0)
    g.rel("F1", "MANAGES", "C1", since="2020-01-01").rel("F2", "MANAGES", "C3",
                                                        since="2020-01-01")
    g.node("OwnersCommittee", "OC1", term_start="2021-06-21", term_end="2026-06-20")
    g.node("OwnersCommittee", "OC3", term_start="2021-02-01", term_end="2026-01-31")
    g.rel("OC1", "REPRESENTS", "C1").rel("OC3", "REPRESENTS", "C3")
    # grid workers: full-time in G1, part-time in G2
    g.node("Person", "P1").rel("P1", "HOLDS_POST", "G1", role="grid_worker", full_time=True,
                               since="2020-01-01")
    g.node("Person", "P2").rel("P2", "HOLDS_POST", "G2", role="grid_worker", since="2020-01-01")
    # P3 holds three posts, all in S1
    g.node("Person", "P3")
    for org, role in (("OC1", "chair"), ("PO1", "secretary"), ("F1", "project_manager")):
        g.rel("P3", "HOLDS_POST", org, role=role, since="2022-01-01")
    # members: P4 (C3) joined 01-01, never reported; P5 (C1) joined 05-01; P6 reported
    for code, home, joined in (("P4", "C3", "2026-01-01"), ("P5", "C1", "2026-05-01"),
                               ("P6", "C1", "2025-01-01")):
        g.node("Member", code).rel(code, "LIVES_IN", home)
        g.rel(code, "MEMBER_OF", "PO1", since=joined)
    g.rel("P6", "REPORTED_TO", "M1", date="2025-02-01")
    # demands: D1 overdue 12 days, D2 not yet due, D3 done late
    g.node("Demand", "D1", title="修路灯", category="repair", status="dispatched",
           due="2026-05-20", created_at="2026-05-01T09:00:00")
    g.node("Demand", "D2", title="陪诊", category="medical", status="open", due="2026-06-10",
           created_at="2026-05-30T09:00:00")
    g.node("Demand", "D3", title="清理楼道", category="environment", status="done",
           due="2026-05-01", created_at="2026-04-01T09:00:00",
           done_at="2026-05-03T10:00:00")
    g.rel("D1", "RAISED_IN", "C1").rel("D2", "RAISED_IN", "C2").rel("D3", "RAISED_IN", "M2")
    for r in RULES:
        props = {k: v for k, v in r.items() if k != "code"}
        g.node("AlertRule", r["code"], **{"enabled": True, **props})
        g.rel(r["code"], "RULE_OF", "K")
    return g


EXPECTED = {
    # property management per community: M1 1/2 (C1 managed, C2 not), M2 1/1
    "A-TM-Community-M1": ("Community:M1", "Community:M1",
                          "M1物业管理覆盖率为 50.0%（1/2），低于阈值 80.0%"),
    # branch coverage in the county: C1 of C1, C2, C3
    "A-TK-County-K": ("County:K", "County:K", "K小区党组织覆盖率为 33.3%（1/3），低于阈值 50.0%"),
    # branch coverage per street: S1 1/2, S2 0/1
    "A-TS-Street-S1": ("Street:S1", "Street:S1",
                       "S1小区党组织覆盖率为 50.0%（1/2），低于阈值 90.0%"),
    "A-TS-Street-S2": ("Street:S2", "Street:S2",
                       "S2小区党组织覆盖率为 0.0%（0/1），低于阈值 90.0%"),
    "A-OVER-Demand-D1-C1": ("Demand:D1", "Compound:C1",
                            "需求“修路灯”办结时限 2026-05-20，已超期 12 天，当前状态：已派单"),
    # OC1 ends 19 days after 06-01; OC3 ended 121 days before it (Jan 31 → Jun 1)
    "A-TERM-OwnersCommittee-OC1-C1": (
        "OwnersCommittee:OC1", "Compound:C1",
        "小区“C1”的业委会“OC1”任期将于 2026-06-20 届满（还有 19 天）"),
    "A-TERM-OwnersCommittee-OC3-C3": (
        "OwnersCommittee:OC3", "Compound:C3",
        "小区“C3”的业委会“OC3”任期已于 2026-01-31 届满（已过 121 天），尚无现任业委会"),
    "A-BLACK-PropertyFirm-F2-C3": ("PropertyFirm:F2", "Compound:C3",
                                   "物业服务企业“F2”在黑榜上，仍在管理小区“C3”"),
    "A-CREDIT-PropertyFirm-F2-C3": ("PropertyFirm:F2", "Compound:C3",
                                    "物业服务企业“F2”信用分 40，低于 60，仍在管理小区“C3”"),
    "A-THREE-Compound-C2": ("Compound:C2", "Compound:C2",
                            "小区“C2”无物业、无业委会、无责任单位（50 户）"),
    "A-NOBR-Compound-C2": ("Compound:C2", "Compound:C2",
                           "小区“C2”没有小区或网格党支部覆盖（50 户）"),
    "A-NOBR-Compound-C3": ("Compound:C3", "Compound:C3",
                           "小区“C3”没有小区或网格党支部覆盖（30 户）"),
    "A-GRID-Grid-G2": ("Grid:G2", "Grid:G2",
                       "网格“G2”没有专职网格员（现有网格员 1 名）"),
    "A-LOAD-Person-P3-S1": ("Person:P3", "Street:S1",
                            "P3 现任 3 个职务，不少于 3 个：F1、OC1、PO1"),
    # P4 joined 01-01: 151 days to 06-01, 61 past the 90
    "A-REP-Person-P4-C3": ("Person:P4", "Compound:C3",
                           "在职党员 P4 于 2026-01-01 转入党组织，90 天内应到居住地社区报到，"
                           "至今未报到（已超 61 天）"),
}

ALERTS = Query("test_alerts", """MATCH (a:Alert)-[:RAISED_BY_RULE]->(r:AlertRule)
MATCH (a)-[:ABOUT]->(x) MATCH (a)-[:RAISED_AT]->(t)
RETURN a.code AS code, properties(a) AS props, r.code AS rule,
  [l IN labels(x) WHERE l <> 'Member'][0] + ':' + x.code AS item,
  labels(t)[0] + ':' + t.code AS place ORDER BY code""")


class Spy:
    """``store`` noting the statements its transactions run (``ran``), the alert codes
    each ``alert_update`` wrote (``rows``) and the statements it reads (``reads``)."""

    def __init__(self, store: BoltStore) -> None:
        self.store, self.backend = store, store.backend
        self.ran: list[str] = []
        self.rows: list[list[str]] = []
        self.reads: list[str] = []

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        self.reads.append(query.name)
        return self.store.read(query, **params)

    def transaction(self, work: Any) -> Any:
        spy = self

        class Tx:
            def run(self, query: Query, **params: Any) -> list[dict[str, Any]]:
                spy.ran.append(query.name)
                out = tx.run(query, **params)
                if query.name == "alert_update":
                    spy.rows.append([r["code"] for r in params["rows"]])
                return out

        def spied(inner: Any) -> Any:
            nonlocal tx
            tx = inner
            spy.ran.clear()
            spy.rows.clear()
            return work(Tx())

        tx: Any = None
        return self.store.transaction(spied)


def stored(store: BoltStore) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in store.read(ALERTS)}


@pytest.fixture
def town(store: BoltStore) -> BoltStore:
    county().write(store)
    return store


def test_each_rule_raises_exactly_its_alerts(town: BoltStore) -> None:
    changes = alerts.evaluate(town, AS_OF, at=AT)
    assert sorted(changes.raised) == sorted(EXPECTED) and not changes.cleared
    rows = stored(town)
    assert {code: (r["item"], r["place"], r["props"]["message"]) for code, r in rows.items()
            } == EXPECTED
    one = rows["A-GRID-Grid-G2"]
    assert one["rule"] == "GRID"
    assert {k: one["props"].get(k) for k in ("status", "first_seen", "last_seen", "cleared_at")
            } == {"status": "new", "first_seen": AT, "last_seen": AT, "cleared_at": None}
    assert alerts.history(one["props"]["history"]) == [(AT, "new", alerts.SYSTEM)]


def test_evaluating_again_changes_nothing(town: BoltStore) -> None:
    alerts.evaluate(town, AS_OF, at=AT)
    before = stored(town)
    again = alerts.evaluate(town, AS_OF, at=AT)
    assert not again.raised and not again.cleared and sorted(again.kept) == sorted(EXPECTED)
    assert stored(town) == before
    # a later run with nothing changed writes no alert at all: its transaction reads
    # the alerts and runs nothing else, and last_seen stays when it was found
    spy = Spy(town)
    later = alerts.evaluate(spy, AS_OF, at=AT2)
    assert not later.changed and len(later.kept) == len(EXPECTED)
    assert spy.ran == ["alert_existing"]
    assert stored(town) == before
    after = stored(town)["A-GRID-Grid-G2"]["props"]
    assert (after["first_seen"], after["last_seen"], after["status"]) == (AT, AT, "new")


def test_an_evaluation_that_writes_stamps_the_database(town: BoltStore) -> None:
    """Run by ``jinlin load`` beside a running service, an evaluation must be seen by the
    service's kept answers (api.kept): the write stamp moves when it writes, and only
    then."""
    before = read_stamp(town)
    alerts.evaluate(town, AS_OF, at=AT)
    raised = read_stamp(town)
    assert raised != before
    alerts.evaluate(town, AS_OF, at=AT)
    assert read_stamp(town) == raised


def test_only_a_changed_message_is_written(town: BoltStore) -> None:
    """A day later the four alerts whose messages count days change (D1 13 days overdue,
    P4 62 days late, OC1 18 days left, OC3 122 days past): only they are written, with
    last_seen moved; the other eleven are not touched."""
    alerts.evaluate(town, AS_OF, at=AT)
    before = stored(town)
    spy = Spy(town)
    assert not alerts.evaluate(spy, "2026-06-02", at=AT2).changed
    # and the database's write stamp, for a service running beside (api.kept)
    assert spy.ran == ["alert_existing", "alert_update", "bump_write_stamp"]
    moved = ["A-OVER-Demand-D1-C1", "A-REP-Person-P4-C3", "A-TERM-OwnersCommittee-OC1-C1",
             "A-TERM-OwnersCommittee-OC3-C3"]
    assert spy.rows == [moved]
    after = stored(town)
    assert [after[c]["props"]["message"] for c in moved] == [
        "需求“修路灯”办结时限 2026-05-20，已超期 13 天，当前状态：已派单",
        "在职党员 P4 于 2026-01-01 转入党组织，90 天内应到居住地社区报到，至今未报到（已超 62 天）",
        "小区“C1”的业委会“OC1”任期将于 2026-06-20 届满（还有 18 天）",
        "小区“C3”的业委会“OC3”任期已于 2026-01-31 届满（已过 122 天），尚无现任业委会"]
    assert {after[c]["props"]["last_seen"] for c in moved} == {AT2}
    assert {k: v for k, v in after.items() if k not in moved} == {
        k: v for k, v in before.items() if k not in moved}


def test_cleared_then_reopened(town: BoltStore) -> None:
    alerts.evaluate(town, AS_OF, at=AT)
    write_graph(town, [NodeRecord("PropertyFirm", "F2", {"list_status": "red"})], [])
    changes = alerts.evaluate(town, AS_OF, at=AT2)
    assert changes.cleared == ["A-BLACK-PropertyFirm-F2-C3"] and not changes.raised
    black = stored(town)["A-BLACK-PropertyFirm-F2-C3"]["props"]
    assert (black["status"], black["cleared_at"]) == ("cleared", AT2)
    write_graph(town, [NodeRecord("PropertyFirm", "F2", {"list_status": "black"})], [])
    changes = alerts.evaluate(town, AS_OF, at=AT3)
    assert changes.raised == ["A-BLACK-PropertyFirm-F2-C3"] and not changes.cleared
    black = stored(town)["A-BLACK-PropertyFirm-F2-C3"]["props"]
    assert (black["status"], black.get("cleared_at"), black["first_seen"]) == ("new", None, AT)
    assert alerts.history(black["history"]) == [
        (AT, "new", alerts.SYSTEM), (AT2, "cleared", alerts.SYSTEM), (AT3, "new", alerts.SYSTEM)]
    assert len(stored(town)) == len(EXPECTED)  # re-opened, never duplicated


def test_acknowledged_stays_while_the_condition_holds(town: BoltStore) -> None:
    alerts.evaluate(town, AS_OF, at=AT)
    code = "A-NOBR-Compound-C2"
    assert town.transaction(lambda tx: alerts.step(tx, "acknowledge", code, "", "any", AT2,
                                                   "staff@K"))
    # a second acknowledgement finds it no longer new
    assert not town.transaction(lambda tx: alerts.step(tx, "acknowledge", code, "", "any",
                                                       AT2, "staff@K"))
    assert not alerts.evaluate(town, AS_OF, at=AT3).changed
    props = stored(town)[code]["props"]
    assert (props["status"], props["last_seen"]) == ("acknowledged", AT)
    # a grid branch covers G1 ∋ C1, C2: C2's alert is cleared, whoever had acknowledged
    # it, and so are S1's coverage alert (now 2/2) and the county's (2/3 is not below 50%)
    G().node("PartyOrg", "PO2", kind="grid_branch").node("Grid", "G1").rel(
        "PO2", "COVERS", "G1").write(town)
    changes = alerts.evaluate(town, AS_OF, at=AT3)
    assert changes.cleared == [code, "A-TK-County-K", "A-TS-Street-S1"]
    assert [h[1] for h in alerts.history(stored(town)[code]["props"]["history"])] == [
        "new", "acknowledged", "cleared"]


def test_a_rule_switched_off_clears_its_alerts(town: BoltStore) -> None:
    alerts.evaluate(town, AS_OF, at=AT)
    write_graph(town, [NodeRecord("AlertRule", "GRID", {"enabled": False})], [])
    changes = alerts.evaluate(town, AS_OF, at=AT2)
    assert (changes.raised, changes.cleared) == ([], ["A-GRID-Grid-G2"])


def test_no_rules_no_writes(store: BoltStore) -> None:
    G().spine("K", {"S1": {"M1": {"G1": ["C1"]}}}).write(store)
    assert alerts.evaluate(store, AS_OF, at=AT) == alerts.Changes()
    assert stored(store) == {}


def test_default_rules_are_well_formed_and_seeded_once(store: BoltStore) -> None:
    G().spine("K", {"S1": {"M1": {"G1": ["C1"]}}}).write(store)
    alerts.seed_rules(store, "K")
    alerts.seed_rules(store, "K")  # a second time: nothing new, nothing doubled
    rules = alerts.read_rules(store)["K"]
    assert sorted(r.code for r in rules) == sorted(r["code"] for r in alerts.default_rules())
    assert [alerts.check_rule(r) for r in rules] == [None] * len(rules)


def test_the_alert_statements() -> None:
    create = aq.create("Demand", "Compound")
    assert create.name == "alert_create_Demand_Compound"
    assert "MATCH (x:Demand {code: row.item})" in create.cypher
    assert "MERGE (a)-[:RAISED_AT {rkey: ''}]->(t)" in create.cypher
    with pytest.raises(ValueError):
        aq.create("Demand", "Building")  # alerts are raised at areas only
    step = aq.transition("(a.code <> '')", "any").cypher
    assert step == ("MATCH (a:Alert {code: $code}) WHERE a.status IN $from AND "
                    "(a.code <> '') AND coalesce(a.history, '') = $was "
                    "SET a += $props, a.status = $to RETURN a.code AS code")
    assert "WHERE a.status = row.status AND coalesce(a.history, '') = row.history " \
        "SET a += row.props" in aq.UPDATE.cypher
    assert aq.areas("Street").cypher.endswith("RETURN DISTINCT s.code AS code ORDER BY code")


def test_a_malformed_rule_is_named_and_skipped() -> None:
    bad = Rule("X", "X", "threshold", "K", indicator="nope", level="Street", threshold=0.5)
    assert (alerts.check_rule(bad) or ("", ""))[0] == "indicator"
    assert alerts.check_rule(Rule("X", "X", "firm_credit", "K")) == (
        "threshold", "规则类型 firm_credit 须填写阈值（threshold）")
    assert alerts.alert_code("R", ("Compound", "C1"), ("Compound", "C1")) == "A-R-Compound-C1"
    long = alerts.alert_code("R" * 60, ("Compound", "C1"), ("Compound", "C1"))
    assert long.startswith("A-") and len(long) == 26


def test_a_flapping_condition_keeps_a_bounded_history(town: BoltStore) -> None:
    """F2 put on and off the black list 40 times: 81 status changes, ~3,000 characters
    of history unbounded.  Kept: the first line, one line counting the 65 left out, the
    newest 15; every write succeeds and the alert is still one."""
    code = "A-BLACK-PropertyFirm-F2-C3"
    alerts.evaluate(town, AS_OF, at=AT)
    for i in range(40):
        for status, listed in (("cleared", "red"), ("new", "black")):
            write_graph(town, [NodeRecord("PropertyFirm", "F2", {"list_status": listed})], [])
            at = f"2026-06-{2 + i // 2:02d}T{8 + (i % 2) * 2 + (status == 'new'):02d}:00:00"
            changes = alerts.evaluate(town, AS_OF, at=at)
            assert (changes.cleared if status == "cleared" else changes.raised) == [code]
    text = stored(town)[code]["props"]["history"]
    lines = alerts.history(text)
    assert len(lines) == 1 + 1 + alerts.HISTORY_KEPT and len(text) <= 2000
    assert lines[0] == (AT, "new", alerts.SYSTEM)
    assert lines[1] == ("…", alerts.OMITTED, "65")
    assert [s for _, s, _ in lines[2:]] == ["new"] + ["cleared", "new"] * 7
    assert lines[-1] == ("2026-06-21T11:00:00", "new", alerts.SYSTEM)
    # a person's step on it is bounded the same way
    assert town.transaction(lambda tx: alerts.step(tx, "acknowledge", code, "", "any",
                                                   "2026-06-22T08:00:00", "staff@K"))
    lines = alerts.history(stored(town)[code]["props"]["history"])
    assert lines[1] == ("…", alerts.OMITTED, "66")
    assert lines[-1] == ("2026-06-22T08:00:00", "acknowledged", "staff@K")
    assert len(lines) == 17 and len(stored(town)) == len(EXPECTED)


def test_appended_bounds_the_length_too() -> None:
    long = "x" * 300
    text = alerts.history_line(AT, "new", alerts.SYSTEM)
    for i in range(10):
        text = alerts.appended(text, alerts.history_line(f"{AT}{i}", "new", long))
    lines = alerts.history(text)
    # 10 lines of ~330 characters: only 5 fit in 2,000 with the first and the count
    assert len(text) <= 2000 and lines[1] == ("…", alerts.OMITTED, "5")
    assert [w for w, _, _ in lines[2:]] == [f"{AT}{i}" for i in range(5, 10)]


def test_rules_grouped_by_area(town: BoltStore) -> None:
    """With a level, overdue demands and unreported members raise one alert per area:
    D1 (C1 in M1) and D4 (raised in M1 itself, due 05-10) make one for M1, D5 (C3 in
    M2, due 05-25: 7 days late, not more than the grace of 7) none yet; per street, P4
    and P7 (both in C3, P7 joined 02-01) one for S2 naming P4 first."""
    county().node("Demand", "D4", title="修门禁", status="open", due="2026-05-10",
             created_at="2026-05-01T09:00:00").rel("D4", "RAISED_IN", "M1").node(
        "Demand", "D5", title="换水管", status="open", due="2026-05-25",
        created_at="2026-05-01T09:00:00").rel("D5", "RAISED_IN", "C3").node(
        "Member", "P7", name="李四").rel("P7", "LIVES_IN", "C3").rel(
        "P7", "MEMBER_OF", "PO1", since="2026-02-01").write(town)
    write_graph(town, [NodeRecord("AlertRule", c, {"enabled": c in ("OVER", "REP")})
                       for c in [r["code"] for r in RULES]], [])
    write_graph(town, [NodeRecord("AlertRule", "OVER", {"level": "Community", "days": 7}),
                       NodeRecord("AlertRule", "REP", {"level": "Street"})], [])
    assert sorted(alerts.evaluate(town, AS_OF, at=AT).raised) == [
        "A-OVER-Community-M1", "A-REP-Street-S2"]
    rows = stored(town)
    assert (rows["A-OVER-Community-M1"]["item"], rows["A-OVER-Community-M1"]["place"]) == (
        "Community:M1", "Community:M1")
    assert rows["A-OVER-Community-M1"]["props"]["message"] == (
        "M1有 2 件需求超期 7 天以上仍未办结，时限最早的：“修门禁”（2026-05-10）、"
        "“修路灯”（2026-05-20）")
    assert rows["A-REP-Street-S2"]["props"]["message"] == (
        "S2有 2 名在职党员转入党组织超过 90 天仍未到居住地社区报到，转入最早的："
        "P4（2026-01-01）、李四（2026-02-01）")
    # the next day D5 is 8 days late: M2's alert is raised; neither message of the two
    # there changes with the day, so nothing else is written
    spy = Spy(town)
    changes = alerts.evaluate(spy, "2026-06-02", at=AT2)
    assert (changes.raised, changes.cleared) == (["A-OVER-Community-M2"], [])
    assert spy.ran == ["alert_existing", "alert_create_Community_Community", "bump_write_stamp"]
    assert stored(town)["A-OVER-Community-M2"]["props"]["message"] == (
        "M2有 1 件需求超期 7 天以上仍未办结，时限最早的：“换水管”（2026-05-25）")
    bad = Rule("X", "X", "demand_overdue", "K", level="Grid")
    assert alerts.check_rule(bad) == (
        "level", "规则类型 demand_overdue 的评估层级（level）须是 County、Street、Community 之一")


def test_a_service_run_reads_the_rules_once(town: BoltStore, tmp_path: Path) -> None:
    from api.audit import AuditLog
    from api.graphql.alerts import run_evaluation

    spy = Spy(town)
    changes = run_evaluation(spy, AuditLog(tmp_path / "audit.log"), None, "test", AS_OF)  # type: ignore[arg-type]
    assert sorted(changes.raised) == sorted(EXPECTED)
    assert spy.reads.count("alert_rules") == 1
