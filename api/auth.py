"""Bearer tokens, roles and what each role may see or change.

Tokens are HS256 JWTs signed with ``settings.jwt_secret``.  Only HS256 is accepted
when decoding (so ``alg: none`` and algorithm-confusion tokens are refused), and
``exp`` is required: a leaked token stops working on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import jwt

ROLES = ("county_admin", "street_staff", "community_staff", "analyst", "resident")
STAFF = frozenset({"county_admin", "street_staff", "community_staff"})
ALGORITHM = "HS256"
MIN_SECRET = 32  # bytes; shorter HMAC keys are guessable offline


class AuthError(Exception):
    """The request carries no usable credentials (answered with 401)."""


@dataclass(frozen=True)
class Caller:
    """Who is asking: role, scope code (county/street/community) and, for residents,
    the person code they act as."""

    role: str
    scope: str
    subject: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def sees_personal(self) -> bool:
        """Phone and ID numbers are shown only to staff who serve residents."""
        return self.role in STAFF


def check_secret(secret: str) -> None:
    if len(secret.encode()) < MIN_SECRET:
        raise ValueError(
            f"JINLIN_JWT_SECRET must be at least {MIN_SECRET} bytes; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )


def issue_token(
    secret: str,
    role: str,
    scope: str,
    subject: str | None = None,
    ttl_hours: float = 12.0,
) -> str:
    """A signed token for ``jinlin token`` and the tests."""
    check_secret(secret)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    if not scope:
        raise ValueError("a scope (county, street or community code) is required")
    if role == "resident" and not subject:
        raise ValueError("a resident token needs the person code as subject")
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "role": role,
        "scope": scope,
        "iat": now,
        "exp": now + dt.timedelta(hours=ttl_hours),
    }
    if subject:
        claims["sub"] = subject
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> Caller:
    """The caller behind a token, or AuthError saying why it was refused."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "role", "scope"]}
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("token expired") from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"invalid token: {exc}") from None
    role, scope, subject = claims.get("role"), claims.get("scope"), claims.get("sub")
    if role not in ROLES or not isinstance(scope, str) or not scope:
        raise AuthError("invalid token: unknown role or empty scope")
    if role == "resident" and not subject:
        raise AuthError("invalid token: resident token without subject")
    return Caller(role=role, scope=scope, subject=subject if isinstance(subject, str) else None)


def bearer(header: str | None) -> str:
    if not header:
        raise AuthError("authentication required: send 'Authorization: Bearer <token>'")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise AuthError("authentication required: send 'Authorization: Bearer <token>'")
    return token.strip()


def mask(value: Any) -> Any:
    """138****1234: keep enough digits to recognise a number, not to use it."""
    if not isinstance(value, str) or not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    keep_head = 3 if len(value) >= 11 else 1
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]
