"""吹哨报到的三率 (response, resolution and satisfaction rates) and the overdue list.

A *whistle* is a Demand with ``whistle: true`` dispatched (``ASSIGNED_TO``) to a Unit
(api.graphql.whistle); it lies in the scope where it was raised (in a compound of the
scope, or, for a scope at or above a community, in one of its communities), like every
demand.  Everything is counted at the end of the as-of day ``A`` (``A`` 23:59:59); a
deadline (``respond_by``, ``due``: dates) runs to the end of its day, so a deadline on
``A`` has passed at ``A``'s end.  Only whistles dispatched by then (``ASSIGNED_TO.at``)
count.

* **Response rate (响应率).**  Denominator: whistles whose ``respond_by`` is on or before
  ``A``, or that were signed for (签收: ``accepted_at``) by the end of ``A``.  Numerator:
  those signed for by the end of their ``respond_by`` day (and by the end of ``A``).
  A whistle with its deadline after ``A`` and not yet signed is not counted either way.
* **Resolution rate (解决率).**  Denominator: whistles whose ``due`` is on or before ``A``,
  or that were done (办结: status done/reviewed with ``done_at`` by the end of ``A``,
  graph.lifecycle's ``closed``).  Numerator: those done by the end of their ``due`` day.
* **Satisfaction rate (满意率).**  Denominator: whistles reviewed by the end of ``A``
  (status reviewed, ``reviewed_at`` by then) with a satisfaction; numerator: those with
  satisfaction 4 or 5.
* A stamp the store lacks (a demand accepted, done or reviewed before the stamp was
  recorded) counts as in time, as graph.lifecycle's ``closed`` counts a missing
  ``done_at``; a whistle without ``respond_by`` (or ``due``) enters that denominator only
  once signed (done), and counts as in time.
* **Overdue (超期).**  ``extra["overdue"]`` of the response and resolution rates: the
  whistles of the denominator not signed (done) in time, i.e. the indicator's gaps, with
  the unit in each item's ``detail``.

Each rate is an ``analysis.tally`` indicator over whistle items (``label`` Demand), so the
scope's figure and the figure per child scope (a county's streets, a street's
communities) come as for every indicator.  Per unit, ``extra["by_unit"]`` lists each unit
whistled in the scope with its numerator, denominator and ratio, sorted by unit code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from analysis.queries import analysis_read, only_name, scoped
from analysis.tally import Indicator, Item, tally
from graph import lifecycle
from graph.i18n import N_, translate
from graph.spine import depth
from graph.store import Query, Store

if TYPE_CHECKING:  # analysis.fetch reads the whistles with this module
    from analysis.fetch import ScopeData

Row = dict[str, Any]

# statuses of a whistle signed for (签收) by its unit: accepted and every one after it
SIGNED = (lifecycle.STEPS["accept"].after, *lifecycle.CLOSED)
SATISFIED = 4  # satisfaction at or above this counts as satisfied (1–5 scale)
_WHISTLES_IN = """MATCH ({var})<-[:RAISED_IN]-(d:Demand)-[a:ASSIGNED_TO]->(u:Unit)
WHERE d.whistle = true AND a.at <= $as_of_end
RETURN d.code AS code, d.title AS name, d.status AS status, d.respond_by AS respond_by,
  d.accepted_at AS accepted_at, d.due AS due, d.done_at AS done_at,
  d.satisfaction AS satisfaction, d.reviewed_at AS reviewed_at, u.code AS unit,
  u.name AS unit_name, a.at AS dispatched_at, {compound} AS compound,
  {community} AS community, children
