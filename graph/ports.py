"""A free TCP port on loopback, for the embedded store's Bolt server and for tests and
benchmarks that serve an app: the OS picks it, so parallel runs never collide."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
