"""A terse builder for the small hand-made graphs the analysis tests reason about."""

from __future__ import annotations

from typing import Any

from graph.store import Store
from graph.writer import NodeRecord, RelRecord, write_graph


class G:
    def __init__(self) -> None:
        self.nodes: list[NodeRecord] = []
        self.rels: list[RelRecord] = []
        self.labels: dict[str, str] = {}

    def node(self, label: str, code: str, **props: Any) -> G:
        props.setdefault("name", code)
        if label == "Member":
            label = "Person"
            props.setdefault("member_status", "in_service")
        self.labels[code] = label
        self.nodes.append(NodeRecord(label, code, props))
        return self

    def rel(self, src: str, rtype: str, tgt: str, **props: Any) -> G:
        self.rels.append(RelRecord(rtype, self.labels[src], src, self.labels[tgt], tgt, props))
        return self

    def spine(self, county: str = "K", streets: dict[str, dict[str, dict[str, list[str]]]]
              | None = None, **compound_props: Any) -> G:
        """``streets``: {street: {community: {grid: [compound, ...]}}}."""
        self.node("County", county)
        for s, comms in (streets or {}).items():
            self.node("Street", s).rel(s, "PART_OF", county)
            for m, grids in comms.items():
                self.node("Community", m).rel(m, "PART_OF", s)
                for g, compounds in grids.items():
                    self.node("Grid", g).rel(g, "PART_OF", m)
                    for c in compounds:
                        if c not in self.labels:
                            self.node("Compound", c, **compound_props.get(c, {}))
                        self.rel(c, "IN_GRID", g)
        return self

    def write(self, store: Store) -> None:
        write_graph(store, self.nodes, self.rels)
