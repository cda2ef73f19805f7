"""The words every analysis text is built from, in the language in force.

Names of node kinds and enum choices are the model's (``graph.model``, Chinese, with
their English in graph's catalogue): one home for each, translated here where shown.
Lists are joined with the language's own separator (、 in Chinese, a comma in
English), so a list of names reads naturally in either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.i18n import N_, translate
from graph.model import MEMBER, NODE_BY_LABEL, Prop

MEMBER_NAME = N_("党员")  # a Person with the Member label: not a node kind of its own
LIST_SEP = N_("、")


def label_name(label: str) -> str:
    """The name of a node label (小区 for ``Compound``); a party member is 党员."""
    return translate(MEMBER_NAME if label == MEMBER else NODE_BY_LABEL[label].zh)


def choice_name(prop: Prop, code: Any) -> str:
    """The label of an enum code (市场化物业 for ``market``); an unknown code as it is."""
    for choice in prop.choices:
        if choice.code == code:
            return translate(choice.zh)
    return "" if code is None else str(code)


def listed(items: Iterable[Any]) -> str:
    """The items as one line, joined the way the language joins a list."""
    return translate(LIST_SEP).join(str(i) for i in items)
