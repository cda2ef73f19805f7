"""API benchmark: the dashboard queries over loopback HTTP, today's shapes against the old.

Loads the county preset (``jinlin generate --preset county``: 200 compounds, ~21k
people, ~128k rows) into the store, serves the app with uvicorn on 127.0.0.1 and fires,
per query, ``--requests`` serial requests and as many from ``--concurrency`` client
processes at once (separate processes, as browsers are), in three modes interleaved in
one run (the validation cache hit in all, api.graphql.schema):

* ``old``, the baseline: every connection page walked down from the scope and sorted
  there, every filter written out, the count's branches joined by ``UNION``, run after
  the page; the spine walked to its bottom for a count by area; nothing kept;
* ``cold``: today's query shapes, nothing kept between requests (api.kept);
* ``now``: today's, counts, pages and scope checks kept until the store is written.

1. a community page: its grids' compounds with firm, owners' committee and branch;
2. a member list of 50 with current posts and totalCount, and without the count;
3. a county-wide count of compounds by street;
4. one compound by code;
5. the indicators of one street, and of the whole county (``--heavy-requests``).

It prints p50/p95 latency per query and mode, the ratios old/now and cold/now of the
p95, and store round trips per request; then runs the community page in-process both through the
batched resolvers and through a naive resolver-per-field equivalent.

The store: the embedded ArcadeDB under a temporary directory (or ``--data-dir``), or
Neo4j with ``--store-uri bolt://…`` (``--store-password``; JINLIN_STORE_URI /
JINLIN_STORE_PASSWORD are read too), loaded with the preset when empty.
Run: ``python bench/api.py [--store-uri …]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "api"))

from apihelp import SECRET, serve  # noqa: E402
from served import uncached  # noqa: E402

from api.auth import Caller  # noqa: E402
from api.graphql import queries, reads  # noqa: E402
from api.graphql.context import Context  # noqa: E402
from api.graphql.schema import build_schema  # noqa: E402
from api.http.app import create_app  # noqa: E402
from api.http.server import set_apart_startup  # noqa: E402
from api.http.tokens import issue_token  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.scope import downward, in_scope  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.spine import DOWN_SPINE, depth  # noqa: E402
from graph.store import BoltStore, Query  # noqa: E402
from graph.writer import is_empty  # noqa: E402
from loaders.ledger import load_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402

COUNTY, COMMUNITY_CODE = "C01", "C01-S01-M01"  # codes of the county preset
STREET_CODE, COMPOUND_CODE = "C01-S01", "C01-S01-M01-K01"

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
COMPOUND = """query($id: ID!) { node(id: $id) { ... on Compound { code name households } } }"""
INDICATORS = """query($scope: String) { indicators(scope: $scope, itemLimit: 10) {
  scope indicators { key numerator denominator ratio hitCount gapCount } } }"""
# name, document, variables, heavy (fewer requests)
QUERIES: tuple[tuple[str, str, dict[str, Any], bool], ...] = (
    ("community page", COMMUNITY, {"id": f"Community:{COMMUNITY_CODE}"}, False),
    ("member list", MEMBERS, {}, False),
    ("members, no total", MEMBERS.replace("totalCount ", ""), {}, False),
    ("count by street", BY_STREET, {}, False),
    ("compound by code", COMPOUND, {"id": f"Compound:{COMPOUND_CODE}"}, False),
    ("indicators street", INDICATORS, {"scope": f"Street:{STREET_CODE}"}, True),
    ("indicators county", INDICATORS, {"scope": None}, True),
)


def _old_walk(label: str, lab: str, scope_label: str, within: str | None) -> str:
    """The old walk: down from the narrower of scope and ``within``, the anchors'
    branches joined by ``UNION``, then every check and filter written out."""
    top, level, check = f"(s:{scope_label} {{code: $scope}})", scope_label, ""
    if within and depth(within) >= depth(scope_label):
        top, level, check = (f"(s:{within} {{code: $within}})", within,
                             in_scope(label, "n", scope_label))
    elif within:
        check = in_scope(label, "n", within, param="within")
    walk = " UNION ".join(downward(lab, "n", top, level=level))
    return f"CALL {{ {walk} }} WITH n WHERE {queries._where(label, check) or 'true'}"


async def _walk_rows(ctx: Context, shape: reads.Shape, key: Any, code: str | None,
                     limit: int, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The old page: always walked down from the scope and sorted there."""
    s = shape
    lab = queries._match(s.label, s.members)
    keyset, order_by = queries.keyset_order(s.label, s.sort, s.descending)
    query = Query(f"old_page_{lab}_in_{ctx.scope_label}_{s.within or 'all'}_by_{s.sort}",
                  f"{_old_walk(s.label, lab, ctx.scope_label, s.within)} AND {keyset} "
                  f"WITH n ORDER BY {order_by} LIMIT $limit "
                  f"RETURN {queries.RETURN_NODE} ORDER BY {order_by}")
    return await ctx.read(query, after_key=key, after_code=code, limit=limit, **params)


