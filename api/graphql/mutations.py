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

from api.graphql import auditing, changes, demands, types, writes
from api.graphql.context import Context
from api.graphql.docs import documented
from api.graphql.registry import registry
from api.graphql.types import FieldError
from graph import lifecycle
from graph.model import ENTERED_NODES, NODE_BY_LABEL


async def audited(info: strawberry.Info, mutation: str, arguments: dict[str, Any],
                  work: Callable[[Context], Awaitable[writes.Outcome]],
                  published: changes.Announce | None = None) -> writes.Outcome:
    return await auditing.audited(info.context, mutation, arguments, work, published)


@strawberry.type(description="写入的结果（Payload）。")
class Payload:
    errors: list[FieldError] = strawberry.field(
        description="被拒绝的输入（errors），为空表示成功")

    @strawberry.field(description="是否成功（ok），即 errors 为空")
    def ok(self) -> bool:
        return not self.errors


def _label_mutations(label: str) -> dict[str, Any]:
    name = types.snake(label)
    payload = registry()[f"{label}Payload"]
    demand = label == changes.LABEL  # its changes are published for demandChanged

    def announce(change: str, code: str | None) -> changes.Announce | None:
        return changes.changed(change, code) if demand else None

    async def create(self: Any, info: strawberry.Info, code: str, input: Any,
                     parent: strawberry.ID | None = None) -> Any:
        outcome = await audited(info, f"create_{name}", {"code": code, "input": input,
                                "parent": parent},
                                lambda ctx: writes.create(ctx, label, code, writes.given(input),
                                                          parent), announce("created", None))
        return payload(node=outcome.node, errors=outcome.errors)

    async def update(self: Any, info: strawberry.Info, code: str, input: Any) -> Any:
        outcome = await audited(info, f"update_{name}", {"code": code, "input": input},
                                lambda ctx: writes.update(ctx, label, code, writes.given(input)),
                                announce("updated", code))
        return payload(node=outcome.node, errors=outcome.errors)

    async def delete(self: Any, info: strawberry.Info, code: str) -> Payload:
        outcome = await audited(info, f"delete_{name}", {"code": code},
                                lambda ctx: writes.delete(ctx, label, code),
                                announce("deleted", code))
        return Payload(errors=outcome.errors)

    fn: Any
    for fn in (create, update):
        fn.__annotations__.update(input=registry()[f"{label}Input"], **{"return": payload})
    zh = f"{NODE_BY_LABEL[label].zh}（{label}）"
    docs = {"create": f"新建{zh}，挂在 parent 下；编码已存在时拒绝",
            "update": f"修改{zh}的属性；未给出的字段保持不变",
            "delete": f"删除{zh}及其关系"}
    out = {}
    for verb, fn in (("create", create), ("update", update), ("delete", delete)):
        out[f"{verb}_{name}"] = strawberry.field(resolver=documented(fn),
                                                 description=docs[verb])
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
                                                             raised_in, raised_by),
                            changes.changed("raised"))
    return registry()["DemandPayload"](node=outcome.node, errors=outcome.errors)


def _step(name: str) -> Any:
    async def resolve(self: Any, info: strawberry.Info, code: str,
                      taker: strawberry.ID | None = None, resource: str | None = None,
                      satisfaction: int | None = None) -> Any:
        args = {"code": code, "taker": taker, "resource": resource,
                "satisfaction": satisfaction}
        outcome = await audited(info, f"{name}_demand", args,
                                lambda ctx: demands.step(ctx, name, code, taker, resource,
                                                         satisfaction),
                                changes.changed(name, code))
        return registry()["DemandPayload"](node=outcome.node, errors=outcome.errors)

    resolve.__annotations__["return"] = registry()["DemandPayload"]
    move = lifecycle.STEPS[name]
    needs = {"dispatch": f"；须给出接单方 taker（{'、'.join(lifecycle.TAKERS)}）",
             "review": "；须给出满意度 satisfaction（1–5）"}
    return strawberry.field(resolver=documented(resolve, code="需求的编码（code）"),
                            description=f"{move.zh}（{name}Demand）：{move.before} → "
                            f"{move.after}{needs.get(name, '')}")


def mutation_fields() -> dict[str, Any]:
    generated = registry()
    for fn in (link, unlink):
        fn.__annotations__["input"] = generated["LinkInput"]
    raise_demand.__annotations__.update(input=generated["DemandInput"],
                                        **{"return": generated["DemandPayload"]})
    fields: dict[str, Any] = {}
    for kind in ENTERED_NODES:
        fields.update(_label_mutations(kind.label))
    fields["link"] = strawberry.field(resolver=documented(link, input="要建立或更新的关系"),
                                      description="建立一条关系，或按键属性更新它（link）")
    fields["unlink"] = strawberry.field(resolver=documented(unlink, input="要解除的关系"),
                                        description="解除一条关系，按两端和键属性找到它（unlink）")
    fields["raise_demand"] = strawberry.field(
        resolver=documented(raise_demand, code="需求的编码（code）；缺省时自动生成",
                            input="需求的属性（标题、类别等；状态不能设）"),
        description="居民点单（raiseDemand）：在小区或社区提出一个需求，状态为待派单（open）")
    for name in lifecycle.STEPS:
        fields[f"{name}_demand"] = _step(name)
    return fields
