"""Every list the API returns, as one table for a workbook or a CSV file.

``jinlin export table`` (api.cli.export) and ``GET /export/<what>.xlsx`` (api.http.export)
both name what they want the same way (:func:`target`) and get their rows here, so the
command and the endpoint cannot drift apart:

- a node kind by its GraphQL list name (``compounds``, ``people``, ``propertyFirms``; the
  command also takes the label, ``Compound``): the nodes the caller's scope holds, by the
  same Cypher as the GraphQL connection (``api.graphql.queries.page``: scope, ``within``,
  filters, and a resident's own demands only), personal data masked unless the role may
  see it;
- ``indicator/<key>``: every item behind one indicator (hits, then the ranked gaps);
  ``gaps/<key>``: its gaps only, in their rank.

At most ``export_max_rows`` rows: one more is read, and then the export is refused
(EXPORT_TOO_LARGE) rather than cut short, so a file never silently lacks rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

from analysis.frames import Table
from analysis.tables import ITEM_COLUMNS, item_row, node_columns
from analysis.tally import Item
from api.graphql import queries
from api.graphql.context import ApiError, Forbidden
from api.graphql.reads import filter_params, strawberry_name
from api.graphql.types import plural
from graph.i18n import N_, _, translate
from graph.model import NODE_BY_LABEL, NODES, PropType
from graph.personal import masked, personal_props
from graph.spine import AREAS
from graph.store import Store

NODES_TARGET, INDICATOR, GAPS = "nodes", "indicator", "gaps"
ITEM_TITLES = {"label": N_("类型"), "code": N_("编码"), "name": N_("名称"),
               "numerator": N_("分子"), "denominator": N_("分母"), "hit": N_("计入分子"),
               "households": N_("涉及户数"), "children": N_("所属下级范围"),
               "detail": N_("明细"), "rank": N_("排名")}
GAP_COLUMNS = ("rank", *ITEM_COLUMNS)


@dataclass(frozen=True)
class View:
    """Whose list: the scope it is read in (the caller's, or the command's ``--scope``),
    an optional narrower ``within`` area, and the subject a resident reads as (None:
    every demand)."""

    scope_label: str
    scope_code: str
    within: tuple[str, str] | None = None
    subject: str | None = None

    def params(self) -> dict[str, Any]:
        within = {"within": self.within[1]} if self.within else {}
        return {"scope": self.scope_code, "subject": self.subject, **within}

    @property
    def area(self) -> tuple[str, str]:
        """The area an analysis runs over: ``within`` when given, else the scope."""
        return self.within or (self.scope_label, self.scope_code)


@cache
def list_names() -> dict[str, str]:
    """GraphQL list name (``propertyFirms``) → label."""
    return {strawberry_name(plural(n.label)): n.label for n in NODES}


def target(what: str) -> tuple[str, str]:
    """``(NODES_TARGET, label)``, ``(INDICATOR, key)`` or ``(GAPS, key)`` for ``what``.

    Indicator keys are checked when the report is at hand (:func:`items_table`)."""
    head, sep, key = what.partition("/")
    if sep and head in (INDICATOR, GAPS) and key:
        return head, key
    label = list_names().get(what) or (what if what in NODE_BY_LABEL else None)
    if label is None:
        raise ApiError(_("没有可导出的列表 {what}：可用 {names}，或 indicator/指标键、"
                         "gaps/指标键", what=what, names="、".join(list_names())),
                       code="UNKNOWN_EXPORT")
    return NODES_TARGET, label


def parse_within(text: str | None) -> tuple[str, str] | None:
    """``Label:CODE`` of an area (county … compound), or None when not given."""
    if not text:
        return None
    label, sep, code = text.partition(":")
    if not sep or label not in AREAS or not code:
        raise ApiError(_("within 应写成 类型:编码，类型为 {labels} 之一，收到 {text}",
                         labels="、".join(AREAS), text=repr(text)), code="INVALID_INPUT")
    return label, code


def check_within(store: Store, view: View) -> None:
    """Forbidden (NOT_IN_SCOPE) unless the ``within`` area lies in the view's scope."""
    if view.within is None:
        return
    label, code = view.within
    if not store.read(queries.by_codes(label, view.scope_label), codes=[code],
                      **view.params()):
        raise Forbidden(_("{label}:{code} 不在您的范围内", label=label, code=code),
                        code="NOT_IN_SCOPE")


