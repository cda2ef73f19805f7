"""Every command-line option and argument explains itself, in Chinese."""

from __future__ import annotations

import argparse
import re

from api.cli.main import _parser

CJK = re.compile(r"[\u4e00-\u9fff]")


def _helps(parser: argparse.ArgumentParser, path: str) -> dict[str, str | None]:
    """Help text of every action of ``parser`` and its sub-commands, by where it is."""
    found: dict[str, str | None] = {}
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = "/".join(action.option_strings) or action.dest
        found[f"{path} {name}"] = action.help
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                found[f"{path} {choice.dest}"] = choice.help
            for command, sub in action.choices.items():
                found.update(_helps(sub, f"{path} {command}"))
    return found


def test_every_option_has_chinese_help() -> None:
    helps = _helps(_parser(), "jinlin")
    assert "jinlin load --batch-size" in helps and "jinlin token --ttl-hours" in helps
    missing = [where for where, text in helps.items() if not text or not CJK.search(text)]
    assert missing == []
