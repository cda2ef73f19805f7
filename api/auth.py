"""Who is asking: the roles, the Caller every room passes around, and masking.

Shared by the rooms of ``api`` (the HTTP app makes a Caller from a token, GraphQL and
the audit log read it), so it lives at the top level; the token format itself is
``api.http.tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ROLES = ("county_admin", "street_staff", "community_staff", "analyst", "resident")
STAFF = frozenset({"county_admin", "street_staff", "community_staff"})


@dataclass(frozen=True)
class Caller:
    """Who is asking: role, scope code (county/street/community) and the subject: the
    account or person acting (for residents, the person code they act as)."""

    role: str
    scope: str
    subject: str

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def sees_personal(self) -> bool:
        """Phone and ID numbers are shown only to staff who serve residents."""
        return self.role in STAFF


def mask(value: Any) -> Any:
    """138****1234: keep enough digits to recognise a number, not to use it."""
    if not isinstance(value, str) or not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    keep_head = 3 if len(value) >= 11 else 1
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]
