"""The annual duties indicator (党员“4+1”责任完成率).

Each in-service party member living in the scope (the members the dual-reporting
indicator counts: directly in a compound or in one of its buildings) has five duties a
year (graph.model ``DUTIES``: community party life, a talk with community cadres, a
survey, a volunteer day, one household helped), each recorded as a ``DutyRecord``
(``DUTY_OF`` the member) with the date it was done.  A member counts when every one of
the five has a record dated in the as-of year, on or before the as-of day; the
drill-down names, per member, the duties still missing.
"""

from __future__ import annotations

from analysis.fetch import Row, ScopeData
from analysis.tally import Indicator, Item, tally
from graph.i18n import N_, _
from graph.model import DUTIES

DUTY_CODES = tuple(c.code for c in DUTIES)


def annual_duties(d: ScopeData) -> Indicator:
    done: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    rows: dict[str, Row] = {}
    for r in d.residents:  # one row per (member, compound): a member may live in two
        done.setdefault(r["code"], set()).update(r["duties"])
        children.setdefault(r["code"], set()).update(r["children"])
        rows.setdefault(r["code"], r)
    units = []
    for code, r in rows.items():
        missing = [duty for duty in DUTY_CODES if duty not in done[code]]
        units.append(Item("Member", code, r["name"], 0.0 if missing else 1.0, 1.0, 0,
                          sorted(children[code]), rank=len(missing),
                          detail={"compound": r["compound"], "missing": missing}))
    return tally("annual_duties_rate", N_("党员“4+1”责任完成率"),
                 _("居住在范围内、本年度已完成全部五项责任（组织生活、谈心、调研、志愿服务日、"
                   "结对帮扶一户）的在职党员数 ÷ 居住在范围内的在职党员数"),
                 units, N_("范围内没有居住的在职党员"), d.scope.child_label, d.child_names)
