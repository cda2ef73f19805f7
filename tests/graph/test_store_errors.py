"""A store that cannot be used says why: wrong password, unknown database, nothing there."""

from __future__ import annotations

import os
import socket

import pytest

from graph.open import open_store
from graph.settings import Settings
from graph.store import StoreUnavailable

NEO4J_URI = os.environ.get("JINLIN_TEST_NEO4J_URI", "")
needs_neo4j = pytest.mark.skipif(not NEO4J_URI, reason="JINLIN_TEST_NEO4J_URI is not set")


def _refused(settings: Settings) -> str:
    with pytest.raises(StoreUnavailable) as caught:
        open_store(settings)
    return str(caught.value)


def test_nothing_listening_is_named() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    message = _refused(Settings(store_uri=f"bolt://127.0.0.1:{port}", store_password="x"))
    assert f"bolt://127.0.0.1:{port} 无人应答" in message
    assert "JINLIN_STORE_URI" in message


@needs_neo4j
def test_neo4j_wrong_password_is_named() -> None:
    message = _refused(Settings(store_uri=NEO4J_URI, store_password="not-the-password"))
    assert "拒绝了用户名或密码" in message and "JINLIN_STORE_PASSWORD" in message


@needs_neo4j
def test_neo4j_unknown_database_is_named() -> None:
    settings = Settings(store_uri=NEO4J_URI,
                        store_user=os.environ.get("JINLIN_TEST_NEO4J_USER", "neo4j"),
                        store_password=os.environ.get("JINLIN_TEST_NEO4J_PASSWORD", ""),
                        store_database="nosuchdb")
    message = _refused(settings)
    assert "上没有数据库 'nosuchdb'" in message and "社区版只有 neo4j" in message
