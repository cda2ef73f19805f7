"""``--lang`` (before or after the command), ``JINLIN_LANG``, Chinese by default: the
command line's messages and its help follow the language chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_help import CJK, _helps

from api.cli.main import _parser, main
from graph.i18n import language

WROTE_EN = "wrote 51 blank ledgers to {} (templates.xlsx and one CSV per sheet)\n"
WROTE_ZH = "已将 51 个空白台账写入 {}（templates.xlsx，另每张表一个 CSV 文件）\n"


@pytest.mark.parametrize(("argv", "env", "want"), [
    (["template", "{dir}"], None, WROTE_ZH),
    (["--lang", "en", "template", "{dir}"], None, WROTE_EN),
    (["template", "{dir}", "--lang", "en"], None, WROTE_EN),
    (["template", "--lang=en", "{dir}"], None, WROTE_EN),
    (["template", "{dir}"], "en", WROTE_EN),
    (["--lang", "zh", "template", "{dir}"], "en", WROTE_ZH),
])
def test_the_language_of_a_run(argv: list[str], env: str | None, want: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    if env:
        monkeypatch.setenv("JINLIN_LANG", env)
    else:
        monkeypatch.delenv("JINLIN_LANG", raising=False)
    assert main([str(tmp_path) if a == "{dir}" else a for a in argv]) == 0
    assert capsys.readouterr().out == want.format(tmp_path)


def test_an_error_is_in_the_language_of_the_run(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused before any store starts; the exit status is the same in both."""
    monkeypatch.delenv("JINLIN_LANG", raising=False)
    assert main(["report", "--as-of", "yesterday", "--lang", "en"]) == 2
    assert capsys.readouterr().err == \
        "jinlin: asOf must be a date written YYYY-MM-DD, got 'yesterday'\n"
    assert main(["report", "--as-of", "yesterday"]) == 2
    assert capsys.readouterr().err == \
        "jinlin: asOf 必须是 YYYY-MM-DD 格式的日期，收到 'yesterday'\n"


def test_help_is_english_with_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    with language("en"):
        helps = _helps(_parser(), "jinlin")
    assert helps["jinlin --lang"] == ("language of what jinlin says: zh Chinese (default) or "
                                      "en English; before or after the command; default "
                                      "from JINLIN_LANG")
    chinese = [f"{where}: {text}" for where, text in helps.items() if text and CJK.search(text)]
    assert chinese == []
    with pytest.raises(SystemExit):
        main(["token", "--help", "--lang", "en"])
    out = capsys.readouterr().out
    assert "issue an API token" in out and "签发" not in out
