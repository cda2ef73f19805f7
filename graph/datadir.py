"""The data directory and the secrets in it: readable by jinlin's own user only.

The directory holds the store's files (names, phone and ID numbers), the audit log
and the signing keys, so it is 0700 — tightened, with one warning, when it exists
with wider bits — and every ``jinlin`` command runs with :data:`UMASK`, so each file
created in it (the embedded ArcadeDB's too: it runs in the same process) is 0600.
A 0700 directory alone already keeps other users out of everything below it, even
files an older version left 0644, so the tree is not walked.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

UMASK = 0o077  # new files 0600, new directories 0700
log = logging.getLogger("jinlin.datadir")


def private_dir(path: str | Path) -> Path:
    """``path`` resolved, created 0700 if missing, its group/other bits cleared if not."""
    root = Path(path).resolve()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(root.stat().st_mode)
    if mode & 0o077:
        root.chmod(mode & 0o700)
        # the chmod makes this a one-time warning per directory
        log.warning("数据目录 %s 的权限是 %s，其他用户可读；已收紧为 %s（目录中有个人信息和密钥）",
                    root, oct(mode), oct(mode & 0o700))
    return root


def secret(path: Path, nbytes: int) -> str:
    """The random secret kept in ``path``: made once, mode 0600 whatever the umask."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def replace_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, mode 0600: a temporary file beside
    it, fsync'd, then renamed over it, so a reader sees the old file or the new one,
    never half of one (the caller serialises writers)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)
