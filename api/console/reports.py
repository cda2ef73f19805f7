"""报告: the indicator report of any scope in the user's reach, in the page and as the
Excel workbook or HTML page the command line writes (``jinlin report``).

The page reads the ``indicators`` field as the signed-in account.  The downloads render
the command line's report (analysis.report_xlsx, analysis.report_html) from the same
computation, with the same scope check (``analysis_scope``) and the same redaction as
the API (``redacted_items``: an item outside the user's scope is 范围外, its details
hidden); the HTML page's network tables are drawn on the nodes the user may see only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import networkx as nx
from starlette.responses import Response
from starlette.routing import Route

from analysis import projection
from analysis.indicators import IndicatorReport, Options
from analysis.network import build_network
from analysis.report_html import render_html
from analysis.report_text import look_up_names
from analysis.report_xlsx import render_xlsx
from api.console.web import PageError, View, disposition, page
from api.graphql import redact
from api.graphql.analyses import analysis_scope, redacted_items, run_analysis
from api.graphql.context import ApiError, Context
from api.policy import Cap
from graph.dates import parse_as_of
from graph.i18n import _

INDICATORS = """
query Report($scope: String, $asOf: String) {
  indicators(scope: $scope, asOf: $asOf, itemLimit: 5) {
    scope asOf
    indicators {
      key title definition numerator denominator ratio reason hitCount gapCount
      children { label code name numerator denominator ratio }
      gaps { label code name households }
    }
  }
}
"""
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8"}
STATUS = {"FORBIDDEN": 403, "BUSY": 503}


def _asked(view: View) -> tuple[str | None, str | None]:
    params = view.request.query_params
    return params.get("scope") or None, params.get("asOf") or None


async def reports(view: View) -> Response:
    scope, as_of = _asked(view)
    data = await view.gql(INDICATORS, scope=scope, asOf=as_of)
    table: dict[str, Any] = data["indicators"]
    children = sorted({(c["label"], c["code"], c["name"]) for ind in table["indicators"]
                       for c in ind["children"]}, key=lambda c: c[1])
    for ind in table["indicators"]:  # one column per child scope, blank where it has none
        by_code = {c["code"]: c for c in ind["children"]}
        ind["columns"] = [by_code.get(code) for _label, code, _name in children]
        ind["numerator"], ind["denominator"] = _whole(ind["numerator"]), _whole(ind["denominator"])
    return view.render("reports.html", nav="reports", table=table, children=children,
                       scope_asked=scope or "", as_of=as_of or "")


def _whole(value: float) -> float | int:
    """A count as a whole number (GraphQL sends every figure as a Float)."""
    return int(value) if float(value).is_integer() else value


async def _redacted(ctx: Context, report: IndicatorReport) -> IndicatorReport:
    """The report with every item as the ``indicators`` field shows it (one look-up for
    all of them)."""
    items = [i for ind in report.indicators for i in ind.hits + ind.gaps]
    shown = iter(await redacted_items(ctx, items))
    indicators = [replace(ind, hits=[next(shown) for _ in ind.hits],
                          gaps=[next(shown) for _ in ind.gaps]) for ind in report.indicators]
    return replace(report, indicators=indicators)


def _visible_graph(ctx: Context, graph: nx.Graph) -> nx.Graph:
    seen = redact.seen_now(ctx, {redact.ref(*n) for n in graph.nodes})
    return graph.subgraph([n for n in graph.nodes if redact.ref(*n) in seen]).copy()


def _render(ctx: Context, report: IndicatorReport, fmt: str) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(report, look_up_names(ctx.store, report))
    s = report.scope
    graph = _visible_graph(ctx, build_network(ctx.store, s.label, s.code, s.as_of))
    return render_html(report, graph).encode()


async def download(view: View) -> Response:
    fmt = view.request.path_params["fmt"]
    if fmt not in MEDIA:
        raise PageError(_("报告只能下载为 .xlsx 或 .html"), 404)
    scope, as_of = _asked(view)
    ctx = view.context()
    try:
        label, code = await analysis_scope(ctx, scope)
        report = await run_analysis(projection.indicators, ctx.store, label, code,
                                    parse_as_of(as_of), Options())
    except ApiError as exc:
        raise PageError(str(exc), STATUS.get(exc.code, 400), exc.code) from None
    except ValueError as exc:  # a bad asOf
        raise PageError(str(exc), 400) from None
    report = await _redacted(ctx, report)
    body = await run_analysis(_render, ctx, report, fmt)
    name = f"指标报告_{code}_{report.scope.as_of}.{fmt}"
    headers = {**view.backend.headers(),
               "Content-Disposition": disposition(name, f"report_{code}.{fmt}")}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


routes = [
    Route("/reports", page(reports, cap=Cap.RUN_ANALYSES), methods=["GET"]),
    Route("/reports/download.{fmt}", page(download, cap=Cap.RUN_ANALYSES), methods=["GET"]),
]
