"""The spine (县 → 街道 → 社区 → 网格 → 小区 → 楼栋 → 住户) and the rules that hang on it.

Scope, filters, counts, analyses, creates and ledgers all reason about the same chain
of administrative levels; each used to keep its own copy (levels top-down here,
bottom-up there, "current at a date" three times).  This module is the one home of
those facts, and everything else imports them:

* ``LEVELS`` (top-down) and the helpers derived from it (``depth``, ``parent_of``,
  ``child_of``); ``AREAS``, the levels a scope, ``within`` filter, count or analysis
  may name; ``SCOPE_LABELS``, the levels a caller may be scoped to.
* ``UP``: the relationship type placing each level under the one above, read off the
  model's legal endpoint pairs (so the pairs of ``PART_OF`` and the spine cannot
  disagree), and the variable-length path strings ``SPINE`` / ``DOWN_SPINE``.
* ``ANCHORS``: for every label, the paths leading from a node to the spine (scope is
  decided by the graph; :mod:`graph.scope` builds the Cypher predicates from them).
* ``PLACEMENT``: the relationships that hang a newly created node under its parent.
* ``current`` / ``is_current``: when a dated relationship (or an owners' committee's
  term) counts at an as-of date, as Cypher text and in Python.
"""

from __future__ import annotations

import re
from itertools import pairwise

from graph.model import NODE_BY_LABEL, REL_BY_TYPE, RELS

LEVELS: tuple[str, ...] = ("County", "Street", "Community", "Grid", "Compound", "Building",
                           "Household")
AREAS: tuple[str, ...] = LEVELS[:5]  # scopes, ``within`` filters, counts, analyses
SCOPE_LABELS: tuple[str, ...] = LEVELS[:3]  # the levels a caller is scoped to


def depth(label: str) -> int:
    """0 for the county, one more per level down: ``depth(a) < depth(b)`` when ``a``
    lies above ``b``.  ValueError off the spine."""
    if label not in LEVELS:
        raise ValueError(f"{label} is not on the spine")
    return LEVELS.index(label)


def parent_of(label: str) -> str | None:
    """The level one above ``label`` (None for the county)."""
    i = depth(label)
    return LEVELS[i - 1] if i > 0 else None


def child_of(label: str) -> str | None:
    """The level one below ``label`` (None for a household)."""
    i = depth(label)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def _placing(child: str, parent: str) -> str:
    """The one relationship type the model allows from ``child`` to ``parent``."""
    found = [rel.type for rel in RELS if rel.allows(child, parent)]
    if len(found) != 1:
        raise AssertionError(f"{child}→{parent} needs exactly one type, the model has {found}")
    return found[0]


# The link from each level to the one above: Street PART_OF County, Compound IN_GRID Grid.
UP: dict[str, str] = {child: _placing(child, parent) for parent, child in pairwise(LEVELS)}
assert set(REL_BY_TYPE["PART_OF"].pairs) == {
    (child, LEVELS[depth(child) - 1]) for child, rel in UP.items() if rel == "PART_OF"
}, "every legal PART_OF pair is one step of the spine"

_SPINE_TYPES = "|".join(dict.fromkeys(UP.values()))
SPINE = f"-[:{_SPINE_TYPES}*0..{len(LEVELS) - 1}]->"  # from a node up to any level above
DOWN_SPINE = f"<-[:{_SPINE_TYPES}*0..{len(LEVELS) - 1}]-"  # from a level down to any below

for _type in dict.fromkeys(UP.values()):
    assert all(depth(child) == depth(parent) + 1 for child, parent in REL_BY_TYPE[_type].pairs
               or ((s, t) for s in REL_BY_TYPE[_type].sources
                   for t in REL_BY_TYPE[_type].targets)), f"{_type} skips a level"


def down_to(top: str, level: str) -> str:
    """The spine read down from a node of level ``top`` to those of ``level`` below it:
    exactly one hop per level, since every relationship of the spine's types goes one
    level down (asserted above).  ``DOWN_SPINE`` would also visit every building and
    household under the county (a count of compounds by street: 40 ms against 4)."""
    hops = depth(level) - depth(top)
    if hops < 0:
        raise ValueError(f"{level} does not lie below {top}")
    return f"<-[:{_SPINE_TYPES}*{hops}..{hops}]-"


