"""The Mutation root: generated create/update/delete per label, link/unlink, demands.

Every mutation goes through :func:`audited` (api.graphql.auditing): its write transaction ends
by making the audit line durable (who, what, arguments with personal data masked), so
no change is acknowledged or committed unaudited; refused and failed attempts get their
line too.  Each resolver hands ``audited`` a function of the (audited) context.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from api.graphql import auditing, demands, types, writes
from api.graphql.context import Context
from api.graphql.registry import registry
from api.graphql.types import FieldError
from graph import lifecycle
from graph.model import NODES


async def audited(info: strawberry.Info, mutation: str, arguments: dict[str, Any],
                  work: Callable[[Context], Awaitable[writes.Outcome]]) -> writes.Outcome:
    return await auditing.audited(info.context, mutation, arguments, work)


@strawberry.type
class Payload:
    errors: list[FieldError]

    @strawberry.field
    def ok(self) -> bool:
        return not self.errors


def _label_mutations(label: str) -> dict[str, Any]:
    name = types.snake(label)
    payload = registry()[f"{label}Payload"]

    async def create(self: Any, info: strawberry.Info, code: str, input: Any,
                     parent: strawberry.ID | None = None) -> Any:
        outcome = await audited(info, f"create_{name}", {"code": code, "input": input,
                                "parent": parent},
                                lambda ctx: writes.create(ctx, label, code, writes.given(input),
                                                          parent))
        return payload(node=outcome.node, errors=outcome.errors)

    async def update(self: Any, info: strawberry.Info, code: str, input: Any) -> Any:
        outcome = await audited(info, f"update_{name}", {"code": code, "input": input},
                                lambda ctx: writes.update(ctx, label, code, writes.given(input)))
        return payload(node=outcome.node, errors=outcome.errors)

    async def delete(self: Any, info: strawberry.Info, code: str) -> Payload:
        outcome = await audited(info, f"delete_{name}", {"code": code},
                                lambda ctx: writes.delete(ctx, label, code))
        return Payload(errors=outcome.errors)

    fn: Any
    for fn in (create, update):
        fn.__annotations__.update(input=registry()[f"{label}Input"], **{"return": payload})
    out = {}
    for verb, fn in (("create", create), ("update", update), ("delete", delete)):
        out[f"{verb}_{name}"] = strawberry.field(resolver=fn)
    return out


async def link(self: Any, info: strawberry.Info, input: Any) -> Payload:
    """Add or update one relationship (upsert on its key properties)."""
    values = writes.given(input)
    rel_type, source, target = values.pop("type").value, values.pop("source"), values.pop("target")
    outcome = await audited(info, "link", {"input": input},
                            lambda ctx: writes.link(ctx, rel_type, source, target, values))
    return Payload(errors=outcome.errors)


async def unlink(self: Any, info: strawberry.Info, input: Any) -> Payload:
    """Remove one relationship, identified by its ends and key properties."""
    values = writes.given(input)
    rel_type, source, target = values.pop("type").value, values.pop("source"), values.pop("target")
    outcome = await audited(info, "unlink", {"input": input},
                            lambda ctx: writes.link(ctx, rel_type, source, target, values,
                                                    remove=True))
    return Payload(errors=outcome.errors)


async def raise_demand(self: Any, info: strawberry.Info, input: Any, raised_in: strawberry.ID,
                       code: str | None = None, raised_by: strawberry.ID | None = None) -> Any:
    """居民点单: post a demand (status open) in a compound or community."""
    outcome = await audited(info, "raise_demand", {"code": code, "input": input,
                            "raised_in": raised_in, "raised_by": raised_by},
                            lambda ctx: demands.raise_demand(ctx, code, writes.given(input),
                                                             raised_in, raised_by))
    return registry()["DemandPayload"](node=outcome.node, errors=outcome.errors)


def _step(name: str) -> Any:
    async def resolve(self: Any, info: strawberry.Info, code: str,
                      taker: strawberry.ID | None = None, resource: str | None = None,
                      satisfaction: int | None = None) -> Any:
        args = {"code": code, "taker": taker, "resource": resource,
                "satisfaction": satisfaction}
        outcome = await audited(info, f"{name}_demand", args,
                                lambda ctx: demands.step(ctx, name, code, taker, resource,
                                                         satisfaction))
        return registry()["DemandPayload"](node=outcome.node, errors=outcome.errors)

    resolve.__annotations__["return"] = registry()["DemandPayload"]
    move = lifecycle.STEPS[name]
    needs = {"dispatch": f"; needs a taker ({', '.join(lifecycle.TAKERS)})",
             "review": ", with satisfaction 1–5"}
    return strawberry.field(resolver=resolve, description=f"{move.zh}: {move.before} → "
                            f"{move.after}{needs.get(name, '')}.")


def mutation_fields() -> dict[str, Any]:
    generated = registry()
    for fn in (link, unlink):
        fn.__annotations__["input"] = generated["LinkInput"]
    raise_demand.__annotations__.update(input=generated["DemandInput"],
                                        **{"return": generated["DemandPayload"]})
    fields: dict[str, Any] = {}
    for kind in NODES:
        fields.update(_label_mutations(kind.label))
    fields["link"] = strawberry.field(resolver=link)
    fields["unlink"] = strawberry.field(resolver=unlink)
    fields["raise_demand"] = strawberry.field(resolver=raise_demand)
    for name in lifecycle.STEPS:
        fields[f"{name}_demand"] = _step(name)
    return fields
