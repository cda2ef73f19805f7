"""The store goes away and comes back: /health says so, requests fail fast, service resumes.

A real TCP proxy stands between the service and the store's Bolt port; cutting it is
what a crashed or unreachable database looks like to the service (connections reset,
new ones refused).  The service reaches the store by URI, as it reaches Neo4j.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from apihelp import api_settings, serve

from api.http.app import create_app
from api.http.tokens import issue_token
from graph.embedded import SECRET_FILE
from graph.open import open_store
from graph.store import BoltStore


class Proxy:
    """Forwards 127.0.0.1:port to the store's Bolt port until ``down()``."""

    def __init__(self, target: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.target = target
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def down(self) -> None:
        if self._listener is not None:
            try:  # wakes the thread blocked in accept(); close() alone would not
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
        for s in self._open:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._open.clear()


@pytest.fixture
def proxy(store: BoltStore) -> Iterator[Proxy]:
    if store.backend != "arcadedb":
        pytest.skip("the proxy fronts the embedded store's Bolt port")
    port = urlparse(store.uri).port
    assert port is not None
    p = Proxy(port)
    yield p
    p.down()


def _remote(tmp_path: Path, embedded_dir: Path, proxy: Proxy) -> object:
    password = (embedded_dir / SECRET_FILE).read_text().strip()
    settings = api_settings(tmp_path)
    from dataclasses import replace

    return replace(settings, store_uri=f"bolt://127.0.0.1:{proxy.port}", store_user="root",
                   store_password=password, store_database="jinlin")


QUERY = {"query": "{ counties { totalCount } }"}


def _query(base: str, token: str) -> httpx.Response:
    return httpx.post(f"{base}/graphql", json=QUERY, timeout=30,
                      headers={"Authorization": f"Bearer {token}"})


def test_outage_is_reported_fast_and_service_resumes(
    store: BoltStore, proxy: Proxy, tmp_path: Path, embedded_dir: Path
) -> None:
    from graph.writer import NodeRecord, write_graph

    write_graph(store, [NodeRecord("County", "K1", {"name": "近邻县"})], [])
    settings = _remote(tmp_path, embedded_dir, proxy)
    proxy.down()  # the service starts while the store is unreachable
    remote = open_store(settings, require=False)  # type: ignore[arg-type]
    base, stop = serve(create_app(settings, remote))  # type: ignore[arg-type]
    token = issue_token(settings.jwt_secret, "county_admin", "K1", "admin@K1")  # type: ignore[attr-defined]
    try:
        started = time.monotonic()
        assert httpx.get(f"{base}/health", timeout=30).status_code == 503
        refused = _query(base, token)
        assert time.monotonic() - started < 15
        assert refused.status_code in (401, 403, 503) or "unavailable" in refused.text
        assert "Traceback" not in refused.text

        proxy.up()  # the store returns: no restart of the service
        assert httpx.get(f"{base}/health", timeout=30).json()["status"] == "ok"
        assert _query(base, token).json() == {"data": {"counties": {"totalCount": 1}}}

        proxy.down()  # and goes away again, with live pooled connections cut
        started = time.monotonic()
        body = _query(base, token).json()
        assert time.monotonic() - started < 15
        assert body["data"] is None or body.get("errors")
        assert "图数据库暂时不可用，请稍后再试" in str(body)
        assert httpx.get(f"{base}/health", timeout=30).status_code == 503

        proxy.up()
        assert _query(base, token).json() == {"data": {"counties": {"totalCount": 1}}}
    finally:
        stop()
        remote.close()
