"""A command joins a running ``jinlin serve`` on its data directory, and says the same.

Real processes: ``jinlin serve`` owns a data directory; ``jinlin report`` run while it
serves joins its store over Bolt (it could not open the locked files), and run again
after the service stops starts its own JVM; the figures are identical, and the ones of
the hand-built graph are the hand-worked ones.  The owner file's checks (a stale file
after a crash, a reused pid, mode 0600) run without a JVM.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph import embedded
from graph.open import open_store
from graph.ports import free_port
from graph.settings import Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "analysis"))  # the graph builder
from analysis_builder import G  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _jinlin(*args: str, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "JINLIN_JVM_HEAP": "512m"}
    env.pop("JINLIN_STORE_URI", None)
    return subprocess.Popen([sys.executable, "-m", "api.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            **kw)  # type: ignore[call-overload]


def _report(data_dir: Path) -> dict[str, object]:
    proc = _jinlin("report", "--data-dir", str(data_dir), "--as-of", "2025-01-01",
                   "--format", "json")
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    return dict(json.loads(out))


def _wait_for_owner(data_dir: Path, serve: subprocess.Popen[str]) -> dict[str, int]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert serve.poll() is None, serve.communicate()[1]
        try:
            return dict(json.loads((data_dir / embedded.INFO_FILE).read_text()))
        except (OSError, ValueError):
            time.sleep(0.5)
    raise AssertionError("jinlin serve published no store.json")


def test_report_through_a_running_serve_equals_report_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    serve = _jinlin("serve", "--data-dir", str(data), "--port", str(free_port()))
    try:
        info = _wait_for_owner(data, serve)
        assert info["pid"] == serve.pid
        assert (data / embedded.INFO_FILE).stat().st_mode & 0o777 == 0o600
        # written through the service's store, as `jinlin load` would while it serves
        store = open_store(Settings(data_dir=str(data)))
        try:
            (G().spine("K1", {"S1": {"M1": {"G1": ["C1", "C2"]}}})
             .node("PartyOrg", "B1", kind="compound_branch").rel("B1", "COVERS", "C1")
             .write(store))
        finally:
            store.close()
        joined = _report(data)  # the files are locked: only joining can answer
    finally:
        serve.send_signal(signal.SIGINT)
        serve.communicate(timeout=120)
    assert not (data / embedded.INFO_FILE).exists()
    alone = _report(data)
    assert joined == alone
    coverage = next(i for i in alone["indicators"]  # type: ignore[attr-defined]
                    if i["key"] == "compound_branch_coverage")
    assert (coverage["numerator"], coverage["denominator"], coverage["ratio"]) == (1, 2, 0.5)
    assert alone["scope"] == {"label": "County", "code": "K1", "name": "K1",
                              "as_of": "2025-01-01", "child_label": "Street"}


@pytest.fixture
def listener() -> socket.socket:
    """A port that is open, as a live owner's Bolt port is."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def _owner_file(data_dir: Path, **info: object) -> None:
    (data_dir / embedded.INFO_FILE).write_text(json.dumps(info))


def test_only_a_live_owner_is_joined(tmp_path: Path, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"],
                             stdin=subprocess.PIPE, text=True)
    try:
        started = embedded._started(other.pid)
        assert started is not None  # Linux: /proc names it
        _owner_file(tmp_path, pid=other.pid, started=started, bolt_port=port)
        assert embedded._running_owner(tmp_path) == port
        # the owner crashed and another process now has its pid
        _owner_file(tmp_path, pid=other.pid, started=started + 1, bolt_port=port)
        assert embedded._running_owner(tmp_path) is None
        # a file written before owners named their start time: pid and port decide
        _owner_file(tmp_path, pid=other.pid, bolt_port=port)
        assert embedded._running_owner(tmp_path) == port
        listener.close()  # the owner's port is closed
        assert embedded._running_owner(tmp_path) is None
    finally:
        other.communicate("\n", timeout=30)
    _owner_file(tmp_path, pid=other.pid, started=started, bolt_port=port)
    assert embedded._running_owner(tmp_path) is None  # the owner is gone
    _owner_file(tmp_path, pid=os.getpid(), bolt_port=port)
    assert embedded._running_owner(tmp_path) is None  # this process is no other owner
    (tmp_path / embedded.INFO_FILE).write_text("[1, 2]")
    assert embedded._running_owner(tmp_path) is None  # not an owner file at all


def test_the_owner_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        embedded._publish(tmp_path, 7687)
    finally:
        os.umask(old)
    path = tmp_path / embedded.INFO_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text()) == {
        "pid": os.getpid(), "started": embedded._started(os.getpid()), "bolt_port": 7687,
        "database": embedded.DATABASE}
