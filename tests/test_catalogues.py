"""The English catalogues match the code: every text wrapped in ``_()`` / ``N_()`` is a
literal with an English entry in its package's ``locale/en.po``, no entry is stale, and a
translation keeps the placeholders of its message id (``_`` fills them by name after
translating, so a lost or renamed one would fail at run time, in English only).

The code is read with ``ast``, not imported: a call in a branch no test reaches is
checked too.  Checked per package, so a package is judged on its own catalogue.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.i18n import PACKAGES
from graph.i18n import entries as catalogue

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("_", "N_")


def calls(package: str) -> Iterator[tuple[str, int, ast.expr | None]]:
    """(file, line, first argument) of every ``_()`` / ``N_()`` call under ``package``."""
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in MARKERS:
                first = node.args[0] if node.args else None
                yield str(path.relative_to(ROOT)), node.lineno, first


def used(package: str) -> dict[str, str]:
    """Message id → the first place that uses it."""
    found: dict[str, str] = {}
    for file, line, first in calls(package):
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.setdefault(first.value, f"{file}:{line}")
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_marked_text_is_a_literal(package: str) -> None:
    bad = [f"{file}:{line}" for file, line, first in calls(package)
           if not (isinstance(first, ast.Constant) and isinstance(first.value, str))]
    assert bad == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_text_has_an_english_entry(package: str) -> None:
    entries = catalogue(package)
    missing = [f"{where}: {msgid}" for msgid, where in used(package).items()
               if not entries.get(msgid)]
    assert missing == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_entry_is_stale(package: str) -> None:
    assert sorted(set(catalogue(package)) - set(used(package))) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_translations_keep_the_placeholders(package: str) -> None:
    differ = [msgid for msgid, english in catalogue(package).items()
              if placeholders(msgid) != placeholders(english)]
    assert differ == []


def test_the_checks_see_a_broken_catalogue() -> None:
    """The helpers are not vacuous: a placeholder renamed in translation is seen."""
    assert placeholders("范围 {scope} 不存在") == {"scope"}
    assert placeholders("scope {name} does not exist") != placeholders("范围 {scope} 不存在")
    assert used("graph")["必须填写"].startswith("graph/")


def test_a_text_reads_the_same_in_every_package() -> None:
    """The catalogues are merged into one lookup (graph.i18n): a Chinese text two packages
    translate differently would read as whichever package loads last, everywhere."""
    english: dict[str, tuple[str, str]] = {}
    clashes = []
    for package in PACKAGES:
        for msgid, text in catalogue(package).items():
            first = english.setdefault(msgid, (package, text))
            if first[1] != text:
                clashes.append(f"{msgid}: {first[0]} {first[1]!r} ≠ {package} {text!r}")
    assert clashes == []
