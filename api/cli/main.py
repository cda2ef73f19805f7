"""The ``jinlin`` command line: demo, serve, load, template, generate, stats, token, report,
check; ``export`` and ``whatif`` (api.cli.export), ``user`` (api.cli.users).

Every command reads settings from the environment / config file (graph.settings) and
accepts ``--data-dir`` for the embedded store.  Errors a user can fix (bad ledgers, a
locked data directory, an unreachable store) are printed as one clear message with
exit status 2 — never a stack trace.  Every command runs with umask 077: the files it
makes (the embedded store's included) are readable by this user only.

Starting is kept cheap for the short commands (issue 13: a cold ``jinlin report`` of a
county in seconds): the modules of other commands are imported inside them; the reading
commands (:func:`_open_reading`) open the store without applying the schema (``serve``,
``demo``, ``load`` and ``restore`` apply it, as ``jinlin export`` never did); the short
ones (:data:`QUICK`) start the JVM, when no ``jinlin serve`` runs on the data directory
to join, with graph.embedded's quick-start options.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.cli import auditing, users
from api.cli import export as cli_export
from api.cli.config import settings_of, store_has_scope, with_secret
from api.cli.progress import Progress
from api.cli.texts import (
    EVALUATED,
    HELP_AS_OF,
    HELP_DATA_DIR,
    HELP_SCOPE,
    HELP_TTL_HOURS,
    WROTE,
    XLSX_NEEDS_OUT,
)
from api.policy import ROLES
from graph import embedded
from graph.datadir import UMASK
from graph.dates import parse_as_of
from graph.i18n import LANGS, _, language, set_lang, translate
from graph.open import open_store
from graph.queries import FIRST_COUNTY
from graph.settings import Settings
from graph.store import Store, StoreError
from graph.writer import WriteSummary, counts, is_empty

if TYPE_CHECKING:
    from api.graphql.alerts import Background

# Commands that end within seconds: their JVM is started for a quick start.
QUICK = frozenset({"report", "stats", "check", "dump", "token", "export", "whatif", "user"})


def _open_reading(args: argparse.Namespace) -> Store:
    """The store for a command that only reads it: the schema is not applied (reads do
    not need it, and its statements cost a round trip each)."""
    return open_store(settings_of(args), apply=False)


def _print_summary(summary: WriteSummary) -> None:
    print("\n".join(summary.lines()))


def cmd_load(args: argparse.Namespace) -> int:
    from analysis.check import check, render
    from analysis.fetch import find_scope
    from loaders.ledger import load_ledgers

    who = auditing.person(args.by)
    settings = settings_of(args)
    store = open_store(settings)
    evaluation: Background | None = None
    try:
        label, code = find_scope(store, args.replace) if args.replace else ("", "")
        arguments: dict[str, Any] = {"files": auditing.ledger_facts(args.paths)}
        if args.replace:
            arguments["replace"] = f"{label}:{code}"
        summary = auditing.audited_write(
            store, settings.data_dir, who, "loadReplace" if args.replace else "load",
            arguments, scope=code or auditing.ANY_SCOPE,
            work=lambda audited: _load_replacing(audited, args, settings, label, code)
            if args.replace else load_ledgers(audited, args.paths, batch_size=settings.batch_size,
                                              progress=Progress("load"), bulk=True))
        if summary is None:
            return 1
        evaluation = _evaluate_in_background(store, settings, "load")
        warnings = check(store)  # the whole store: a ledger may place what an earlier left
        _print_summary(summary)
        if args.replace:
            from loaders.replace import render_deleted

            print(render_deleted(summary))
        if warnings:
            print("\n".join(render(warnings)))
        _print_evaluation(evaluation)
    finally:
        _close_after(store, evaluation)
    return 0


def _evaluate_in_background(store: Store, settings: Settings, trigger: str) -> Background:
    """Bring the alerts up to date with what was just written while the command says
    what it wrote (api.graphql.alerts.Background: one audit line naming the service,
    none when the store holds no rule)."""
    from api.audit import AuditLog
    from api.graphql.alerts import Background

    evaluation = Background(store, AuditLog.in_data_dir(settings.data_dir), None)
    evaluation.ask(trigger)
    return evaluation


def _print_evaluation(evaluation: Background) -> None:
    """Once ``evaluation`` is over, what it did (nothing when there was no rule)."""
    evaluation.wait()
    if evaluation.last is not None:
        print(translate(EVALUATED).format(raised=len(evaluation.last.raised),
                                          cleared=len(evaluation.last.cleared)))


def _close_after(store: Store, evaluation: Background | None) -> None:
    """Close ``store`` once ``evaluation`` (if any) is over: it is not lost on exit."""
    if evaluation is not None:
        evaluation.wait()
    store.close()


def _evaluate_alerts(store: Store, settings: Settings, trigger: str) -> int:
    """Bring the alerts up to date with what was just imported (api.graphql.alerts: one
    audit line naming the service, none when the store holds no rule); how many alerts
    were raised."""
    from api.audit import AuditLog
    from api.graphql.alerts import run_evaluation

    changes = run_evaluation(store, AuditLog.in_data_dir(settings.data_dir), None, trigger)
    return len(changes.raised) if changes else 0


def _load_replacing(store: Store, args: argparse.Namespace, settings: Settings,
                    label: str, code: str) -> WriteSummary | None:
    """``load --replace``: validate, show what would be deleted, ask, then delete and
    import in one transaction (loaders.replace).  None when the person said no."""
    from loaders.ledger import read_ledgers
    from loaders.replace import ReplaceRefused, load_replacing, plan_replace, render_plan

    ledger = read_ledgers(args.paths, store, batch_size=settings.batch_size,
                          progress=Progress("load"))
    plan = plan_replace(store.read, ledger, label, code, settings.batch_size)
    print("\n".join(render_plan(plan)), flush=True)
    if not plan.empty and not args.yes:
        if not sys.stdin.isatty():
            raise ReplaceRefused(_("没有终端可以确认删除：确认无误后请加 --yes 再运行；"
                                   "未写入任何内容"))
        try:
            answer = input(_("确认删除以上内容并导入？[y/N] "))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes", "是"):
            print(_("已取消，未写入任何内容。"))
            return None
    return load_replacing(store, ledger, plan, settings.batch_size, progress=Progress("load"))


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when nothing is unplaced or contradictory, 1 when anything is."""
    from analysis.check import check, render
    from analysis.fetch import find_scope

    parse_as_of(args.as_of)  # refused before the store starts
    store = _open_reading(args)
    try:
        label, code = find_scope(store, args.scope) if args.scope else (None, None)
        findings = check(store, label, code, as_of=args.as_of)
    finally:
        store.close()
    print("\n".join(render(findings)))
    return 1 if findings else 0


