"""Shared fixtures: the stores every contract test runs against.

``store`` is parametrised over backends: the embedded ArcadeDB always (one server per
test session, in a temporary data directory), and Neo4j when ``JINLIN_TEST_NEO4J_URI``
is set (user/password from ``JINLIN_TEST_NEO4J_USER`` / ``JINLIN_TEST_NEO4J_PASSWORD``).
Each test gets the store emptied; tests build the small graphs they assert on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import embedded, queries
from graph.embedded import stop_embedded
from graph.open import open_store
from graph.settings import Settings
from graph.store import BoltStore

NEO4J_URI = os.environ.get("JINLIN_TEST_NEO4J_URI", "")
BACKENDS = [
    pytest.param("arcadedb", id="arcadedb"),
    pytest.param(
        "neo4j",
        id="neo4j",
        marks=pytest.mark.skipif(
            not NEO4J_URI, reason="JINLIN_TEST_NEO4J_URI is not set: no Neo4j to test against"
        ),
    ),
]


def backend_settings(backend: str, data_dir: Path) -> Settings:
    if backend == "neo4j":
        return Settings(
            store_uri=NEO4J_URI,
            store_user=os.environ.get("JINLIN_TEST_NEO4J_USER", "neo4j"),
            store_password=os.environ.get("JINLIN_TEST_NEO4J_PASSWORD", "neo4j"),
            batch_size=500,
        )
    return Settings(data_dir=str(data_dir), batch_size=500, jvm_heap="1g")


@pytest.fixture(scope="session")
def embedded_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("store")


@pytest.fixture(scope="session")
def _stores(embedded_dir: Path) -> Iterator[dict[str, BoltStore]]:
    opened: dict[str, BoltStore] = {}
    yield opened
    for store in opened.values():
        store.close()
    stop_embedded(embedded_dir)


@pytest.fixture(params=BACKENDS)
def store(
    request: pytest.FixtureRequest, _stores: dict[str, BoltStore], embedded_dir: Path
) -> BoltStore:
    """An emptied store of each backend, shared across the session."""
    backend = request.param
    if backend not in _stores:
        _stores[backend] = open_store(backend_settings(backend, embedded_dir))
    opened = _stores[backend]
    opened.write(queries.DELETE_ALL)
    return opened


@pytest.fixture
def settings(store: BoltStore, embedded_dir: Path) -> Settings:
    """Settings pointing at the same store as ``store`` (for code that opens its own)."""
    return backend_settings(store.backend, embedded_dir)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The session's status is the process's: an embedded store's exit hook ends the
    process itself (graph.embedded._stop_all) and needs to know it."""
    embedded.exit_status = int(exitstatus)
