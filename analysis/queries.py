"""Every named Cypher statement of the analyses.

Each statement fetches one *kind* of item for a whole scope in one round trip (the
compounds of a county with all their flags, the buildings with theirs, ...); the
indicator arithmetic then runs over those rows.  Labels are spliced into the text only
from the spine (:mod:`graph.spine`); every value (scope code, as-of date) is a
parameter.  "Current at ``$as_of``" is :func:`graph.spine.current`: for dated
relationships, owners' committees' terms (``TERM``) and what only has a start.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise

from graph.spine import AREAS, BEGUN, TERM, UP, child_of, confirmed, current, depth
from graph.store import Query


def analysis_read(name: str, cypher: str) -> Query:
    """Every analysis read returns plain values only (codes, names, numbers, lists):
    the store can skip the driver's recursive row conversion (``Query.plain``); and
    it may name optional data a store does not hold yet (``Query.optional_names``)."""
    return Query(name, cypher, plain=True, optional_names=True)


# The variable each area level gets in the queries below.
VARS = {"County": "k", "Street": "s", "Community": "m", "Grid": "g", "Compound": "c"}
assert tuple(VARS) == AREAS

BRANCH_KINDS = ["compound_branch", "grid_branch"]
JOINT_KINDS = ["joint_branch", "association_branch"]


def child_level(scope_label: str) -> str | None:
    """The area one below the scope on the spine (a compound has no child scope)."""
    child = child_of(scope_label)
    return child if child in AREAS else None


def scoped(level: str, scope_label: str, only: bool = False) -> str:
    """``MATCH`` the nodes of ``level`` in the scope, one row each, with ``children``.

    ``children`` lists the codes of the child-scope nodes the item lies in (a compound in
    two grids has two); it is empty when the level is not below the child level.  When
    the scope lies below the level (the community of a compound) the item is the node
    the scope lies in.  ``only``: just those whose code is in ``$places`` (the places a
    kept read of the demands reads again, analysis.projection).
    """
    text = _scoped(level, scope_label)
    return text + f"\nWITH {VARS[level]}, children WHERE {VARS[level]}.code IN $places" \
        if only else text


def _scoped(level: str, scope_label: str) -> str:
    if level not in AREAS or scope_label not in AREAS:
        raise ValueError(f"{level} / {scope_label} is not on the spine")
    # Written from the scope node outwards: ArcadeDB matches a pattern from its first
    # node, and starting at the one bound node is 2-4x faster than ending there.
    i, j = depth(scope_label), depth(level)
    path = AREAS[i:j + 1] if i <= j else AREAS[j:i + 1][::-1]
    parts = [f"({VARS[scope_label]}:{scope_label} {{code: $scope}})"]
    for here, there in pairwise(path):
        down = depth(there) > depth(here)
        parts.append(f"<-[:{UP[there]}]-" if down else f"-[:{UP[here]}]->")
        parts.append(f"({VARS[there]}:{there})")
    var = VARS[level]
    child = child_level(scope_label)
    if child is not None and j >= depth(child):
        children = f"collect(DISTINCT {VARS[child]}.code)"
    else:
        return f"MATCH {''.join(parts)} WITH DISTINCT {var}, [] AS children"
    return f"MATCH {''.join(parts)} WITH {var}, {children} AS children"


def only_name(name: str, only: bool) -> str:
    """The name of a query, read for the places of ``$places`` only or not (``scoped``)."""
    return f"{name}_only" if only else name


_IN_COMMUNITIES = "[(c)-[:IN_GRID]->(:Grid)-[:PART_OF]->(x:Community) | x.code]"


# A post held by a person, packed (see RESIDENT_COLUMNS below for why).
POST_COLUMNS = ("org", "person", "name", "role", "member")
COMPOUND_POSTS = ("oc_posts", "branch_posts", "firm_posts")


def _post(org: str) -> str:
    return f"[{org}.code, p.code, p.name, r.role, p:Member]"


@cache
def compounds(scope_label: str) -> Query:
    """Compounds of the scope with everything the compound-level indicators need; the
    ``COMPOUND_POSTS`` come packed (``POST_COLUMNS``)."""
    branch = "b.kind IN $branch_kinds"
    text = scoped("Compound", scope_label) + f"""
