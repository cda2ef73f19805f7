"""Who may do what: one table from role to capabilities, read by every check of the API.

A check asks for a capability (``ctx.require(Cap.CHANGE_GRAPH)``, ``caller.may(...)``),
never for a role, so what a role may do is said here once, and the role table of
api/README.md is generated from this one (``python -m api.policy`` rewrites it; a test
fails when it is stale).  Scope (which nodes) is a separate matter: graph.scope, api.guard.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path

from graph.lifecycle import STEPS


class Cap(enum.Enum):
    """A capability; its value is the README's wording."""

    READ_ALL = "reads every label in scope (without it: only the demands it raised)"
    SEE_PERSONAL = "sees phone/ID numbers in clear (without it: masked, `138****1234`)"
    CHANGE_GRAPH = "changes the graph: create/update/delete, `link`, `unlink`"
    RAISE = "raises demands (`raiseDemand`)"
    RAISE_FOR_OTHERS = "raises them for another person (`raisedBy`; without it: for itself)"
    DISPATCH = "dispatches demands (`dispatchDemand`, `dispatchMatches`)"
    ACCEPT = "accepts them (`acceptDemand`)"
    COMPLETE = "completes them (`completeDemand`)"
    REVIEW = "reviews done demands (`reviewDemand`)"
    RUN_ANALYSES = "runs analyses (`indicators`, `coverageGaps`, `matchPlan`, …)"


_STAFF = frozenset(Cap)
POLICY: dict[str, frozenset[Cap]] = {
    "county_admin": _STAFF,
    "street_staff": _STAFF,
    "community_staff": _STAFF,
    "analyst": frozenset({Cap.READ_ALL, Cap.RUN_ANALYSES}),
    "resident": frozenset({Cap.RAISE, Cap.REVIEW}),
}
ROLES: tuple[str, ...] = tuple(POLICY)
# What a caller without READ_ALL reads: its own demands (the token's subject raised them).
OWN_LABELS = frozenset({"Demand"})
# The capability each step of the demand life cycle (graph.lifecycle) needs.
STEP_CAPS: dict[str, Cap] = {"dispatch": Cap.DISPATCH, "accept": Cap.ACCEPT,
                             "complete": Cap.COMPLETE, "review": Cap.REVIEW}
assert set(STEP_CAPS) == set(STEPS), "every life-cycle step needs a capability"

# The refusal each missing capability earns ({role} is filled in); clients and tests
# know these texts.
_REFUSALS: dict[Cap, str] = {
    Cap.READ_ALL: "residents may read their own demands only",
    Cap.CHANGE_GRAPH: "role {role} may not change the graph",
    Cap.RAISE: "role {role} may not raise demands",
    Cap.RUN_ANALYSES: "residents may not run analyses",
    **{cap: f"role {{role}} may not {step} demands" for step, cap in STEP_CAPS.items()},
}


def allows(role: str, cap: Cap) -> bool:
    return cap in POLICY.get(role, frozenset())


def reads(role: str, label: str) -> bool:
    """Whether ``role`` may read nodes of ``label`` at all (scope still applies)."""
    return allows(role, Cap.READ_ALL) or label in OWN_LABELS


def refusal(role: str, cap: Cap) -> str:
    return _REFUSALS.get(cap, "role {role} may not do this").format(role=role)


BEGIN = "<!-- roles: generated from api/policy.py by `python -m api.policy` -->"
END = "<!-- /roles -->"
README = Path(__file__).with_name("README.md")


def markdown_table() -> str:
    """The role table of api/README.md: one row per capability, one column per role."""
    lines = ["| capability | " + " | ".join(ROLES) + " |",
             "| --- |" + " :-: |" * len(ROLES)]
    for cap in Cap:
        cells = " | ".join("✓" if allows(role, cap) else "—" for role in ROLES)
        lines.append(f"| {cap.value} | {cells} |")
    return "\n".join(lines)


def with_table(readme: str) -> str:
    """``readme`` with the generated table between its markers."""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise ValueError(f"api/README.md has no {BEGIN} … {END} block")
    return pattern.sub(lambda _: f"{BEGIN}\n{markdown_table()}\n{END}", readme)


if __name__ == "__main__":
    README.write_text(with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