# Paths from the node ``(v)`` to an administrative node ``(t)``: the node is in scope
# when any of them reaches the scope node along the spine.
_ADMIN = ("(v)",)
ANCHORS: dict[str, tuple[str, ...]] = {
    **{level: _ADMIN for level in LEVELS},
    # an organisation is in scope where it, or an organisation under it, covers territory,
    # or where its host unit sits
    "PartyOrg": ("(v)<-[:UNDER*0..4]-(:PartyOrg)-[:COVERS]->(t)",
                 "(v)-[:IN_ORG]->()-[:LOCATED_IN]->(t)"),
    "Unit": ("(v)-[:LOCATED_IN|CO_BUILDS_WITH|REPORTED_TO|RESPONSIBLE_FOR]->(t)",),
    "PropertyFirm": ("(v)-[:MANAGES|LOCATED_IN]->(t)",),
    "OwnersCommittee": ("(v)-[:REPRESENTS]->(t)",),
    "SocialOrg": ("(v)-[:LOCATED_IN]->(t)",),
    "VolunteerTeam": ("(v)<-[:MEMBER_OF]-(:Person)-[:LIVES_IN]->(t)",),
    "Alliance": ("(v)<-[:MEMBER_OF]-()-[:LOCATED_IN|COVERS*0..1]->(t)",),
    "ServiceSite": ("(v)-[:LOCATED_IN|OWNED_BY]->(t)",),
    "Person": ("(v)-[:LIVES_IN|REPORTED_TO|LIAISES|HOLDS_POST]->(t)",
               "(v)-[:HOLDS_POST|MEMBER_OF|WORKS_AT]->()"
               "-[:COVERS|REPRESENTS|MANAGES|LOCATED_IN]->(t)"),
    "Project": ("(v)-[:SERVES]->(t)",),
    "Demand": ("(v)-[:RAISED_IN]->(t)",),
    "Resource": ("(v)<-[:OFFERS]-()-[:LOCATED_IN|LIVES_IN|MANAGES]->(t)",),
    # a county's rules are seen by all staff in it: anchored at every level under it
    "AlertRule": ("(v)-[:RULE_OF]->(:County)<-[:PART_OF*0..2]-(t)",),
    "Alert": ("(v)-[:RAISED_AT]->(t)",),
    # a rating lies where the firm or unit it rates does
    "Rating": ("(v)-[:RATES]->()"
               "-[:MANAGES|LOCATED_IN|CO_BUILDS_WITH|REPORTED_TO|RESPONSIBLE_FOR]->(t)",),
    "PointsRule": ("(v)-[:APPLIES_IN]->(t)",),
    "PointsEntry": ("(v)-[:EARNED_IN]->(t)",),
    # where its member is placed (the member's first anchor path)
    "DutyRecord": ("(v)-[:DUTY_OF]->()-[:LIVES_IN|REPORTED_TO|LIAISES|HOLDS_POST]->(t)",),
}
assert set(ANCHORS) == set(NODE_BY_LABEL), "every label needs a scope rule"
for _paths in ANCHORS.values():
    for _path in _paths:
        assert _path.startswith("(v)") and (_path == "(v)" or _path.endswith("(t)")), _path

_LAST_STEP = re.compile(r"-\[:([A-Z_|]+)\]->\(t\)$")


def anchor_floor(path: str) -> str:
    """The deepest level an anchor path's ``(t)`` can be: the deepest target on the
    spine of its last step's types (a demand is raised in a compound or a community, so
    a walk down to its anchors stops at the compounds, not at the county's two thousand
    buildings).  A last step of variable length, or whose types reach no level, may end
    anywhere: the bottom."""
    found = _LAST_STEP.search(path)
    if found is None:
        return LEVELS[-1]
    levels = [target for rel in found.group(1).split("|")
              for target in REL_BY_TYPE[rel].targets if target in LEVELS]
    return max(levels, key=depth, default=LEVELS[-1])


