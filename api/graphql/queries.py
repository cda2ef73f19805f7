"""Every Cypher statement of the API, as named queries generated from the model.

Labels, relationship types and property names are spliced in only from graph.model's
fixed set; every value (codes, filters, cursors, the caller's scope) is a parameter.
Each builder is cached, so one (label, scope level, ...) combination is one named query.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

from graph.lifecycle import Guard
from graph.model import NODE_BY_LABEL, REL_BY_TYPE, PropType, checked_label, key_label
from graph.scope import downward, in_scope, scopes_under
from graph.spine import AREAS, DOWN_SPINE, SCOPE_LABELS, current, depth, down_to
from graph.store import Query

DATED = current("r", optional=True)  # a field read without asOf sees every period
OWN_DEMAND = "($subject IS NULL OR EXISTS { MATCH (n)-[:RAISED_BY]->(:Person {code: $subject}) })"
RETURN_NODE = "properties(n) AS props, labels(n) AS labels"


def _scope_label(label: str) -> str:
    if label not in SCOPE_LABELS:
        raise ValueError(f"{label} cannot be a caller scope")
    return label


@dataclass(frozen=True)
class FilterArg:
    """One filter of a root connection: GraphQL argument, its Python type, its Cypher."""

    name: str
    py_type: str  # "str", "list[str]", "bool", "int", "float"
    predicate: str
    prop: str | None = None  # model property whose parser validates the value
    bound: str = ""  # "from" / "to" for date ranges


@cache
def filter_args(label: str) -> tuple[FilterArg, ...]:
    """The filters of ``label``'s connection, derived from its property types."""
    kind = NODE_BY_LABEL[checked_label(label)]
    out = [FilterArg("codes", "list[str]", "($codes IS NULL OR n.code IN $codes)")]
    for p in kind.props:
        v = f"$f_{p.name}"
        if p.type is PropType.ENUM:
            out.append(FilterArg(p.name, "list[str]", f"({v} IS NULL OR n.{p.name} IN {v})",
                                 p.name))
        elif p.type is PropType.BOOL:
            out.append(FilterArg(p.name, "bool",
                                 f"({v} IS NULL OR coalesce(n.{p.name}, false) = {v})", p.name))
        elif p.type is PropType.STR and p.name in ("name", "title"):
            w = f"{v}_contains"
            out.append(FilterArg(f"{p.name}_contains", "str",
                                 f"({w} IS NULL OR toLower(n.{p.name}) CONTAINS toLower({w}))"))
        elif p.type in (PropType.DATE, PropType.DATETIME):
            for bound, op in (("from", ">="), ("to", "<=")):
                w = f"{v}_{bound}"
                out.append(FilterArg(f"{p.name}_{bound}", "str",
                                     f"({w} IS NULL OR n.{p.name} {op} {w})", p.name, bound))
        elif p.type in (PropType.INT, PropType.FLOAT):
            py = "int" if p.type is PropType.INT else "float"
            for bound, op in (("min", ">="), ("max", "<=")):
                w = f"{v}_{bound}"
                out.append(FilterArg(f"{p.name}_{bound}", py,
                                     f"({w} IS NULL OR n.{p.name} {op} {w})", p.name))
    if label == "Person":
        out.append(FilterArg("is_member", "bool",
                             "($f_is_member IS NULL OR ('Member' IN labels(n)) = $f_is_member)"))
    if label == "Demand":  # the board's "by taker" (any label the taker carries)
        out.append(FilterArg("taker", "str", (
            "($f_taker IS NULL OR EXISTS { MATCH (n)-[:ASSIGNED_TO]->(taker) "
            "WHERE any(l IN labels(taker) WHERE l + ':' + taker.code = $f_taker) })")))
    if label == "Alert":  # the alerts page's "by rule"
        out.append(FilterArg("rule", "str", (
            "($f_rule IS NULL OR EXISTS { MATCH (n)-[:RAISED_BY_RULE]->(:AlertRule "
            "{code: $f_rule}) })")))
    return tuple(out)


