"""GraphQL object types generated from graph.model: one per label, one per link.

Writing twenty near-identical classes by hand would let them drift from the model;
instead each NodeKind becomes a strawberry type whose scalar fields are its props and
whose relationship fields come from RELS, in both directions.  The generated classes
are registered in this module's namespace, where strawberry resolves annotations.
"""

from __future__ import annotations

import base64
import enum
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry

from api.graphql.context import Context, Forbidden, today
from graph.model import NODES, RELS, SINCE, NodeKind, PropType, RelKind, key_label

PY = {PropType.STR: "str", PropType.INT: "int", PropType.FLOAT: "float",
      PropType.BOOL: "bool", PropType.DATE: "str", PropType.DATETIME: "str",
      PropType.ENUM: "str"}

# How a relationship reads from its target's side: Compound.managedByPropertyFirm.
INVERSE = {
    "PART_OF": "has", "IN_GRID": "contains", "UNDER": "subordinate", "COVERS": "covered_by",
    "IN_ORG": "hosts", "LOCATED_IN": "sited", "OWNED_BY": "owns", "MANAGES": "managed_by",
    "REPRESENTS": "represented_by", "RESPONSIBLE_FOR": "responsible", "MEMBER_OF": "members",
    "WORKS_AT": "employs", "LIVES_IN": "resident", "REPORTED_TO": "reported_by",
    "LIAISES": "liaised_by", "HOLDS_POST": "post_holder", "CO_BUILDS_WITH": "co_built_by",
    "RUNS": "run_by", "SERVES": "served_by", "OFFERS": "offered_by", "RAISED_IN": "raised",
    "RAISED_BY": "raised", "ASSIGNED_TO": "assigned",
}
PLURAL = {"County": "counties", "Community": "communities", "Person": "people",
          "Alliance": "alliances"}


def snake(label: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()


def pascal(rel_type: str) -> str:
    return "".join(w.capitalize() for w in rel_type.split("_"))


def plural(label: str) -> str:
    return PLURAL.get(label, snake(label) + "s")


def global_id(label: str, code: str) -> str:
    return f"{label}:{code}"


@strawberry.interface(description="Anything with a global id 'Label:code'.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A refused input value, naming the GraphQL field.")
class FieldError:
    field: str
    message: str


def encode_cursor(key: Any, code: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, code]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, str]:
    from api.graphql.context import ApiError

    try:
        key, code = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(code, str):
            raise ValueError
        return key, code
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ApiError(f"malformed cursor {cursor!r}") from None


@dataclass(frozen=True)
class RelField:
    """One relationship field: ``rel`` seen from ``parent`` towards ``other``."""

    rel: RelKind
    outgoing: bool
    parent: str
    other: str

    @property
    def name(self) -> str:
        if self.outgoing:
            targets = {key_label(t) for t in self.rel.targets}
            many = len(targets) > 1
            return self.rel.type.lower() + (f"_{snake(self.other)}" if many else "")
        return f"{INVERSE[self.rel.type]}_{snake(self.other)}"

    @property
    def returns(self) -> str:
        props = [p for p in self.rel.props]
        return f"{pascal(self.rel.type)}{self.other}Link" if props else self.other


def rel_fields() -> dict[str, list[RelField]]:
    out: dict[str, list[RelField]] = {n.label: [] for n in NODES}
    for rel in RELS:
        sources = dict.fromkeys(key_label(s) for s in rel.sources)
        targets = dict.fromkeys(key_label(t) for t in rel.targets)
        for s in sources:
            for t in targets:
                if rel.pairs and (s, t) not in rel.pairs:
                    continue  # e.g. no Household.partOfCounty: the model forbids the pair
                out[s].append(RelField(rel, True, s, t))
                out[t].append(RelField(rel, False, t, s))
    return out


