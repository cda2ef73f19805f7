"""Who is asking: the Caller every room passes around, and masking (roles and what
each may do: api.policy).

Shared by the rooms of ``api`` (the HTTP app makes a Caller from a token, GraphQL and
the audit log read it), so it lives at the top level; the token format itself is
``api.http.tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.policy import ROLES, Cap, allows

__all__ = ["ROLES", "Caller", "mask"]


@dataclass(frozen=True)
class Caller:
    """Who is asking: role, scope code (county/street/community) and the subject: the
    account or person acting (for residents, the person code they act as)."""

    role: str
    scope: str
    subject: str

    def may(self, cap: Cap) -> bool:
        """Whether the caller's role has ``cap`` (api.policy)."""
        return allows(self.role, cap)


def mask(value: Any) -> Any:
    """138****1234: keep enough digits to recognise a number, not to use it."""
    if not isinstance(value, str) or not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    keep_head = 3 if len(value) >= 11 else 1
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]
