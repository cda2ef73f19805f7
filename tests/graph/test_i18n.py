"""The language mechanism (graph/i18n.py): choice of language, fall-back, placeholders."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graph import i18n
from graph.i18n import _, from_accept_language, language, normalise


@pytest.mark.parametrize(("value", "lang"), [
    ("en", "en"), ("en-GB", "en"), ("EN_us", "en"), ("zh-CN", "zh"), ("zh-Hans", "zh"),
    ("fr", None), ("", None), (None, None),
])
def test_normalise(value: str | None, lang: str | None) -> None:
    assert normalise(value) == lang


@pytest.mark.parametrize(("header", "lang"), [
    ("en-US,en;q=0.9", "en"),
    ("fr-FR, zh-CN;q=0.8, en;q=0.5", "zh"),
    ("fr, en;q=0.1", "en"),
    ("en;q=0, zh;q=0.2", "zh"),
    ("de, fr", None),
    ("en;q=abc, zh", "zh"),
    (None, None),
])
def test_accept_language(header: str | None, lang: str | None) -> None:
    assert from_accept_language(header) == lang


def test_default_is_chinese_and_environment_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JINLIN_LANG", raising=False)
    assert i18n.current() == "zh"
    monkeypatch.setenv("JINLIN_LANG", "en")
    assert i18n.current() == "en"
    with language("zh"):
        assert i18n.current() == "zh"
    assert i18n.current() == "en"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.set_lang("fr")


def test_translation_fills_placeholders_after_translating(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    po = tmp_path / "graph" / "locale" / "en.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "范围 {scope} 不存在"\nmsgstr "scope {scope} does not exist"\n',
                  encoding="utf-8")
    monkeypatch.setattr(i18n, "_ROOT", tmp_path)
    i18n._catalogue.cache_clear()
    try:
        with language("en"):
            assert _("范围 {scope} 不存在", scope="County:NOPE") == \
                "scope County:NOPE does not exist"
            assert _("没有译文的话") == "没有译文的话"  # falls back to the Chinese
        with language("zh"):
            assert _("范围 {scope} 不存在", scope="X") == "范围 X 不存在"
    finally:
        i18n._catalogue.cache_clear()


def test_threads_started_by_to_thread_keep_the_language() -> None:
    async def inner() -> str:
        with language("en"):
            return await asyncio.to_thread(i18n.current)

    assert asyncio.run(inner()) == "en"
