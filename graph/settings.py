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

    @property
    def embedded(self) -> bool:
        return not self.store_uri


def _coerce(kind: Any, value: Any) -> Any:
    if kind in (bool, "bool"):
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    if kind in (int, "int"):
        return int(value)
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
        raise ValueError(f"unknown settings in {config}: {', '.join(sorted(unknown))}")
    return replace(Settings(), **{k: _coerce(known[k], v) for k, v in values.items()})
