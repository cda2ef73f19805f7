"""What-if matching: another radius, k or extra resources, and two plans compared.

Nothing here writes: ``what_if`` is ``analysis.matching.match_demands`` with the
analyst's inputs (the same scope and as-of rules, the same solver), and ``compare`` sets
two plans side by side — how many demands each matches, why the rest are unmatched, the
distance travelled, and demand by demand what changed.

Category weights score a plan, they do not steer it: every resource serves one
category, so the matching falls apart into one problem per category, and scaling a
category's priorities cannot change who gets which resource (the solver already serves
the most urgency it can, then the shortest distance).  What a weight changes is the
value a comparison puts on each plan: ``weighted_served`` = Σ weight × urgency over the
matched demands, so "an elder-care volunteer or a repair team?" is answered in the
analyst's own terms.  Extra resources come from a
CSV file with the Resource ledger's columns (``read_resources``), so an analyst can ask
"what if a volunteer team with a repair service sat here" before anyone is recruited.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.fetch import Row
from analysis.frames import Table
from analysis.matching import MatchPlan, match_demands
from graph.model import NODE_BY_LABEL, Prop
from graph.store import Store

RESOURCE = NODE_BY_LABEL["Resource"]
# Columns an extra-resource file may have (English name or the ledger's Chinese header).
RESOURCE_COLUMNS = ("code", "name", "category", "capacity", "lat", "lon", "radius_m")
REQUIRED = ("code", "category", "lat", "lon")
MAX_EXTRA = 10_000  # rows of one extra-resource file


def read_resources(path: str | Path) -> list[Row]:
    """Resource rows from a CSV file (UTF-8, with or without BOM), each cell parsed by
    the model's Resource property; raises ValueError naming the row and column."""
    props: dict[str, Prop] = {}
    for name in RESOURCE_COLUMNS:
        prop = RESOURCE.prop(name)
        props[name] = props[prop.zh] = prop
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in reader.fieldnames or []]
        names = {h: props[h].name for h in header if h in props}
        missing = [c for c in REQUIRED if c not in names.values()]
        if missing:
            raise ValueError(f"额外资源文件 {path} 缺少列：{'、'.join(missing)}"
                             f"（可用列：{'、'.join(RESOURCE_COLUMNS)}，或台账的中文表头）")
        rows: list[Row] = []
        for line, raw in enumerate(reader, start=2):
            if len(rows) >= MAX_EXTRA:
                raise ValueError(f"额外资源文件 {path} 超过 {MAX_EXTRA} 行")
            row: Row = dict.fromkeys(RESOURCE_COLUMNS)
            for head, value in zip(header, raw.values(), strict=False):
                if head not in names:
                    continue
                try:
                    row[names[head]] = props[head].parse(value)
                except ValueError as exc:
                    raise ValueError(f"额外资源文件 {path} 第 {line} 行 {head}：{exc}") from None
            for col in REQUIRED:
                if row[col] is None:
                    raise ValueError(f"额外资源文件 {path} 第 {line} 行缺少 {col}")
            rows.append(row)
    dup = sorted(code for code, n in Counter(r["code"] for r in rows).items() if n > 1)
    if dup:
        raise ValueError(f"额外资源文件 {path} 中编码重复：{'、'.join(dup)}")
    return rows


def check_weights(weights: dict[str, float] | None) -> dict[str, float] | None:
    """Category weights keyed by the model's category codes (or Chinese names), none
    negative; raises ValueError otherwise."""
    if weights is None:
        return None
    category = RESOURCE.prop("category")
    out: dict[str, float] = {}
    for key, value in weights.items():
        code = category.parse(key)
        if not value >= 0:
            raise ValueError(f"类别 {key} 的权重不能为负，收到 {value}")
        out[code] = float(value)
    return out


def what_if(store: Store, scope_label: str, scope_code: str, *, radius: float | None = None,
            k: int = 20, extra: list[Row] | None = None,
            as_of: str | None = None) -> MatchPlan:
    """The match plan the scope would get with these inputs; nothing is written.  An
    extra resource may not reuse the code of a stored one."""
    if k < 1:
        raise ValueError(f"k 必须至少为 1，收到 {k}")
    if radius is not None and radius < 0:
        raise ValueError(f"半径不能为负，收到 {radius}")
    return match_demands(store, scope_label, scope_code, radius=radius, k=k, as_of=as_of,
                         extra=extra)


