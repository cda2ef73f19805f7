"""Rows with named columns, and the same rows as a pandas DataFrame.

Every answer of the analyst entry point (``analysis.session``) and every table export
is a ``Table``: plain rows that need nothing installed, written to CSV/xlsx by
``analysis.export``, and ``.to_frame()`` for pandas users.  pandas is an optional extra
(``pip install 'jinlin[analysis]'``): it is imported only when a frame is asked for, so
the service never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The file formats of the exports (analysis.export), here so the command line can offer
# them without importing the analyses.
NETWORK_FORMATS = ("graphml", "gexf", "csv")
TABLE_FORMATS = ("csv", "xlsx")
PANDAS_MISSING = ("to_frame() 需要 pandas，它是可选依赖：pip install 'jinlin[analysis]'"
                  "（或 pip install 'pandas>=2'）")


def pandas() -> Any:
    """The pandas module, or an ImportError that names the extra to install."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(PANDAS_MISSING) from exc
    return pd


@dataclass
class Table:
    """Rows (dicts keyed by ``columns``, in that order) of one answer.

    ``titles`` are the headers a person reads in a workbook (the model's Chinese names;
    a column without one is headed by its name), ``dates`` the columns holding ISO
    dates or date-times, written to a workbook as dates.  CSV keeps the column names,
    which programs read."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    dates: frozenset[str] = frozenset()

    def to_frame(self) -> Any:
        """A pandas DataFrame with exactly these columns (also when there are no rows)."""
        return pandas().DataFrame(self.rows, columns=list(self.columns))

    def __len__(self) -> int:
        return len(self.rows)
