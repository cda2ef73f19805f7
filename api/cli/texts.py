"""Texts more than one command shows: option help and the lines that report a file.

Marked with ``N_`` here and translated where used (``translate``), because the parser is
built, and a command prints, only once ``--lang`` is known (api.cli.main).
"""

from __future__ import annotations

from graph.i18n import N_

HELP_DATA_DIR = N_("嵌入式存储的数据目录（默认 ./data；JINLIN_DATA_DIR）")
HELP_SCOPE = N_("范围：类型:编码（如 County:C01），编码在各级中唯一时可只写编码；"
                "存储中只有一个县(区)时可省略")
HELP_AS_OF = N_("按哪一天统计（YYYY-MM-DD），默认今天")
HELP_TTL_HOURS = N_("有效期（小时），默认 12，不得超过 token_max_hours（默认 720）")
WROTE = N_("已写入 {path}")
XLSX_NEEDS_OUT = N_("jinlin：xlsx 格式须用 --out 指定输出文件")
EVALUATED = N_("已按预警规则重新评估：新发出 {raised} 条预警，消除 {cleared} 条（见 /alerts）")
