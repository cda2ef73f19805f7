"""The GraphQL types of the analyses' answers, each stated against its dataclass.

An answer type subclasses the analysis dataclass it shows (analysis.tally,
analysis.matching, analysis.network) and states only what differs: a field hidden
(``strawberry.Private``), renamed (``strawberry.field(name=...)``), typed for GraphQL
(``graphql_type=``) or added.  A field added to a dataclass so appears in the schema
(the schema test notices), and a resolver may return the analysis's own objects, or
redacted copies of them (api.graphql.analyses, api.graphql.redact).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from analysis import matching, network, tally
from analysis.indicators import catalogue
from api.graphql.redact import OUTSIDE
from graph.i18n import DEFAULT, language

SEEN_AS = f"'Label:code'，调用者看不到的为“{OUTSIDE}”"


def indicator_list() -> str:
    """Every indicator with its Chinese name and definition, from analysis (the one
    home of the definitions; at the default options), in Chinese whatever JINLIN_LANG
    says: the schema is built once, not per request."""
    with language(DEFAULT):
        return "；".join(f"{i.key}（{i.zh}）：{i.definition}" for i in catalogue())


def _describe(cls: type, **docs: str) -> None:
    """Describe the GraphQL fields of ``cls`` by Python name: the fields an answer type
    inherits from its analysis dataclass take no ``strawberry.field`` of their own."""
    for f in cls.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if f.python_name in docs:
            f.description = docs.pop(f.python_name)
    if docs:
        raise ValueError(f"{cls.__name__} has no fields {sorted(docs)}")


def _place(cls: type, name: str, after: str | None) -> None:
    """Move GraphQL field ``name`` of ``cls`` right after ``after`` (first when None).

    A subclass of an analysis dataclass lists the dataclass's fields first and its own
    after them; this keeps each field where the published schema has it."""
    fields = cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
    field = next(f for f in fields if f.python_name == name)
    fields.remove(field)
    at = 0 if after is None else next(
        i for i, f in enumerate(fields) if f.python_name == after) + 1
    fields.insert(at, field)


def _scope_id(self: Any) -> str:
    return f"{self.scope_label}:{self.scope_code}"


@strawberry.type(name="AnalysisItem", description=(
    "指标背后的一项（AnalysisItem）：小区、楼栋、人员、需求等，调用者看不到的编码为“范围外”。"))
class AnalysisItem(tally.Item):
    """tally.Item as the caller may see it (api.graphql.redact); resolvers return
    redacted copies of the analysis's own items."""

    num: float = strawberry.field(name="numerator")
    den: float = strawberry.field(name="denominator")
    children: strawberry.Private[list[str]]
    rank: strawberry.Private[float]
    detail: dict[str, Any] = strawberry.field(graphql_type=JSON)


_describe(AnalysisItem, label="节点类型（label）", code="编码（code），或“范围外”",
          name="名称（name）；范围外时为 null", num="计入分子的份额（numerator）",
          den="计入分母的份额（denominator）",
          households="受影响的户数（households），缺口按它排序",
          detail="明细（detail，JSON）：相关的组织、职务等，范围外的已隐去")


@strawberry.type(name="ChildFigure",
                 description="下一级区域的指标（ChildFigure）：县的街道、街道的社区……")
class ChildFigure(tally.ChildFigure):
    """tally.ChildFigure as it is."""


_describe(ChildFigure, label="区域类型（label）", code="区域编码（code）",
          name="区域名称（name）", numerator="分子（numerator）", denominator="分母（denominator）",
          ratio="比率（ratio），分母为 0 时为 null")


@strawberry.type(name="IndicatorFigure", description=(
    "指标表的一行（IndicatorFigure）。指标及其定义：" + indicator_list()))
class IndicatorFigure(tally.Indicator):
    """One row of the indicator table; ``reason`` says why ``ratio`` is null.  ``hits``
    and ``gaps`` are cut at the item limit, their counts are not."""

    hits: list[tally.Item] = strawberry.field(graphql_type=list[AnalysisItem])
    gaps: list[tally.Item] = strawberry.field(graphql_type=list[AnalysisItem])
    children: list[tally.ChildFigure] = strawberry.field(graphql_type=list[ChildFigure])
    extra: dict[str, Any] = strawberry.field(graphql_type=JSON)
    hit_count: int
    gap_count: int


