"""``jinlin user add|list|disable|reset|token|revoke``: the accounts of api.accounts.

Each command writes one audit line (api.cli.auditing.audited: who is ``--by`` or the
operating-system user), never with a password in it.  The only password ever printed is
the one-time password of ``add`` and ``reset``, shown once; the person must change it at
first sign-in.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from api.cli import auditing
from api.cli.config import settings_of, store_has_scope, with_secret
from api.cli.texts import HELP_TTL_HOURS
from api.policy import ROLES
from graph.i18n import _, translate
from graph.settings import Settings

if TYPE_CHECKING:  # api.accounts hashes a password when imported: not for `jinlin report`
    from api.accounts import AccountStore

DEMO_ACCOUNT = "demo-admin"


def _accounts(settings: Settings) -> AccountStore:
    from api.accounts import AccountStore

    return AccountStore.in_data_dir(settings.data_dir)


def _password_lines(password: str) -> None:
    print(_("一次性密码（只显示这一次，首次登录后须修改）：{password}", password=password))


def cmd_add(args: argparse.Namespace) -> int:
    who = auditing.person(args.by)
    settings = settings_of(args)
    arguments = {"name": args.name, "displayName": args.display_name or args.name,
                 "role": args.role, "scope": args.scope}
    account, password = auditing.audited(
        settings.data_dir, who, "userAdd", arguments, scope=args.scope,
        work=lambda: _accounts(settings).add(args.name, args.display_name or args.name,
                                             args.role, args.scope,
                                             lambda s: store_has_scope(settings, s)))
    print(_("已创建账号 {name}（{display}，角色 {role}，范围 {scope}）", name=account.name,
            display=account.display_name, role=account.role, scope=account.scope))
    _password_lines(password)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    who = auditing.person(args.by)
    settings = settings_of(args)
    store = _accounts(settings)
    accounts = auditing.audited(settings.data_dir, who, "userList", {},
                                lambda: store.accounts())
    now = store.clock()
    for account in sorted(accounts.values(), key=lambda a: a.name):
        print("\t".join([account.name, account.display_name, account.role, account.scope,
                         account.state(now),
                         _("有效令牌 {count}", count=len(account.live_tokens(now)))]))
    if not accounts:
        print(_("还没有账号：用 `jinlin user add` 创建"))
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    who = auditing.person(args.by)
    settings = settings_of(args)
    account = auditing.audited(settings.data_dir, who, "userDisable", {"name": args.name},
                               lambda: _accounts(settings).disable(args.name))
    print(_("已停用账号 {name}：它的令牌一律拒绝", name=account.name))
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    who = auditing.person(args.by)
    settings = settings_of(args)
    account, password = auditing.audited(settings.data_dir, who, "userReset",
                                         {"name": args.name},
                                         lambda: _accounts(settings).reset(args.name))
    print(_("已重置账号 {name} 的密码，并解除锁定", name=account.name))
    _password_lines(password)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Prints the token alone on standard output (for scripts); what it is, on stderr."""
    from api.http.tokens import issue_account_token

    who = auditing.person(args.by)
    settings = with_secret(settings_of(args))
    store = _accounts(settings)
    arguments: dict[str, Any] = {"name": args.name, "label": args.label,
                                 "ttlHours": args.ttl_hours}

    def issue() -> str:
        token, jti = issue_account_token(settings.jwt_secret, store, args.name, args.label,
                                         args.ttl_hours, settings.token_max_hours)
        arguments["jti"] = jti
        return token

    token = auditing.audited(settings.data_dir, who, "userToken", arguments, issue)
    print(token)
    print(_("已为账号 {name} 签发令牌“{label}”，jti {jti}，有效期 {hours} 小时；"
            "吊销：jinlin user revoke {name} {jti}", name=args.name, label=args.label,
            jti=arguments["jti"], hours=f"{args.ttl_hours:g}"), file=sys.stderr)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    who = auditing.person(args.by)
    settings = settings_of(args)
    arguments = {"name": args.name, "token": args.token}
    issued = auditing.audited(settings.data_dir, who, "userRevoke", arguments,
                              lambda: _accounts(settings).revoke(args.name, args.token))
    print(_("已吊销账号 {name} 的令牌“{label}”（jti {jti}）", name=args.name,
            label=issued.label, jti=issued.jti))
    return 0


def demo_account(settings: Settings, who: str, county: str) -> None:
    """``jinlin demo``: a county admin account for the demo county, made once; its
    one-time password is printed when it is made."""
    store = _accounts(settings)
    if store.get(DEMO_ACCOUNT) is not None:
        print(_("示例账号 {name} 已存在（忘记密码时：jinlin user reset {name}）",
                name=DEMO_ACCOUNT))
        return
    display = _("示例县级管理员")
    arguments = {"name": DEMO_ACCOUNT, "displayName": display, "role": "county_admin",
                 "scope": county}
    account, password = auditing.audited(
        settings.data_dir, who, "userAdd", arguments, scope=county,
        work=lambda: store.add(DEMO_ACCOUNT, display, "county_admin", county,
                               lambda s: s == county))
    print(_("示例账号：{name}（县级管理员）", name=account.name))
    _password_lines(password)
    print(_("工作台：http://{host}:{port}/ ，用此账号登录", host=settings.host,
            port=settings.port))


def add_commands(sub: Any, data_dir: str, help_by: str) -> None:
    """Add ``user`` and its subcommands to the ``jinlin`` parser's subcommands ``sub``;
    ``data_dir`` and ``help_by`` are the help texts of ``--data-dir`` and ``--by``."""
    user = sub.add_parser("user", help=_("账号：创建、列出、停用、重置密码，签发和吊销令牌"),
                          description=_("账号保存在数据目录的 accounts.json 中（仅本用户可读）；"
                                        "每个命令在审计日志中记一行"))
    kinds = user.add_subparsers(dest="what", required=True, help=_("要执行的账号命令"))
    name_help = _("用户名（字母、数字或 . _ @ -）")

    def command(what: str, func: Any, help_: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = kinds.add_parser(what, help=help_, description=help_)
        p.add_argument("--data-dir", help=data_dir)
        p.add_argument("--by", help=help_by)
        p.set_defaults(func=func)
        if what != "list":
            p.add_argument("name", metavar="NAME", help=name_help)
        return p

    p = command("add", cmd_add, _("创建账号，并显示一次性密码"))
    p.add_argument("--role", required=True, choices=ROLES,
                   help=_("角色（见 api/README.md 的角色表）"))
    p.add_argument("--scope", required=True, help=_("范围：县(区)、街道或社区的编码，须已在存储中"))
    p.add_argument("--display-name", help=_("显示名（默认同用户名）"))
    command("list", cmd_list, _("列出账号：用户名、显示名、角色、范围、状态、有效令牌数"))
    command("disable", cmd_disable, _("停用账号：不能再登录，它的令牌一律拒绝"))
    command("reset", cmd_reset, _("重置密码：显示新的一次性密码，并解除锁定"))
    p = command("token", cmd_token, _("为账号签发可吊销的令牌（账号的角色和范围）"))
    p.add_argument("--name", dest="label", required=True, metavar="LABEL",
                   help=_("令牌名，如 laptop；同一账号的有效令牌不可重名"))
    p.add_argument("--ttl-hours", type=float, default=12.0,
                   help=translate(HELP_TTL_HOURS))
    p = command("revoke", cmd_revoke, _("吊销账号的一个令牌"))
    p.add_argument("token", metavar="JTI|LABEL", help=_("令牌的 jti 或令牌名"))
