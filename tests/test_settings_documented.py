"""Every setting is in the README's configuration table, under its own name and its
``JINLIN_`` variable: a setting a person cannot find might as well not exist."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from graph.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_has_a_row() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Configuration"):text.index("## Tests and benchmarks")]
    rows = re.findall(r"^\| ([a-z_ /]+) \| (.*?) \|", table, re.M)
    listed = {name.strip(): env for names, env in rows for name in names.split("/")}
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert [f for f in fields if f not in listed] == []
    # the variable is named in full, or as the suffix of its row's first one (``_MAX``)
    assert [f for f in fields if f"JINLIN_{f.upper()}" not in listed[f]
            and not any(f.upper().endswith(part.strip("`_")) for part in
                        re.findall(r"`_[A-Z_]+`", listed[f]))] == []