_place(IndicatorFigure, "gap_count", "reason")
_place(IndicatorFigure, "hit_count", "reason")
KEY_DOC = "指标键（key），不随语言变化：" + "、".join(i.key for i in catalogue())
_describe(IndicatorFigure, key=KEY_DOC,
          title="指标名称（title），按请求的语言", zh="指标的中文名（zh），不随语言变化",
          definition="指标的定义（definition），按请求的语言",
          numerator="分子（numerator）", denominator="分母（denominator）",
          ratio="比率（ratio）= 分子 ÷ 分母；分母为 0 时为 null，原因见 reason",
          reason="比率为 null 的原因（reason），按请求的语言",
          hit_count="计入分子的项数（hitCount），不受 itemLimit 限制",
          gap_count="缺口项数（gapCount），不受 itemLimit 限制",
          hits="计入分子的各项（hits），最多 itemLimit 项",
          gaps="缺口（gaps），按受影响户数从多到少，最多 itemLimit 项",
          children="下一级各区域的同一指标（children）",
          extra="附加数字（extra，JSON）：如每社区共建单位数、办结时长中位数、无坐标的小区、"
                "吹哨三率的每单位数字（by_unit）和超期清单（overdue）",
          lower_is_better="越低越好（lowerIsBetter）：指标数的是问题（三无小区、一人多岗），"
                          "比率越低越好；其余越高越好")


@strawberry.type(description="指标表（IndicatorTable）：一个范围、一个统计日期。")
class IndicatorTable:
    scope: str = strawberry.field(description="分析范围（scope），'Label:code'")
    as_of: str = strawberry.field(description="统计日期（asOf），YYYY-MM-DD")
    indicators: list[IndicatorFigure] = strawberry.field(description="各项指标（indicators）")


@strawberry.type(description="一个指标的缺口清单（GapList），按受影响户数从多到少。")
class GapList:
    key: str = strawberry.field(description=KEY_DOC)
    title: str = strawberry.field(description="清单标题（title），按请求的语言")
    zh: str = strawberry.field(description="指标的中文名（zh）")
    total: int = strawberry.field(description="缺口总数（total），不受 itemLimit 限制")
    items: list[tally.Item] = strawberry.field(graphql_type=list[AnalysisItem],
                                               description="缺口各项（items），最多 itemLimit 项")


@strawberry.type(name="Dispatch", description="一次派单（Dispatch）：需求、资源和接单方。")
class Dispatch(matching.Assignment):
    """matching.Assignment with its taker as ``Label:code`` (or 范围外)."""

    offerer_label: strawberry.Private[str | None]
    offerer: strawberry.Private[str | None]
    taker: str | None = None


_place(Dispatch, "taker", "resource")
CATEGORY_DOC = "需求类别的编码（category），取值见 Category"
_describe(Dispatch, demand="需求编码（demand），或“范围外”",
          resource="资源编码（resource），或“范围外”",
          taker=f"接单方（taker），提供资源者，{SEEN_AS}", category=CATEGORY_DOC,
          urgency="紧急程度（urgency），1–5", distance_m="需求到资源的距离（distanceM），米",
          flags="提示（flags）：black_listed 表示资源由黑榜（红黑榜）物业服务企业提供；"
                "只提示，不排除，由工作人员审核时决定")


@strawberry.type(name="UnmatchedDemand",
                 description="没有配上资源的需求（UnmatchedDemand）及原因。")
class UnmatchedDemand(matching.Unmatched):
    candidates: strawberry.Private[list[str]]


_describe(UnmatchedDemand, demand="需求编码（demand），或“范围外”", category=CATEGORY_DOC,
          urgency="紧急程度（urgency），1–5", reason="没有配上的原因（reason），按请求的语言")


@strawberry.type(name="MatchResult", description=(
    "需求与资源的匹配方案（MatchResult，最小费用流）：先满足紧急的，再求总距离最短。"))
class MatchResult(matching.MatchPlan):
    """matching.MatchPlan as the caller sees it, with the demands it dispatched."""

    scope_label: strawberry.Private[str]
    scope_code: strawberry.Private[str]
    assignments: list[matching.Assignment] = strawberry.field(graphql_type=list[Dispatch])
    unmatched: list[matching.Unmatched] = strawberry.field(graphql_type=list[UnmatchedDemand])
    dispatched: list[str]
    scope: str = strawberry.field(resolver=_scope_id)


