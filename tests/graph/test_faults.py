"""Faults: a process killed in the middle of a large import leaves all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

IMPORT = """
import sys
from graph.open import open_store
from graph.settings import Settings
from graph.writer import NodeRecord, write_graph, counts
store = open_store(Settings(data_dir={d!r}, jvm_heap="1g"))
rows = [NodeRecord("Person", f"P{{i:06d}}", {{"name": f"人{{i}}"}}) for i in range({n})]
def progress(what, done, total):
    print("progress", done, flush=True)
write_graph(store, rows, [], batch_size=2000, progress=progress)
print("imported", counts(store)[0]["Person"], flush=True)
"""

COUNT = """
from graph.open import open_store
from graph.settings import Settings
from graph.writer import counts
store = open_store(Settings(data_dir={d!r}, jvm_heap="512m"))
print("persons", counts(store)[0]["Person"], flush=True)
"""


def _python(code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _persons(d: str) -> str:
    out, err = _python(COUNT.format(d=d)).communicate(timeout=120)
    assert out, err
    return out.strip()


def test_killed_import_leaves_nothing_and_can_be_rerun(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    assert _persons(d) == "persons 0"
    proc = _python(IMPORT.format(d=d, n=30000))
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("progress"), proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGKILL)  # mid-import: 2,000 of 30,000 rows sent
    proc.wait(timeout=30)
    assert _persons(d) == "persons 0"
    rerun = _python(IMPORT.format(d=d, n=30000))
    out, err = rerun.communicate(timeout=180)
    assert "imported 30000" in out, err
    assert _persons(d) == "persons 30000"