@dataclass
class PlanSummary:
    matched: int
    unmatched: dict[str, int]  # reason -> demands
    urgency_served: int
    weighted_served: float  # Σ weight × urgency of the matched (weight 1 when not named)
    total_distance_m: float
    candidate_pairs: int


def summary(plan: MatchPlan, weights: dict[str, float] | None = None) -> PlanSummary:
    reasons = Counter(u.reason for u in plan.unmatched)
    w = check_weights(weights) or {}
    served = sum(w.get(a.category, 1.0) * a.urgency for a in plan.assignments)
    return PlanSummary(len(plan.assignments), dict(sorted(reasons.items())),
                       plan.urgency_served, round(served, 3), plan.total_distance_m,
                       plan.candidate_pairs)


PLAN_COLUMNS = ("demand", "category", "urgency", "resource", "taker", "distance_m", "reason")


def plan_table(plan: MatchPlan) -> Table:
    """One row per demand of the plan: its resource, taker and distance, or the reason
    it stays unmatched."""
    rows = [{"demand": a.demand, "category": a.category, "urgency": a.urgency,
             "resource": a.resource,
             "taker": f"{a.offerer_label}:{a.offerer}" if a.offerer else None,
             "distance_m": a.distance_m, "reason": None} for a in plan.assignments]
    rows += [{"demand": u.demand, "category": u.category, "urgency": u.urgency,
              "resource": None, "taker": None, "distance_m": None, "reason": u.reason}
             for u in plan.unmatched]
    return Table(PLAN_COLUMNS, sorted(rows, key=lambda r: r["demand"]))


CHANGE_COLUMNS = ("demand", "category", "urgency", "resource_a", "distance_m_a", "reason_a",
                  "resource_b", "distance_m_b", "reason_b")


@dataclass
class Comparison:
    a: PlanSummary
    b: PlanSummary
    changes: Table  # demands whose resource or reason differs (CHANGE_COLUMNS)

    @property
    def newly_matched(self) -> list[str]:
        return [r["demand"] for r in self.changes.rows if r["resource_a"] is None
                and r["resource_b"] is not None]

    @property
    def newly_unmatched(self) -> list[str]:
        return [r["demand"] for r in self.changes.rows if r["resource_a"] is not None
                and r["resource_b"] is None]

    def summary_table(self) -> Table:
        """One row per figure: plan a, plan b and the difference."""
        reasons = sorted(set(self.a.unmatched) | set(self.b.unmatched))
        figures: list[tuple[str, float, float]] = [
            ("matched", self.a.matched, self.b.matched),
            *((f"unmatched: {r}", self.a.unmatched.get(r, 0), self.b.unmatched.get(r, 0))
              for r in reasons),
            ("urgency_served", self.a.urgency_served, self.b.urgency_served),
            ("weighted_served", self.a.weighted_served, self.b.weighted_served),
            ("total_distance_m", self.a.total_distance_m, self.b.total_distance_m),
            ("candidate_pairs", self.a.candidate_pairs, self.b.candidate_pairs),
        ]
        return Table(("figure", "a", "b", "change"),
                     [{"figure": f, "a": x, "b": y, "change": round(y - x, 1)}
                      for f, x, y in figures])

    def to_frame(self) -> Any:
        """The demand-by-demand changes as a DataFrame (``summary_table`` for figures)."""
        return self.changes.to_frame()


def compare(a: MatchPlan, b: MatchPlan,
            weights: dict[str, float] | None = None) -> Comparison:
    """Plan ``a`` against plan ``b`` of the same scope, scored with category ``weights``."""
    left = {r["demand"]: r for r in plan_table(a).rows}
    right = {r["demand"]: r for r in plan_table(b).rows}
    rows = []
    for demand in sorted(left.keys() | right.keys()):
        x, y = left.get(demand), right.get(demand)
        if x and y and (x["resource"], x["reason"]) == (y["resource"], y["reason"]):
            continue
        base = x or y or {}
        rows.append({"demand": demand, "category": base["category"],
                     "urgency": base["urgency"],
                     "resource_a": x and x["resource"], "distance_m_a": x and x["distance_m"],
                     "reason_a": x and x["reason"], "resource_b": y and y["resource"],
                     "distance_m_b": y and y["distance_m"], "reason_b": y and y["reason"]})
    return Comparison(summary(a, weights), summary(b, weights), Table(CHANGE_COLUMNS, rows))
