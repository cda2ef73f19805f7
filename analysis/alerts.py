"""Early warning (预警): a county's rules as data, the conditions they find, the alerts kept.

Every ``AlertRule`` belongs to a county (``RULE_OF``) and is evaluated over the whole
county.  The conditions are computed from the rows the indicators already read
(:func:`analysis.fetch.fetch`, :func:`analysis.indicators.indicators_from`) plus the few
facts those rows lack (:mod:`analysis.alert_queries`); nothing is asked per item.

A condition is one (rule, item, place): the item an alert is ``ABOUT`` (a compound, a
demand, a firm ...) and the area it is ``RAISED_AT`` (which decides who sees it).  Its
alert's code is made from those, so the same condition always lands on the same alert:
:func:`evaluate` raises the new ones (新), refreshes the ones still there (their message
and ``last_seen``), clears (已消除) open ones whose condition is gone and re-opens a
cleared one that comes back, in one write transaction, and says what changed.  Status
changes made by people (已知悉, 已处理) stay while the condition holds.  Run twice at
the same moment it changes nothing the second time.

Each status change is one line of the alert's ``history``: ``when<TAB>status<TAB>who``.
The history is bounded (:func:`appended`): its first line, a line saying how many were
left out, and the newest :data:`HISTORY_KEPT`, so a condition that comes and goes for
years never makes it longer than a text may be (``MAX_TEXT``) and the write fail.
Messages are stored in Chinese whatever the language of the request that ran the
evaluation: they are data, read later by anyone.

**What a run writes.**  Only alerts whose status or message changed (the place is part
of the code, so it cannot change under one): evaluating again with no data change
writes no alert at all.  ``last_seen`` is therefore the moment the evaluation last
found something new about the alert (raised, re-opened, its figures changed), not the
last run that saw it: an open alert's condition held at the latest run by definition
(else it would be cleared), and the runs themselves are in the audit log
(``evaluate_alerts``).  The rules are read once per run (:func:`read_rules`, by the
caller that decides whether to run at all).

**Per item or per area.**  An item rule raises one alert per item where staff act per
item: a grid without a full-time worker, a committee whose term ends, a compound
without a branch.  Overdue demands and members who have not reported are many (a
county of the ``county`` preset has thousands) and are chased by the community, not
one by one from the county office: with a ``level`` (Community, Street, County) such
a rule raises one alert per area of that level, counting its items and naming the
earliest (:data:`GROUPED`); their own boards list each.  Its ``days`` is a grace: a
demand counts once overdue by more than that many days.  :func:`default_rules` is the
set a county office would switch on (``bench/alerts.py`` measures it against the
first, per-item set on the ``county`` preset, as of 2026-12-04: 142 alerts against
5,158; a first run 3.4 s against 10.3 s, a run with nothing changed 1.7 s writing
nothing, against 8.2 s rewriting every alert before this change).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from analysis import alert_queries as aq
from analysis.collector import paused_gc
from analysis.fetch import ScopeData, fetch
from analysis.indicators import (
    IndicatorReport,
    Options,
    catalogue,
    compute_indicators,
    indicators_from,
)
from analysis.tally import Indicator
from analysis.texts import choice_name, listed
from graph import lifecycle
from graph.dates import parse_as_of
from graph.i18n import DEFAULT, N_, _, language, translate
from graph.model import MAX_TEXT, NODE_BY_LABEL, check_code
from graph.spine import AREAS, parent_of
from graph.store import Store, Transaction, bump_stamp
from graph.writer import NodeRecord, RelRecord, WriteSummary, write_graph

SYSTEM = "system:预警"  # who the history and the audit log name for the service itself
NEW, ACKNOWLEDGED, HANDLED, CLEARED = "new", "acknowledged", "handled", "cleared"
OPEN = (NEW, ACKNOWLEDGED, HANDLED)  # statuses of an alert whose condition holds
# A person's steps: the statuses each may start from, and where it leads.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": ((NEW,), ACKNOWLEDGED),
    "resolve": ((NEW, ACKNOWLEDGED), HANDLED),
}
_RULE = NODE_BY_LABEL["AlertRule"]
_DEMAND_STATUS = NODE_BY_LABEL["Demand"].prop("status")
# Only one evaluation runs at a time in a process (the schedule, a mutation, an import).
_RUNNING = threading.Lock()
HISTORY_KEPT = 15  # the newest lines of a history kept after its first (see appended)
OMITTED = "omitted"  # the status column of the line standing for the lines left out
# The item rules that may raise one alert per area (``level``) instead of one per item.
GROUPED = ("demand_overdue", "not_reported")
GROUP_LEVELS = ("County", "Street", "Community")
NAMED = 5  # the items a grouped alert names (the earliest), the rest counted


@dataclass(frozen=True)
class Rule:
    """One ``AlertRule`` as read from the store (see the model for each property)."""

    code: str
    name: str
    kind: str
    county: str
    indicator: str | None = None
    level: str | None = None
    comparison: str | None = None
    threshold: float | None = None
    days: int | None = None
    enabled: bool = True

    @classmethod
    def of(cls, props: dict[str, Any], county: str) -> Rule:
        known = {k: props.get(k) for k in ("indicator", "level", "comparison", "threshold",
                                           "days")}
        return cls(props["code"], props.get("name") or props["code"], props["kind"], county,
                   enabled=props.get("enabled") is not False, **known)


@dataclass(frozen=True)
class Condition:
    """What a rule found: ``item`` (label, code) lying in the area ``place``."""

    rule: str
    item: tuple[str, str]
    place: tuple[str, str]
    message: str

    @property
    def code(self) -> str:
        return alert_code(self.rule, self.item, self.place)


@dataclass
class Changes:
    """What one evaluation did, by alert code: ``raised`` (new or re-opened),
    ``cleared``, and ``kept`` (still there, unchanged in status)."""

    raised: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.raised or self.cleared)


def alert_code(rule: str, item: tuple[str, str], place: tuple[str, str]) -> str:
    """``A-<rule>-<label>-<code>`` (and ``-<place>`` when the item is not the place
    itself: a firm alerts once per compound it manages); a digest of the same when
    that is not a safe code of at most 64 characters."""
    text = f"A-{rule}-{item[0]}-{item[1]}" + ("" if item == place else f"-{place[1]}")
    try:
        check_code(text)
        return text
    except ValueError:
        digest = hashlib.sha256("\x1f".join((rule, *item, *place)).encode()).hexdigest()
        return f"A-{digest[:24]}"


def history_line(at: str, status: str, who: str) -> str:
    """One line of an alert's history (tabs and the newline are kept out of ``who``)."""
    return "\t".join((at, status, " ".join(who.split())))


