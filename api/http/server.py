"""How ``jinlin serve`` runs uvicorn: JSON logs, and a stop that is graceful but bounded.

On SIGTERM or Ctrl-C uvicorn stops accepting connections, gives the requests in flight
:data:`GRACE` seconds, cancels the rest and raises the signal again, which lands in
:func:`_exit_after_shutdown`: the store stops and the process exits at once, not
waiting for worker threads still inside a store call.  A request that keeps the event
loop itself busy (CPU-bound work between awaits) would stall even that, so the first
signal also starts a watchdog that exits at GRACE + :data:`MARGIN` seconds whatever
the loop is doing.  (Before, SIGTERM was ignored while a long request ran.)
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from types import FrameType
from typing import Any

import uvicorn

from analysis.collector import set_apart
from graph import embedded

GRACE = 10  # seconds requests in flight get after the stop signal, then cancelled
MARGIN = 3  # further seconds before the watchdog exits regardless
PING = 20.0  # seconds between pings of a websocket, and for its pong (else it is dropped)
log = logging.getLogger("jinlin.server")


def _status(sig: int) -> int:
    return 0 if sig == signal.SIGTERM else 130  # asked to stop: success; Ctrl-C: 128 + 2


def _exit_after_shutdown(sig: int, frame: FrameType | None) -> None:
    embedded.exit_now(_status(sig))


def _watchdog(status: int) -> None:
    log.error("graceful shutdown did not finish in %s s (a request keeps the event loop "
              "busy); exiting now", GRACE + MARGIN)
    embedded.exit_now(status)


def set_apart_startup() -> None:
    """Set what exists once the service has started (modules, the schema, the model, the
    store's pools: it lives as long as the process) apart from Python's collections,
    which then walk only what requests made since.  A full collection over the whole
    heap holds the interpreter lock for ~100 ms on the county, and every request waits
    (graph.embedded.unlink_collectors; the analyses' projections are set apart the same
    way once built: analysis.collector)."""
    set_apart()


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        set_apart_startup()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            watchdog = threading.Timer(GRACE + MARGIN, _watchdog, (_status(sig),))
            watchdog.daemon = True
            watchdog.start()
        super().handle_exit(sig, frame)


def run(app: Any, host: str, port: int, max_message: int = 16 * 1024 * 1024) -> None:
    """Serve ``app`` until a stop signal; logging must already be configured (JSON).
    ``max_message``: the largest websocket message read (a subscription socket's; the app
    checks it too, api.http.sockets), so a larger frame is never buffered."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            log_config=None, timeout_graceful_shutdown=GRACE,
                            ws_max_size=max_message, ws_ping_interval=PING,
                            ws_ping_timeout=PING)
    if threading.current_thread() is threading.main_thread():
        # uvicorn installs its own handlers while serving and restores these after
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, _exit_after_shutdown)
    _Server(config).run()
