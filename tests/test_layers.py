"""Dependencies point one way: every import of the code base, read with ``ast``.

``api/cli`` (the composition root) → ``api/http`` → ``api/console`` (the web pages) →
``api/graphql`` → ``api`` top level (roles, Caller, audit log) → ``analysis`` → ``graph``;
``loaders`` → ``graph``, wired in by the command line and the console's ledger upload.
Nothing below imports what is above it, so a room can be read, tested and changed without
the rooms that use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("cli", "http", "console", "graphql")
# What each layer may import besides itself (and the standard library, third parties).
ALLOWED: dict[str, set[str]] = {
    "api.cli": {"api.http", "api.console", "api.graphql", "api", "analysis", "loaders",
                "graph"},
    "api.http": {"api.console", "api.graphql", "api", "analysis", "graph"},
    "api.console": {"api.graphql", "api", "analysis", "loaders", "graph"},
    "api.graphql": {"api", "analysis", "graph"},
    "api": {"analysis", "graph"},
    "analysis": {"graph"},
    "loaders": {"graph"},
    "graph": set(),
}


def layer(module: str) -> str | None:
    """The layer of a dotted module name, or None for code outside ours."""
    parts = module.split(".")
    if parts[0] == "api":
        return f"api.{parts[1]}" if len(parts) > 1 and parts[1] in ROOMS else "api"
    return parts[0] if parts[0] in ALLOWED else None


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import, also inside functions; ``from api import x``
    names module ``api.x``, so a room imported that way counts as that room."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "api":
                out.extend((node.lineno, f"api.{alias.name}") for alias in node.names)
            else:
                out.append((node.lineno, node.module))
    return out


def violations(source: str, module: str) -> list[str]:
    """The imports of ``source`` (the text of ``module``) against the order above."""
    own = layer(module)
    assert own is not None, module
    return [f"{module}:{line} imports {target}"
            for line, target in imported(ast.parse(source))
            if (other := layer(target)) is not None and other != own
            and other not in ALLOWED[own]]


def modules() -> list[tuple[str, Path]]:
    out = []
    for top in ("api", "analysis", "loaders", "graph"):
        for path in sorted((ROOT / top).rglob("*.py")):
            out.append((".".join(path.relative_to(ROOT).with_suffix("").parts), path))
    return out


@pytest.mark.parametrize("module,path", modules(), ids=[m for m, _ in modules()])
def test_imports_point_one_way(module: str, path: Path) -> None:
    assert violations(path.read_text(encoding="utf-8"), module) == []


def test_every_room_is_a_package_with_a_docstring() -> None:
    for room in ROOMS:
        init = ROOT / "api" / room / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


@pytest.mark.parametrize("module,source,expected", [
    ("api.graphql.reads", "from api.http.app import create_app", ["api.http.app"]),
    ("api.graphql.reads", "def f():\n    from api.cli import main", ["api.cli"]),
    ("api.http.app", "from api import cli", ["api.cli"]),
    ("api.auth", "from api.graphql import queries", ["api.graphql"]),
    ("api.audit", "import api.http.tokens", ["api.http.tokens"]),
    ("analysis.network", "from api.auth import Caller", ["api.auth"]),
    ("graph.model", "import analysis.tally", ["analysis.tally"]),
    ("loaders.ledger", "from api.graphql.types import plural", ["api.graphql.types"]),
    ("api.http.app", "from loaders.ledger import load_ledgers", ["loaders.ledger"]),
    ("api.cli.main", "from api.http import server\nfrom loaders import ledger", []),
    ("api.graphql.schema", "from api.graphql import reads\nfrom api.auth import mask", []),
    ("api.http.app", "import strawberry\nfrom graph.store import Store", []),
])
def test_the_check_refuses_what_points_upwards(module: str, source: str,
                                               expected: list[str]) -> None:
    """The check itself, on hand-written sources: each refused import is named."""
    found = violations(source, module)
    assert [v.split(" imports ")[1] for v in found] == expected