def cmd_template(args: argparse.Namespace) -> int:
    from loaders.ledger_writer import write_templates

    files = write_templates(args.dir, chinese=not args.english)
    print(_("已将 {count} 个空白台账写入 {dir}（templates.xlsx，另每张表一个 CSV 文件）",
            count=len(files), dir=args.dir))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from loaders.synthetic import generate

    rows = generate(args.preset, args.seed, args.out, fmt=args.format,
                    progress=Progress("generate"))
    print(_("已将 {sheets} 张表共 {rows} 行写入 {out}", rows=f"{sum(rows.values()):,}",
            sheets=len(rows), out=args.out))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    store = _open_reading(args)
    try:
        labels, types = counts(store)
    finally:
        store.close()
    print(_("节点"))
    for label, n in labels.items():
        print(f"  {label:<18}{n:>10,}")
    print(_("关系"))
    for rel_type, n in types.items():
        print(f"  {rel_type:<18}{n:>10,}")
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    from graph.backup import dump

    store = _open_reading(args)
    try:
        nodes, rels = dump(store, args.file, progress=Progress("dump"))
    finally:
        store.close()
    print(_("已将 {nodes} 个节点和 {rels} 条关系写入 {file}", nodes=f"{nodes:,}",
            rels=f"{rels:,}", file=args.file))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from graph.backup import restore

    who = auditing.person(args.by)
    settings = settings_of(args)
    store = open_store(settings)
    evaluation: Background | None = None
    try:
        arguments = {"files": auditing.file_facts([(args.file, Path(args.file))]),
                     "force": args.force}
        summary = auditing.audited_write(
            store, settings.data_dir, who, "restore", arguments,
            lambda audited: restore(audited, args.file, force=args.force,
                                    batch_size=settings.batch_size, progress=Progress("restore"),
                                    bulk=True))
        assert summary is not None  # a restore asks nobody
        # the restored alerts are as they were when dumped: brought up to date
        evaluation = _evaluate_in_background(store, settings, "restore")
        _print_summary(summary)
        _print_evaluation(evaluation)
    finally:
        _close_after(store, evaluation)
    return 0


