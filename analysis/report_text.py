"""Readable text for the report's drill-down lists: names instead of codes, lists and
posts flattened into one line, enum codes as their labels, all in the language in force.

An indicator's items carry their own name, but their ``detail`` holds the codes of what
they were judged by (the branches covering a compound, a committee's chairs …).  The
report looks those names up once per label (``graph.queries.existing_nodes``, batched), so
a county reads 阳光花园 and 张三, never ``C01-S01-M01-K01``.  A detail key this module does
not know is still shown, under its own name, as plain text.  Column headers are marked
with ``N_`` where defined and translated where shown; a header that is a model name (小区,
职务) is the model's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from analysis.indicators import IndicatorReport
from analysis.tally import Indicator, Item
from analysis.texts import choice_name, label_name, listed
from graph import queries
from graph.i18n import N_, _, translate
from graph.model import NODE_BY_LABEL, REL_BY_TYPE, Prop, key_label
from graph.store import Store, in_batches

Names = dict[tuple[str, str], str]
POSTS, BOOL = "posts", "bool"  # detail kinds that are not node labels
ROLE = REL_BY_TYPE["HOLDS_POST"].prop("role")
DEMAND_STATUS = NODE_BY_LABEL["Demand"].prop("status")


@dataclass(frozen=True)
class Field:
    """How a detail key reads: its column header (marked with ``N_``; None: the model's
    name of ``kind``) and what its values are (a node label whose codes become names, an
    enum, posts, yes/no, or None for plain values)."""

    zh: str | None
    kind: str | Prop | None = None

    def header(self) -> str:
        if self.zh is not None:
            return translate(self.zh)
        if isinstance(self.kind, Prop):
            return translate(self.kind.zh)
        return label_name(str(self.kind))


FIELDS: dict[str, Field] = {
    "compound": Field(None, "Compound"), "compounds": Field(N_("服务小区"), "Compound"),
    "community": Field(None, "Community"),
    "home_communities": Field(N_("居住社区"), "Community"),
    "reported_to": Field(N_("报到社区"), "Community"),
    "committee": Field(N_("业委会"), "OwnersCommittee"),
    "committees": Field(N_("业委会"), "OwnersCommittee"),
    "firms": Field(None, "PropertyFirm"), "units": Field(N_("单位"), "Unit"),
    "branches": Field(N_("覆盖党组织"), "PartyOrg"),
    "groups": Field(N_("楼栋党小组"), "PartyOrg"),
    "hosted": Field(N_("依托党组织"), "PartyOrg"),
    "joint": Field(N_("联合/协会党支部"), "PartyOrg"),
    "member_heads": Field(N_("党员楼栋长"), "Person"),
    "chairs": Field(N_("业委会主任"), "Person"),
    "secretaries": Field(N_("支部书记"), "Person"), "overlap": Field(N_("书记兼主任"), "Person"),
    "leaders": Field(N_("挂钩领导"), "Person"), "workers": Field(N_("网格员"), "Person"),
    "community_to_committees": Field(N_("社区干部进业委会/物业"), "Person"),
    "committees_to_party_committee": Field(N_("业委会/物业人员进社区党委"), "Person"),
    "roles": Field(None, ROLE), "status": Field(None, DEMAND_STATUS),
    "branch_posts": Field(N_("支部职务"), POSTS), "posts": Field(N_("现任职务"), POSTS),
    "overdue": Field(N_("逾期"), BOOL), "chair_is_member": Field(N_("主任是党员"), BOOL),
    "due": Field(N_("办结时限")), "nearest_site_m": Field(N_("最近阵地距离(米)")),
    "liaised_households": Field(N_("已联系户数")), "members": Field(N_("委员人数")),
    "party_members": Field(N_("党员委员数")),
}
EXTRA_ZH = {
    "units_per_community": N_("各社区共建单位数"),
    "mean_units_per_community": N_("社区平均共建单位数"),
    "community_workers": N_("社区工作者人数"), "population": N_("常住人口"),
    "community_workers_per_10k": N_("每万人社区工作者数"), "walk_m": N_("步行距离(米)"),
    "unit": N_("计量单位"), "no_location": N_("无坐标小区"),
    "median_hours": N_("办结时长中位数(小时)"), "overdue": N_("逾期需求"),
    "threshold": N_("一人多岗门槛(岗位数)"),
}
_EXTRA_LABEL = {"no_location": "Compound", "overdue": "Demand",
                "units_per_community": "Community"}
_UNITS = {"households": N_("户数"), "compounds": N_("小区数")}


def safe_cell(value: Any) -> Any:
    """Text a spreadsheet would evaluate (= + - @, also after a tab/CR) gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