def param_name(arg: FilterArg) -> str:
    return "codes" if arg.name == "codes" else f"f_{arg.name}"


def sort_fields(label: str) -> tuple[str, ...]:
    """Keyset pagination needs a total order without nulls: code, or a required text or
    datetime (an alert's first_seen: newest first)."""
    kind = NODE_BY_LABEL[checked_label(label)]
    return ("code",) + tuple(
        p.name for p in kind.props if p.required and p.type in (PropType.STR, PropType.DATETIME)
        and p.name != "code"
    )


def _walk(label: str, lab: str, scope_label: str, filter_scope: str | None,
          active: Active, also: str = "", counting: bool = False) -> tuple[str, str]:
    """The ``CALL {}`` binding the candidates ``n`` that pass the scope check left over,
    the filters (``active``, see :func:`_where`) and ``also`` (a keyset), and how to count
    them: ``count(n)`` when each is bound once, as every branch returns its nodes
    distinct and ``UNION`` joins them (``count(DISTINCT n)`` costs ArcadeDB a fifth of a
    county's demands counted by status), ``count(DISTINCT n)`` otherwise.

    Candidates come from walking down from one administrative node: the narrower of
    the caller's scope and the ``within`` filter (levels are ordered County > Street >
    Community > Grid > Compound).  The other one is checked on the candidates only,
    with the upward ``in_scope`` predicate, so the result is exactly "in the caller's
    scope AND within", each through any anchor.  That check walks up, so it comes once
    per candidate, after the ``DISTINCT``; the filters and ``also`` read ``n``'s own
    properties, so each branch checks them before (:func:`graph.scope.downward`): a
    county's demands of one category and status, 60–100 ms checked after, 23–34 before.
    ``counting``: the branches of several anchors are joined as lists (:func:`total`),
    binding a node once per branch.
    """
    if scope_label not in AREAS:  # a caller's level, or any area for the command line
        raise ValueError(f"{scope_label} cannot be a scope")
    top, level, check = f"(s:{scope_label} {{code: $scope}})", scope_label, ""
    if filter_scope:
        if filter_scope not in AREAS:
            raise ValueError(f"{filter_scope} cannot be a filter scope")
        if depth(filter_scope) >= depth(scope_label):
            top, level, check = (f"(s:{filter_scope} {{code: $within}})", filter_scope,
                                 in_scope(label, "n", scope_label))
        else:
            check = in_scope(label, "n", filter_scope, param="within")
    where = " AND ".join(w for w in (_where(label, "", active), also) if w)
    then = f" WITH n WHERE {check}" if check else ""
    branches = downward(lab, "n", top, level=level, where=where)
    if counting and len(branches) > 1:
        lists = downward(lab, "n", top, returns="collect(DISTINCT n) AS ns", level=level,
                         where=where)
        return ("CALL { " + " UNION ALL ".join(lists) + " } UNWIND ns AS n" + then,
                "count(DISTINCT n)")
    return "CALL { " + " UNION ".join(branches) + " }" + then, "count(n)"


Active: TypeAlias = frozenset[str] | None  # the filters a request sets (FilterArg.name); None: all


def _where(label: str, check: str, active: Active = None) -> str:
    """The scope check, the filters and a resident's own-demand rule, ANDed ("" when
    there is none).

    With ``active`` only the filters the request sets are written out: an unset one is
    ``($x IS NULL OR …)``, true for every row, yet evaluated per row (29 ms of a county's
    member count on ArcadeDB).  ``None`` writes every filter (one text for any filter).
    """
    parts = [check] if check else []
    parts += [a.predicate for a in filter_args(label) if active is None or a.name in active]
    if label == "Demand":
        parts.append(OWN_DEMAND)
    return " AND ".join(parts)


def _tag(active: Active) -> str:
    """The part of a query's name that says which filters its text holds."""
    return "" if active is None else "_f_" + ("_".join(sorted(active)) or "none")


def _match(label: str, members_only: bool) -> str:
    """Members carry their own label: matching it skips the other people entirely."""
    return "Member" if members_only and label == "Person" else checked_label(label)


