"""As a new user would: a fresh clone, the README's demo command, a third-party client.

The test clones the committed repository, runs ``make demo`` there (which creates its
own virtual environment, installs the project, generates the demo county and serves
it), waits for ``/health``, takes the token the demo prints, and queries the API with
the ``gql`` package — none of the project's own code talks to the server.  Set
``JINLIN_SKIP_E2E=1`` to skip it on a machine without network access to PyPI.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport

from graph.ports import free_port

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(bool(os.environ.get("JINLIN_SKIP_E2E")),
                                reason="JINLIN_SKIP_E2E is set")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    clone = tmp_path_factory.mktemp("newuser") / "jinlin"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JINLIN_", "VIRTUAL_ENV"))}
    env.update(JINLIN_PORT=str(port), PY=sys.executable)
    log = (clone / "demo.log").open("w")
    proc = subprocess.Popen(["make", "demo"], cwd=clone, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            assert proc.poll() is None, (clone / "demo.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/health", timeout=2).json()["status"] == "ok":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(2)
        else:
            pytest.fail("the demo did not come up in 15 minutes:\n"
                        + (clone / "demo.log").read_text()[-3000:])
        match = re.search(r"Authorization: Bearer (\S+)", (clone / "demo.log").read_text())
        assert match, (clone / "demo.log").read_text()[-3000:]
        yield base, match.group(1), (clone / "demo.log").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_the_demo_answers_a_third_party_client(demo: tuple[str, str, str]) -> None:
    base, token, _ = demo
    # a third party's first query computes a county's indicators on a store the demo
    # has just loaded: generous, since the test is about the answer, not the time
    transport = HTTPXTransport(url=f"{base}/graphql", timeout=60,
                               headers={"Authorization": f"Bearer {token}"})
    with Client(transport=transport) as session:
        data = session.execute(gql("""{
            compounds(first: 2) { totalCount edges { node { code name } } }
            indicators(asOf: "2026-06-30", keys: ["property_management_coverage"]) {
              scope indicators { key denominator } }
        }"""))
    assert data["compounds"]["totalCount"] == 200
    assert len(data["compounds"]["edges"]) == 2
    [pm] = data["indicators"]["indicators"]
    assert (pm["key"], pm["denominator"]) == ("property_management_coverage", 200)


def test_anonymous_requests_get_nothing(demo: tuple[str, str, str]) -> None:
    base, _, _ = demo
    response = httpx.post(f"{base}/graphql", json={"query": "{ compounds { totalCount } }"})
    assert response.status_code == 401


def test_the_demo_account_signs_in_to_the_console(demo: tuple[str, str, str]) -> None:
    """The README's first command leaves a console a person can use: the printed account
    and one-time password sign in, a new password is asked for, then the dashboard."""
    base, _, log = demo
    name = re.search(r"示例账号：(\S+)（县级管理员）", log)
    password = re.search(r"一次性密码（只显示这一次，首次登录后须修改）：(\S+)", log)
    assert name and password, log[-3000:]
    csrf = re.compile(r'name="csrf" value="([^"]+)"')
    with httpx.Client(base_url=base, timeout=60) as browser:
        login = browser.get("/login")
        signed = browser.post("/login", data={
            "csrf": csrf.findall(login.text)[0], "name": name.group(1),
            "password": password.group(1), "next": "/"})
        assert (signed.status_code, signed.headers["location"]) == (303, "/password")
        form = browser.get("/password")
        changed = browser.post("/password", data={
            "csrf": csrf.findall(form.text)[0], "current": password.group(1),
            "new": "my-own-password-1", "again": "my-own-password-1"})
        assert (changed.status_code, changed.headers["location"]) == (303, "/")
        home = browser.get("/")
        assert home.status_code == 200 and "概览" in home.text
        assert "demo-admin" in home.text
