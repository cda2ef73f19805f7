"""The graph model of DOMAIN.md as data: every node label and relationship type.

One table drives the schema (constraints), the ledger formats (one sheet per kind),
validation (for imports and API mutations alike) and the named queries.  Keeping the
model as data means a new property is added in one place and every layer sees it.

Every node has a natural key ``code`` (编码), unique per label: ledgers are keyed by
codes, never by database ids.  Dates are stored as ISO strings (``YYYY-MM-DD``) and
datetimes as ``YYYY-MM-DDTHH:MM:SS``: they sort and compare the same way on Neo4j 4.4,
Neo4j 5 and ArcadeDB, where temporal types do not behave identically.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.i18n import DEFAULT, _, current


class PropType(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enum property: stored code and its Chinese label."""

    code: str
    zh: str


@dataclass(frozen=True)
class Prop:
    """A typed property. ``zh`` is the Chinese ledger header and UI label."""

    name: str
    type: PropType
    zh: str
    required: bool = False
    choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    personal: bool = False  # phone / ID numbers: masked unless the role may see them
    is_code: bool = False  # a natural key: kept to the safe set of check_code

    def parse(self, value: Any) -> Any:
        """Turn a ledger cell or API argument into the stored value.

        Raises ValueError with a reason a county clerk can act on.  Empty cells give
        None (and are refused when required).  Every text is checked by check_text
        first, whatever the type, so no control character reaches the store.
        """
        if isinstance(value, str):
            check_text(value)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if self.required:
                raise ValueError(_("必须填写"))
            return None
        if isinstance(value, float) and math.isnan(value):
            return None
        parsed: Any = _PARSERS[self.type](self, value)
        if self.minimum is not None and parsed < self.minimum:
            raise ValueError(_("不能小于 {minimum}，填的是 {value}",
                               minimum=f"{self.minimum:g}", value=parsed))
        if self.maximum is not None and parsed > self.maximum:
            raise ValueError(_("不能大于 {maximum}，填的是 {value}",
                               maximum=f"{self.maximum:g}", value=parsed))
        return parsed


# Characters no text may hold: they corrupt encodings (lone surrogates cannot be written
# as UTF-8, so a store or a log line fails half-way), hide or reorder what a person reads
# (bidi controls: "Trojan source"), or break line- and cell-oriented files (C0/C1
# controls).  Tab, line feed and carriage return stay: addresses and notes use them.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                      "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATES = range(0xD800, 0xE000)
_CONTROLS = frozenset(range(0x20)) | frozenset(range(0x7F, 0xA0))
MAX_TEXT = 2000  # characters of one text value
MAX_CODE = 64  # characters of one code
CODE_PUNCTUATION = "-_./"
_ASCII_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*")
_LETTERS_DIGITS = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})


def check_text(text: str) -> None:
    """Refuse lone surrogates, C0 controls other than tab/LF/CR, DEL, C1 controls and
    bidi controls (U+061C, U+200E/F, U+202A–E, U+2066–9), naming the first one by
    position (1-based) and code point.  One regex search: ledgers call it per cell."""
    found = _REFUSED.search(text)
    if found is None:
        return
    point = ord(found.group())
    kind = (_("孤立的代理码位，不是有效字符") if point in _SURROGATES
            else _("控制字符") if point in _CONTROLS else _("双向文本控制符，会改变文字显示顺序"))
    raise ValueError(_("第 {position} 个字符 U+{point}（{kind}）不允许出现在文本中，请删除后重试",
                       position=found.start() + 1, point=f"{point:04X}", kind=kind))


