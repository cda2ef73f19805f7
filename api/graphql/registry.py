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
from api.graphql.types import (
    PY,
    ConnectionBase,
    FieldError,
    Node,
    RelField,
    describe,
    global_id,
    list_of,
    make_enum,
    pascal,
    rel_fields,
    rel_resolver,
)
from api.policy import Cap
from graph.model import NODES, RELS, NodeKind, RelKind, key_label

# The Python types of FilterArg.py_type (api.graphql.queries).
FILTER_TYPES: dict[str, Any] = {"str": str, "bool": bool, "int": int, "float": float,
                                "list[str]": list[str]}
NODE_KINDS: dict[str, NodeKind] = {n.label: n for n in NODES}


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
        self.rel_type = self._add(make_enum("RelType", [r.type for r in RELS],
                                            "A relationship type of the model.", upper=False))
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
        ns: dict[str, Any] = {}
        for p in rel.props:
            ann[p.name] = PY[p.type] | None
            ns[p.name] = strawberry.field(default=None, description=p.zh)
        self._add(strawberry.type(self._make(f"{pascal(rel.type)}{other}Link", ann, ns),
                                  description=f"{rel.zh}: the related {other} and the "
                                  "relationship's properties."))

    def _node_type(self, kind: NodeKind, fields: list[RelField]) -> None:
        ann: dict[str, Any] = {"code": str}
        ns: dict[str, Any] = {}
        for p in kind.props:
            if p.name == "code":
                continue
            ann[p.name] = PY[p.type] | None
            note = " (masked unless staff)" if p.personal else ""
            ns[p.name] = strawberry.field(default=None, description=p.zh + note)
        if kind.label == "Person":
            ann["is_member"] = bool
            ns["is_member"] = strawberry.field(default=False, description="党员 (Member label)")
        names = set(ann)
        for spec in fields:
            if spec.name in names:
                raise ValueError(f"{kind.label}.{spec.name} generated twice")
            names.add(spec.name)
            ns[spec.name] = strawberry.field(resolver=rel_resolver(spec, self),
                                             description=describe(spec))
        cls = self._make(kind.label, ann, ns, (Node,))
        self._add(strawberry.type(cls, description=f"{kind.zh}. {kind.doc}".strip()))

    def _connection_types(self, label: str) -> None:
        edge = self._add(strawberry.type(self._make(
            f"{label}Edge", {"node": self.node(label), "cursor": str})))
        self._add(strawberry.type(self._make(
            f"{label}Connection", {"edges": list_of(edge)}, bases=(ConnectionBase,))))

    def _filter_input(self, label: str) -> None:
        ann = {arg.name: FILTER_TYPES[arg.py_type] | None for arg in queries.filter_args(label)}
        cls = self._make(f"{label}Filter", ann, dict.fromkeys(ann))
        self._add(strawberry.input(
            cls, description=f"Filters of {label} (all ANDed)."))
        self._add(make_enum(f"{label}SortField", list(queries.sort_fields(label)),
                            "Keyset sort keys (ties broken by code)."))

    def _input_types(self, kind: NodeKind) -> None:
        ann: dict[str, Any] = {}
        ns: dict[str, Any] = {}
        for p in kind.props:
            if p.name == "code":
                continue
            ann[p.name] = PY[p.type] | None
            ns[p.name] = strawberry.field(default=UNSET, description=p.zh)
        self._add(strawberry.input(self._make(f"{kind.label}Input", ann, ns),
                                   description=f"{kind.zh}: fields not sent are left "
                                   "unchanged by updates."))
        self._add(strawberry.type(self._make(f"{kind.label}Payload", {
            "node": self.node(kind.label) | None, "errors": list[FieldError]})))

    def _link_input(self) -> None:
        ann: dict[str, Any] = {"type": self.rel_type, "source": strawberry.ID,
                               "target": strawberry.ID}
        ns: dict[str, Any] = {}
        for rel in RELS:
            for p in rel.props:
                if p.name not in ann:
                    ann[p.name] = PY[p.type] | None
                    ns[p.name] = strawberry.field(default=UNSET, description=p.zh)
        self._add(strawberry.input(self._make("LinkInput", ann, ns), description=(
            "A relationship: source and target ids ('Label:code') and its properties; "
            "unlink needs only the key properties (role, since).")))


@cache
def registry() -> TypeRegistry:
    """The one registry of the process (the types depend on the model only)."""
    return TypeRegistry()
