"""Open the configured store: Neo4j when a URI is set, else the embedded ArcadeDB."""

from __future__ import annotations

from pathlib import Path

from graph.datadir import private_dir
from graph.embedded import open_embedded
from graph.i18n import _
from graph.schema import apply_schema
from graph.settings import Settings
from graph.store import BoltStore, StoreUnavailable


def open_store(settings: Settings, apply: bool = True, require: bool = True) -> BoltStore:
    """Open the store and apply the schema.

    ``require=False`` is for the long-running service: a Neo4j that cannot be reached
    yet is not fatal — ``/health`` reports it, requests fail fast, and the schema is
    applied at the first successful contact.  Commands (load, stats …) require it.

    The data directory is made private (graph.datadir): the embedded store lives in
    it, and with Neo4j it still holds the audit log and the token key.
    """
    if settings.embedded or Path(settings.data_dir).exists():
        private_dir(settings.data_dir)
    if settings.embedded:
        store = open_embedded(settings.data_dir, heap=settings.jvm_heap)
    else:
        store = BoltStore(
            settings.store_uri,
            (settings.store_user, settings.store_password),
            settings.store_database or None,
            "neo4j",
        )
        why = store.unreachable()
        if why is not None:
            if not require:
                if apply:
                    store.on_first_contact = apply_schema
                return store
            store.close()
            raise StoreUnavailable(_("无法使用 Neo4j（用户 {user}）：{why}",
                                     user=settings.store_user, why=why))
    if apply:
        apply_schema(store)
    return store