def keyset_order(label: str, sort: str, descending: bool) -> tuple[str, str]:
    """A page's keyset predicate past the cursor (``$after_key``, ``$after_code``) and
    its ``ORDER BY``: by ``sort``, then the code."""
    if sort not in sort_fields(label):
        raise ValueError(f"{label} cannot be sorted by {sort}")
    gt, order = ("<", "DESC") if descending else (">", "ASC")
    if sort == "code":
        return f"($after_code IS NULL OR n.code {gt} $after_code)", f"n.code {order}"
    return (f"($after_code IS NULL OR n.{sort} {gt} $after_key OR "
            f"(n.{sort} = $after_key AND n.code {gt} $after_code))",
            f"n.{sort} {order}, n.code {order}")


@cache
def page(label: str, scope_label: str, filter_scope: str | None, sort: str,
         descending: bool, members_only: bool = False, active: Active = None) -> Query:
    """One page of a root connection: keyset on (sort, code), LIMIT in the Cypher.

    It walks down from the scope and sorts every candidate: right for a narrow scope
    or a sort other than the code; a wide one pages along the code index instead
    (:func:`index_probe`)."""
    keyset, order_by = keyset_order(label, sort, descending)
    lab = _match(label, members_only)
    walk, _count = _walk(label, lab, scope_label, filter_scope, active, also=keyset)
    order = "desc" if descending else "asc"
    return Query(
        f"page_{lab}_in_{scope_label}_{filter_scope or 'all'}_by_{sort}_{order}"
        f"{_tag(active)}",
        # order and cut before projecting: ArcadeDB builds the RETURN maps of every
        # candidate before its ORDER BY (a county's members: 1 s against 0.3 s)
        f"{walk} WITH n ORDER BY {order_by} LIMIT $limit "
        f"RETURN {RETURN_NODE} ORDER BY {order_by}",
    )


@cache
def total(label: str, scope_label: str, filter_scope: str | None,
          members_only: bool = False, active: Active = None) -> Query:
    """How many nodes a connection holds (its totalCount), walking down as :func:`page`.

    A label with several anchors (a person: home, or post) has one branch each; a
    ``UNION`` of the branches' rows costs ArcadeDB more than the walks (a county's
    members: 150 ms against 65), so each branch returns one list and the lists are
    joined and counted distinct instead (110 ms)."""
    lab = _match(label, members_only)
    walk, count = _walk(label, lab, scope_label, filter_scope, active, counting=True)
    return Query(
        f"count_{lab}_in_{scope_label}_{filter_scope or 'all'}{_tag(active)}",
        f"{walk} RETURN {count} AS n",
    )


def tally_props(label: str) -> tuple[str, ...]:
    """The properties a connection can be counted by (``totalCountBy``): its enums,
    except personal ones (masked values must not be countable either)."""
    return tuple(p.name for p in NODE_BY_LABEL[checked_label(label)].props
                 if p.type is PropType.ENUM and not p.personal)


@cache
def total_by(label: str, prop: str, scope_label: str, filter_scope: str | None,
             members_only: bool = False, active: Active = None) -> Query:
    """How many nodes a connection holds per value of the enum ``prop`` (its
    ``totalCountBy``): :func:`total`'s walk and checks, grouped in one read, where a
    board would otherwise count each value with a filter of its own (five counts)."""
    if prop not in tally_props(label):
        raise ValueError(f"{label} cannot be counted by {prop}")
    lab = _match(label, members_only)
    walk, count = _walk(label, lab, scope_label, filter_scope, active, counting=True)
    return Query(
        f"count_{lab}_by_{prop}_in_{scope_label}_{filter_scope or 'all'}{_tag(active)}",
        f"{walk} RETURN n.{prop} AS value, {count} AS total ORDER BY value",
        plain=True,
    )