def _serve(settings: Settings, store: Store | None = None) -> int:
    from api.graphql.introspection import introspection_allowed
    from api.http import server
    from api.http.observability import check_metrics_token, configure_logging, observed_app

    configure_logging()
    check_metrics_token(settings.metrics_token)  # refused before the store starts
    introspection_allowed(settings)  # a bad JINLIN_INTROSPECTION too
    settings = with_secret(settings)
    store = store or open_store(settings, require=False)
    app = observed_app(settings, store)
    print(_("jinlin：GraphiQL 在 {url}（健康检查：/health；指标：/metrics，需 "
            "JINLIN_METRICS_TOKEN）。按 Ctrl-C 停止。",
            url=f"http://{settings.host}:{settings.port}/graphql"), flush=True)
    server.run(app, settings.host, settings.port, settings.max_body_bytes)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    return _serve(settings_of(args))


def cmd_demo(args: argparse.Namespace) -> int:
    """Generate the county preset into the store once, then serve it."""
    from loaders.ledger import load_ledgers
    from loaders.synthetic import generate

    who = auditing.person(args.by)
    settings = settings_of(args)
    store = open_store(settings)
    try:
        if is_empty(store):
            with tempfile.TemporaryDirectory(prefix="jinlin-demo-") as tmp:
                print(_("jinlin demo：正在生成县(区)示例数据（种子 {seed}）…", seed=args.seed))
                generate("county", args.seed, tmp, progress=Progress("generate"))
                arguments = {"files": auditing.ledger_facts([tmp]),
                             "generated": {"preset": "county", "seed": args.seed}}
                summary = auditing.audited_write(
                    store, settings.data_dir, who, "load", arguments,
                    lambda audited: load_ledgers(audited, [tmp], batch_size=settings.batch_size,
                                                 progress=Progress("load"), bulk=True))
            assert summary is not None  # a load asks nobody
            _print_summary(summary)
            _seed_alert_rules(store, settings, who)
        else:
            print(_("jinlin demo：{dir} 中的存储已有数据，按原样提供服务"
                    "（要从头开始，请删除该目录）。", dir=Path(settings.data_dir).resolve()))
        county = store.read(FIRST_COUNTY)
        if county:
            from api.http.tokens import issue_token

            hours = min(24.0, settings.token_max_hours)
            token = issue_token(with_secret(settings).jwt_secret, "county_admin",
                                county[0]["code"], subject="demo-admin", ttl_hours=hours,
                                max_hours=settings.token_max_hours)
            print(_("{name}（{code}）的县级管理员令牌，有效期 {hours} 小时，主体为 demo-admin"
                    "（审计日志记录此名）；在 GraphiQL 中添加请求头\n  Authorization: Bearer "
                    "{token}", name=county[0]["name"], code=county[0]["code"],
                    hours=f"{hours:g}", token=token))
            users.demo_account(settings, who, county[0]["code"])
        if args.no_serve:
            print(_("数据已就绪。下一步：`jinlin serve`、`jinlin stats` 或 `jinlin report`。"))
            return 0
        return _serve(settings, store)
    finally:
        store.close()


