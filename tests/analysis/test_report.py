"""The report in every format, from the town graph."""

from __future__ import annotations

import io
import json

import pytest
from analysis_town import town
from openpyxl import load_workbook

from analysis.report import render_report, safe_cell
from graph.store import BoltStore


@pytest.fixture
def county(store: BoltStore) -> BoltStore:
    g = town()
    g.node("Compound", "C2", name="=HYPERLINK(\"x\")<script>", households=60, lat=30.02,
           lon=120.0)
    g.write(store)
    return store


def test_every_format(county: BoltStore) -> None:
    text = render_report(county, "County", "K", "table", as_of="2025-01-01")
    assert isinstance(text, str)
    assert "Compound branch coverage" in text and "50.0%" in text and "S1" in text
    assert "Gaps: Three-no compounds (1)" in text

    data = json.loads(str(render_report(county, "County", "K", "json", as_of="2025-01-01")))
    assert len(data["indicators"]) == 18
    first = data["indicators"][0]
    assert (first["key"], first["numerator"], first["denominator"]) == (
        "compound_branch_coverage", 2, 4)
    assert [c["code"] for c in first["children"]] == ["S1", "S2"]

    raw = render_report(county, "County", "K", "xlsx", as_of="2025-01-01")
    assert isinstance(raw, bytes)
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames == ["Indicators", "Gaps"]
    names = [row[3] for row in wb["Gaps"].iter_rows(values_only=True)]
    assert "'=HYPERLINK(\"x\")<script>" in names  # neutralised, never a formula
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)

    html = str(render_report(county, "County", "K", "html", as_of="2025-01-01"))
    assert html.count("<svg") >= 10  # a bar chart per indicator + the network
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'fill="#e00"' in html  # gaps highlighted in the network picture


def test_unknown_format(county: BoltStore) -> None:
    with pytest.raises(ValueError):
        render_report(county, "County", "K", "pdf")


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@x", "ok", 3)] == [
        "'=1+1", "'+1", "'-1", "'@x", "ok", 3]