@cache
def demands_by_place(scope_label: str, filter_scope: str | None, active: Active = None
                     ) -> Query:
    """A connection's demands counted per place and status (``demandsByPlace``): the
    walk and checks of :func:`total`, then each demand grouped by the codes of the
    compounds and of the communities it was raised in (``compounds``, ``communities``:
    the resolver places it at the first compound by code, else the first community, as
    the map places a single demand), so that a map of a county draws a few hundred
    places, not thousands of demands.  A visible demand's place is visible: RAISED_IN is
    its only anchor.  Lists from pattern comprehensions, not OPTIONAL MATCH and ``min``
    per demand: ArcadeDB takes 40 ms for a county's open demands, against 100."""
    walk, _count = _walk("Demand", "Demand", scope_label, filter_scope, active,
                         counting=True)
    return Query(
        f"count_Demand_by_place_in_{scope_label}_{filter_scope or 'all'}{_tag(active)}",
        # grouping by n first binds each demand once, whichever branches found it
        f"{walk} "
        "RETURN [(n)-[:RAISED_IN]->(c:Compound) | c.code] AS compounds, "
        "[(n)-[:RAISED_IN]->(m:Community) | m.code] AS communities, "
        "n.status AS value, count(n) AS total",
        plain=True,
    )


def walks_index(sort: str, descending: bool, scope_label: str, filter_scope: str | None
                ) -> bool:
    """Whether a page is read along the code index (:func:`index_probe`) rather than
    by walking down from the scope (:func:`page`): ascending by code, and the narrower
    of scope and ``within`` is a whole county, where most nodes of a label pass the
    scope check.  Under a street or community the walk touches fewer nodes than the
    index would pass over; descending, ArcadeDB sorts the whole range before a LIMIT
    (a county's members: 0.2 s for the probe alone), no better than the walk."""
    top = AREAS[0]
    return (sort == "code" and not descending and scope_label == top
            and filter_scope in (None, top))


def _checks(label: str, scope_label: str, filter_scope: str | None) -> str:
    """Upward scope checks of a bound ``n``: in the caller's scope, and ``within``."""
    check = in_scope(label, "n", scope_label)
    if filter_scope:
        if filter_scope not in AREAS:
            raise ValueError(f"{filter_scope} cannot be a filter scope")
        check += " AND " + in_scope(label, "n", filter_scope, param="within")
    return check


def _name(step: str, lab: str, scope_label: str, filter_scope: str | None, after: bool,
          active: Active) -> str:
    return (f"{step}_{lab}_in_{scope_label}_{filter_scope or 'all'}"
            f"{'_after' if after else ''}{_tag(active)}")


@cache
def index_probe(label: str, scope_label: str, filter_scope: str | None, members_only: bool,
                active: Active, after: bool) -> Query:
    """Step one of a page along the code index: some ``$limit`` passing codes past the
    cursor (when ``after``), and ``scanned``, how many of at most ``$budget`` nodes
    were read.

    The scan is deliberately unordered: the engine returns the index's (ArcadeDB: the
    storage's) order and stops once ``$limit`` pass, whereas with ``ORDER BY`` ArcadeDB
    sorts, and checks the scope of, every member of the county first (1 s).  Any
    ``$limit`` passing codes will do: the largest bounds :func:`index_window`, which
    then orders exactly, so a storage order that is not the code order costs time,
    never rows.  ``scanned < $budget`` means every node past the cursor was read, so
    fewer codes than ``$limit`` are all there are.
    """
    lab = _match(label, members_only)
    keyset = "WHERE n.code > $after_code " if after else ""
    return Query(
        _name("page_probe", lab, scope_label, filter_scope, after, active),
        f"MATCH (n:{lab}) {keyset}WITH n LIMIT $budget WITH collect(n) AS seen "
        "UNWIND seen AS n WITH n, size(seen) AS scanned "
        f"WHERE {_where(label, _checks(label, scope_label, filter_scope), active)} "
        "RETURN n.code AS code, scanned LIMIT $limit",
        plain=True,
    )


