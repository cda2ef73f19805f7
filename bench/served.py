"""The county preset served by the app, signed in as a county admin: what the workbench
benchmarks (``console.py``, ``pages.py``) measure against; and :func:`uncached`, the
"nothing kept" mode the API and page benchmarks compare with.

The store lives in ``data_dir`` (a temporary one when none is given); an empty store gets
the county preset generated and loaded first, so a ``--data-dir`` kept between runs skips
the ~40 s load.  The account ``ADMIN`` is (re)set to ``PASSWORD`` each time.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "api"))

from apihelp import SECRET, serve  # noqa: E402

from api.accounts import AccountStore  # noqa: E402
from api.http.app import create_app  # noqa: E402
from api.http.server import set_apart_startup  # noqa: E402
from api.kept import Answers  # noqa: E402
from graph.embedded import stop_embedded  # noqa: E402
from graph.open import open_store  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import Store  # noqa: E402
from graph.writer import is_empty  # noqa: E402
from loaders.ledger import load_ledgers  # noqa: E402
from loaders.synthetic import generate  # noqa: E402

COUNTY = "C01"
ADMIN, PASSWORD = "bench.admin", "bench-password-1"
SERVING: list[Store] = []  # the store behind the app being served (one at a time)


@contextmanager
def served_county(data_dir: str | None) -> Iterator[str]:
    """The base URL of the app serving the county preset; stopped, and the store closed,
    on the way out."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = data_dir or tmp
        settings = Settings(data_dir=data_dir, jwt_secret=SECRET, jvm_heap="2g", rate_limit=0)
        store = open_store(settings)
        try:
            if is_empty(store):
                generate("county", 1, Path(tmp) / "ledgers")
                load_ledgers(store, [Path(tmp) / "ledgers"], bulk=True)
            accounts = AccountStore.in_data_dir(data_dir)
            if accounts.get(ADMIN) is None:
                accounts.add(ADMIN, "bench", "county_admin", COUNTY, lambda s: True)
            accounts.change_password(ADMIN, PASSWORD)
            base, stop = serve(create_app(settings, store))
            set_apart_startup()  # as `jinlin serve` does once started
            SERVING.append(store)
            try:
                yield base
            finally:
                SERVING.remove(store)
                stop()
        finally:
            store.close()
            stop_embedded(data_dir)


@contextmanager
def uncached() -> Iterator[None]:
    """Nothing kept between requests (api.kept: neither pages nor reads), each request
    as the first after a write; the analyses' projection stays warm."""
    kept = Answers.get
    Answers.get = lambda self, key, now: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Answers.get = kept  # type: ignore[method-assign]
