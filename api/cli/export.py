"""``jinlin export`` and ``jinlin whatif``: the analyst's commands (analysis.session).

``export network`` writes the scope's co-operation network with its measures as
GraphML, GEXF or two CSV files; ``export table`` writes the nodes of one kind, or one
indicator's items, as CSV or xlsx, and a located kind as GeoJSON; ``whatif`` compares
the scope's match plan with the plan other inputs would give.  All of them only read:
the store is opened without applying the schema, joining a running ``jinlin serve``.
``export table`` takes what ``GET /export/<what>.xlsx`` takes and reads its rows with
the same functions (api.graphql.exports).
Personal data is masked unless ``--role`` names a role that may see it (api.policy).
``export neo4j-admin`` opens no store: it writes validated ledgers as the files of Neo4j's
offline importer (loaders.neo4j_admin), the bulk path for a whole province.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Any

from analysis.frames import NETWORK_FORMATS, TABLE_FORMATS, Table
from api.cli.texts import HELP_AS_OF, HELP_DATA_DIR, HELP_SCOPE, WROTE, XLSX_NEEDS_OUT
from api.policy import ROLES, Cap, allows
from graph.dates import parse_as_of
from graph.i18n import N_, _, translate
from graph.model import NODE_BY_LABEL
from graph.settings import load_settings

if TYPE_CHECKING:  # the analyses load numpy, networkx, ortools: only when a command runs
    from analysis.session import Analysis, ScopeView

HELP_ROLE = N_("以哪个角色导出：该角色可见个人信息（电话、身份证号）时才显示明文，默认脱敏")


def _open(args: argparse.Namespace) -> Analysis:
    from analysis.session import Analysis

    parse_as_of(args.as_of)  # refused before the store starts
    personal = bool(getattr(args, "role", None)) and allows(args.role, Cap.SEE_PERSONAL)
    return Analysis.open(settings=load_settings(data_dir=args.data_dir), personal=personal)


def _view(a: Analysis, args: argparse.Namespace) -> ScopeView:
    return a.scope(args.scope, args.as_of)


def cmd_export_network(args: argparse.Namespace) -> int:
    with _open(args) as a:
        written = _view(a, args).network().write(args.format, args.out)
    print(translate(WROTE).format(path=", ".join(str(p) for p in written)))
    return 0


def cmd_export_table(args: argparse.Namespace) -> int:
    """KIND as the HTTP endpoint's ``what`` (api.graphql.exports.target), a node label, or a bare
    indicator key (its items); the rows come from api.graphql.exports, as the endpoint's do."""
    from analysis.export import csv_text, write_table
    from api.graphql.context import ApiError
    from api.graphql.exports import target

    kind = _what(args.kind)
    try:
        with _open(args) as a:
            view = _view(a, args)
            if args.format == "geojson":
                if args.within or args.filter:
                    raise ValueError(_("geojson 格式不支持 --within 和 --filter：请用 --scope "
                                       "指定区域"))
                text = json.dumps(view.points(target(kind)[1]), ensure_ascii=False, indent=1)
                return _emit(text, args.out)
            table, title = _table(view, kind, args)
    except ApiError as exc:  # refusals the endpoint answers with a code
        raise ValueError(str(exc)) from None
    if args.format == "xlsx" and not args.out:
        print(translate(XLSX_NEEDS_OUT), file=sys.stderr)
        return 2
    if args.out:
        write_table(table, args.out, args.format, sheet=title[:31])
        print(_("已将 {rows} 行写入 {out}", rows=f"{len(table):,}", out=args.out))
        return 0
    return _emit(csv_text(table), None)


def cmd_export_neo4j_admin(args: argparse.Namespace) -> int:
    """Validate the ledgers as ``jinlin load`` does into an empty store, write the
    ``neo4j-admin database import full`` files, and print the import command.  No store is
    opened: the files are for a Neo4j that is stopped."""
    import shlex

    from api.cli.progress import Progress
    from loaders.neo4j_admin import export_ledgers

    done = export_ledgers(args.paths, args.dir, progress=Progress("export"))
    print(_("已将 {nodes} 类节点、{rels} 类关系共 {rows} 行写入 {dir}", nodes=len(done.nodes),
            rels=len(done.rels), rows=f"{done.rows:,}", dir=done.out))
    print(_("停止 Neo4j 后运行以下命令导入（会替换数据库 {db} 的全部内容），再启动 Neo4j；"
            "`jinlin serve` 启动时补建约束和索引：", db=args.database))
    print("  " + shlex.join(done.command(args.database)))
    return 0


