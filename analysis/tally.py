"""The shape every indicator shares: items with a numerator and denominator share,
summed for the scope and per child scope.

An indicator is computed from *units* (compounds, buildings, people, demands ...).  A
unit contributes ``num`` to the numerator and ``den`` to the denominator (1 and 0/1 for
a yes/no item, household counts for household-weighted ones), and carries the child
scopes it lies in.  A unit in two child scopes (a compound spanning two grids) counts
in each child's figure but once in the scope's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.i18n import N_, translate

# why a ratio is missing, shared by the indicators counting compounds or communities
NO_COMPOUNDS = N_("范围内没有小区")
NO_COMMUNITIES = N_("范围内没有社区")


@dataclass
class Item:
    """One item behind a figure (drill-down row)."""

    label: str
    code: str
    name: str | None
    num: float
    den: float
    households: int  # households affected when this item is a gap (ranking key)
    children: list[str] = field(default_factory=list)
    rank: float = 0  # secondary ranking key among gaps (posts held, hours overdue ...)
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def hit(self) -> bool:
        return self.num >= self.den > 0


@dataclass
class ChildFigure:
    """The indicator for one child scope (a county's street, a street's community ...)."""

    label: str
    code: str
    name: str | None
    numerator: float
    denominator: float
    ratio: float | None


@dataclass
class Indicator:
    """One row of the DOMAIN.md indicator table for one scope.

    ``hits`` are the items counted in the numerator, ``gaps`` the rest of the
    denominator, ranked by households affected (largest first); ``extra`` holds the
    secondary figures a row defines (units per community, median hours ...).

    ``zh`` is the Chinese name, whatever the language (the name county staff use);
    ``title``, ``definition`` and ``reason`` are in the language in force when the
    indicator was computed (the same text as ``zh`` in Chinese).
    """

    key: str
    title: str
    zh: str
    definition: str
    numerator: float
    denominator: float
    ratio: float | None
    reason: str | None
    hits: list[Item]
    gaps: list[Item]
    children: list[ChildFigure]
    extra: dict[str, Any] = field(default_factory=dict)
    lower_is_better: bool = False  # counts a problem (``hit_is_gap``): less is better


def ratio(num: float, den: float, empty: str) -> tuple[float | None, str | None]:
    """The ratio, or None with the reason ``empty`` (a message marked with ``N_``,
    范围内没有小区) when there is nothing to divide by."""
    if den <= 0:
        return None, translate(empty)
    return num / den, None


def tally(
    key: str,
    zh: str,
    definition: str,
    units: Iterable[Item],
    empty: str,
    child_label: str | None,
    child_names: dict[str, str | None],
    extra: dict[str, Any] | None = None,
    hit_is_gap: bool = False,
) -> Indicator:
    """Sum units into the scope figure and one figure per child scope.

    ``zh`` (the Chinese name) and ``empty`` (why there is no ratio) are messages marked
    with ``N_`` where the indicator is defined, translated here; ``definition`` comes
    translated (it may carry figures: the walking distance, the overload threshold).
    ``hit_is_gap`` is for indicators that count a problem (three-no compounds,
    overloaded people): their numerator items are the gap list.
    """
    items = list(units)
    num = float(sum(u.num for u in items))
    den = float(sum(u.den for u in items))
    value, reason = ratio(num, den, empty)
    per_child: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for u in items:
        for child in set(u.children):
            per_child[child][0] += u.num
            per_child[child][1] += u.den
    children = [
        ChildFigure(child_label or "", code, child_names.get(code), n, d, ratio(n, d, empty)[0])
        for code, (n, d) in sorted(per_child.items())
    ] if child_label else []
    hits = [u for u in items if u.hit != hit_is_gap]
    gaps = sorted((u for u in items if u.hit == hit_is_gap),
                  key=lambda u: (-u.households, -u.rank, u.code))
    return Indicator(key, translate(zh), zh, definition, num, den, value, reason, hits, gaps,
                     children, extra or {}, hit_is_gap)
