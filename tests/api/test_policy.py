"""The role policy (api.policy): the README shows the table, and the live API does what
the table says, for every capability of every role.

Single cases with their full answers are tested where the feature is: analyst write
refused and resident reading a Compound refused (test_security.py
test_analyst_is_read_only_and_resident_reads_only_demands), phone in clear for staff
(test_reads.py test_compound_page_with_relationships_both_directions, street staff in
test_scope_writes.py test_an_adoption_by_the_county_shows_the_person_to_street_a),
masked for analysts (test_reads.py test_personal_data_masked_for_analysts), resident
steps (test_mutations.py).  Here every (role, capability) pair is asked once.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from apihelp import Api

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from consolehelp import PASSWORD, sign_in  # noqa: E402

from api.accounts import AccountStore  # noqa: E402
from api.policy import (  # noqa: E402
    POLICY,
    README,
    ROLES,
    Cap,
    allows,
    markdown_table,
    refusal,
    with_table,
)
from graph.writer import NodeRecord, RelRecord, write_graph  # noqa: E402

# A scope per role, all holding compound C1 and its residents P1 and P3.
WHO: dict[str, dict[str, str]] = {
    "county_admin": {"scope": "K1"}, "street_staff": {"scope": "S1"},
    "community_staff": {"scope": "M1"}, "analyst": {"scope": "K1"},
    "resident": {"scope": "M1", "subject": "P1"}, "member": {"scope": "M1", "subject": "P1"},
}
# Capabilities that are console pages (not graph data: no GraphQL field).
CONSOLE_PAGES = {Cap.MANAGE_ACCOUNTS: "/accounts", Cap.INVITE: "/invitations"}
RAISE = ('mutation { raiseDemand(raisedIn: "Compound:C1", raisedBy: "Person:P3", input: '
         '{title: "t", category: repair}) { node { raisedBy { code } } errors { '
         "message } } }")


def test_readme_table_is_generated_from_the_policy() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, "api/README.md is stale: run python -m api.policy"
    assert markdown_table() in text
    assert set(ROLES) == {"county_admin", "street_staff", "community_staff", "analyst",
                          "resident", "member"}


def _forbidden(body: dict[str, Any]) -> str | None:
    """The FORBIDDEN message of an answer, None when it was not refused."""
    for error in body.get("errors") or []:
        if error.get("extensions", {}).get("code") == "FORBIDDEN":
            return str(error["message"])
    assert "errors" not in body, body
    return None


def _console_page(api: Api, role: str, path: str) -> httpx.Response:
    """``GET path`` in a console session of an account of ``role`` in its WHO scope."""
    accounts = AccountStore.in_data_dir(api.audit.parent)
    name = f"probe-{role}"
    if accounts.get(name) is None:
        accounts.add(name, name, role, WHO[role]["scope"], lambda s: True)
        accounts.change_password(name, PASSWORD)
    with httpx.Client(base_url=api.base, timeout=30) as client:
        assert sign_in(client, name, PASSWORD).status_code == 303
        return client.get(path)


def _probe(api: Api, role: str, cap: Cap) -> bool:
    """Ask the live API for what ``cap`` allows, as ``role``: True when it was allowed."""
    who: dict[str, Any] = {"role": role, **WHO[role]}

    def allowed(query: str) -> bool:
        message = _forbidden(api.post(query, **who).json())
        assert message in (None, refusal(role, cap)), (role, cap, message)
        return message is None

    if cap is Cap.SEE_PERSONAL:
        body = api.post('{ node(id: "Person:P1") { ... on Person { phone } } }', **who).json()
        return _forbidden(body) is None and body["data"]["node"]["phone"] == "13812341234"
    if cap is Cap.RAISE_FOR_OTHERS:
        body = api.post(RAISE, **who).json()
        if _forbidden(body) is not None:
            return False
        node = body["data"]["raiseDemand"]["node"]
        return bool(node["raisedBy"] == [{"code": "P3"}])
    if cap in CONSOLE_PAGES:
        page = _console_page(api, role, CONSOLE_PAGES[cap])
        assert page.status_code in (200, 403), (role, page.status_code)
        if page.status_code == 403:
            assert html.escape(refusal(role, cap)) in page.text
        return page.status_code == 200
    probes: dict[Cap, Callable[[], bool]] = {
        Cap.READ_ALL: lambda: allowed("{ compounds { totalCount } }"),
        Cap.CHANGE_GRAPH: lambda: allowed(
            'mutation { updateCompound(code: "C2", input: {households: 121}) { errors { '
            "message } } }"),
        Cap.RAISE: lambda: allowed(RAISE),
        Cap.RUN_ANALYSES: lambda: allowed("{ matchPlan { candidatePairs } }"),
        Cap.DISPATCH: lambda: (allowed('mutation { dispatchDemand(code: "D9", taker: '
                                       '"Unit:U1") { errors { message } } }')
                               & allowed("mutation { dispatchMatches { candidatePairs } }")),
        Cap.ACCEPT: lambda: allowed('mutation { acceptDemand(code: "D9") { errors { message '
                                    "} } }"),
        Cap.COMPLETE: lambda: allowed('mutation { completeDemand(code: "D9") { errors { '
                                      "message } } }"),
        Cap.REVIEW: lambda: allowed('mutation { reviewDemand(code: "D9", satisfaction: 4) { '
                                    "errors { message } } }"),
        Cap.HANDLE_ALERTS: lambda: allowed('mutation { acknowledgeAlert(code: "A9") { '
                                           "errors { message } } }"),
        Cap.MANAGE_RULES: lambda: allowed('mutation { updateAlertRule(code: "R9", input: {}) '
                                          "{ errors { message } } }"),
        Cap.WHISTLE: lambda: allowed(
            'mutation { whistle(input: {title: "井盖缺失", category: safety}, raisedIn: '
            '"Compound:C1", unit: "Unit:U1", respondBy: "2026-03-01", due: "2026-03-05") '
            "{ errors { message } } }"),
        Cap.CLAIM: lambda: allowed('mutation { claimDemand(code: "D9") { errors { message } } }'),
        Cap.REPORT_SELF: lambda: allowed('mutation { reportToCommunity(community: '
                                         '"Community:M1") { errors { message } } }'),
        Cap.SEE_POINTS: lambda: allowed("{ pointsRanking { rank } }"),
        Cap.CONFIRM_REPORTS: lambda: (allowed("{ pendingReports { member } }")
                                      & allowed('mutation { confirmReport(member: "Person:P1", '
                                                'community: "Community:M1") { errors { '
                                                "message } } }")),
        Cap.AWARD_POINTS: lambda: allowed('mutation { correctPoints(entry: "PE-0", points: 1, '
                                          'reason: "x") { errors { message } } }'),
        Cap.MANAGE_RULES: lambda: allowed(
            'mutation { createPointsRule(code: "PRX", parent: "County:K1", input: {name: "r", '
            "event: activity, points: 1}) { errors { message } } }"),
    }
    return probes[cap]()


def test_every_capability_of_every_role_on_a_live_api(town_api: Api) -> None:
    write_graph(town_api.store, [NodeRecord("Person", "P3", {"name": "王五"})],
                [RelRecord("LIVES_IN", "Person", "P3", "Compound", "C1")])
    got = {role: frozenset(cap for cap in Cap if _probe(town_api, role, cap))
           for role in ROLES}
    assert got == POLICY
    assert not allows("nobody", Cap.READ_ALL)
