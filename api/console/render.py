"""The pages' templates: one Jinja2 environment, autoescaping on (every value a page shows
came from a ledger someone typed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.console.assets import asset
from graph.i18n import _

TEMPLATES = Path(__file__).with_name("templates")


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.globals.update(asset=asset, _=_, nav="")  # nav: the menu entry to mark
ENV.filters.update(percent=percent, number=number)


def render(template: str, **values: Any) -> str:
    return ENV.get_template(template).render(**values)
