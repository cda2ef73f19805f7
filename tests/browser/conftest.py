"""Browser tests: Debian's Chromium, headless, driven by Playwright, against the console on
the scope town served by a live uvicorn on 127.0.0.1.

The browser may reach nothing but 127.0.0.1: Chromium resolves every other host to nothing
(``--host-resolver-rules``) and runs without its background networking, and every request
the page makes passes a route that aborts and records any request to another address; each
test ends by asserting that none was tried (the console must work on an intranet with no
internet).  Screenshots of every page a test visits are kept in ``JINLIN_ARTIFACTS``
(default ``.artifacts/screenshots``) for people to look at.

Without Chromium the tests are skipped, unless ``JINLIN_REQUIRE_BROWSER=1`` (CI sets it:
there a missing browser is a failure, not a skip).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from browserhelp import Tab  # noqa: E402
from consolehelp import Console, console_on  # noqa: E402

from graph.store import BoltStore  # noqa: E402

CHROMIUM = os.environ.get("JINLIN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--lang=zh-CN",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def _chromium() -> str | None:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if found is None and os.environ.get("JINLIN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's chromium (see README)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module: Playwright's sync API holds an event loop on the
    main thread while it runs, so it stops with each module (later tests asyncio.run)."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium (apt-get install chromium); JINLIN_REQUIRE_BROWSER=1 fails")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def console(store: BoltStore, tmp_path: Path) -> Iterator[Console]:
    if store.backend != "arcadedb":
        pytest.skip("browser tests run on the embedded store")
    with console_on(store, tmp_path) as running:
        yield running


@pytest.fixture
def tab(browser: Browser, console: Console, request: pytest.FixtureRequest) -> Iterator[Tab]:
    context = browser.new_context(locale="zh-CN", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    name = request.node.name.replace("[", "-").replace("]", "")
    opened = Tab(page, console, name)

    def guard(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            opened.left.append(url)
            route.abort()

    context.route("**/*", guard)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert opened.left == [], f"requests tried to leave 127.0.0.1: {opened.left}"
    assert errors == [], f"script errors on the page: {errors}"
