"""Benchmark the analyses on a generated preset: indicators, matching, network.

Generates the preset's ledgers, loads them into a fresh embedded store (or reuses a
loaded ``--data-dir``), then for every county times

* the full indicator set (``compute_indicators``: 11 set-based queries + arithmetic),
* matching all open demands (KD-tree candidates + OR-tools min-cost flow),
* the network measures (build + components, articulation points, bridges, sampled
  betweenness, Louvain),

the analytic projection (``analysis.projection``, phase ``projection``) on the first
county: cold (read + compute) and warm (from memory) times of the indicators, matching
and network measures, against the store-query path timed in the same run (ratio), and
the memory the projection keeps (``tracemalloc``: Python heap held after the build);
and, for the first county, a naive baseline that asks for each compound's flags with
one query per compound (what the indicators would cost item by item), reported as a
ratio to the set-based compound query.  Peak memory is the Python heap peak
(``tracemalloc``) of a second, measured-only pass over the first county; the store's
JVM is not included.

    .venv/bin/python bench/analysis.py --preset county --seed 1
    .venv/bin/python bench/analysis.py --preset city --seed 1 --data-dir /tmp/city
    .venv/bin/python bench/analysis.py --neo4j bolt://127.0.0.1:17687 --password PW

Run on a fresh ``--data-dir``, the phases come right after the load; run again on the
same directory, on a reopened store.  ``--linked-collectors`` is the baseline of the
slowdown right after an import (graph.embedded.unlink_collectors).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from itertools import cycle
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import igraph as ig  # noqa: E402

from analysis import batch, projection  # noqa: E402
from analysis import queries as aq  # noqa: E402
from analysis.betweenness import exact, numbered  # noqa: E402
from analysis.indicators import Options, compute_indicators  # noqa: E402
from analysis.matching import match_demands  # noqa: E402
from analysis.network import build_network, network_report, without_membership  # noqa: E402
from graph import embedded, lifecycle  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.spine import TERM, current  # noqa: E402
from graph.store import Query, Store  # noqa: E402
from graph.writer import NodeRecord, is_empty, write_graph  # noqa: E402
from loaders.ledger import load_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402

# The naive baseline: the compound query's flags, asked one compound at a time.
ONE_COMPOUND = Query(
    "bench_one_compound",
    "MATCH (c:Compound {code: $code}) RETURN c.code AS code, "
    f"[(c)<-[r:MANAGES]-(f:PropertyFirm) WHERE {current('r')} | f.code] AS firms, "
    f"[(c)<-[:REPRESENTS]-(o:OwnersCommittee) WHERE {current('o', bounds=TERM)} "
    "| o.code] AS committees, "
    f"[(c)<-[r:RESPONSIBLE_FOR]-(u:Unit) WHERE {current('r')} | u.code] AS units, "
    "[(c)<-[:COVERS]-(b:PartyOrg) WHERE b.kind IN $branch_kinds | b.code] AS branches",
)
PARAMS: dict[str, Any] = {"branch_kinds": aq.BRANCH_KINDS, "joint_kinds": aq.JOINT_KINDS}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def naive_ratio(store: Store, county: str, as_of: str) -> tuple[float, float, int]:
    """Seconds for the set-based compound query vs one query per compound."""
    p = {**PARAMS, "scope": county, "as_of": as_of}
    rows, t_set = timed(lambda: store.read(aq.compounds("County"), **p))
    codes = [r["code"] for r in rows]
    _, t_naive = timed(lambda: [store.read(ONE_COMPOUND, code=c, **p) for c in codes])
    return t_set, t_naive, len(codes)


PHASES = ("indicators", "matching", "network", "projection", "pool")


def betweenness_ratio(store: Store, county: str, as_of: str) -> None:
    """Exact betweenness of the county's network: leaves pruned (``analysis.betweenness``)
    against igraph's Brandes over the whole network (the path before it, same figures)."""
    core = without_membership(build_network(store, "County", county, as_of))
    nodes, ends = numbered(core)
    whole = ig.Graph(n=len(nodes), edges=ends.tolist())
    t_whole = median_s(lambda: whole.betweenness(directed=False), 3)
    t_pruned = median_s(lambda: exact(core), 3)
    print(f"exact betweenness of {county} ({len(nodes):,} nodes): igraph over the whole "
          f"network {t_whole:.3f} s, leaves pruned {t_pruned:.3f} s = "
          f"{t_whole / max(t_pruned, 1e-9):.1f}x", flush=True)


