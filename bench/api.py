"""API benchmark: three dashboard queries over loopback HTTP, and the N+1 it avoids.

Loads the county preset (``jinlin generate --preset county``: 200 compounds, ~21k
people, ~128k rows) into a temporary embedded store (or reuses ``--data-dir``), serves
the app with uvicorn on 127.0.0.1, and fires a bounded load (``--requests`` per query,
``--concurrency`` client threads) of:

1. a community page: its grids' compounds with firm, owners' committee and branch;
2. a paginated member list with current posts;
3. a county-wide count of compounds by street.

It prints requests/s and p50/p95 latency per query, then runs the community page
in-process both through the batched resolvers and through a naive
resolver-per-field equivalent (one query per parent per field) and prints the ratio
of time and round trips.  Run: ``python bench/api.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "api"))

from apihelp import SECRET, serve  # noqa: E402

from api.auth import Caller  # noqa: E402
from api.graphql import queries  # noqa: E402
from api.graphql.context import Context  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from api.http.app import create_app  # noqa: E402
from api.http.tokens import issue_token  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import BoltStore  # noqa: E402
from graph.writer import is_empty  # noqa: E402
from loaders.ledger import load_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402

COUNTY, COMMUNITY_CODE = "C01", "C01-S01-M01"  # codes of the county preset

# Long relationship lists say how many they need: the cost estimate prices each at its
# `first` (default 50 per parent; 5 for a compound's firm, committee, branches).
COMMUNITY = """query($id: ID!) { node(id: $id) { ... on Community { name hasGrid(first: 10) {
  code containsCompound(first: 50) { code name households
    managedByPropertyFirm { node { name } }
    representedByOwnersCommittee { name }
    coveredByPartyOrg { name } } } } } }"""
MEMBERS = """{ people(first: 50, filter: {isMember: true}) { totalCount edges { node {
  name memberStatus holdsPostOwnersCommittee { role node { name } }
  holdsPostPartyOrg { role node { name } } } } } }"""
BY_STREET = "{ countBy(label: COMPOUND, level: STREET) { name count } }"


def load(base: str, token: str, query: str, variables: dict[str, Any], n: int,
         concurrency: int) -> tuple[float, float, float]:
    """Requests/s, p50 and p95 (ms) of ``n`` requests from ``concurrency`` threads."""
    local = threading.local()

    def one(_: int) -> float:
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=base, timeout=60,
                                      headers={"Authorization": f"Bearer {token}"})
        start = time.perf_counter()
        body = local.http.post("/graphql", json={"query": query, "variables": variables})
        body.raise_for_status()
        if "errors" in body.json():
            raise RuntimeError(body.json()["errors"])
        return time.perf_counter() - start

    one(0)  # warm caches (scope, parser) outside the measurement
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = sorted(pool.map(one, range(n)))
    wall = time.perf_counter() - started
    return n / wall, times[len(times) // 2] * 1e3, times[int(len(times) * 0.95)] * 1e3


def naive_community_page(store: BoltStore, scope: str, code: str) -> int:
    """The same data as COMMUNITY, one Cypher per parent per field (what we avoid)."""
    def rel(rel_type: str, out: bool, parent: str, other: str, key: str) -> list[Any]:
        q = queries.related(rel_type, out, parent, other, "County")
        dated = {"as_of": "2026-01-01"}
        return store.read(q, codes=[key], scope=scope, subject=None, first=50, **dated)

    rows = 0
    for grid in rel("PART_OF", False, "Community", "Grid", code):
        for comp in rel("IN_GRID", False, "Grid", "Compound", grid["props"]["code"]):
            c = comp["props"]["code"]
            rows += len(rel("MANAGES", False, "Compound", "PropertyFirm", c))
            rows += len(rel("REPRESENTS", False, "Compound", "OwnersCommittee", c))
            rows += len(rel("COVERS", False, "Compound", "PartyOrg", c))
    return rows


def compare(store: BoltStore, settings: Settings, repeat: int) -> None:
    schema = build_schema()
    caller = Caller("county_admin", COUNTY, "bench")

    def batched() -> None:
        ctx = Context(store=store, settings=settings, caller=caller, scope_label="County",
                      scope_code=COUNTY, audit=None)  # type: ignore[arg-type]
        result = asyncio.run(schema.execute(COMMUNITY, {"id": f"Community:{COMMUNITY_CODE}"},
                                            context_value=ctx))
        assert not result.errors, result.errors

    for label, fn in (("batched", batched),
                      ("naive", lambda: naive_community_page(store, COUNTY, COMMUNITY_CODE))):
        fn()
        before, start = store.round_trips, time.perf_counter()
        for _ in range(repeat):
            fn()
        took = (time.perf_counter() - start) / repeat * 1e3
        trips = (store.round_trips - before) / repeat
        print(f"  {label:8} {took:8.1f} ms/request {trips:6.0f} round trips")
        if label == "batched":
            base_ms, base_trips = took, trips
    print(f"  naive/batched: {took / base_ms:.1f}x time, {trips / base_trips:.1f}x round trips")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--data-dir", help="a store holding the county preset (loaded if empty)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        # one token fires the whole load: the per-token rate limit is off here
        settings = Settings(data_dir=data_dir, jwt_secret=SECRET, jvm_heap="2g",
                            page_size_max=200, rate_limit=0)
        store = open_store(settings)
        try:
            if is_empty(store):
                start = time.perf_counter()
                generate("county", 1, Path(tmp) / "ledgers")
                summary = load_ledgers(store, [Path(tmp) / "ledgers"])
                print(f"county preset: {summary.changed:,} rows loaded "
                      f"({time.perf_counter() - start:.1f} s)")
            base, stop = serve(create_app(settings, store))
            token = issue_token(SECRET, "county_admin", COUNTY, "bench")
            try:
                print(f"{args.requests} requests per query, {args.concurrency} concurrent")
                for name, query, variables in (
                        ("community page", COMMUNITY, {"id": f"Community:{COMMUNITY_CODE}"}),
                        ("member list", MEMBERS, {}), ("count by street", BY_STREET, {})):
                    rps, p50, p95 = load(base, token, query, variables, args.requests,
                                         args.concurrency)
                    print(f"  {name:16} {rps:7.1f} req/s  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
            finally:
                stop()
            print("community page in-process, batched vs naive resolver-per-field:")
            compare(store, settings, repeat=10)
        finally:
            store.close()
            stop_embedded(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
