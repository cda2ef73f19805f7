"""What the browser tests share: a tab on the console and its screenshots (the fixtures
that make them are in conftest.py; test modules import from here, never from conftest,
whose name other test folders also use)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import Page, Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from consolehelp import PASSWORD, Console  # noqa: E402

ARTIFACTS = Path(os.environ.get("JINLIN_ARTIFACTS", ".artifacts/screenshots"))


class Shots:
    """Screenshots of one test, numbered in the order taken."""

    def __init__(self, page: Page, test: str) -> None:
        self.page, self.test, self.n = page, test, 0

    def __call__(self, what: str) -> Path:
        self.n += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.test}-{self.n:02d}-{what}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


class Tab:
    """A browser tab on the console: the page, the console, the requests that tried to
    leave 127.0.0.1, and screenshots."""

    def __init__(self, page: Page, console: Console, test: str) -> None:
        self.page, self.console = page, console
        self.left: list[str] = []
        self.shot = Shots(page, test)

    def go(self, path: str) -> Response | None:
        return self.page.goto(self.console.base + path)

    def sign_in(self, name: str, password: str = PASSWORD) -> None:
        page = self.page
        self.go("/login")
        page.fill("#name", name)
        page.fill("#password", password)
        page.click("#login")
        page.wait_for_load_state()
