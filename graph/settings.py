"""Settings from environment variables (``JINLIN_*``) and an optional TOML file.

Precedence: explicit arguments > environment > config file (``JINLIN_CONFIG`` or
``./jinlin.toml``) > defaults.  Every setting is documented in the README.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from graph.i18n import _


@dataclass(frozen=True)
class Settings:
    # Empty store_uri means the embedded ArcadeDB store under data_dir.
    store_uri: str = ""
    store_user: str = "neo4j"
    store_password: str = ""
    store_database: str = ""  # Neo4j database name; empty = the server default
    data_dir: str = "./data"
    batch_size: int = 2000
    host: str = "127.0.0.1"
    port: int = 8000
    jwt_secret: str = ""
    production: bool = False
    page_size_default: int = 20
    page_size_max: int = 200
    jvm_heap: str = "2g"
    # Limits of the HTTP API (SECURITY.md explains each; every one is a setting).
    max_body_bytes: int = 64 * 1024  # a request body, streamed or not
    max_query_cost: int = 20_000  # estimated objects a GraphQL document may produce
    related_default: int = 50  # items per parent of a relationship list field (`first`)
    request_timeout: float = 30.0  # seconds a request may run, store work included
    analysis_workers: int = 1  # heavy analyses run at most this many at once
    analysis_queue: int = 4  # waiting analyses beyond the running ones; more get 503
    projection_entries: int = 12  # scopes kept read in memory (analysis.projection); 0: none
    rate_limit: float = 20.0  # requests per second per token (a bucket refilled at this rate)
    rate_burst: int = 60  # requests a token may send at once
    token_max_hours: float = 720.0  # longest token lifetime the server accepts (30 days)
    metrics_token: str = ""  # bearer token for GET /metrics; empty = /metrics off
    introspection: str = ""  # "true"/"false"; empty = on in development, off in production
    # Limits of ledger files, checked before and while parsing.
    ledger_max_bytes: int = 1024 * 1024 * 1024  # a file, uncompressed (xlsx parts summed)
    ledger_max_rows: int = 20_000_000  # rows of one sheet or CSV file
    ledger_max_cell: int = 32_767  # characters in one cell (Excel's own limit)
    export_max_rows: int = 100_000  # rows of one export file (jinlin export table, /export/…)
    # The web console (api/console).
    session_idle_minutes: float = 30.0  # a console session ends after this long unused …
    session_max_hours: float = 12.0  # … and this long after sign-in in any case
    secure_cookies: bool = False  # mark the session cookie Secure (set behind HTTPS)
    upload_max_bytes: int = 20 * 1024 * 1024  # a ledger uploaded in the console
    map_tile_url: str = ""  # an intranet tile server (…/{z}/{x}/{y}.png); empty = no tiles
    cors_origins: str = ""  # origins (comma-separated) whose browser apps may call the API
    alert_interval_minutes: float = 60.0  # the service evaluates the 预警 rules this often; 0: off
    # GraphQL subscriptions over websockets at /graphql (api.http.sockets).
    ws_init_timeout: float = 10.0  # seconds a socket has to send connection_init
    ws_connections_per_account: int = 4  # open sockets of one account (token subject)
    ws_subscriptions_per_connection: int = 5  # operations running on one socket
    ws_subscriptions_max: int = 1000  # open subscriptions of the whole server

    @property
    def embedded(self) -> bool:
        return not self.store_uri


def _coerce(kind: Any, value: Any) -> Any:
    if kind in (bool, "bool"):
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    if kind in (int, "int"):
        return int(value)
    if kind in (float, "float"):
        return float(value)
    return str(value)


def load_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {}
    config = Path(os.environ.get("JINLIN_CONFIG", "jinlin.toml"))
    if config.is_file():
        with config.open("rb") as fh:
            values.update(tomllib.load(fh).get("jinlin", {}))
    for f in fields(Settings):
        env = os.environ.get(f"JINLIN_{f.name.upper()}")
        if env is not None:
            values[f.name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name: f.type for f in fields(Settings)}
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(_("{config} 中有未知的设置：{names}", config=config,
                           names=", ".join(sorted(unknown))))
    return replace(Settings(), **{k: _coerce(known[k], v) for k, v in values.items()})
