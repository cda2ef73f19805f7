"""The language of what people read: Chinese first, English on request.

County staff read Chinese, so every user-facing text is written in the code in
Chinese and wrapped in :func:`_`; that Chinese text is the gettext message id.  The
English texts live in gettext catalogues, one per top-level package
(``<package>/locale/en.po``), read with Babel when first needed.  A missing English
entry falls back to the Chinese (a test checks that none is missing).

The language is per context (a ``ContextVar``): the command line sets it from ``--lang``
or ``JINLIN_LANG``, the HTTP app per request from ``Accept-Language``; work handed to a
thread must carry the context (``asyncio.to_thread`` does; a bare executor does not:
``contextvars.copy_context().run``).

Placeholders are named, ``{code}``, filled after translation, so a translator may move
them: ``_("范围 {scope} 不存在", scope="County:NOPE")``.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
DEFAULT = "zh"
PACKAGES = ("graph", "loaders", "analysis", "api")
_ROOT = Path(__file__).resolve().parent.parent

_lang: contextvars.ContextVar[str | None] = contextvars.ContextVar("jinlin_lang", default=None)


def normalise(value: str | None) -> str | None:
    """``en``, ``en-GB``, ``EN_us`` → ``en``; ``zh-CN``, ``zh-Hans`` → ``zh``; else None."""
    if not value:
        return None
    head = value.strip().replace("_", "-").split("-")[0].lower()
    return head if head in LANGS else None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an ``Accept-Language`` header, by weight."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        lang = normalise(tag)
        if lang and weight > 0:
            ranked.append((-weight, i, lang))
    return min(ranked)[2] if ranked else None


def current() -> str:
    """The language in force: the context's, else ``JINLIN_LANG``, else Chinese."""
    return _lang.get() or normalise(os.environ.get("JINLIN_LANG")) or DEFAULT


def set_lang(lang: str | None) -> contextvars.Token[str | None]:
    """Set the context's language (None: back to the environment's default)."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; one of: {', '.join(LANGS)}")
    return _lang.set(lang)


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    token = set_lang(lang)
    try:
        yield
    finally:
        _lang.reset(token)


def catalogue_path(package: str, lang: str = "en") -> Path:
    return _ROOT / package / "locale" / f"{lang}.po"


def entries(package: str, lang: str = "en") -> dict[str, str]:
    """One package's catalogue for ``lang``: message id → text (empty when absent)."""
    from babel.messages.pofile import read_po

    path = catalogue_path(package, lang)
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return {message.id: str(message.string) for message in read_po(f, locale=lang)
                if message.id and isinstance(message.id, str) and message.string}


@cache
def _catalogue(lang: str) -> dict[str, str]:
    """Every package's entries for ``lang`` in one mapping (message id → text)."""
    merged: dict[str, str] = {}
    for package in PACKAGES:
        merged.update(entries(package, lang))
    return merged


def translate(msgid: str, lang: str | None = None) -> str:
    """``msgid`` (the Chinese text) in ``lang`` (default: the language in force)."""
    lang = lang or current()
    if lang == DEFAULT:
        return msgid
    return _catalogue(lang).get(msgid, msgid)


def _(msgid: str, /, **values: Any) -> str:
    """The user-facing text ``msgid`` in the language in force, placeholders filled."""
    text = translate(msgid)
    return text.format(**values) if values else text


def N_(msgid: str, /) -> str:
    """Mark a text for the catalogue where it is defined (a table of labels) and
    translate it later with :func:`translate`, when the language is known."""
    return msgid
