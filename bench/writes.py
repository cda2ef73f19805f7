"""Write benchmark: ``raiseDemand`` over loopback HTTP, 1 and 8 clients, old path vs new.

Serves the county preset with ``jinlin serve`` (a separate process, as in production;
made with ``jinlin demo --no-serve`` unless ``--data-dir`` already has data) twice on
the same store: first with the old write path as the baseline, then with today's, and
for each runs ``--seconds`` of back-to-back ``raiseDemand`` from 1 and from 8 clients,
each demand raised in one of eight compounds at random (``--same-compound``: all in one,
the worst case for ArcadeDB's write conflicts).  Prints writes/s, p50/p95 latency and
errors per run (0 required), and the ratio new/old.

The old path, switched back on in the server process only (issue 13):
- ``api.audit.GROUP_COMMIT = False``: one fsync per audit line, under the log's lock;
- ``graph.writer.PROBE_FROM = 1``: every write first probes each kind for emptiness;
- ``graph.store.RETRY_DELAY = 1.0``: a lost write conflict is retried after 1 s;
- ``write_graph(new=False)``: a created demand is looked up before it is written;
- JPype's link between the collectors kept (``graph.embedded.unlink_collectors`` not
  called) and nothing frozen at start-up: each of the JVM's collections runs a full
  Python one.
(Still new in the baseline: a generated demand code is not looked up before the write.)

Server CPU per write (the server process, JVM included, from /proc) is printed too: on
this shared 2-core machine it says what the writes/s would be on idle cores.

    .venv/bin/python bench/writes.py [--seconds 20] [--data-dir DIR] [--store-uri bolt://…]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtest import ROOT, _cli, _pct, serve_patched  # noqa: E402

sys.path.insert(0, str(ROOT))
from graph.ports import free_port  # noqa: E402

RAISE = """mutation($k: ID!, $n: String!) { raiseDemand(raisedIn: $k,
    input: {title: $n, category: repair, urgency: 2}) { errors { field message } } }"""
COMPOUNDS = """{ compounds(within: "Street:C01-S01", first: 8) { edges { node { id } } } }"""
OLD_PATH = ("import api.audit, graph.store, graph.writer; api.audit.GROUP_COMMIT = False; "
            "graph.store.RETRY_DELAY = 1.0; graph.writer.PROBE_FROM = 1; "
            "import graph.embedded, api.http.server, uvicorn; "
            "graph.embedded.unlink_collectors = lambda: None; "
            "api.http.server._Server.startup = uvicorn.Server.startup; "
            "w = graph.writer.write_graph; "  # before the API imports it: creates look up again
            "graph.writer.write_graph = lambda *a, new=False, **k: w(*a, **k); ")


async def _client(base: str, token: str, places: list[str], until: float, seed: int,
                  latencies: list[float], errors: list[str]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=60,
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        while time.monotonic() < until:
            variables = {"k": rng.choice(places), "n": f"写入测试 {rng.random()}"}
            started = time.perf_counter()
            try:
                response = await http.post("/graphql", json={"query": RAISE,
                                                              "variables": variables})
                body = response.json()
                if response.status_code != 200 or body.get("errors") \
                        or body["data"]["raiseDemand"]["errors"]:
                    errors.append(f"{response.status_code} {str(body)[:300]}")
            except (httpx.HTTPError, ValueError) as exc:
                errors.append(repr(exc))
            latencies.append(time.perf_counter() - started)


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(base: str, token: str, places: list[str], clients: int,
         seconds: float) -> tuple[float, float, float, list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()

    async def run() -> None:
        await asyncio.gather(*(_client(base, token, places, started + seconds, i, latencies,
                                       errors) for i in range(clients)))

    asyncio.run(run())
    elapsed = time.monotonic() - started
    return len(latencies) / elapsed, _pct(latencies, .5), _pct(latencies, .95), errors


def _serve(mode: str, env: dict[str, str], base: str) -> subprocess.Popen[bytes]:
    return serve_patched(OLD_PATH if mode == "old" else "", env, base)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--data-dir", help="a store with the county preset (made if empty)")
    ap.add_argument("--store-uri", help="Neo4j instead of the embedded store")
    ap.add_argument("--store-password", default=os.environ.get("JINLIN_STORE_PASSWORD", ""))
    ap.add_argument("--same-compound", action="store_true")
    args = ap.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="jinlin-writes-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "JINLIN_DATA_DIR": data_dir, "JINLIN_PORT": str(port),
           "PYTHONPATH": str(ROOT), "JINLIN_RATE_LIMIT": "0"}
    if args.store_uri:
        env.update(JINLIN_STORE_URI=args.store_uri, JINLIN_STORE_PASSWORD=args.store_password)
    print(f"writes: store {args.store_uri or data_dir}; preparing the county preset …",
          flush=True)
    _cli("demo", "--no-serve", env=env)
    token = _cli("token", "--role", "county_admin", "--scope", "C01", "--subject", "bench",
                 env=env).strip()
    results: dict[tuple[str, int], tuple[float, float, float, list[str]]] = {}
    for mode in ("old", "new"):
        server = _serve(mode, env, base)
        try:
            edges = httpx.post(f"{base}/graphql", json={"query": COMPOUNDS}, timeout=30,
                               headers={"Authorization": f"Bearer {token}"}
                               ).json()["data"]["compounds"]["edges"]
            places = [e["node"]["id"] for e in edges][:1 if args.same_compound else 8]
            _run(base, token, places, 1, 2.0)  # warm up
            for clients in (1, 8):
                cpu = _cpu_s(server.pid)
                results[(mode, clients)] = got = _run(base, token, places, clients,
                                                      args.seconds)
                cpu_ms = (_cpu_s(server.pid) - cpu) * 1000 / max(1, got[0] * args.seconds)
                print(f"{mode} path, {clients} client(s): {got[0]:.1f} writes/s, p50 "
                      f"{got[1]:.1f} ms, p95 {got[2]:.1f} ms, errors {len(got[3])}, server "
                      f"CPU {cpu_ms:.1f} ms/write", flush=True)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    print(f"\n{'clients':<9}{'old w/s':>9}{'new w/s':>9}{'ratio':>7}{'old p50':>9}"
          f"{'new p50':>9}{'old p95':>9}{'new p95':>9}{'errors':>8}")
    errors = 0
    for clients in (1, 8):
        old, new = results[("old", clients)], results[("new", clients)]
        errors += len(old[3]) + len(new[3])
        print(f"{clients:<9}{old[0]:>9.1f}{new[0]:>9.1f}{new[0] / old[0]:>6.1f}x{old[1]:>9.1f}"
              f"{new[1]:>9.1f}{old[2]:>9.1f}{new[2]:>9.1f}{len(old[3]) + len(new[3]):>8}")
    for mode, clients in results:
        for error in results[(mode, clients)][3][:2]:
            print(f"first errors ({mode}, {clients}): {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
