"""Progress lines for long work (loads, generation, analyses) on stderr.

On a terminal the line is rewritten in place; in logs and CI one line is printed
every ``every_s`` seconds, so a long import is visibly alive without flooding output.
"""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, title: str, every_s: float = 2.0) -> None:
        self.title = title
        self.every_s = every_s
        self.tty = sys.stderr.isatty()
        self.start = time.monotonic()
        self._last = 0.0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < (0.1 if self.tty else self.every_s) and done < total:
            return
        self._last = now
        pct = f"{100 * done / total:5.1f}%" if total else ""
        line = f"{self.title}: {what} {done:,}/{total:,} {pct} ({now - self.start:.1f} s)"
        if self.tty:
            sys.stderr.write("\r" + line.ljust(100))
            if done >= total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()