async def _union_count(ctx: Context, shape: reads.Shape, params: dict[str, Any]) -> int:
    """The old count: the old walk, counted distinct."""
    s = shape
    lab = queries._match(s.label, s.members)
    query = Query(f"old_count_{lab}_in_{ctx.scope_label}_{s.within or 'all'}",
                  f"{_old_walk(s.label, lab, ctx.scope_label, s.within)} "
                  "RETURN count(DISTINCT n) AS n")
    found = await ctx.read(query, **params)
    return int(found[0]["n"])


def _old_count_by(label: str, level: str, scope_label: str) -> Query:
    """The old count by area: the spine walked the whole subtree (``DOWN_SPINE``)
    instead of the levels' exact number of hops."""
    query = NEW_COUNT_BY(label, level, scope_label)
    walk = DOWN_SPINE[DOWN_SPINE.index("*"):-1]  # "*0..6]"
    return Query(f"old_{query.name}",
                 re.sub(r"\*\d+\.\.\d+\]", lambda _: walk, query.cypher))


NEW_COUNT_BY = queries.count_by


ASKS_FOR = reads.asks_for


def _never(info: Any, name: str) -> bool:
    """The old resolver counted after the page, when the field resolved (the page it
    always read)."""
    return name != "totalCount" and ASKS_FOR(info, name)


@contextmanager
def old_shapes() -> Iterator[None]:
    """The server answers with the old query shapes while inside (the baseline)."""
    kept = reads.page_rows, reads.page_count, reads.asks_for
    reads.page_rows, reads.page_count, reads.asks_for = _walk_rows, _union_count, _never
    queries.count_by = _old_count_by  # type: ignore[assignment]
    try:
        with uncached():
            yield
    finally:
        reads.page_rows, reads.page_count, reads.asks_for = kept
        queries.count_by = NEW_COUNT_BY


_HTTP: list[httpx.Client] = []  # a client process's one connection


def _client(base: str, token: str) -> None:
    _HTTP.append(httpx.Client(base_url=base, timeout=60,
                              headers={"Authorization": f"Bearer {token}"}))


def _one(query: str, variables: dict[str, Any]) -> float:
    """One request's latency (s), timed up to the answer's last byte, checked after."""
    start = time.perf_counter()
    body = _HTTP[0].post("/graphql", json={"query": query, "variables": variables})
    took = time.perf_counter() - start
    body.raise_for_status()
    if "errors" in body.json():
        raise RuntimeError(body.json()["errors"])
    return took


def clients(base: str, token: str, n: int) -> ProcessPoolExecutor:
    """``n`` client processes, as browsers would be: the clients' own work (sending,
    decoding answers) never holds the server's interpreter lock."""
    spawn = multiprocessing.get_context("spawn")  # no fork of a process running a JVM
    return ProcessPoolExecutor(n, spawn, _client, (base, token))


