"""The projection equals the store-query path on the generated county preset.

One load for the module (~25 s): ``loaders.synthetic.generate("county", 1, dir)``, as
``jinlin demo`` makes it.  Indicators with their gap lists at the county and a street,
and the match plan of every open demand, compared whole (dataclass equality: every
figure, item, detail and child figure).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import projection
from analysis.gaps import gaps_from
from analysis.indicators import Options, compute_indicators
from analysis.matching import match_demands
from graph import queries
from graph.open import open_store
from graph.settings import Settings
from graph.store import BoltStore, Query
from loaders.ledger import load_ledgers
from loaders.synthetic import generate

STREET = Query("t_first_street", "MATCH (s:Street)-[:PART_OF]->(:County {code: $code}) "
               "RETURN s.code AS code ORDER BY code LIMIT 1")


@pytest.fixture(scope="module")
def county(_stores: dict[str, BoltStore], embedded_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[BoltStore, str]:
    """The embedded store of the session, holding the county preset (emptied first)."""
    if "arcadedb" not in _stores:
        _stores["arcadedb"] = open_store(Settings(data_dir=str(embedded_dir), batch_size=500,
                                                  jvm_heap="1g"))
    store = _stores["arcadedb"]
    store.write(queries.DELETE_ALL)
    ledgers = tmp_path_factory.mktemp("county")
    generate("county", 1, str(ledgers))
    load_ledgers(store, [str(ledgers)])
    projection.shared().clear()
    return store, store.read(queries.FIRST_COUNTY)[0]["code"]


def test_indicators_and_gaps_equal_the_store_path(county: tuple[BoltStore, str]) -> None:
    store, code = county
    street = store.read(STREET, code=code)[0]["code"]
    for label, scope in [("County", code), ("Street", street)]:
        direct = compute_indicators(store, label, scope, None, Options())
        cold = projection.indicators(store, label, scope)
        warm = projection.indicators(store, label, scope)
        assert cold == direct and warm is cold
        assert gaps_from(cold) == gaps_from(direct)
        assert sum(i.denominator for i in cold.indicators) > 0


def test_match_plan_equals_the_store_path(county: tuple[BoltStore, str]) -> None:
    store, code = county
    direct = match_demands(store, "County", code)
    assert projection.match_demands(store, "County", code) == direct
    assert projection.match_demands(store, "County", code) == direct  # warm
    assert direct.assignments  # the preset has open demands that resources can take
