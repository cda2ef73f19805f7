"""Create / update / delete of every label and link / unlink of relationships.

Values are validated with the model's own parsers (Prop.parse), exactly as ledger
imports are, and written through graph.writer, so a mutation and a re-import of the
same data agree.  Refusals the client can fix, scope refusals included, come back
as FieldErrors in the payload (audited as "invalid"); refusals of the caller's role
are GraphQL errors.  Every node a write touches is scope-checked (api.graphql.guard): the
ones that decide scope must be exclusive to the caller, the others visible.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from strawberry.types.unset import UNSET

from analysis import alerts
from api.graphql import queries
from api.graphql.context import ApiError, Context, Forbidden, now
from api.graphql.guard import check_end, reach, shared_with
from api.graphql.reads import parse_id, strawberry_name
from api.graphql.types import FieldError, build_node
from api.policy import LABEL_CAPS, Cap
from graph import queries as graph_queries
from graph import ratings
from graph.i18n import _
from graph.model import CODE, NODE_BY_LABEL, REL_BY_TYPE, check_pair, key_label
from graph.scope import SCOPE_RELS
from graph.spine import PLACEMENT
from graph.writer import NodeRecord, RelRecord, rel_key, stored_row, write_graph

# Demand fields owned by the life-cycle mutations (api.graphql.demands), and the relationship
# only dispatchDemand may create: generic create/update/link must not bypass them.
LIFECYCLE = ("status", "done_at", "satisfaction", "created_at", "accepted_at",
             "reviewed_at")
LIFECYCLE_RELS = ("ASSIGNED_TO",)
# Properties the service fills itself (per label): the account that entered a rating.
FILLED: dict[str, tuple[str, ...]] = {ratings.LABEL: ("rated_by",)}


@dataclass
class Outcome:
    """What a mutation did: the node (if any), field errors, and the audit outcome."""

    node: Any = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def audit(self) -> str:
        return "invalid" if self.errors else "ok"


def require_staff(ctx: Context, *labels: str) -> None:
    """The capability a label of ``labels`` needs (policy.LABEL_CAPS: its refusal names
    it), and CHANGE_GRAPH."""
    for label in labels:
        if label in LABEL_CAPS:
            ctx.require(LABEL_CAPS[label])
    ctx.require(Cap.CHANGE_GRAPH)


def end_label(labels: tuple[str, ...], label: str) -> str | None:
    """The label to match a relationship end with (Person ends that need a member)."""
    if label in labels:
        return label
    if label == "Person" and "Member" in labels:
        return "Member"
    return None


def validate(label: str, values: dict[str, Any], errors: list[FieldError],
             prefix: str = "input") -> dict[str, Any]:
    """Parse every property with its model Prop; collect one error per bad field."""
    props: dict[str, Any] = {}
    for prop in NODE_BY_LABEL[label].props:
        if prop.name == "code":
            continue
        try:
            props[prop.name] = prop.parse(values.get(prop.name))
        except ValueError as exc:
            errors.append(FieldError(field=f"{prefix}.{strawberry_name(prop.name)}",
                                     message=str(exc)))
    return props


def lifecycle_guard(label: str, values: dict[str, Any], errors: list[FieldError]) -> None:
    if label != "Demand":
        return
    for name in LIFECYCLE:
        if values.get(name) is not None:
            errors.append(FieldError(field=f"input.{strawberry_name(name)}", message=_(
                "只能由 raiseDemand 和需求流转的各个变更设置")))


def rule_guard(label: str, props: dict[str, Any], errors: list[FieldError]) -> None:
    """An alert rule must be one analysis.alerts can evaluate: refused on the property it
    lacks (a threshold rule's indicator, level or threshold, a term rule's days …)."""
    if label != "AlertRule" or errors:
        return
    found = alerts.check_rule(alerts.Rule.of({"code": "", **props}, ""))
    if found is not None:
        errors.append(FieldError(field=f"input.{strawberry_name(found[0])}", message=found[1]))


def fill(ctx: Context, label: str, values: dict[str, Any],
         errors: list[FieldError]) -> dict[str, Any]:
    """``values`` with what the service fills itself (:data:`FILLED`): the caller's
    account; a client that sends one of those is refused under its field."""
    names = FILLED.get(label, ())
    for name in names:
        if values.get(name) is not None:
            errors.append(FieldError(field=f"input.{strawberry_name(name)}", message=_(
                "由系统填写为当前账号，不能指定")))
    return {**values, **dict.fromkeys(names, ctx.caller.subject)}


def _keep_history(label: str) -> None:
    """A kind that is history (``NodeKind.history``: ratings) is neither updated nor
    deleted here."""
    kind = NODE_BY_LABEL[key_label(label)]
    if kind.history:
        raise ApiError(_("{zh}不能修改：更正请新建一条{zh}", zh=kind.zh))


def already_exists(label: str, code: str) -> str:
    return _("{label} {code} 已存在", label=label, code=code)


def not_found(label: str, code: str) -> str:
    """The refusal of a node the caller's scope does not hold (or no store does)."""
    return _("你的管辖范围内没有 {label} {code}", label=label, code=code)


