"""The evaluations the service runs after imports and restores (api.graphql.alerts.Background):
after the answer, one at a time, none lost.

The run itself is replaced by one that notes its trigger and, the first time, holds
until the test lets it go, so what is asked meanwhile is known exactly: a run asked for
while one runs comes after it, and any number asked for meanwhile are one run."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from apihelp import api_settings, serve

from analysis.alerts import Changes
from api.audit import AuditLog
from api.graphql import alerts as api_alerts
from api.graphql.alerts import Background
from api.http.app import create_app
from graph.store import BoltStore


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], threading.Event, list[int]]:
    """(the triggers run, in order; the event the first run waits for; the most runs
    ever under way at once)."""
    done: list[str] = []
    first = threading.Event()
    active, most = [0], [0]
    lock = threading.Lock()

    def run(store: Any, log: Any, bus: Any, trigger: str) -> Changes:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        if not done:
            assert first.wait(30)
        with lock:
            done.append(trigger)
            active[0] -= 1
        return Changes()

    monkeypatch.setattr(api_alerts, "run_quietly", run)
    return done, first, most


def test_asked_while_running_runs_once_after(
        runs: tuple[list[str], threading.Event, list[int]], tmp_path: Path) -> None:
    done, first, most = runs
    background = Background(object(), AuditLog(tmp_path / "audit.log"), None)  # type: ignore[arg-type]
    assert not background.busy and background.wait(0)
    background.ask("import")
    assert background.busy and not background.wait(0.05)
    background.ask("import")
    background.ask("restore")  # both asked while the first runs: one more run, the last's
    assert done == []
    first.set()
    assert background.wait(30) and not background.busy
    assert done == ["import", "restore"] and most == [1]
    background.ask("import")  # idle again: a run of its own
    assert background.wait(30) and done == ["import", "restore", "import"]


def test_the_app_stops_after_its_run(runs: tuple[list[str], threading.Event, list[int]],
                                     store: BoltStore, tmp_path: Path) -> None:
    """An import's run still going when the app is told to stop is finished first (it is
    let go a moment after the stop begins): nothing asked for is lost on shutdown."""
    done, first, _ = runs
    app = create_app(api_settings(tmp_path, alert_interval_minutes=0), store)
    _, stop = serve(app)
    app.state.console.alerting.ask("import")
    threading.Timer(0.5, first.set).start()
    stop()
    assert done == ["import"] and not app.state.console.alerting.busy
