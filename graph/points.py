"""The red-points ledger (红色积分): rules as data, entries never edited, caps per period.

A ``PointsRule`` (a ledger sheet; county admins keep it) says what earns how many points:
an event (``POINTS_EVENTS``: a claimed task completed, a task reviewed with satisfaction
at least ``min_satisfaction``, an activity attended, a report confirmed), and a ``cap``
per member per ``period`` (month or year).  Each award is a ``PointsEntry`` pointing at
its member (``AWARDED_TO``) and at the community it was earned in (``EARNED_IN``, its
scope anchor); it is never changed afterwards: a correction is a new entry naming the
corrected one (``correction_of``), so the history reads as it happened.

Why awards over the cap are recorded (with the capped points, 0 when the cap is used up)
rather than refused: the member did the work, the ledger says so, and the reason tells
why it earned less; the automatic awards run inside a life-cycle step that must not fail
because of points.  Corrections carry no rule, so they never count against a cap.

An award is idempotent per (rule, source, member): its code is derived from the three,
and an entry already written is left alone (a repeated step or a second click awards
nothing).  Everything here runs inside the caller's transaction, so an automatic award
commits or rolls back with the step that earned it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from graph.scope import in_scope, scopes_under
from graph.store import Query, Transaction

MONTH, YEAR = "month", "year"

RULES = Query(
    "points_rules_for",
    "MATCH (r:PointsRule {event: $event})-[:APPLIES_IN]->(:County)<-[:PART_OF]-(:Street)"
    "<-[:PART_OF]-(:Community {code: $community}) "
    "RETURN DISTINCT r.code AS code, r.name AS name, r.points AS points, r.cap AS cap, "
    "r.period AS period, r.min_satisfaction AS min_satisfaction ORDER BY code",
)
RULE = Query(
    "points_rule",
    "MATCH (r:PointsRule {code: $rule}) RETURN r.code AS code, r.name AS name, "
    "r.event AS event, r.points AS points, r.cap AS cap, r.period AS period, "
    "r.min_satisfaction AS min_satisfaction",
)
USED = Query(
    "points_used",
    "MATCH (e:PointsEntry {rule: $rule, period: $period})-[:AWARDED_TO]->(:Person {code: $member}) "
    "RETURN sum(e.points) AS used",
)
ENTRY = Query(
    "points_entry",
    "MATCH (e:PointsEntry {code: $code})-[:AWARDED_TO]->(m:Person) "
    "MATCH (e)-[:EARNED_IN]->(c:Community) "
    "RETURN properties(e) AS entry, m.code AS member, c.code AS community",
)
WRITE = Query(
    "points_write",
    "MATCH (m:Member {code: $member}) MATCH (c:Community {code: $community}) "
    "CREATE (e:PointsEntry $props) "
    "CREATE (e)-[:AWARDED_TO {rkey: ''}]->(m) CREATE (e)-[:EARNED_IN {rkey: ''}]->(c) "
    "RETURN e.code AS code",
)
# The member a demand is assigned to and the communities it was raised in.
DEMAND_TAKER = Query(
    "points_demand_taker",
    "MATCH (d:Demand {code: $code})-[:ASSIGNED_TO]->(m:Member) "
    f"RETURN m.code AS member, {scopes_under('Demand', 'd', 'Community')} AS communities "
    "ORDER BY member",
)
HISTORY = Query(
    "points_history",
    "MATCH (e:PointsEntry)-[:AWARDED_TO]->(:Person {code: $member}) "
    "WHERE $period IS NULL OR substring(e.at, 0, size($period)) = $period "
    "RETURN properties(e) AS entry ORDER BY e.at, e.code",
)


@cache
def ranking_query(within_label: str) -> Query:
    """Each member's points earned in communities within ``$within`` (a Community or
    Street) whose ``at`` begins with ``$period`` (``2026`` or ``2026-12``; null: all)."""
    where = in_scope("PointsEntry", "e", within_label, param="within")
    return Query(
        f"points_ranking_{within_label}",
        f"MATCH (e:PointsEntry)-[:AWARDED_TO]->(m:Person) WHERE {where} "
        "AND ($period IS NULL OR substring(e.at, 0, size($period)) = $period) "
        "RETURN m.code AS code, m.name AS name, sum(e.points) AS points "
        "ORDER BY points DESC, code",
    )


@dataclass(frozen=True)
class Standing:
    """One row of a ranking (红榜): ties share a rank and the next rank skips (1, 1, 3)."""

    rank: int
    code: str
    name: str | None
    points: int


def ranked(rows: list[dict[str, Any]]) -> list[Standing]:
    """``rows`` (code, name, points; best first) with competition ranks."""
    out: list[Standing] = []
    for i, row in enumerate(rows):
        tied = out and out[-1].points == row["points"]
        rank = out[-1].rank if tied else i + 1
        out.append(Standing(rank, row["code"], row["name"], int(row["points"])))
    return out


def period_key(period: str | None, at: str) -> str:
    """The cap period an award at ``at`` counts in: ``YYYY-MM`` monthly, else ``YYYY``."""
    return at[:7] if period == MONTH else at[:4]


def entry_code(rule: str, source: str, member: str) -> str:
    """The code of the award of ``rule`` for ``source`` to ``member`` (one only)."""
    digest = hashlib.sha256(f"{rule}\x1f{source}\x1f{member}".encode()).hexdigest()
    return f"PE-{digest[:16]}"


def granted(points: int, cap: int | None, used: int) -> int:
    """The points an award earns: all of them under the cap, what is left of it (never
    below 0) at it."""
    return points if cap is None else max(0, min(points, cap - used))


def award(tx: Transaction, rule: dict[str, Any], member: str, community: str, source: str,
          at: str, by: str, note: str | None = None) -> str | None:
    """Award ``rule`` to ``member`` for ``source``, earned in ``community``; the new
    entry's code, or None when this award was made before (or the member or community
    is missing)."""
    code = entry_code(rule["code"], source, member)
    if tx.run(ENTRY, code=code):
        return None
    period = period_key(rule["period"], at)
    rows = tx.run(USED, rule=rule["code"], period=period, member=member)
    used = int(rows[0]["used"] or 0) if rows else 0
    points = granted(int(rule["points"]), rule["cap"], used)
    reason = f"{rule['name']}（{source}）"
    if note:
        reason += f"：{note}"
    if points < int(rule["points"]):
        reason += f"；本期上限 {rule['cap']} 分，已得 {used} 分，记 {points} 分"
    props = {"code": code, "points": points, "reason": reason, "rule": rule["code"],
             "source": source, "at": at, "period": period, "awarded_by": by}
    rows = tx.run(WRITE, member=member, community=community, props=props)
    return str(rows[0]["code"]) if rows else None


def correct(tx: Transaction, original: dict[str, Any], points: int, reason: str, at: str,
            by: str) -> str:
    """A correction of the entry ``original`` (an ``ENTRY`` row): a new entry of
    ``points`` (either sign) for the same member and community; the original stays."""
    entry = original["entry"]
    code = f"PE-{secrets.token_hex(8)}"
    props = {"code": code, "points": points, "reason": f"更正 {entry['code']}：{reason}",
             "source": entry.get("source"), "at": at, "awarded_by": by,
             "correction_of": entry["code"]}  # no rule, no period: counts against no cap
    tx.run(WRITE, member=original["member"], community=original["community"], props=props)
    return code


def for_event(tx: Transaction, event: str, member: str, community: str, source: str,
              at: str, by: str, satisfaction: int | None = None) -> list[str]:
    """Every rule of ``event`` that applies in ``community``'s county, awarded once
    each (a review rule only at or above its ``min_satisfaction``)."""
    out = []
    for rule in tx.run(RULES, event=event, community=community):
        floor = rule["min_satisfaction"]
        if floor is not None and (satisfaction is None or satisfaction < floor):
            continue
        code = award(tx, rule, member, community, source, at, by)
        if code:
            out.append(code)
    return out


# The event each life-cycle step earns (graph.lifecycle step names).
STEP_EVENTS = {"complete": "task_completed", "review": "task_reviewed"}


def for_step(tx: Transaction, step: str, demand: str, at: str, by: str,
             satisfaction: int | None = None) -> list[str]:
    """The awards ``step`` on ``demand`` earns its taker, when that is a party member:
    in the community the demand was raised in (the first by code, if several)."""
    event = STEP_EVENTS.get(step)
    if event is None:
        return []
    out = []
    for row in tx.run(DEMAND_TAKER, code=demand):
        communities = sorted(set(row["communities"]))
        if communities:
            out += for_event(tx, event, row["member"], communities[0], demand, at, by,
                             satisfaction)
    return out