_place(MatchResult, "scope", None)
_describe(MatchResult, scope="分析范围（scope），'Label:code'",
          assignments="派单方案（assignments）",
          unmatched="没有配上资源的需求（unmatched）",
          candidate_pairs="参与求解的需求–资源候选对数（candidatePairs）",
          urgency_served="配上的需求的紧急程度之和（urgencyServed）",
          total_distance_m="派单总距离（totalDistanceM），米",
          dispatched="这次已写入派单的需求编码（dispatched）；matchPlan 不写入，为空")


@strawberry.type(description="网络中的一个节点（NetworkNode）：编号、类型和名称。")
class NetworkNode:
    id: str = strawberry.field(description=f"全局编号（id），{SEEN_AS}")
    label: str = strawberry.field(description="节点类型（label），如 Person、PartyOrg")
    name: str | None = strawberry.field(description="名称（name）；范围外时为 null")


@strawberry.type(description="节点和它的一个数值（NodeScore）。")
class NodeScore:
    node: NetworkNode = strawberry.field(description="节点（node）")
    value: float = strawberry.field(description="数值（value）：任职数或中介中心度")


@strawberry.type(description="网络中的一条边（NetworkEdge）：两端节点的编号和关系类型。")
class NetworkEdge:
    source: str = strawberry.field(description="一端（source），'Label:code'")
    target: str = strawberry.field(description="另一端（target），'Label:code'")
    type: str = strawberry.field(description="关系类型（type），如 HOLDS_POST、CO_BUILDS_WITH")
    role: str | None = strawberry.field(description="职务（role），任职关系才有")


@strawberry.type(description=(
    "共建网络本身（NetworkGraph）：调用者看得到的节点和它们之间的边，供画图；看不到的节点"
    "及其边不列出。"))
class NetworkGraph:
    scope: str = strawberry.field(description="分析范围（scope），'Label:code'")
    nodes: list[NetworkNode] = strawberry.field(description="节点（nodes）")
    edges: list[NetworkEdge] = strawberry.field(description="边（edges）")


@strawberry.type(name="NetworkStructure", description=(
    "共建网络的结构（NetworkStructure）：人员、党组织、单位、物业、业委会及其相遇的社区小区，"
    "由现任职务、组织关系、工作、共建、物业服务、代表、责任、覆盖、依托和上下级连接。"))
class NetworkStructure(network.NetworkReport):
    """Betweenness is an estimate when ``betweenness_sampled`` (from ``betweenness_k``
    sources); the other measures are exact.  Every node is a NetworkNode: id, label and
    name, id 范围外 (and no name) for one the caller cannot see."""

    scope_label: strawberry.Private[str]
    scope_code: strawberry.Private[str]
    components: list[int] = strawberry.field(name="componentSizes")
    # the answer names nodes as the caller may see them, not as (label, code) pairs
    isolated_orgs: list[NetworkNode]  # type: ignore[assignment]
    articulation_people: list[NetworkNode]  # type: ignore[assignment]
    bridges: list[list[NetworkNode]]  # type: ignore[assignment]
    overloaded: list[NodeScore]  # type: ignore[assignment]
    betweenness: list[NodeScore]  # type: ignore[assignment]
    cobuilding_communities: list[list[NetworkNode]]  # type: ignore[assignment]
    names: strawberry.Private[dict[network.Node, str | None]]
    scope: str = strawberry.field(resolver=_scope_id)


_place(NetworkStructure, "scope", None)
_describe(
    NetworkStructure, scope="分析范围（scope），'Label:code'", nodes="节点数（nodes）",
    edges="边数（edges）", components="各连通分量的大小（componentSizes），从大到小",
    isolated_orgs="孤立的组织（isolatedOrgs）：不与任何人、其他组织或社区相连（至多连着所服务的"
    "小区、网格、楼栋）；调用者看不到的不列出",
    articulation_people="关键人员（articulationPeople）：在人员–组织任职网络中，此人离开会使组织"
    "彼此断开（割点）；调用者看不到的不列出",
    bridges="任职网络中的桥（bridges）：断开就分裂网络的任职关系，每条为两个节点",
    overloaded="一人多岗（overloaded）：现任职务不少于 overloadThreshold 个的人员及其职务数",
    betweenness="中介中心度（betweenness）：人员和单位，从高到低（不计普通组织关系）",
    betweenness_sampled="中介中心度是否为抽样估计（betweennessSampled）：网络超过 20,000 个节点时",
    betweenness_k="抽样估计所用的源点数（betweennessK）；精确计算时为 null",
    cobuilding_communities="共建网络的社群（cobuildingCommunities，Louvain）：单位和社区的分组；"
    "调用者看不到的不列出")
