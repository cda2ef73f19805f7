"""Benchmark: generate a preset, load it into a fresh embedded store through the store's
own bulk path (what a first ``jinlin load`` does, graph.bulk, on a JVM just started),
empty the store and load it again batched through Cypher, then import a sample naively
(one record per transaction) and compare the rates.

Why all three: the bulk figure is what a county clerk waits for (targets: the county
preset in under 60 s including the JVM start, and at least 20,000 rows/s); the Cypher
load is its baseline, and the path of every load into a store that holds data; the
naive figure shows what the batching buys, so a regression to per-row writes is visible
as a ratio, not a hunch.

    .venv/bin/python bench/load.py --preset county --seed 1 [--batch-size 2000]

The store is always closed and the embedded server stopped (in ``finally``): a
running JVM would otherwise keep the process alive.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from graph import queries  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import BoltStore  # noqa: E402
from graph.writer import NodeRecord, RelRecord, is_empty, write_graph  # noqa: E402
from loaders.ledger import load_ledgers, read_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402


class _Phases:
    """Progress callback that notes when the importer moves from reading to writing."""

    def __init__(self) -> None:
        self.write_started: float | None = None
        self.last = 0.0
        self.per_kind: dict[str, float] = {}  # write seconds per label / relationship type
        self.rows: dict[str, int] = {}
        self._done = 0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if what.startswith(("read", "读取")):  # loaders.ledger's reading steps, either language
            self.last = now
            return
        if self.write_started is None:  # the first batch is written: reading ended before
            self.write_started = self.last
        self.per_kind[what] = self.per_kind.get(what, 0.0) + now - self.last
        self.rows[what] = self.rows.get(what, 0) + done - self._done
        self.last, self._done = now, done


def naive_sample(
    nodes: list[NodeRecord], rels: list[RelRecord], size: int
) -> tuple[list[NodeRecord], list[RelRecord]]:
    """About ``size`` records: evenly spread relationships plus the nodes at their ends,
    so that the sample imports on its own into an empty store (every end exists)."""
    by_key = {(n.label, n.code): n for n in nodes}
    member_codes = {n.code for n in nodes if n.label == "Person"}
    step = max(1, len(rels) * 2 // size)
    picked: list[RelRecord] = []
    ends: dict[tuple[str, str], NodeRecord] = {}
    for rel in rels[::step]:
        for label, code in ((rel.source_label, rel.source), (rel.target_label, rel.target)):
            key = ("Person" if label == "Member" and code in member_codes else label, code)
            if key in by_key:
                ends.setdefault(key, by_key[key])
        picked.append(rel)
        if len(picked) + len(ends) >= size:
            break
    return list(ends.values()), picked


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def run(args: argparse.Namespace, data_dir: Path, ledger_dir: Path) -> None:
    print(f"bench/load.py: preset {args.preset}, seed {args.seed}, "
          f"batch size {args.batch_size}, store in {data_dir}")
    written, t_gen = timed(lambda: generate(args.preset, args.seed, ledger_dir))
    rows = sum(written.values())
    print(f"generated {rows:,} rows in {len(written)} sheets in {t_gen:.1f} s")

    store: BoltStore | None = None
    try:
        settings = Settings(data_dir=str(data_dir), batch_size=args.batch_size,
                            jvm_heap=args.heap)
        store, t_open = timed(lambda: open_store(settings))
        assert store is not None
        if not is_empty(store):
            raise SystemExit(f"{data_dir} already holds data: give an empty --data-dir")
        opened = store
        # The bulk path first, on the JVM as it starts: as a first `jinlin load` runs.
        bulk_phases = _Phases()
        start = bulk_phases.last = time.perf_counter()
        bulk = load_ledgers(opened, [ledger_dir], batch_size=args.batch_size,
                            progress=bulk_phases, bulk=True)
        t_bulk = time.perf_counter() - start
        t_bulk_read = (bulk_phases.write_started or start) - start

        # The baseline, through Cypher, into the store emptied again.  Its JVM is the
        # one the bulk load warmed (worth ~1 s on the county): the ratio errs low.
        opened.write(queries.DELETE_ALL)
        phases = _Phases()
        start = phases.last = time.perf_counter()
        summary = load_ledgers(opened, [ledger_dir], batch_size=args.batch_size,
                               progress=phases)
        t_load = time.perf_counter() - start
        t_read = (phases.write_started or start) - start  # includes resolving references
        created = sum(c for _, c, _, _ in summary.rows())
        if bulk.totals() != summary.totals():
            raise SystemExit(f"the bulk load wrote {bulk.totals()}, Cypher {summary.totals()}")

        # Naive: the same kind of records, one per transaction, into an emptied store.
        ledger = read_ledgers([ledger_dir])
        s_nodes, s_rels = naive_sample(ledger.nodes, ledger.rels, args.sample)
        opened.write(queries.DELETE_ALL)
        start = time.perf_counter()
        for node in s_nodes:
            write_graph(opened, [node], [])
        for rel in s_rels:
            write_graph(opened, [], [rel])
        t_naive = time.perf_counter() - start
        n_naive = len(s_nodes) + len(s_rels)
    finally:
        if store is not None:
            store.close()
        stop_embedded(data_dir)

    batched_rate = rows / t_load
    bulk_rate = rows / t_bulk
    naive_rate = n_naive / t_naive
    total = t_open + t_bulk
    table = [
        ("generate ledgers", f"{t_gen:.1f} s", f"{rows:,} rows", f"{rows / t_gen:,.0f}"),
        ("open store (JVM start + schema)", f"{t_open:.1f} s", "", ""),
        ("load_ledgers (bulk path, first)", f"{t_bulk:.1f} s", f"{rows:,} rows",
         f"{bulk_rate:,.0f}"),
        ("  read + validate", f"{t_bulk_read:.1f} s", f"{rows:,} rows",
         f"{rows / t_bulk_read:,.0f}" if t_bulk_read else ""),
        ("  write (graph batch)", f"{t_bulk - t_bulk_read:.1f} s", f"{rows:,} rows",
         f"{rows / (t_bulk - t_bulk_read):,.0f}"),
        ("open + bulk load", f"{total:.1f} s", f"{rows:,} rows", f"{rows / total:,.0f}"),
        ("load_ledgers (batched, Cypher)", f"{t_load:.1f} s", f"{rows:,} rows",
         f"{batched_rate:,.0f}"),
        ("  read + validate", f"{t_read:.1f} s", f"{rows:,} rows", f"{rows / t_read:,.0f}"
         if t_read else ""),
        ("  write (one transaction)", f"{t_load - t_read:.1f} s", f"{created:,} created", ""),
        ("naive: 1 record per transaction", f"{t_naive:.1f} s", f"{n_naive:,} rows",
         f"{naive_rate:,.0f}"),
    ]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    header = ("step", "time", "amount", "rows/s")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = "  ".join("-" * w for w in widths)
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for r in table:
        print("  ".join(c.rjust(w) if i else c.ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    print(line)
    print(f"bulk / Cypher (baseline): {bulk_rate / batched_rate:.2f}x; target >= 20,000 rows/s: "
          f"{bulk_rate:,.0f} validation included, {'within' if bulk_rate >= 20_000 else 'UNDER'}; "
          f"the batch's writing alone {rows / (t_bulk - t_bulk_read):,.0f}")
    print(f"batched / naive: {batched_rate / naive_rate:,.0f}x "
          f"(naive sample: {len(s_nodes):,} nodes + {len(s_rels):,} relationships)")
    slow = sorted(phases.per_kind.items(), key=lambda kv: -kv[1])[:10]
    print("slowest kinds to write (s, rows, rows/s): " + ", ".join(
        f"{k} {t:.1f} s {phases.rows[k]:,} {phases.rows[k] / t:,.0f}/s" for k, t in slow if t))
    verdict = "within" if total < 60 else "OVER"
    print(f"target: {args.preset} loaded in < 60 s including JVM start: {total:.1f} s, {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=("county", "city"), default="county")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=2000,
                        help="records imported naively, one per transaction")
    parser.add_argument("--heap", default="2g", help="JVM heap of the embedded store")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="store directory (default: a fresh temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jinlin-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "store"
        run(args, data_dir, Path(tmp) / "ledgers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
