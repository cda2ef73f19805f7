"""The as-of date of an analysis: one strict parser for the API, the analyses and the CLI.

``asOf`` ends up compared with the ISO date strings the store holds (``since <= $as_of``),
so anything that is not a real ``YYYY-MM-DD`` date would not fail: it would silently
compare as text and give empty figures (``"x OR 1=1"`` gave 0/0).  Model dates accept
clerks' spellings (``2024/3/1``, ``2024年3月1日``); an as-of date is typed by a program or
an analyst, so only the one unambiguous form is taken.  Lives in ``graph`` so that
``api`` and ``analysis`` can both import it without a cycle.
"""

from __future__ import annotations

import datetime as dt
import re

from graph.i18n import _

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN = 40  # characters of a refused value echoed back


def today() -> str:
    return dt.date.today().isoformat()


def parse_as_of(value: str | None) -> str:
    """``value`` if it is a real calendar date written ``YYYY-MM-DD``; today for None.

    Raises ValueError (the API turns it into a client error) for anything else,
    including impossible dates such as ``2026-02-30``.
    """
    if value is None:
        return today()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    shown = value[:_SHOWN] + "…" if isinstance(value, str) and len(value) > _SHOWN else value
    raise ValueError(_("asOf 必须是 YYYY-MM-DD 格式的日期，收到 {value}", value=repr(shown)))