label_zh = label_name  # the name this module gave it first (report_html, report_xlsx)


def look_up_names(store: Store, report: IndicatorReport, batch_size: int = 2000) -> Names:
    """Names of every node the report's items and details mention, by (label, code)."""
    known: Names = {}
    wanted: dict[str, set[str]] = defaultdict(set)
    for ind in report.indicators:
        for item in ind.hits + ind.gaps:
            label = key_label(item.label)
            if item.name:
                known[(label, item.code)] = item.name
            else:
                wanted[label].add(item.code)
            for key, value in item.detail.items():
                _collect(FIELDS.get(key), value, known, wanted)
        for key, value in ind.extra.items():
            if key in _EXTRA_LABEL:
                _collect(Field("", _EXTRA_LABEL[key]), value, known, wanted)
    for label, codes in wanted.items():
        for batch in in_batches(sorted(c for c in codes if (label, c) not in known),
                                batch_size):
            for row in store.read(queries.existing_nodes(label), codes=batch):
                props = row["props"]
                known[(label, row["code"])] = props.get("name") or props.get("title") or ""
    return known


def _collect(field: Field | None, value: Any, known: Names, wanted: dict[str, set[str]]
             ) -> None:
    if field is None:
        return
    if field.kind == POSTS:
        for post in value:
            org_label = post.get("label", "PartyOrg")
            if post.get("org"):
                wanted[org_label].add(post["org"])
            elif post.get("name"):
                known[(org_label, post["code"])] = post["name"]
    elif isinstance(field.kind, str) and field.kind in NODE_BY_LABEL:
        for code in _codes(value):
            wanted[field.kind].add(code)


def _codes(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(k) for k in value]
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return [str(value)]


def name_of(names: Names, label: str, code: str) -> str:
    return names.get((key_label(label), code)) or code


def detail_keys(items: Iterable[Item]) -> list[str]:
    """The detail keys of an indicator's items, in the order they first appear."""
    keys: dict[str, None] = {}
    for item in items:
        keys.update(dict.fromkeys(item.detail))
    return list(keys)


def header(key: str) -> str:
    field = FIELDS.get(key)
    return field.header() if field else key


def readable(key: str, value: Any, names: Names) -> Any:
    """One detail value as a cell: a number stays a number, anything else one line."""
    field = FIELDS.get(key) or Field(key)
    kind = field.kind
    if value is None:
        return None
    if kind == BOOL or isinstance(value, bool):
        return _("是") if value else _("否")
    if kind == POSTS:
        return listed(_post(p, names) for p in value)
    if isinstance(kind, Prop):
        return listed(choice_name(kind, v) for v in _codes(value))
    if isinstance(kind, str):
        return listed(name_of(names, kind, c) for c in _codes(value))
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        return listed(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return listed(value)
    return str(value)


def extra_text(ind: Indicator, names: Names) -> str:
    """An indicator's secondary figures as one line (各社区共建单位数: 幸福社区 2 …)."""
    parts = []
    for key, value in ind.extra.items():
        label = _EXTRA_LABEL.get(key)
        if value in (None, [], {}):
            continue
        if isinstance(value, dict) and label:
            text = listed(f"{name_of(names, label, k)} {v}" for k, v in value.items())
        elif isinstance(value, list) and label:
            text = listed(name_of(names, label, c) for c in value)
        elif key == "unit":
            text = translate(_UNITS.get(str(value), str(value)))
        elif isinstance(value, float):
            text = f"{value:.2f}".rstrip("0").rstrip(".")
        else:
            text = str(value)
        parts.append(f"{translate(EXTRA_ZH.get(key, key))}: {text}")
    return _("；").join(parts)


def _post(post: dict[str, Any], names: Names) -> str:
    if "org" in post:  # a branch post: org code, role
        where = name_of(names, "PartyOrg", post["org"])
    else:  # a person's post: label, code, name, role
        where = post.get("name") or post.get("code", "")
    return _("{where}{role}", where=where, role=choice_name(ROLE, post.get("role")))
