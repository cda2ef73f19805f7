"""Benchmark early warning (预警) on a generated preset: the default rules against the first set.

Generates the preset's ledgers and loads them into a fresh embedded store (or reuses a
loaded ``--data-dir``), then, for each rule set in turn (its alerts and rules deleted
between them), seeds it for every county and times

* the first evaluation (every alert raised: the write of all of them),
* a second one with no data change (what the schedule costs on a quiet day), with the
  alert rows it wrote (none since the alerts are written only when they change),

and prints the alerts raised per rule, the totals, and the ratios of the default set to
the first one measured in the same run.  ``first`` is the rule set main had before
(overdue demands and unreported members one alert each); ``default`` is
``analysis.alerts.default_rules`` (one alert per community for those two, the overdue
ones after a grace of 7 days).  Before the change, on the county preset (seed 1, as of
2026-12-04) the first set raised 5,158 alerts; its evaluations took 8.6 s and 8.2 s, the
second one rewriting ``last_seen`` on all 5,158.

    .venv/bin/python bench/alerts.py --preset county --data-dir .bench/county-seed1
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from analysis import alerts  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import Query, Store, Transaction  # noqa: E402
from graph.writer import NodeRecord, RelRecord, is_empty, write_graph  # noqa: E402
from loaders.ledger import load_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402

COUNTIES = Query("bench_alert_counties", "MATCH (k:County) RETURN k.code AS code ORDER BY code")
FORGET = Query("bench_alert_forget", "MATCH (a) WHERE a:Alert OR a:AlertRule DETACH DELETE a")
WRITES = ("alert_update",)  # statements whose rows are alerts written (and every create)


def first_rules() -> list[dict[str, Any]]:
    """The rule set main seeded before: the defaults with the two many-item rules one
    alert per item and no grace."""
    out = []
    for rule in alerts.default_rules():
        rule = {k: v for k, v in rule.items() if not (k == "level" and rule["kind"]
                                                      in alerts.GROUPED)}
        if rule["kind"] == "demand_overdue":
            rule.pop("days", None)
        out.append(rule)
    return out


class Counting:
    """``store`` counting the alert rows its write transactions write."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.backend = store.backend
        self.rows = 0

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self._store.read(query, **params)

    def transaction(self, work: Callable[[Transaction], Any]) -> Any:
        outer = self

        class Tx:
            def __init__(self, tx: Transaction) -> None:
                self.tx = tx

            def run(self, query: Query, **params: Any) -> list[dict[str, Any]]:
                if query.name in WRITES or query.name.startswith("alert_create_"):
                    outer.rows += len(params["rows"])
                return self.tx.run(query, **params)

        return self._store.transaction(lambda tx: work(Tx(tx)))


def measure(store: Store, name: str, rules: list[dict[str, Any]],
            as_of: str) -> dict[str, Any]:
    store.write(FORGET)
    counties = [r["code"] for r in store.read(COUNTIES)]
    for county in counties:
        codes = [f"{r['code']}-{county}" if len(counties) > 1 else r["code"] for r in rules]
        write_graph(store, [NodeRecord("AlertRule", code, {k: v for k, v in r.items()
                                                           if k != "code"})
                            for code, r in zip(codes, rules, strict=True)],
                    [RelRecord("RULE_OF", "AlertRule", code, "County", county)
                     for code in codes])
    spy = Counting(store)
    t = time.perf_counter()
    first = alerts.evaluate(spy, as_of)  # type: ignore[arg-type]
    t_first, written_first = time.perf_counter() - t, spy.rows
    spy.rows = 0
    t = time.perf_counter()
    again = alerts.evaluate(spy, as_of)  # type: ignore[arg-type]
    t_again = time.perf_counter() - t
    print(f"\n{name}: {len(first.raised):,} alerts; first run {t_first:.2f} s "
          f"({written_first:,} written), again {t_again:.2f} s ({spy.rows:,} written, "
          f"{len(again.raised) + len(again.cleared)} changed)")
    by_rule = Counter(alert_rule(code, rules) for code in first.raised)
    for code, n in sorted(by_rule.items()):
        print(f"  {code:<24}{n:>7,}")
    return {"alerts": len(first.raised), "first": t_first, "again": t_again,
            "written_again": spy.rows}


def alert_rule(code: str, rules: list[dict[str, Any]]) -> str:
    """The rule an alert code was made from (the longest rule code it starts with)."""
    found = [r["code"] for r in rules if code.startswith(f"A-{r['code']}-")]
    return max(found, key=len) if found else "(digest)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="county")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", default=dt.date.today().isoformat())
    ap.add_argument("--data-dir", default="", help="reuse (or fill) this store directory")
    ap.add_argument("--heap", default="1g")
    args = ap.parse_args(argv)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="jinlin-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(Settings(data_dir=str(data_dir), jvm_heap=args.heap))
    try:
        if is_empty(store):
            with tempfile.TemporaryDirectory() as ledgers:
                generate(args.preset, args.seed, ledgers)
                load_ledgers(store, [ledgers], bulk=True)
        print(f"{args.preset} (seed {args.seed}), as of {args.as_of}")
        old = measure(store, "first rule set", first_rules(), args.as_of)
        new = measure(store, "default rule set", alerts.default_rules(), args.as_of)
        print("\ndefault / first: " + ", ".join(
            f"{key} {new[key] / old[key]:.3f}" for key in ("alerts", "first", "again")
            if old[key]))
    finally:
        store.close()
        stop_embedded(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
