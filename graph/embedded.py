"""The embedded default store: an ArcadeDB server in this process, reached over Bolt.

One process owns a data directory (ArcadeDB locks it).  The owner publishes its Bolt
port in ``<data_dir>/store.json``; another ``jinlin`` process pointed at the same
directory (``jinlin load`` while ``jinlin serve`` runs) connects to that port instead
of opening the files, so the two share one store, and the command starts no JVM.  The
file is mode 0600 and names the owner by pid and, where ``/proc`` tells it, the pid's
start time: a file left by a crash is ignored (pid gone, or reused by another process,
or port closed) and replaced by the next owner.  If the directory is locked by a
process that does not publish a port, opening fails at once with what to do.

A short-lived command that does start the JVM (``jinlin report`` with no service
running) asks for :func:`quick_start` first: the JVM's optimising compiler and parallel
collector pay off only in a long-lived service and compete for the cores at start-up.

Every listener binds to 127.0.0.1; the root password is random, made once per data
directory and kept in ``<data_dir>/.jinlin-secret`` (mode 0600).  The directory is
private (graph.datadir): 0700, and the ``jinlin`` commands' umask makes the files
ArcadeDB creates in it 0600.

ArcadeDB's Bolt plugin ignores the driver's transaction timeout (a statement sent with
``timeout=1`` ran its 40 s), so the server bounds statements itself: its
``arcadedb.command.timeout`` (:func:`limit_statements`) aborts any openCypher statement
running longer, reported over Bolt as ``Neo.ClientError.Transaction.TransactionTimedOut``
(a write is rolled back).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from graph.datadir import private_dir, replace_private, secret
from graph.i18n import _
from graph.jvm_stderr import quiet_start
from graph.ports import free_port
from graph.store import BoltStore, StoreError, close_all

DATABASE = "jinlin"
INFO_FILE = "store.json"
SECRET_FILE = ".jinlin-secret"
PORT_FILE = "bolt-port"
_LOGGING = Path(__file__).with_name("arcadedb-logging.properties")
# One JVM per process, started with the options of the first store it opens.
QUICK_START_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_servers: dict[Path, Any] = {}
_jvm_options: list[str] = []  # fixed when the JVM starts (it cannot be restarted)
_quick = False
log = logging.getLogger("jinlin.store")


def quick_start(enabled: bool = True) -> None:
    """Start this process's JVM, if it starts one, for a short-lived command: the
    C1 compiler only and the serial collector (:data:`QUICK_START_JVM`).  No effect
    once the JVM runs."""
    global _quick
    _quick = enabled


def _jvm_args() -> str:
    """The JVM's options: fixed at the first start, since a second store opened by the
    same process must ask for the same ones (ArcadeDB refuses others)."""
    if not _jvm_options:
        _jvm_options.append(f"-Djava.util.logging.config.file={_LOGGING}")
        _jvm_options.extend(QUICK_START_JVM if _quick else ())
    return " ".join(_jvm_options)


def _bolt_port(data_dir: Path) -> int:
    """The directory's Bolt port: the one it had before when still free, so processes
    that joined it reconnect by themselves when its owner restarts."""
    path = data_dir / PORT_FILE
    try:
        port = int(path.read_text())
        with socket.socket() as sock:  # as the server binds: a port in TIME_WAIT is free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
        return port
    except (OSError, ValueError):
        port = free_port()
        path.write_text(str(port))
        return port


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _started(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot, /proc/PID/stat field 22), None
    where /proc does not say: with the pid it names one process, not a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _running_owner(data_dir: Path) -> int | None:
    """The Bolt port of another live process serving this directory, if any."""
    try:
        info = json.loads((data_dir / INFO_FILE).read_text())
        pid, port = int(info["pid"]), int(info["bolt_port"])
        started = info.get("started")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if pid == os.getpid() or not _pid_alive(pid):
        return None
    if started is not None and _started(pid) not in (None, started):
        return None  # the owner crashed and its pid now names another process
    return port if _port_open(port) else None


def _publish(data_dir: Path, port: int) -> None:
    """Say in ``store.json`` (0600, replaced whole) that this process serves the store."""
    info = {"pid": os.getpid(), "started": _started(os.getpid()), "bolt_port": port,
            "database": DATABASE}
    replace_private(data_dir / INFO_FILE, json.dumps(info).encode())


def _start_server(data_dir: Path, password: str, heap: str) -> tuple[Any, int]:
    os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(data_dir / "log" / "hs_err_%p.log"))
    try:
        import arcadedb_embedded as arcade
    except ImportError as exc:  # pragma: no cover - installation problem
        raise StoreError(_("内嵌数据库需要 arcadedb-embedded 包：请运行 `make install`")
                         ) from exc
    bolt_port, http_port = _bolt_port(data_dir), free_port()
    config = {
        "host": "127.0.0.1",
        "http_port": http_port,
        "bolt_port": bolt_port,
        "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
    }
    jvm = {"heap_size": heap, "jvm_args": _jvm_args()}
    server = arcade.ArcadeDBServer(str(data_dir), password, config, jvm_kwargs=jvm)
    try:
        server.start()
    except Exception as exc:
        raise _explain_start_failure(data_dir, exc) from exc
    unlink_collectors()
    return server, bolt_port


def unlink_collectors() -> None:
    """Untie Python's garbage collector from the JVM's, which JPype (1.x) ties together.

    JPype runs a *full* Python collection whenever the JVM collects (a phantom-referenced
    sentinel, cleared by every young collection, wakes it), and asks the JVM for a full
    collection when Python's heap grows.  That is for programs whose Python and Java
    objects point at each other; this process holds almost no Java object (it talks to
    its own server over Bolt).  In a running service the JVM collects a few times a
    second under writes or an import, and each full Python collection walks every live
    object with the interpreter lock held: ~100 ms on the county, so about a quarter of
    the time no request moved (``bench/writes.py``, 8 clients: 94 → 115 writes/s, p95
    208 → 102 ms).  It was also the slowdown of analyses run right after an import,
    whose many live rows each collection walked (the analyses that paused the collector,
    ``analysis.collector.paused_gc``, were spared: a paused collector ignores the trigger).

    JPype's hook is ``_jpype._collect`` in ``gc.callbacks``; without it the JVM's trigger
    fires at most once more (only that hook clears JPype's "collection running" flag) and
    Python's own collector runs as in any process."""
    try:
        import _jpype
    except ImportError:  # pragma: no cover - arcadedb-embedded brings JPype
        return
    hook = getattr(_jpype, "_collect", None)
    gc.callbacks[:] = [c for c in gc.callbacks if c is not hook]


def _explain_start_failure(data_dir: Path, exc: Exception) -> StoreError:
    text = str(exc)
    if "lock" in text.lower():
        return StoreError(_(
            "数据目录 {data_dir} 已被另一个进程锁定，且该进程没有通过 Bolt 提供服务。请停止该"
            "进程（或等它结束），或用 --data-dir / JINLIN_DATA_DIR 让本命令使用另一个目录。",
            data_dir=data_dir))
    return StoreError(_("{data_dir} 中的内嵌数据库无法启动：{detail}", data_dir=data_dir,
                        detail=text))


def _open_database(server: Any, data_dir: Path) -> None:
    if (data_dir / "databases" / DATABASE).exists():
        try:
            server.get_database(DATABASE)
        except Exception as exc:
            raise _explain_start_failure(data_dir, exc) from exc
    else:
        server.create_database(DATABASE)


def open_embedded(data_dir: str | Path, heap: str = "2g") -> BoltStore:
    """Open (or join) the embedded store under ``data_dir``."""
    root = private_dir(data_dir)
    password = secret(root / SECRET_FILE, 24)
    auth = ("root", password)
    port = _running_owner(root)
    if port is not None:
        return BoltStore(f"bolt://127.0.0.1:{port}", auth, DATABASE, "arcadedb")
    if root in _servers:  # this process already owns it: share the server
        _, port = _servers[root]
        return BoltStore(f"bolt://127.0.0.1:{port}", auth, DATABASE, "arcadedb")
    with quiet_start():  # the JVM's and ArcadeDB's known harmless start-up lines
        server, port = _start_server(root, password, heap)
        try:
            _open_database(server, root)
        except BaseException:
            server.stop()
            raise
    if not _servers:
        # After jpype's own exit hook, so that ours runs first (atexit is LIFO).
        atexit.register(_stop_all)
    _servers[root] = (server, port)
    _publish(root, port)
    return BoltStore(f"bolt://127.0.0.1:{port}", auth, DATABASE, "arcadedb")


def limit_statements(seconds: float) -> float | None:
    """Abort any statement of the embedded servers of this process that runs longer than
    ``seconds`` (0: no limit); returns the previous limit, None when this process runs
    no embedded server (a process that joined another's store: its owner decides).

    ``arcadedb.command.timeout`` is a JVM-wide setting read when each statement starts,
    so it can be changed while the server runs.
    """
    if not _servers:
        return None
    import jpype

    setting = jpype.JClass("com.arcadedb.GlobalConfiguration").COMMAND_TIMEOUT
    previous = int(setting.getValueAsLong()) / 1000
    setting.setValue(max(0, round(seconds * 1000)))
    return previous


def _own(store: object) -> tuple[Path, Any] | None:
    uri = getattr(store, "uri", None)  # a wrapper passes on its store's (AuditedStore)
    for root, (server, port) in _servers.items():
        if uri == f"bolt://127.0.0.1:{port}":
            return root, server
    return None


def own_database(store: object) -> Any | None:
    """The arcadedb_embedded handle of the database ``store`` reaches, when this process
    runs its server (``graph.bulk`` writes through it); None for any other store: a
    Neo4j, or an embedded store another process serves."""
    own = _own(store)
    return own[1].get_database(DATABASE) if own else None


@contextmanager
def unjoined(store: object) -> Iterator[None]:
    """While it lasts, no other process joins the store this process serves: its port is
    withdrawn from ``store.json``, so a ``jinlin`` command started meanwhile finds the
    directory locked and says what to do, instead of reading a half-written store
    (``graph.bulk``).  Published again afterwards."""
    own = _own(store)
    if own is None:
        yield
        return
    root = own[0]
    (root / INFO_FILE).unlink(missing_ok=True)
    try:
        yield
    finally:
        if root in _servers:
            _publish(root, _servers[root][1])


def others_connected(store: object) -> bool:
    """Whether a process other than this one holds a connection to the Bolt port of the
    store this process serves; True where it cannot tell (no ``/proc``: not Linux).

    Read off the kernel's table of TCP connections: a client end whose far port is ours
    and whose socket is not among this process's open files belongs to someone else."""
    own = _own(store)
    if own is None:
        return True
    port = _servers[own[0]][1]
    try:
        mine = set()
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # closed meanwhile
                mine.add(os.readlink(f"/proc/self/fd/{fd}"))
        clients = []
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as fh:
                next(fh)  # the header
                clients += [row.split() for row in fh]
    except OSError:
        return True
    established = "01"
    return any(row[3] == established and int(row[2].rsplit(":", 1)[1], 16) == port
               and f"socket:[{row[9]}]" not in mine for row in clients)


def stop_embedded(data_dir: str | Path, wait_s: float = 10.0) -> bool:
    """Stop the server this process runs for ``data_dir`` (no-op if it runs none).

    ArcadeDB's stop waits for every Bolt client to hang up, and a joined process may
    hold a pooled connection for as long as it lives.  So the stop gets ``wait_s``
    seconds; False means it is still waiting on clients (committed data is on disk
    either way: the write-ahead log recovers it at the next start).
    """
    root = Path(data_dir).resolve()
    entry = _servers.pop(root, None)
    if entry is None:
        return True
    server, port = entry
    close_all()
    try:
        info = json.loads((root / INFO_FILE).read_text())
        if info.get("pid") == os.getpid():
            (root / INFO_FILE).unlink()
    except (OSError, ValueError):
        pass
    stopped = threading.Event()

    def stop() -> None:
        server.stop()
        stopped.set()

    threading.Thread(target=stop, name="jinlin-store-stop", daemon=True).start()
    return stopped.wait(wait_s)


# What the process exits with when it must cut its exit short (set by the CLI; an
# uncaught exception sets 1 through the hook below).
exit_status = 0


def _bolt_clients_left() -> int:
    """Bolt connection threads of other processes' clients, still open after the stop.

    They are non-daemon JVM threads: the JVM (and so this process) would wait for the
    clients to hang up, which a joined ``jinlin serve`` never does.
    """
    import jpype

    if not jpype.isJVMStarted():
        return 0
    thread = jpype.JClass("java.lang.Thread")
    return sum(1 for t in thread.getAllStackTraces().keySet()
               if t.isAlive() and not t.isDaemon() and str(t.getName()).startswith("BOLT-"))


def take_pending_interrupt() -> None:
    """After Ctrl-C, JPype (1.7.1) hands the next Java call of the main thread a
    ``java.lang.InterruptedException`` ("sleep interrupted"), once.  The stop below makes
    Java calls: take the exception here, where it is expected, and clear the thread's
    interrupt flag, so the stop runs and no traceback is printed."""
    import jpype

    if not jpype.isJVMStarted():
        return
    try:
        jpype.JClass("java.lang.Thread").interrupted()
    except jpype.JException as exc:
        if exc.getClass().getName() != "java.lang.InterruptedException":
            raise
        jpype.JClass("java.lang.Thread").interrupted()


def _stop_all(wait_s: float = 10.0) -> None:
    # The JVM's non-daemon threads keep the process alive until its servers stop.
    take_pending_interrupt()
    clean = True
    for root in list(_servers):
        try:
            clean = stop_embedded(root, wait_s) and clean
        except Exception:  # pragma: no cover - best effort at exit
            log.exception("stopping the store in %s failed", root)
    # After Ctrl-C (status 130) what is left is this process's own statement, cut
    # off by the interrupt: the command line has said so already.
    if (not clean or _bolt_clients_left()) and exit_status != 130:
        log.warning("other processes were still connected to the store; exiting without "
                    "waiting for them (committed data is safe)")
    # Exit here, with the servers stopped and their data on disk, rather than through
    # Python's finalisation and JPype's exit hook: the JVM's teardown there ended about
    # one run in four with SIGSEGV (jpype._core._JTerminate), and skipping only that
    # hook left JVM threads calling into a finalising interpreter (SIGABRT, "exception
    # not rethrown").  The status is ``exit_status``: the command line's, the test
    # session's (tests/conftest.py), 1 after an uncaught exception, else 0; a program
    # that owns an embedded store and ends with another status sets it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_status)


def exit_now(status: int, wait_s: float = 5.0) -> NoReturn:
    """Stop this process's stores and exit at once, with ``status``.

    For the signal that ends ``jinlin serve`` once its graceful period is over: a
    worker thread still inside a store call would otherwise hold the exit (Python
    joins its threads before the exit hooks run) for as long as that call lasts.
    Closing the drivers ends such calls; the store then stops cleanly.
    """
    global exit_status
    exit_status = status
    _stop_all(wait_s)
    close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _note_failure(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    global exit_status
    exit_status = 1
    _previous_hook(kind, value, tb)


_previous_hook = sys.excepthook
sys.excepthook = _note_failure
