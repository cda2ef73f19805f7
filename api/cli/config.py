"""What several commands need before they work: their settings, the signing key, and
whether the store holds a scope (``token``, ``user add``, ``demo``)."""

from __future__ import annotations

import argparse
from dataclasses import replace

from graph.datadir import private_dir, secret
from graph.open import open_store
from graph.settings import Settings, load_settings

SECRET_FILE = ".jinlin-jwt-secret"


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings (graph.settings) with the command's options laid over them."""
    return load_settings(
        data_dir=getattr(args, "data_dir", None),
        batch_size=getattr(args, "batch_size", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def with_secret(settings: Settings) -> Settings:
    """Settings with a JWT secret: the configured one, else one kept in the data directory.

    A fresh machine then needs no configuration, and ``jinlin token`` signs with the
    same key as ``jinlin serve`` (the file is mode 0600, like the store's password).
    """
    if settings.jwt_secret:
        return settings
    path = private_dir(settings.data_dir) / SECRET_FILE
    return replace(settings, jwt_secret=secret(path, 48))


def store_has_scope(settings: Settings, scope: str) -> bool:
    """Whether the store holds the County/Street/Community ``scope`` (a token or account
    for a scope it does not hold would be refused at every request).  Opens the store (a
    running ``jinlin serve`` shares its own); a read: the schema is not applied."""
    from api.http.app import ScopeResolver

    store = open_store(settings, apply=False)
    try:
        return ScopeResolver(store)(scope) is not None
    finally:
        store.close()
