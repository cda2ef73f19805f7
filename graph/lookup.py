"""Which codes already exist in the store: the one look-up both the ledger import and
restore use to resolve relationship ends that are not in the file being loaded."""

from __future__ import annotations

from collections import defaultdict

from graph import queries
from graph.store import Reader, in_batches


def codes_in_store(store: Reader | None, codes: dict[str, set[str]], batch_size: int
                   ) -> defaultdict[str, set[str]]:
    """The codes of ``codes`` (label → codes) that exist in the store, asked in batches;
    ``Member`` finds only people who are party members.  No store: nothing exists."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    if store is None:
        return found
    for label, wanted in codes.items():
        for batch in in_batches(sorted(wanted), batch_size):
            rows = store.read(queries.existing_nodes(label), codes=batch)
            found[label].update(row["code"] for row in rows)
    return found
