"""What the generated GraphQL types are made of: names, fixed types, relationship fields.

Each NodeKind becomes a strawberry type whose scalar fields are its props and whose
relationship fields come from RELS, in both directions; api.graphql.registry builds
them from the pieces here (the field names, the relationship resolvers, the cursor).
"""

from __future__ import annotations

import base64
import enum
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import GenericAlias
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.graphql.context import Context
from graph.dates import parse_as_of
from graph.model import NODE_BY_LABEL, NODES, RELS, Choice, PropType, RelKind, key_label

if TYPE_CHECKING:
    from api.graphql.registry import TypeRegistry

PY: dict[PropType, type] = {
    PropType.STR: str, PropType.INT: int, PropType.FLOAT: float, PropType.BOOL: bool,
    PropType.DATE: str, PropType.DATETIME: str, PropType.ENUM: str}

# How a relationship reads from its target's side: Compound.managedByPropertyFirm.
INVERSE = {
    "PART_OF": "has", "IN_GRID": "contains", "UNDER": "subordinate", "COVERS": "covered_by",
    "IN_ORG": "hosts", "LOCATED_IN": "sited", "OWNED_BY": "owns", "MANAGES": "managed_by",
    "REPRESENTS": "represented_by", "RESPONSIBLE_FOR": "responsible", "MEMBER_OF": "members",
    "WORKS_AT": "employs", "LIVES_IN": "resident", "REPORTED_TO": "reported_by",
    "LIAISES": "liaised_by", "HOLDS_POST": "post_holder", "CO_BUILDS_WITH": "co_built_by",
    "RUNS": "run_by", "SERVES": "served_by", "OFFERS": "offered_by", "RAISED_IN": "raised",
    "RAISED_BY": "raised", "ASSIGNED_TO": "assigned", "RATES": "rated_by",
    "RULE_OF": "rules", "RAISED_BY_RULE": "raised", "ABOUT": "alerted_by",
    "RAISED_AT": "raised_here",
    "APPLIES_IN": "points_rules",
    "AWARDED_TO": "points", "EARNED_IN": "points_earned", "DUTY_OF": "duties",
}
PLURAL = {"County": "counties", "Community": "communities", "Person": "people",
          "Alliance": "alliances"}


def snake(label: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()


def pascal(rel_type: str) -> str:
    return "".join(w.capitalize() for w in rel_type.split("_"))


def plural(label: str) -> str:
    return PLURAL.get(label, snake(label) + "s")


def list_of(item: Any) -> Any:
    """``list[item]`` for an item made at run time (a generated type or a reference)."""
    return GenericAlias(list, (item,))


def global_id(label: str, code: str) -> str:
    return f"{label}:{code}"


@strawberry.interface(description="任何有全局编号的节点（Node）：'Label:code'。")
class Node:
    id: strawberry.ID = strawberry.field(description="全局编号（id），'Label:code'，如 Compound:C1")


@strawberry.type(description="分页信息（PageInfo）。")
class PageInfo:
    has_next_page: bool = strawberry.field(description="后面是否还有（hasNextPage）")
    end_cursor: str | None = strawberry.field(
        description="本页最后一条的游标（endCursor），传给 after 取下一页；本页为空时为 null")


@strawberry.type(description="被拒绝的输入值（FieldError），指明 GraphQL 字段。")
class FieldError:
    field: str = strawberry.field(description="字段路径（field），如 input.households")
    message: str = strawberry.field(description="拒绝的原因（message）")


def encode_cursor(key: Any, code: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, code]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[Any, str]:
    from api.graphql.context import ApiError
    from graph.i18n import _

    try:
        key, code = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(code, str):
            raise ValueError
        return key, code
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ApiError(_("游标 {cursor} 格式不对：请使用上一页返回的 endCursor",
                         cursor=repr(cursor))) from None


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
    from api.graphql.registry import registry  # it is built from this module

    return registry().build_node(ctx, label, row)


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
    ("ASSIGNED_TO", True), ("APPLIES_IN", True), ("AWARDED_TO", True), ("EARNED_IN", True),
    ("DUTY_OF", True),
})
FEW_FIRST = 5
FIRST_DOC = ("每个上级节点最多返回几个相关节点（first，按编码取前几个），不超过分页上限；"
             "缺省{default}")
AS_OF_DOC = ("只返回这一天有效的关系（asOf），YYYY-MM-DD，缺省为今天")
PAST_DOC = "为 true 时返回各个时期的关系，不论是否有效（includePast）"


def _first(ctx: Context, first: int | None, default: int | None) -> int:
    """The cap of one relationship list; api.graphql.cost prices the field with the same."""
    from api.graphql.context import ApiError
    from graph.i18n import _

    top = ctx.settings.page_size_max
    if first is None:
        return min(ctx.settings.related_default if default is None else default, top)
    if not 1 <= first <= top:
        raise ApiError(_("关系列表的 first 必须在 1 到 {top} 之间，收到 {first}", top=top,
                         first=first))
    return first


