"""Console sessions: who is signed in, behind an opaque cookie.

Why server-side and in memory, not a signed cookie: a session must end the moment its
account is disabled, its password reset or the user signs out, and a signed cookie would
stay valid until it expires.  The cost is that a restart signs everyone out, which staff
accept (a county has tens of people signed in at once, not thousands).  The store is
bounded: past ``MAX_SESSIONS`` the least recently used session goes.

Each session carries its CSRF token (synchroniser-token pattern): every form and every
cookie-authenticated POST must echo it (api.console.web checks), so another site that
makes the browser post with the cookie is refused.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

COOKIE = "jinlin_session"
MAX_SESSIONS = 10_000
Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Session:
    """One signed-in browser: the account, the CSRF token its forms echo, and when it
    began and was last used (for the idle and absolute limits)."""

    key: str
    account: str
    csrf: str
    started: dt.datetime
    seen: dt.datetime

    def csrf_ok(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf.encode())


class Sessions:
    """The live sessions of one server (see the module's docstring)."""

    def __init__(self, idle: dt.timedelta, longest: dt.timedelta,
                 clock: Clock = _utcnow) -> None:
        self.idle, self.longest, self.clock = idle, longest, clock
        self._lock = threading.Lock()
        self._live: OrderedDict[str, Session] = OrderedDict()

    def start(self, account: str) -> Session:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), account, secrets.token_urlsafe(32),
                          now, now)
        with self._lock:
            self._live[session.key] = session
            while len(self._live) > MAX_SESSIONS:
                self._live.popitem(last=False)
        return session

    def get(self, key: str | None, touch: bool = True) -> Session | None:
        """The live session behind ``key`` (its last use now, unless not ``touch``: a
        subscription socket checking it again is no use), or None when there is none
        or it has run past either limit (then it is gone)."""
        if not key:
            return None
        now = self.clock()
        with self._lock:
            session = self._live.get(key)
            if session is None:
                return None
            if now - session.seen > self.idle or now - session.started > self.longest:
                del self._live[key]
                return None
            if not touch:
                return session
            session = replace(session, seen=now)
            self._live[key] = session
            self._live.move_to_end(key)
            return session

    def end(self, key: str | None) -> None:
        with self._lock:
            self._live.pop(key or "", None)

    def end_all(self, account: str, keep: str | None = None) -> None:
        """Sign ``account`` out everywhere (but ``keep``): after a password change,
        a reset or disabling."""
        with self._lock:
            for key in [k for k, s in self._live.items() if s.account == account and k != keep]:
                del self._live[key]