RETURN c.code AS code, c.name AS name, c.households AS households, c.lat AS lat,
  c.lon AS lon, children, {_IN_COMMUNITIES} AS communities,
  [(c)<-[r:MANAGES]-(f:PropertyFirm) WHERE {current('r')} | f.code] AS firms,
  [(c)<-[:REPRESENTS]-(o:OwnersCommittee) WHERE {current('o', bounds=TERM)} | o.code] AS committees,
  [(c)<-[r:RESPONSIBLE_FOR]-(u:Unit) WHERE {current('r')} | u.code] AS units,
  [(c)<-[:COVERS]-(b:PartyOrg) WHERE {branch} | b.code]
    + [(c)-[:IN_GRID]->(:Grid)<-[:COVERS]-(b:PartyOrg) WHERE {branch} | b.code] AS branches,
  [(c)<-[:REPRESENTS]-(o:OwnersCommittee)<-[r:HOLDS_POST]-(p:Person)
     WHERE {current('o', bounds=TERM)} AND {current('r')} | {_post('o')}] AS oc_posts,
  [(c)<-[:COVERS]-(b:PartyOrg)<-[r:HOLDS_POST]-(p:Person) WHERE {branch} AND {current('r')}
     | {_post('b')}]
    + [(c)-[:IN_GRID]->(:Grid)<-[:COVERS]-(b:PartyOrg)<-[r:HOLDS_POST]-(p:Person)
     WHERE {branch} AND {current('r')} | {_post('b')}] AS branch_posts,
  [(c)<-[m:MANAGES]-(f:PropertyFirm)<-[r:HOLDS_POST]-(p:Person)
     WHERE {current('m')} AND {current('r')} | {_post('f')}] AS firm_posts
ORDER BY code"""
    return analysis_read(f"analysis_compounds_{scope_label}", text)


BUILDING_COLUMNS = ("code", "name", "households", "groups", "member_heads", "posted",
                    "liaisons", "household_nodes", "liaised_households")


@cache
def buildings(scope_label: str) -> Query:
    """Buildings of the scope's compounds, packed per compound (``BUILDING_COLUMNS``):
    building groups, member building heads, everyone posted there, liaison."""
    liaise = current("l", bounds=BEGUN)
    text = scoped("Compound", scope_label) + f"""
RETURN c.code AS compound, children, [(c)<-[:PART_OF]-(bd:Building) | [
  bd.code, bd.name, bd.households,
  [(bd)<-[:COVERS]-(o:PartyOrg) WHERE o.kind = 'building_group' | o.code],
  [(bd)<-[r:HOLDS_POST]-(p:Member) WHERE r.role = 'building_head' AND {current('r')} | p.code],
  [(bd)<-[r:HOLDS_POST]-(p:Person) WHERE {current('r')} | p.code],
  [(bd)<-[l:LIAISES]-(p:Member) WHERE {liaise} | p.code],
  [(bd)<-[:PART_OF]-(h:Household) | h.code],
  [(bd)<-[:PART_OF]-(h:Household)<-[l:LIAISES]-(:Member) WHERE {liaise} | h.code]]] AS items
ORDER BY compound"""
    return analysis_read(f"analysis_buildings_{scope_label}", text)


@cache
def grids(scope_label: str) -> Query:
    """Grids of the scope with their current grid workers."""
    text = scoped("Grid", scope_label) + f"""
RETURN g.code AS code, g.name AS name, g.households AS households, children,
  [(g)<-[r:HOLDS_POST]-(p:Person) WHERE r.role = 'grid_worker' AND {current('r')}
     | {{person: p.code, full_time: coalesce(r.full_time, false)}}] AS workers
ORDER BY code"""
    return analysis_read(f"analysis_grids_{scope_label}", text)


@cache
def communities(scope_label: str) -> Query:
    """Communities of the scope: co-building units, leaders, residents' and party
    committee posts."""
    text = scoped("Community", scope_label) + f"""
RETURN m.code AS code, m.name AS name, m.population AS population, children,
  [(m)<-[r:CO_BUILDS_WITH]-(u:Unit) WHERE {current('r')} | u.code] AS cobuilders,
  [(m)<-[r:HOLDS_POST]-(p:Person) WHERE {current('r')}
     | {{person: p.code, name: p.name, role: r.role}}] AS rc_posts,
  [(m)<-[:COVERS]-(o:PartyOrg)<-[r:HOLDS_POST]-(p:Person) WHERE {current('r')}
     | {{person: p.code, name: p.name, role: r.role, org: o.code, kind: o.kind}}] AS pc_posts