def history(text: str | None) -> list[tuple[str, str, str]]:
    """An alert's history as (when, status, who), oldest first; lines left out are one
    line ``("…", OMITTED, how many)``."""
    out = []
    for line in (text or "").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
    return out


def appended(text: str | None, line: str) -> str:
    """``text`` (a history) with ``line`` as its newest line, bounded: the first line
    (when the alert was raised), one line counting the lines left out, and the newest
    :data:`HISTORY_KEPT`, and fewer while the whole is longer than ``MAX_TEXT``."""
    lines = [*(text or "").splitlines(), line]
    first, rest = lines[0], lines[1:]
    omitted = 0
    if rest and rest[0].split("\t")[1:2] == [OMITTED]:
        omitted = int(rest[0].split("\t")[2])
        rest = rest[1:]

    def joined() -> str:
        marker = [history_line("…", OMITTED, str(omitted))] if omitted else []
        return "\n".join([first, *marker, *rest])

    while len(rest) > 1 and (len(rest) > HISTORY_KEPT or len(joined()) > MAX_TEXT):
        rest, omitted = rest[1:], omitted + 1
    return joined()


def default_rules() -> list[dict[str, Any]]:
    """The rule set ``jinlin demo`` seeds for each county (properties of AlertRule)."""
    return [
        {"code": "R-BRANCH-STREET", "name": "街道小区党组织覆盖率低于90%", "kind": "threshold",
         "indicator": "compound_branch_coverage", "level": "Street", "comparison": "below",
         "threshold": 0.9, "enabled": True},
        {"code": "R-PROPERTY-COMMUNITY", "name": "社区物业管理覆盖率低于80%",
         "kind": "threshold", "indicator": "property_management_coverage",
         "level": "Community", "comparison": "below", "threshold": 0.8, "enabled": True},
        {"code": "R-OVERDUE", "name": "社区有需求超期7天以上未办结", "kind": "demand_overdue",
         "level": "Community", "days": 7, "enabled": True},
        {"code": "R-TERM", "name": "业委会任期30天内届满或已届满", "kind": "committee_term",
         "days": 30, "enabled": True},
        {"code": "R-BLACK", "name": "黑榜物业企业仍在管理小区", "kind": "firm_black",
         "enabled": True},
        {"code": "R-CREDIT", "name": "物业企业信用分低于60", "kind": "firm_credit",
         "threshold": 60.0, "enabled": True},
        {"code": "R-THREE-NO", "name": "三无小区", "kind": "three_no", "enabled": True},
        {"code": "R-NO-BRANCH", "name": "小区无党组织覆盖", "kind": "no_branch",
         "enabled": True},
        {"code": "R-GRID-WORKER", "name": "网格无专职网格员", "kind": "grid_worker",
         "enabled": True},
        {"code": "R-OVERLOAD", "name": "一人任职不少于4个", "kind": "overloaded",
         "threshold": 4.0, "enabled": True},
        {"code": "R-REPORT", "name": "社区有在职党员入党组织90天未报到",
         "kind": "not_reported", "level": "Community", "days": 90, "enabled": True},
    ]