def rel_resolver(spec: RelField, registry: TypeRegistry) -> Callable[..., Awaitable[list[Any]]]:
    """The resolver of one relationship field; its types come from ``registry``."""
    link = spec.returns if spec.returns.endswith("Link") else None
    default = FEW_FIRST if (spec.rel.type, spec.outgoing) in FEW else None
    doc = FIRST_DOC.format(default=default or "为 related_default 设置（50）")

    async def fetch(self: Any, info: strawberry.Info, as_of: str | None,
                    first: int | None) -> list[Any]:
        ctx: Context = info.context
        ctx.require_read(spec.parent)
        loader = ctx.related_loader(spec.rel.type, spec.outgoing, spec.parent, spec.other, as_of,
                                    _first(ctx, first, default))
        rows = await loader.load(self.code)
        out = []
        for row in rows:
            node = registry.build_node(ctx, spec.other, row)
            if link is None:
                out.append(node)
            else:
                rel = {p.name: row["rel"].get(p.name) for p in spec.rel.props}
                out.append(registry[link](node=node, **rel))
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
                    when = parse_as_of(as_of)
                except ValueError as exc:
                    raise ApiError(str(exc), code="INVALID_INPUT") from None
            return await fetch(self, info, when, first)

        resolver: Callable[..., Awaitable[list[Any]]] = dated
    else:
        async def plain(self: Any, info: strawberry.Info,
                        first: int | None = default) -> list[Any]:
            return await fetch(self, info, None, first)

        resolver = plain
    resolver.__annotations__["return"] = list_of(registry.ref(spec.returns))
    # objects, not strings: the descriptions are made here, not in the module namespace
    resolver.__annotations__["first"] = Annotated[int | None,
                                                  strawberry.argument(description=doc)]
    if spec.rel.dated:
        resolver.__annotations__.update(
            as_of=Annotated[str | None, strawberry.argument(description=AS_OF_DOC)],
            include_past=Annotated[bool, strawberry.argument(description=PAST_DOC)])
    return resolver


def describe(spec: RelField) -> str:
    """A relationship field: the relationship's Chinese and type, its direction, the
    other end's kind; dated ones say which periods they return."""
    other = NODE_BY_LABEL[spec.other].zh
    way = (f"本节点 -{spec.rel.type}→ {other}（{spec.other}）" if spec.outgoing
           else f"{other}（{spec.other}）-{spec.rel.type}→ 本节点")
    extra = ("；缺省只返回 asOf 当天（缺省今天）有效的，includePast 返回全部"
             if spec.rel.dated else "")
    return f"{spec.rel.zh}（{spec.rel.type}）：{way}{extra}"


def make_enum(name: str, values: dict[str, str], description: str, upper: bool = True) -> Any:
    """A GraphQL enum built from model names (labels, sort keys, relationship types):
    ``values`` maps each name to its description."""
    members = {(v.upper() if upper else v): v for v in values}
    built: Any = enum.Enum(name, members, module=__name__)  # type: ignore[misc]
    return _described(strawberry.enum(built, description=description), values)


GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def enum_name(code: str) -> str:
    """A stored code as a GraphQL enum value name.  Every code of the model is a valid
    name today and stays as it is (``market``), so a value serialises as the stored
    string; a code that is not (``2-star``, ``null``) would become ``_2_star``, ``null_``."""
    name = re.sub(r"[^_0-9A-Za-z]", "_", code)
    if not GRAPHQL_NAME.fullmatch(name):
        name = "_" + name  # a leading digit
    return name + "_" if name in ("true", "false", "null") else name


def choice_enum(name: str, choices: tuple[Choice, ...], description: str) -> Any:
    """A GraphQL enum whose values are the stored codes and whose value descriptions are
    the Chinese labels.  A StrEnum: an input arrives as a ``str`` holding the code, so
    ``Prop.parse``, the audit log and the store treat it as the code it is."""
    built: Any = enum.StrEnum(name, [(enum_name(c.code), c.code) for c in choices],  # type: ignore[misc]
                              module=__name__)
    return _described(strawberry.enum(built, description=description),
                      {c.code: c.zh for c in choices})


def _described(cls: Any, docs: dict[str, str]) -> Any:
    """``cls`` with each value's description (by value): strawberry takes them from
    ``enum_value`` objects only, which a StrEnum cannot hold."""
    for value in cls.__strawberry_definition__.values:
        value.description = docs[value.value]
    return cls


@strawberry.type(description="取某个值的节点数（ValueCount）。")
class ValueCount:
    value: str | None = strawberry.field(description="属性的编码（value）；未填时为 null")
    label: str | None = strawberry.field(description="该值的中文名（label）")
    count: int = strawberry.field(description="取这个值的节点个数（count）")


@strawberry.type
class ConnectionBase:
    page_info: PageInfo = strawberry.field(description="分页信息（pageInfo）")
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    # per value of an enum property (totalCountBy), for labels that have one
    tally: strawberry.Private[Callable[[str], Awaitable[list[ValueCount]]]]

    @strawberry.field(description="符合筛选条件的节点总数（totalCount），不分页；问到时才多查一次")
    async def total_count(self) -> int:
        return await self.count()


def node_type(label: str) -> Any:
    from api.graphql.registry import registry

    return registry().node(label)


def connection_type(label: str) -> Any:
    from api.graphql.registry import registry

    return registry()[f"{label}Connection"]


def edge_type(label: str) -> Any:
    from api.graphql.registry import registry

    return registry()[f"{label}Edge"]
