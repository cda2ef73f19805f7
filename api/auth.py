"""Bearer tokens and the caller they name (what each role may do: api.policy).

Tokens are HS256 JWTs signed with ``settings.jwt_secret``.  Only HS256 is accepted
when decoding (so ``alg: none`` and algorithm-confusion tokens are refused).  Every
token names its subject (``sub``: the account or person acting), so the audit log says
who changed what, and carries ``iat`` and ``exp`` no further apart than the server's
maximum lifetime (``settings.token_max_hours``): a leaked token stops working on its
own, whatever lifetime its issuer asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import jwt

from api.policy import ROLES, Cap, allows
from graph.model import check_text
from graph.personal import mask as mask  # its home is graph.personal (analysis masks too)
from graph.settings import Settings

ALGORITHM = "HS256"
MIN_SECRET = 32  # bytes; shorter HMAC keys are guessable offline
MAX_HOURS = Settings.token_max_hours  # the default; servers pass their setting
MAX_SUBJECT = 128  # characters
_CLAIMS_ZH = {"sub": "主体（sub）", "iat": "签发时间（iat）", "exp": "过期时间（exp）",
              "role": "角色（role）", "scope": "范围（scope）"}


class AuthError(Exception):
    """The request carries no usable credentials (answered with 401)."""


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
    subject: str,
    ttl_hours: float = 12.0,
    max_hours: float = MAX_HOURS,
) -> str:
    """A signed token for ``jinlin token`` and the tests; ``subject`` is required (the
    audit log names it) and ``ttl_hours`` may not exceed ``max_hours``."""
    check_secret(secret)
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    if not scope:
        raise ValueError("a scope (county, street or community code) is required")
    subject = (subject or "").strip()
    if not subject:
        raise ValueError("令牌必须指明主体（--subject）：操作人的账号或人员编码，如 zhang.san；"
                         "居民令牌填其人员编码")
    if len(subject) > MAX_SUBJECT:
        raise ValueError(f"主体最长 {MAX_SUBJECT} 个字符，这个有 {len(subject)} 个")
    check_text(subject)
    if not 0 < ttl_hours <= max_hours:
        raise ValueError(f"令牌有效期 {ttl_hours:g} 小时不在允许范围内：须大于 0 且不超过 "
                         f"{max_hours:g} 小时（上限由 token_max_hours / "
                         "JINLIN_TOKEN_MAX_HOURS 设置）")
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "role": role,
        "scope": scope,
        "sub": subject,
        "iat": now,
        "exp": now + dt.timedelta(hours=ttl_hours),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str, max_hours: float = MAX_HOURS) -> Caller:
    """The caller behind a token, or AuthError saying why it was refused.

    Refused: a token without ``sub``, ``iat`` or ``exp``, and one whose lifetime
    ``exp - iat`` exceeds ``max_hours`` (the server's ``token_max_hours``), however
    long it still has to run.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": ["exp", "iat", "role", "scope", "sub"]})
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"令牌缺少{_CLAIMS_ZH.get(exc.claim, exc.claim)}") from None
    except jwt.ExpiredSignatureError:
        raise AuthError("token expired") from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"invalid token: {exc}") from None
    role, scope, subject = claims.get("role"), claims.get("scope"), claims.get("sub")
    if role not in ROLES or not isinstance(scope, str) or not scope:
        raise AuthError("invalid token: unknown role or empty scope")
    if not isinstance(subject, str) or not subject.strip():
        raise AuthError("令牌缺少主体（sub）")
    lifetime = (float(claims["exp"]) - float(claims["iat"])) / 3600
    if lifetime > max_hours + 1 / 3600:  # a second's slack: JWT times are whole seconds
        raise AuthError(f"令牌有效期 {lifetime:g} 小时超过服务器上限 {max_hours:g} 小时，"
                        "请重新签发")
    return Caller(role=role, scope=scope, subject=subject)


def bearer(header: str | None) -> str:
    if not header:
        raise AuthError("authentication required: send 'Authorization: Bearer <token>'")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise AuthError("authentication required: send 'Authorization: Bearer <token>'")
    return token.strip()
