"""Bearer tokens: issued by ``jinlin token``, checked on every request.

Tokens are HS256 JWTs signed with ``settings.jwt_secret``.  Only HS256 is accepted
when decoding (so ``alg: none`` and algorithm-confusion tokens are refused).  Every
token names its subject (``sub``: the account or person acting), so the audit log says
who changed what, and carries ``iat`` and ``exp`` no further apart than the server's
maximum lifetime (``settings.token_max_hours``): a leaked token stops working on its
own, whatever lifetime its issuer asked for.

A token issued to an account (``jinlin user token``: :func:`issue_account_token`) also
carries a ``jti``, listed in the account store (api.accounts), and is refused once revoked
or once its account is disabled.  Tokens from ``jinlin token`` carry no ``jti``: they
cannot be revoked one by one (only all together, by rotating the signing secret), though
one whose subject names a disabled account is refused too.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import jwt

from api.accounts import AccountError, AccountStore
from api.auth import ROLES, Caller
from graph.i18n import N_, _, translate
from graph.model import check_text
from graph.settings import Settings

ALGORITHM = "HS256"
MIN_SECRET = 32  # bytes; shorter HMAC keys are guessable offline
MAX_HOURS = Settings.token_max_hours  # the default; servers pass their setting
MAX_SUBJECT = 128  # characters
_CLAIMS = {"sub": N_("主体（sub）"), "iat": N_("签发时间（iat）"), "exp": N_("过期时间（exp）"),
           "role": N_("角色（role）"), "scope": N_("范围（scope）")}
AUTH_REQUIRED = N_("需要身份认证：请发送请求头 'Authorization: Bearer <令牌>'")


class AuthError(Exception):
    """The request carries no usable credentials (answered with 401)."""


def check_secret(secret: str) -> None:
    if len(secret.encode()) < MIN_SECRET:
        raise ValueError(_(
            "JINLIN_JWT_SECRET 至少要 {min} 个字节；可用 "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` 生成", min=MIN_SECRET))


def issue_token(
    secret: str,
    role: str,
    scope: str,
    subject: str,
    ttl_hours: float = 12.0,
    max_hours: float = MAX_HOURS,
    jti: str | None = None,
) -> str:
    """A signed token for ``jinlin token`` and the tests; ``subject`` is required (the
    audit log names it) and ``ttl_hours`` may not exceed ``max_hours``; ``jti``: the id
    of a token issued to an account (:func:`issue_account_token`)."""
    check_secret(secret)
    if role not in ROLES:
        raise ValueError(_("未知角色 {role}；可选：{roles}", role=repr(role),
                           roles=", ".join(ROLES)))
    if not scope:
        raise ValueError(_("须给出范围（县(区)、街道或社区的编码）"))
    subject = (subject or "").strip()
    if not subject:
        raise ValueError(_("令牌必须指明主体（--subject）：操作人的账号或人员编码，如 zhang.san；"
                           "居民令牌填其人员编码"))
    if len(subject) > MAX_SUBJECT:
        raise ValueError(_("主体最长 {max} 个字符，这个有 {count} 个", max=MAX_SUBJECT,
                           count=len(subject)))
    check_text(subject)
    if not 0 < ttl_hours <= max_hours:
        raise ValueError(_("令牌有效期 {hours} 小时不在允许范围内：须大于 0 且不超过 {max} 小时"
                           "（上限由 token_max_hours / JINLIN_TOKEN_MAX_HOURS 设置）",
                           hours=f"{ttl_hours:g}", max=f"{max_hours:g}"))
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "role": role,
        "scope": scope,
        "sub": subject,
        "iat": now,
        "exp": now + dt.timedelta(hours=ttl_hours),
    }
    if jti is not None:
        claims["jti"] = jti
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def issue_account_token(secret: str, accounts: AccountStore, name: str, label: str,
                        ttl_hours: float = 12.0, max_hours: float = MAX_HOURS,
                        scope: str | None = None) -> tuple[str, str]:
    """A token for account ``name`` in its role and ``scope`` (None: the account's), and
    its ``jti``: signed first (which checks the lifetime), then listed in ``accounts``
    under ``label``; a token the store refuses to list is never handed out.

    A narrower ``scope`` (a street of a county admin's county …) is what the token's
    caller is scoped to (:func:`decode_token` reads the claim); the caller of this
    function has checked that it lies within the account's (api.console.areas)."""
    account = accounts.get(name)
    if account is None:
        raise AccountError(_("账号 {name} 不存在", name=name))
    scope = scope or account.scope
    jti = uuid.uuid4().hex
    token = issue_token(secret, account.role, scope, subject=name,
                        ttl_hours=ttl_hours, max_hours=max_hours, jti=jti)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    accounts.record_token(name, label, jti, scope,
                          dt.datetime.fromtimestamp(expires, dt.UTC))
    return token, jti


def decode_token(secret: str, token: str, max_hours: float = MAX_HOURS,
                 accounts: AccountStore | None = None) -> Caller:
    """The caller behind a token, or AuthError saying why it was refused.

    Refused: a token without ``sub``, ``iat`` or ``exp``, and one whose lifetime
    ``exp - iat`` exceeds ``max_hours`` (the server's ``token_max_hours``), however
    long it still has to run; with ``accounts`` (the server's), a token the account
    store refuses (revoked, not issued, disabled account: the module's docstring).
    A token with a ``jti`` is refused when there is no account store to ask.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                            options={"require": ["exp", "iat", "role", "scope", "sub"]})
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(_missing(exc.claim)) from None
    except jwt.ExpiredSignatureError:
        raise AuthError(_("令牌已过期")) from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(_("令牌无效：{reason}", reason=exc)) from None
    role, scope, subject = claims.get("role"), claims.get("scope"), claims.get("sub")
    if role not in ROLES or not isinstance(scope, str) or not scope:
        raise AuthError(_("令牌无效：角色未知或范围为空"))
    if not isinstance(subject, str) or not subject.strip():
        raise AuthError(_missing("sub"))
    lifetime = (float(claims["exp"]) - float(claims["iat"])) / 3600
    if lifetime > max_hours + 1 / 3600:  # a second's slack: JWT times are whole seconds
        raise AuthError(_("令牌有效期 {hours} 小时超过服务器上限 {max} 小时，请重新签发",
                          hours=f"{lifetime:g}", max=f"{max_hours:g}"))
    jti = claims.get("jti")
    if jti is not None and (not isinstance(jti, str) or accounts is None):
        raise AuthError(_("令牌无效：无法核对其编号（jti）"))
    reason = accounts.refusal(subject, jti) if accounts is not None else None
    if reason is not None:
        raise AuthError(_("令牌被拒绝：{reason}", reason=reason))
    # an account bound to a person (an invited member or resident: api.invitations) acts
    # as that person, with a token as in the console
    account = accounts.get(subject) if accounts is not None and jti is not None else None
    acting = account.person if account is not None and account.person else subject
    return Caller(role=role, scope=scope, subject=acting)


def _missing(claim: str) -> str:
    """The refusal of a token without ``claim``."""
    return _("令牌缺少{claim}", claim=translate(_CLAIMS[claim]) if claim in _CLAIMS else claim)


def bearer(header: str | None) -> str:
    kind, _sep, token = (header or "").partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise AuthError(translate(AUTH_REQUIRED))
    return token.strip()
