"""The workbench (工作台): the web console county, street and community staff use.

Server-rendered pages (Jinja2) with a little script (htmx for partial updates, Apache
ECharts for charts, Leaflet for the map), all served from this package: the console works
on an intranet with no internet and needs no Node.js to install or run.  Why server-rendered:
every figure and list a page shows comes from the same GraphQL schema as the API, run on the
server as the signed-in account (api.console.web.View.gql), so scope, masking and audit are
the API's own; the browser gets finished HTML and filters nothing itself.

Modules: ``web`` (what every page goes through), ``sessions`` (cookies, CSRF tokens),
``auth_pages`` (sign in/out, password), one module per page, ``routes`` (all of them).
"""
