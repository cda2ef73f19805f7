"""The analyst's entry point (analysis.session) and the worked example (docs/analysts.py).

On export_town.py's street; the DataFrames' figures are worked out there.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from export_town import AS_OF, export_town

from analysis.fetch import ScopeNotFound
from analysis.frames import PANDAS_MISSING
from analysis.matching import EXHAUSTED, NO_RESOURCE
from analysis.session import Analysis, ReadOnlyStore
from graph import queries
from graph.settings import Settings
from graph.store import BoltStore

EXAMPLE = Path(__file__).parents[2] / "docs" / "analysts.py"


@pytest.fixture
def analysis(store: BoltStore, settings: Settings) -> Any:
    export_town().write(store)
    with Analysis.open(settings=settings) as a:
        yield a


def test_scope_and_date_rules_are_the_apis(analysis: Analysis) -> None:
    county = analysis.scope(as_of=AS_OF)
    assert (county.label, county.code, county.as_of) == ("County", "K", AS_OF)
    assert (analysis.scope("S").label, analysis.scope("Street:S").code) == ("Street", "S")
    with pytest.raises(ScopeNotFound, match="范围 Nope 不存在"):
        analysis.scope("Nope")
    with pytest.raises(ValueError, match="asOf 必须是 YYYY-MM-DD"):
        analysis.scope("S", as_of="2025/01/01")
    assert county.at("2020-01-01").as_of == "2020-01-01"


def test_frames(analysis: Analysis) -> None:
    street = analysis.scope("Street:S", as_of=AS_OF)
    indicators = street.indicators().to_frame()
    row = indicators.set_index("key").loc["cross_posting_ratio"]
    assert (row["numerator"], row["denominator"], row["ratio"]) == (1.0, 2.0, 0.5)
    assert list(indicators.columns) == ["key", "zh", "title", "numerator", "denominator",
                                        "ratio", "reason", "hit_count", "gap_count"]
    children = street.indicators().children("cross_posting_ratio").to_frame()
    assert children.to_dict("records") == [{"label": "Community", "code": "M1", "name": "M1",
                                             "numerator": 1.0, "denominator": 2.0,
                                             "ratio": 0.5}]
    gaps = street.gaps().to_frame()
    assert gaps[gaps["key"] == "cross_posting_ratio"][["rank", "code"]].values.tolist() == [
        [1, "P2"]]
    plan = street.match_plan().to_frame()
    assert plan[["demand", "resource", "reason"]].fillna("").values.tolist() == [
        ["DA", "R1", ""], ["DB", "", EXHAUSTED], ["DC", "", NO_RESOURCE]]
    nodes = street.network().to_frame()
    assert len(nodes) == 8
    assert nodes.set_index("id").loc["Person:P1", "articulation"]
    people = street.nodes("Person").to_frame()
    assert people["phone"].tolist() == ["138****1234", "139****1111"]


def test_read_only(analysis: Analysis) -> None:
    assert isinstance(analysis.store, ReadOnlyStore)
    with pytest.raises(PermissionError, match="只读"):
        analysis.store.write(queries.DELETE_ALL)
    with pytest.raises(PermissionError, match="只读"):
        analysis.store.transaction(lambda tx: None)


def test_open_joins_the_embedded_store(store: BoltStore, embedded_dir: Path) -> None:
    """This process owns the embedded server: a second opening shares it, and closing
    the analysis leaves the owner's store working."""
    if store.backend != "arcadedb":
        pytest.skip("embedded store only")
    export_town().write(store)
    with Analysis.open(data_dir=embedded_dir) as a:
        assert a.scope(as_of=AS_OF).code == "K"
    assert store.read(queries.FIRST_COUNTY)[0]["code"] == "K"


def test_to_frame_without_pandas_names_the_extra(analysis: Analysis,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    plan = analysis.scope("S", as_of=AS_OF).match_plan()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"jinlin\[analysis\]") as info:
        plan.to_frame()
    assert str(info.value) == PANDAS_MISSING
    assert plan.table().rows[0]["demand"] == "DA"  # plain rows need nothing


def test_worked_example_runs(store: BoltStore, settings: Settings,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """docs/analysts.py on a small demo county: it loads it, ranks the streets, lists
    the weak street's single points of failure and what an extra resource changes."""
    spec = importlib.util.spec_from_file_location("analysts_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    out = example.run(settings, scale=0.02, seed=2)  # a county with unmatched demands
    printed = capsys.readouterr().out
    assert "Streets with the lowest cross-posting ratio" in printed
    assert out["weakest"] == out["streets"][0]
    assert f"Single points of failure in {out['weakest']}" in printed
    change = out["change"]
    assert change["demand"] in change["newly_matched"]
    assert change["matched"][1] == change["matched"][0] + 1
    assert "One extra" in printed
