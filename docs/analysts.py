"""A worked example for analysts: the demo county, from Python.

Run it from the repository (the demo county is generated into the store when the store
is empty; a store that already holds data is read as it is):

    python docs/analysts.py --data-dir data            # the embedded store in ./data
    python docs/analysts.py --scale 0.05               # a smaller county, quicker

It answers three questions an analyst of the county asks:

1. Which streets have the lowest cross-posting ratio (交叉任职比例)?
2. In the weakest of them, who are the single points of failure of the co-operation
   network — people whose departure splits the organisations they link?
3. The county's most urgent open demand that no resource can serve: what would one
   extra resource next to it change in the match plan?

Everything goes through the one public entry point, ``analysis.session.Analysis``,
which opens the store read-only (joining a running ``jinlin serve``); only the demo
load writes.  The test suite runs this file (tests/analysis/test_entry.py), so it
keeps working as the code changes.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from typing import Any

from analysis.matching import EXHAUSTED, NO_RESOURCE
from analysis.session import Analysis
from graph.open import open_store
from graph.settings import Settings, load_settings
from graph.writer import is_empty
from loaders.ledger import load_ledgers
from loaders.synthetic import SNAPSHOT, generate

AS_OF = SNAPSHOT.isoformat()  # the day the synthetic ledgers describe


def load_demo(settings: Settings, scale: float, seed: int) -> None:
    """Generate the county preset into an empty store (what ``jinlin demo`` does)."""
    store = open_store(settings)
    try:
        if is_empty(store):
            with tempfile.TemporaryDirectory(prefix="jinlin-example-") as tmp:
                generate("county", seed, tmp, scale=scale)
                load_ledgers(store, [tmp], batch_size=settings.batch_size)
    finally:
        store.close()


def run(settings: Settings, scale: float = 1.0, seed: int = 1) -> dict[str, Any]:
    load_demo(settings, scale, seed)
    with Analysis.open(settings=settings) as a:
        county = a.scope(None, as_of=AS_OF)  # the store's one county

        # 1. The streets with the lowest cross-posting ratio.
        streets = county.indicators().children("cross_posting_ratio").to_frame()
        streets = streets.dropna(subset=["ratio"]).sort_values(["ratio", "code"])
        print("Streets with the lowest cross-posting ratio:")
        print(streets.head(3).to_string(index=False))
        weakest = str(streets.iloc[0]["code"])

        # 2. Single points of failure in that street's network.
        street = a.scope(f"Street:{weakest}", as_of=AS_OF)
        network = street.network()
        nodes = network.to_frame()
        people = nodes[(nodes["label"] == "Person") & nodes["articulation"]]
        people = people.sort_values("betweenness", ascending=False)
        print(f"\nSingle points of failure in {weakest} ({len(people)} people):")
        print(people[["code", "name", "degree", "betweenness"]].head(10).to_string(index=False))

        # 3. What one extra resource would change (nothing is written).
        plan = county.match_plan()
        frame = plan.to_frame()
        short = frame[frame["reason"].isin([NO_RESOURCE, EXHAUSTED])]
        change: dict[str, Any] = {"demand": None}
        if len(short):
            demand = short.sort_values(["urgency", "demand"], ascending=[False, True]).iloc[0]
            where = {f["id"]: f["geometry"]["coordinates"]
                     for f in county.points("Demand")["features"]}
            lon, lat = where[demand["demand"]]
            extra = [{"code": "EXTRA-1", "name": "假设的新资源", "category": demand["category"],
                      "capacity": 1, "lat": lat, "lon": lon, "radius_m": 500.0}]
            diff = plan.compare(county.match_plan(extra=extra))
            print(f"\nOne extra {demand['category']} resource at demand {demand['demand']}:")
            print(diff.summary_table().to_frame().to_string(index=False))
            change = {"demand": demand["demand"], "newly_matched": diff.newly_matched,
                      "matched": (diff.a.matched, diff.b.matched)}
        else:
            print("\nEvery open demand of the county is matched: nothing to add.")
    return {"streets": list(streets["code"]), "weakest": weakest,
            "single_points": list(people["code"]), "change": change}


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="embedded store directory (default ./data)")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the demo county")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    return run(load_settings(data_dir=args.data_dir), args.scale, args.seed)


if __name__ == "__main__":
    main()