def _seed_alert_rules(store: Store, settings: Settings, who: str) -> None:
    """The demo county gets analysis.alerts' default rules (audited like the load), and
    its first alerts at once."""
    from analysis.alerts import seed_rules

    seeded = 0
    for row in store.read(FIRST_COUNTY):
        code: str = row["code"]
        summary = auditing.audited_write(store, settings.data_dir, who, "seed_alert_rules",
                                         {"county": code}, partial(seed_rules, county=code))
        seeded += summary.counts[("AlertRule", "created")] if summary else 0
    raised = _evaluate_alerts(store, settings, "demo")
    print(_("jinlin demo：已设置 {rules} 条默认预警规则，发出 {alerts} 条预警（/alerts）",
            rules=seeded, alerts=raised))


def cmd_token(args: argparse.Namespace) -> int:
    """Refuses a scope the store does not hold: such a token would be refused at every
    request.  The store is opened for that after the checks that need none.  The token
    has no ``jti``: it cannot be revoked by itself (``jinlin user token`` issues ones
    that can)."""
    from analysis.fetch import ScopeNotFound
    from api.http.tokens import issue_token

    settings = with_secret(settings_of(args))
    token = issue_token(settings.jwt_secret, args.role, args.scope, subject=args.subject,
                        ttl_hours=args.ttl_hours, max_hours=settings.token_max_hours)
    if not store_has_scope(settings, args.scope):
        raise ScopeNotFound(_("范围 {scope} 不存在（县/街道/社区编码）", scope=args.scope))
    print(token)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.fetch import find_scope
    from analysis.report import render_report

    parse_as_of(args.as_of)  # refused before the store starts
    if args.each_county:
        return _report_each_county(args)
    if args.workers is not None:
        raise ValueError(_("--workers 只能与 --each-county 一起用"))
    store = _open_reading(args)
    try:
        label, code = find_scope(store, args.scope)
        out = render_report(store, label, code, args.format, as_of=args.as_of)
    finally:
        store.close()
    if args.out:
        Path(args.out).write_bytes(out if isinstance(out, bytes) else out.encode("utf-8"))
        print(translate(WROTE).format(path=args.out))
    elif isinstance(out, bytes):
        print(translate(XLSX_NEEDS_OUT), file=sys.stderr)
        return 2
    else:
        print(out)
    return 0


def _report_each_county(args: argparse.Namespace) -> int:
    """``jinlin report --each-county``: one report per county, written by a pool of
    processes (analysis.batch), each file whole or not at all."""
    from analysis import batch
    from analysis.report import SUFFIXES, written_report

    if args.scope or not args.out:
        raise ValueError(_("--each-county 须与 --out 目录一起用，且不能再给 --scope"))
    if args.workers is not None and args.workers < 1:
        raise ValueError(_("--workers 须至少为 1，收到 {n}", n=args.workers))
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(_("--out {path} 已是一个文件：--each-county 要写入目录", path=str(out)))
    out.mkdir(parents=True, exist_ok=True)
    settings = settings_of(args)
    store = _open_reading(args)
    done: list[batch.Outcome[str]] = []
    codes: list[str] = []
    started = time.time()
    try:
        codes = batch.counties(store)
        task = partial(written_report, out=str(out), fmt=args.format, as_of=args.as_of)
        done.extend(batch.each_county(settings, task, codes, store, args.workers,
                                      Progress(_("各县(区)报告"))))
    except KeyboardInterrupt as exc:  # counties already running finish first: count files
        written = sum(1 for c in codes if _written_since(out / f"{c}{SUFFIXES[args.format]}",
                                                         started))
        raise KeyboardInterrupt(_("已中断：{n} 份报告已写入 {dir}，其余未写", n=written,
                                  dir=str(out))) from exc
    finally:
        store.close()
    failed = [o for o in done if o.error]
    print(_("已写入 {n} 份报告到 {dir}", n=len(codes) - len(failed), dir=str(out)))
    for o in sorted(failed, key=lambda o: o.county):
        print(_("{county} 未能生成：{why}", county=o.county, why=o.error), file=sys.stderr)
    return 1 if failed else 0


def _written_since(path: Path, started: float) -> bool:
    return path.exists() and path.stat().st_mtime >= started