@cache
def indicator_keys() -> tuple[str, ...]:
    """The keys a threshold rule may name (analysis.indicators' table)."""
    return tuple(sorted(i.key for i in catalogue()))


def check_rule(rule: Rule) -> tuple[str, str] | None:
    """Why ``rule`` cannot be evaluated: the property it lacks and the reason (the API
    refuses such a rule on that field; an evaluation skips it); None when it can."""
    if rule.kind == "threshold":
        if rule.indicator not in indicator_keys():
            return "indicator", _("指标（indicator）须是 {keys} 之一，填的是 {value}",
                                  keys=listed(indicator_keys()), value=repr(rule.indicator))
        if rule.level not in AREAS:
            return "level", _("指标阈值规则须填写评估层级（level）")
    if rule.kind in GROUPED and rule.level is not None and rule.level not in GROUP_LEVELS:
        return "level", _("规则类型 {kind} 的评估层级（level）须是 {levels} 之一",
                          kind=rule.kind, levels=listed(GROUP_LEVELS))
    if rule.kind in ("committee_term", "not_reported") and rule.days is None:
        return "days", _("规则类型 {kind} 须填写天数（days）", kind=rule.kind)
    if rule.kind in ("threshold", "firm_credit", "overloaded") and rule.threshold is None:
        return "threshold", _("规则类型 {kind} 须填写阈值（threshold）", kind=rule.kind)
    return None


# --- the conditions ---------------------------------------------------------------------


