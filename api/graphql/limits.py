"""Bounds on what one GraphQL operation may ask and how long it may run.

:class:`QueryBounds` is a schema extension that runs after parsing and validation and
before any resolver: it prices the document (api.graphql.cost) and refuses it above
``max_query_cost`` (QUERY_TOO_COSTLY) or with more than one analysis
(TOO_MANY_ANALYSES).  After execution it turns the store's timeouts (a statement the
store cancelled at the request's deadline) into TIMEOUT errors the client can read.
The HTTP-level bounds (body size, JSON depth, rate) are in api.http.gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from api.graphql.context import ApiError
from api.graphql.cost import HEAVY, Sizes, estimate
from graph.i18n import _
from graph.settings import Settings
from graph.store import StoreTimeout


def sizes(settings: Settings) -> Sizes:
    return Sizes(page_default=settings.page_size_default, page_max=settings.page_size_max,
                 related_default=min(settings.related_default, settings.page_size_max))


def timed_out(settings: Settings) -> ApiError:
    return ApiError(_("请求超时：处理超过 {seconds} 秒的上限，已取消。"
                      "请缩小查询范围（更小的 first、更少的嵌套）后重试；"
                      "如为写操作，请先查询确认是否已生效",
                      seconds=f"{settings.request_timeout:g}"), code="TIMEOUT")


def client_error(error: ApiError, like: GraphQLError | None = None) -> GraphQLError:
    """A GraphQL error carrying ``error`` (its code becomes ``extensions.code``)."""
    if like is None:
        return GraphQLError(str(error), original_error=error)
    return GraphQLError(str(error), like.nodes, like.source, like.positions, like.path,
                        original_error=error)


def refusal(schema: Any, document: Any, operation: str | None,
            variables: dict[str, Any] | None, settings: Settings) -> ApiError | None:
    """Why the document may not run, if it may not."""
    found = estimate(schema, document, operation, variables, sizes(settings))
    if found is None:
        return None
    if found.heavy > 1:
        return ApiError(_("一个请求最多只能包含 1 个分析字段（{fields}），本请求包含 {count} 个；"
                          "请分成多个请求依次发送", fields=", ".join(HEAVY), count=found.heavy),
                        code="TOO_MANY_ANALYSES")
    if found.cost > settings.max_query_cost:
        return ApiError(_("查询代价过高：估算最多返回 {cost} 个字段值，上限为 {limit}。"
                          "请给列表字段设更小的 first（关系列表默认每项 {related} 个）"
                          "或减少嵌套的列表层级", cost=found.cost,
                          limit=settings.max_query_cost,
                          related=sizes(settings).related_default),
                        code="QUERY_TOO_COSTLY")
    return None


class QueryBounds(SchemaExtension):
    """Price before execution; report store timeouts as TIMEOUT after it."""

    def on_execute(self) -> Iterator[None]:
        run = self.execution_context
        settings: Settings | None = getattr(run.context, "settings", None)
        if settings is not None and run.graphql_document is not None:
            refused = refusal(run.schema._schema, run.graphql_document, run.operation_name,
                              run.variables, settings)
            if refused is not None:  # a result set before execution skips it
                run.result = GraphQLExecutionResult(data=None, errors=[client_error(refused)])
        yield
        result = run.result
        if settings is not None and result is not None and result.errors:
            result.errors = [
                client_error(timed_out(settings), e)
                if isinstance(e.original_error, StoreTimeout) else e
                for e in result.errors
            ]
