"""CORS (settings.cors_origins): browser apps on the listed origins call /graphql with
tokens; other origins get no CORS headers; the console's session cookie is never honoured
for a request from another origin, listed or not.  Off by default."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from apihelp import Api, api_settings, running, town

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from consolehelp import PASSWORD, csrf_of, sign_in  # noqa: E402

from api.accounts import AccountStore  # noqa: E402
from api.http.app import create_app  # noqa: E402
from graph.store import BoltStore  # noqa: E402
from graph.writer import write_graph  # noqa: E402

APP = "http://app.example"
QUERY = {"query": "{ compounds { totalCount } }"}
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"}


@pytest.fixture
def cors_api(store: BoltStore, tmp_path: Path) -> Iterator[Api]:
    settings = api_settings(tmp_path, cors_origins=f"{APP}, http://other.app.example")
    with running(create_app(settings, store), store, tmp_path) as client:
        write_graph(client.store, *town())
        yield client


def test_preflight_from_an_allowed_origin(cors_api: Api) -> None:
    answer = cors_api.http.options("/graphql", headers={"Origin": APP, **PREFLIGHT})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == APP
    assert set(answer.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
    assert {h.lower() for h in answer.headers["access-control-allow-headers"].split(", ")} >= {
        "authorization", "content-type", "accept-language"}
    assert answer.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in answer.headers


def test_preflight_from_another_origin_gets_no_allow_origin(cors_api: Api) -> None:
    answer = cors_api.http.options("/graphql", headers={"Origin": "http://evil.example",
                                                        **PREFLIGHT})
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers


def test_a_token_call_from_an_allowed_origin(cors_api: Api) -> None:
    answer = cors_api.http.post("/graphql", json=QUERY, headers={
        "Origin": APP, "Authorization": f"Bearer {cors_api.token()}"})
    assert answer.status_code == 200 and answer.json() == {
        "data": {"compounds": {"totalCount": 3}}}
    assert answer.headers["access-control-allow-origin"] == APP
    assert "access-control-allow-credentials" not in answer.headers
    other = cors_api.http.post("/graphql", json=QUERY, headers={
        "Origin": "http://evil.example", "Authorization": f"Bearer {cors_api.token()}"})
    assert "access-control-allow-origin" not in other.headers


def test_the_session_cookie_is_never_honoured_cross_origin(cors_api: Api,
                                                          tmp_path: Path) -> None:
    accounts = AccountStore.in_data_dir(tmp_path)
    accounts.add("zhao", "zhao", "county_admin", "K1", lambda s: True)
    accounts.change_password("zhao", PASSWORD)
    client = httpx.Client(base_url=cors_api.base, timeout=30)
    assert sign_in(client, "zhao", PASSWORD).status_code == 303
    csrf = csrf_of(client)
    same = client.post("/graphql", json=QUERY, headers={"X-CSRF-Token": csrf,
                                                        "Origin": cors_api.base})
    assert same.status_code == 200 and same.json()["data"]["compounds"]["totalCount"] == 3
    for origin in (APP, "http://evil.example"):  # even with the page's CSRF token
        answer = client.post("/graphql", json=QUERY, headers={"X-CSRF-Token": csrf,
                                                              "Origin": origin})
        assert answer.status_code == 401
        assert "access-control-allow-credentials" not in answer.headers