def load(pool: ProcessPoolExecutor, query: str, variables: dict[str, Any], n: int,
         concurrency: int) -> tuple[float, float, float]:
    """Requests/s, p50 and p95 (ms) of ``n`` requests, ``concurrency`` at a time."""
    def timed(count: int) -> list[float]:
        if concurrency == 1:
            return [pool.submit(_one, query, variables).result() for _ in range(count)]
        return list(pool.map(_one, [query] * count, [variables] * count))

    timed(concurrency)  # warm caches (scope, parser) outside the measurement
    started = time.perf_counter()
    times = sorted(timed(n))
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
    unkept = dataclasses.replace(settings, projection_entries=0)  # batching alone (api.kept)

    def batched() -> None:
        ctx = Context(store=store, settings=unkept, caller=caller, scope_label="County",
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


def _table(store: BoltStore, base: str, token: str, args: argparse.Namespace) -> None:
    """Per query: p50/p95 in the three modes, serial and concurrent, and the ratios."""
    print(f"{'query':18} {'clients':>7} {'old p50':>8} {'old p95':>8} {'cold p50':>8} "
          f"{'cold p95':>8} {'now p50':>8} {'now p95':>8} {'old/now':>7} {'cold/now':>8} "
          f"{'trips':>5}")
    with clients(base, token, args.concurrency) as pool:
        _rows(store, pool, args)


def _rows(store: BoltStore, pool: ProcessPoolExecutor, args: argparse.Namespace) -> None:
    for name, query, variables, heavy in QUERIES:
        n = args.heavy_requests if heavy else args.requests
        for many in (1, args.concurrency):
            with old_shapes():
                _, old50, old95 = load(pool, query, variables, n, many)
            with uncached():
                _, cold50, cold95 = load(pool, query, variables, n, many)
            before = store.round_trips
            _, new50, new95 = load(pool, query, variables, n, many)
            trips = (store.round_trips - before) / (n + many)  # the warm-up's too
            print(f"{name:18} {many:7d} {old50:8.1f} {old95:8.1f} {cold50:8.1f} "
                  f"{cold95:8.1f} {new50:8.1f} {new95:8.1f} {old95 / new95:6.1f}x "
                  f"{cold95 / new95:7.1f}x {trips:5.1f}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=100, help="per query, mode and clients")
    ap.add_argument("--heavy-requests", type=int, default=20, help="the same, indicators")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--data-dir", help="a store holding the county preset (loaded if empty)")
    ap.add_argument("--store-uri", default=os.environ.get("JINLIN_STORE_URI", ""),
                    help="Neo4j's bolt:// URI; empty: the embedded ArcadeDB in --data-dir")
    ap.add_argument("--store-password", default=os.environ.get("JINLIN_STORE_PASSWORD", ""))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        # one token fires the whole load: the per-token rate limit is off here, and the
        # analysis queue holds every concurrent client's indicators
        settings = Settings(data_dir=data_dir, jwt_secret=SECRET, jvm_heap="2g",
                            page_size_max=200, rate_limit=0, analysis_queue=4 * args.concurrency,
                            store_uri=args.store_uri, store_password=args.store_password)
        store = open_store(settings)
        try:
            if is_empty(store):
                start = time.perf_counter()
                generate("county", 1, Path(tmp) / "ledgers")
                summary = load_ledgers(store, [Path(tmp) / "ledgers"], bulk=True)
                print(f"county preset: {summary.changed:,} rows loaded "
                      f"({time.perf_counter() - start:.1f} s)")
            base, stop = serve(create_app(settings, store))
            set_apart_startup()  # as `jinlin serve` does once started
            token = issue_token(SECRET, "county_admin", COUNTY, "bench")
            try:
                print(f"store: {args.store_uri or 'embedded ArcadeDB'}; ms per request, "
                      f"{args.requests} requests ({args.heavy_requests} for indicators) per "
                      "query, mode and client count; ratios of p95; trips: store reads per "
                      "request (now)")
                _table(store, base, token, args)
            finally:
                stop()
            print("community page in-process, batched vs naive resolver-per-field:")
            compare(store, settings, repeat=10)
        finally:
            store.close()
            if settings.embedded:
                stop_embedded(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
