"""GraphiQL at /graphiql, from the vendored GraphiQL, React and ReactDOM (api.console.assets):
it works with no internet, where strawberry's own page (from a CDN) never loaded.

The page's script (static/graphiql-init.js: no inline script runs under the CSP) sends
each operation to /graphql as the signed-in user (the session cookie and the page's
CSRF token in ``X-CSRF-Token``, which /graphql asks of cookie-authenticated POSTs), or,
when a token is pasted into the page's field, with ``Authorization: Bearer`` and no
cookie: so an app's token can be tried out as the app would send it.  A browser's
``GET /graphql`` is sent here (api.http.app).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from api.console.web import View, page

# GraphiQL's stylesheet carries its fonts as data: URLs (nothing leaves the server).
FONTS = "; font-src 'self' data:"


async def graphiql(view: View) -> Response:
    csp = view.backend.headers()["Content-Security-Policy"]
    view.extra_headers["Content-Security-Policy"] = csp + FONTS
    return view.render("graphiql.html", nav="graphiql")


routes = [Route("/graphiql", page(graphiql), methods=["GET"])]
