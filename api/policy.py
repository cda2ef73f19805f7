"""Who may do what: one table from role to capabilities, read by every check of the API.

A check asks for a capability (``ctx.require(Cap.CHANGE_GRAPH)``, ``caller.may(...)``),
never for a role, so what a role may do is said here once, and the role table of
api/README.md is generated from this one (``python -m api.policy`` rewrites it; a test
fails when it is stale).  Scope (which nodes) is a separate matter: graph.scope, api.graphql.guard.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path

from graph.i18n import N_, _, translate
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
    MANAGE_ACCOUNTS = "manages the accounts in its scope in the console (`/accounts`)"
    HANDLE_ALERTS = ("acknowledges and resolves alerts, runs the evaluation "
                     "(`acknowledgeAlert`, `resolveAlert`, `evaluateAlerts`)")
    MANAGE_RULES = ("changes the county's rules (alert rules `createAlertRule`, …, points "
                    "rules `createPointsRule`, …, their ledger sheets)")
    WHISTLE = "whistles a problem to a unit (`whistle`: raise and dispatch with deadlines)"
    CLAIM = "claims open demands of its community for itself (`claimDemand`, 领办)"
    REPORT_SELF = "reports itself to its community (`reportToCommunity`, 双报到)"
    SEE_POINTS = "reads its own red points and the rankings in scope (`myPoints`, `pointsRanking`)"
    CONFIRM_REPORTS = "confirms members' reports to a community (`confirmReport`)"
    AWARD_POINTS = "awards and corrects red points (`awardPoints`, `correctPoints`)"
    INVITE = "invites members and residents of its scope to sign up (`/invitations`)"


# What a party member does for itself only (a member account is bound to its Person).
_SELF = frozenset({Cap.CLAIM, Cap.REPORT_SELF})
_STAFF = frozenset(Cap) - _SELF - {Cap.MANAGE_ACCOUNTS, Cap.MANAGE_RULES}
POLICY: dict[str, frozenset[Cap]] = {
    "county_admin": frozenset(Cap) - _SELF,
    "street_staff": _STAFF,
    "community_staff": _STAFF,
    "analyst": frozenset({Cap.READ_ALL, Cap.RUN_ANALYSES}),
    "resident": frozenset({Cap.RAISE, Cap.REVIEW}),
    # 党员自助: raises and reviews as a resident, claims and completes its own tasks,
    # reports itself, reads its points and its community's rankings
    "member": _SELF | {Cap.RAISE, Cap.REVIEW, Cap.COMPLETE, Cap.SEE_POINTS},
}
ROLES: tuple[str, ...] = tuple(POLICY)
# What a caller without READ_ALL reads: its own demands (the token's subject raised them).
OWN_LABELS = frozenset({"Demand"})
# The capability each step of the demand life cycle (graph.lifecycle) needs.
STEP_CAPS: dict[str, Cap] = {"dispatch": Cap.DISPATCH, "accept": Cap.ACCEPT,
                             "complete": Cap.COMPLETE, "review": Cap.REVIEW}
assert set(STEP_CAPS) == set(STEPS), "every life-cycle step needs a capability"

# The refusal each missing capability earns ({role} is filled in), in Chinese, translated
# when refused; clients branch on the code (FORBIDDEN), people read these.
_REFUSALS: dict[Cap, str] = {
    Cap.READ_ALL: N_("居民只能查看自己提出的需求"),
    Cap.CHANGE_GRAPH: N_("角色 {role} 无权修改图谱"),
    Cap.RAISE: N_("角色 {role} 无权提出需求"),
    Cap.RUN_ANALYSES: N_("居民无权运行分析"),
    Cap.DISPATCH: N_("角色 {role} 无权派发需求"),
    Cap.ACCEPT: N_("角色 {role} 无权接收需求"),
    Cap.COMPLETE: N_("角色 {role} 无权办结需求"),
    Cap.REVIEW: N_("角色 {role} 无权评价需求"),
    Cap.MANAGE_ACCOUNTS: N_("角色 {role} 无权管理账号"),
    Cap.HANDLE_ALERTS: N_("角色 {role} 无权处理预警"),
    Cap.MANAGE_RULES: N_("只有县级管理员可以修改规则，角色 {role} 不能"),
    Cap.WHISTLE: N_("角色 {role} 无权吹哨派单"),
    Cap.CLAIM: N_("只有党员本人可以领办需求，角色 {role} 不能"),
    Cap.REPORT_SELF: N_("只有党员本人可以在线双报到，角色 {role} 不能"),
    Cap.SEE_POINTS: N_("角色 {role} 无权查看红色积分"),
    Cap.CONFIRM_REPORTS: N_("角色 {role} 无权确认双报到"),
    Cap.AWARD_POINTS: N_("角色 {role} 无权记录或更正红色积分"),
    Cap.INVITE: N_("角色 {role} 无权发放邀请码"),
}
assert set(STEP_CAPS.values()) <= set(_REFUSALS), "every life-cycle step needs a refusal"
# Labels whose nodes (and the relationships from them) need more than CHANGE_GRAPH to
# change, through any door: the generic mutations, link/unlink, ledger imports.
LABEL_CAPS: dict[str, Cap] = {"AlertRule": Cap.MANAGE_RULES,
                             "PointsRule": Cap.MANAGE_RULES}


def allows(role: str, cap: Cap) -> bool:
    return cap in POLICY.get(role, frozenset())


def reads(role: str, label: str) -> bool:
    """Whether ``role`` may read nodes of ``label`` at all (scope still applies)."""
    return allows(role, Cap.READ_ALL) or label in OWN_LABELS


def refusal(role: str, cap: Cap) -> str:
    """Why ``role`` is refused ``cap``, in the language in force."""
    if cap in _REFUSALS:
        return translate(_REFUSALS[cap]).format(role=role)
    return _("角色 {role} 无权执行此操作", role=role)


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
