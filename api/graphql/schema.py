"""The strawberry Schema: generated roots plus the limits every public endpoint needs.

Depth, token and alias limits stop a single document from asking for the whole
graph, and the cost estimate (api.graphql.limits.QueryBounds) stops one that stays inside them
but multiplies (lists under lists); parser and validation caches are bounded so
distinct query texts cannot grow memory; in production unexpected errors are masked
(no internals to clients) while errors written for clients (ApiError, validation)
pass through.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from api.graphql import alerts, analyses, reads, redpoints, selfservice
from api.graphql.context import ApiError
from api.graphql.introspection import refuse_introspection
from api.graphql.limits import QueryBounds
from api.graphql.mutations import mutation_fields
from api.graphql.registry import registry
from api.graphql.subscriptions import subscription_fields
from graph.store import StoreUnavailable

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 30
CACHE_SIZE = 256
# The depth and alias rules, each one class made once.  The validation cache is keyed by
# the document and the rules; QueryDepthLimiter and MaxAliasesLimiter built per request
# make a new rule class each time, so every request was validated anew (9 ms of the
# 20 ms a community page costs in Python).
DEPTH_RULE = depth_rule(MAX_DEPTH, None, None)
ALIASES_RULE = aliases_rule(MAX_ALIASES)


def _client_error(error: GraphQLError) -> bool:
    """Errors meant for clients: our own, and GraphQL's parse/validation errors."""
    original = error.original_error
    return original is None or isinstance(original, ApiError | StoreUnavailable)


def should_mask(error: GraphQLError) -> bool:
    return not _client_error(error)


@cache
def _roots() -> tuple[type, type, type]:
    query = strawberry.type(type("Query", (), {**reads.query_fields(),
                                               **analyses.query_fields(),
                                               **selfservice.query_fields(),
                                               **redpoints.query_fields()}),
                            description="读取（Query），始终限于调用者的范围。")
    mutation = strawberry.type(type("Mutation", (), {**mutation_fields(),
                                                     **analyses.mutation_fields(),
                                                     **alerts.mutation_fields(),
                                                     **selfservice.mutation_fields(),
                                                     **redpoints.mutation_fields()}),
                               description="写入（Mutation），全部记审计日志；只有工作人员"
                               "可用，居民只能点单（raiseDemand）和评价（reviewDemand）。")
    subscription = strawberry.type(type("Subscription", (), subscription_fields()),
                                   description="订阅（Subscription），经 WebSocket"
                                   "（graphql-transport-ws）推送，始终限于调用者的范围。")
    return query, mutation, subscription


def build_schema(production: bool = False, extra: Sequence[Any] = (),
                 introspection: bool | None = None) -> strawberry.Schema:
    """``extra``: further extension classes or factories (e.g. operation metrics).

    ``introspection``: whether ``__schema``/``__type`` are answered; None = not in
    production (api.http.app passes api.graphql.introspection.introspection_allowed(settings)).
    """
    query, mutation, subscription = _roots()
    # factories, not instances: strawberry builds fresh extensions per request; the
    # caches live at module level inside the extensions and stay bounded
    extensions: list[Any] = [
        lambda: AddValidationRules([DEPTH_RULE]),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules([ALIASES_RULE]),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        QueryBounds,  # after validation, before any resolver; reads the request's settings
    ]
    if production:
        extensions.append(lambda: MaskErrors(should_mask_error=should_mask,
                                             error_message="Unexpected error."))
    # introspection: off in production unless configured (api.graphql.introspection)
    if introspection is False or (introspection is None and production):
        extensions.append(refuse_introspection)
    extensions.extend(extra)
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=registry().types(),
        extensions=extensions,
    )
