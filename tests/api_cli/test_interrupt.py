"""Ctrl-C during ``jinlin load``: one Chinese line, status 130, and nothing written.

Real processes: ``jinlin load`` of a generated county (a third of the preset, so the
write takes some tens of seconds), SIGINT once it reports writing, then ``jinlin stats``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from loaders.synthetic import generate

REPO = Path(__file__).resolve().parents[2]
# SIGINT as on a terminal even when the tests run in the background (where a shell
# starts them with SIGINT ignored, which the child would inherit).
JINLIN = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "sys.argv[0] = 'jinlin'; runpy.run_module('api.cli', run_name='__main__')")


def _jinlin(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "JINLIN_JVM_HEAP": "512m"}
    return subprocess.Popen([sys.executable, "-c", JINLIN, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _interrupt_once_writing(proc: subprocess.Popen[str]) -> list[str]:
    """Progress lines up to the first of the write (``load: <label> …``), then SIGINT."""
    assert proc.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        assert line, f"the load ended before writing: {seen}"
        seen.append(line)
        if line.startswith("load: ") and not line.startswith("load: read "):
            proc.send_signal(signal.SIGINT)
            return seen
    raise AssertionError(f"no write within 300 s: {seen}")


def test_ctrl_c_during_the_write_says_nothing_was_written(tmp_path: Path) -> None:
    ledgers, data = tmp_path / "county", str(tmp_path / "data")
    generate("county", 1, ledgers, scale=0.3)
    load = _jinlin("load", str(ledgers), "--data-dir", data, "--batch-size", "500")
    before = _interrupt_once_writing(load)
    out, err = load.communicate(timeout=120)
    assert load.returncode == 130, err
    assert out == ""
    assert err.splitlines()[-1] == "jinlin: 已中断，未写入任何数据"
    assert [ln for ln in before + err.splitlines(True) if not ln.startswith("load: ")] == [
        "jinlin: 已中断，未写入任何数据\n"]  # no traceback, no JVM or store noise
    stats = _jinlin("stats", "--data-dir", data)
    out, err = stats.communicate(timeout=120)
    assert stats.returncode == 0 and err == ""
    counts = [line.split()[-1] for line in out.splitlines() if line.startswith("  ")]
    assert len(counts) > 20 and set(counts) == {"0"}


def test_ctrl_c_during_each_county_says_how_many_reports_were_written(tmp_path: Path) -> None:
    """``jinlin report --each-county`` stopped after its first county: the reports that
    were written are whole and counted, the others are not there, and no worker speaks."""
    ledgers, data, out = tmp_path / "city", str(tmp_path / "data"), tmp_path / "reports"
    generate("city", 1, ledgers, scale=0.1)
    load = _jinlin("load", str(ledgers), "--data-dir", data)
    loaded, why = load.communicate(timeout=300)
    assert load.returncode == 0 and "共新建或更新" in loaded, why
    report = _jinlin("report", "--data-dir", data, "--each-county", "--out", str(out),
                     "--format", "json", "--workers", "2")
    assert report.stderr is not None
    first = report.stderr.readline()
    assert first.startswith("各县(区)报告: C"), first
    report.send_signal(signal.SIGINT)
    _, err = report.communicate(timeout=120)
    assert report.returncode == 130, err
    written = sorted(p.name for p in out.iterdir())
    assert 1 <= len(written) < 10 and all(n.endswith(".json") for n in written), written
    lines = [ln for ln in err.splitlines() if not ln.startswith("各县(区)报告: ")]
    assert lines == [f"jinlin: 已中断：{len(written)} 份报告已写入 {out}，其余未写"]
