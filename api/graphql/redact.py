"""Analysis answers name nothing outside the caller's scope.

An analysis reads one scope but follows posts, memberships, workplaces and hosts
wherever they lead (a person's posts in another street, the unit they work at, the
party committee above a branch), so its answer can name nodes the caller may not see.
Before an answer leaves, every node it names is checked, one query per label
(``api.graphql.queries.visible_codes``), and each one the caller cannot see is shown as
``OUTSIDE`` without its code or name, or left out of lists that hold nothing but ids.
Figures (counts, numerators, component sizes) stay as computed: they say how much lies
outside, not what.

Indicator drill-down ``detail`` dicts (analysis/indicators.py, analysis/crossposting.py,
analysis/whistle.py) name nodes by code under fixed keys (``DETAIL_LABELS``) or as
``{label, code, name}`` maps (a person's posts); a map's ``name`` belongs to the node it
names (``code``, else ``person``).  The per-unit figures of the whistle rates
(``extra["by_unit"]``, :data:`EXTRA_NODES`) are such maps too.  Matching is filtered
before it is solved (``admit``), so a plan never uses a resource or taker the caller
cannot see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from api.graphql import pools, queries
from api.graphql.context import Context
from graph.model import MEMBER, key_label

OUTSIDE = "范围外"
Ref = tuple[str, str]  # (label, code), Member counted as Person
Row = dict[str, Any]

# Detail keys whose value is the code, or a list of codes, of nodes of one label.
DETAIL_LABELS: dict[str, str] = {
    "branches": "PartyOrg", "groups": "PartyOrg", "hosted": "PartyOrg", "joint": "PartyOrg",
    "org": "PartyOrg", "firms": "PropertyFirm", "committees": "OwnersCommittee",
    "committee": "OwnersCommittee", "units": "Unit", "compound": "Compound",
    "compounds": "Compound", "community": "Community", "home_communities": "Community",
    "reported_to": "Community", "person": "Person", "member_heads": "Person",
    "leaders": "Person", "workers": "Person", "chairs": "Person", "secretaries": "Person",
    "overlap": "Person", "community_to_committees": "Person",
    "committees_to_party_committee": "Person", "unit": "Unit",
}
# Detail keys holding no node reference.  Text under a key in neither table is shown as
# OUTSIDE (a new detail key must be classified before its values are shown).
DETAIL_PLAIN = frozenset({
    "label", "code", "name", "role", "roles", "member", "status", "due", "overdue",
    "members", "party_members", "chair_is_member", "liaised_households", "nearest_site_m",
    "posts", "branch_posts", "respond_by", "accepted_at", "done_at", "missing",
})

# Indicator ``extra`` keys whose value names nodes as ``{label, code, name}`` maps.
EXTRA_NODES = ("by_unit",)


def ref(label: str, code: str) -> Ref:
    return key_label(label), code


def node_ref(labels: list[str], code: str) -> Ref:
    """The ref of a node given all its labels (a member: Person)."""
    return ref(MEMBER if MEMBER in labels else labels[0], code)


def _group(refs: Iterable[Ref]) -> dict[str, list[str]]:
    by_label: dict[str, set[str]] = defaultdict(set)
    for label, code in refs:
        by_label[label].add(code)
    return {label: sorted(codes) for label, codes in sorted(by_label.items())}


async def seen(ctx: Context, refs: Iterable[Ref]) -> set[Ref]:
    """The refs the caller may see, one query per label, on the read pool."""
    return await pools.current().read(seen_now, ctx, list(refs))


def seen_now(ctx: Context, refs: Iterable[Ref]) -> set[Ref]:
    """``seen`` for code already off the event loop (an analysis in its worker)."""
    out: set[Ref] = set()
    for label, codes in _group(refs).items():
        rows = ctx.read_kept_now(queries.visible_codes(label, ctx.scope_label), codes=codes)
        out |= {(label, r["code"]) for r in rows}
    return out


def show(node: Ref, visible: set[Ref]) -> str:
    """``Label:code``, or OUTSIDE."""
    return f"{node[0]}:{node[1]}" if node in visible else OUTSIDE


def _owner(value: dict[str, Any]) -> Ref | None:
    """The node a detail map names (its ``name`` is that node's)."""
    if isinstance(value.get("label"), str) and isinstance(value.get("code"), str):
        return ref(value["label"], value["code"])
    if isinstance(value.get("person"), str):
        return "Person", value["person"]
    return None


def detail_refs(value: Any, key: str | None = None) -> Iterator[Ref]:
    """Every node a detail value names."""
    if isinstance(value, dict):
        owner = _owner(value)
        if owner:
            yield owner
        for k, v in value.items():
            yield from detail_refs(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from detail_refs(v, key)
    elif isinstance(value, str) and key in DETAIL_LABELS:
        yield DETAIL_LABELS[key], value


def redact_detail(value: Any, visible: set[Ref], key: str | None = None) -> Any:
    """The detail with every node the caller cannot see replaced by OUTSIDE (its
    name by None); lists keep their length, so counts read off them stay right."""
    if isinstance(value, dict):
        out = {k: redact_detail(v, visible, k) for k, v in value.items()}
        owner = _owner(value)
        if owner and owner not in visible:
            if "label" in value:
                out["code"] = OUTSIDE
            if "name" in value:
                out["name"] = None
        return out
    if isinstance(value, list):
        return [redact_detail(v, visible, key) for v in value]
    if isinstance(value, str) and key not in DETAIL_PLAIN and (
            key not in DETAIL_LABELS or (DETAIL_LABELS[key], value) not in visible):
        return OUTSIDE
    return value


def admit(ctx: Context) -> Callable[[list[Row]], list[Row]]:
    """The candidate filter of matching (analysis.matching.match_demands): resources
    the caller may see, each with only the offerers the caller may see; a resource
    left with none is no candidate (its dispatch would go outside the scope)."""

    def keep(rows: list[Row]) -> list[Row]:
        offerers = {node_ref(o["labels"], o["code"]) for r in rows
                    for o in r.get("offerers") or [] if o.get("labels") and o.get("code")}
        visible = seen_now(ctx, offerers | {("Resource", r["code"]) for r in rows})
        out = []
        for r in rows:
            mine = [o for o in r.get("offerers") or [] if o.get("labels") and o.get("code")
                    and node_ref(o["labels"], o["code"]) in visible]
            if ("Resource", r["code"]) in visible and mine:
                out.append({**r, "offerers": mine})
        return out

    return keep
