"""A throw-away Neo4j 5.13 from the shared kit (``../shared/neo4j``), filled by
``neo4j-admin database import full``: for tests/loaders/test_neo4j_admin.py and
bench/province.py.

The kit's tarball is unpacked, the import runs into the never-started install (so the
server is started once, not started, stopped and started again), then the kit's
``start.sh`` configures it (loopback, Bolt only, the password) and starts it.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

from graph.ports import free_port
from graph.store import BoltStore
from loaders.neo4j_admin import AdminExport

KIT = Path(os.environ.get("JINLIN_NEO4J_KIT", "/work/shared/neo4j"))
VERSION = "neo4j-community-5.13.0"
PASSWORD = "jinlin-admin-import"
JAVA_HOME = os.environ.get("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")  # as start.sh


def missing() -> str | None:
    """Why the kit cannot run here, or None."""
    if not (KIT / "start.sh").exists() or not (KIT / f"{VERSION}.tar.gz").exists():
        return f"no Neo4j kit at {KIT} (JINLIN_NEO4J_KIT)"
    if not Path(JAVA_HOME, "bin", "java").exists():
        return f"no Java at {JAVA_HOME}"
    return None


@dataclass
class Neo4jKit:
    """One install under ``dir``; :meth:`load` imports, :meth:`start` serves it."""

    dir: Path
    port: int = 0

    @property
    def home(self) -> Path:
        return self.dir / VERSION

    def load(self, export: AdminExport) -> float:
        """Import ``export`` into database ``neo4j`` (the server stopped); the seconds taken,
        JVM start included.  Raises CalledProcessError with the importer's output."""
        self.stop()
        if not self.home.exists():
            with tarfile.open(KIT / f"{VERSION}.tar.gz") as tar:
                tar.extractall(self.dir, filter="tar")
        argv = [str(self.home / "bin" / export.command()[0]), *export.command()[1:]]
        began = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, text=True,
                       env={**os.environ, "JAVA_HOME": JAVA_HOME})
        return time.perf_counter() - began

    def start(self) -> BoltStore:
        self.port = self.port or free_port()
        subprocess.run([str(KIT / "start.sh"), str(self.dir), str(self.port), PASSWORD],
                       check=True, capture_output=True, text=True)
        return BoltStore(f"bolt://127.0.0.1:{self.port}", ("neo4j", PASSWORD), None, "neo4j")

    def stop(self) -> None:
        """Nothing to stop (or install) is fine: stop.sh then says so."""
        subprocess.run([str(KIT / "stop.sh"), str(self.dir)], check=False, capture_output=True)
