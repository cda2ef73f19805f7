"""Data that gives wrong figures without a word: unplaced nodes and contradictions.

An indicator only sees what the spine places in its scope: a compound loaded without an
``IN_GRID`` row is in no scope, so a clerk who entered five compounds reads a
denominator of four.  A compound's ``property_mode`` may say a firm manages it while no
firm currently ``MANAGES`` it (the indicators count the relationship: 无物业), or the
reverse.  Neither is an error a ledger check can refuse (the row is valid; a later
ledger may place it), so they are reported as warnings, by ``jinlin check`` and after
``jinlin load``, each rule with its reason (in the language in force), a count and the
first items.

``RULES`` is the one table: each rule names a label and the Cypher predicate on ``n``
that picks out the offending nodes.  The spine's rules are derived from the spine
itself (``graph.spine.UP``); the others from the model's relationship
kinds.  A node that the spine does not place lies in no scope by definition, so those
rules always look at the whole store; the rules whose nodes can be placed (compounds'
attribute contradictions, members living in the scope) are narrowed to a ``scope``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from analysis import queries as q
from analysis.fetch import resolve_scope
from analysis.texts import choice_name, label_name, listed
from graph.dates import parse_as_of
from graph.i18n import N_, _, translate
from graph.model import FIRM_RUN_MODES, NODE_BY_LABEL, PROPERTY_MODES
from graph.spine import UP, current, parent_of
from graph.store import Query, Store

SHOWN = 20  # items listed per rule; the count is always the whole


@dataclass(frozen=True)
class Rule:
    """``where`` selects the offending ``n`` of ``label``; ``scoped`` says how the nodes
    lie in a scope: a pattern continuing from the scope's compounds ``c`` to ``n``
    (``"(c)"``: the compound itself), or None when an offending node is, by what it
    lacks, in no scope at all.  ``reason`` is a message marked with ``N_``; its
    placeholders are filled when shown: ``{what}`` the label's name, ``{up}`` the
    level above (spine rules), ``{rel}`` the relationship, ``{modes}`` the listed
    ``property_mode`` choices."""

    key: str
    label: str
    reason: str
    where: str
    scoped: str | None = None
    note: str = "null"  # a Cypher expression shown beside each item
    up: str | None = None
    rel: str = ""
    modes: tuple[str, ...] = ()

    def text(self) -> str:
        """The reason in the language in force."""
        return translate(self.reason).format(
            what=label_name(self.label), up=label_name(self.up) if self.up else "",
            rel=self.rel, modes=listed(choice_name(MODE, c) for c in self.modes))


def _lacks(*patterns: str) -> str:
    return " AND ".join(f"NOT EXISTS {{ MATCH {p} }}" for p in patterns)


def _spine_rules() -> list[Rule]:
    """A node of each spine level, and a building or household, must lie in the level
    above it: otherwise it is in no scope and every figure leaves it out."""
    chain = [(lab, rel, parent) for lab, rel in UP.items() if (parent := parent_of(lab))]
    return [Rule(f"{lab.lower()}_unplaced", lab,
                 N_("{what}未归属任何{up}（{rel}），不在任何范围内，所有指标都不计入"),
                 _lacks(f"(n)-[:{rel}]->(:{up})"), up=up, rel=rel)
            for lab, rel, up in chain]


_CURRENT_MANAGES = f"(n)<-[r:MANAGES]-(:PropertyFirm) WHERE {current('r')}"
_MODE_NOTE = "n.property_mode"
MODE = NODE_BY_LABEL["Compound"].prop("property_mode")
FIRM_MODES = [c.code for c in PROPERTY_MODES if c.code in FIRM_RUN_MODES]
OTHER_MODES = [c.code for c in PROPERTY_MODES if c.code not in FIRM_RUN_MODES]


RULES: tuple[Rule, ...] = (
    *_spine_rules(),
    Rule("party_org_unplaced", "PartyOrg",
         N_("党组织既未覆盖任何地域，也没有上级党组织、下级党组织或依托单位，不在任何范围内"),
         _lacks("(n)-[:COVERS]->()", "(n)-[:UNDER]->(:PartyOrg)",
                "(n)<-[:UNDER]-(:PartyOrg)", "(n)-[:IN_ORG]->()")),
    Rule("member_unplaced", "Member", N_("党员未隶属任何党组织（组织关系）"),
         _lacks("(n)-[:MEMBER_OF]->(:PartyOrg)"),
         scoped="(c)<-[:PART_OF*0..1]-()<-[:LIVES_IN]-(n:Member)"),
    Rule("owners_committee_unplaced", "OwnersCommittee",
         N_("业主委员会未对应任何小区（代表小区），不计入任何指标"),
         _lacks("(n)-[:REPRESENTS]->(:Compound)")),
    Rule("firm_unplaced", "PropertyFirm",
         N_("物业服务企业既未服务任何小区，也未登记坐落，不在任何范围内"),
         _lacks("(n)-[:MANAGES]->(:Compound)", "(n)-[:LOCATED_IN]->()")),
    Rule("unit_unplaced", "Unit",
         N_("驻区单位未坐落、共建、报到或负责任何地方，不在任何范围内"),
         _lacks("(n)-[:LOCATED_IN|CO_BUILDS_WITH|REPORTED_TO|RESPONSIBLE_FOR]->()")),
    Rule("demand_unplaced", "Demand",
         N_("需求未登记所在小区或社区（需求所在），不计入需求办结"),
         _lacks("(n)-[:RAISED_IN]->()")),
    Rule("firm_mode_without_firm", "Compound",
         N_("物业管理模式为{modes}之一，但当前没有物业服务企业管理（物业服务），指标按无物业计"),
         f"n.property_mode IN $firm_modes AND {_lacks(_CURRENT_MANAGES)}",
         scoped="(c)", note=_MODE_NOTE, modes=tuple(FIRM_MODES)),
    Rule("no_firm_mode_with_firm", "Compound",
         N_("物业管理模式为{modes}之一，但当前有物业服务企业管理（物业服务），指标按有物业计"),
         f"n.property_mode IN $other_modes AND EXISTS {{ MATCH {_CURRENT_MANAGES} }}",
         scoped="(c)", note=_MODE_NOTE, modes=tuple(OTHER_MODES)),
)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    total: int
    items: list[dict[str, Any]]  # code, name, note: the first SHOWN by code
    whole_store: bool  # listed for the whole store although a scope was asked for


def _match(rule: Rule, scope_label: str | None) -> str:
    lab = rule.label
    if scope_label is None or rule.scoped is None:
        return f"MATCH (n:{lab}) WHERE {rule.where}"
    head = q.scoped("Compound", scope_label)
    if rule.scoped == "(c)":
        return f"{head} WITH c AS n WHERE {rule.where}"
    return f"{head} MATCH {rule.scoped} WHERE {rule.where}"


@cache
def count(rule: Rule, scope_label: str | None) -> Query:
    return Query(f"check_count_{rule.key}_{scope_label}",
                 f"{_match(rule, scope_label)} RETURN count(DISTINCT n) AS total", plain=True)


@cache
def listing(rule: Rule, scope_label: str | None) -> Query:
    return Query(f"check_list_{rule.key}_{scope_label}",
                 f"{_match(rule, scope_label)} WITH DISTINCT n "
                 f"RETURN n.code AS code, n.name AS name, {rule.note} AS note "
                 "ORDER BY code LIMIT $limit", plain=True)


def check(store: Store, scope_label: str | None = None, scope_code: str | None = None,
          as_of: str | None = None, shown: int = SHOWN) -> list[Finding]:
    """Every rule with at least one offending node: whole store without a scope; with
    one, the scoped rules inside it and the unplaced ones store-wide (they are in no
    scope).  Relationships count when current at ``as_of`` (default today)."""
    day = parse_as_of(as_of)
    if scope_label is not None:
        day = resolve_scope(store, scope_label, scope_code or "", day).as_of
    params = {"scope": scope_code, "as_of": day, "limit": shown,
              "firm_modes": FIRM_MODES, "other_modes": OTHER_MODES}
    out = []
    for rule in RULES:
        total = int(store.read(count(rule, scope_label), **params)[0]["total"])
        if total:
            items = store.read(listing(rule, scope_label), **params)
            out.append(Finding(rule, total, items,
                               scope_label is not None and rule.scoped is None))
    return out


def render(findings: list[Finding]) -> list[str]:
    """The warnings as lines in the language in force, grouped by rule, the first items
    of each."""
    if not findings:
        return [_("未发现放置缺失或属性与关系矛盾。")]
    lines = [_("警告：{total} 处数据会让指标少算或算错（{rules} 条规则）",
               total=f"{sum(f.total for f in findings):,}", rules=len(findings))]
    for f in findings:
        reason = f.rule.text()
        if f.whole_store:
            reason = _("{reason}（不在任何范围内，按全库列出）", reason=reason)
        lines.append(_("{what}：{reason}，共 {total} 个", what=label_name(f.rule.label),
                       reason=reason, total=f"{f.total:,}"))
        for item in f.items:
            note = _("，{prop}：{value}", prop=translate(MODE.zh),
                     value=choice_name(MODE, item["note"])) if item["note"] is not None else ""
            lines.append(f"  {item['code']} {item['name'] or ''}{note}".rstrip())
        if f.total > len(f.items):
            lines.append("  " + _("…… 另有 {count} 个未列出",
                                  count=f"{f.total - len(f.items):,}"))
    return lines
