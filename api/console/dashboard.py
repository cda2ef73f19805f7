"""概览: the user's scope at a glance (a stub until the dashboard lands)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from api.console.web import View, page


async def dashboard(view: View) -> Response:
    return view.render("dashboard.html", nav="dashboard")


routes = [Route("/", page(dashboard), methods=["GET"])]
