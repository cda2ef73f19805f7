"""Load test: sustained mixed read/write traffic against the county preset, loopback only.

Starts ``jinlin serve`` as a separate process on a free 127.0.0.1 port over a store
holding the county preset (made with ``jinlin demo --no-serve`` unless ``--data-dir``
already has data), then runs a fixed number of concurrent clients for a fixed time
(default 60 s, and never more than ``--max-requests``).  The mix per client loop: a
community page, a member list with posts, a county count by street, a node lookup, and
one write in ten (a demand raised by staff).  Prints requests/s, p50/p95/p99 latency,
the error count (must be 0) and the server's resident memory at start, every 10 s and at
the end.  ``--write update`` makes the write a change to what exists instead (a demand's
title, ``updateDemand``).  ``--baseline`` first runs the same load against the server as
it was before writes were counted by what they change (graph.changed): every write then
moved every kept answer, so each raised or updated demand sent every dashboard read back
to the store.

    .venv/bin/python bench/loadtest.py [--seconds 60] [--concurrency 8] [--data-dir DIR]
        [--write raise|update] [--baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from graph.ports import free_port  # noqa: E402

JINLIN = [sys.executable, "-m", "api.cli"]

READS = [
    ("community page", """query($c: ID!) { node(id: $c) { ... on Community { code name
        partOfStreet { code } } } compounds(within: $c, first: 10) { totalCount edges { node {
        code name households managedByPropertyFirm { node { name } }
        representedByOwnersCommittee { name } } } } }"""),
    ("member list", """{ people(first: 20, filter: {isMember: true}) { totalCount edges {
        node { code name holdsPostPartyOrg { role node { name } } } } } }"""),
    ("count by street", "{ countBy(label: COMPOUND, level: STREET) { code count } }"),
    ("node lookup", """query($p: ID!) { node(id: $p) { id } }"""),
]
WRITES = {
    "raise": ("raise demand", "raiseDemand", """mutation($k: ID!, $n: String!) {
        raiseDemand(raisedIn: $k, input: {title: $n, category: repair, urgency: 2}) {
        errors { field message } } }"""),
    "update": ("update demand", "updateDemand", """mutation($d: String!, $n: String!) {
        updateDemand(code: $d, input: {title: $n}) { errors { field message } } }"""),
}
A_DEMAND = "{ demands(first: 1) { edges { node { code } } } }"


def _rss_mb(pid: int) -> float:
    """Resident memory of the server and its children (the JVM runs in-process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*JINLIN, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


async def _client(base: str, token: str, until: float, budget: list[int], seed: int,
                  latencies: dict[str, list[float]], errors: list[str],
                  write: tuple[str, str, str], demand: str) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        while time.monotonic() < until and budget[0] > 0:
            budget[0] -= 1
            if rng.random() < 0.1:
                name, _field, query = write
                variables = {"k": "Compound:C01-S01-M01-K01", "d": demand,
                             "n": f"负载测试 {rng.random()}"}
            else:
                name, query = rng.choice(READS)
                variables = {"c": "Community:C01-S01-M01",
                             "p": f"Person:P{rng.randint(1, 20000):07d}"}
            started = time.perf_counter()
            try:
                response = await http.post("/graphql", json={"query": query,
                                                              "variables": variables})
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    errors.append(f"{name}: {response.status_code} {str(body)[:200]}")
                elif name == write[0] and body["data"][write[1]]["errors"]:
                    errors.append(f"{name}: {body['data'][write[1]]['errors']}")
            except (httpx.HTTPError, ValueError) as exc:
                errors.append(f"{name}: {exc!r}")
            latencies.setdefault(name, []).append(time.perf_counter() - started)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# The baseline: every write moves every kept answer (before graph.changed).
BASELINE = "import graph.store; graph.store.changed_names = lambda cypher: None; "
SERVE = "import runpy, sys; sys.argv = ['jinlin', 'serve']; runpy.run_module('api.cli', " \
        "run_name='__main__', alter_sys=True)"


def serve_patched(patch: str, env: dict[str, str], base: str) -> subprocess.Popen[bytes]:
    """``jinlin serve`` with ``patch`` (Python run first: a baseline's old path) once it
    answers ``/health`` at ``base``."""
    server = subprocess.Popen([sys.executable, "-c", patch + SERVE], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(1)
    server.kill()
    raise RuntimeError("jinlin serve did not start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-requests", type=int, default=50_000)
    ap.add_argument("--data-dir", help="a store with the county preset (made if empty)")
    ap.add_argument("--write", choices=sorted(WRITES), default="raise",
                    help="the write of the mix: a demand raised, or one demand's title changed")
    ap.add_argument("--baseline", action="store_true", help="first the same load against "
                    "the baseline (every write moves every kept answer), then the ratio")
    args = ap.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="jinlin-load-")
    print(f"loadtest: store in {data_dir}; preparing the county preset …", flush=True)
    env = {**os.environ, "JINLIN_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT),
           "JINLIN_RATE_LIMIT": "0"}  # every client uses one token: no per-token limit
    _cli("demo", "--no-serve", env=env)
    runs = [("baseline", BASELINE), ("now", "")] if args.baseline else [("now", "")]
    results = {name: _load(args, env, patch) for name, patch in runs}
    if args.baseline:
        old, new = results["baseline"], results["now"]
        print(f"\nnow ÷ baseline: {new[0] / old[0]:.2f}x requests/s; p95 baseline → now: "
              + ", ".join(f"{op} {old[1][op]:.0f} → {new[1][op]:.0f} ms" for op in new[1]))
    return 1 if any(r[2] for r in results.values()) else 0


def _load(args: argparse.Namespace, env: dict[str, str], patch: str
          ) -> tuple[float, dict[str, float], int]:
    """One run against a fresh ``jinlin serve``: requests/s, p95 per operation (ms) and
    the number of errors, printed as it goes."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    assert urlparse(base).hostname == "127.0.0.1"  # loopback only, by construction
    env = {**env, "JINLIN_PORT": str(port)}
    server = serve_patched(patch, env, base)
    try:
        token = _cli("token", "--role", "county_admin", "--scope", "C01",
                     "--subject", "loadtest", env=env).strip()
        demand = httpx.post(f"{base}/graphql", json={"query": A_DEMAND}, timeout=30,
                            headers={"Authorization": f"Bearer {token}"}
                            ).json()["data"]["demands"]["edges"][0]["node"]["code"]
        rss_start = _rss_mb(server.pid)
        latencies: dict[str, list[float]] = {}
        errors: list[str] = []
        budget = [args.max_requests]
        started = time.monotonic()
        until = started + args.seconds

        rss_trace: list[float] = []

        async def sample_rss() -> None:  # does memory level off under steady load?
            while time.monotonic() < until and budget[0] > 0:
                await asyncio.sleep(min(10.0, max(0.0, until - time.monotonic())))
                rss_trace.append(_rss_mb(server.pid))

        async def run() -> None:
            await asyncio.gather(sample_rss(),
                                 *(_client(base, token, until, budget, i, latencies, errors,
                                           WRITES[args.write], demand)
                                   for i in range(args.concurrency)))

        asyncio.run(run())
        elapsed = time.monotonic() - started
        rss_end = _rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    every = [v for vs in latencies.values() for v in vs]
    print(f"\n{'baseline: ' if patch else ''}{len(every):,} requests in {elapsed:.1f} s at "
          f"concurrency {args.concurrency}: {len(every) / elapsed:.1f} requests/s")
    print(f"{'operation':<16}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, values in [*sorted(latencies.items()), ("all", every)]:
        print(f"{name:<16}{len(values):>8}{_pct(values, .5):>10.1f}{_pct(values, .95):>10.1f}"
              f"{_pct(values, .99):>10.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"server memory (RSS, JVM included): {rss_start:.0f} MB at start, "
          f"{rss_end:.0f} MB at end; mean latency {statistics.mean(every) * 1000:.1f} ms")
    print("RSS every 10 s (MB): " + " ".join(f"{m:.0f}" for m in rss_trace), flush=True)
    p95 = {name: _pct(values, .95) for name, values in [*sorted(latencies.items()),
                                                         ("all", every)]}
    return len(every) / elapsed, p95, len(errors)


if __name__ == "__main__":
    sys.exit(main())
