"""The schema's descriptions: how a model property, node kind or relationship is named in
it, and the arguments shared by many fields.

Descriptions are part of the schema, which is built once per process, so they are not
translated per request: each is the model's Chinese name with the English (GraphQL or
model) name in brackets, e.g. "物业管理模式（property_mode）".  The Chinese comes from
graph.model (one home), the indicator definitions from analysis (api.graphql.results).
A test walks the schema and fails on anything left undescribed.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry

from graph.model import NodeKind, Prop, PropType
from graph.spine import AREAS

F = TypeVar("F", bound=Callable[..., Any])

AREA_LABELS = "、".join(AREAS)
SCOPE_ARG = (f"分析范围（scope），'Label:code'，Label 为 {AREA_LABELS} 之一，如 Street:C01-S02；"
             "须在调用者范围内，缺省为调用者自己的范围")
AS_OF_ARG = ("统计日期（asOf），YYYY-MM-DD，缺省为今天：只计当天有效的任职和关系；"
             "其他写法（如 yesterday）或不存在的日期被拒绝（INVALID_INPUT）")

# Arguments by their Python name, for every resolver passed to :func:`documented`.
ARGS: dict[str, str] = {
    "id": "全局编号（id），'Label:code'，如 Compound:C1",
    "first": "本页最多几条（first），1 到分页上限，缺省为分页默认值",
    "after": "游标（after）：上一页 pageInfo.endCursor，取其后一页",
    "within": (f"只要此区域内的节点（within），'Label:code'，Label 为 {AREA_LABELS} 之一；"
               "按图（隶属、所属网格）判断，不按编码前缀"),
    "filter": "筛选条件（filter），各条件同时满足",
    "order_by": "排序键（orderBy），缺省为编码；相同时按编码",
    "descending": "是否倒序（descending）",
    "label": "要计数的节点类型（label）",
    "level": "按哪一级区域分组（level）",
    "code": "编码（code），同类节点中唯一",
    "input": "属性（input）：未给出的字段更新时保持不变，null 表示清空",
    "parent": "新节点挂在哪个节点下（parent），'Label:code'，如小区所属的网格",
    "raised_in": "需求所在的小区或社区（raisedIn），'Label:code'",
    "raised_by": "点单人（raisedBy），'Person:code'；缺省为调用者本人",
    "taker": "接单方（taker），'Label:code'：党员、驻区单位或志愿服务队（派单时必填）",
    "resource": "所用资源的编码（resource），可选",
    "satisfaction": "满意度（satisfaction），1–5（评价时必填）",
    "scope": SCOPE_ARG,
    "as_of": AS_OF_ARG,
    "keys": "只要这些指标（keys），按指标键；缺省为全部",
    "overload_threshold": "一人多岗的门槛（overloadThreshold）：现任职务不少于此数，缺省 3",
    "walk_m": "15 分钟服务圈的步行距离（walkM），米，缺省 1000",
    "item_limit": "每张明细表最多几条（itemLimit），0–500，缺省 50；计数不受影响",
    "radius_m": "资源服务半径的上限（radiusM），米；缺省按各资源自己的半径",
    "k": "每个需求最多考虑几个最近的资源（k），1–100，缺省 20",
}


def documented(fn: F, **docs: str) -> F:
    """``fn`` with a description on each GraphQL argument: ``docs`` first, else
    :data:`ARGS` (a KeyError names an argument nobody described)."""
    hints = typing.get_type_hints(fn, include_extras=True)
    for name in list(fn.__code__.co_varnames[:fn.__code__.co_argcount]):
        if name in ("self", "info"):
            continue
        doc = docs.get(name) or ARGS[name]
        fn.__annotations__[name] = Annotated[hints[name], strawberry.argument(description=doc)]
    return fn


def prop_doc(prop: Prop, enum: str | None = None) -> str:
    """A property as the schema describes it: Chinese, English, range, masking."""
    parts = [f"{prop.zh}（{prop.name}）"]
    low, high = prop.minimum, prop.maximum
    if low is not None and high is not None:
        parts.append(f"{low:g} 到 {high:g}")
    elif low is not None:
        parts.append(f"不小于 {low:g}")
    elif high is not None:
        parts.append(f"不大于 {high:g}")
    if prop.type is PropType.DATE:
        parts.append("日期 YYYY-MM-DD")
    elif prop.type is PropType.DATETIME:
        parts.append("时间 YYYY-MM-DDTHH:MM:SS")
    if enum:
        parts.append(f"取值见 {enum}")
    if prop.personal:
        parts.append("无权查看者看到打码后的值")
    return "，".join(parts)


def label_doc(prop: Prop) -> str:
    return f"{prop.zh}的中文名（{prop.name} 的标签），如“{prop.choices[0].zh}”"


def kind_doc(kind: NodeKind) -> str:
    return f"{kind.zh}（{kind.label}）" + (f"。{kind.doc}" if kind.doc else "")
