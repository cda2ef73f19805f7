"""Validation of single values: what a ledger cell or an API argument may hold."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.i18n import language
from graph.model import ENDPOINT_LABELS, NODE_BY_LABEL, REL_BY_TYPE, RELS
from graph.spine import is_current

COMPOUND = NODE_BY_LABEL["Compound"]
POST = REL_BY_TYPE["HOLDS_POST"]


@pytest.mark.parametrize(
    ("prop", "cell", "stored"),
    [
        ("households", "1,200", 1200),
        ("households", 35.0, 35),
        ("old", "是", True),
        ("old", "no", False),
        ("property_mode", "无物业", "none"),
        ("property_mode", "party_led", "party_led"),
        ("lat", "30.25", 30.25),
        ("households", "1,234", 1234),
        ("households", "12.0", 12),
        ("households", 12.0, 12),
        ("households", 2**63 - 1, 2**63 - 1),
        ("name", 1001.0, "1001"),
        ("name", "  幸福里 ", "幸福里"),
        ("built_year", "", None),
    ],
)
def test_cells_are_parsed_to_stored_values(prop: str, cell: object, stored: object) -> None:
    assert COMPOUND.prop(prop).parse(cell) == stored


@pytest.mark.parametrize(
    ("prop", "cell", "reason"),
    [
        ("households", "-3", "不能小于 0，填的是 -3"),
        ("households", "12.5", "应填整数，填的是 '12.5'"),
        # Python's float syntax is not a person's whole number (hypothesis found these)
        ("households", "0E0", "应填整数，填的是 '0E0'"),
        ("households", "1_000", "应填整数，填的是 '1_000'"),
        # nor what no store keeps (the driver failed to send it: OverflowError)
        ("households", "1E100", "应填整数，填的是 '1E100'"),
        ("households", "9" * 20,
         "整数超出范围：应在 ±9,223,372,036,854,775,807 之内，填的是 '99999999999999999999'"),
        ("households", 1e100,
         "整数超出范围：应在 ±9,223,372,036,854,775,807 之内，填的是 1e+100"),
        ("lat", "91", "不能大于 90，填的是 91.0"),
        ("old", "maybe", "应填 是/否（yes/no），填的是 'maybe'"),
        ("code", "", "必须填写"),
    ],
)
def test_bad_cells_explain_themselves(prop: str, cell: object, reason: str) -> None:
    with pytest.raises(ValueError) as err:
        COMPOUND.prop(prop).parse(cell)
    assert str(err.value) == reason


def test_enum_error_lists_the_chinese_labels() -> None:
    with pytest.raises(ValueError, match="^'boss' 不是可选值之一：书记、副书记、委员、"):
        POST.prop("role").parse("boss")
    with language("en"), pytest.raises(
            ValueError, match=r"^'boss' is not one of: secretary \(书记\), deputy_secretary"):
        POST.prop("role").parse("boss")


def test_dates_accept_excel_and_chinese_office_spellings() -> None:
    since = POST.prop("since")
    assert since.parse(dt.datetime(2024, 3, 1, 0, 0)) == "2024-03-01"
    assert since.parse("2024/3/1") == "2024-03-01"
    assert since.parse("2024年3月1日") == "2024-03-01"
    assert since.parse("2024.03.01") == "2024-03-01"
    with pytest.raises(ValueError, match="应填日期，如 2024-03-01，填的是 '2024-13-01'"):
        since.parse("2024-13-01")


def test_current_means_begun_and_not_ended() -> None:
    assert is_current("2020-01-01", None, "2024-06-30")
    assert is_current(None, "2024-06-30", "2024-06-30")
    assert not is_current("2024-07-01", None, "2024-06-30")
    assert not is_current("2020-01-01", "2024-06-29", "2024-06-30")


def test_every_relationship_end_is_a_known_label() -> None:
    for rel in RELS:
        assert set(rel.sources) | set(rel.targets) <= ENDPOINT_LABELS, rel.type
        for key in rel.key_props:
            rel.prop(key)


def test_ledger_reference_is_current() -> None:
    from pathlib import Path

    from loaders.formats import describe

    doc = Path(__file__).resolve().parents[2] / "docs" / "ledgers.md"
    assert doc.read_text(encoding="utf-8") == describe() + "\n", (
        "docs/ledgers.md is stale: run `python -m loaders.formats > docs/ledgers.md`"
    )
