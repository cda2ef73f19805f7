"""What a GraphQL document may cost, worked out from the schema before anything runs.

The depth, token and alias limits let a 176-byte document through that asked for 86 MB
(issue 9): ``residentPerson { livesInCompound { residentPerson … } } }`` multiplies at
every level.  So each document is priced before execution, from its text, the schema
and the variables only, as an upper bound of the objects it can produce:

- every selected field costs 1 × the product of the sizes of the lists above it;
- a root connection's ``edges`` is a list of ``first`` (default: the page size);
- a relationship list is a list of its ``first`` (default: the argument's default in
  the schema, 5 for the directions that lead to one node or a handful (api.graphql.types.FEW),
  else ``related_default``): the store returns at most that many per parent
  (api.graphql.queries.related), so the bound is real;
- an analysis field costs a flat ``ANALYSIS_COST`` whatever it selects: its output is
  bounded by the analysis itself (22 indicators, ``itemLimit`` ≤ 500 items per list,
  one figure per child scope), and what makes it heavy is the work, which the
  one-analysis-per-request rule and the analysis pool bound (pricing its lists at
  ``related_default`` each refused an ordinary dashboard document);
- any other list of objects (``countBy``) counts as ``related_default`` items; lists
  of scalars multiply nothing;
- fragments are priced where they are spread and aliases each count, so neither hides
  anything; a fragment is priced once per distinct use (the price of a selection is
  linear in its multiplier), so pricing is linear in the document's size.

Sizes come from literals or variables (with their defaults) and are clamped to
``page_size_max``: a larger ``first`` is refused by its resolver anyway.

The analyses are heavy whatever their output: a request holds at most one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    value_from_ast,
    value_from_ast_untyped,
)

HEAVY = ("indicators", "coverageGaps", "matchPlan", "networkStructure", "networkGraph",
         "dispatchMatches")
ANALYSIS_COST = 1000


@dataclass(frozen=True)
class Sizes:
    """The list sizes assumed where a document does not say (from the settings)."""

    page_default: int
    page_max: int
    related_default: int


@dataclass(frozen=True)
class Estimate:
    cost: int  # upper bound of the fields the response can hold
    heavy: int  # analysis fields at the root (distinct response keys)


def estimate(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
             variables: dict[str, Any] | None, sizes: Sizes) -> Estimate | None:
    """The estimate of the operation to run; None when there is no such operation (the
    execution then fails with graphql-core's own error)."""
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return None
    pricer = _Pricer(schema, document, operation, variables or {}, sizes)
    return Estimate(pricer.selection(operation.selection_set, root, None),
                    len(pricer.heavy(operation.selection_set)))


class _Pricer:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode,
                 operation: OperationDefinitionNode, variables: dict[str, Any],
                 sizes: Sizes) -> None:
        self.schema, self.sizes = schema, sizes
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables)
        for var in operation.variable_definitions or ():
            name = var.variable.name.value
            if name not in self.variables and var.default_value is not None:
                self.variables[name] = value_from_ast_untyped(var.default_value)
        self._priced: dict[tuple[str, int | None], int] = {}
        self._heavy: dict[str, set[str]] = {}

    def selection(self, node: SelectionSetNode, parent: GraphQLNamedType,
                  edges: int | None) -> int:
        """Cost of one instance of ``parent`` selecting ``node``; ``edges``: the size
        of ``edges`` when ``parent`` is a connection."""
        total = 0
        for sel in node.selections:
            if isinstance(sel, FieldNode):
                total += self.field(sel, parent, edges)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                typ = self.schema.get_type(cond.name.value) if cond else parent
                total += self.selection(sel.selection_set, typ or parent, edges)
            elif isinstance(sel, FragmentSpreadNode):
                total += self.fragment(sel.name.value, edges)
        return total

    def fragment(self, name: str, edges: int | None) -> int:
        key = (name, edges)
        if key not in self._priced:
            self._priced[key] = 0  # a cycle (refused by validation anyway) adds nothing
            frag = self.fragments.get(name)
            typ = self.schema.get_type(frag.type_condition.name.value) if frag else None
            if frag is not None and typ is not None:
                self._priced[key] = self.selection(frag.selection_set, typ, edges)
        return self._priced[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, edges: int | None) -> int:
        name = node.name.value
        fields = (parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
                  else {})
        definition = fields.get(name)
        if definition is None or node.selection_set is None or name.startswith("__"):
            return 1  # scalars, __typename; introspection is bounded by the schema
        if name in HEAVY:
            return ANALYSIS_COST
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 1  # a list of scalars multiplies nothing
        first = None
        if "first" in definition.args:  # given, else the argument's default, if any
            first = self.first(node)
            default = definition.args["first"].default_value
            if first is None and isinstance(default, int):
                first = self.clamp(default)
        child_edges = None
        if "edges" in getattr(named, "fields", {}):  # a connection: its edges are `first`
            child_edges = self.sizes.page_default if first is None else first
            each = 1
        elif not isinstance(get_nullable_type(definition.type), GraphQLList):
            each = 1
        elif name == "edges" and edges is not None:
            each = edges
        else:
            each = self.sizes.related_default if first is None else first
        return 1 + each * self.selection(node.selection_set, named, child_edges)

    def first(self, node: FieldNode) -> int | None:
        for arg in node.arguments or ():
            if arg.name.value == "first":
                value = value_from_ast(arg.value, GraphQLInt, self.variables)
                if isinstance(value, int) and not isinstance(value, bool):
                    return self.clamp(value)
                return None if value is None or value is Undefined else self.sizes.page_max
        return None

    def clamp(self, first: int) -> int:
        """A larger ``first`` is refused by its resolver: it never costs more."""
        return max(0, min(first, self.sizes.page_max))

    def heavy(self, node: SelectionSetNode) -> set[str]:
        """Response keys of the analysis fields at the root (through fragments; fields
        with the same key are merged by GraphQL and run once, aliases run apart)."""
        keys: set[str] = set()
        for sel in node.selections:
            if isinstance(sel, FieldNode) and sel.name.value in HEAVY:
                keys.add(sel.alias.value if sel.alias else sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                keys |= self.heavy(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name not in self._heavy:
                    self._heavy[name] = set()  # a cycle adds nothing
                    frag = self.fragments.get(name)
                    if frag is not None:
                        self._heavy[name] = self.heavy(frag.selection_set)
                keys |= self._heavy[name]
        return keys
