"""Helpers of the console tests: the app on the scope town behind a live uvicorn, named
accounts with known passwords, and httpx clients signed in as them."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # the API tests' helpers
from apihelp import api_settings, serve  # noqa: E402
from scope_town import scope_town  # noqa: E402

from api.accounts import AccountStore  # noqa: E402
from api.http.app import create_app  # noqa: E402
from graph.queries import DELETE_ALL  # noqa: E402
from graph.store import BoltStore  # noqa: E402
from graph.writer import write_graph  # noqa: E402

PASSWORD = "correct-horse-battery"
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    """The running console: its address, store, data directory and accounts (and the
    app, whose background work a test may wait for)."""

    def __init__(self, base: str, store: BoltStore, data_dir: Path, app: Any = None) -> None:
        self.base, self.store, self.data_dir, self.app = base, store, data_dir, app
        self.accounts = AccountStore.in_data_dir(data_dir)
        self.audit = data_dir / "audit.log"

    def add(self, name: str, role: str = "county_admin", scope: str = "K1",
            password: str | None = PASSWORD) -> str:
        """A new account; with ``password`` it is already changed (no forced change),
        without it the one-time password is returned as ``add`` gives it."""
        _, first = self.accounts.add(name, name, role, scope, lambda s: True)
        if password is None:
            return first
        self.accounts.change_password(name, password)
        return password

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, follow_redirects=False)

    def login(self, name: str, password: str = PASSWORD) -> httpx.Client:
        """A client signed in as ``name`` (asserting the sign-in worked)."""
        client = self.client()
        answer = sign_in(client, name, password)
        assert answer.status_code == 303, answer.text
        return client


def form_csrf(html: str) -> str:
    found = FIELD.search(html) or META.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: httpx.Client, name: str, password: str, next: str = "/") -> httpx.Response:
    page = client.get("/login", params={"next": next})
    return client.post("/login", data={"csrf": form_csrf(page.text), "name": name,
                                       "password": password, "next": next})


def csrf_of(client: httpx.Client, path: str = "/password") -> str:
    """The session's CSRF token, read off a page (as the browser has it)."""
    page = client.get(path)
    return form_csrf(page.text)


def post_form(client: httpx.Client, path: str, data: dict[str, Any],
              files: Any = None) -> httpx.Response:
    """A form POST the way the page sends it: with the session's CSRF token."""
    return client.post(path, data={"csrf": csrf_of(client), **data}, files=files)


@contextmanager
def console_on(store: BoltStore, tmp_path: Path, **settings: Any) -> Iterator[Console]:
    """The app on the scope town (tests/api/scope_town.py) served on loopback."""
    store.write(DELETE_ALL)
    write_graph(store, *scope_town())
    app = create_app(api_settings(tmp_path, **settings), store)
    base, stop = serve(app)
    try:
        yield Console(base, store, tmp_path, app)
    finally:
        stop()