def given(obj: Any) -> dict[str, Any]:
    """The fields of an input object the client actually sent (UNSET = not sent)."""
    return {k: v for k, v in vars(obj).items() if v is not UNSET}


async def write_records(ctx: Context, nodes: list[NodeRecord], rels: list[RelRecord],
                        **kw: Any) -> None:
    """A mutation's records written (``graph.writer.write_graph``, off the event loop),
    without the database's write stamp: this process counts its own writes by what they
    change (``graph.changed``), and a stamp would send back every kept answer.  The stamp
    is for writes from other processes (load, restore)."""
    await asyncio.to_thread(write_graph, ctx.store, nodes, rels, stamp=False, **kw)


async def visible(ctx: Context, label: str, code: str) -> dict[str, Any] | None:
    rows = await ctx.read(queries.by_codes(key_label(label), ctx.scope_label), codes=[code])
    return rows[0] if rows else None


async def existing(ctx: Context, label: str, code: str) -> dict[str, Any] | None:
    rows = await asyncio.to_thread(ctx.store.read, queries.exists(label), code=code)
    return rows[0] if rows else None


def parse_code(code: str, errors: list[FieldError]) -> str:
    try:
        return str(CODE.parse(code))
    except ValueError as exc:
        errors.append(FieldError(field="code", message=str(exc)))
        return ""


def _parent_link(label: str, code: str, parent_label: str,
                 parent_code: str) -> tuple[RelRecord, str] | None:
    """The relationship placing a new node under its parent, and the label the parent
    is matched with (Member where the model asks for a party member)."""
    for rel_type in PLACEMENT[label]:
        rel = REL_BY_TYPE[rel_type]
        here, there = end_label(rel.sources, label), end_label(rel.targets, parent_label)
        if here and there and rel.allows(here, there):
            return RelRecord(rel.type, here, code, there, parent_code), there
        here, there = end_label(rel.targets, label), end_label(rel.sources, parent_label)
        if here and there and rel.allows(there, here):
            return RelRecord(rel.type, there, parent_code, here, code), there
    return None


def parent_labels(label: str) -> list[str]:
    """The labels a new ``label`` node may hang under (:data:`graph.spine.PLACEMENT`)."""
    found: set[str] = set()
    for rel in (REL_BY_TYPE[t] for t in PLACEMENT[label]):
        found.update(t for t in rel.targets if rel.allows(label, t))
        found.update(s for s in rel.sources if rel.allows(s, label))
    return sorted(found - {label})


async def create(ctx: Context, label: str, code: str, values: dict[str, Any],
                 parent: str | None) -> Outcome:
    require_staff(ctx, label)
    out = Outcome()
    code = parse_code(code, out.errors)
    lifecycle_guard(label, values, out.errors)
    values = fill(ctx, label, values, out.errors)
    if label == "Demand":
        values = {**values, "status": "open", "created_at": now()}
    props = validate(label, values, out.errors)
    rule_guard(label, props, out.errors)
    if label not in PLACEMENT:
        raise Forbidden(_("{label} 节点由台账导入，不能在这里创建", label=label))
    allowed = parent_labels(label)
    if not parent:
        out.errors.append(FieldError(field="parent", message=_(
            "须给出管辖范围内的上级（parent），类型为 {labels} 之一", labels=", ".join(allowed))))
        return out
    parent_label, parent_code = parse_id(parent)
    link = _parent_link(label, code, parent_label, parent_code)
    if link is None:
        out.errors.append(FieldError(field="parent", message=_(
            "{label} 不能挂在 {parent} 之下；上级须是 {labels} 之一", label=label,
            parent=parent_label, labels=", ".join(allowed))))
    else:
        # the new node lies wherever the parent's anchors reach: a parent shared with
        # another scope would place it there too
        await check_end(ctx, out.errors, "parent", parent, link[1], parent_code,
                        exclusive=link[0].type in SCOPE_RELS)
    if code and await existing(ctx, label, code) is not None:
        out.errors.append(FieldError(field="code", message=already_exists(label, code)))
    if out.errors or link is None:
        return out
    node = NodeRecord(label, code, props)
    await write_records(ctx, [node], [link[0]], new=True)
    out.node = build_node(ctx, label, stored_row(node))
    return out


