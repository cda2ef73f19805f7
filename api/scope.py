"""Scope predicates: which nodes a caller scoped to a county, street or community sees.

Scope is decided by the graph, never by code prefixes: a node is in scope when an
anchor path leads from it to an administrative node that lies on the spine
(``PART_OF`` / ``IN_GRID``) below the scope node.  The anchor paths are written here
once, per label, and every query of the API splices the predicate in; the scope code
itself always travels as the ``$scope`` parameter.
"""

from __future__ import annotations

from graph.model import NODE_BY_LABEL, key_label

SCOPE_LABELS = ("County", "Street", "Community")
FILTER_LABELS = ("County", "Street", "Community", "Grid", "Compound")
SPINE = "-[:PART_OF|IN_GRID*0..6]->"

# Paths from the node ``(v)`` to an administrative node ``(t)``: the node is in scope
# when any of them reaches the scope node along the spine.
_ADMIN = ("(v)",)
ANCHORS: dict[str, tuple[str, ...]] = {
    "County": _ADMIN,
    "Street": _ADMIN,
    "Community": _ADMIN,
    "Grid": _ADMIN,
    "Compound": _ADMIN,
    "Building": _ADMIN,
    "Household": _ADMIN,
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
}
assert set(ANCHORS) == set(NODE_BY_LABEL), "every label needs a scope rule"


def in_scope(label: str, var: str, scope_label: str, param: str = "scope",
             end: str | None = None) -> str:
    """Cypher predicate: node ``var`` of ``label`` lies within ``$<param>``.

    ``end`` replaces the scope node pattern (e.g. ``(g)`` for a bound node when
    counting per street).  ``label`` and ``scope_label`` come from the model's fixed
    set (checked), so the text never carries user input.
    """
    if scope_label not in FILTER_LABELS:
        raise ValueError(f"{scope_label} cannot be a scope")
    target = end or f"(:{scope_label} {{code: ${param}}})"
    paths = ANCHORS[key_label(label)]
    parts = []
    for path in paths:
        walk = path.replace("(v)", f"({var})", 1)
        if walk.endswith("(t)"):
            walk = walk[: -len("(t)")] + "()"
        parts.append(f"EXISTS {{ MATCH {walk}{SPINE}{target} }}")
    return "(" + " OR ".join(parts) + ")"