ORDER BY code"""
    return analysis_read(f"analysis_communities_{scope_label}", text)


# Item lists come packed: one row per compound (or community) with its items as plain
# value lists in these column orders, since the driver decodes a row, and a map, far
# more slowly than a list (residents of a county: 0.62 s as rows, 0.24 s packed).
RESIDENT_COLUMNS = ("code", "name", "reported", "duties")
DEMAND_COLUMNS = ("code", "name", "category", "urgency", "status", "created_at", "done_at",
                  "due")


def _resident(p: str) -> str:
    return (f"[{p}.code, {p}.name, [({p})-[r:REPORTED_TO]->(y:Community) "
            f"WHERE {current('r', bounds=('date', None))} "
            f"AND {confirmed('r')} | y.code], "
            # the annual duties (4+1) done in the as-of year, by the as-of day
            f"[({p})<-[:DUTY_OF]-(t:DutyRecord) WHERE t.date <= $as_of "
            "AND substring(t.date, 0, 4) = substring($as_of, 0, 4) | t.duty]]")


@cache
def residents(scope_label: str) -> Query:
    """In-service members living in the scope's compounds (directly or in a building),
    packed per compound (``RESIDENT_COLUMNS``); their home communities are the
    compound's, known from the compounds query.

    Written as pattern comprehensions from the bound compound: ArcadeDB plans a
    ``MATCH (p:Member)-[:LIVES_IN]->(x)-[:PART_OF*0..1]->(c)`` as a scan of all members
    per compound (13 s for a county, against 0.4 s this way)."""
    in_service = "p.member_status = 'in_service'"
    text = scoped("Compound", scope_label) + f"""
RETURN c.code AS compound, children,
  [(c)<-[:LIVES_IN]-(p:Member) WHERE {in_service} | {_resident('p')}]
  + [(c)<-[:PART_OF]-(:Building)<-[:LIVES_IN]-(p:Member) WHERE {in_service}
     | {_resident('p')}] AS items
ORDER BY compound"""
    return analysis_read(f"analysis_residents_{scope_label}", text)


def _demands_in(place: str) -> str:
    """The demands raised in ``place`` by the as-of date, packed (``DEMAND_COLUMNS``)."""
    return f"""[({place})<-[:RAISED_IN]-(d:Demand)
     WHERE d.created_at IS NULL OR d.created_at <= $as_of_end
     | [d.code, d.title, d.category, d.urgency, d.status, d.created_at, d.done_at, d.due]]
  AS items"""


@cache
def demands(scope_label: str, only: bool = False) -> Query:
    """Demands raised in the scope's compounds up to the as-of date, packed per compound
    (``DEMAND_COLUMNS``); ``only``: in the compounds of ``$places`` (``scoped``)."""
    text = scoped("Compound", scope_label, only) + f"""
RETURN c.code AS compound, null AS community, c.lat AS lat, c.lon AS lon, children,
  {_demands_in("c")}
ORDER BY compound"""
    return analysis_read(only_name(f"analysis_demands_{scope_label}", only), text)


@cache
def community_demands(scope_label: str, only: bool = False) -> Query:
    """Demands raised in one of the scope's communities rather than in a compound (only
    for scopes at or above a community), packed per community with the coordinates of
    its compounds: the demand is placed at their centroid.  ``only``: as ``demands``."""
    text = scoped("Community", scope_label, only) + f"""
RETURN null AS compound, m.code AS community, children,
  [(m)<-[:PART_OF]-(:Grid)<-[:IN_GRID]-(x:Compound)
     WHERE x.lat IS NOT NULL AND x.lon IS NOT NULL
     | {{code: x.code, lat: x.lat, lon: x.lon}}] AS points,
  {_demands_in("m")}
ORDER BY community"""
    return analysis_read(only_name(f"analysis_community_demands_{scope_label}", only), text)


@cache
def firms(scope_label: str) -> Query:
    """Property firms currently managing a compound of the scope, with party cover."""
    joint = "o.kind IN $joint_kinds"
    text = scoped("Compound", scope_label) + f"""
MATCH (c)<-[r:MANAGES]-(f:PropertyFirm) WHERE {current('r')}
WITH f, collect(DISTINCT c.code) AS compounds, collect(children) AS nested
RETURN f.code AS code, f.name AS name, compounds, nested,
  [(f)<-[:IN_ORG]-(o:PartyOrg) | o.code] AS hosted,
  [(f)-[:MEMBER_OF]->(o:PartyOrg) WHERE {joint} | o.code]
    + [(f)<-[:IN_ORG]-(o:PartyOrg) WHERE {joint} | o.code] AS joint
ORDER BY code"""
    return analysis_read(f"analysis_firms_{scope_label}", text)


PERSON_POST_COLUMNS = ("label", "code", "name", "role")
PEOPLE_POSTS = analysis_read(
    "analysis_people_posts",
    f"""UNWIND $people AS pc MATCH (p:Person {{code: pc}})
