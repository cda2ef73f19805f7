"""Golden files of the texts graph/ and loaders/ show people, in Chinese and in English.

A handful of representative messages per package are produced by the real code (parse
errors, store refusals, ledger problems at each kind of place, limits, the import summary)
and rendered in both languages; the result must equal ``tests/golden/<package>_messages.txt``
line for line.  A change of wording shows up here as a diff to review; when it is meant,
regenerate the file deliberately: ``JINLIN_REGENERATE_GOLDEN=1 pytest tests/test_golden_core.py``.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.dates import parse_as_of
from graph.dump_check import DumpProblem
from graph.embedded import _explain_start_failure
from graph.i18n import language
from graph.model import CODE, NODE_BY_LABEL, check_pair
from graph.writer import WriteSummary
from loaders.ledger import LedgerInvalid, read_ledgers
from loaders.ledger_limits import LedgerLimits, excel_rows_exceeded
from loaders.ledger_table import LedgerProblem

GOLDEN = Path(__file__).resolve().parent / "golden"
Case = Callable[[Path], list[str]]


def refusal(parse: Callable[[], object]) -> list[str]:
    """The message of the ValueError ``parse`` raises."""
    with pytest.raises(ValueError) as caught:
        parse()
    return [str(caught.value)]


def _prop(label: str, name: str) -> Callable[[object], object]:
    return NODE_BY_LABEL[label].prop(name).parse


def summary(_tmp: Path) -> list[str]:
    done = WriteSummary()
    done.add("Compound", "created", 3)
    done.add("Grid", "updated", 12_345)
    done.add("IN_GRID", "unchanged", 2)
    return done.lines()


GRAPH: dict[str, Case] = {
    "required": lambda _: refusal(lambda: _prop("Compound", "name")("")),
    "minimum": lambda _: refusal(lambda: _prop("Compound", "households")("-3")),
    "maximum": lambda _: refusal(lambda: _prop("PropertyFirm", "stars")("6")),
    "whole number": lambda _: refusal(lambda: _prop("Compound", "households")("12.5")),
    "yes/no": lambda _: refusal(lambda: _prop("Compound", "old")("maybe")),
    "date": lambda _: refusal(lambda: _prop("Project", "since")("2024-13-01")),
    "enum": lambda _: refusal(lambda: _prop("Compound", "property_mode")("物业公司")),
    "control character": lambda _: refusal(lambda: _prop("Compound", "name")("甲\x07")),
    "code": lambda _: refusal(lambda: CODE.parse("C 1")),
    "pair": lambda _: refusal(lambda: check_pair("PART_OF", "Household", "County")),
    "as-of": lambda _: refusal(lambda: parse_as_of("yesterday")),
    "dump problem": lambda _: [str(DumpProblem(7, "Compound 'C1'", "households", "…"))],
    "lock": lambda _: [str(_explain_start_failure(Path("/srv/jinlin"), OSError("lock held")))],
    "summary": summary,
}


def _ledger_problems(tmp: Path) -> list[str]:
    """A directory of bad CSV ledgers read without a store: every kind of place."""
    folder = tmp / "ledgers"
    folder.mkdir(exist_ok=True)
    sheets = {
        "Compound.csv": [["code", "name", "property_mode", "households"],
                         ["C1", "幸福小区", "物业公司", "=1+1"], ["C1", "和睦小区", "", ""]],
        "IN_GRID.csv": [["from", "to"], ["C1", "G404"]],
        "Compounds.csv": [["code"], ["x"]],
    }
    for name, rows in sheets.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    (folder / "notes.xls").write_bytes(b"")
    with pytest.raises(LedgerInvalid) as caught:
        read_ledgers([folder, folder / "notes.xls"])
    return str(caught.value).splitlines()


_LIMITS = LedgerLimits(max_bytes=300 << 10, max_rows=1_000, max_cell=100)


def _too_big(tmp: Path) -> list[str]:
    path = tmp / "Grid.csv"
    path.write_bytes(b"code,name\n" + b"G1,x\n" * 100_000)
    with pytest.raises(LedgerInvalid) as caught:
        read_ledgers([path], limits=_LIMITS)
    return str(caught.value).splitlines()


LOADERS: dict[str, Case] = {
    "ledger problems": _ledger_problems,
    "column only": lambda _: [str(LedgerProblem("小区.xlsx", "", None, "名称", "…"))],
    "file too big": _too_big,
    "too many rows": lambda _: [_LIMITS.too_many_rows()],
    "cell too long": lambda _: [_LIMITS.cell_too_long(101), _LIMITS.cell_too_long()],
    "excel rows": lambda _: [excel_rows_exceeded()],
}

PACKAGES: dict[str, dict[str, Case]] = {"graph": GRAPH, "loaders": LOADERS}


def render(cases: dict[str, Case], tmp: Path) -> str:
    lines: list[str] = []
    for name, case in cases.items():
        lines.append(f"## {name}")
        for lang in ("zh", "en"):
            with language(lang):
                lines += [f"{lang}: {text}" for text in case(tmp)]
        lines.append("")
    return "\n".join(lines)


@pytest.mark.parametrize("package", list(PACKAGES))
def test_messages_match_the_golden_file(package: str, tmp_path: Path) -> None:
    got = render(PACKAGES[package], tmp_path)
    path = GOLDEN / f"{package}_messages.txt"
    if os.environ.get("JINLIN_REGENERATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got.splitlines() == path.read_text(encoding="utf-8").splitlines()
