"""The three rates of 吹哨报到 (analysis.whistle) on a hand-made county, worked out by hand,
with deadlines on either side of the as-of date.

County K: street S1 (community M1, grid G1, compound C1), street S2 (community M2, grid G2,
compound C2).  Units U1, U2.  As of A = 2026-03-10 (end of day):

====  =====  ====  ========  ==========  ============  =====  ============  =========
code  place  unit  sent      respond_by  accepted_at   due    done_at       review
====  =====  ====  ========  ==========  ============  =====  ============  =========
W1    C1     U1    03-01     03-02       03-02 10:00   03-09  03-08 12:00   5 @03-09
W2    C1     U1    03-01     03-03       03-04 09:00   03-20  —             —
W3    C1     U2    03-05     03-10 (=A)  —             03-15  —             —
W4    C2     U2    03-08     03-12       —             03-20  —             —
W5    C2     U1    03-06     03-11       03-07 08:00   03-10  03-11 08:00   —
W6    C2     U2    03-01     03-02       03-02 12:00   03-05  03-06 09:00   3 @03-07
W7    C1     U2    03-09     03-09       03-11 09:00   03-20  —             —
W8    C1     U1    03-11     03-15       —             03-20  —             —
W10   M2     U1    03-01     03-01       03-01 18:00   03-10  03-10 20:00   4 @03-11
D9    C1     U1    03-01     03-02       —             03-05  —             (no whistle)
====  =====  ====  ========  ==========  ============  =====  ============  =========

Response at A: in time W1 W5 W6 W10; late or missing W2 (signed late), W3 (deadline A,
unsigned), W7 (signed after A); W4 not yet due; W8 sent after A → 4 / 7.
Resolution at A: in time W1, W10 (done on A); W5 (due A, done after A), W6 (late);
W2 W3 W4 W7 not yet due → 2 / 4.  Satisfaction at A: W1 (5), W6 (3); W10 reviewed after
A → 1 / 2.
"""

from __future__ import annotations

from typing import Any

import pytest
from analysis_builder import G

from analysis import projection
from analysis.indicators import compute_indicators
from analysis.tally import Indicator
from graph import lifecycle
from graph.store import BoltStore

A = "2026-03-10"
ROWS = (  # code, place, unit, sent, respond_by, accepted_at, due, done_at, satisfaction, reviewed
    ("W1", "C1", "U1", "03-01", "03-02", "03-02T10:00", "03-09", "03-08T12:00", 5, "03-09"),
    ("W2", "C1", "U1", "03-01", "03-03", "03-04T09:00", "03-20", None, None, None),
    ("W3", "C1", "U2", "03-05", "03-10", None, "03-15", None, None, None),
    ("W4", "C2", "U2", "03-08", "03-12", None, "03-20", None, None, None),
    ("W5", "C2", "U1", "03-06", "03-11", "03-07T08:00", "03-10", "03-11T08:00", None, None),
    ("W6", "C2", "U2", "03-01", "03-02", "03-02T12:00", "03-05", "03-06T09:00", 3, "03-07"),
    ("W7", "C1", "U2", "03-09", "03-09", "03-11T09:00", "03-20", None, None, None),
    ("W8", "C1", "U1", "03-11", "03-15", None, "03-20", None, None, None),
    ("W10", "M2", "U1", "03-01", "03-01", "03-01T18:00", "03-10", "03-10T20:00", 4,
     "03-11T10:00"),
)


def _day(value: str | None) -> str | None:
    return None if value is None else f"2026-{value}"


def _stamp(value: str | None) -> str | None:
    if value is None:
        return None
    return f"2026-{value}" + ("" if "T" in value else "T09:00") + ":00"


def _status(accepted: str | None, done: str | None, satisfaction: int | None) -> str:
    if satisfaction is not None:
        return "reviewed"
    return "done" if done else "accepted" if accepted else "dispatched"


@pytest.fixture
def county(store: BoltStore) -> BoltStore:
    g = G().spine(streets={"S1": {"M1": {"G1": ["C1"]}}, "S2": {"M2": {"G2": ["C2"]}}})
    g.node("Unit", "U1", name="区城管委").node("Unit", "U2", name="区住建委")
    g.rel("U1", "LOCATED_IN", "M1").rel("U2", "LOCATED_IN", "M2")
    for code, place, unit, sent, respond, accepted, due, done, sat, reviewed in ROWS:
        g.node("Demand", code, title=f"问题{code}", category="safety", whistle=True,
               status=_status(accepted, done, sat), created_at=_stamp(sent),
               respond_by=_day(respond), accepted_at=_stamp(accepted), due=_day(due),
               done_at=_stamp(done), satisfaction=sat, reviewed_at=_stamp(reviewed))
        g.rel(code, "RAISED_IN", place).rel(code, "ASSIGNED_TO", unit, at=_stamp(sent))
    g.node("Demand", "D9", title="普通需求", category="safety", status="dispatched",
           created_at="2026-03-01T09:00:00", respond_by="2026-03-02", due="2026-03-05")
    g.rel("D9", "RAISED_IN", "C1").rel("D9", "ASSIGNED_TO", "U1", at="2026-03-01T09:00:00")
    g.write(store)
    return store


def rates(store: BoltStore, as_of: str = A, label: str = "County",
          code: str = "K") -> dict[str, Indicator]:
    report = compute_indicators(store, label, code, as_of)
    return {i.key: i for i in report.indicators if i.key.startswith("whistle_")}


def fig(ind: Indicator) -> tuple[float, float]:
    return ind.numerator, ind.denominator