RETURN p.code AS code, p.name AS name, p:Member AS member,
  [(p)-[r:HOLDS_POST]->(o) WHERE {current('r')} | [labels(o)[0], o.code, o.name, r.role]]
    AS posts
ORDER BY code""",
)

SERVICE_SITES = analysis_read(
    "analysis_service_sites",
    "MATCH (s:ServiceSite) WHERE s.lat IS NOT NULL AND s.lon IS NOT NULL "
    "RETURN s.code AS code, s.name AS name, s.lat AS lat, s.lon AS lon ORDER BY code",
)


@cache
def scope_node(label: str) -> Query:
    if label not in AREAS:
        raise ValueError(f"{label} cannot be a scope")
    return analysis_read(f"analysis_scope_{label}",
                 f"MATCH (n:{label} {{code: $scope}}) RETURN n.code AS code, n.name AS name")


# Every county by code: the store's only one (analysis.fetch.find_scope), or each one
# (analysis.batch).
COUNTIES = analysis_read("analysis_counties",
                         "MATCH (k:County) RETURN k.code AS code ORDER BY code")


@cache
def names(label: str) -> Query:
    if label not in AREAS:
        raise ValueError(f"{label} is not on the spine")
    return analysis_read(f"analysis_names_{label}",
                 f"UNWIND $codes AS code MATCH (n:{label} {{code: code}}) "
                 "RETURN n.code AS code, n.name AS name")


# Resources of the wanted categories inside a lat/lon box (the scope's demands expanded
# by the largest range in use): a county fetches its neighbourhood, not the whole city.
RESOURCES = analysis_read(
    "analysis_resources",
    """MATCH (r:Resource)
WHERE r.category IN $categories AND r.lat IS NOT NULL AND r.lon IS NOT NULL
  AND r.lat >= $lat_min AND r.lat <= $lat_max AND r.lon >= $lon_min AND r.lon <= $lon_max
RETURN r.code AS code, r.name AS name, r.category AS category, r.capacity AS capacity,
  r.lat AS lat, r.lon AS lon, r.radius_m AS radius_m,
  [(r)<-[:OFFERS]-(o) | {labels: labels(o), code: o.code, list_status: o.list_status}]
    AS offerers
ORDER BY code""",
)

# The largest own range of the resources of each category (null when none has one): of
# every category, so that one answer serves every scope (STORE_WIDE below).
RESOURCES_MAX_RADIUS = analysis_read(
    "analysis_resources_max_radius",
    """MATCH (r:Resource)
RETURN r.category AS category, max(r.radius_m) AS m""",
)

# Capacity already taken: demands holding a resource (``$holding``: graph.lifecycle's
# HOLDING statuses) per resource.  One aggregate over ASSIGNED_TO, not a per-resource
# pattern (that was quadratic on ArcadeDB).
RESOURCES_IN_USE = analysis_read(
    "analysis_resources_in_use",
    """MATCH (d:Demand)-[a:ASSIGNED_TO]->()
