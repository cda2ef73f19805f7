"""The audit log of mutations: one JSON line per mutation, appended.

Kept out of the graph on purpose: audit entries are not part of the model, must
survive a re-import that rebuilds the graph, and are read with ordinary tools.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

from api.auth import Caller


class AuditLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, caller: Caller, mutation: str, arguments: dict[str, Any],
               outcome: str) -> None:
        entry = {
            "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "who": caller.subject,
            "role": caller.role,
            "scope": caller.scope,
            "mutation": mutation,
            "arguments": arguments,
            "outcome": outcome,
        }
        line = json.dumps(entry, ensure_ascii=False, default=str)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
