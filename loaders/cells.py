"""Formula text in ledger cells: one rule for the reader that refuses it and the writer
that escapes it, so a ledger we write always reads back.

A spreadsheet evaluates a cell whose text starts with ``=`` (and, when typed or opened
from CSV, ``+``, ``-``, ``@``), and it skips leading blanks to find that start: ``' =1+1'``,
``'\\t=2+2'`` and ``'\\u3000=1'`` (full-width space) are formulas too.  So the lead is the
text after leading whitespace (including the full-width space, the no-break space and the
zero-width characters Excel also skips), and every test below looks at the lead.

* The reader refuses text whose lead is ``=`` (CSV cells and Excel text cells alike; Excel
  formula cells are refused by type).  ``+``, ``-``, ``@`` leads are data there (phone
  numbers ``+86 …``, negative numbers, ``@`` handles), as before.
* The writer escapes, with a leading ``'``, every text whose lead is one of the four and
  that is not a plain number, and text that already starts with ``'`` followed by such a
  lead, so that the reader's unescaping gives back exactly what was written.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@")
_BLANK_LEAD = re.compile(r"^[\s\u200b\u200c\u200d\u2060\ufeff]+")
# A first character that is none of a blank lead, ``=`` and the escape ``'``: the text
# is neither a formula nor escaped, and the reader takes it as it is without the tests
# below (most cells: a ledger of a county has ~600,000).
_PLAIN_START = re.compile(r"[^\s\u200b\u200c\u200d\u2060\ufeff=']")


def lead(text: str) -> str:
    """``text`` without its leading whitespace (what a spreadsheet looks at)."""
    return _BLANK_LEAD.sub("", text, count=1)


def is_plain(text: str) -> bool:
    """Text that is data as it stands: neither a formula nor escaped (by its first
    character alone; False says only that the full tests must look)."""
    return _PLAIN_START.match(text) is not None


def is_formula(text: str) -> bool:
    """Text the reader refuses: a spreadsheet would run it."""
    return lead(text).startswith("=")


def needs_escape(text: str) -> bool:
    """Text the writer prefixes with ``'``: a formula lead that is not a number, or an
    apostrophe the reader would otherwise take for our escape."""
    return _formula_like(text.lstrip("'")) and not _is_number(text)


def unescape(value: Any) -> Any:
    """Undo the writer's escape: ``"'=x"`` is the text ``"=x"``, ``"'' =x"`` is ``"' =x"``."""
    if isinstance(value, str) and value.startswith("'") and _formula_like(value.lstrip("'")):
        return value[1:]
    return value


def _formula_like(text: str) -> bool:
    return lead(text).startswith(FORMULA_LEADS)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