def build_node(ctx: Context, label: str, row: dict[str, Any]) -> Any:
    """A generated object from a ``props``/``labels`` row, personal data masked."""
    from api.auth import mask

    kind = NODE_KINDS[label]
    props = row["props"]
    values: dict[str, Any] = {"id": global_id(label, props["code"]), "code": props["code"]}
    for p in kind.props:
        if p.name == "code":
            continue
        value = props.get(p.name)
        values[p.name] = mask(value) if p.personal and not ctx.caller.sees_personal else value
    if label == "Person":
        values["is_member"] = "Member" in row.get("labels", ())
    return globals()[label](**values)


def _check_reader(ctx: Context, parent: str) -> None:
    if ctx.caller.role == "resident" and parent != "Demand":
        raise Forbidden("residents may read their own demands only")


# Relationship directions that lead to one node, or a handful, by the domain (DOMAIN.md):
# up the spine, an organisation's host or superior, a person's home, a demand's taker,
# a compound's firm, committee and branches.  Their lists are capped at FEW_FIRST per
# parent unless `first` says otherwise, so walking up the spine stays cheap in the cost
# estimate (api.graphql.cost); every other list is capped at related_default.
FEW = frozenset({
    ("PART_OF", True), ("IN_GRID", True), ("UNDER", True), ("COVERS", False),
    ("IN_ORG", True), ("LOCATED_IN", True), ("OWNED_BY", True), ("MANAGES", False),
    ("REPRESENTS", False), ("RESPONSIBLE_FOR", False), ("MEMBER_OF", True),
    ("WORKS_AT", True), ("LIVES_IN", True), ("REPORTED_TO", True), ("RUNS", False),
    ("SERVES", True), ("OFFERS", False), ("RAISED_IN", True), ("RAISED_BY", True),
    ("ASSIGNED_TO", True),
})
FEW_FIRST = 5
FIRST_DOC = ("At most this many related nodes per parent (the first by code), at most the "
             "page size maximum; default {default}.")


def _first(ctx: Context, first: int | None, default: int | None) -> int:
    """The cap of one relationship list; api.graphql.cost prices the field with the same."""
    from api.graphql.context import ApiError

    top = ctx.settings.page_size_max
    if first is None:
        return min(ctx.settings.related_default if default is None else default, top)
    if not 1 <= first <= top:
        raise ApiError(f"关系列表的 first 必须在 1 到 {top} 之间，收到 {first}")
    return first


def _rel_resolver(spec: RelField) -> Callable[..., Awaitable[list[Any]]]:
    link = globals().get(spec.returns) if spec.returns.endswith("Link") else None
    default = FEW_FIRST if (spec.rel.type, spec.outgoing) in FEW else None
    doc = FIRST_DOC.format(default=default or "the related_default setting (50)")

    async def fetch(self: Any, info: strawberry.Info, as_of: str | None,
                    first: int | None) -> list[Any]:
        ctx: Context = info.context
        _check_reader(ctx, spec.parent)
        loader = ctx.related_loader(spec.rel.type, spec.outgoing, spec.parent, spec.other, as_of,
                                    _first(ctx, first, default))
        rows = await loader.load(self.code)
        out = []
        for row in rows:
            node = build_node(ctx, spec.other, row)
            if link is None:
                out.append(node)
            else:
                rel = {p.name: row["rel"].get(p.name) for p in spec.rel.props}
                out.append(link(node=node, **rel))
        return out

    if spec.rel.dated:
        async def dated(self: Any, info: strawberry.Info, as_of: str | None = None,
                        include_past: bool = False, first: int | None = default
                        ) -> list[Any]:
            from api.graphql.context import ApiError

            if include_past:
                when = None
            else:
                try:
                    when = SINCE.parse(as_of) or today()
                except ValueError as exc:
                    raise ApiError(f"asOf: {exc}") from None
            return await fetch(self, info, when, first)

        resolver: Callable[..., Awaitable[list[Any]]] = dated
    else:
        async def plain(self: Any, info: strawberry.Info,
                        first: int | None = default) -> list[Any]:
            return await fetch(self, info, None, first)

        resolver = plain
    resolver.__annotations__["return"] = f"list[{spec.returns}]"
    # an object, not a string: the description is made here, not in the module namespace
    resolver.__annotations__["first"] = Annotated[int | None,
                                                  strawberry.argument(description=doc)]
    return resolver


