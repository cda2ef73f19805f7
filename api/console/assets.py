"""The console's static files, and the one place that names the vendored versions
(static/vendor/README.md says where each came from and under which licence)."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).with_name("static")
VENDOR = {
    "htmx": "vendor/htmx-2.0.11/htmx.min.js",
    "echarts": "vendor/echarts-5.6.0/echarts.min.js",
    "leaflet.js": "vendor/leaflet-1.9.4/leaflet.js",
    "leaflet.css": "vendor/leaflet-1.9.4/leaflet.css",
    "graphiql.js": "vendor/graphiql-3.9.0/graphiql.min.js",
    "graphiql.css": "vendor/graphiql-3.9.0/graphiql.min.css",
    "react": "vendor/react-18.3.1/react.production.min.js",
    "react-dom": "vendor/react-dom-18.3.1/react-dom.production.min.js",
}


def asset(name: str) -> str:
    """The URL of a vendored file by its short name, or of one of our own files."""
    return "/static/" + VENDOR.get(name, name)
