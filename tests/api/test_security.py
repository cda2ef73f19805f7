"""Authentication, roles, scope enforcement (read and write), limits, masking, audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import jwt
import pytest
from apihelp import SECRET, Api, api_settings, serve

from api.http.app import create_app
from api.http.tokens import issue_token
from graph.store import BoltStore, Query
from graph.writer import RelRecord as R
from graph.writer import write_graph


def test_anonymous_gets_only_health(api: Api) -> None:
    health = api.http.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "store": api.store.backend}
    anon = api.http.post("/graphql", json={"query": "{ counties { totalCount } }"})
    assert anon.status_code == 401 and "Bearer" in anon.json()["errors"][0]["message"]


@pytest.mark.parametrize("forge", ["wrong_secret", "alg_none", "expired", "garbage", "no_role"])
def test_bad_tokens_are_refused(api: Api, forge: str) -> None:
    now = dt.datetime.now(dt.UTC)
    claims = {"role": "county_admin", "scope": "K1", "exp": now + dt.timedelta(hours=1)}
    token = {
        "wrong_secret": lambda: jwt.encode(claims, "another-secret-" + "y" * 40),
        "alg_none": lambda: jwt.encode(claims, None, algorithm="none"),
        "expired": lambda: jwt.encode({**claims, "exp": now - dt.timedelta(hours=1)}, SECRET),
        "garbage": lambda: "not.a.token",
        "no_role": lambda: jwt.encode({"scope": "K1", "exp": claims["exp"]}, SECRET),
    }[forge]()
    response = api.post("{ counties { totalCount } }", token=token)
    assert response.status_code == 401, response.text


def test_unknown_scope_is_forbidden(town_api: Api) -> None:
    assert town_api.post("{ counties { totalCount } }", scope="NOWHERE").status_code == 403


def test_street_staff_see_only_their_street(town_api: Api) -> None:
    who = {"role": "street_staff", "scope": "S2"}
    got = town_api.gql("{ compounds(first: 10) { totalCount edges { node { code } } } }", **who)
    assert got["compounds"]["totalCount"] == 1
    assert town_api.gql('{ node(id: "Compound:C1") { id } }', **who) == {"node": None}
    firms = town_api.gql("{ propertyFirms(first: 10) { edges { node { code } } } }", **who)
    assert firms["propertyFirms"]["edges"] == [{"node": {"code": "F2"}}]
    # following a relationship never leaves the scope: C3's resident P2, not C1's
    people = town_api.gql('{ node(id: "Compound:C3") { ... on Compound { residentPerson { code }'
                          ' inGrid { partOfCommunity { code partOfStreet { code } } } } } }',
                          **who)
    assert people["node"]["residentPerson"] == [{"code": "P2"}]
    assert people["node"]["inGrid"] == [{"partOfCommunity": [
        {"code": "M2", "partOfStreet": [{"code": "S2"}]}]}]


def test_community_staff_scope_by_graph_not_by_code(town_api: Api) -> None:
    who = {"role": "community_staff", "scope": "Community:M1"}
    orgs = town_api.gql("{ partyOrgs(first: 10) { edges { node { code } } } }", **who)
    assert [e["node"]["code"] for e in orgs["partyOrgs"]["edges"]] == ["PM1", "PO1"]
    assert town_api.gql("{ units { totalCount } }", **who)["units"]["totalCount"] == 1
    assert town_api.gql("{ streets { totalCount } }", **who)["streets"]["totalCount"] == 0


def test_writes_outside_scope_are_refused(town_api: Api) -> None:
    who = {"role": "street_staff", "scope": "S2"}
    upd = town_api.gql('mutation { updateCompound(code: "C1", input: {households: 1}) {'
                       " errors { field message } } }", **who)
    assert upd["updateCompound"]["errors"] == [{"field": "code",
                                                "message": "你的管辖范围内没有 Compound C1"}]
    new = town_api.gql('mutation { createCompound(code: "C9", input: {name: "x"}, '
                       'parent: "Grid:G1") { errors { field message } } }', **who)
    assert new["createCompound"]["errors"] == [{"field": "parent",
                                                "message": "Grid:G1 不在你的管辖范围内"}]
    gone = town_api.gql('mutation { deleteCompound(code: "C1") { ok } }', **who)
    assert gone["deleteCompound"]["ok"] is False
    rows = town_api.store.read(Query("t", "MATCH (c:Compound {code: 'C1'}) "
                                          "RETURN c.households AS h"))
    assert rows == [{"h": 300}]


def test_analyst_is_read_only_and_resident_reads_only_demands(town_api: Api) -> None:
    body = town_api.post('mutation { deleteCompound(code: "C1") { ok } }', role="analyst").json()
    assert body["errors"][0]["message"] == "角色 analyst 无权修改图谱"
    body = town_api.post("{ compounds { totalCount } }", role="resident", scope="M1",
                         subject="P1").json()
    assert "居民只能查看自己提出的需求" in body["errors"][0]["message"]


def test_limits_reject_deep_wide_and_malformed_documents(town_api: Api) -> None:
    deep = "{ node(id: \"Compound:C1\") { ... on Compound " + \
        "{ inGrid { partOfCommunity { hasGrid { containsCompound " * 3 + "{ code }" + \
        " } } } }" * 3 + " } }"
    body = town_api.post(deep).json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: counties {{ totalCount }}" for i in range(40)) + " }"
    body = town_api.post(aliases).json()
    assert "aliases found. Allowed: 30" in body["errors"][0]["message"]
    tokens = "{ counties { totalCount " + "__typename " * 2500 + "} }"
    body = town_api.post(tokens).json()
    assert "token" in body["errors"][0]["message"].lower()
    body = town_api.post("{ counties { ").json()
    assert body["errors"][0]["message"].startswith("Syntax Error")
    huge = town_api.http.post("/graphql", content=b"x" * 70_000, headers={
        "Authorization": f"Bearer {town_api.token()}", "Content-Type": "application/json"})
    assert huge.status_code == 413


class _Broken:
    """A store whose reads fail with internals a client must never see."""

    def __init__(self, store: BoltStore) -> None:
        self._store = store
        self.backend = store.backend

    def read(self, query: Query, **params: object) -> list[dict[str, object]]:
        if query.name.startswith("page_"):
            raise RuntimeError("password=hunter2 at /srv/secret.py line 3")
        return self._store.read(query, **params)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_production_masks_unexpected_errors(town_api: Api, tmp_path: Path) -> None:
    app = create_app(api_settings(tmp_path, production=True), _Broken(town_api.store))  # type: ignore[arg-type]
    base, stop = serve(app)
    try:
        token = issue_token(SECRET, "county_admin", "K1", "admin@K1")
        http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
        page = "{ compounds { totalCount edges { node { code } } } }"  # a count alone reads no page
        body = http.post("/graphql", json={"query": page}).json()
        assert body["errors"][0]["message"] == "Unexpected error."
        assert "hunter2" not in json.dumps(body)
        body = http.post("/graphql", json={"query": '{ node(id: "bad") { id } }'}).json()
        assert "格式不对" in body["errors"][0]["message"]  # client errors stay readable
        assert http.get("/graphql", headers={"Accept": "text/html"}).status_code != 200
    finally:
        stop()


def test_mutations_are_audited(town_api: Api) -> None:
    town_api.gql('mutation { updatePerson(code: "P2", input: {phone: "13700001234"}) { '
                 "errors { field } } }")
    town_api.post('mutation { deleteCompound(code: "C1") { ok } }', role="analyst")
    lines = [json.loads(x) for x in town_api.audit.read_text().splitlines()]
    assert [(x["mutation"], x["role"], x["outcome"]) for x in lines] == [
        ("update_person", "county_admin", "ok"), ("delete_compound", "analyst", "refused")]
    assert lines[0]["arguments"] == {"code": "P2", "input": {"phone": "137****1234"}}


class _Down(_Broken):
    def ping(self) -> bool:
        return False


def test_health_reports_unavailable_store_and_a_browser_goes_to_graphiql(
        api: Api, tmp_path: Path) -> None:
    ide = api.http.get("/graphql", headers={"Accept": "text/html"})
    assert (ide.status_code, ide.headers["location"]) == (303, "/graphiql")  # offline page
    base, stop = serve(create_app(api_settings(tmp_path), _Down(api.store)))  # type: ignore[arg-type]
    try:
        down = httpx.get(f"{base}/health")
        assert down.status_code == 503
        assert down.json() == {"status": "unavailable", "store": api.store.backend}
    finally:
        stop()


def test_short_secret_refused() -> None:
    with pytest.raises(ValueError, match="至少要 32 个字节"):
        issue_token("short", "analyst", "K1", "analyst@K1")


def test_scope_through_either_anchor_counts_once(town_api: Api) -> None:
    """P2 lives in C3 (M2, S2) and chairs OC1, which represents C1 (M1, S1): two anchors.

    Root lists walk down from the scope node, one branch per anchor path; the person
    must be visible from both sides, once, and ``within`` must intersect with the
    caller's scope through any anchor (not require one anchor to satisfy both).
    """
    write_graph(town_api.store, [], [R("HOLDS_POST", "Person", "P2", "OwnersCommittee", "OC1",
                                       {"role": "chair", "since": "2023-01-01"})])
    q = """query($w: ID) { people(first: 10, within: $w) { totalCount
           edges { node { code } } } }"""

    def codes(w: str | None = None, **who: str) -> tuple[int, list[str]]:
        got = town_api.gql(q, {"w": w}, **who)["people"]
        return got["totalCount"], [e["node"]["code"] for e in got["edges"]]

    m1 = {"role": "community_staff", "scope": "Community:M1"}
    m2 = {"role": "community_staff", "scope": "Community:M2"}
    s2 = {"role": "street_staff", "scope": "S2"}
    assert codes() == (2, ["P1", "P2"])  # the county: P2 once, though reached twice
    assert codes(**m1) == (2, ["P1", "P2"])  # through the post only
    assert codes(**m2) == (1, ["P2"])  # through where P2 lives only
    assert codes("Community:M1", **s2) == (1, ["P2"])  # in S2 by home, within M1 by post
    assert codes("Street:S2", **m1) == (1, ["P2"])  # wider filter than the scope
    assert codes("Compound:C3", **m1) == (1, ["P2"])
    assert codes("Compound:C2", **m1) == (0, [])
    members = town_api.gql("{ people(filter: {isMember: true}) { totalCount } }", **m2)
    assert members["people"]["totalCount"] == 0
    by_community = town_api.gql("{ countBy(label: PERSON, level: COMMUNITY) { code count } }")
    assert by_community["countBy"] == [{"code": "M1", "count": 2}, {"code": "M2", "count": 1}]
    by_street = town_api.gql("{ countBy(label: PERSON, level: STREET) { code count } }", **s2)
    assert by_street["countBy"] == [{"code": "S2", "count": 1}]
    by_grid = town_api.gql("{ countBy(label: UNIT, level: GRID) { code count } }")
    assert by_grid["countBy"] == [{"code": "G1", "count": 0}, {"code": "G2", "count": 0}]