def filters(label: str, given: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The connection's ``filter`` (api.graphql.queries.filter_args) from query
    parameters named as in GraphQL (``kind``, ``nameContains``, ``householdsMin``,
    ``isMember``); a list repeats its parameter or separates values by commas."""
    args = {strawberry_name(a.name): a for a in queries.filter_args(label)}
    unknown = sorted(set(given) - set(args))
    if unknown:
        raise ApiError(_("{kind}不能按 {names} 筛选，可用：{allowed}",
                         kind=NODE_BY_LABEL[label].zh, names="、".join(unknown),
                         allowed="、".join(args)), code="INVALID_INPUT")
    values: dict[str, Any] = {}
    for name, texts in given.items():
        arg = args[name]
        try:
            values[arg.name] = _typed(arg.py_type, texts)
        except ValueError:
            raise ApiError(_("筛选条件 {name} 的值 {value} 无效", name=name,
                             value="、".join(texts)), code="INVALID_INPUT") from None
    return filter_params(label, SimpleNamespace(**values))


def _typed(py_type: str, texts: Sequence[str]) -> Any:
    if py_type == "list[str]":
        return [v.strip() for t in texts for v in t.split(",") if v.strip()]
    text = texts[-1].strip()
    if py_type == "bool":
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text.lower() in ("true", "1")
    if py_type == "int":
        return int(text)
    if py_type == "float":
        return float(text)
    return text


def too_many(rows: int, limit: int) -> None:
    """EXPORT_TOO_LARGE when ``rows`` (read with one to spare) exceed ``limit``."""
    if rows > limit:
        raise ApiError(_("导出超过 {limit} 行的上限：请用 within 或筛选条件缩小范围后重试",
                         limit=limit), code="EXPORT_TOO_LARGE")


def node_list(store: Store, label: str, view: View, flt: Mapping[str, Any],
              personal: bool, max_rows: int) -> Table:
    """The ``label`` nodes the view holds, ordered by code, columns as the model lists
    them and headed by their Chinese names."""
    kind = NODE_BY_LABEL[label]
    members = flt.get("f_is_member") is True
    query = queries.page(label, view.scope_label, view.within[0] if view.within else None,
                         "code", False, members)
    rows = store.read(query, after_key=None, after_code=None, limit=max_rows + 1,
                      **view.params(), **{k: v for k, v in flt.items()})
    too_many(len(rows), max_rows)
    columns = node_columns(label)
    return Table(columns, [{c: props.get(c) for c in columns}
                           for props in (masked(label, r["props"], personal) for r in rows)],
                 titles={p.name: p.zh for p in kind.props},
                 dates=frozenset(p.name for p in kind.props
                                 if p.type in (PropType.DATE, PropType.DATETIME)))


def items_table(items: list[Item], ranked: bool, max_rows: int) -> Table:
    """Indicator items as rows (``analysis.tables.indicator_table``'s columns); gaps
    (``ranked``) numbered from 1 in their rank."""
    too_many(len(items), max_rows)
    columns = GAP_COLUMNS if ranked else ITEM_COLUMNS
    rows = [{**item_row(i), "rank": n} for n, i in enumerate(items, 1)]
    titles = {k: translate(v) for k, v in ITEM_TITLES.items()}
    return Table(columns, [{c: r[c] for c in columns} for r in rows], titles=titles)


def personal_columns(label: str) -> bool:
    """Whether a ``label`` list has columns that are masked for some roles."""
    return bool(personal_props(label))
