"""A live console on the scope town for every test that asks for ``console``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from consolehelp import Console, console_on

from graph.store import BoltStore


@pytest.fixture
def console(store: BoltStore, tmp_path: Path) -> Iterator[Console]:
    with console_on(store, tmp_path) as running:
        yield running
