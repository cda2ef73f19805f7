"""The text rule and the code rule of graph.model: what no string and no code may hold.

Ledgers, the API and restore all validate with Prop.parse, so these rules hold for every
value that reaches the store.  Messages name the position (1-based) and the code point.
"""

from __future__ import annotations

import pytest

from graph.model import CODE, NODE_BY_LABEL, REL_BY_TYPE, check_code, check_text

NAME = NODE_BY_LABEL["Compound"].prop("name")
HOUSEHOLDS = NODE_BY_LABEL["Compound"].prop("households")
ROLE = REL_BY_TYPE["HOLDS_POST"].prop("role")
SURROGATE = "孤立的代理码位，不是有效字符"
CONTROL = "控制字符"
BIDI = "双向文本控制符，会改变文字显示顺序"


def refusal(position: int, point: int, kind: str) -> str:
    return f"第 {position} 个字符 U+{point:04X}（{kind}）不允许出现在文本中，请删除后重试"


@pytest.mark.parametrize(("text", "position", "point", "kind"), [
    ("\ud800", 1, 0xD800, SURROGATE),
    ("幸福\udfff里", 3, 0xDFFF, SURROGATE),
    ("a\x00b", 2, 0x00, CONTROL),
    ("\x01", 1, 0x01, CONTROL),
    ("ab\x0b", 3, 0x0B, CONTROL),  # vertical tab
    ("ab\x0c", 3, 0x0C, CONTROL),  # form feed
    ("\x1b[2J", 1, 0x1B, CONTROL),
    ("x\x1f", 2, 0x1F, CONTROL),
    ("x\x7f", 2, 0x7F, CONTROL),  # DEL
    ("x\x80", 2, 0x80, CONTROL),
    ("x\x85y", 2, 0x85, CONTROL),  # NEL, which str.strip() would silently eat
    ("x\x9f", 2, 0x9F, CONTROL),
    ("abc\u202e", 4, 0x202E, BIDI),
    ("\u202a", 1, 0x202A, BIDI),
    ("\u2066", 1, 0x2066, BIDI),
    ("\u2069", 1, 0x2069, BIDI),
    ("\u200e", 1, 0x200E, BIDI),
    ("\u200f", 1, 0x200F, BIDI),
    ("\u061c", 1, 0x061C, BIDI),
    ("ok\x00then\ud800", 3, 0x00, CONTROL),  # the first offender is named
])
def test_text_rule_refuses_and_names_the_character(text: str, position: int, point: int,
                                                  kind: str) -> None:
    with pytest.raises(ValueError) as err:
        check_text(text)
    assert str(err.value) == refusal(position, point, kind)
    with pytest.raises(ValueError) as err:
        NAME.parse(text)
    assert str(err.value) == refusal(position, point, kind)


@pytest.mark.parametrize("text", [
    "阳光小区", "tab\there", "two\nlines", "crlf\r\n", "emoji 🏠", "zero\u200dwidth joiner",
    "\u00a0non-breaking", "Ünïcödé", "العربية", "\u2065", "\u202f", "\u00a0",
])
def test_text_rule_keeps_ordinary_text(text: str) -> None:
    check_text(text)


def test_every_prop_type_checks_text_first() -> None:
    # a control character is never "blank": strip() would turn "\x1f" into "" (None)
    with pytest.raises(ValueError, match=r"U\+001F"):
        NAME.parse("\x1f")
    with pytest.raises(ValueError, match=r"U\+0000"):
        HOUSEHOLDS.parse("12\x00")
    with pytest.raises(ValueError, match=r"U\+202E"):
        ROLE.parse("\u202esecretary")
    assert NAME.parse("  幸福里\t") == "幸福里"
    assert HOUSEHOLDS.parse(None) is None


CODE_RULE = "编码只能由字母、数字和 - _ . / 组成，以字母或数字开头，不含空格"


@pytest.mark.parametrize("code", [
    "C01", "C01-S01-M01-K01-B01", "P0000001", "D20240301-ab12cd34", "C01-S01-PW",
    "阳光小区1号楼", "Ｃ１", "x.y/z_w", "Ärzte", "K" * 64, "1001",
])
def test_code_rule_accepts(code: str) -> None:
    check_code(code)
    assert CODE.parse(code) == code


def test_code_parse_strips_and_undoes_excel_floats() -> None:
    assert CODE.parse(" C1 ") == "C1"
    assert CODE.parse(1001.0) == "1001"


@pytest.mark.parametrize(("code", "position", "char"), [
    ("a b", 2, " "),
    ("Label:C1", 6, ":"),
    ("-C1", 1, "-"),
    (".hidden", 1, "."),
    ("/etc", 1, "/"),
    ("_x", 1, "_"),
    ("=1+1", 1, "="),
    ("+C1", 1, "+"),
    ("@C1", 1, "@"),
    ("C1'", 3, "'"),
    ('C1"', 3, '"'),
    ("C1,C2", 3, ","),
    ("C1\tX", 3, "\t"),
    ("C1\nX", 3, "\n"),
    ("a\u0301", 2, "\u0301"),  # a combining mark is not a letter
    ("²", 1, "²"),  # a superscript digit is not a decimal digit
    ("C1\u3000X", 3, "\u3000"),  # an ideographic space inside (strip only trims the ends)
])
def test_code_rule_refuses(code: str, position: int, char: str) -> None:
    expected = f"编码第 {position} 个字符 {char!r}（U+{ord(char):04X}）不允许：{CODE_RULE}"
    with pytest.raises(ValueError) as err:
        CODE.parse(code)
    assert str(err.value) == expected


def test_code_length_and_control_characters() -> None:
    with pytest.raises(ValueError) as err:
        CODE.parse("K" * 65)
    assert str(err.value) == "编码最长 64 个字符，这个有 65 个"
    with pytest.raises(ValueError) as err:
        CODE.parse("C1\x00")
    assert str(err.value) == refusal(3, 0, CONTROL)
    with pytest.raises(ValueError) as err:
        CODE.parse("")
    assert str(err.value) == "必须填写"
