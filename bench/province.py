"""Benchmark: a province (or a city) through ``neo4j-admin database import full``.

Issue 13 asks for the province preset (12.9M rows) in a Neo4j in ≤ 10 min including
validation.  Phases, each timed: generate the preset's CSV ledgers; validate and export
them (``jinlin export neo4j-admin``, loaders.neo4j_admin); import them with the shared
kit's neo4j-admin into a fresh Neo4j (tests/loaders/neo4j_kit.py); start it, apply the
constraints and indexes as ``jinlin serve`` does, and count what arrived; then every
county's indicator set (analysis.batch), one county after another and by the pool of
processes (``jinlin report --each-county``); with ``--analyses``, matching and network
measures too (the city on Neo4j beside ``bench/analysis.py``'s on the embedded store).
The baselines in the same run: ``jinlin load`` of the county preset into a fresh
embedded store, the county through the same export and import, and the analyses
computed one county at a time.

    .venv/bin/python bench/province.py [--preset province|city] [--seed 1] [--keep DIR]
        [--analyses indicators,matching,network]

Validation holds every record in memory (as ``jinlin load`` does): about 1 KB a row
(the city peaks at 1.35 GB), so the province wants ~13 GB; the peak is printed.  Disk:
the ledgers and the import files are under 1 GB each for the province (free space is
printed first).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests" / "loaders"):  # run as a script from anywhere
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from neo4j_kit import PASSWORD, Neo4jKit, missing  # noqa: E402

from analysis import batch  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.schema import apply_schema  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import BoltStore, Query  # noqa: E402
from loaders.ledger import load_ledgers  # noqa: E402
from loaders.neo4j_admin import AdminExport, export_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402

Row = tuple[str, int, float]
COUNT = Query("b_count", "MATCH (n) WITH count(n) AS nodes "
              "MATCH ()-[r]->() RETURN nodes, count(r) AS rels")


def _timed(rows: list[Row], what: str, n: int, began: float) -> float:
    took = time.perf_counter() - began
    rows.append((what, n, took))
    print(f"  {what}: {n:,} rows in {took:.1f} s", flush=True)
    return took


def through_admin(preset: str, seed: int, work: Path, rows: list[Row],
                  kinds: list[str]) -> AdminExport:
    """Generate, export and import ``preset``; check Neo4j holds every record."""
    began = time.perf_counter()
    generated = sum(generate(preset, seed, work / "ledgers").values())
    _timed(rows, f"{preset}: generate", generated, began)
    began = time.perf_counter()
    done = export_ledgers([work / "ledgers"], work / "import")
    _timed(rows, f"{preset}: validate + export", done.rows, began)
    print(f"  peak memory so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.1f}"
          " GB", flush=True)
    kit = Neo4jKit(work / "neo4j")
    rows.append((f"{preset}: neo4j-admin import", done.rows, kit.load(done)))
    print(f"  {rows[-1][0]}: {rows[-1][2]:.1f} s", flush=True)
    began = time.perf_counter()
    store = kit.start()
    try:
        _timed(rows, f"{preset}: Neo4j start", 0, began)
        began = time.perf_counter()
        apply_schema(store)  # what `jinlin serve` does on start: constraints and indexes
        _timed(rows, f"{preset}: constraints + indexes", 0, began)
        counted = store.read(COUNT)[0]
        settings = Settings(store_uri=f"bolt://127.0.0.1:{kit.port}", store_user="neo4j",
                            store_password=PASSWORD)
        county_analyses(settings, store, preset, kinds, rows)
    finally:
        store.close()
        kit.stop()
    assert (counted["nodes"], counted["rels"]) == (
        sum(f.rows for f in done.nodes), sum(f.rows for f in done.rels)), counted
    shutil.rmtree(work / "neo4j")
    return done


def county_analyses(settings: Settings, store: BoltStore, preset: str, kinds: list[str],
                    rows: list[Row]) -> None:
    """Every county's analyses of each kind: one after another (the baseline), then the
    pool; after an untimed pass by the pool, so that neither meets a cold Neo4j."""
    codes = batch.counties(store)
    pool = batch.default_workers()
    for kind in kinds:
        for workers, timing in ((pool, False), (1, True), (pool, True)):
            began = time.perf_counter()
            failed = [o for o in batch.each_county(settings, batch.task(kind), codes, store,
                                                   workers) if o.error]
            assert not failed, failed[:3]
            if timing:
                _timed(rows, f"{preset}: {kind} of {len(codes)} counties, {workers} "
                       "process(es)", 0, began)


def jinlin_load(seed: int, work: Path, rows: list[Row]) -> None:
    """The baseline: ``jinlin load`` of the county into a fresh embedded store."""
    ledgers = work / "county-ledgers"
    total = sum(generate("county", seed, ledgers).values())
    store = open_store(Settings(data_dir=str(work / "store")))
    try:
        began = time.perf_counter()
        load_ledgers(store, [ledgers])
        _timed(rows, "baseline: county, jinlin load (embedded)", total, began)
    finally:
        store.close()
        stop_embedded(work / "store")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=["province", "city"], default="province")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="work in this directory and keep it (default: a temp one)")
    parser.add_argument("--analyses", default="indicators",
                        help=f"comma-separated subset of {', '.join(batch.TASKS)} timed on "
                             "every county of the preset (default: indicators)")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.analyses.split(",")]
    if unknown := sorted(set(kinds) - set(batch.TASKS)):
        parser.error(f"unknown analyses: {', '.join(unknown)}")
    why = missing()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    work = Path(args.keep or tempfile.mkdtemp(prefix="jinlin-province-"))
    work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(work).free / 2**30
    print(f"work in {work}, {free:.0f} GB free", flush=True)
    rows: list[Row] = []
    try:
        jinlin_load(args.seed, work / "baseline", rows)
        through_admin("county", args.seed, work / "county", rows, ["indicators"])
        through_admin(args.preset, args.seed, work / args.preset, rows, kinds)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    base = rows[0][1] / rows[0][2]
    print("\n| phase | rows | s | rows/s | × jinlin load |\n| --- | ---: | ---: | ---: | ---: |")
    for what, n, took in rows:
        rate = n / took if n else 0.0
        print(f"| {what} | {n:,} | {took:.1f} | {rate:,.0f} | "
              f"{rate / base:.1f} |" if n else f"| {what} | | {took:.1f} | | |")
    for preset in ("county", args.preset):
        phases = [r for r in rows if r[0].startswith(f"{preset}:") and "generate" not in r[0]
                  and r[1]]
        print(f"{preset}: validation + export + import {sum(r[2] for r in phases):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
