"""analysis/ texts in both languages: a golden file of representative messages, and the
catalogue agreeing with the other packages' on every text they share.

The golden file (tests/golden/analysis_messages.txt) is rewritten only deliberately:
``JINLIN_REGENERATE_GOLDEN=1 pytest tests/analysis/test_messages.py``, then read the diff.
The messages chosen do not name model kinds or choices (those are graph's to translate),
so the file changes only when analysis's own texts do.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.check import RULES, Finding, render
from analysis.fetch import Scope, ScopeData, ScopeNotFound, find_scope, resolve_scope
from analysis.indicators import Options, indicators_from
from analysis.matching import EXHAUSTED, NO_LOCATION, NO_RESOURCE
from analysis.report import render_table
from analysis.report_text import extra_text, header, readable
from graph.i18n import PACKAGES, language, translate
from graph.i18n import entries as _entries
from graph.store import BoltStore

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "analysis_messages.txt"


def _empty_scope() -> ScopeData:
    """A county with nothing in it: every indicator has its title, definition and the
    reason it has no ratio."""
    scope = Scope("County", "K", "城关区", "2025-01-01", "Street")
    return ScopeData(scope, [], [], [], [], [], [], [], {}, [], {})


def _error(call: Callable[[], object]) -> str:
    with pytest.raises((ScopeNotFound, ValueError)) as caught:
        call()
    return str(caught.value)


def messages(store: BoltStore) -> list[tuple[str, str]]:
    """(what, text) in the language in force."""
    out: list[tuple[str, str]] = []
    report = indicators_from(_empty_scope(), Options(overload_threshold=4, walk_m=800))
    for ind in report.indicators:
        out += [(f"{ind.key}.title", ind.title), (f"{ind.key}.definition", ind.definition),
                (f"{ind.key}.reason", ind.reason or "")]
    table = render_table(report).splitlines()
    out += [("table.head", table[2].rstrip()), ("table.row", table[3].rstrip())]
    out += [("scope.no_county", _error(lambda: find_scope(store, None))),
            ("scope.missing", _error(lambda: resolve_scope(store, "County", "NOPE", None))),
            ("scope.not_a_level", _error(lambda: resolve_scope(store, "Building", "B", None)))]
    out += [(f"matching.{key}", translate(text)) for key, text in
            (("no_resource", NO_RESOURCE), ("exhausted", EXHAUSTED),
             ("no_location", NO_LOCATION))]
    lines = render([Finding(RULES[0], 1234, [], True)])
    out += [("check.none", render([])[0]), ("check.head", lines[0]), ("check.more", lines[-1])]
    ind = report.get("overloaded_people")
    out += [("report.extra", extra_text(ind, {})), ("report.header", header("branches")),
            ("report.yes", str(readable("overdue", True, {})))]
    return out


def render_golden(store: BoltStore) -> str:
    with language("zh"):
        zh = messages(store)
    with language("en"):
        en = messages(store)
    lines = []
    for (key, chinese), (_key, english) in zip(zh, en, strict=True):
        lines += [key, f"  zh: {chinese}", f"  en: {english}"]
    return "\n".join(lines) + "\n"


def test_golden_messages(store: BoltStore) -> None:
    got = render_golden(store)
    if os.environ.get("JINLIN_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8")


def test_english_is_todays_text(store: BoltStore) -> None:
    """A few English texts as they were before Chinese came first (golden checks of
    the catalogue: ``--lang en`` reads as it did)."""
    with language("en"):
        report = indicators_from(_empty_scope(), Options())
        ind = report.get("secretary_chair_overlap")
        assert (ind.title, ind.zh) == ("Secretary-chair overlap", "书记兼任业委会主任")
        assert ind.reason == "no compounds with both a branch and an owners' committee in scope"
        assert report.get("service_circle").definition == \
            "compounds within 1000 m of a service site ÷ all"
        assert translate(NO_RESOURCE) == "no resource of that category in range"
        assert _error(lambda: resolve_scope(store, "County", "NOPE", None)) == \
            "scope County:NOPE does not exist"


@pytest.mark.parametrize("other", [p for p in PACKAGES if p != "analysis"])
def test_shared_texts_read_the_same(other: str) -> None:
    """The catalogues are merged into one mapping, so a Chinese text in two packages
    must have one English: otherwise the package read last would win everywhere."""
    ours, theirs = _entries("analysis"), _entries(other)
    differ = {k: (ours[k], theirs[k]) for k in ours.keys() & theirs.keys()
              if ours[k] != theirs[k]}
    assert differ == {}