@dataclass
class Facts:
    """What one county's evaluation reads, each read at most once."""

    store: Store
    county: str
    as_of: str
    _data: ScopeData | None = None
    _reports: dict[tuple[str, str], IndicatorReport] = field(default_factory=dict)

    @property
    def data(self) -> ScopeData:
        if self._data is None:
            self._data = fetch(self.store, "County", self.county, self.as_of)
        return self._data

    def report(self, label: str, code: str) -> IndicatorReport:
        key = (label, code)
        if key not in self._reports:
            if key == ("County", self.county):
                self._reports[key] = indicators_from(self.data, Options())
            else:
                self._reports[key] = compute_indicators(self.store, label, code, self.as_of)
        return self._reports[key]

    def names(self) -> dict[str, str]:
        return {c["code"]: c["name"] or c["code"] for c in self.data.compounds}

    @cached_property
    def _compounds(self) -> dict[str, dict[str, Any]]:
        return {c["code"]: c for c in self.data.compounds}

    @cached_property
    def _communities(self) -> dict[str, dict[str, Any]]:
        return {m["code"]: m for m in self.data.communities}

    def area(self, level: str, compound: str | None, community: str | None) -> str | None:
        """The area of ``level`` (:data:`GROUP_LEVELS`) that ``compound`` lies in, or
        ``community`` for what lies in no compound (the least code of two)."""
        if level == "County":
            return self.county
        if compound is not None:
            row = self._compounds.get(compound) or {}
            codes = row.get("children" if level == "Street" else "communities") or []
        elif level == "Community":
            codes = [community] if community else []
        else:  # a county's rows carry their street as ``children``
            codes = (self._communities.get(community or "") or {}).get("children") or []
        return min(codes) if codes else None

    def area_name(self, level: str, code: str) -> str:
        if level == "County":
            return self.data.scope.name or code
        if level == "Street":
            return self.data.child_names.get(code) or code
        return (self._communities.get(code) or {}).get("name") or code


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _threshold(rule: Rule, f: Facts) -> list[Condition]:
    assert rule.level is not None and rule.threshold is not None
    figures: list[tuple[str, str | None, float, float, float | None, Indicator]] = []
    if rule.level == "County":
        ind = f.report("County", f.county).get(str(rule.indicator))
        figures.append((f.county, f.data.scope.name, ind.numerator, ind.denominator,
                        ind.ratio, ind))
    else:
        parent = parent_of(rule.level)
        assert parent is not None
        for row in f.store.read(aq.areas(parent), scope=f.county):
            ind = f.report(parent, row["code"]).get(str(rule.indicator))
            figures += [(c.code, c.name, c.numerator, c.denominator, c.ratio, ind)
                        for c in ind.children]
    below = rule.comparison != "above"
    out = []
    for code, name, num, den, ratio, ind in figures:
        if ratio is None or (ratio >= rule.threshold if below else ratio <= rule.threshold):
            continue
        message = _("{place}{indicator}为 {ratio}（{num}/{den}），{compare}阈值 {threshold}",
                    place=name or code, indicator=ind.zh, ratio=_percent(ratio),
                    num=f"{num:g}", den=f"{den:g}",
                    compare=translate(N_("低于") if below else N_("高于")),
                    threshold=_percent(rule.threshold))
        out.append(Condition(rule.code, (str(rule.level), code), (str(rule.level), code),
                             message))
    return out


