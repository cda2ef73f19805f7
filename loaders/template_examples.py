"""One example row per ledger sheet, for the template's 填写说明 (instructions) sheet.

The rows describe one small county in the generator's code scheme (``C01``,
``C01-S01``, ``C01-S01-M01-K01`` …, see :mod:`loaders.synthetic`), so a clerk sees codes
shaped like the ones the demo data uses, and every value is one the loader accepts (a
test loads them): enums by their Chinese label, dates as ``2023-01-01``.
"""

from __future__ import annotations

from typing import Any

from graph.model import Prop, PropType, key_label
from loaders.formats import FROM, FROM_KIND, TO, TO_KIND, Sheet

_COMMUNITY = "C01-S01-M01"
_COMPOUND = f"{_COMMUNITY}-K01"
# label → (code, name) of the example county's one node of that label
EXAMPLE_NODES: dict[str, tuple[str, str]] = {
    "County": ("C01", "示例县"),
    "Street": ("C01-S01", "城关街道"),
    "Community": (_COMMUNITY, "幸福社区"),
    "Grid": (f"{_COMMUNITY}-G01", "幸福社区第1网格"),
    "Compound": (_COMPOUND, "阳光花园"),
    "Building": (f"{_COMPOUND}-B01", "阳光花园1幢"),
    "Household": (f"{_COMPOUND}-B01-0101", ""),
    "PartyOrg": (f"{_COMMUNITY}-PC", "中共幸福社区委员会"),
    "Unit": ("C01-U001", "县人民医院"),
    "PropertyFirm": ("C01-F01", "安居物业服务有限公司"),
    "OwnersCommittee": (f"{_COMPOUND}-OC", "阳光花园业主委员会"),
    "SocialOrg": ("C01-SO01", "邻里互助协会"),
    "VolunteerTeam": ("C01-VT01", "红马甲志愿服务队"),
    "Alliance": ("C01-A00", "示例县城市基层党建联盟"),
    "ServiceSite": ("C01-SS001", "幸福社区党群服务中心"),
    "Person": ("P0000001", "张三"),
    "Project": ("C01-PJ001", "幸福社区助老食堂项目"),
    "Demand": ("D0000001", "3幢楼道灯不亮"),
    "Resource": ("R0000001", "上门理发（县人民医院）"),
    "AlertRule": ("C01-R01", "社区物业管理覆盖率低于80%"),
    "Rating": ("RT0000001", ""),
    "PointsRule": ("C01-PR01", "办结一件领办需求"),
    "DutyRecord": ("DR0000001", ""),
}

# Values of particular properties; any other property gets the example of its type.
_BY_NAME: dict[str, Any] = {
    "households": 320, "buildings": 12, "built_year": 2005, "population": 8500,
    "residents": 3, "stars": 4, "credit_score": 92.5, "urgency": 3, "satisfaction": 5,
    "capacity": 20, "radius_m": 800, "lat": 30.2741, "lon": 120.1551,
    "phone": "13800000000", "id_number": "330102198001010011", "address": "1幢1单元101室",
    "services": "政策咨询、代办服务", "agreement": "幸福社区共建协议〔2023〕1号",
    "resource": "R0000001", "until": "2026-12-31", "term_end": "2026-12-31",
    "due": "2024-03-08", "indicator": "property_management_coverage", "threshold": 0.8,
    "days": 30,
    "respond_by": "2024-03-02", "reason": "物业服务到位，居民满意度高",
    "evidence": "街道物业考核通报〔2024〕3号",
    "points": 10, "cap": 50, "min_satisfaction": 4,
}
_BY_TYPE: dict[PropType, Any] = {
    PropType.STR: "示例", PropType.INT: 1, PropType.FLOAT: 1.5, PropType.BOOL: "是",
    PropType.DATE: "2023-01-01", PropType.DATETIME: "2024-03-01 09:30",
}
# (sheet, property) whose example must agree with the example node's name
_OVERRIDES: dict[tuple[str, str], str] = {
    ("PartyOrg", "kind"): "community_party_committee",
    ("Unit", "kind"): "hospital",
    ("HOLDS_POST", "role"): "secretary",
    ("AlertRule", "kind"): "threshold",
    ("AlertRule", "level"): "Community",
    ("PointsRule", "period"): "month",
}


def example_row(sheet: Sheet) -> dict[str, Any]:
    """A valid row of ``sheet`` keyed by English column name (enum cells as labels)."""
    row: dict[str, Any] = {}
    ends = _ends(sheet)
    for col in sheet.columns:
        if col.name in ends:
            row[col.name] = ends[col.name]
        elif sheet.node is not None and col.name in ("code", "name"):
            code, name = EXAMPLE_NODES[sheet.node.label]
            row[col.name] = code if col.name == "code" else name
        elif sheet.node is not None and col.name == "title":
            row[col.name] = EXAMPLE_NODES[sheet.node.label][1]
        else:
            row[col.name] = _value(sheet.name, col.prop)
    return row


def _ends(sheet: Sheet) -> dict[str, Any]:
    """The end columns of a relationship sheet: its first allowed labels' example nodes
    (a kind column holds the label's dropdown entry)."""
    if sheet.rel is None:
        return {}
    source, target = sheet.rel.sources[0], sheet.rel.targets[0]
    ends: dict[str, Any] = {FROM: EXAMPLE_NODES[key_label(source)][0],
                            TO: EXAMPLE_NODES[key_label(target)][0]}
    for col in sheet.columns:
        if col.name in (FROM_KIND, TO_KIND):
            ends[col.name] = _label_of(col.prop, source if col.name == FROM_KIND else target)
    return ends


def _label_of(prop: Prop, code: str) -> str:
    return next(c.zh for c in prop.choices if c.code == code)


def _value(sheet: str, prop: Prop) -> Any:
    if prop.type is PropType.ENUM:
        return _label_of(prop, _OVERRIDES.get((sheet, prop.name), prop.choices[0].code))
    return _BY_NAME.get(prop.name, _BY_TYPE[prop.type])
