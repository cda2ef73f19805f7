"""Coverage gaps: every indicator as a ranked list of what is missing.

Each list is the indicator's ``gaps`` (see ``analysis.tally``): the items in its
denominator that are not covered, largest households affected first (for indicators
that count a problem, such as three-no compounds or overloaded people, the problem
items themselves).  Three lists get names of their own because county staff ask for
them by name: three-no compounds (三无小区), no-property compounds (无物业小区) and
compounds outside the 15-minute service circle (great-circle distance to the nearest
service site by ``scipy.spatial.cKDTree``, default 1,000 m).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.indicators import IndicatorReport
from analysis.tally import Item


@dataclass
class GapReport:
    scope_label: str
    scope_code: str
    as_of: str
    walk_m: float
    lists: dict[str, list[Item]]  # indicator key -> gaps, ranked

    @property
    def three_no(self) -> list[Item]:
        return self.lists["three_no_compounds"]

    @property
    def no_property(self) -> list[Item]:
        return self.lists["property_management_coverage"]

    @property
    def outside_service_circle(self) -> list[Item]:
        return self.lists["service_circle"]


def gaps_from(report: IndicatorReport, walk_m: float = 1000.0) -> GapReport:
    s = report.scope
    return GapReport(s.label, s.code, s.as_of, walk_m,
                     {ind.key: ind.gaps for ind in report.indicators})