async def update(ctx: Context, label: str, code: str, values: dict[str, Any]) -> Outcome:
    require_staff(ctx, label)
    _keep_history(label)
    out = Outcome()
    row = await visible(ctx, label, code)
    if row is None:
        out.errors.append(FieldError(field="code", message=not_found(label, code)))
        return out
    lifecycle_guard(label, values, out.errors)
    merged = {**row["props"], **values}
    props = validate(label, merged, out.errors)
    rule_guard(label, props, out.errors)
    if out.errors:
        return out
    node = NodeRecord(label, code, props)
    await write_records(ctx, [node], [])
    out.node = build_node(ctx, label, stored_row(node))
    return out


async def delete(ctx: Context, label: str, code: str) -> Outcome:
    require_staff(ctx, label)
    _keep_history(label)
    out = Outcome()
    row = await reach(ctx, label, code)
    if row is None:
        out.errors.append(FieldError(field="code", message=not_found(label, code)))
        return out
    shared = shared_with(ctx, f"{label}:{code}", row)  # deleting it would change their view
    if shared:
        out.errors.append(FieldError(field="code", message=shared))
        return out
    await asyncio.to_thread(ctx.store.write, graph_queries.delete_node(label), code=code)
    return out


async def link(ctx: Context, rel_type: str, source: str, target: str,
               values: dict[str, Any], remove: bool = False) -> Outcome:
    """Add (or with ``remove``, delete) one relationship.

    Both ends must be visible; for a scope-bearing type both must be exclusive, else
    street A could adopt street B's person (``LIVES_IN``) or pull B's party tree into A
    (``COVERS``, ``UNDER``).  The target is checked first and the first end that fails
    is named.  A pair of ends the model does not allow together (``check_pair``: a
    Household ``PART_OF`` a County) is refused for a link; an unlink may still remove
    one, written before the pairs were checked.
    """
    rel = REL_BY_TYPE[rel_type]
    require_staff(ctx, *rel.sources)
    out = Outcome()
    if rel_type in LIFECYCLE_RELS:
        raise ApiError(_("{type} 由 dispatchDemand 设置，不能用 link/unlink", type=rel_type))
    if not rel.entered:
        raise ApiError(_("{type} 由系统自己的操作维护，不能用 link/unlink", type=rel_type))
    s_label, s_code = parse_id(source)
    t_label, t_code = parse_id(target)
    s_end, t_end = end_label(rel.sources, s_label), end_label(rel.targets, t_label)
    if s_end is None:
        out.errors.append(FieldError(field="source", message=_(
            "{type} 的起点须是 {labels} 之一，不能是 {label}", type=rel_type,
            labels=", ".join(rel.sources), label=s_label)))
    if t_end is None:
        out.errors.append(FieldError(field="target", message=_(
            "{type} 的终点须是 {labels} 之一，不能是 {label}", type=rel_type,
            labels=", ".join(rel.targets), label=t_label)))
    names = {p.name for p in rel.props}
    for extra in sorted(set(values) - names):
        if values[extra] is not None:
            out.errors.append(FieldError(field=f"input.{strawberry_name(extra)}",
                                         message=_("{type} 没有属性 {prop}", type=rel_type,
                                                   prop=extra)))
    props: dict[str, Any] = {}
    for prop in rel.props:
        if remove and prop.name not in rel.key_props:
            continue
        try:
            props[prop.name] = prop.parse(values.get(prop.name))
        except ValueError as exc:
            out.errors.append(FieldError(field=f"input.{strawberry_name(prop.name)}",
                                         message=str(exc)))
    if s_end is not None and t_end is not None and not remove:
        try:
            check_pair(rel_type, s_end, t_end)
        except ValueError as exc:
            out.errors.append(FieldError(field="target", message=str(exc)))
    if out.errors or s_end is None or t_end is None:
        return out
    bearing = rel_type in SCOPE_RELS
    for name, gid, end, code in (("target", target, t_end, t_code),
                                 ("source", source, s_end, s_code)):
        if await check_end(ctx, out.errors, name, gid, end, code, exclusive=bearing) is None:
            return out
    if remove and rel.one:
        out.errors.append(FieldError(field="input", message=_(
            "{label} 须有且只有一条 {type}（{name}）：要改到别处，请直接 link 新的，"
            "原来的随之解除", label=s_end, type=rel_type, name=rel.zh)))
        return out
    if remove:
        query = graph_queries.delete_rel(rel_type, s_end, t_end, placed=True)
        rows = await asyncio.to_thread(ctx.store.write, query, src=s_code, tgt=t_code,
                                       rkey=rel_key(rel_type, props))
        if not rows or not rows[0]["deleted"]:
            out.errors.append(FieldError(field="input", message=_("没有这条关系")))
        return out
    record = RelRecord(rel_type, s_end, s_code, t_end, t_code, props)
    await write_records(ctx, [], [record])  # it moves a one-per-source type: graph.writer
    return out