def _days(start: str, end: str) -> int:
    return (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days


def _grouped(rule: Rule, f: Facts, text: str,
             found: Iterable[tuple[str | None, str | None, str, str]]) -> list[Condition]:
    """One condition per area of ``rule.level`` holding any of ``found`` (compound,
    community, sort key, label): how many, and the labels of the first :data:`NAMED`
    by key; the place is the item (its code and message change only with the area's
    set of items, not with the day)."""
    level = str(rule.level)
    by_area: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for compound, community, key, label in found:
        area = f.area(level, compound, community)
        if area is not None:
            by_area[area].append((key, label))
    out = []
    for area, items in sorted(by_area.items()):
        items.sort()
        message = translate(text).format(
            place=f.area_name(level, area), count=len(items), days=int(rule.days or 0),
            items=listed(label for _, label in items[:NAMED]))
        out.append(Condition(rule.code, (level, area), (level, area), message))
    return out


def _overdue(rule: Rule, f: Facts) -> list[Condition]:
    """Demands overdue by more than ``days`` (none: any), one alert each or, with a
    ``level``, one per area (:func:`_grouped`)."""
    grace = int(rule.days or 0)
    late = [r for r in f.data.demands
            if lifecycle.overdue(r["status"], r["due"], r["done_at"], f.as_of)
            and _days(r["due"], f.as_of) > grace]
    if rule.level is not None:
        return _grouped(rule, f, N_("{place}有 {count} 件需求超期 {days} 天以上仍未办结，"
                                    "时限最早的：{items}"),
                        ((r["compound"], r["community"], f"{r['due']}\t{r['code']}",
                          f"“{r['name'] or r['code']}”（{r['due']}）") for r in late))
    out = []
    for r in late:
        place = ("Compound", r["compound"]) if r["compound"] else ("Community", r["community"])
        message = _("需求“{title}”办结时限 {due}，已超期 {days} 天，当前状态：{status}",
                    title=r["name"], due=r["due"], days=_days(r["due"], f.as_of),
                    status=choice_name(_DEMAND_STATUS, r["status"] or lifecycle.OPEN))
        out.append(Condition(rule.code, ("Demand", r["code"]), place, message))
    return out


def _term(rule: Rule, f: Facts) -> list[Condition]:
    days = int(rule.days or 0)
    out = []
    for r in f.store.read(aq.COMMITTEES, scope=f.county, as_of=f.as_of):
        left = _days(f.as_of, r["term_end"])
        if left < 0 and not r["sitting"]:
            text = N_("小区“{compound}”的业委会“{name}”任期已于 {end} 届满（已过 {days} 天），"
                      "尚无现任业委会")
        elif 0 <= left <= days:
            text = N_("小区“{compound}”的业委会“{name}”任期将于 {end} 届满（还有 {days} 天）")
        else:
            continue
        message = translate(text).format(compound=r["compound_name"] or r["compound"],
                                         name=r["name"] or r["code"], end=r["term_end"],
                                         days=abs(left))
        out.append(Condition(rule.code, ("OwnersCommittee", r["code"]),
                             ("Compound", r["compound"]), message))
    return out


def _firms(rule: Rule, f: Facts) -> list[Condition]:
    managed = {r["code"]: r["compounds"] for r in f.data.firms}
    names = f.names()
    out = []
    for r in f.store.read(aq.FIRMS, codes=sorted(managed)):
        if rule.kind == "firm_black":
            if r["list_status"] != "black":
                continue
            text = N_("物业服务企业“{firm}”在黑榜上，仍在管理小区“{compound}”")
        else:
            score = r["credit_score"]
            if score is None or rule.threshold is None or score >= rule.threshold:
                continue
            text = N_("物业服务企业“{firm}”信用分 {score}，低于 {threshold}，"
                      "仍在管理小区“{compound}”")
        for compound in sorted(set(managed[r["code"]])):
            message = translate(text).format(
                firm=r["name"] or r["code"], compound=names.get(compound, compound),
                score=f"{r['credit_score']:g}" if r["credit_score"] is not None else "",
                threshold=f"{rule.threshold:g}" if rule.threshold is not None else "")
            out.append(Condition(rule.code, ("PropertyFirm", r["code"]),
                                 ("Compound", compound), message))
    return out


# The compound rules: which of the compound row's lists must be empty, and what it lacks.
_MISSING: dict[str, tuple[tuple[str, ...], str]] = {
    "three_no": (("firms", "committees", "units"), N_("无物业、无业委会、无责任单位")),
    "no_branch": (("branches",), N_("没有小区或网格党支部覆盖")),
    "no_firm": (("firms",), N_("没有物业服务企业管理")),
    "no_committee": (("committees",), N_("没有现任业委会")),
}


def _compounds(rule: Rule, f: Facts) -> list[Condition]:
    columns, lacks = _MISSING[rule.kind]
    out = []
    for c in f.data.compounds:
        if any(c[col] for col in columns):
            continue
        message = _("小区“{name}”{lacks}（{households} 户）", name=c["name"] or c["code"],
                    lacks=translate(lacks), households=f.data.households[c["code"]])
        out.append(Condition(rule.code, ("Compound", c["code"]), ("Compound", c["code"]),
                             message))
    return out


def _grids(rule: Rule, f: Facts) -> list[Condition]:
    out = []
    for g in f.data.grids:
        if any(w["full_time"] for w in g["workers"]):
            continue
        workers = len({w["person"] for w in g["workers"]})
        message = _("网格“{name}”没有专职网格员（现有网格员 {count} 名）",
                    name=g["name"] or g["code"], count=workers)
        out.append(Condition(rule.code, ("Grid", g["code"]), ("Grid", g["code"]), message))
    return out


def _overloaded(rule: Rule, f: Facts) -> list[Condition]:
    """People with at least ``threshold`` current posts, raised at the one street their
    posts in the county lie in (the county when they span streets)."""
    least = int(rule.threshold or 0)
    out = []
    for code, streets in sorted(f.data.person_children.items()):
        row = f.data.people.get(code)
        posts = row["posts"] if row else []
        if not posts or len(posts) < least:
            continue
        place = ("Street", min(streets)) if len(streets) == 1 else ("County", f.county)
        held = listed(sorted({f"{p['name'] or p['code']}" for p in posts}))
        message = _("{name} 现任 {count} 个职务，不少于 {least} 个：{posts}",
                    name=row["name"] if row else code, count=len(posts), least=least,
                    posts=held)
        out.append(Condition(rule.code, ("Person", code), place, message))
    return out


def _not_reported(rule: Rule, f: Facts) -> list[Condition]:
    """In-service members living in the county who have not reported to a community
    their home lies in, ``days`` after they joined their party organisation."""
    residents: dict[str, dict[str, Any]] = {}
    for r in f.data.residents:
        seen = residents.setdefault(r["code"], {**r, "homes": set(), "reported": set()})
        seen["homes"] |= set(r["homes"])
        seen["reported"] |= set(r["reported"])
    waiting = sorted(code for code, r in residents.items() if not r["homes"] & r["reported"])
    if not waiting:
        return []
    out = []
    late_ones = []
    for row in f.store.read(aq.JOINED, codes=waiting, as_of=f.as_of):
        if not row["joined"]:
            continue
        joined = max(row["joined"])
        late = _days(joined, f.as_of) - int(rule.days or 0)
        if late <= 0:
            continue
        r = residents[row["code"]]
        if rule.level is not None:
            late_ones.append((r["compound"], None, f"{joined}\t{r['code']}",
                              f"{r['name'] or r['code']}（{joined}）"))
            continue
        message = _("在职党员 {name} 于 {joined} 转入党组织，{days} 天内应到居住地社区"
                    "报到，至今未报到（已超 {late} 天）", name=r["name"] or r["code"],
                    joined=joined, days=int(rule.days or 0), late=late)
        out.append(Condition(rule.code, ("Person", r["code"]), ("Compound", r["compound"]),
                             message))
    if rule.level is not None:
        return _grouped(rule, f, N_("{place}有 {count} 名在职党员转入党组织超过 {days} 天仍未"
                                    "到居住地社区报到，转入最早的：{items}"), late_ones)
    return out


_KINDS: dict[str, Callable[[Rule, Facts], list[Condition]]] = {
    "threshold": _threshold, "demand_overdue": _overdue, "committee_term": _term,
    "firm_black": _firms, "firm_credit": _firms, "grid_worker": _grids,
    "overloaded": _overloaded, "not_reported": _not_reported,
    **dict.fromkeys(_MISSING, _compounds),
}
assert set(_KINDS) == {c.code for c in _RULE.prop("kind").choices}, "every rule kind"


def conditions(store: Store, rules: Iterable[Rule], county: str,
               as_of: str) -> list[Condition]:
    """Every condition the enabled, well-formed ``rules`` of ``county`` find at ``as_of``
    (one per alert code), in Chinese."""
    facts = Facts(store, county, as_of)
    found: dict[str, Condition] = {}
    with language(DEFAULT), paused_gc():
        for rule in rules:
            if rule.enabled and check_rule(rule) is None:
                for cond in _KINDS[rule.kind](rule, facts):
                    found.setdefault(cond.code, cond)
    return list(found.values())


# --- keeping the alerts -----------------------------------------------------------------


def read_rules(store: Store) -> dict[str, list[Rule]]:
    """Every county's rules, by county code."""
    out: dict[str, list[Rule]] = defaultdict(list)
    for row in store.read(aq.RULES):
        out[row["county"]].append(Rule.of(row["props"], row["county"]))
    return dict(out)


def _apply(tx: Transaction, found: list[Condition], at: str, who: str) -> Changes:
    """Bring every alert in line with ``found``, in ``tx``: an open alert that is not
    found (its condition gone, its rule switched off or deleted) is cleared.  Only what
    changed is written (see the module docstring)."""
    changes = Changes()
    existing = {r["code"]: r for r in tx.run(aq.ALERTS)}
    now = {c.code: c for c in found}
    created: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    updates: list[dict[str, Any]] = []

    def update(old: dict[str, Any], props: dict[str, Any], status: str | None = None) -> None:
        """``props`` on ``old``, and ``status`` with its history line (compare-and-set on
        the status and history read)."""
        if status is not None:
            props = {**props, "status": status,
                     "history": appended(old["history"], history_line(at, status, who))}
        updates.append({"code": old["code"], "status": old["status"],
                        "history": old["history"] or "", "props": props})

    for code, cond in sorted(now.items()):
        old = existing.get(code)
        if old is None:
            created[(cond.item[0], cond.place[0])].append({
                "code": code, "rule": cond.rule, "item": cond.item[1], "place": cond.place[1],
                "props": {"code": code, "status": NEW, "message": cond.message,
                          "first_seen": at, "last_seen": at, "cleared_at": None, "note": None,
                          "history": history_line(at, NEW, who)}})
            changes.raised.append(code)
        elif old["status"] == CLEARED:
            update(old, {"message": cond.message, "last_seen": at, "cleared_at": None}, NEW)
            changes.raised.append(code)
        else:
            if old["message"] != cond.message:
                update(old, {"message": cond.message, "last_seen": at})
            changes.kept.append(code)
    for code, old in sorted(existing.items()):
        if code not in now and old["status"] in OPEN:
            update(old, {"cleared_at": at}, CLEARED)
            changes.cleared.append(code)
    for (item, place), rows in sorted(created.items()):
        tx.run(aq.create(item, place), rows=rows)
    if updates:
        tx.run(aq.UPDATE, rows=updates)
    if created or updates:
        # An evaluation also runs outside the serving process (after ``jinlin load``,
        # restore, demo): the stamp lets a running service's kept answers see it.
        bump_stamp(tx)
    return changes


def evaluate(store: Store, as_of: str | None = None, at: str | None = None,
             who: str = SYSTEM, rules: dict[str, list[Rule]] | None = None) -> Changes:
    """Evaluate every county's enabled rules at ``as_of`` (default today) and keep the
    alerts in one write transaction; ``at`` (default now) stamps what changed, ``who``
    the history.  ``rules`` are :func:`read_rules`' answer when the caller has it (read
    here otherwise).  Runs one at a time in a process.  Nothing is written when the
    store holds no rule at all (an empty Changes)."""
    day = parse_as_of(as_of)
    stamp = at or dt.datetime.now().replace(microsecond=0).isoformat()
    with _RUNNING:
        counties = read_rules(store) if rules is None else rules
        if not any(counties.values()):
            return Changes()
        found = [c for county, county_rules in sorted(counties.items())
                 for c in conditions(store, county_rules, county, day)]
        return store.transaction(lambda tx: _apply(tx, found, stamp, who))


def seed_rules(store: Store, county: str) -> WriteSummary:
    """Write :func:`default_rules` for ``county`` in one transaction, but none whose code
    a rule already has (codes are unique across counties)."""
    have = {r.code for rules in read_rules(store).values() for r in rules}
    todo = [r for r in default_rules() if r["code"] not in have]
    nodes = [NodeRecord("AlertRule", r["code"], {k: v for k, v in r.items() if k != "code"})
             for r in todo]
    rels = [RelRecord("RULE_OF", "AlertRule", r["code"], "County", county) for r in todo]
    return write_graph(store, nodes, rels) if todo else WriteSummary()


def step(tx: Transaction, name: str, code: str, guard: str, guard_name: str, at: str,
         who: str, note: str | None = None, **params: Any) -> bool:
    """A person's step on alert ``code`` (:data:`STEPS`) in ``tx``: a compare-and-set on
    its status (and the history it adds a line to, :func:`appended`); False when the
    alert is not in a status the step starts from (or the ``guard`` does not hold)."""
    before, after = STEPS[name]
    props: dict[str, Any] = {} if note is None else {"note": note}
    was = tx.run(aq.HISTORY, code=code)
    if not was:
        return False
    text = was[0]["history"] or ""
    props["history"] = appended(text, history_line(at, after, who))
    return bool(tx.run(aq.transition(guard, guard_name), code=code, props=props,
                       **{"from": list(before)}, to=after, was=text, **params))
