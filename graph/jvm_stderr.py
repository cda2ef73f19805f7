"""Two known harmless lines taken out of stderr while the embedded store starts.

The JVM and ArcadeDB write to file descriptor 2 directly, not through Python, so the
only place to filter them is the descriptor: for the start-up of the store (and only
then) fd 2 is a pipe that a thread copies to the real stderr line by line, dropping
exactly the lines :data:`NOISE` names and keeping every other byte, in order.

- ``WARNING: Using incubator modules: jdk.incubator.vector``: printed by the JVM at
  every start because arcadedb-embedded always adds the module (its vector indexes use
  it; this service has none).  There is no JVM option that silences it alone.
- ArcadeDB's ``SEVER … Preserving the WAL files of database 'jinlin': not all pages
  reached the disk (caller requested preservation) …``: logged when a second process
  is refused the store's lock and closes its half-opened database.  It says the owner's
  write-ahead log is kept, which is what should happen; the refusal itself is reported
  by :func:`graph.embedded.open_embedded`.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# (line, whether the newline before it is its own): the JVM ends its line with a
# newline; ArcadeDB's log records start with one (and end without).
NOISE = (
    (re.compile(rb"WARNING: Using incubator modules: jdk\.incubator\.vector"), False),
    (re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ SEVER \[TransactionManager\] <[^>]*> "
                rb"Preserving the WAL files of database '[^']*': not all pages reached the "
                rb"disk \(caller requested preservation\), the next open will recover them"),
     True),
)


def _noise(line: bytes) -> tuple[bool, bool]:
    """Whether ``line`` (without newlines) is noise, and whether it owns the newline
    before it."""
    for pattern, leading in NOISE:
        if pattern.fullmatch(line):
            return True, leading
    return False, False


class _Copier:
    """Copies ``source`` to ``target``, byte for byte except for the noise.

    A newline read is held until the next line is known: a dropped ArcadeDB record
    takes the newline before it along; a dropped JVM line takes its own.
    """

    def __init__(self, source: int, target: int) -> None:
        self.source, self.target = source, target
        self.newline = False  # a newline read and not yet written

    def run(self) -> None:
        rest = b""
        while chunk := os.read(self.source, 65536):
            *lines, rest = (rest + chunk).split(b"\n")
            for line in lines:
                self._line(line, ended=True)
        self._line(rest, ended=False)
        if self.newline:
            self._write(b"\n")

    def _line(self, line: bytes, ended: bool) -> None:
        noise, leading = _noise(line)
        if not noise:
            self._write(b"\n" * self.newline + line)
            self.newline = ended
        elif leading:
            self.newline = ended
        # else: the held newline (the one before) stays; the line's own goes with it

    def _write(self, data: bytes) -> None:
        while data:
            data = data[os.write(self.target, data):]


@contextmanager
def quiet_start() -> Iterator[None]:
    """Within the block, the noise written to fd 2 (by anyone) is dropped."""
    try:
        real = os.dup(2)
    except OSError:  # no stderr at all: nothing to filter
        yield
        return
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    copier = _Copier(read_end, real)
    thread = threading.Thread(target=copier.run, name="jinlin-jvm-stderr", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(real, 2)  # closes the pipe's last write end: the copier reads to the end
        thread.join(10.0)
        if not thread.is_alive():  # else a child holds the pipe: the copier keeps both
            os.close(read_end)
            os.close(real)
