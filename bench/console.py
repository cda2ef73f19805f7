"""Console benchmark: the dashboard of a county in a real browser, against the API floor.

Loads the county preset into a temporary embedded store (or reuses ``--data-dir``), serves
the app on 127.0.0.1, signs a county admin in with Debian's Chromium (Playwright), and
opens each page ``--repeat`` times.  Per page it prints:

- time to first render (the browser's first-contentful-paint) and to complete (the load
  event and no request in flight: charts and map data fetched and drawn), p50 and max;
- what the page downloads: bytes over the wire on a cold visit (empty cache) and on a warm
  one (the vendored scripts cached), and the number of requests.

The baseline, measured in the same run: the GraphQL request the dashboard cannot do without
(the scope's indicators) sent alone over HTTP with a token; the ratio says what the page
adds on top of the data.  Target (issue 10): the county dashboard complete under 1 s.
Run: ``python bench/console.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "api"))

from apihelp import SECRET  # noqa: E402
from served import ADMIN, COUNTY, PASSWORD, served_county  # noqa: E402

from api.http.tokens import issue_token  # noqa: E402

PAGES = ("/", "/indicator/compound_branch_coverage", "/map", "/demands", "/network",
         "/reports")
INDICATORS = """query($scope: String) { indicators(scope: $scope) { scope indicators {
  key zh ratio numerator denominator gapCount lowerIsBetter children { ratio } } } }"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
TIMING = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const res = performance.getEntriesByType('resource');
  const bytes = res.reduce((s, r) => s + r.transferSize, nav.transferSize);
  const end = Math.max(nav.loadEventEnd, paint ? paint.startTime : 0,
                       ...res.map(r => r.responseEnd));
  return {paint: paint ? paint.startTime : null, complete: end, bytes: bytes,
          requests: res.length + 1, status: nav.responseStatus};
}"""


def api_floor(base: str, token: str, n: int) -> list[float]:
    """Milliseconds of the indicators request alone, ``n`` times."""
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for _ in range(n):
            start = time.perf_counter()
            answer = client.post("/graphql", json={"query": INDICATORS,
                                                   "variables": {"scope": f"County:{COUNTY}"}},
                                 headers={"Authorization": f"Bearer {token}"})
            answer.raise_for_status()
            assert "errors" not in answer.json(), answer.text[:300]
            times.append((time.perf_counter() - start) * 1000)
    return times


def visit(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="networkidle")
    timing: dict[str, Any] = page.evaluate(TIMING)
    return timing


def run_browser(base: str, name: str, password: str, repeat: int,
                chromium: str) -> dict[str, list[dict[str, Any]]]:
    from playwright.sync_api import sync_playwright

    seen: dict[str, list[dict[str, Any]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#name", name)
        page.fill("#password", password)
        page.click("#login")
        page.wait_for_load_state()
        for path in PAGES:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cold = visit(page, base + path)
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
            warm = [visit(page, base + path) for _ in range(repeat)]
            seen[path] = [cold, *warm]
            cdp.detach()
        browser.close()
    return seen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--data-dir", help="a store holding the county preset (loaded if empty)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    with served_county(args.data_dir) as base:
        floor = api_floor(base, issue_token(SECRET, "county_admin", COUNTY, "bench"),
                          args.repeat + 1)[1:]
        seen = run_browser(base, ADMIN, PASSWORD, args.repeat, args.chromium)
    base_ms = statistics.median(floor)
    print(f"baseline: the county's indicators alone over HTTP, p50 {base_ms:.0f} ms")
    print(f"{'page':40} {'first render':>13} {'complete':>10} {'max':>7} "
          f"{'× baseline':>10} {'cold KB':>8} {'warm KB':>8} {'requests':>8}")
    for path, (cold, *warm) in seen.items():
        paint = statistics.median(w["paint"] or 0 for w in warm)
        complete = [w["complete"] for w in warm]
        p50 = statistics.median(complete)
        print(f"{path:40} {paint:10.0f} ms {p50:7.0f} ms {max(complete):4.0f} ms "
              f"{p50 / base_ms:9.1f}× {cold['bytes'] / 1024:8.0f} "
              f"{statistics.median(w['bytes'] for w in warm) / 1024:8.0f} "
              f"{cold['requests']:8d}"
              + ("" if cold["status"] == 200 else f"  (HTTP {cold['status']})"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