@cache
def index_window(label: str, scope_label: str, filter_scope: str | None, members_only: bool,
                 active: Active, after: bool) -> Query:
    """Step two: the page itself, from the cursor up to ``$upto`` (the probe's largest
    code), a short range of the code index, ordered and cut in the store."""
    lab = _match(label, members_only)
    where = ["n.code > $after_code"] if after else []
    where += ["n.code <= $upto", _where(label, _checks(label, scope_label, filter_scope),
                                        active)]
    return Query(
        _name("page_window", lab, scope_label, filter_scope, after, active),
        f"MATCH (n:{lab}) WHERE {' AND '.join(where)} "
        "WITH n ORDER BY n.code LIMIT $limit "
        f"RETURN {RETURN_NODE} ORDER BY n.code",
    )


def _visible(lab: str, scope_label: str) -> str:
    where = in_scope(lab, "n", _scope_label(scope_label))
    return f"{where} AND {OWN_DEMAND}" if lab == "Demand" else where


def _of_codes(name: str, label: str, scope_label: str, returns: str) -> Query:
    """The nodes of ``$codes`` the caller may see, each returned as ``returns``."""
    lab = checked_label(label)
    return Query(
        f"{name}_{lab}_in_{scope_label}",
        f"UNWIND $codes AS code MATCH (n:{lab} {{code: code}}) "
        f"WHERE {_visible(lab, scope_label)} "
        f"RETURN {returns}",
    )


@cache
def by_codes(label: str, scope_label: str) -> Query:
    """Nodes of ``$codes`` the caller may see (node lookup and the scope check of writes)."""
    return _of_codes("get", label, scope_label, RETURN_NODE)


@cache
def within_codes(label: str, scope_label: str, filter_scope: str) -> Query:
    """Nodes of ``$codes`` the caller may see that lie in the area ``$within`` of level
    ``filter_scope`` too (a subscription's ``within``, as a connection's narrows it)."""
    lab = checked_label(label)
    if filter_scope not in AREAS:
        raise ValueError(f"{filter_scope} cannot be a filter scope")
    area = in_scope(lab, "n", filter_scope, param="within")
    where = f"{_visible(lab, scope_label)} AND {area}"
    return Query(f"get_{lab}_in_{scope_label}_within_{filter_scope}",
                 f"UNWIND $codes AS code MATCH (n:{lab} {{code: code}}) WHERE {where} "
                 f"RETURN {RETURN_NODE}")


@cache
def reach(label: str, scope_label: str) -> Query:
    """Nodes of ``$codes`` the caller may see, each with ``scopes``: the codes of every
    node of the caller's level it lies under (the exclusivity check of writes)."""
    scopes = scopes_under(checked_label(label), "n", scope_label)
    return _of_codes("reach", label, scope_label, f"{RETURN_NODE}, {scopes} AS scopes")


@cache
def offers(label: str) -> Query:
    """Whether the taker ``$taker`` (matched as ``label``, a taker label) offers the
    resource ``$resource``: a dispatch draws only on its own taker's resources."""
    lab = checked_label(label)
    if lab not in REL_BY_TYPE["OFFERS"].sources:
        raise ValueError(f"{lab} offers no resources")
    return Query(f"offers_{lab}",
                 f"MATCH (o:{lab} {{code: $taker}})-[:OFFERS]->(r:Resource {{code: $resource}}) "
                 "RETURN r.code AS code")


@cache
def visible_codes(label: str, scope_label: str) -> Query:
    """The codes of ``$codes`` the caller may see (redaction of analysis answers)."""
    return _of_codes("visible", label, scope_label, "n.code AS code")


@cache
def exists(label: str) -> Query:
    """Whether a node exists at all, in scope or not (a new code must be free)."""
    lab = checked_label(label)
    return Query(f"exists_{lab}",
                 f"MATCH (n:{lab} {{code: $code}}) RETURN {RETURN_NODE}")


