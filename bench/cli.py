"""Cold command-line benchmark: ``jinlin report`` of the county, stand-alone and via serve.

Times whole processes (``python -m api.cli report --data-dir D``, the JVM included) on
the county preset (made with ``jinlin demo --no-serve`` unless ``--data-dir`` already has
data): stand-alone, where the command starts its own JVM, and while a ``jinlin serve``
runs on the same directory, where it joins that store over Bolt.  The baseline is the
code of ``--baseline`` (a git revision, default the commit before the cold-start work:
every module imported at start, the schema applied by every command, the service's JVM
options), checked out with ``git archive`` into a temporary directory and timed in the
same run, interleaved with today's.  Prints the median and the spread of ``--runs``
runs each, the ratio today/baseline, and whether today's report via serve equals its
stand-alone one (issue 13: ≤ 8 s stand-alone including the JVM).

    .venv/bin/python bench/cli.py [--runs 3] [--data-dir DIR] [--baseline REV]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from graph.ports import free_port  # noqa: E402

BASELINE = "52963d1"  # main before issue 13 part 4


def _env(tree: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("JINLIN_STORE_URI", None)
    return env


def _report(tree: Path, data_dir: Path) -> tuple[float, str]:
    """Seconds for one whole ``jinlin report`` process, and what it printed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "api.cli", "report", "--data-dir",
                           str(data_dir), "--format", "json"], cwd=tree, env=_env(tree),
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def _checkout(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _serve(data_dir: Path) -> subprocess.Popen[str]:
    """Today's ``jinlin serve`` on ``data_dir``, once it has published its store."""
    serve = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--data-dir",
                              str(data_dir), "--port", str(free_port())], cwd=ROOT,
                             env=_env(ROOT), text=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    info = data_dir / "store.json"
    while not info.exists():
        if serve.poll() is not None:
            raise SystemExit("jinlin serve did not start")
        time.sleep(0.2)
    json.loads(info.read_text())
    return serve


def _measure(trees: dict[str, Path], data_dir: Path, runs: int
             ) -> tuple[dict[str, list[float]], dict[str, str]]:
    times: dict[str, list[float]] = {name: [] for name in trees}
    outputs: dict[str, str] = {}
    for _ in range(runs):
        for name, tree in trees.items():  # interleaved: the machine's load hits both
            seconds, outputs[name] = _report(tree, data_dir)
            times[name].append(seconds)
    return times, outputs


def _row(name: str, alone: list[float], joined: list[float], base: tuple[float, float]
         ) -> str:
    a, j = statistics.median(alone), statistics.median(joined)
    return (f"{name:<10} {a:>7.2f} s ({min(alone):.2f}–{max(alone):.2f})  "
            f"{j:>7.2f} s ({min(joined):.2f}–{max(joined):.2f})  "
            f"{a / base[0]:>6.2f}×  {j / base[1]:>6.2f}×")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-dir", help="a store with the county preset (made if empty)")
    ap.add_argument("--baseline", default=BASELINE, help="git revision of the baseline")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jinlin-bench-cli-") as tmp:
        data_dir = Path(args.data_dir or Path(tmp) / "data").resolve()
        if not (data_dir / "databases").exists():
            print("making the county preset (jinlin demo --no-serve) …", flush=True)
            subprocess.run([sys.executable, "-m", "api.cli", "demo", "--no-serve",
                            "--data-dir", str(data_dir)], cwd=ROOT, env=_env(ROOT),
                           check=True, stdout=subprocess.DEVNULL)
        trees = {"baseline": _checkout(args.baseline, Path(tmp) / "baseline"),
                 "today": ROOT}
        _report(ROOT, data_dir)  # the page cache warm for both, as a second run finds it
        alone, alone_out = _measure(trees, data_dir, args.runs)
        serve = _serve(data_dir)
        try:
            joined, joined_out = _measure(trees, data_dir, args.runs)
        finally:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=120)
    base = (statistics.median(alone["baseline"]), statistics.median(joined["baseline"]))
    print(f"jinlin report, county preset, {args.runs} runs each (median, min–max); "
          f"baseline {args.baseline}")
    print(f"{'code':<10} {'stand-alone':>26}  {'via jinlin serve':>24}  "
          f"{'ratio':>7}  {'ratio':>7}")
    for name in trees:
        print(_row(name, alone[name], joined[name], base))
    # the baseline's report is older (fewer indicators): only today's two must agree
    same = alone_out["today"] == joined_out["today"]
    print(f"today's report via serve equals today's stand-alone: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
