"""A live uvicorn server on loopback, built on the ``store`` fixture, and a small graph.

Tests speak HTTP to it with httpx, as a front end would: what is tested is what a
client sees (status codes, JSON, masking), not resolver internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from apihelp import Api, api_settings, running, town

from api.http.app import create_app
from graph.store import BoltStore
from graph.writer import write_graph


@pytest.fixture
def api(store: BoltStore, tmp_path: Path) -> Iterator[Api]:
    with running(create_app(api_settings(tmp_path), store), store, tmp_path) as client:
        yield client


@pytest.fixture
def town_api(api: Api) -> Api:
    write_graph(api.store, *town())
    return api
