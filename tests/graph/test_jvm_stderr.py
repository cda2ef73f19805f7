"""The start-up filter of stderr drops exactly the two known lines and nothing else."""

from __future__ import annotations

import os

import pytest

from graph.jvm_stderr import quiet_start

INCUBATOR = b"WARNING: Using incubator modules: jdk.incubator.vector\n"
WAL = (b"\n2026-12-03 23:20:30.621 SEVER [TransactionManager] <ArcadeDB_0> Preserving the WAL "
       b"files of database 'jinlin': not all pages reached the disk (caller requested "
       b"preservation), the next open will recover them")


def _through_filter(capfd: pytest.CaptureFixture[str], *chunks: bytes) -> str:
    capfd.readouterr()
    with quiet_start():
        for chunk in chunks:
            os.write(2, chunk)
    return capfd.readouterr().err


def test_the_two_known_lines_are_dropped(capfd: pytest.CaptureFixture[str]) -> None:
    assert _through_filter(capfd, INCUBATOR, WAL) == ""


def test_everything_else_passes_unchanged(capfd: pytest.CaptureFixture[str]) -> None:
    other = (b"\n2026-12-03 23:20:31.000 SEVER [TransactionManager] <ArcadeDB_0> Error on "
             b"rollback\n")
    assert _through_filter(capfd, b"before\n\n", INCUBATOR, b"WARNING: Using incubator",
                           b" modules: jdk.incubator.vectorX\n", WAL, other, b"\nlast") == (
        "before\n\nWARNING: Using incubator modules: jdk.incubator.vectorX\n"
        + other.decode() + "\nlast")


def test_stderr_is_itself_again_after_the_block(capfd: pytest.CaptureFixture[str]) -> None:
    _through_filter(capfd, b"x\n")
    os.write(2, INCUBATOR)
    assert capfd.readouterr().err == INCUBATOR.decode()