def check_code(code: str) -> None:
    """The safe set of codes: 1–64 characters, each a letter (any script, CJK included)
    or a decimal digit (Unicode categories L* and Nd) or one of ``- _ . /``, the first
    one a letter or digit.  No spaces, colons, quotes or formula signs: a code is safe
    in an id ("Label:code"), a file name part, a CSV/xlsx cell and a log line."""
    if len(code) > MAX_CODE:
        raise ValueError(_("编码最长 {limit} 个字符，这个有 {length} 个",
                           limit=MAX_CODE, length=len(code)))
    if _ASCII_CODE.fullmatch(code):
        return
    for position, char in enumerate(code, start=1):
        if unicodedata.category(char) in _LETTERS_DIGITS or (
                position > 1 and char in CODE_PUNCTUATION):
            continue
        raise ValueError(_("编码第 {position} 个字符 {char}（U+{point}）不允许：编码只能"
                           "由字母、数字和 - _ . / 组成，以字母或数字开头，不含空格",
                           position=position, char=repr(char), point=f"{ord(char):04X}"))


def _parse_str(prop: Prop, value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel turns codes like 1001 into 1001.0
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(_("文本超过 {limit} 个字符（有 {length} 个）",
                           limit=MAX_TEXT, length=len(text)))
    if prop.is_code:
        check_code(text)
    return text


def _not_whole(value: Any) -> ValueError:
    return ValueError(_("应填整数，填的是 {value}", value=repr(value)))


# A whole number as a person writes one: digits, thousands separated by commas, and at
# most a point with zeros after it (Excel's 12.0).  Not Python's every float: "1E100",
# "0E0", "1_000" are refused as typed, not read as numbers.
_WHOLE = re.compile(r"[+-]?\d+(?:\.0*)?")
INT_LIMIT = 2**63 - 1  # the largest integer either store keeps (a 64-bit property)


def _parse_int(prop: Prop, value: Any) -> int:
    if isinstance(value, bool):
        raise _not_whole(value)
    if isinstance(value, float):  # a spreadsheet's number
        if not value.is_integer():
            raise _not_whole(value)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace(",", "")
        if not _WHOLE.fullmatch(text):
            raise _not_whole(value)
        number = int(text.partition(".")[0])
    if abs(number) > INT_LIMIT:
        raise ValueError(_("整数超出范围：应在 ±{limit} 之内，填的是 {value}",
                           limit=f"{INT_LIMIT:,}", value=repr(value)))
    return number


def _parse_float(prop: Prop, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(_("应填数字，填的是 {value}", value=repr(value)))
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError(_("应填数字，填的是 {value}", value=repr(value))) from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(_("应填有限的数字，填的是 {value}", value=repr(value)))
    return number


_TRUE = {"true", "yes", "y", "1", "是", "有", "√"}
_FALSE = {"false", "no", "n", "0", "否", "无", "×"}


def _parse_bool(prop: Prop, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("应填 是/否（yes/no），填的是 {value}", value=repr(value)))


def _parse_date(prop: Prop, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for sep in ("/", ".", "年", "月"):
        text = text.replace(sep, "-")
    text = text.removesuffix("日")
    for suffix in ("T00:00:00", " 00:00:00"):
        text = text.removesuffix(suffix)
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(_("应填日期，如 2024-03-01，填的是 {value}", value=repr(value))
                         ) from None


def _parse_datetime(prop: Prop, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    text = str(value).strip().replace("/", "-")
    try:
        return dt.datetime.fromisoformat(text).replace(microsecond=0, tzinfo=None).isoformat()
    except ValueError:
        raise ValueError(_("应填日期和时间，如 2024-03-01 09:30，填的是 {value}",
                           value=repr(value))) from None


def _parse_enum(prop: Prop, value: Any) -> str:
    text = str(value).strip()
    for choice in prop.choices:
        if text in (choice.code, choice.zh) or text.lower() == choice.code:
            return choice.code
    raise ValueError(_("{value} 不是可选值之一：{allowed}", value=repr(value),
                       allowed=_allowed(prop.choices)))


def _allowed(options: tuple[Choice, ...]) -> str:
    """The values an enum cell takes, as a clerk reads them: the Chinese labels in
    Chinese; in English each code with its label (either is accepted)."""
    if current() == DEFAULT:
        return "、".join(c.zh for c in options)
    return ", ".join(f"{c.code} ({c.zh})" for c in options)


_PARSERS = {
    PropType.STR: _parse_str,
    PropType.INT: _parse_int,
    PropType.FLOAT: _parse_float,
    PropType.BOOL: _parse_bool,
    PropType.DATE: _parse_date,
    PropType.DATETIME: _parse_datetime,
    PropType.ENUM: _parse_enum,
}


def choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code, zh) for code, zh in pairs)


def _s(name: str, zh: str, **kw: Any) -> Prop:
    return Prop(name, PropType.STR, zh, **kw)


def _i(name: str, zh: str, **kw: Any) -> Prop:
    return Prop(name, PropType.INT, zh, minimum=0, **kw)


def _f(name: str, zh: str, **kw: Any) -> Prop:
    return Prop(name, PropType.FLOAT, zh, **kw)


def _b(name: str, zh: str) -> Prop:
    return Prop(name, PropType.BOOL, zh)


def _d(name: str, zh: str, **kw: Any) -> Prop:
    return Prop(name, PropType.DATE, zh, **kw)


def _e(name: str, zh: str, options: tuple[Choice, ...], **kw: Any) -> Prop:
    return Prop(name, PropType.ENUM, zh, choices=options, **kw)


CODE = _s("code", "编码", required=True, is_code=True)
NAME = _s("name", "名称", required=True)
LAT = _f("lat", "纬度", minimum=-90, maximum=90)
LON = _f("lon", "经度", minimum=-180, maximum=180)
SINCE = _d("since", "开始日期")
UNTIL = _d("until", "结束日期")

COMMUNITY_KINDS = choices(
    ("residential", "居住型社区"),
    ("industrial_park", "产业园区社区"),
    ("international", "国际化社区"),
    ("transitional", "过渡型社区"),
    ("urban_village", "城中村/村改社区"),
)
PROPERTY_MODES = choices(
    ("market", "市场化物业"),
    ("party_led", "党建引领领办物业"),
    ("custody", "国企托管"),
    ("self_managed", "业主自管"),
    ("none", "无物业"),
)
# The property modes under which a firm manages the compound; under the others the owners
# manage it themselves or nobody does.  The indicators count the MANAGES relationship, not
# this attribute; analysis.check reports compounds where the two disagree.
FIRM_RUN_MODES = frozenset({"market", "party_led", "custody"})
PARTY_ORG_KINDS = choices(
    ("street_working_committee", "街道(大)工委"),
    ("community_party_committee", "社区(大)党委"),
    ("compound_branch", "小区党支部"),
    ("grid_branch", "网格党支部"),
    ("building_group", "楼栋党小组"),
    ("unit_org", "单位党组织"),
    ("property_industry_committee", "物业行业党委"),
    ("association_branch", "协会党支部"),
    ("property_firm_branch", "物业服务企业党支部"),
    ("joint_branch", "联合党支部"),
    ("new_employment_branch", "新就业群体党支部"),
    ("mobile_member_branch", "流动党员党支部"),
    ("business_district_committee", "商圈党委"),
)
UNIT_KINDS = choices(
    ("government_organ", "机关"),
    ("public_institution", "事业单位"),
    ("state_enterprise", "国有企业"),
    ("private_enterprise", "非公企业"),
    ("school", "学校"),
    ("hospital", "医院"),
    ("police_station", "派出所"),
    ("other", "其他"),
)
FIRM_KINDS = choices(
    ("market", "市场化物业企业"),
    ("party_led", "社区领办物业企业"),
    ("village", "村级物业企业"),
    ("state_custodian", "国企托管物业"),
)
LIST_STATUSES = choices(("none", "未上榜"), ("red", "红榜"), ("black", "黑榜"))
COMMITTEE_KINDS = choices(("owners_committee", "业主委员会"), ("management_committee", "物管会"))
SITE_KINDS = choices(
    ("party_service_center", "党群服务中心"),
    ("red_station", "红色驿站"),
    ("compound_station", "小区党群服务站"),
    ("neighbourhood_center", "邻里中心"),
    ("self_service_terminal", "自助服务终端"),
)
MEMBER_STATUSES = choices(
    ("in_service", "在职"), ("retired", "离退休"), ("mobile", "流动"), ("student", "学生")
)
GENDERS = choices(("male", "男"), ("female", "女"))
PROJECT_STATUSES = choices(
    ("planned", "计划"), ("active", "实施中"), ("completed", "已完成"), ("cancelled", "已取消")
)
CATEGORIES = choices(
    ("elder_care", "养老助老"),
    ("child_care", "托育助学"),
    ("medical", "医疗健康"),
    ("legal", "法律服务"),
    ("employment", "就业帮扶"),
    ("repair", "维修便民"),
    ("environment", "环境整治"),
    ("safety", "平安建设"),
    ("culture", "文体活动"),
    ("disability", "助残帮困"),
)
DEMAND_STATUSES = choices(
    ("open", "待派单"),
    ("dispatched", "已派单"),
    ("accepted", "已接单"),
    ("done", "已办结"),
    ("reviewed", "已评价"),
)
# Early warning (预警): the kinds of rule a county keeps as data (analysis.alerts evaluates
# them), the levels a threshold rule is evaluated at, and an alert's life cycle.
RULE_KINDS = choices(
    ("threshold", "指标阈值"),
    ("demand_overdue", "需求超期"),
    ("committee_term", "业委会任期到期"),
    ("firm_black", "物业企业上黑榜"),
    ("firm_credit", "物业企业信用分低"),
    ("three_no", "三无小区"),
    ("no_branch", "小区无党组织"),
    ("no_firm", "小区无物业"),
    ("no_committee", "小区无业委会"),
    ("grid_worker", "网格无专职网格员"),
    ("overloaded", "一人多岗"),
    ("not_reported", "在职党员未报到"),
)
RULE_LEVELS = choices(("County", "县(区)"), ("Street", "街道(乡镇)"), ("Community", "社区"),
                      ("Grid", "网格"), ("Compound", "小区"))
COMPARISONS = choices(("below", "低于"), ("above", "高于"))
ALERT_STATUSES = choices(
    ("new", "新"), ("acknowledged", "已知悉"), ("handled", "已处理"), ("cleared", "已消除")
)
# 红色积分: what earns points (PointsRule.event) and the period a rule's cap counts over.
POINTS_EVENTS = choices(
    ("task_completed", "办结领办任务"),
    ("task_reviewed", "任务获好评"),
    ("activity", "参加活动"),
    ("report_confirmed", "双报到确认"),
)
POINTS_PERIODS = choices(("month", "每月"), ("year", "每年"))
# A member's annual duties, "4+1": four kinds of taking part and one household helped.
DUTIES = choices(
    ("party_life", "参加社区组织生活"),
    ("cadre_talk", "与社区干部谈心"),
    ("survey", "参与一次调研"),
    ("volunteer_day", "参加志愿服务日"),
    ("household_helped", "结对帮扶一户"),
)
POST_ROLES = choices(
    ("secretary", "书记"),
    ("deputy_secretary", "副书记"),
    ("committee_member", "委员"),
    ("part_time_committee_member", "兼职委员"),
    ("first_secretary", "第一书记"),
    ("chair", "主任"),
    ("vice_chair", "副主任"),
    ("owners_committee_member", "业委会委员"),
    ("supervisor", "监事"),
    ("project_manager", "项目经理"),
    ("grid_worker", "网格员"),
    ("building_head", "楼栋长"),
    ("red_neighbour_head", "红色近邻长"),
    ("liaison_leader", "挂钩领导"),
    ("community_worker", "社区工作者"),
)


@dataclass(frozen=True)
class NodeKind:
    """A node label with its properties.  A Person whose ``member_status`` is set also
    carries the ``Member`` label (:data:`MEMBER`): that is a rule of the writer, not a field."""

    label: str
    zh: str
    props: tuple[Prop, ...]
    doc: str = ""
    # Whether staff enter nodes of this kind directly: a ledger sheet and the generic
    # create/update/delete mutations.  False for records the service keeps itself (alerts,
    # points entries), changed only through their own operations and never edited.
    entered: bool = True
    # Whether the kind is history: entered, but never updated or deleted; a correction is
    # a new node (ratings: the red/black list follows the latest, graph.ratings).
    history: bool = False

    def prop(self, name: str) -> Prop:
        for p in self.props:
            if p.name == name:
                return p
        raise KeyError(f"{self.label} has no property {name!r}")


@dataclass(frozen=True)
class RelKind:
    """A relationship type with the labels allowed at each end.

    ``key_props`` are the relationship properties that, with both ends, identify one
    relationship (a person may hold the same role twice, in different periods);
    everything else is updated in place.  ``pairs``, when set, are the only legal
    (source, target) label pairs: ``PART_OF`` lists five sources and five targets, but a
    household is part of a building, never of a county (:func:`check_pair`).
    """

    type: str
    zh: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    props: tuple[Prop, ...] = ()
    key_props: tuple[str, ...] = ()
    dated: bool = False  # has since/until: only relationships current at the as-of date count
    doc: str = ""
    pairs: tuple[tuple[str, str], ...] = ()
    entered: bool = True  # a ledger sheet and link/unlink (see NodeKind.entered)
    # each source has exactly one (a demand is raised in one place, DOMAIN.md): a link
    # to another target moves it there, unlink is refused, a ledger refuses a second
    one: bool = False

    def prop(self, name: str) -> Prop:
        for p in self.props:
            if p.name == name:
                return p
        raise KeyError(f"{self.type} has no property {name!r}")

    def allows(self, source: str, target: str) -> bool:
        """Whether a relationship of this type may run from ``source`` to ``target``."""
        if source not in self.sources or target not in self.targets:
            return False
        return not self.pairs or (source, target) in self.pairs


NODES: tuple[NodeKind, ...] = (
    NodeKind("County", "县(区)", (CODE, NAME)),
    NodeKind("Street", "街道(乡镇)", (CODE, NAME)),
    NodeKind(
        "Community",
        "社区",
        (CODE, NAME, _e("kind", "社区类型", COMMUNITY_KINDS), _i("population", "常住人口")),
    ),
    NodeKind("Grid", "网格", (CODE, NAME, _i("households", "户数"))),
    NodeKind(
        "Compound",
        "小区",
        (
            CODE,
            NAME,
            _i("households", "户数"),
            _i("buildings", "楼栋数"),
            _i("built_year", "建成年份"),
            _b("old", "老旧小区"),
            LAT,
            LON,
            _e("property_mode", "物业管理模式", PROPERTY_MODES),
        ),
    ),
    NodeKind("Building", "楼栋", (CODE, NAME, _i("households", "户数"))),
    NodeKind("Household", "住户", (CODE, _s("address", "门牌"), _i("residents", "人数"))),
    NodeKind(
        "PartyOrg",
        "党组织",
        (
            CODE,
            NAME,
            _e("kind", "党组织类型", PARTY_ORG_KINDS, required=True),
            _b("functional", "功能型"),
            _d("founded", "成立日期"),
        ),
    ),
    NodeKind("Unit", "驻区单位", (CODE, NAME, _e("kind", "单位类型", UNIT_KINDS))),
    NodeKind(
        "PropertyFirm",
        "物业服务企业",
        (
            CODE,
            NAME,
            _e("kind", "企业类型", FIRM_KINDS),
            Prop("stars", PropType.INT, "星级", minimum=0, maximum=5),
            _f("credit_score", "信用分", minimum=0),
            _e("list_status", "红黑榜", LIST_STATUSES),
        ),
        doc="stars and list_status follow the firm's latest Rating (graph.ratings) once it "
            "has one.",
    ),
    NodeKind(
        "OwnersCommittee",
        "业主委员会",
        (
            CODE,
            NAME,
            _e("kind", "类型", COMMITTEE_KINDS),
            _d("term_start", "任期开始"),
            _d("term_end", "任期结束"),
        ),
    ),
    NodeKind("SocialOrg", "社会组织", (CODE, NAME)),
    NodeKind("VolunteerTeam", "志愿服务队", (CODE, NAME)),
    NodeKind("Alliance", "区域党建联盟", (CODE, NAME)),
    NodeKind(
        "ServiceSite",
        "党群服务阵地",
        (CODE, NAME, _e("kind", "阵地类型", SITE_KINDS), LAT, LON, _s("services", "服务项目")),
    ),
    NodeKind(
        "Person",
        "人员",
        (
            CODE,
            _s("name", "姓名", required=True),
            _e("gender", "性别", GENDERS),
            _s("phone", "联系电话", personal=True),
            _s("id_number", "身份证号", personal=True),
            _e("member_status", "党员状态", MEMBER_STATUSES),
        ),
        doc="A person whose member_status is set also carries the Member label.",
    ),
    NodeKind(
        "Project",
        "共建项目",
        (CODE, NAME, _e("status", "项目状态", PROJECT_STATUSES), SINCE, UNTIL),
    ),
    NodeKind(
        "Demand",
        "需求",
        (
            CODE,
            _s("title", "需求内容", required=True),
            _e("category", "类别", CATEGORIES, required=True),
            Prop("urgency", PropType.INT, "紧急程度", minimum=1, maximum=5),
            _e("status", "状态", DEMAND_STATUSES),
            Prop("created_at", PropType.DATETIME, "提出时间"),
            _d("due", "办结时限"),
            Prop("done_at", PropType.DATETIME, "办结时间"),
            Prop("satisfaction", PropType.INT, "满意度", minimum=1, maximum=5),
            _b("whistle", "吹哨报到"),
            _d("respond_by", "签收时限"),
            Prop("accepted_at", PropType.DATETIME, "签收时间"),
            Prop("reviewed_at", PropType.DATETIME, "评价时间"),
        ),
    ),
    NodeKind(
        "Resource",
        "资源",
        (
            CODE,
            NAME,
            _e("category", "类别", CATEGORIES, required=True),
            _i("capacity", "每期服务能力"),
            LAT,
            LON,
            _f("radius_m", "服务半径(米)", minimum=0),
            _b("committed", "已纳入服务清单"),
        ),
    ),
    NodeKind(
        "AlertRule",
        "预警规则",
        (
            CODE,
            NAME,
            _e("kind", "规则类型", RULE_KINDS, required=True),
            _s("indicator", "指标"),
            _e("level", "评估层级", RULE_LEVELS),
            _e("comparison", "比较方式", COMPARISONS),
            _f("threshold", "阈值"),
            _i("days", "天数"),
            _b("enabled", "启用"),
        ),
        doc="A county's early-warning rule (analysis.alerts evaluates it).",
    ),
    NodeKind(
        "Alert",
        "预警",
        (
            CODE,
            _e("status", "预警状态", ALERT_STATUSES, required=True),
            _s("message", "预警内容", required=True),
            Prop("first_seen", PropType.DATETIME, "首次发现", required=True),
            Prop("last_seen", PropType.DATETIME, "最近发现"),
            Prop("cleared_at", PropType.DATETIME, "消除时间"),
            _s("note", "处理说明"),
            _s("history", "状态记录"),
        ),
        doc="A condition a rule found, kept by the service (analysis.alerts).",
        entered=False,
    ),
    NodeKind(
        "Rating",
        "评价记录",
        (
            CODE,
            _d("date", "评价日期", required=True),
            Prop("stars", PropType.INT, "星级", minimum=0, maximum=5),
            _e("list_status", "红黑榜", LIST_STATUSES),
            _s("reason", "评价理由"),
            _s("evidence", "证据"),
            _s("rated_by", "评价人"),
        ),
        doc="A star rating and/or red/black list entry of a PropertyFirm or Unit (RATES); "
            "never edited: a correction is a new record.  rated_by is the account, filled "
            "by the API.",
        history=True,
    ),
    NodeKind(
        "PointsRule",
        "积分规则",
        (
            CODE,
            NAME,
            _e("event", "积分事项", POINTS_EVENTS, required=True),
            Prop("points", PropType.INT, "分值", required=True, minimum=0),
            Prop("min_satisfaction", PropType.INT, "最低满意度", minimum=1, maximum=5),
            Prop("cap", PropType.INT, "每期上限", minimum=0),
            _e("period", "上限周期", POINTS_PERIODS),
        ),
        doc="A red-points rule of a county (APPLIES_IN): what earns how many points, capped "
            "per member per period.",
    ),
    NodeKind(
        "PointsEntry",
        "积分记录",
        (
            CODE,
            Prop("points", PropType.INT, "积分", required=True),
            _s("reason", "事由", required=True),
            _s("rule", "规则编码"),
            _s("source", "来源"),
            Prop("at", PropType.DATETIME, "记分时间", required=True),
            _s("period", "计入周期"),
            _s("awarded_by", "记分人"),
            _s("correction_of", "更正的记录"),
        ),
        doc="One award of red points, never edited: a correction is a new entry naming "
            "the corrected one (correction_of).",
        entered=False,
    ),
    NodeKind(
        "DutyRecord",
        "年度责任记录",
        (CODE, _e("duty", "责任事项", DUTIES, required=True), _d("date", "完成日期", required=True),
         _s("note", "说明")),
        doc="One of a member's annual duties (4+1) done on a date (DUTY_OF the member).",
    ),
)

# The label added to a Person whose member_status is set (党员).
MEMBER = "Member"

ORG_LABELS = ("PartyOrg", "OwnersCommittee", "PropertyFirm", "Unit", "SocialOrg", "VolunteerTeam")

RELS: tuple[RelKind, ...] = (
    RelKind("PART_OF", "隶属", ("Street", "Community", "Grid", "Building", "Household"),
            ("County", "Street", "Community", "Compound", "Building"),
            pairs=(("Street", "County"), ("Community", "Street"), ("Grid", "Community"),
                   ("Building", "Compound"), ("Household", "Building"))),
    RelKind("IN_GRID", "所属网格", ("Compound",), ("Grid",)),
    RelKind("UNDER", "上级党组织", ("PartyOrg",), ("PartyOrg",)),
    RelKind("COVERS", "覆盖", ("PartyOrg",), ("Community", "Grid", "Compound", "Building")),
    RelKind("IN_ORG", "依托单位", ("PartyOrg",), ("Unit", "PropertyFirm", "SocialOrg")),
    RelKind("LOCATED_IN", "坐落", ("Unit", "ServiceSite", "SocialOrg", "PropertyFirm"),
            ("Community", "Compound")),
    RelKind("OWNED_BY", "运营主体", ("ServiceSite",), ("PartyOrg", "Unit", "Community")),
    RelKind("MANAGES", "物业服务", ("PropertyFirm",), ("Compound",), (SINCE, UNTIL),
            key_props=("since",), dated=True),
    RelKind("REPRESENTS", "代表小区", ("OwnersCommittee",), ("Compound",)),
    RelKind("RESPONSIBLE_FOR", "责任单位", ("Unit",), ("Compound",), (SINCE, UNTIL),
            key_props=("since",), dated=True),
    RelKind("MEMBER_OF", "所属组织", (MEMBER, "Person", "Unit", "PartyOrg", "PropertyFirm",
                                      "SocialOrg", "Community"),
            ("PartyOrg", "Alliance", "VolunteerTeam"), (SINCE,),
            doc="Member→PartyOrg (组织关系), X→Alliance, Person→VolunteerTeam"),
    RelKind("WORKS_AT", "工作单位", ("Person",), ("Unit", "PropertyFirm", "SocialOrg")),
    RelKind("LIVES_IN", "居住", ("Person",), ("Compound", "Building")),
    RelKind("REPORTED_TO", "双报到", (MEMBER, "Unit"), ("Community",),
            (_d("date", "报到日期"), _b("confirmed", "社区已确认")),
            doc="confirmed false: reported online and not yet confirmed by the community "
                "(reportToCommunity); unset counts as confirmed"),
    RelKind("LIAISES", "党员联户", (MEMBER,), ("Household", "Building"), (SINCE,)),
    RelKind(
        "HOLDS_POST", "任职", ("Person",),
        ("PartyOrg", "OwnersCommittee", "PropertyFirm", "Community", "Grid", "Building"),
        (_e("role", "职务", POST_ROLES, required=True), SINCE, UNTIL, _b("full_time", "专职")),
        key_props=("role", "since"), dated=True,
    ),
    RelKind("CO_BUILDS_WITH", "共驻共建", ("Unit",), ("Community",),
            (SINCE, UNTIL, _s("agreement", "共建协议")), key_props=("since",), dated=True),
    RelKind("RUNS", "实施项目", ("Unit",), ("Project",)),
    RelKind("SERVES", "服务社区", ("Project",), ("Community",)),
    RelKind("OFFERS", "提供资源", (MEMBER, "Unit", "VolunteerTeam", "SocialOrg", "PropertyFirm"),
            ("Resource",)),
    RelKind("RAISED_IN", "需求所在", ("Demand",), ("Compound", "Community"), one=True),
    RelKind("RAISED_BY", "点单人", ("Demand",), ("Person",)),
    RelKind("ASSIGNED_TO", "派单", ("Demand",), (MEMBER, "Unit", "VolunteerTeam"),
            (Prop("at", PropType.DATETIME, "派单时间"), _s("resource", "资源编码"))),
    RelKind("RULE_OF", "适用县(区)", ("AlertRule",), ("County",)),
    RelKind("RAISED_BY_RULE", "预警规则", ("Alert",), ("AlertRule",), entered=False),
    RelKind("ABOUT", "预警对象", ("Alert",),
            tuple(n.label for n in NODES if n.label not in ("Alert", "AlertRule")),
            entered=False),
    RelKind("RAISED_AT", "预警所在", ("Alert",), tuple(c.code for c in RULE_LEVELS),
            entered=False),
    RelKind("RATES", "评价对象", ("Rating",), ("PropertyFirm", "Unit")),
    RelKind("APPLIES_IN", "适用范围", ("PointsRule",), ("County",)),
    RelKind("AWARDED_TO", "积分归属", ("PointsEntry",), (MEMBER,), entered=False),
    RelKind("EARNED_IN", "积分所在社区", ("PointsEntry",), ("Community",), entered=False),
    RelKind("DUTY_OF", "责任人", ("DutyRecord",), (MEMBER,)),
)

NODE_BY_LABEL: dict[str, NodeKind] = {n.label: n for n in NODES}
REL_BY_TYPE: dict[str, RelKind] = {r.type: r for r in RELS}
# What staff enter by hand (ledger sheets, generic mutations, link/unlink).
ENTERED_NODES: tuple[NodeKind, ...] = tuple(n for n in NODES if n.entered)
ENTERED_RELS: tuple[RelKind, ...] = tuple(r for r in RELS if r.entered)
# Labels that may appear as relationship ends: every node label, plus Member.
ENDPOINT_LABELS: frozenset[str] = frozenset(NODE_BY_LABEL) | {MEMBER}


def checked_label(label: str) -> str:
    """``label`` itself when the model has it as an endpoint label: Cypher text is
    assembled only from identifiers that passed this check (never from user input)."""
    if label not in ENDPOINT_LABELS:
        raise ValueError(f"unknown label {label!r}")
    return label


def key_label(label: str) -> str:
    """The label that owns the ``code`` constraint for an endpoint label."""
    return "Person" if label == MEMBER else label


def rel_kind(rel_type: str) -> RelKind:
    try:
        return REL_BY_TYPE[rel_type]
    except KeyError:
        raise ValueError(f"unknown relationship type {rel_type!r}") from None


def check_pair(rel_type: str, source: str, target: str) -> None:
    """Refuse a relationship whose ends the model does not allow together.

    The one check ledgers, ``link`` and ``restore`` share, so none of them accepts e.g.
    a Household ``PART_OF`` a County.  Raises ValueError naming the pair and the legal
    ones (or the labels each end allows, for a type without listed pairs).
    """
    kind = rel_kind(rel_type)
    if kind.allows(source, target):
        return
    if kind.pairs:
        legal = "、".join(f"{s}→{t}" for s, t in kind.pairs)
    else:
        legal = f"{'/'.join(kind.sources)} → {'/'.join(kind.targets)}"
    raise ValueError(_("{source}→{target} 不是合法的 {type}（{name}）关系；合法的只有：{legal}",
                       source=source, target=target, type=kind.type, name=kind.zh,
                       legal=legal))