def _what(kind: str) -> str:
    """A bare indicator key (the command's first spelling) as ``indicator/<key>``."""
    from api.graphql.exports import list_names

    if "/" in kind or kind in NODE_BY_LABEL or kind in list_names():
        return kind
    return f"indicator/{kind}"


def _table(view: ScopeView, kind: str, args: argparse.Namespace) -> tuple[Table, str]:
    """The rows the endpoint would give a county admin of the scope (no resident, no
    redaction: the command line reads the whole store), and the sheet's title."""
    from analysis.tables import indicator
    from api.graphql import exports

    limit = load_settings(data_dir=args.data_dir).export_max_rows
    what, name = exports.target(kind)
    area = exports.View(view.label, view.code, exports.parse_within(args.within))
    exports.check_within(view.store, area)
    if what == exports.NODES_TARGET:
        given: dict[str, list[str]] = {}
        for pair in args.filter:
            key, sep, value = pair.partition("=")
            if not sep:
                raise ValueError(_("--filter 应写成 名称=值，如 kind=party_led，收到 {pair}",
                                   pair=repr(pair)))
            given.setdefault(key.strip(), []).append(value)
        flt = exports.filters(name, given)
        return (exports.node_list(view.store, name, area, flt, view.personal, limit),
                NODE_BY_LABEL[name].zh)
    label, code = area.area
    ind = indicator(replace(view, label=label, code=code).indicators().report, name)
    gaps = what == exports.GAPS
    return exports.items_table(ind.gaps if gaps else ind.hits + ind.gaps, gaps, limit), ind.zh


def _emit(text: str, out: str | None) -> int:
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
        print(translate(WROTE).format(path=out))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _weights(pairs: list[str]) -> dict[str, float] | None:
    out: dict[str, float] = {}
    for pair in pairs:
        cat, sep, value = pair.partition("=")
        try:
            out[cat.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(_("--weight 应写成 类别=权重，如 repair=2，收到 {pair}",
                               pair=repr(pair)))
    return out or None


def cmd_whatif(args: argparse.Namespace) -> int:
    """Plan a: the scope's plan as matchPlan gives it; plan b: with the options given."""
    weights = _weights(args.weight)
    with _open(args) as a:
        view = _view(a, args)
        base = view.match_plan()
        other = view.match_plan(radius=args.radius, k=args.k, extra=args.extra_resources)
    diff = base.compare(other, weights)
    if args.format == "json":
        print(json.dumps({"a": asdict(diff.a), "b": asdict(diff.b), "changes": diff.changes.rows},
                         ensure_ascii=False, indent=1))
        return 0
    print(_("a = 现有匹配方案，b = 假设方案（{scope}，{as_of}）", scope=f"{view.label}:{view.code}",
            as_of=view.as_of))
    print(_text(diff.summary_table()))
    if diff.changes.rows:
        print("\n" + _("有变化的需求："))
        print(_text(diff.changes))
    else:
        print("\n" + _("两个方案对每个需求的安排相同。"))
    return 0


def _text(table: Table) -> str:
    cells = [[str(c) for c in table.columns]]
    cells += [["" if r[c] is None else str(r[c]) for c in table.columns] for r in table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                     for row in cells)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help=translate(HELP_DATA_DIR))
    p.add_argument("--scope", help=translate(HELP_SCOPE))
    p.add_argument("--as-of", help=translate(HELP_AS_OF))


