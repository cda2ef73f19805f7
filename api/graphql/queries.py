"""Every Cypher statement of the API, as named queries generated from the model.

Labels, relationship types and property names are spliced in only from graph.model's
fixed set; every value (codes, filters, cursors, the caller's scope) is a parameter.
Each builder is cached, so one (label, scope level, ...) combination is one named query.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from graph.lifecycle import Guard
from graph.model import NODE_BY_LABEL, REL_BY_TYPE, PropType, checked_label, key_label
from graph.scope import downward, in_scope, scopes_under
from graph.spine import AREAS, DOWN_SPINE, SCOPE_LABELS, current, depth
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
            "($f_taker IS NULL OR EXISTS { MATCH (n)-[:ASSIGNED_TO]->(t) "
            "WHERE any(l IN labels(t) WHERE l + ':' + t.code = $f_taker) })")))
    return tuple(out)


def param_name(arg: FilterArg) -> str:
    return "codes" if arg.name == "codes" else f"f_{arg.name}"


def sort_fields(label: str) -> tuple[str, ...]:
    """Keyset pagination needs a total order without nulls: code, or a required text."""
    kind = NODE_BY_LABEL[checked_label(label)]
    return ("code",) + tuple(
        p.name for p in kind.props if p.required and p.type is PropType.STR and p.name != "code"
    )


def _walk(label: str, lab: str, scope_label: str, filter_scope: str | None) -> tuple[str, str]:
    """The ``CALL {}`` binding the candidates ``n`` and the scope predicate left to check.

    Candidates come from walking down from one administrative node: the narrower of
    the caller's scope and the ``within`` filter (levels are ordered County > Street >
    Community > Grid > Compound).  The other one is checked on the candidates only,
    with the upward ``in_scope`` predicate, so the result is exactly "in the caller's
    scope AND within", each through any anchor.
    """
    if scope_label not in AREAS:  # a caller's level, or any area for the command line
        raise ValueError(f"{scope_label} cannot be a scope")
    top, check = f"(s:{scope_label} {{code: $scope}})", ""
    if filter_scope:
        if filter_scope not in AREAS:
            raise ValueError(f"{filter_scope} cannot be a filter scope")
        if depth(filter_scope) >= depth(scope_label):
            top, check = (f"(s:{filter_scope} {{code: $within}})",
                          in_scope(label, "n", scope_label))
        else:
            check = in_scope(label, "n", filter_scope, param="within")
    return "CALL { " + " UNION ".join(downward(lab, "n", top)) + " }", check


def _where(label: str, check: str) -> str:
    parts = [check] if check else []
    parts += [a.predicate for a in filter_args(label)]
    if label == "Demand":
        parts.append(OWN_DEMAND)
    return " AND ".join(parts)


def _match(label: str, members_only: bool) -> str:
    """Members carry their own label: matching it skips the other people entirely."""
    return "Member" if members_only and label == "Person" else checked_label(label)


@cache
def page(label: str, scope_label: str, filter_scope: str | None, sort: str,
         descending: bool, members_only: bool = False) -> Query:
    """One page of a root connection: keyset on (sort, code), LIMIT in the Cypher."""
    if sort not in sort_fields(label):
        raise ValueError(f"{label} cannot be sorted by {sort}")
    gt, order = ("<", "DESC") if descending else (">", "ASC")
    if sort == "code":
        keyset = f"($after_code IS NULL OR n.code {gt} $after_code)"
        order_by = f"n.code {order}"
    else:
        keyset = (f"($after_code IS NULL OR n.{sort} {gt} $after_key OR "
                  f"(n.{sort} = $after_key AND n.code {gt} $after_code))")
        order_by = f"n.{sort} {order}, n.code {order}"
    lab = _match(label, members_only)
    walk, check = _walk(label, lab, scope_label, filter_scope)
    return Query(
        f"page_{lab}_in_{scope_label}_{filter_scope or 'all'}_by_{sort}_{order.lower()}",
        # order and cut before projecting: ArcadeDB builds the RETURN maps of every
        # candidate before its ORDER BY (a county's members: 1 s against 0.3 s)
        f"{walk} WITH n WHERE {_where(label, check)} AND {keyset} "
        f"WITH n ORDER BY {order_by} LIMIT $limit "
        f"RETURN {RETURN_NODE} ORDER BY {order_by}",
    )


@cache
def total(label: str, scope_label: str, filter_scope: str | None,
          members_only: bool = False) -> Query:
    lab = _match(label, members_only)
    walk, check = _walk(label, lab, scope_label, filter_scope)
    return Query(
        f"count_{lab}_in_{scope_label}_{filter_scope or 'all'}",
        f"{walk} WITH n WHERE {_where(label, check)} RETURN count(n) AS n",
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
    areas = f"MATCH (s:{_scope_label(scope_label)} {{code: $scope}}){DOWN_SPINE}(g:{lev}) "
    branches = [f"{areas}RETURN DISTINCT g, null AS n"]
    branches += downward(lab, "n", "(g)", head=f"{areas}WITH DISTINCT g ", carry="g, ")
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


@cache
def demand_status(scope_label: str) -> Query:
    """The status of demand ``$code``, if the caller may see it (why a step failed)."""
    return Query(
        f"demand_status_in_{scope_label}",
        f"MATCH (n:Demand {{code: $code}}) WHERE {demand_guard(scope_label).where} "
        "RETURN coalesce(n.status, 'open') AS status",
    )