def _parser() -> argparse.ArgumentParser:
    """The command line, its help in the language in force (built once ``--lang`` is
    known: :func:`main`)."""
    parser = argparse.ArgumentParser(prog="jinlin", description=_("近邻 — 社区党建图谱服务"))
    parser.add_argument("--lang", choices=LANGS, help=_(
        "界面语言：zh 中文（默认）或 en 英文；可放在命令前或命令后，默认取 JINLIN_LANG"))
    sub = parser.add_subparsers(dest="command", required=True, help=_("要执行的命令"))
    data_dir, scope, as_of = translate(HELP_DATA_DIR), translate(HELP_SCOPE), translate(HELP_AS_OF)
    host = _("监听地址（默认 127.0.0.1，只在本机可访问；JINLIN_HOST）")
    port = _("监听端口（默认 8000；JINLIN_PORT）")
    seed = _("随机种子（默认 1）：同一种子生成同样的数据")
    dump_file = _("备份文件（gzip 压缩的 JSON 行，含个人信息，创建为仅本用户可读）")
    help_by = _("操作人：审计日志记录为 who（默认当前系统用户）")

    def command(name: str, func: Callable[[argparse.Namespace], int], help_: str,
                store: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        if store:
            p.add_argument("--data-dir", help=data_dir)
        p.set_defaults(func=func)
        return p

    p = command("demo", cmd_demo, _("第一次运行时把县(区)示例数据生成到存储中，然后提供服务"))
    p.add_argument("--seed", type=int, default=1, help=seed)
    p.add_argument("--host", help=host)
    p.add_argument("--port", type=int, help=port)
    p.add_argument("--no-serve", action="store_true", help=_("只准备数据，不启动服务"))
    p.add_argument("--by", help=help_by)

    p = command("serve", cmd_serve, _("提供 GraphQL 接口服务"))
    p.add_argument("--host", help=host)
    p.add_argument("--port", type=int, help=port)

    p = command("load", cmd_load, _("校验台账（.xlsx/.csv 或目录）并导入；有任何问题则不写入"))
    p.add_argument("paths", nargs="+", help=_("台账文件或目录，可给多个"))
    p.add_argument("--batch-size", type=int,
                   help=_("每次写入存储的行数（默认 2000；JINLIN_BATCH_SIZE）"))
    p.add_argument("--replace", metavar=_("类型:编码"), help=_(
        "按范围替换（县(区)、街道(乡镇)或社区，如 Street:C01-S01）：文件中有的表，删除该范围内"
        "只属于它、而文件中已没有的节点和关系，与导入在同一事务中；先列出要删除的内容并要求确认。"
        "不加此项则从不删除"))
    p.add_argument("--yes", action="store_true",
                   help=_("与 --replace 一起用：不询问，直接删除并导入（供脚本使用）"))
    p.add_argument("--by", help=help_by)

    p = command("template", cmd_template, _("写出空白台账模板"), store=False)
    p.add_argument("dir", help=_("模板写入的目录"))
    p.add_argument("--english", action="store_true", help=_("使用英文表头（默认中文）"))

    p = command("generate", cmd_generate, _("生成合成的示例台账"), store=False)
    p.add_argument("--preset", choices=["county", "city", "province"], default="county",
                   help=_("规模：county 一个县(区)（默认）、city 10 个县(区)、"
                          "province 100 个县(区)"))
    p.add_argument("--seed", type=int, default=1, help=seed)
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv",
                   help=_("台账格式：csv（默认，每表一个文件）或 xlsx"))
    p.add_argument("out", help=_("台账写入的目录"))

    command("stats", cmd_stats, _("按类型统计存储中的节点数和关系数"))

    p = command("dump", cmd_dump, _("把整个图谱写入一个可移植的备份文件"))
    p.add_argument("file", help=dump_file)
    p = command("restore", cmd_restore, _("把备份文件载入空的存储"))
    p.add_argument("file", help=dump_file)
    p.add_argument("--force", action="store_true", help=_("存储不空时也载入，与已有数据合并"))
    p.add_argument("--by", help=help_by)

    p = command("token", cmd_token, _("签发 API 令牌（密钥：JINLIN_JWT_SECRET，"
                                      "否则用 `jinlin serve` 保存在数据目录中的密钥）"))
    p.add_argument("--role", required=True, choices=ROLES,
                   help=_("角色，决定令牌能读写什么（见 api/README.md 的角色表）"))
    p.add_argument("--scope", required=True, help=_("令牌的范围：县(区)、街道或社区的编码"))
    p.add_argument("--subject", required=True, help=_(
        "主体：持令牌操作的账号或人员（如 zhang.san 或人员编码），审计日志记录为 who；"
        "居民令牌填其人员编码"))
    p.add_argument("--ttl-hours", type=float, default=12.0,
                   help=translate(HELP_TTL_HOURS))

    p = command("report", cmd_report, _("某个范围的指标报告"))
    p.add_argument("--scope", help=scope)
    p.add_argument("--format", choices=["table", "json", "xlsx", "html"], default="table",
                   help=_("输出格式：table 文字表（默认）、json、xlsx（需 --out）或 html"))
    p.add_argument("--as-of", help=as_of)
    p.add_argument("--out", help=_("写入这个文件，而不是输出到屏幕"))
    p.add_argument("--each-county", action="store_true", help=_(
        "存储中的每个县(区)各写一份报告到 --out 目录（文件名为县(区)编码），多个进程同时计算"))
    p.add_argument("--workers", type=int, help=_(
        "与 --each-county 一起用：同时计算的进程数（默认每个 CPU 核一个）"))

    p = command("check", cmd_check, _("列出放置缺失（如小区未归入网格）和属性与关系矛盾的数据；"
                                      "没有时退出码 0，有时 1"))
    p.add_argument("--scope", help=_("{scope}；不给则检查全库", scope=scope))
    p.add_argument("--as-of", help=as_of)
    cli_export.add_commands(sub)  # export network|table, whatif
    users.add_commands(sub, data_dir, help_by)  # user add|list|disable|reset|token|revoke
    return parser


