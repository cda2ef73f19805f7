"""Every route of the console, gathered from the page modules (each owns its routes)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from api.console import (
    accounts,
    alerts,
    auth_pages,
    dashboard,
    demands,
    drill,
    graphiql,
    invitations,
    items,
    ledgers,
    map,
    network,
    points,
    ratings,
    reports,
    tokens,
    whistles,
)
from api.console.assets import STATIC

PAGES = (accounts, alerts, auth_pages, dashboard, demands, drill, graphiql, items, ledgers, map,
         network, ratings, reports, tokens, whistles, invitations, points)


def console_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [route for module in PAGES for route in module.routes]
    return [*routes, Mount("/static", StaticFiles(directory=STATIC), name="static")]
