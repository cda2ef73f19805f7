"""Every GraphQL type generated from graph.model, built by one registry in one pass.

Twenty labels each need a node type, an edge, a connection, a filter, a sort enum, an
input and a payload, and relationships with properties need link types: writing them by
hand would let them drift from the model.  :class:`TypeRegistry` builds them all from the
model when it is made, in an order where each type exists before a type that names it,
except where node and link types name each other (``Compound.residentPerson`` and
``Person.livesInCompound``): those references are :class:`Ref` objects the registry
resolves when the schema is built.  Nothing is looked up in a module's namespace, so no
import order matters; ``strawberry.Schema(types=registry().types())`` receives them.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import strawberry
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

from api.auth import mask
from api.graphql import queries
from api.graphql.context import Context
from api.graphql.docs import documented, kind_doc, label_doc, prop_doc
from api.graphql.types import (
    PY,
    ConnectionBase,
    FieldError,
    Node,
    RelField,
    ValueCount,
    choice_enum,
    describe,
    global_id,
    list_of,
    make_enum,
    pascal,
    rel_fields,
    rel_resolver,
)
from api.policy import Cap
from graph import model
from graph.model import NODE_BY_LABEL, NODES, RELS, NodeKind, Prop, PropType, RelKind, key_label

# The Python types of FilterArg.py_type (api.graphql.queries).
FILTER_TYPES: dict[str, Any] = {"str": str, "bool": bool, "int": int, "float": float,
                                "list[str]": list[str]}
NODE_KINDS: dict[str, NodeKind] = {n.label: n for n in NODES}
TALLY_DOC = ("符合筛选条件的节点按某个属性的每个取值计数（totalCountBy），不分页，一次查询；"
             "列出该属性的每个取值（没有的计 0）")


def _choice_set_names() -> dict[int, str]:
    """The GraphQL name of each choice set, from its name in graph.model (its one home):
    ``PROPERTY_MODES`` → ``PropertyMode``, ``CATEGORIES`` → ``Category``.  A set shared by
    two properties (a demand's and a resource's category) is one enum."""
    out = {}
    for name, value in vars(model).items():
        if isinstance(value, tuple) and value and all(
                isinstance(c, model.Choice) for c in value):
            one = (name[:-3] + "Y" if name.endswith("IES") else
                   name[:-2] if name.endswith("SES") else name.removesuffix("S"))
            out[id(value)] = "".join(w.capitalize() for w in one.split("_"))
    return out


def label_resolver(prop: Prop) -> Any:
    """The ``…Label`` field of an enum property: the Chinese label of the stored code."""
    labels = {c.code: c.zh for c in prop.choices}

    def resolve(self: Any) -> str | None:
        value = getattr(self, prop.name)
        return None if value is None else labels.get(str(value), str(value))

    return resolve


@dataclasses.dataclass(frozen=True)
class Ref(LazyType[str, str]):
    """A generated type named before it exists, resolved by its registry when the schema
    is built (strawberry resolves LazyTypes then)."""

    registry: TypeRegistry | None = dataclasses.field(default=None, compare=False,
                                                      repr=False)

    def resolve_type(self) -> type[Any]:
        assert self.registry is not None
        resolved: type[Any] = self.registry[self.type_name]
        return resolved


class TypeRegistry:
    """The generated types by name; see the module docstring."""

    def __init__(self) -> None:
        self._types: dict[str, Any] = {}
        self._enums: dict[int, Any] = {}
        self._set_names = _choice_set_names()
        self.rel_type = self._add(make_enum(
            "RelType", {r.type: _rel_doc(r) for r in RELS},
            "模型中的关系类型（RelType）。", upper=False))
        fields = rel_fields()
        for rel in RELS:
            if rel.props:
                for end in dict.fromkeys(key_label(x) for x in rel.sources + rel.targets):
                    self._link_type(rel, end)
        for kind in NODES:
            self._node_type(kind, fields[kind.label])
        for kind in NODES:
            self._connection_types(kind.label)
            self._filter_input(kind.label)
            self._input_types(kind)
        self._link_input()

    def __getitem__(self, name: str) -> Any:
        return self._types[name]

    def ref(self, name: str) -> Any:
        """``name``, which may not be built yet, for an annotation."""
        return self._types.get(name) or Ref(name, __name__, registry=self)

    def types(self) -> list[Any]:
        return list(self._types.values())

    def node(self, label: str) -> Any:
        return self._types[label]

    def build_node(self, ctx: Context, label: str, row: dict[str, Any]) -> Any:
        """A generated object from a ``props``/``labels`` row, personal data masked."""
        props = row["props"]
        values: dict[str, Any] = {"id": global_id(label, props["code"]), "code": props["code"]}
        for p in NODE_KINDS[label].props:
            if p.name == "code":
                continue
            value = props.get(p.name)
            hide = p.personal and not ctx.caller.may(Cap.SEE_PERSONAL)
            values[p.name] = mask(value) if hide else value
        if label == "Person":
            values["is_member"] = "Member" in row.get("labels", ())
        return self._types[label](**values)

    def _add(self, cls: Any) -> Any:
        name = cls.__strawberry_definition__.name
        if name in self._types:
            raise ValueError(f"GraphQL type {name} generated twice")
        self._types[name] = cls
        return cls

    def _make(self, name: str, ann: dict[str, Any], ns: dict[str, Any] | None = None,
              bases: tuple[type, ...] = ()) -> type:
        return type(name, bases, {"__module__": __name__, "__annotations__": ann, **(ns or {})})

    def _link_type(self, rel: RelKind, other: str) -> None:
        ann: dict[str, Any] = {"node": self.ref(other)}
        ns: dict[str, Any] = {"node": strawberry.field(
            description=f"相关的{NODE_BY_LABEL[other].zh}（{other}）")}
        self._props(rel.props, ann, ns, default=None, labels=True)
        self._add(strawberry.type(self._make(f"{pascal(rel.type)}{other}Link", ann, ns),
                                  description=f"{rel.zh}（{rel.type}）：相关的"
                                  f"{NODE_BY_LABEL[other].zh}（{other}）和关系的属性。"))

    def enum(self, prop: Prop) -> Any:
        """The GraphQL enum of an enum property, one per choice set."""
        key = id(prop.choices)
        if key not in self._enums:
            name = self._set_names.get(key) or pascal(prop.name)
            self._enums[key] = self._add(choice_enum(
                name, prop.choices, f"{prop.zh}（{name}）：值为存储的编码，说明为中文名。"))
        return self._enums[key]

    def _props(self, props: tuple[Prop, ...], ann: dict[str, Any], ns: dict[str, Any],
               default: Any, labels: bool = False) -> None:
        """Fields for ``props`` (code left out) into ``ann``/``ns``: an enum property is
        its enum, and on output types (``labels``) gets a ``…Label`` field beside it."""
        for p in props:
            if p.name == "code" or p.name in ann:
                continue
            enum = self.enum(p) if p.type is PropType.ENUM else None
            ann[p.name] = (enum or PY[p.type]) | None
            name = enum.__strawberry_definition__.name if enum else None
            ns[p.name] = strawberry.field(default=default, description=prop_doc(p, name))
            if enum and labels:
                ns[f"{p.name}_label"] = strawberry.field(resolver=label_resolver(p),
                                                         description=label_doc(p))

    def _node_type(self, kind: NodeKind, fields: list[RelField]) -> None:
        ann: dict[str, Any] = {"code": str}
        ns: dict[str, Any] = {"code": strawberry.field(description=prop_doc(model.CODE))}
        self._props(kind.props, ann, ns, default=None, labels=True)
        if kind.label == "Person":
            ann["is_member"] = bool
            ns["is_member"] = strawberry.field(default=False,
                                               description="是否党员（isMember，Member 标签）")
        names = set(ns)
        for spec in fields:
            if spec.name in names:
                raise ValueError(f"{kind.label}.{spec.name} generated twice")
            names.add(spec.name)
            ns[spec.name] = strawberry.field(resolver=rel_resolver(spec, self),
                                             description=describe(spec))
        cls = self._make(kind.label, ann, ns, (Node,))
        self._add(strawberry.type(cls, description=kind_doc(kind)))

    def _connection_types(self, label: str) -> None:
        zh = f"{NODE_KINDS[label].zh}（{label}）"
        edge = self._add(strawberry.type(self._make(
            f"{label}Edge", {"node": self.node(label), "cursor": str}, {
                "node": strawberry.field(description=zh),
                "cursor": strawberry.field(description="这一条的游标（cursor），传给 after "
                                           "取其后的节点")}), description=f"{zh}分页中的一条。"))
        ns: dict[str, Any] = {"edges": strawberry.field(description="本页的各条（edges）")}
        if queries.tally_props(label):
            ns["total_count_by"] = strawberry.field(resolver=self._tally_resolver(label),
                                                    description=TALLY_DOC)
        self._add(strawberry.type(self._make(
            f"{label}Connection", {"edges": list_of(edge)}, ns,
            bases=(ConnectionBase,)), description=f"{zh}的一页，按游标分页。"))

    def _tally_resolver(self, label: str) -> Any:
        """``totalCountBy(by:)``: the connection's nodes counted per value of one of
        ``label``'s enum properties (the reads are the connection's: api.graphql.reads)."""
        kind = NODE_KINDS[label]
        fields = self._add(make_enum(f"{label}CountField", {
            name: f"按{kind.prop(name).zh}（{name}）计数" for name in queries.tally_props(label)},
            f"{kind.zh}（{label}）可以分组计数的属性。"))

        async def resolve(self: Any, by: Any) -> list[ValueCount]:
            return await self.tally(by.value)  # type: ignore[no-any-return]

        resolve.__annotations__["by"] = fields
        return documented(resolve, by="按哪个属性分组（by）")

    def _filter_input(self, label: str) -> None:
        args = queries.filter_args(label)
        ann = {arg.name: FILTER_TYPES[arg.py_type] | None for arg in args}
        ns = {arg.name: strawberry.field(default=None, description=self._filter_doc(label, arg))
              for arg in args}
        zh = f"{NODE_KINDS[label].zh}（{label}）"
        self._add(strawberry.input(self._make(f"{label}Filter", ann, ns),
                                   description=f"{zh}的筛选条件，同时满足。"))
        kind = NODE_KINDS[label]
        self._add(make_enum(f"{label}SortField", {
            name: f"按{kind.prop(name).zh}（{name}）排序" for name in queries.sort_fields(label)},
            f"{zh}的排序键；相同时按编码。"))

    def _filter_doc(self, label: str, arg: queries.FilterArg) -> str:
        """A filter as a clerk reads it; enum lists take codes or Chinese labels (a
        list of the enum type would refuse the labels)."""
        fixed = {"codes": "编码为其中之一（codes）",
                 "is_member": "是否党员（isMember，Member 标签）",
                 "taker": "派给了这个接单方（taker，'Label:code'，如 Unit:U1）",
                 "rule": "由这条预警规则发出（rule，规则的编码）"}
        if arg.name in fixed:
            return fixed[arg.name]
        p = NODE_KINDS[label].prop(arg.prop or arg.name.removesuffix("_contains"))
        what = f"{p.zh}（{p.name}）"
        if p.type is PropType.ENUM:
            return f"{what}为其中之一：编码或中文名均可，取值见 {self.enum(p).__name__}"
        if arg.name.endswith("_contains"):
            return f"{what}包含这段文字，不分大小写"
        bound = arg.name.rsplit("_", 1)[-1] if arg.name != p.name else ""
        return what + {"": "为是或否", "min": "不小于此值", "max": "不大于此值",
                       "from": "不早于此日期（YYYY-MM-DD）",
                       "to": "不晚于此日期（YYYY-MM-DD，含当天）"}[bound]

    def _input_types(self, kind: NodeKind) -> None:
        ann: dict[str, Any] = {}
        ns: dict[str, Any] = {}
        self._props(kind.props, ann, ns, default=UNSET)
        zh = kind_doc(kind)
        self._add(strawberry.input(self._make(f"{kind.label}Input", ann, ns),
                                   description=f"{zh}的属性：更新时未给出的字段保持不变，"
                                   "null 表示清空。"))
        self._add(strawberry.type(self._make(f"{kind.label}Payload", {
            "node": self.node(kind.label) | None, "errors": list[FieldError]}, {
                "node": strawberry.field(description="写入后的节点（node）；有错误时为 null"),
                "errors": strawberry.field(description="被拒绝的输入（errors），为空表示成功")}),
            description=f"写入{kind.zh}（{kind.label}）的结果。"))

    def _link_input(self) -> None:
        ann: dict[str, Any] = {"type": self.rel_type, "source": strawberry.ID,
                               "target": strawberry.ID}
        ns: dict[str, Any] = {
            "type": strawberry.field(description="关系类型（type）"),
            "source": strawberry.field(description="起点（source），'Label:code'"),
            "target": strawberry.field(description="终点（target），'Label:code'")}
        for rel in RELS:
            self._props(rel.props, ann, ns, default=UNSET)
        self._add(strawberry.input(self._make("LinkInput", ann, ns), description=(
            "一条关系（LinkInput）：起点、终点和关系的属性；解除（unlink）只需键属性"
            "（role、since）。")))


def _rel_doc(rel: RelKind) -> str:
    """A relationship type: Chinese, the labels at each end."""
    ends = (rel.pairs and "、".join(f"{s}→{t}" for s, t in rel.pairs)
            or f"{'/'.join(rel.sources)} → {'/'.join(rel.targets)}")
    return f"{rel.zh}（{rel.type}）：{ends}"


@cache
def registry() -> TypeRegistry:
    """The one registry of the process (the types depend on the model only)."""
    return TypeRegistry()
