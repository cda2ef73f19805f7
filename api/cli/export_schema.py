"""Write the GraphQL schema (SDL) to ``schema.graphql`` at the repository root.

The file is committed so front-end teams and reviewers see API changes in diffs; a
test fails when it is stale.  Run: ``python -m api.cli.export_schema``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from api.cli.texts import WROTE
from api.graphql.schema import build_schema
from graph.i18n import translate

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "schema.graphql"


def sdl() -> str:
    return build_schema().as_str().rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else TARGET
    target.write_text(sdl(), encoding="utf-8")
    print(translate(WROTE).format(path=target))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