def kids(ind: Indicator) -> dict[str, tuple[float, float]]:
    return {c.code: (c.numerator, c.denominator) for c in ind.children}


def units(ind: Indicator) -> dict[str, tuple[float, float, Any]]:
    return {u["code"]: (u["numerator"], u["denominator"], u["ratio"])
            for u in ind.extra["by_unit"]}


def test_the_three_rates_per_street_and_per_unit(county: BoltStore) -> None:
    r = rates(county)
    assert list(r) == ["whistle_response_rate", "whistle_resolution_rate",
                       "whistle_satisfaction_rate"]
    response = r["whistle_response_rate"]
    assert fig(response) == (4, 7) and response.ratio == pytest.approx(4 / 7)
    assert sorted(i.code for i in response.hits) == ["W1", "W10", "W5", "W6"]
    assert response.extra["overdue"] == ["W2", "W3", "W7"]
    assert sorted(i.code for i in response.gaps) == ["W2", "W3", "W7"]
    assert kids(response) == {"S1": (1, 4), "S2": (3, 3)}
    assert units(response) == {"U1": (3, 4, 0.75), "U2": (1, 3, pytest.approx(1 / 3))}
    gap = next(i for i in response.gaps if i.code == "W3")
    assert gap.detail["unit"] == "U2" and gap.detail["respond_by"] == "2026-03-10"

    resolution = r["whistle_resolution_rate"]
    assert fig(resolution) == (2, 4) and resolution.extra["overdue"] == ["W5", "W6"]
    assert kids(resolution) == {"S1": (1, 1), "S2": (1, 3)}
    assert units(resolution) == {"U1": (2, 3, pytest.approx(2 / 3)), "U2": (0, 1, 0.0)}

    satisfaction = r["whistle_satisfaction_rate"]
    assert fig(satisfaction) == (1, 2) and "overdue" not in satisfaction.extra
    assert kids(satisfaction) == {"S1": (1, 1), "S2": (0, 1)}
    assert units(satisfaction) == {"U1": (1, 1, 1.0), "U2": (0, 1, 0.0)}


def test_deadlines_on_either_side_of_the_as_of_date(county: BoltStore) -> None:
    # the day before A: W3's deadline (A) has not come; W7's (03-09) has, and it is
    # still unsigned; W5 and W10 are not yet due for resolution
    before = rates(county, "2026-03-09")
    assert before["whistle_response_rate"].extra["overdue"] == ["W2", "W7"]
    assert fig(before["whistle_response_rate"]) == (4, 6)  # W1 W5 W6 W10 in time
    assert fig(before["whistle_resolution_rate"]) == (1, 2)  # W1 in time, W6 late
    # two days after A: W4 (03-12) is due and unsigned; W8 sent but not yet due; W10's
    # review (03-11) now counts; W5 is done, but after its due date
    after = rates(county, "2026-03-12")
    assert fig(after["whistle_response_rate"]) == (4, 8)
    assert after["whistle_response_rate"].extra["overdue"] == ["W2", "W3", "W4", "W7"]
    assert fig(after["whistle_resolution_rate"]) == (2, 4)
    assert fig(after["whistle_satisfaction_rate"]) == (2, 3)


def test_a_street_and_a_community_scope(county: BoltStore) -> None:
    s2 = rates(county, label="Street", code="S2")
    assert fig(s2["whistle_response_rate"]) == (3, 3)
    assert kids(s2["whistle_response_rate"]) == {"M2": (3, 3)}
    assert units(s2["whistle_resolution_rate"]) == {"U1": (1, 2, 0.5), "U2": (0, 1, 0.0)}
    # a grid scope has no community-raised whistles (as for demand closure)
    g2 = rates(county, label="Grid", code="G2")
    assert fig(g2["whistle_response_rate"]) == (2, 2)  # W5 W6
    nothing = rates(county, "2026-02-01")["whistle_response_rate"]
    assert fig(nothing) == (0, 0) and nothing.ratio is None
    assert nothing.reason == "范围内没有已到签收时限或已签收的吹哨事项"


def test_the_query_text() -> None:
    from analysis.whistle import whistles_query

    text = whistles_query("Street", "Community").cypher
    assert text.startswith("MATCH (s:Street {code: $scope})")
    assert "MATCH (m)<-[:RAISED_IN]-(d:Demand)-[a:ASSIGNED_TO]->(u:Unit)" in text
    assert "d.whistle = true AND a.at <= $as_of_end" in text
    assert "null AS compound" in text and "m.code AS community" in text
    assert whistles_query("Street", "Community") is whistles_query("Street", "Community")
    with pytest.raises(ValueError):
        whistles_query("Street", "Grid")


def test_the_projection_reads_again_only_the_place_of_a_whistle_signed_for(
        county: BoltStore) -> None:
    """W3 (C1, due to respond on A) signed for on A: in time, so the response rate goes
    from 4/7 to 5/7; the kept county reads again only C1's demands and whistles."""
    kept = projection.shared()
    kept.clear()
    try:
        def response() -> Indicator:
            return projection.indicators(county, "County", "K", A).get("whistle_response_rate")

        assert fig(response()) == (4, 7)
        accept = lifecycle.STEPS["accept"]
        assert county.transaction(lambda tx: lifecycle.transit(
            tx, accept, "W3", lifecycle.changes(accept, A + "T08:00:00", {})))
        assert fig(response()) == (5, 7) and response().extra["overdue"] == ["W2", "W7"]
        entry = kept.get(county, "County", "K", A)
        assert (entry.refreshes, entry.patches) == (1, 1)
        assert projection.indicators(county, "County", "K", A) == compute_indicators(
            county, "County", "K", A)
    finally:
        kept.clear()
