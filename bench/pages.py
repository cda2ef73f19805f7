"""Page benchmark: the workbench's server-rendered pages of a county, serial over HTTP.

Loads the county preset (``jinlin generate --preset county``) into an embedded store
under a temporary directory (or reuses ``--data-dir``, loading it when empty), serves the
app with uvicorn on 127.0.0.1, signs a county admin in through the console's own sign-in
form and asks for each page ``--repeat`` times, one request at a time, after
``--warmup`` requests that are not counted (the first analysis of a scope reads it into
the projection).  Per page and mode it prints p50 and p95 of the whole answer (the HTML
or JSON as the browser gets it, before any script runs), its size, and the ratio of the
old p95 to the mode's.

The modes, interleaved request by request so that all see the same machine:

- ``old``, the baseline (:func:`old_pages`): the pages as they were before issue 13 —
  nothing kept between requests, the map's lists read one after the other in pages of
  100 (its demands one list per status, every one of them: the same rows as the old
  single list), ``networkStructure`` checking the scope of every node it could name;
- ``cold``, today's query shapes with nothing kept (:func:`uncached`): what the first
  look after a write costs (the analyses' projection stays warm; it has its own bench);
- ``now``, today's pages: a look with no write since the last one reads one node (the
  write stamp, api.console.cache);
- ``written``: today's pages, each request right after a demand's life-cycle step
  written by the serving process (:func:`demand_step`, the commonest write): what the
  first look after it costs, with what the step cannot have changed still kept;
- ``unsaid``: the same change written by a statement that does not say where the
  demand lies or which it is (:func:`unsaid_edit`);
- ``whole``, its baseline: the same step, with the analytic projection read again whole
  after any write, as before it was read in parts (:func:`whole_step`).

Target (issue 13): each page p95 ≤ 250 ms serial on the county.
Run: ``python bench/pages.py [--data-dir DIR] [--repeat 20] [--page /map ...]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "console"))

from consolehelp import sign_in  # noqa: E402
from served import ADMIN, COUNTY, PASSWORD, SERVING, served_county, uncached  # noqa: E402

from analysis import projection  # noqa: E402
from api.console import map as map_page  # noqa: E402
from api.graphql import analyses  # noqa: E402
from graph import lifecycle  # noqa: E402
from graph.store import Query  # noqa: E402

PAGES = ("/", "/map", "/map/data", "/demands", "/demands?category=elder_care", "/network")


async def _in_turn(*steps: Awaitable[Any]) -> list[Any]:
    return [await step for step in steps]


def _always(info: Any, name: str) -> bool:
    return True


@contextmanager
def old_pages() -> Iterator[None]:
    """The server answers with the pages as they were before issue 13 while inside:
    nothing kept between requests, the map's lists read one after the other in pages
    of 100 (every unfinished demand of a county, none counted per place), and
    ``networkStructure`` checking the scope of every node it could name
    (its co-building groups too) whatever the selection asks for."""
    # the modules' own names, swapped in their namespaces (what the pages look up)
    page, graphql = vars(map_page), vars(analyses)
    kept = page["PAGE"], page["asyncio"], graphql["reads"], page["GROUPED"]
    page["PAGE"] = 100
    page["GROUPED"] = ()  # every unfinished demand listed, none counted per place
    page["asyncio"] = SimpleNamespace(gather=_in_turn)
    graphql["reads"] = SimpleNamespace(asks_for=_always)
    try:
        with uncached():
            yield
    finally:
        page["PAGE"], page["asyncio"], graphql["reads"], page["GROUPED"] = kept


UNSAID = Query("bench_demand_edit", "MATCH (d:Demand {code: $code}) SET d.status = d.status")
A_DEMAND = Query("bench_a_demand", "MATCH (d:Demand) WHERE d.status IS NOT NULL "
                                   "RETURN d.code AS code, d.status AS status "
                                   "LIMIT 1")


@contextmanager
def demand_step() -> Iterator[None]:
    """A demand's status set (to itself: the store stays as it was) just before, by the
    statement a step of its life cycle runs (graph.lifecycle), which says where the
    demand lies and which it is."""
    store = SERVING[0]
    demand = store.read(A_DEMAND)[0]
    store.write(lifecycle.transition_query(lifecycle.UNGUARDED), code=demand["code"],
                props={"status": demand["status"]}, **{"from": demand["status"]})
    yield


@contextmanager
def unsaid_edit() -> Iterator[None]:
    """The same change by a statement that says neither (counted by the names it
    changes alone: every read that can see demands is read again)."""
    store = SERVING[0]
    store.write(UNSAID, code=store.read(A_DEMAND)[0]["code"])
    yield


@contextmanager
def whole_step() -> Iterator[None]:
    """:func:`demand_step`, and every part of every projection taken to be stale."""
    real = projection.Part.current
    projection.Part.current = lambda self: False  # type: ignore[method-assign]
    try:
        with demand_step():
            yield
    finally:
        projection.Part.current = real  # type: ignore[method-assign]


def timed(client: httpx.Client, path: str) -> tuple[float, int]:
    """Milliseconds of one GET of ``path`` and the size of the answer (bytes)."""
    start = time.perf_counter()
    answer = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"{path}: HTTP {answer.status_code}\n{answer.text[:500]}")
    return elapsed, len(answer.content)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(client: httpx.Client, paths: tuple[str, ...], repeat: int, warmup: int,
            modes: dict[str, Callable[[], AbstractContextManager[None]]]
            ) -> dict[tuple[str, str], tuple[list[float], int]]:
    """Per (mode, path): the times of ``repeat`` requests and the answer's size; the
    modes alternate request by request so that both see the same machine."""
    seen: dict[tuple[str, str], tuple[list[float], int]] = {}
    for path in paths:
        for switch in modes.values():
            with switch():
                for _ in range(warmup):
                    timed(client, path)
        for _ in range(repeat):
            for mode, switch in modes.items():
                with switch():
                    ms, size = timed(client, path)
                times, _size = seen.get((mode, path), ([], 0))
                seen[(mode, path)] = ([*times, ms], size)
    return seen


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--data-dir", help="a store holding the county preset (loaded if empty)")
    ap.add_argument("--page", action="append", help="only these paths (repeatable)")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    paths = tuple(args.page or PAGES)
    modes: dict[str, Callable[[], AbstractContextManager[None]]] = {
        "cold": uncached, "now": nullcontext, "written": demand_step,
        "unsaid": unsaid_edit, "whole": whole_step}
    if not args.no_baseline:
        modes = {"old": old_pages, **modes}
    with served_county(args.data_dir) as base, \
            httpx.Client(base_url=base, timeout=120) as client:
        assert sign_in(client, ADMIN, PASSWORD).status_code == 303
        seen = measure(client, paths, args.repeat, args.warmup, modes)
    print(f"county {COUNTY}, {args.repeat} serial requests per page and mode "
          f"(after {args.warmup} not counted); target p95 ≤ 250 ms")
    print(f"{'page':28} {'mode':7} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7} {'old/mode p95':>12}")
    for path in paths:
        for mode in modes:
            times, size = seen[(mode, path)]
            ratio = ""
            if mode != "old" and "old" in modes:
                ratio = f"{p95(seen[('old', path)][0]) / p95(times):11.1f}×"
            print(f"{path:28} {mode:7} {statistics.median(times):8.0f} {p95(times):8.0f} "
                  f"{size / 1024:7.0f} {ratio:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