def _language(argv: Sequence[str] | None) -> tuple[str | None, list[str]]:
    """``--lang`` wherever it is (before or after the command), and the other arguments.
    Read first, so the parser's help and every message are in that language."""
    pre = argparse.ArgumentParser(prog="jinlin", add_help=False, allow_abbrev=False)
    pre.add_argument("--lang", choices=LANGS)
    known, rest = pre.parse_known_args(sys.argv[1:] if argv is None else list(argv))
    return known.lang, rest


def _explain(exc: BaseException) -> str | None:
    """The message for errors a user can act on; None for real bugs."""
    from analysis.fetch import ScopeNotFound
    from api.graphql.context import ApiError
    from graph.backup import RestoreRefused

    if isinstance(exc, StoreError | RestoreRefused | FileNotFoundError | PermissionError
                  | ScopeNotFound | ApiError):
        return str(exc)
    try:
        from loaders.ledger import LedgerInvalid
    except ImportError:
        return None
    if isinstance(exc, LedgerInvalid):
        return _("未导入任何内容；请改正以下问题后重新运行：\n{problems}", problems=exc)
    if isinstance(exc, ValueError):
        return str(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(UMASK)  # before anything is created: the store's files hold personal data
    lang, rest = _language(argv)
    if argv is None:  # the process itself: what it prints at exit (the store's stop) too
        set_lang(lang)
    with language(lang):  # None: JINLIN_LANG, else Chinese
        args: Any = _parser().parse_args(rest)
        status = _run(args)
    embedded.exit_status = status  # kept if the store's stop must be cut short at exit
    return status


def _run(args: Any) -> int:
    if args.command in QUICK:
        embedded.quick_start()
    try:
        return int(args.func(args))
    except KeyboardInterrupt as exc:  # graph.writer.Interrupted says what was written
        print(f"jinlin: {str(exc) or _('已中断')}", file=sys.stderr)
        return 130
    except Exception as exc:
        message = _explain(exc)
        if message is None:
            raise
        print(f"jinlin: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
