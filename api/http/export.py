"""``GET /export/<what>.xlsx`` (or ``.csv``): any list of the API as a file; and
``GET /export/<what>.geojson`` for the located kinds (compounds, service sites, demands,
resources): the GeoJSON ``jinlin export table --format geojson`` writes, for GIS tools.

The request passes the same gate as /graphql (bearer token → Caller, 401 without; the
token's rate; the request's deadline and thread pools; the caller's scope node), then
``api.graphql.exports`` reads the rows: node lists on the read pool, indicators on the bounded
analysis pool (BUSY when full), with what an analysis names outside the caller's scope
redacted as the ``indicators`` field does.  GeoJSON is read by the same function as the
command's (``analysis.tables.points``: every located node of the scope, or of ``within``;
demands as of ``asOf``), so it needs READ_ALL (a resident reads only its own demands) and
takes no filters (the command takes none either).  Refusals are JSON in GraphQL's error shape
with a stable ``extensions.code``.

Audit: an export only reads, so it is not written to the audit log of changes; an
export with personal data in clear (a role with SEE_PERSONAL, a list with personal
columns) is logged as one JSON line (logger ``jinlin.export``: role, subject, scope,
what, rows), so who took phone numbers home can be found.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from analysis import projection
from analysis.export import table_bytes
from analysis.frames import Table
from analysis.indicators import Options
from analysis.tables import LOCATED, indicator, points
from api.auth import Caller
from api.console.web import disposition
from api.graphql import exports, pools
from api.graphql.analyses import redacted_items, run_analysis
from api.graphql.context import ApiError, Context, Forbidden
from api.graphql.limits import timed_out
from api.http.gate import refusal
from api.policy import Cap
from graph.dates import parse_as_of
from graph.i18n import _
from graph.model import NODE_BY_LABEL
from graph.store import StoreTimeout, StoreUnavailable, deadline, time_left

if TYPE_CHECKING:
    from api.http.app import GraphQLEndpoint

log = logging.getLogger("jinlin.export")
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}
GEOJSON = "geojson"
RESERVED = ("within", "asOf")  # query parameters that are not filters
STATUS = {"UNKNOWN_EXPORT": 404, "BUSY": 503, "TIMEOUT": 503}


class Export:
    """The ASGI endpoint; the gate's parts come from the GraphQL endpoint."""

    def __init__(self, endpoint: GraphQLEndpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        caller = self.endpoint.caller(request)
        if isinstance(caller, Response):
            await caller(scope, receive, send)
            return
        settings = self.endpoint.settings
        with deadline(settings.request_timeout), pools.using(self.endpoint.pools):
            response = await self._answer(request, caller)
        await response(scope, receive, send)

    async def _answer(self, request: Request, caller: Caller) -> Response:
        resolved = await self.endpoint.scope_of(caller)
        if isinstance(resolved, Response):
            return resolved
        try:
            async with asyncio.timeout(time_left()):
                return await self._file(request, caller, resolved)
        except ApiError as exc:
            status = 403 if isinstance(exc, Forbidden) else STATUS.get(exc.code, 400)
            return refusal(status, str(exc), exc.code)
        except (TimeoutError, StoreTimeout):
            late = timed_out(self.endpoint.settings)
            return refusal(503, str(late), late.code)
        except StoreUnavailable as exc:
            return refusal(503, str(exc), "STORE_UNAVAILABLE")
        except ValueError as exc:  # a bad asOf …
            return refusal(400, str(exc), "INVALID_INPUT")

    async def _file(self, request: Request, caller: Caller,
                    resolved: tuple[str, str]) -> Response:
        stem, dot, fmt = request.path_params["what"].rpartition(".")
        if not dot or fmt not in MEDIA:
            raise ApiError(_("导出地址应以 .xlsx、.csv 或 .geojson 结尾，收到 /export/{what}",
                             what=request.path_params["what"]), code="UNKNOWN_EXPORT")
        what, name = exports.target(stem)
        params = request.query_params
        subject = None if caller.may(Cap.READ_ALL) else caller.subject
        view = exports.View(*resolved, exports.parse_within(params.get("within")), subject)
        ctx = Context(store=self.endpoint.store, settings=self.endpoint.settings,
                      caller=caller, scope_label=view.scope_label,
                      scope_code=view.scope_code, audit=self.endpoint.audit)
        await pools.current().read(exports.check_within, ctx.store, view)
        if fmt == GEOJSON:
            body, title = await self._points(ctx, what, name, view, request)
        else:
            if what == exports.NODES_TARGET:
                table, title = (await self._nodes(ctx, name, view, request),
                                NODE_BY_LABEL[name].zh)
            else:
                table, title = await self._items(ctx, what, name, view, params.get("asOf"))
            body = await pools.current().read(table_bytes, table, fmt, title[:31])
        code = view.area[1]
        return Response(body, media_type=MEDIA[fmt], headers={
            "Content-Disposition": disposition(f"{title}_{code}.{fmt}",
                                               f"{stem.replace('/', '_')}_{code}.{fmt}")})

    async def _nodes(self, ctx: Context, label: str, view: exports.View,
                     request: Request) -> Table:
        ctx.require_read(label)  # a resident reads demands only (api.policy.reads)
        given = {k: request.query_params.getlist(k) for k in request.query_params
                 if k not in RESERVED}
        flt = exports.filters(label, given)
        personal = ctx.caller.may(Cap.SEE_PERSONAL)
        table = await pools.current().read(exports.node_list, ctx.store, label, view, flt,
                                           personal, ctx.settings.export_max_rows)
        if personal and exports.personal_columns(label) and table.rows:
            log.info("export of personal data in clear", extra={"fields": {
                "role": ctx.caller.role, "subject": ctx.caller.subject,
                "scope": f"{view.scope_label}:{view.scope_code}", "what": label,
                "within": ":".join(view.within) if view.within else None,
                "rows": len(table.rows)}})
        return table

    async def _points(self, ctx: Context, what: str, label: str, view: exports.View,
                      request: Request) -> tuple[bytes, str]:
        """The located ``label`` nodes of the view's area as GeoJSON (module docstring)."""
        if what != exports.NODES_TARGET or label not in LOCATED:
            raise ApiError(_("GeoJSON 只能导出有坐标的{kinds}，收到 /export/{what}",
                             kinds="、".join(NODE_BY_LABEL[k].zh for k in LOCATED),
                             what=request.path_params["what"]), code="UNKNOWN_EXPORT")
        ctx.require(Cap.READ_ALL)
        extra = sorted(set(request.query_params) - set(RESERVED))
        if extra:
            raise ApiError(_("GeoJSON 导出不能按 {names} 筛选：只接受 within 和 asOf",
                             names="、".join(extra)), code="INVALID_INPUT")
        doc = await pools.current().read(points, ctx.store, label, *view.area,
                                         parse_as_of(request.query_params.get("asOf")),
                                         ctx.caller.may(Cap.SEE_PERSONAL))
        exports.too_many(len(doc["features"]), ctx.settings.export_max_rows)
        return json.dumps(doc, ensure_ascii=False).encode(), NODE_BY_LABEL[label].zh

    async def _items(self, ctx: Context, what: str, key: str, view: exports.View,
                     as_of: str | None) -> tuple[Table, str]:
        ctx.require(Cap.RUN_ANALYSES)
        report = await run_analysis(projection.indicators, ctx.store, *view.area,
                                    parse_as_of(as_of), Options())
        try:
            ind = indicator(report, key)
        except ValueError as exc:
            raise ApiError(str(exc), code="UNKNOWN_EXPORT") from None
        gaps_only = what == exports.GAPS
        chosen = ind.gaps if gaps_only else ind.hits + ind.gaps
        exports.too_many(len(chosen), ctx.settings.export_max_rows)  # before redacting them
        items = await redacted_items(ctx, chosen)
        return exports.items_table(items, gaps_only, ctx.settings.export_max_rows), ind.zh
