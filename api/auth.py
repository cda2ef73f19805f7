"""Who is asking: the Caller every room passes around, and masking (roles and what
each may do: api.policy).

Shared by the rooms of ``api`` (the HTTP app makes a Caller from a token, GraphQL and
the audit log read it), so it lives at the top level; the token format itself is
``api.http.tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.policy import ROLES, Cap, allows
from graph.personal import mask as mask  # its home is graph.personal (analysis masks too)

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