def _describe(spec: RelField) -> str:
    arrow = "→" if spec.outgoing else "←"
    extra = " Current at asOf (default today) unless includePast." if spec.rel.dated else ""
    return f"{spec.rel.zh} ({spec.rel.type} {arrow} {spec.other}).{extra}"


def make_enum(name: str, values: list[str], description: str, upper: bool = True) -> Any:
    """A GraphQL enum built from model names (labels, sort keys, relationship types)."""
    members = {(v.upper() if upper else v): v for v in values}
    built: Any = enum.Enum(name, members, module=__name__)  # type: ignore[misc]
    return strawberry.enum(built, description=description)


def _register(cls: type) -> Any:
    cls.__module__ = __name__
    globals()[cls.__name__] = cls
    return cls


def _link_type(rel: RelKind, other: str) -> None:
    name = f"{pascal(rel.type)}{other}Link"
    if name in globals():
        return
    ann: dict[str, Any] = {"node": other}
    ns: dict[str, Any] = {"__annotations__": ann}
    for p in rel.props:
        ann[p.name] = f"{PY[p.type]} | None"
        ns[p.name] = strawberry.field(default=None, description=p.zh)
    _register(strawberry.type(type(name, (), ns), description=f"{rel.zh}: the related "
                              f"{other} and the relationship's properties."))


def _node_type(kind: NodeKind, fields: list[RelField]) -> None:
    ann: dict[str, Any] = {"code": "str"}
    ns: dict[str, Any] = {"__annotations__": ann}
    for p in kind.props:
        if p.name == "code":
            continue
        ann[p.name] = f"{PY[p.type]} | None"
        note = " (masked unless staff)" if p.personal else ""
        ns[p.name] = strawberry.field(default=None, description=p.zh + note)
    if kind.label == "Person":
        ann["is_member"] = "bool"
        ns["is_member"] = strawberry.field(default=False, description="党员 (Member label)")
    names = set(ann)
    for spec in fields:
        if spec.name in names:
            raise ValueError(f"{kind.label}.{spec.name} generated twice")
        names.add(spec.name)
        ns[spec.name] = strawberry.field(resolver=_rel_resolver(spec),
                                         description=_describe(spec))
    cls = type(kind.label, (Node,), ns)
    _register(strawberry.type(cls, description=f"{kind.zh}. {kind.doc}".strip()))


@strawberry.type
class ConnectionBase:
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Nodes matching the filters, over all pages.")
    async def total_count(self) -> int:
        return await self.count()


def _connection_types(label: str) -> None:
    edge = type(f"{label}Edge", (), {"__annotations__": {"node": label, "cursor": "str"}})
    _register(strawberry.type(edge))
    conn = type(f"{label}Connection", (ConnectionBase,),
                {"__annotations__": {"edges": f"list[{label}Edge]"}})
    _register(strawberry.type(conn))


NODE_KINDS: dict[str, NodeKind] = {n.label: n for n in NODES}
REL_FIELDS = rel_fields()
for _rel in RELS:
    if _rel.props:
        for _end in dict.fromkeys(key_label(x) for x in _rel.sources + _rel.targets):
            _link_type(_rel, _end)
for _kind in NODES:
    _node_type(_kind, REL_FIELDS[_kind.label])
    _connection_types(_kind.label)


def node_type(label: str) -> Any:
    return globals()[label]


def connection_type(label: str) -> Any:
    return globals()[f"{label}Connection"]


def edge_type(label: str) -> Any:
    return globals()[f"{label}Edge"]


def globals_() -> dict[str, Any]:
    """The generated types by name (for modules that build instances of them)."""
    return globals()
