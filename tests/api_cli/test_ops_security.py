"""The operator-facing holes of issue 9: file modes, /metrics, JSON logs, introspection, SIGTERM.

Umask, logging and signals belong to a process, so the data-directory, log and
shutdown tests run the real command line in subprocesses: ``jinlin load`` of a small
generated county, then ``jinlin serve`` on it.  The /metrics and introspection tests
speak HTTP to a server on the ``store`` fixture (both backends).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.graphql.introspection import introspection_allowed
from api.graphql.schema import build_schema
from api.http.observability import (
    CUT_MARK,
    FIELD_MAX,
    MSG_MAX,
    TRACE_MAX,
    JsonFormatter,
    observed_app,
)
from api.http.tokens import issue_token
from graph.datadir import private_dir
from graph.ports import free_port
from graph.settings import Settings
from graph.store import BoltStore
from graph.writer import write_graph
from loaders.synthetic import generate

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "api"))  # the API tests' server helpers
from apihelp import Api, api_settings, running, serve, town  # noqa: E402

METRICS_TOKEN = "scrape-" + "s" * 32
FORGED = '{"level":"info","logger":"jinlin.http","msg":"forged","request_id":"forged"}'
JVM_BANNER = "WARNING: Using incubator modules: jdk.incubator.vector"  # the JVM's, not ours



def _jinlin(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINLIN_")}
    env.update(PYTHONPATH=str(REPO), JINLIN_JVM_HEAP="1g")
    return env


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of a process's stderr as a JSON object (the JVM's boot banner aside)."""
    return [json.loads(line) for line in text.splitlines() if line and line != JVM_BANNER]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory made by ``jinlin load`` of a small generated county."""
    ledgers = tmp_path_factory.mktemp("ledgers")
    generate("county", 7, ledgers, scale=0.05)
    data = tmp_path_factory.mktemp("county") / "data"
    done = subprocess.run(_jinlin("load", "--data-dir", str(data), str(ledgers)), env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return data


class Served:
    """``jinlin serve`` on the county, in a subprocess whose stderr goes to a file."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data, self.log, port = data, log, free_port()
        self.base = f"http://127.0.0.1:{port}"
        with log.open("w") as err:
            self.proc = subprocess.Popen(
                _jinlin("serve", "--data-dir", str(data), "--port", str(port)),
                env=_env(), stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 120
        while not self._healthy():
            assert self.proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def token(self) -> str:
        """A county-admin token signed with the key ``jinlin serve`` made for itself."""
        key = (self.data / ".jinlin-jwt-secret").read_text().strip()
        return issue_token(key, "county_admin", "C01", subject="ops-test")

    def records(self) -> list[dict[str, Any]]:
        return json_lines(self.log.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def served(county: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(county, tmp_path_factory.mktemp("serve") / "stderr.log")
    yield server
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait(timeout=30)


# -- files ---------------------------------------------------------------------------


def test_data_directory_and_every_file_in_it_are_private(served: Served) -> None:
    """After ``jinlin load`` and ``jinlin serve``: store files, logs, secrets, store.json."""
    data = served.data
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    names, wide = set(), []
    for path in [data, *data.rglob("*")]:
        names.add(path.name)
        if stat.S_IMODE(path.lstat().st_mode) & 0o077:
            wide.append(f"{oct(stat.S_IMODE(path.lstat().st_mode))} {path}")
    assert wide == []
    assert {".jinlin-secret", ".jinlin-jwt-secret", "store.json", "databases",
            "log"} <= names


def test_an_existing_wide_data_directory_is_tightened_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wide = tmp_path / "old-data"
    wide.mkdir()
    wide.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="jinlin.datadir"):
        assert private_dir(wide) == wide.resolve()
        private_dir(wide)
    assert stat.S_IMODE(wide.stat().st_mode) == 0o700
    assert [r.getMessage() for r in caplog.records] == [
        f"数据目录 {wide.resolve()} 的权限是 0o755，其他用户可读；"
        "已收紧为 0o700（目录中有个人信息和密钥）"]


# -- /metrics ------------------------------------------------------------------------


@contextlib.contextmanager
def _observed(store: BoltStore, tmp_path: Path, **settings: Any) -> Iterator[Api]:
    """The service as ``jinlin serve`` wires it (api.http.observability.observed_app)."""
    write_graph(store, *town())
    # api_settings has no rate limit: the label test sends 500 requests with one token
    app = observed_app(api_settings(tmp_path, **settings), store)
    with running(app, store, tmp_path) as client:
        yield client


@pytest.fixture
def metered(store: BoltStore, tmp_path: Path) -> Iterator[Api]:
    with _observed(store, tmp_path, metrics_token=METRICS_TOKEN) as api:
        yield api


def test_metrics_are_off_without_a_token_configured(store: BoltStore, tmp_path: Path) -> None:
    with _observed(store, tmp_path) as api:
        response = api.http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert (response.status_code, response.text) == (404, (
            "/metrics 未开启：设置 JINLIN_METRICS_TOKEN（至少 16 个字符）后，"
            "用请求头 Authorization: Bearer <该令牌> 抓取\n"))


@pytest.mark.parametrize("auth", [None, "Bearer wrong-token-but-long-enough-xx",
                                  f"Bearer {METRICS_TOKEN}x", f"Basic {METRICS_TOKEN}"])
def test_metrics_refuse_a_missing_or_wrong_token(metered: Api, auth: str | None) -> None:
    response = metered.http.get("/metrics", headers={"Authorization": auth} if auth else {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.text == ("/metrics 需要令牌：请求头 Authorization: Bearer "
                             "<JINLIN_METRICS_TOKEN 的值>；所给令牌缺失或不对\n")


def _operation_labels(page: str) -> dict[str, float]:
    """operation label → count of jinlin_graphql_operation_seconds."""
    prefix = 'jinlin_graphql_operation_seconds_count{operation="'
    return {line[len(prefix):].split('"')[0]: float(line.rsplit(" ", 1)[1])
            for line in page.splitlines() if line.startswith(prefix)}


def test_operation_name_labels_stay_bounded(metered: Api) -> None:
    token = metered.token()
    for n in range(500):
        name = f"Op{n}"
        body = metered.http.post("/graphql", json={"query": f"query {name} {{ __typename }}",
                                                   "operationName": name},
                                 headers={"Authorization": f"Bearer {token}"}).json()
        assert body == {"data": {"__typename": "Query"}}
    too_long = "Q" * 65  # a valid GraphQL name, but longer than a label may be
    metered.post(f"query {too_long} {{ __typename }}")
    metered.post("{ __typename }")
    page = metered.http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert page.status_code == 200
    labels = _operation_labels(page.text)
    assert labels == {**{f"Op{n}": 1.0 for n in range(100)}, "other": 400.0,
                      "invalid": 1.0, "anonymous": 1.0}
    assert len(page.content) < 200_000  # ~1.3 KB per label: bounded whatever clients send


# -- introspection -------------------------------------------------------------------


@pytest.mark.parametrize("production", [False, True])
def test_introspection_is_refused_in_production_only(
    store: BoltStore, tmp_path: Path, production: bool
) -> None:
    write_graph(store, *town())
    from api.http.app import create_app

    base, stop = serve(create_app(api_settings(tmp_path, production=production), store))
    api = Api(base, store, tmp_path / "audit.log")
    try:
        body = api.post("{ __schema { queryType { name } } }").json()
        typename = api.post("{ __typename }").json()
    finally:
        api.http.close()
        stop()
    assert typename == {"data": {"__typename": "Query"}}  # not introspection: always on
    if not production:
        assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
        return
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [(
        "内省查询已关闭，不能查询 __schema：生产模式默认关闭内省；需要时由管理员设置 "
        "JINLIN_INTROSPECTION=true", {"code": "INTROSPECTION_DISABLED"})]


@pytest.mark.parametrize(("value", "production", "allowed"), [
    ("", False, True), ("", True, False), ("true", True, True), ("False", False, False),
    (" TRUE ", True, True),
])
def test_the_introspection_setting(value: str, production: bool, allowed: bool) -> None:
    settings = Settings(introspection=value, production=production)
    assert introspection_allowed(settings) is allowed
    schema = build_schema(production, introspection=introspection_allowed(settings))
    result = schema.execute_sync("{ __type(name: \"Query\") { name } }")
    assert (result.errors is None) is allowed


def test_a_bad_introspection_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="JINLIN_INTROSPECTION 只能是 true、false 或留空"):
        introspection_allowed(Settings(introspection="maybe"))


# -- logs ----------------------------------------------------------------------------


def _record(message: str, exc: BaseException | None = None, **fields: Any) -> str:
    record = logging.LogRecord("jinlin.test", logging.ERROR, __file__, 1, message, (),
                               (type(exc), exc, exc.__traceback__) if exc else None)
    record.fields = fields
    return JsonFormatter().format(record)


def test_long_values_are_cut_with_a_marker() -> None:
    try:
        raise ValueError("x" * 20_000)
    except ValueError as exc:
        line = _record("m" * 5_000, exc, ledger="f" * 1_000, rows=12)
    entry = json.loads(line)
    assert entry["msg"] == "m" * (MSG_MAX - len(CUT_MARK)) + CUT_MARK
    assert len(entry["error"]) == TRACE_MAX and entry["error"].endswith(CUT_MARK)
    assert entry["error"].startswith("Traceback (most recent call last):")
    assert entry["ledger"] == "f" * (FIELD_MAX - len(CUT_MARK)) + CUT_MARK
    assert entry["rows"] == 12


def test_user_text_cannot_break_or_forge_a_line() -> None:
    hostile = f"a\nb\r{FORGED}\u2028c\u2029d\x85e\ud800f\u202eg"
    line = _record(hostile, level="info", msg="forged")
    assert len(line.splitlines()) == 1
    entry = json.loads(line)
    assert entry["msg"] == hostile  # kept, escaped: json.loads gives it back exactly
    assert (entry["level"], entry["logger"]) == ("error", "jinlin.test")  # fields never override
    for raw in ("\u2028", "\u2029", "\x85", "\u202e"):
        assert raw not in line
    assert "\\ud800" in line


def test_a_resolver_error_is_one_json_line_with_the_request_id(served: Served) -> None:
    query = "query($s: String) { networkStructure(scope: $s) { nodes } }"
    response = httpx.post(f"{served.base}/graphql",
                          json={"query": query, "variables": {"s": f"Compound:X\n{FORGED}"}},
                          headers={"Authorization": f"Bearer {served.token()}",
                                   "X-Request-ID": "forge-test-1"}, timeout=30)
    assert response.headers["x-request-id"] == "forge-test-1"
    assert response.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    time.sleep(0.5)  # the access line is written after the response
    records = served.records()  # every line parses: nothing forged a line of its own
    assert [r for r in records if r.get("msg") == "forged"] == []
    mine = [r for r in records if r["request_id"] == "forge-test-1"]
    assert [r["logger"] for r in mine] == ["strawberry.execution", "jinlin.http"]
    error = mine[0]
    assert (error["level"], error["code"], error["path"]) == ("info", "FORBIDDEN",
                                                              "networkStructure")
    assert FORGED in error["msg"] and "error" not in error  # a refusal: no traceback


# -- shutdown (stops the shared server: keep it last) ---------------------------------


def test_sigterm_stops_the_server_while_a_request_is_in_flight(served: Served) -> None:
    """A client that sends half a body holds its request open; SIGTERM still ends serve."""
    port = int(served.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 1000\r\n"
                     + f"Authorization: Bearer {served.token()}\r\n\r\n".encode()
                     + b'{"query": "{ __typ')
        time.sleep(1.0)
        assert served.proc.poll() is None
        started = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        status = served.proc.wait(timeout=20)
        elapsed = time.monotonic() - started
    assert status == 0 and elapsed < 20
    records = served.records()  # uvicorn's own lines are JSON too
    uvicorn = [r for r in records if r["logger"] == "uvicorn.error"]
    assert uvicorn[0]["msg"] == "Cancel 1 running task(s), timeout graceful shutdown exceeded"
    # then uvicorn reports the cancelled request, its traceback inside the JSON line
    assert [(r["level"], r["msg"]) for r in uvicorn[1:]] == [
        ("error", "Exception in ASGI application\n")]
    assert "CancelledError" in uvicorn[1]["error"]
