"""Audit before acknowledge, clean inputs and tokens that name a subject, over HTTP.

Issue 9, hole 3: a lone surrogate made the audit write raise *after* the commit, so
accepted demands, unlinks and raised demands stood in the store with no audit line, and
every staff line said ``"who": null``.  Here every mutation gets arbitrary unicode in its
string arguments and must either be refused with the store unchanged, or be written;
either way with exactly one new audit line naming the token's subject.  A failing audit
write rolls the change back; a commit that fails after the line gets an ``error`` line
with the same id; a retried transaction writes its ``ok`` line once.

Bodies are sent as ASCII JSON (``json.dumps``' default), so a lone surrogate travels as
the escape ``\\ud800`` and reaches the server as the Python string it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import stat
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from apihelp import SECRET, Api, api_settings, serve
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from neo4j.exceptions import SessionExpired

from api.audit import AuditLog
from api.auth import Caller
from api.cli.main import main
from api.graphql.auditing import AuditedStore
from api.http.app import create_app
from api.http.tokens import issue_token
from graph.store import BoltStore, Query, StoreError, Transaction
from graph.writer import NodeRecord, write_graph

SUBJECT = "county_admin@K1"  # what apihelp's Api.token puts in `sub` by default
AUDIT_FAILED = "审计日志写入失败，变更已撤销；请联系管理员检查审计日志文件与磁盘空间"

# ---- the store, the audit log and the wire ----------------------------------------------

NODES = Query("t_nodes", "MATCH (n) WHERE NOT n:JinlinWriteStamp "
                       "RETURN labels(n) AS labels, properties(n) AS props")
RELS = Query("t_rels", "MATCH (a)-[r]->(b) RETURN a.code AS a, type(r) AS type, "
             "b.code AS b, properties(r) AS props")


def snapshot(store: BoltStore) -> tuple[Counter[str], str]:
    """Nodes per label, relationships per type, and a hash of every property."""
    nodes = [(sorted(r["labels"]), r["props"]) for r in store.read(NODES)]
    rels = [(r["a"], r["type"], r["b"], r["props"]) for r in store.read(RELS)]
    sizes = Counter("+".join(labels) for labels, _ in nodes) + Counter(r[1] for r in rels)
    lines = sorted(json.dumps(x, sort_keys=True) for x in [*nodes, *rels])
    return sizes, hashlib.sha256("\n".join(lines).encode()).hexdigest()


def audit_lines(api: Api) -> list[dict[str, Any]]:
    if not api.audit.exists():
        return []
    text = api.audit.read_bytes().decode("ascii")  # ensure_ascii: nothing can break a line
    return [json.loads(line) for line in text.splitlines()]


def send(api: Api, query: str, variables: dict[str, Any], token: str | None = None
         ) -> httpx.Response:
    body = json.dumps({"query": query, "variables": variables}).encode("ascii")
    return api.http.post("/graphql", content=body, headers={
        "Authorization": f"Bearer {token or api.token()}", "Content-Type": "application/json"})


def checked(api: Api, query: str, variables: dict[str, Any]) -> str:
    """Run one mutation and check the contract; the audit outcome it got."""
    before, lines = snapshot(api.store), len(audit_lines(api))
    response = send(api, query, variables)
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text
    body = response.json()
    new = audit_lines(api)[lines:]
    assert len(new) == 1, (variables, new)
    line = new[0]
    assert (line["who"], line["role"], line["scope"]) == (SUBJECT, "county_admin", "K1")
    payload = next(iter((body.get("data") or {}).values()), None)
    if "errors" in body or (payload or {}).get("errors"):
        assert line["outcome"] in ("refused", "invalid"), (variables, body, line)
        assert snapshot(api.store) == before, (variables, body)
    else:
        assert line["outcome"] == "ok", (variables, body, line)
    return str(line["outcome"])


# ---- the mutations -----------------------------------------------------------------------

ERR = "errors { field message }"
CREATE_COMPOUND = ("mutation($code: String!, $input: CompoundInput!, $parent: ID) { "
                   f"createCompound(code: $code, input: $input, parent: $parent) {{ {ERR} }} }}")
UPDATE_COMPOUND = ("mutation($code: String!, $input: CompoundInput!) { "
                   f"updateCompound(code: $code, input: $input) {{ {ERR} }} }}")
DELETE_COMPOUND = f"mutation($code: String!) {{ deleteCompound(code: $code) {{ {ERR} }} }}"
CREATE_PERSON = ("mutation($code: String!, $input: PersonInput!, $parent: ID) { "
                 f"createPerson(code: $code, input: $input, parent: $parent) {{ {ERR} }} }}")
UPDATE_PERSON = ("mutation($code: String!, $input: PersonInput!) { "
                 f"updatePerson(code: $code, input: $input) {{ {ERR} }} }}")
LINK = f"mutation($input: LinkInput!) {{ link(input: $input) {{ {ERR} }} }}"
UNLINK = f"mutation($input: LinkInput!) {{ unlink(input: $input) {{ {ERR} }} }}"
RAISE = ("mutation($code: String, $input: DemandInput!, $raisedIn: ID!) { "
         f"raiseDemand(code: $code, input: $input, raisedIn: $raisedIn) {{ {ERR} }} }}")
DISPATCH = ("mutation($code: String!, $taker: ID, $resource: String) { "
            f"dispatchDemand(code: $code, taker: $taker, resource: $resource) {{ {ERR} }} }}")
ACCEPT = f"mutation($code: String!) {{ acceptDemand(code: $code) {{ {ERR} }} }}"
COMPLETE = f"mutation($code: String!) {{ completeDemand(code: $code) {{ {ERR} }} }}"
REVIEW = ("mutation($code: String!) { "
          f"reviewDemand(code: $code, satisfaction: 5) {{ {ERR} }} }}")
MATCHES = "mutation($scope: String) { dispatchMatches(scope: $scope) { dispatched } }"
CLAIM = f"mutation($code: String!) {{ claimDemand(code: $code) {{ {ERR} }} }}"
REPORT = f"mutation($c: ID!) {{ reportToCommunity(community: $c) {{ {ERR} }} }}"
CONFIRM = ("mutation($member: ID!, $c: ID!) { "
           f"confirmReport(member: $member, community: $c) {{ {ERR} }} }}")
AWARD = ("mutation($member: ID!, $rule: String!, $source: String!, $note: String) { awardPoints("
         f"member: $member, rule: $rule, source: $source, note: $note) {{ {ERR} }} }}")
CORRECT = ("mutation($entry: String!, $reason: String!) { "
           f"correctPoints(entry: $entry, points: 1, reason: $reason) {{ {ERR} }} }}")


def post(role: str, since: str, **change: str) -> dict[str, Any]:
    return {"input": {"type": "HOLDS_POST", "source": "Person:P1", "target": "PartyOrg:PO1",
                      "role": role, "since": since, **change}}


def calls(v: str, n: int) -> list[tuple[str, dict[str, Any]]]:
    """Every mutation, with ``v`` in each of its string arguments in turn, and the clean
    calls that give the next ones something to act on (example ``n``: fresh codes).
    A post's ``role`` is an enum (PostRole): a value outside it is a GraphQL validation
    error before any resolver runs, like a text in an Int (test_schema_words)."""
    since, demand = f"19{n % 100:02d}-01-01", f"DT{n}"
    title = {"title": "楼道灯坏了", "category": "repair"}
    return [
        (CREATE_COMPOUND, {"code": v, "input": {"name": "新小区"}, "parent": "Grid:G1"}),
        (CREATE_COMPOUND, {"code": f"CX{n}", "input": {"name": v}, "parent": "Grid:G1"}),
        (CREATE_COMPOUND, {"code": f"CY{n}", "input": {"name": "新小区"}, "parent": v}),
        (UPDATE_COMPOUND, {"code": "C2", "input": {"name": v}}),
        (UPDATE_COMPOUND, {"code": v, "input": {"households": 5}}),
        (DELETE_COMPOUND, {"code": v}),
        (DELETE_COMPOUND, {"code": f"CX{n}"}),
        (CREATE_PERSON, {"code": f"PX{n}", "input": {"name": v, "phone": v},
                         "parent": "Compound:C1"}),
        (UPDATE_PERSON, {"code": "P2", "input": {"idNumber": v}}),
        (LINK, post("committee_member", since, source=v)),
        (LINK, post("committee_member", since, target=v)),
        (LINK, post("committee_member", v)),
        (LINK, post("committee_member", since)),
        (UNLINK, post("committee_member", since, source=v)),
        (UNLINK, post("committee_member", since)),
        (RAISE, {"code": demand, "input": {**title, "title": v}, "raisedIn": "Compound:C1"}),
        (RAISE, {"input": title, "raisedIn": v}),
        (RAISE, {"code": v, "input": title, "raisedIn": "Compound:C1"}),
        (RAISE, {"code": demand, "input": title, "raisedIn": "Compound:C1"}),
        (DISPATCH, {"code": demand, "taker": v}),
        (DISPATCH, {"code": demand, "taker": "Person:P1", "resource": v}),
        (DISPATCH, {"code": demand, "taker": "Person:P1"}),
        (ACCEPT, {"code": v}), (ACCEPT, {"code": demand}),
        (COMPLETE, {"code": v}), (COMPLETE, {"code": demand}),
        (REVIEW, {"code": v}), (REVIEW, {"code": demand}),
        (MATCHES, {"scope": v}),
        (CLAIM, {"code": v}), (REPORT, {"c": v}),
        (CONFIRM, {"member": v, "c": "Community:M1"}), (CONFIRM, {"member": "Person:P1", "c": v}),
        (AWARD, {"member": v, "rule": "PR-A", "source": "植树"}),
        (AWARD, {"member": "Person:P1", "rule": v, "source": v, "note": v}),
        (CORRECT, {"entry": v, "reason": v}),
    ]


HOSTILE = ["\ud800", "\udfff", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\u202e",
           "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\t", "\n", "\r", " ", ":", "'"]
PLAUSIBLE = ["Person:P1", "Compound:C1", "Grid:G1", "PartyOrg:PO1", "Street:S1", "secretary",
             "2024-01-01", "幸福里", "P1", "DT0"]
texts = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(PLAUSIBLE),
                       st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                       st.characters(exclude_categories=())), max_size=8).map("".join),
)
EXAMPLE = itertools.count()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=texts)
@example(value="\ud800")
@example(value="幸福\udfff里")
@example(value="Person:P1\x00")
@example(value="\u202e阳光")
@example(value="新小区")
def test_every_mutation_is_refused_unchanged_or_written_with_one_audit_line(
        town_api: Api, value: str) -> None:
    outcomes = [checked(town_api, q, variables) for q, variables in
                calls(value, next(EXAMPLE))]
    assert outcomes[12] == "ok"  # the clean link; one of the unlinks after it removes it
    assert "ok" in (outcomes[13], outcomes[14])


def test_the_issue_s_surrogate_mutations_commit_nothing(town_api: Api) -> None:
    checked(town_api, RAISE, {"code": "D1", "input": {"title": "漏水", "category": "repair"},
                              "raisedIn": "Compound:C1"})
    checked(town_api, DISPATCH, {"code": "D1", "taker": "Person:P1"})
    before = snapshot(town_api.store)
    chair = {"input": {"type": "HOLDS_POST", "source": "Person:P1\ud800",
                       "target": "OwnersCommittee:OC1", "role": "chair", "since": "2021-03-01"}}
    for query, variables, field, position, point in [
        (ACCEPT, {"code": "D1\ud800"}, "code", 3, "D800"),
        (UNLINK, chair, "input.source", 10, "D800"),
        (RAISE, {"input": {"title": "x", "category": "repair"}, "raisedIn": "Compound:\x00C1"},
         "raisedIn", 10, "0000"),
        (DISPATCH, {"code": "D1", "taker": "Person:P1", "resource": "\u202e资源"},
         "resource", 1, "202E"),
    ]:
        body = send(town_api, query, variables).json()
        error = body["errors"][0]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        kind = {"D800": "孤立的代理码位，不是有效字符", "0000": "控制字符",
                "202E": "双向文本控制符，会改变文字显示顺序"}[point]
        assert error["message"] == (f"参数 {field} 无效：第 {position} 个字符 U+{point}（{kind}）"
                                    "不允许出现在文本中，请删除后重试")
        assert snapshot(town_api.store) == before
    lines = audit_lines(town_api)
    assert [x["outcome"] for x in lines] == ["ok", "ok", "invalid", "invalid", "invalid",
                                             "invalid"]
    assert lines[2]["arguments"] == {"code": "D1\ud800", "taker": None, "resource": None,
                                     "satisfaction": None}
    assert "\\ud800" in town_api.audit.read_text()  # escaped in the file, read back intact
    assert len({x["id"] for x in lines}) == len(lines)


# ---- audit failures ----------------------------------------------------------------------

def test_a_failed_audit_write_rolls_the_mutation_back(town_api: Api) -> None:
    checked(town_api, RAISE, {"code": "D1", "input": {"title": "漏水", "category": "repair"},
                              "raisedIn": "Compound:C1"})
    town_api.audit.unlink()
    town_api.audit.mkdir()  # every append now fails (tests run as root: modes would not)
    before = snapshot(town_api.store)
    chair = {"input": {"type": "HOLDS_POST", "source": "Person:P1",
                       "target": "OwnersCommittee:OC1", "role": "chair", "since": "2021-03-01"}}
    for query, variables in [
        (UPDATE_COMPOUND, {"code": "C2", "input": {"name": "改名"}}),
        (CREATE_COMPOUND, {"code": "C9", "input": {"name": "新"}, "parent": "Grid:G1"}),
        (DELETE_COMPOUND, {"code": "C2"}),
        (LINK, post("committee_member", "2024-01-01")),
        (UNLINK, chair),
        (RAISE, {"code": "D2", "input": {"title": "漏水", "category": "repair"},
                 "raisedIn": "Compound:C1"}),
        (DISPATCH, {"code": "D1", "taker": "Person:P1"}),
        (MATCHES, {"scope": None}),
    ]:
        body = send(town_api, query, variables).json()
        assert body["errors"][0]["message"] == AUDIT_FAILED, (query, body)
        assert body["errors"][0]["extensions"]["code"] == "AUDIT_FAILED"
        assert snapshot(town_api.store) == before, query
    town_api.audit.rmdir()
    assert checked(town_api, UPDATE_COMPOUND, {"code": "C2", "input": {"name": "改名"}}) == "ok"
    assert stat.S_IMODE(town_api.audit.stat().st_mode) == 0o600


class _Faulty:
    """The test store with a fault between a transaction's last step (the audit line) and
    its commit: ``fail`` times, then it lets the commit through."""

    def __init__(self, store: BoltStore, fault: Callable[[], Exception], fail: int) -> None:
        self._store, self.fault, self.fail, self.attempts = store, fault, fail, 0

    def transaction(self, work: Callable[[Transaction], Any]) -> Any:
        def then_fault(tx: Transaction) -> Any:
            result = work(tx)
            self.attempts += 1
            if self.attempts <= self.fail:
                raise self.fault()
            return result

        return self._store.transaction(then_fault)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _faulty_api(town_api: Api, tmp_path: Path, faulty: _Faulty) -> tuple[Api, Callable[[], None]]:
    data = tmp_path / "faulty"
    base, stop = serve(create_app(api_settings(data), faulty))  # type: ignore[arg-type]
    return Api(base, town_api.store, data / "audit.log"), stop


def test_a_commit_that_fails_after_the_line_gets_an_error_line(town_api: Api,
                                                               tmp_path: Path) -> None:
    faulty = _Faulty(town_api.store, lambda: StoreError("simulated commit failure"), fail=99)
    api, stop = _faulty_api(town_api, tmp_path, faulty)
    try:
        before = snapshot(api.store)
        body = send(api, UPDATE_COMPOUND, {"code": "C2", "input": {"name": "改名"}}).json()
        assert "simulated commit failure" in body["errors"][0]["message"]
        assert snapshot(api.store) == before
        lines = audit_lines(api)
        assert [(x["mutation"], x["outcome"]) for x in lines] == [
            ("update_compound", "ok"), ("update_compound", "error")]
        assert lines[0]["id"] == lines[1]["id"]  # readers take the last line per id
    finally:
        stop()


def test_a_retried_transaction_writes_its_ok_line_once(town_api: Api, tmp_path: Path) -> None:
    faulty = _Faulty(town_api.store, lambda: SessionExpired("simulated lost connection"),
                     fail=1)
    api, stop = _faulty_api(town_api, tmp_path, faulty)
    try:
        body = send(api, UPDATE_COMPOUND, {"code": "C2", "input": {"name": "重试"}}).json()
        assert body == {"data": {"updateCompound": {"errors": []}}}
        assert faulty.attempts == 2  # the driver ran the transaction again
        lines = audit_lines(api)
        assert [(x["mutation"], x["outcome"], x["who"]) for x in lines] == [
            ("update_compound", "ok", SUBJECT)]
        name = api.store.read(Query("t", "MATCH (c:Compound {code: 'C2'}) RETURN c.name AS n"))
        assert name == [{"n": "重试"}]
    finally:
        stop()


def test_a_mutation_commits_one_write_transaction_at_most(store: BoltStore,
                                                         tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.log")
    audited = AuditedStore(store, log.entry(Caller("county_admin", "K1", "zhang.san"),
                                            "test", {}))
    assert audited.transaction(lambda tx: False) is False  # changed nothing: no line
    assert not log.path.exists()
    create = Query("t", "CREATE (c:Compound {code: 'CZ'}) RETURN c.code AS code")
    with pytest.raises(RuntimeError, match="one write transaction only"):
        audited.write(create)
    assert store.read(Query("t", "MATCH (c:Compound {code: 'CZ'}) RETURN c.code AS c")) == []


def test_audit_log_is_created_0600_and_tightened(town_api: Api) -> None:
    town_api.audit.write_text("")
    os.chmod(town_api.audit, 0o644)
    checked(town_api, UPDATE_COMPOUND, {"code": "C2", "input": {"households": 7}})
    assert stat.S_IMODE(town_api.audit.stat().st_mode) == 0o600
    town_api.audit.unlink()
    checked(town_api, UPDATE_COMPOUND, {"code": "C2", "input": {"households": 8}})
    assert stat.S_IMODE(town_api.audit.stat().st_mode) == 0o600


# ---- tokens ------------------------------------------------------------------------------

def _claims(hours: float, **kw: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {"role": "county_admin", "scope": "K1", "sub": "zhang.san", "iat": now,
            "exp": now + dt.timedelta(hours=hours), **kw}


def test_tokens_must_name_a_subject_and_keep_to_the_lifetime(town_api: Api) -> None:
    query = "{ counties { totalCount } }"
    now = dt.datetime.now(dt.UTC)
    no_sub = {k: v for k, v in _claims(1).items() if k != "sub"}
    no_iat = {k: v for k, v in _claims(1).items() if k != "iat"}
    for claims, message in [
        (no_sub, "令牌缺少主体（sub）"),
        (_claims(1, sub=""), "令牌缺少主体（sub）"),
        (no_iat, "令牌缺少签发时间（iat）"),
        (_claims(721), "令牌有效期 721 小时超过服务器上限 720 小时，请重新签发"),
        (_claims(1, iat=now - dt.timedelta(hours=800)),
         "令牌有效期 801 小时超过服务器上限 720 小时，请重新签发"),
    ]:
        response = town_api.post(query, token=jwt.encode(claims, SECRET))
        assert response.status_code == 401, claims
        assert response.json()["errors"][0]["message"] == message
    assert town_api.post(query, token=jwt.encode(_claims(720), SECRET)).status_code == 200

    with pytest.raises(ValueError, match="令牌必须指明主体"):
        issue_token(SECRET, "county_admin", "K1", " ")
    with pytest.raises(ValueError, match="令牌有效期 876000 小时不在允许范围内"):
        issue_token(SECRET, "county_admin", "K1", "zhang.san", ttl_hours=876000)
    with pytest.raises(ValueError, match="不超过 2 小时"):
        issue_token(SECRET, "county_admin", "K1", "zhang.san", ttl_hours=3, max_hours=2)


def test_staff_audit_lines_name_the_subject(town_api: Api) -> None:
    token = issue_token(SECRET, "street_staff", "S1", "zhang.san")
    body = send(town_api, UPDATE_COMPOUND, {"code": "C2", "input": {"households": 9}},
                token=token).json()
    assert body == {"data": {"updateCompound": {"errors": []}}}
    assert [(x["who"], x["role"], x["scope"]) for x in audit_lines(town_api)] == [
        ("zhang.san", "street_staff", "S1")]


def test_cli_token_requires_a_subject_and_a_bounded_lifetime(
        store: BoltStore, embedded_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]
) -> None:
    if store.backend != "arcadedb":
        pytest.skip("the command line's --data-dir is the embedded store")
    write_graph(store, [NodeRecord("County", "K1", {"name": "K1"})], [])  # the scope exists
    monkeypatch.setenv("JINLIN_JWT_SECRET", SECRET)
    base = ["token", "--role", "county_admin", "--scope", "K1", "--data-dir", str(embedded_dir)]
    with pytest.raises(SystemExit) as exit_:
        main(base)
    assert exit_.value.code == 2 and "--subject" in capsys.readouterr().err
    assert main([*base, "--subject", "zhang.san", "--ttl-hours", "876000"]) == 2
    assert "令牌有效期 876000 小时不在允许范围内" in capsys.readouterr().err
    assert main([*base, "--subject", "zhang.san"]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["exp"] - claims["iat"]) == ("zhang.san", 12 * 3600)