ORDER BY code"""


@cache
def whistles_query(scope_label: str, level: str, only: bool = False) -> Query:
    """Whistles raised in the scope's places of ``level`` (Compound, or Community for
    those raised in a community itself) and dispatched to a unit by ``$as_of_end``;
    ``only``: in the places of ``$places`` (analysis.queries.scoped)."""
    if level not in ("Compound", "Community"):
        raise ValueError(f"whistles are raised in a compound or community, not {level}")
    var = "c" if level == "Compound" else "m"
    text = scoped(level, scope_label, only) + "\n" + _WHISTLES_IN.format(
        var=var, compound="c.code" if var == "c" else "null",
        community="m.code" if var == "m" else "null")
    return analysis_read(only_name(f"analysis_whistles_{scope_label}_{level}", only), text)


def read_whistles(store: Store, label: str, params: dict[str, Any], only: bool = False
                  ) -> list[Row]:
    """The whistles of the scope (see the module docstring), one row each; ``only``:
    those raised in the places of ``params["places"]``."""
    rows = store.read(whistles_query(label, "Compound", only), **params)
    if depth(label) <= depth("Community"):
        rows += store.read(whistles_query(label, "Community", only), **params)
    return sorted(rows, key=lambda r: r["code"])


def _by(stamp: str | None, limit: str) -> bool:
    """Whether a stamp (None: not recorded, counted in time) is not after ``limit``."""
    return stamp is None or stamp <= limit


def _end(day: str) -> str:
    return day + "T23:59:59"


def _timely(reached: bool, stamp: str | None, due: str | None, as_of: str
            ) -> tuple[float, float]:
    """(numerator, denominator) of a whistle in a rate against a deadline: counted once
    the step was ``reached`` (at ``stamp``) or its ``due`` day has come, on time when
    reached by the end of ``due`` (no due: any time)."""
    counted = reached or (due is not None and due <= as_of)
    on_time = reached and (due is None or _by(stamp, _end(due)))
    return float(on_time), float(counted)


def response(w: Row, as_of: str) -> tuple[float, float]:
    """(numerator, denominator) of one whistle in the response rate at ``as_of``."""
    signed = w["status"] in SIGNED and _by(w["accepted_at"], _end(as_of))
    return _timely(signed, w["accepted_at"], w["respond_by"], as_of)


def resolution(w: Row, as_of: str) -> tuple[float, float]:
    """(numerator, denominator) of one whistle in the resolution rate at ``as_of``."""
    done = lifecycle.closed(w["status"], w["done_at"], _end(as_of))
    return _timely(done, w["done_at"], w["due"], as_of)


def satisfaction(w: Row, as_of: str) -> tuple[float, float]:
    """(numerator, denominator) of one whistle in the satisfaction rate at ``as_of``."""
    reviewed = (w["status"] == "reviewed" and w["satisfaction"] is not None
                and _by(w["reviewed_at"], _end(as_of)))
    return float(reviewed and w["satisfaction"] >= SATISFIED), float(reviewed)


Share = Callable[[Row, str], tuple[float, float]]


@dataclass(frozen=True)
class Rate:
    """One of the three rates: its key, Chinese name, definition and why it may have no
    ratio (marked, translated when computed), a whistle's share, whether it has an
    overdue list."""

    key: str
    zh: str
    definition: str
    empty: str
    share: Share
    overdue: bool


RATES: tuple[Rate, ...] = (
    Rate("whistle_response_rate", N_("吹哨响应率"),
         N_("签收时限前签收的吹哨事项数 ÷ 签收时限已到或已签收的吹哨事项数"),
         N_("范围内没有已到签收时限或已签收的吹哨事项"), response, True),
    Rate("whistle_resolution_rate", N_("吹哨解决率"),
         N_("办结时限前办结的吹哨事项数 ÷ 办结时限已到或已办结的吹哨事项数"),
         N_("范围内没有已到办结时限或已办结的吹哨事项"), resolution, True),
    Rate("whistle_satisfaction_rate", N_("吹哨满意率"),
         N_("满意度为 4 或 5 的已评价吹哨事项数 ÷ 已评价的吹哨事项数"),
         N_("范围内没有已评价的吹哨事项"), satisfaction, False),
)


def _item(w: Row, num: float, den: float) -> Item:
    return Item("Demand", w["code"], w["name"], num, den, 0, w["children"],
                detail={"unit": w["unit"], "compound": w["compound"],
                        "community": w["community"], "status": w["status"],
                        "respond_by": w["respond_by"], "accepted_at": w["accepted_at"],
                        "due": w["due"], "done_at": w["done_at"],
                        "satisfaction": w["satisfaction"]})


def by_unit(whistles: list[Row], items: list[Item]) -> list[dict[str, Any]]:
    """Per unit whistled: numerator, denominator and ratio over its whistles ``items``."""
    names = {w["unit"]: w["unit_name"] for w in whistles}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for i in items:
        sums[i.detail["unit"]][0] += i.num
        sums[i.detail["unit"]][1] += i.den
    return [{"label": "Unit", "code": code, "name": names[code], "numerator": num,
             "denominator": den, "ratio": num / den if den else None}
            for code, (num, den) in sorted(sums.items())]


def whistle_indicators(d: ScopeData) -> list[Indicator]:
    """The three rates of the scope (see the module docstring)."""
    out = []
    for rate in RATES:
        items = [_item(w, *rate.share(w, d.scope.as_of)) for w in d.whistles]
        items = [i for i in items if i.den > 0]  # not yet due: in neither figure
        extra: dict[str, Any] = {"by_unit": by_unit(d.whistles, items)}
        if rate.overdue:
            extra["overdue"] = sorted(i.code for i in items if not i.hit)
        out.append(tally(rate.key, rate.zh, translate(rate.definition), items, rate.empty,
                         d.scope.child_label, d.child_names, extra=extra))
    return out