WHERE d.status IN $holding AND a.resource IS NOT NULL
RETURN a.resource AS code, count(*) AS n""",
)

# Reads whose answer does not depend on the scope: analysis.batch reads each once per
# worker for all the counties it computes, not once per county (over a province, a
# scan of every resource, assignment or service site per county would grow with the
# square; a city's ten reads of its sites took 0.7 s of its indicators' 7 s).
STORE_WIDE = frozenset({RESOURCES_MAX_RADIUS.name, RESOURCES_IN_USE.name, SERVICE_SITES.name})

# An edge of the co-operation network, packed (lists decode faster than maps).
EDGE_COLUMNS = ("a_labels", "a", "a_name", "b_labels", "b", "b_name", "type", "since",
                "until", "role")


def _edge(a: str, b: str, rtype: str, rel: str | None = None) -> str:
    """One packed edge (``EDGE_COLUMNS``); ``rel`` names the relationship variable of a
    dated type, whose ``since``/``until`` (and a post's ``role``) travel with it."""
    dates = f"{rel}.since, {rel}.until" if rel else "null, null"
    role = f"{rel}.role" if rel and rtype == "HOLDS_POST" else "null"
    return (f"[labels({a}), {a}.code, {a}.name, labels({b}), {b}.code, {b}.name, "
            f"'{rtype}', {dates}, {role}]")


def _edges_of(var: str, edges: str) -> str:
    """Return the list ``edges`` of each ``var`` as ``edges``, leaving out the items that
    have none (half the people of a county: half the rows to decode)."""
    return f"\nWITH {var}, {edges} AS edges WHERE size(edges) > 0\nRETURN edges"


@cache
def net_places(scope_label: str) -> list[Query]:
    """Territory edges of the scope's compounds, grids and communities (three queries,
    each one row per place with its ``edges``)."""
    compound = scoped("Compound", scope_label) + _edges_of("c", f"""
[(c)<-[r:MANAGES]-(f:PropertyFirm) WHERE {current('r')} | {_edge('f', 'c', 'MANAGES', 'r')}]
  + [(c)<-[:REPRESENTS]-(o:OwnersCommittee) WHERE {current('o', bounds=TERM)}
     | {_edge('o', 'c', 'REPRESENTS')}]
  + [(c)<-[r:RESPONSIBLE_FOR]-(u:Unit) WHERE {current('r')}
     | {_edge('u', 'c', 'RESPONSIBLE_FOR', 'r')}]
  + [(c)<-[:COVERS]-(o:PartyOrg) | {_edge('o', 'c', 'COVERS')}]""")
    grid = scoped("Grid", scope_label) + _edges_of(
        "g", f"[(g)<-[:COVERS]-(o:PartyOrg) | {_edge('o', 'g', 'COVERS')}]")
    community = scoped("Community", scope_label) + _edges_of("m", f"""
[(m)<-[r:CO_BUILDS_WITH]-(u:Unit) WHERE {current('r')}
   | {_edge('u', 'm', 'CO_BUILDS_WITH', 'r')}]
  + [(m)<-[:COVERS]-(o:PartyOrg) | {_edge('o', 'm', 'COVERS')}]
  + [(m)<-[:LOCATED_IN]-(o) WHERE o:Unit OR o:SocialOrg OR o:PropertyFirm
     | {_edge('o', 'm', 'LOCATED_IN')}]""")
    return [analysis_read(f"analysis_net_{lvl}_{scope_label}", text)
            for lvl, text in (("compounds", compound), ("grids", grid),
                              ("communities", community))]


NET_POST_TARGETS = ("PartyOrg", "OwnersCommittee", "PropertyFirm", "Community", "Grid")


# A person's tie to the organisation or place of a ``net_people`` row, packed without
# either end's labels and without the organisation (the row carries it once), and with
# the person's own links: ``works`` as ``[labels, code, name]``, ``teams`` (volunteer
# teams) as ``[code, name]``.  The members of a county's party organisations are two
# thirds of its network's edges; packed in full, and their links read by code after
# them, these reads took ArcadeDB 0.41 s a city county against 0.16 s.
HELD_COLUMNS = ("code", "name", "type", "since", "until", "role", "works", "teams")
_OWN_LINKS = ("[(p)-[:WORKS_AT]->(w) | [labels(w), w.code, w.name]],\n"
              "     [(p)-[:MEMBER_OF]->(t:VolunteerTeam) | [t.code, t.name]]")


@cache
def net_people(label: str) -> Query:
    """Current posts (and, for party organisations, memberships) into ``$codes``: one
    row per organisation or place (``code``, ``name``) with its people's ties as
    ``held`` (``HELD_COLUMNS``)."""
    if label not in NET_POST_TARGETS:
        raise ValueError(f"{label} holds no posts")
    member = ""
    if label == "PartyOrg":
        member = (f"\n  + [(o)<-[r:MEMBER_OF]-(p:Member) WHERE {current('r', bounds=BEGUN)} "
                  f"| [p.code, p.name, 'MEMBER_OF', r.since, r.until, null,\n     {_OWN_LINKS}]]")
    return analysis_read(
        f"analysis_net_people_{label}",
        f"UNWIND $codes AS code MATCH (o:{label} {{code: code}})\n"
        f"WITH o, [(o)<-[r:HOLDS_POST]-(p:Person) WHERE {current('r')} "
        f"| [p.code, p.name, 'HOLDS_POST', r.since, r.until, r.role,\n     {_OWN_LINKS}]]"
        f"{member} AS held\nWHERE size(held) > 0\nRETURN o.code AS code, o.name AS name, held",
    )


NET_ORG_LINKS = analysis_read(
    "analysis_net_org_links",
    "UNWIND $codes AS code MATCH (o:PartyOrg {code: code})" + _edges_of("o", f"""
[(o)-[:IN_ORG]->(h) | {_edge('o', 'h', 'IN_ORG')}]
  + [(o)-[:UNDER]->(h:PartyOrg) | {_edge('o', 'h', 'UNDER')}]"""),
)