def down_within(top: str, floor: str) -> str:
    """The spine read down from a node of level ``top`` to every node from it down to
    level ``floor`` (none below it; only the top when ``floor`` lies above it)."""
    hops = max(depth(floor) - depth(top), 0)
    return f"<-[:{_SPINE_TYPES}*0..{hops}]-"


def areas_of(label: str, var: str) -> str:
    """A Cypher list expression: the codes of every area the node ``var`` (of ``label``)
    lies under along its anchor paths, each anchor and every level above it (a write
    names them for the write counter: ``graph.store.Query.demand_areas``)."""
    lists = []
    for path in ANCHORS[label]:
        up = path.replace("(v)", f"({var})", 1).replace("(t)", "(anchor)")
        lists.append(f"[{up}{SPINE}(area) | area.code]")
    return " + ".join(lists)


# The relationships that place a new node in the graph (and so in someone's scope): a
# spine level hangs on the level above, the others where their anchors start.
PLACEMENT: dict[str, tuple[str, ...]] = {
    **{child: (rel,) for child, rel in UP.items()},
    "PartyOrg": ("COVERS",), "Unit": ("LOCATED_IN",),
    "PropertyFirm": ("MANAGES", "LOCATED_IN"), "OwnersCommittee": ("REPRESENTS",),
    "SocialOrg": ("LOCATED_IN",), "VolunteerTeam": ("MEMBER_OF",),
    "Alliance": ("MEMBER_OF",), "ServiceSite": ("LOCATED_IN", "OWNED_BY"),
    "Person": ("LIVES_IN",), "Project": ("SERVES",), "Demand": ("RAISED_IN",),
    "Resource": ("OFFERS",), "AlertRule": ("RULE_OF",), "Rating": ("RATES",),
    "PointsRule": ("APPLIES_IN",), "PointsEntry": ("EARNED_IN",), "DutyRecord": ("DUTY_OF",),
}
for _label, _types in PLACEMENT.items():
    for _type in _types:
        _rel = REL_BY_TYPE[_type]
        assert _label in _rel.sources + _rel.targets, (_label, _type)

# The properties bounding a period: a dated relationship's, an owners' committee's term,
# and a start alone (LIAISES, MEMBER_OF: current once begun).
PERIOD: tuple[str, str | None] = ("since", "until")
TERM: tuple[str, str | None] = ("term_start", "term_end")
BEGUN: tuple[str, str | None] = ("since", None)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def current(var: str, param: str = "as_of", bounds: tuple[str, str | None] = PERIOD,
            optional: bool = False) -> str:
    """Cypher predicate: ``var`` (a relationship or node) is current at ``$<param>``.

    It has begun by then (or has no start) and, unless ``bounds`` has no end property,
    has not ended before it (or has no end); ISO date strings compare as dates.
    ``bounds=TERM`` asks whether an owners' committee is in office; ``(p, None)`` only
    whether ``p`` is not after the date.  With ``optional`` a null ``$<param>`` lets
    everything through (an API field read without ``asOf``).  The Python twin is
    :func:`is_current`.
    """
    start, end = bounds
    for name in (var, param, start, end or "x"):
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a Cypher name: {name!r}")
    text = f"({var}.{start} IS NULL OR {var}.{start} <= ${param})"
    if end is not None:
        text += f" AND ({var}.{end} IS NULL OR {var}.{end} >= ${param})"
    return f"(${param} IS NULL OR ({text}))" if optional else text


def confirmed(var: str) -> str:
    """Cypher predicate: the ``REPORTED_TO`` ``var`` counts as a report (双报到).  A report
    made online is pending (``confirmed`` false) until its community confirms it; one
    entered by staff or in a ledger has no flag and counts."""
    if not _NAME.fullmatch(var):
        raise ValueError(f"not a Cypher name: {var!r}")
    return f"({var}.confirmed IS NULL OR {var}.confirmed = true)"


def is_current(since: str | None, until: str | None, as_of: str) -> bool:
    """A dated relationship counts at ``as_of`` when it began by then and has not ended
    (the rule :func:`current` writes in Cypher)."""
    return (since is None or since <= as_of) and (until is None or until >= as_of)
