"""Helpers of the API tests: a live uvicorn server and a client that signs requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.http.tokens import issue_token
from graph.ports import free_port
from graph.settings import Settings
from graph.store import BoltStore
from graph.writer import NodeRecord as N
from graph.writer import RelRecord as R

SECRET = "test-secret-" + "x" * 40



class Api:
    """An HTTP client for the running app that signs requests as a given caller."""

    def __init__(self, base: str, store: BoltStore, audit: Path) -> None:
        self.base = base
        self.store = store
        self.audit = audit
        self.http = httpx.Client(base_url=base, timeout=30)

    def token(self, role: str = "county_admin", scope: str = "K1",
              subject: str | None = None) -> str:
        """A token for ``role`` in ``scope``; staff act as the subject ``role@scope``
        unless one is given (residents: their person code)."""
        return issue_token(SECRET, role, scope, subject or f"{role}@{scope}")

    def post(self, query: str, variables: dict[str, Any] | None = None,
             token: str | None = None, lang: str | None = None, **who: Any) -> httpx.Response:
        """``lang``: sent as ``Accept-Language`` (none: the server's default, Chinese)."""
        auth = token if token is not None else self.token(**who)
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        if lang:
            headers["Accept-Language"] = lang
        return self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                              headers=headers)

    def gql(self, query: str, variables: dict[str, Any] | None = None, **who: Any) -> Any:
        """The ``data`` of a request expected to succeed without errors."""
        body = self.post(query, variables, **who).json()
        assert "errors" not in body, body
        return body["data"]


def serve(app: Any) -> tuple[str, Callable[[], None]]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@contextmanager
def running(app: Any, store: BoltStore, tmp_path: Path) -> Iterator[Api]:
    """``app`` served on loopback, and a client for it; stopped on leaving."""
    base, stop = serve(app)
    client = Api(base, store, tmp_path / "audit.log")
    try:
        yield client
    finally:
        client.http.close()
        stop()


def api_settings(tmp_path: Path, **kw: Any) -> Settings:
    """Test settings; the per-token rate limit is off unless a test sets it (property
    tests send hundreds of requests a second on one token)."""
    kw = {"rate_limit": 0.0, **kw}
    return Settings(jwt_secret=SECRET, data_dir=str(tmp_path), page_size_default=2,
                    page_size_max=50, **kw)


def town() -> tuple[list[N], list[R]]:
    """Two streets of one county; compounds C1, C2 in S1 (grid G1), C3 in S2 (grid G2)."""
    nodes = [
        N("County", "K1", {"name": "近邻县"}),
        N("Street", "S1", {"name": "东街道"}), N("Street", "S2", {"name": "西街道"}),
        N("Community", "M1", {"name": "幸福社区", "kind": "residential"}),
        N("Community", "M2", {"name": "和平社区"}),
        N("Grid", "G1", {"name": "一网格"}), N("Grid", "G2", {"name": "二网格"}),
        N("Compound", "C1", {"name": "阳光小区", "households": 300, "old": True}),
        N("Compound", "C2", {"name": "月亮小区", "households": 120}),
        N("Compound", "C3", {"name": "星星小区", "households": 80}),
        N("Building", "B1", {"name": "1号楼"}),
        N("PropertyFirm", "F1", {"name": "红管家物业", "kind": "party_led", "stars": 4}),
        N("PropertyFirm", "F2", {"name": "西城物业"}),
        N("OwnersCommittee", "OC1", {"name": "阳光业委会"}),
        N("PartyOrg", "PO1", {"name": "阳光小区党支部", "kind": "compound_branch"}),
        N("PartyOrg", "PM1", {"name": "幸福社区党委", "kind": "community_party_committee"}),
        N("Person", "P1", {"name": "张三", "member_status": "in_service",
                           "phone": "13812341234", "id_number": "110101199001011234"}),
        N("Person", "P2", {"name": "李四", "phone": "13900001111"}),
        N("Unit", "U1", {"name": "县医院", "kind": "hospital"}),
    ]
    rels = [
        R("PART_OF", "Street", "S1", "County", "K1"), R("PART_OF", "Street", "S2", "County", "K1"),
        R("PART_OF", "Community", "M1", "Street", "S1"),
        R("PART_OF", "Community", "M2", "Street", "S2"),
        R("PART_OF", "Grid", "G1", "Community", "M1"),
        R("PART_OF", "Grid", "G2", "Community", "M2"),
        R("IN_GRID", "Compound", "C1", "Grid", "G1"), R("IN_GRID", "Compound", "C2", "Grid", "G1"),
        R("IN_GRID", "Compound", "C3", "Grid", "G2"),
        R("PART_OF", "Building", "B1", "Compound", "C1"),
        R("MANAGES", "PropertyFirm", "F1", "Compound", "C1", {"since": "2020-01-01"}),
        R("MANAGES", "PropertyFirm", "F2", "Compound", "C3", {"since": "2020-01-01"}),
        R("REPRESENTS", "OwnersCommittee", "OC1", "Compound", "C1"),
        R("COVERS", "PartyOrg", "PO1", "Compound", "C1"),
        R("COVERS", "PartyOrg", "PM1", "Community", "M1"),
        R("UNDER", "PartyOrg", "PO1", "PartyOrg", "PM1"),
        R("LIVES_IN", "Person", "P1", "Compound", "C1"),
        R("LIVES_IN", "Person", "P2", "Compound", "C3"),
        R("HOLDS_POST", "Person", "P1", "OwnersCommittee", "OC1",
          {"role": "chair", "since": "2021-03-01"}),
        R("HOLDS_POST", "Person", "P1", "PartyOrg", "PO1",
          {"role": "secretary", "since": "2019-01-01", "until": "2020-12-31"}),
        R("LOCATED_IN", "Unit", "U1", "Community", "M1"),
        R("CO_BUILDS_WITH", "Unit", "U1", "Community", "M1", {"since": "2022-01-01"}),
    ]
    return nodes, rels
