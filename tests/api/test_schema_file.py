"""schema.graphql at the repository root is what the code serves."""

from __future__ import annotations

from api.cli.export_schema import TARGET, sdl


def test_committed_schema_is_current() -> None:
    assert TARGET.read_text(encoding="utf-8") == sdl(), (
        "schema.graphql is stale: run `python -m api.cli.export_schema` and commit it"
    )