@cache
def related(rel_type: str, outgoing: bool, parent: str, other: str, scope_label: str) -> Query:
    """Batch loader of one relationship field: ``$codes`` of parents → related nodes,
    at most ``$first`` per parent (the first by code).

    The related node is scope-checked too, so following a relationship never leaves
    the caller's scope.  The cap is applied in the store (collect, then slice per
    parent), so a parent with 10,000 residents sends ``$first`` of them, not all.
    """
    if rel_type not in REL_BY_TYPE:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    a, b = checked_label(key_label(parent)), checked_label(other)
    arrow = f"-[r:{rel_type}]->" if outgoing else f"<-[r:{rel_type}]-"
    where = in_scope(b, "n", _scope_label(scope_label))
    if REL_BY_TYPE[rel_type].dated:
        where += f" AND {DATED}"
    if key_label(b) == "Demand":
        where += f" AND {OWN_DEMAND}"
    direction = "out" if outgoing else "in"
    return Query(
        f"rel_{rel_type}_{direction}_{a}_{b}_in_{scope_label}",
        f"UNWIND $codes AS code MATCH (a:{a} {{code: code}}){arrow}(n:{b}) WHERE {where} "
        "WITH code, n, r ORDER BY n.code "
        "WITH code, collect({n: n, r: r})[0..$first] AS items "
        "UNWIND items AS item WITH code, item.n AS n, item.r AS r "
        f"RETURN code AS key, {RETURN_NODE}, properties(r) AS rel ORDER BY key, n.code",
    )


@cache
def count_by(label: str, level: str, scope_label: str) -> Query:
    """Nodes of ``label`` under each administrative node of ``level`` in the scope.

    Walks down from the scope node to the areas ``g``, and from each area down to the
    nodes anchored under it; the first branch keeps the areas without any (count 0).
    """
    lab, lev = checked_label(label), checked_label(level)
    if lev not in AREAS:
        raise ValueError(f"cannot count by {level}")
    top = _scope_label(scope_label)
    down = down_to(top, lev) if depth(lev) >= depth(top) else DOWN_SPINE  # else: none
    areas = f"MATCH (s:{top} {{code: $scope}}){down}(g:{lev}) "
    branches = [f"{areas}RETURN DISTINCT g, null AS n"]
    branches += downward(lab, "n", "(g)", head=f"{areas}WITH DISTINCT g ", carry="g, ",
                         level=lev)
    return Query(
        f"count_{lab}_by_{lev}_in_{scope_label}",
        "CALL { " + " UNION ".join(branches) + " } "
        "RETURN g.code AS code, g.name AS name, count(DISTINCT n) AS n ORDER BY g.code",
    )


@cache
def scope_node(label: str) -> Query:
    lab = checked_label(label)
    return Query(f"scope_node_{lab}", f"MATCH (n:{lab} {{code: $code}}) RETURN n.code AS code")


@cache
def demand_guard(scope_label: str) -> Guard:
    """What a demand step checks besides the status (graph.lifecycle): the demand is in
    the caller's scope and, for a resident, their own."""
    where = in_scope("Demand", "n", _scope_label(scope_label))
    return Guard(f"in_{scope_label}", f"{where} AND {OWN_DEMAND}")


# A demand assigned to the caller itself (a member's own task: $subject is its person).
OWN_TASK = "EXISTS { MATCH (n)-[:ASSIGNED_TO]->(:Person {code: $subject}) }"


@cache
def task_guard(scope_label: str) -> Guard:
    """What a member's own step (accept, complete) checks: the demand is in the caller's
    scope and assigned to the caller (graph.lifecycle)."""
    where = in_scope("Demand", "n", _scope_label(scope_label))
    return Guard(f"task_in_{scope_label}", f"{where} AND {OWN_TASK}")


@cache
def scope_guard(scope_label: str) -> Guard:
    """A demand in the caller's scope, whoever raised it (a member's claim)."""
    return Guard(f"scope_{scope_label}", in_scope("Demand", "n", _scope_label(scope_label)))


@cache
def demand_status(scope_label: str, guard: Guard | None = None) -> Query:
    """The status of demand ``$code``, if the caller may see it (why a step failed);
    ``guard``: the step's own, when not :func:`demand_guard`."""
    guard = guard or demand_guard(scope_label)
    name = "" if guard == demand_guard(scope_label) else f"_{guard.name}"
    return Query(
        f"demand_status_in_{scope_label}{name}",
        f"MATCH (n:Demand {{code: $code}}) WHERE {guard.where} "
        "RETURN coalesce(n.status, 'open') AS status",
    )
