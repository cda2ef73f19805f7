"""Personal data (phone and ID numbers, ``Prop.personal``) and how it is masked.

One home for the mask, below both ``api`` (GraphQL fields, audit lines) and ``analysis``
(table exports): whoever decides that a reader may not see personal data shows the same
``138****1234``.  Who may see it is the API's policy (``api.policy.Cap.SEE_PERSONAL``);
code here only takes the answer as a boolean.
"""

from __future__ import annotations

from typing import Any

from graph.model import NODE_BY_LABEL, key_label


def mask(value: Any) -> Any:
    """138****1234: keep enough digits to recognise a number, not to use it."""
    if not isinstance(value, str) or not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    keep_head = 3 if len(value) >= 11 else 1
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]


def personal_props(label: str) -> frozenset[str]:
    """The names of the personal properties of ``label`` (Member: Person's)."""
    return frozenset(p.name for p in NODE_BY_LABEL[key_label(label)].props if p.personal)


def masked(label: str, props: dict[str, Any], personal: bool) -> dict[str, Any]:
    """``props`` of a ``label`` node as a reader sees them: personal values masked
    unless ``personal`` (the reader may see them)."""
    if personal:
        return dict(props)
    hide = personal_props(label)
    return {k: mask(v) if k in hide else v for k, v in props.items()}