def median_s(fn: Callable[[], Any], n: int = 5) -> float:
    return statistics.median(timed(fn)[1] for _ in range(n))


def _kept_then(kept: Any, store: Store, county: str, as_of: str,
               answer: Callable[[], Any]) -> Any:
    """A warm answer: the kept projection looked up, then the analysis answered."""
    return kept.get(store, "County", county, as_of) and answer()


def _write_then(store: Store, touch: Query, picked: dict[str, Any],
                answer: Callable[[], Any]) -> None:
    store.write(touch, props={}, **picked)
    answer()


def projection_phase(store: Store, county: str, as_of: str) -> None:
    """Cold and warm times from the projection vs the store path, and its memory."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = projection.Projections(entries=1)
    proj, t_read = timed(lambda: kept.get(store, "County", county, as_of))
    held = (tracemalloc.get_traced_memory()[0] - base) / 1e6
    tracemalloc.stop()
    rows = [
        ("indicators", lambda: compute_indicators(store, "County", county, as_of),
         lambda: proj.indicators(Options())),
        ("matching", lambda: match_demands(store, "County", county, as_of=as_of),
         lambda: proj.match()),
        ("network", lambda: network_report(store, "County", county, as_of=as_of),
         lambda: proj.network(3)),
    ]
    print(f"projection of {county}: read in {t_read:.2f} s, holds {held:.1f} MB "
          "(Python heap)")
    print(f"{'analysis':12} {'store path s':>13} {'cold s':>8} {'warm s':>8} "
          f"{'store/warm':>11}")
    for name, direct, answer in rows:
        t_direct = median_s(direct, 3)
        _, t_cold = timed(answer)  # the first answer computes over the rows read
        t_warm = median_s(partial(_kept_then, kept, store, county, as_of, answer))
        print(f"{name:12} {t_direct:13.3f} {t_read + t_cold:8.3f} {t_warm:8.4f} "
              f"{t_direct / max(t_warm, 1e-9):10.0f}x", flush=True)
    after_writes(store, kept, county, as_of)


# Writes of three reaches, each leaving the store as it was: a demand's life-cycle step
# (the statement graph.lifecycle runs, which says where the demand lies: only its
# place's demands are read again), the same change by a statement that does not say
# (every demand of the scope read again), a member's report to a community, a post.
# Each write takes the picked row's columns, and ``props`` (the step's: none).
_A_DEMAND = ("MATCH (:County {code: $county})<-[:PART_OF*3]-(:Grid)<-[:IN_GRID]-(:Compound)"
             "<-[:RAISED_IN]-(d:Demand) RETURN d.code AS code, d.status AS `from` LIMIT 1")
TOUCHES = (
    ("demand step", lifecycle.transition_query(lifecycle.UNGUARDED), _A_DEMAND),
    ("demand, unsaid", Query("bench_touch_demand",
                             "MATCH (d:Demand {code: $code}) SET d.status = d.status"),
     _A_DEMAND),
    ("member's report", Query("bench_touch_report", "MATCH (:Person {code: $code})"
                              "-[r:REPORTED_TO]->() SET r.date = r.date"),
     "MATCH (:County {code: $county})<-[:PART_OF*2]-(:Community)<-[:REPORTED_TO]-(p:Person) "
     "RETURN p.code AS code LIMIT 1"),
    ("post", Query("bench_touch_post", "MATCH (:Person {code: $code})-[r:HOLDS_POST]->() "
                   "SET r.role = r.role"),
     "MATCH (:County {code: $county})<-[:PART_OF*2]-(:Community)<-[:HOLDS_POST]-(p:Person) "
     "RETURN p.code AS code LIMIT 1"),
)


def after_writes(store: Store, kept: projection.Projections, county: str, as_of: str) -> None:
    """The indicators and network measures right after a write, from the projection:
    only the parts a write could have changed are read again.  Baseline, in the same
    run: every part read again after any write (``Part.current`` always False), as
    before parts were told apart."""
    def answer() -> None:
        entry = kept.get(store, "County", county, as_of)
        entry.indicators(Options())
        entry.network(3)

    print(f"{'after a write':16} {'parts s':>8} {'all again s':>12} {'ratio':>6}")
    for name, touch, pick in TOUCHES:
        picked = store.read(Query("bench_pick", pick), county=county)[0]
        times = []
        for stale in (False, True):
            answer()  # warm
            real = projection.Part.current
            if stale:
                projection.Part.current = lambda self: False  # type: ignore[method-assign]
            try:
                times.append(median_s(partial(_write_then, store, touch, picked, answer), 3))
            finally:
                projection.Part.current = real  # type: ignore[method-assign]
        print(f"{name:16} {times[0]:8.3f} {times[1]:12.3f} {times[1] / times[0]:5.1f}x",
              flush=True)


def step_elsewhere(store: Store, counties: list[str], as_of: str) -> None:
    """Every county's indicators right after a write of one demand in the first (a
    dashboard going round a city's counties): a life-cycle step, and an edit as the
    API's mutations write it (graph.writer without the stamp).  Both say where their
    demand lies, so only that county's demands are read again.  Baseline, in the same
    run: the demands read again in every county (the parts keep no area, as before)."""
    if len(counties) < 2:
        return
    pick = _A_DEMAND.replace(" LIMIT 1", ", d.title AS title LIMIT 1")
    code, status, title = (store.read(Query("bench_pick_step", pick), county=counties[0])[0][k]
                           for k in ("code", "from", "title"))
    step = TOUCHES[0][1]  # the life-cycle step, its status set to itself
    titles = cycle((f"{title}（改）", title))  # an edit must change something to be written

    def edit(new: str | None = None) -> object:
        return write_graph(store, [NodeRecord("Demand", code, {"title": new or next(titles)})],
                           [], stamp=False)

    writes: dict[str, Callable[[], object]] = {
        "a step": lambda: store.write(step, code=code, props={"status": status},
                                      **{"from": status}),
        "an edit": edit,
    }
    real = projection.Part.read_from
    for what, write in writes.items():
        times = []
        for areas in (True, False):
            if not areas:
                projection.Part.read_from = staticmethod(  # type: ignore[method-assign]
                    lambda mark, names, area=None: real(mark, names))
            try:
                kept = projection.Projections(entries=len(counties))
                for county in counties:  # warm
                    kept.get(store, "County", county, as_of).indicators(Options())

                def round_after(kept: projection.Projections = kept,
                                write: Callable[[], object] = write) -> None:
                    write()
                    for county in counties:
                        kept.get(store, "County", county, as_of).indicators(Options())
                times.append(median_s(round_after, 3))
            finally:
                projection.Part.read_from = real  # type: ignore[method-assign]
        print(f"{len(counties)} counties' indicators after {what} in {counties[0]}: "
              f"{times[0]:.3f} s; demands read again everywhere {times[1]:.3f} s: "
              f"{times[1] / times[0]:.1f}x", flush=True)
    edit(title)  # as it was


def run(settings: Settings, store: Store, as_of: str, phases: tuple[str, ...] = PHASES,
        workers: int | None = None) -> None:
    counties = batch.counties(store)
    first = counties[0]
    serial: dict[str, float] = {}  # analysis -> seconds for every county, one at a time
    print(f"{'phase':34} {'total s':>8} {'median/county s':>16} {'peak MB (1 county)':>19}")
    if "indicators" in phases:
        t_ind = [timed(partial(compute_indicators, store, "County", code, as_of))[1]
                 for code in counties]
        serial["indicators"] = _row("indicators (22, all counties)", t_ind,
                                    peak_mb(lambda: compute_indicators(store, "County", first,
                                                                       as_of)),
                                    f"{len(counties)} counties")
    if "matching" in phases:
        plans = [timed(partial(match_demands, store, "County", code, as_of=as_of))
                 for code in counties]
        matched = sum(len(p.assignments) for p, _ in plans)
        unmatched = sum(len(p.unmatched) for p, _ in plans)
        serial["matching"] = _row("matching all open demands", [t for _, t in plans],
                                  peak_mb(lambda: match_demands(store, "County", first,
                                                                as_of=as_of)),
                                  f"{matched:,} matched, {unmatched:,} unmatched")
    if "network" in phases:
        nets = [timed(partial(network_report, store, "County", code, as_of=as_of))
                for code in counties]
        serial["network"] = _row("network measures", [t for _, t in nets],
                                 peak_mb(lambda: network_report(store, "County", first,
                                                                as_of=as_of)),
                                 f"{sum(n.nodes for n, _ in nets):,} nodes; "
                                 f"betweenness k={nets[0][0].betweenness_k}")
        betweenness_ratio(store, first, as_of)
    if "projection" in phases:
        projection_phase(store, first, as_of)
        step_elsewhere(store, counties, as_of)
    if "pool" in phases:
        pool_phase(settings, store, counties, as_of, serial, workers)
    if "indicators" in phases:
        t_set, t_naive, n = naive_ratio(store, first, as_of)
        print(f"naive baseline ({n} compounds of {first}): one query per compound "
              f"{t_naive:.2f} s vs one set-based query {t_set:.3f} s = "
              f"{t_naive / max(t_set, 1e-9):.1f}x")


def pool_phase(settings: Settings, store: Store, counties: list[str], as_of: str,
               serial: dict[str, float], workers: int | None) -> None:
    """Every county's analyses through ``analysis.batch``: in this process (its reads of
    the whole store once, not per county; against the one-at-a-time run above, which
    came first and so also paid the JVM's warm-up), then by the pool (workers' start-up
    included; against the in-process run just before it)."""
    n = min(workers or batch.default_workers(), len(counties))
    for kind in batch.TASKS:
        base, than = serial.get(kind), "one at a time above"
        for w in (1, n):
            began, cpu = time.perf_counter(), time.process_time()
            outcomes = list(batch.each_county(settings, batch.task(kind, as_of), counties,
                                              store, w))
            took, cpu = time.perf_counter() - began, time.process_time() - cpu
            failed = [o for o in outcomes if o.error]
            assert not failed, failed[:3]
            how = f"{kind} by {w} processes" if w > 1 else f"{kind}, batch in-process"
            notes = [f"{base / took:.2f}x faster than {than}"] if base else []
            if w == 1 and not settings.store_uri:
                # In-process, every thread of the work is this process's, the embedded
                # store's JVM included: its CPU time over the cores bounds what a pool
                # on this machine can reach.
                cores = os.cpu_count() or 1
                notes.append(f"CPU {cpu:.1f} s (JVM included), / {cores} cores = "
                             f"{cpu / cores:.1f} s")
            print(f"{how:34} {took:8.2f} {'':16} {'':19}  {'; '.join(notes)}", flush=True)
            base, than = took, "in-process"  # the pool against the run just before it


def _row(name: str, seconds: list[float], mem: float, note: str) -> float:
    print(f"{name:34} {sum(seconds):8.2f} {statistics.median(seconds):16.2f} {mem:19.1f}  "
          f"{note}", flush=True)
    return sum(seconds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="county")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--as-of", default=dt.date.today().isoformat())
    ap.add_argument("--data-dir", default="", help="reuse (or fill) this store directory")
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--neo4j", default="", metavar="URI",
                    help="measure this Neo4j (bolt://…; loaded with the preset when empty) "
                         "instead of the embedded store under --data-dir")
    ap.add_argument("--password", default="", help="of the --neo4j user neo4j")
    ap.add_argument("--phases", default=",".join(PHASES),
                    help=f"comma-separated subset of {', '.join(PHASES)}")
    ap.add_argument("--workers", type=int, help="processes of the pool phase "
                    "(default: one per core)")
    ap.add_argument("--linked-collectors", action="store_true",
                    help="the baseline of the slowdown right after an import: keep JPype's "
                         "link between the JVM's collector and Python's "
                         "(graph.embedded.unlink_collectors not called)")
    args = ap.parse_args(argv)
    if args.linked_collectors:
        embedded.unlink_collectors = lambda: None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="jinlin-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=str(data_dir), jvm_heap=args.heap, store_uri=args.neo4j,
                        store_password=args.password)
    store = open_store(settings)
    try:
        if is_empty(store):
            with tempfile.TemporaryDirectory() as ledgers:
                _, t_gen = timed(lambda: generate(args.preset, args.seed, ledgers,
                                                  scale=args.scale))
                _, t_load = timed(lambda: load_ledgers(store, [ledgers], bulk=True))
            print(f"generated {args.preset} in {t_gen:.1f} s, loaded in {t_load:.1f} s")
        run(settings, store, args.as_of, tuple(p.strip() for p in args.phases.split(",")),
            args.workers)
    finally:
        store.close()
        if not args.neo4j:
            stop_embedded(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
