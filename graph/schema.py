"""Uniqueness constraints and indexes, applied idempotently whenever a store opens.

The statements use ``IF NOT EXISTS`` with the ``FOR … REQUIRE`` form, which Neo4j 4.4,
Neo4j 5 and ArcadeDB all accept, so applying them again is a no-op.
"""

from __future__ import annotations

from graph.model import MEMBER, NODES
from graph.store import Query, Store

# Properties that front-ends filter and sort on; each gets an index where present.
INDEXED = ("name", "kind", "status", "category", "title")


def statements() -> list[Query]:
    out: list[Query] = []
    for node in NODES:
        lab = node.label
        out.append(
            Query(
                f"constraint_{lab}_code",
                f"CREATE CONSTRAINT {lab.lower()}_code IF NOT EXISTS "
                f"FOR (n:{lab}) REQUIRE n.code IS UNIQUE",
            )
        )
        for prop in node.props:
            if prop.name in INDEXED:
                out.append(
                    Query(
                        f"index_{lab}_{prop.name}",
                        f"CREATE INDEX {lab.lower()}_{prop.name} IF NOT EXISTS "
                        f"FOR (n:{lab}) ON (n.{prop.name})",
                    )
                )
    out.append(
        Query(
            "constraint_Member_code",
            f"CREATE CONSTRAINT {MEMBER.lower()}_code IF NOT EXISTS "
            f"FOR (n:{MEMBER}) REQUIRE n.code IS UNIQUE",
        )
    )
    return out


def apply_schema(store: Store) -> None:
    for query in statements():
        store.write(query)
