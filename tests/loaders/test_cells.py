"""The reader's one rule for a text cell (loaders.ledger_table.text_cell): the shortcut
for plain text (loaders.cells.is_plain) must judge every text as the full tests do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.cells import is_formula, is_plain, unescape
from loaders.ledger_limits import LedgerLimits
from loaders.ledger_table import BadCell, text_cell

LIMITS = LedgerLimits(max_bytes=1 << 30, max_rows=100, max_cell=32_767)
LEADS = " \t\r\n\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff='+-@"


def full_rule(text: str) -> object:
    """The rule without the shortcut: refuse a formula, else undo the writer's escape."""
    return BadCell if is_formula(text) else unescape(text)


def judged(text: str) -> object:
    cell = text_cell(text, LIMITS)
    return BadCell if isinstance(cell, BadCell) else cell


@settings(max_examples=500)
@given(st.tuples(st.text(st.sampled_from(LEADS), max_size=3), st.text(max_size=3)).map("".join))
def test_the_shortcut_judges_as_the_full_rule(text: str) -> None:
    assert judged(text) == full_rule(text)


def test_what_is_plain_and_what_is_not() -> None:
    assert [is_plain(t) for t in ("幸福小区", "K001", "+86 138", "-5", "@handle", "a=1")] \
        == [True] * 6
    assert [is_plain(t) for t in ("", "=1+1", " =1", "\u3000=1", "\ufeff=1", "'=x", "'a")] \
        == [False] * 7
    assert [judged(t) for t in ("=1+1", "\u3000=1", "'=x", "''=x", "'a", "幸福小区")] \
        == [BadCell, BadCell, "=x", "'=x", "'a", "幸福小区"]