def add_commands(sub: Any) -> None:
    """Add ``export`` (``network``, ``table``) and ``whatif`` to the ``jinlin`` parser's
    subcommands ``sub``."""
    export = sub.add_parser("export",
                            help=_("导出范围内的网络或表格，供 Gephi、R、GIS、Excel 使用"),
                            description=_("导出范围内的网络或表格（只读）"))
    kinds = export.add_subparsers(dest="what", required=True,
                                  help=_("导出什么：network、table 或 neo4j-admin"))
    p = kinds.add_parser("network", help=_("协作网络及其度量：GraphML、GEXF 或 CSV"),
                         description=_("协作网络：节点类型、名称、关系日期，以及中介中心性、"
                         "割点、连通分量、社群"))
    _common(p)
    p.add_argument("--format", choices=NETWORK_FORMATS, default="graphml",
                   help=_("文件格式（默认 graphml）"))
    p.add_argument("--out", required=True,
                   help=_("输出文件（csv 为目录，写 nodes.csv 和 edges.csv）"))
    p.set_defaults(func=cmd_export_network)

    p = kinds.add_parser("table", help=_("某类节点或某指标的明细：CSV、xlsx 或 GeoJSON"),
                         description=_("KIND 与 HTTP 接口 /export/KIND.xlsx 相同：列表名"
                         "（如 compounds、people）或节点类型（如 Compound），indicator/指标键"
                         "（该指标的全部明细），gaps/指标键（只列缺口，按排名）；单写指标键"
                         "（如 cross_posting_ratio）即 indicator/指标键；geojson 用于小区、"
                         "阵地、需求、资源"))
    _common(p)
    p.add_argument("kind", metavar="KIND", help=_("导出哪个列表：见上方说明"))
    p.add_argument("--within", metavar="LABEL:CODE",
                   help=_("只导出范围内这一区域（如 Community:M1）的数据，须在 --scope 之内"))
    p.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                   help=_("筛选条件，名称同 GraphQL 的 filter（如 kind=party_led、"
                   "nameContains=阳光、householdsMin=100），可重复；多个值用逗号分隔"))
    p.add_argument("--format", choices=(*TABLE_FORMATS, "geojson"), default="csv",
                   help=_("文件格式（默认 csv；xlsx 为中文表头、冻结首行、日期格式）"))
    p.add_argument("--out", help=_("输出文件（默认标准输出；xlsx 必须给出）"))
    p.add_argument("--role", choices=ROLES, help=translate(HELP_ROLE))
    p.set_defaults(func=cmd_export_table)

    p = kinds.add_parser("neo4j-admin",
                         help=_("校验台账并写出 neo4j-admin 批量导入文件（整省导入）"),
                         description=_("与 jinlin load 同样校验台账（有任何问题则不写出），再写出 "
                         "neo4j-admin database import full 所需的 CSV 文件（每类节点、每类关系"
                         "一个表头文件和一个数据文件）及参数文件 neo4j-admin.args，并显示导入命令。"
                         "文件含个人信息，仅本用户可读"))
    p.add_argument("dir", metavar="DIR", help=_("写入的目录：须不存在或为空"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_("台账文件或目录，可给多个"))
    p.add_argument("--database", default="neo4j",
                   help=_("导入到 Neo4j 的哪个数据库（默认 neo4j，社区版只有这一个）"))
    p.set_defaults(func=cmd_export_neo4j_admin)

    p = sub.add_parser("whatif", help=_("假设匹配：换半径、k 或追加资源，与现有方案比较"),
                       description=_("不写入任何数据：a 为现有匹配方案，b 为按给定条件的方案"))
    _common(p)
    p.add_argument("--radius", type=float, help=_("统一服务半径（米），默认用各资源自己的半径"))
    p.add_argument("--k", type=int, default=20, help=_("每个需求考虑的最近资源数（默认 20）"))
    p.add_argument("--weight", action="append", default=[], metavar="CATEGORY=W",
                   help=_("类别权重，可重复，如 --weight elder_care=2：比较时 weighted_served "
                   "按 权重×紧急程度 计分（每个资源只服务一个类别，权重不改变匹配本身）"))
    p.add_argument("--extra-resources", metavar="FILE",
                   help=_("追加资源的 CSV 文件（列：code,name,category,capacity,lat,lon,radius_m"
                   " 或台账中文表头）"))
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help=_("输出格式：table 为对照表（默认），json 为完整结果"))
    p.set_defaults(func=cmd_whatif)
