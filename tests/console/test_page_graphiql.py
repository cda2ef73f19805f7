"""GraphiQL at /graphiql from vendored files (no CDN), and a browser's GET /graphql sent
there; strawberry's own page is no longer served."""

from __future__ import annotations

import re

from consolehelp import Console

from api.console.assets import asset


def test_graphiql_is_a_signed_in_page_of_vendored_scripts(console: Console) -> None:
    console.add("wang.wu", "street_staff", "SA")
    assert console.client().get("/graphiql").headers["location"] == (
        "/login?next=%2Fgraphiql")
    client = console.login("wang.wu")
    page = client.get("/graphiql")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert [re.search(r'src="([^"]+)"', s).group(1) for s in scripts  # type: ignore[union-attr]
            ] == [asset("htmx"), asset("app.js"), asset("react"), asset("react-dom"),
                  asset("graphiql.js"), asset("graphiql-init.js")]  # no inline script
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert styles == [asset("app.css"), asset("graphiql.css"), asset("graphiql-page.css")]
    assert "http://" not in page.text and "https://" not in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and csp.endswith("font-src 'self' data:")
    for url in [*(re.search(r'src="([^"]+)"', s).group(1) for s in scripts),  # type: ignore[union-attr]
                *styles]:
        assert client.get(url).status_code == 200, url


def test_a_browser_opening_graphql_goes_to_graphiql(console: Console) -> None:
    answer = console.client().get("/graphql", headers={"Accept": "text/html"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/graphiql")
    api = console.client().get("/graphql", headers={"Accept": "application/json"})
    assert api.status_code == 401  # not a page: a client without a token
