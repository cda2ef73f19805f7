"""Hostile strings in every kind of string argument change no query.

Cypher-injection attempts and control characters go into filters, cursors, ids, scopes
and mutation inputs.  Each must come back as data (no match) or as a clear error, and
the graph must be exactly as before: values travel as parameters, never as query text.
"""

from __future__ import annotations

import pytest
from apihelp import Api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.writer import counts

INJECTIONS = [
    "x' OR 1=1 //", "\"}) MATCH (n) DETACH DELETE n //", "') RETURN 1 UNION MATCH (n) RETURN n //",
    "K1' }) SET n.name = 'pwned", "`Compound`", "${scope}", "\\u0027 OR true", "\x00\x01\x1b[2J",
    "名称'); DROP", "*/ MATCH (n) DELETE n /*",
]
hostile = st.one_of(st.sampled_from(INJECTIONS),
                    st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
EXAMPLES = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

READS = [
    ("query($s: String) { compounds(filter: {nameContains: $s}) { totalCount } }", "totalCount"),
    ("query($s: String) { people(filter: {codes: [$s]}) { totalCount } }", "totalCount"),
    ("query($s: String) { compounds(after: $s) { totalCount } }", None),
    ("query($s: ID!) { node(id: $s) { id } }", None),
    ("query($s: ID) { compounds(within: $s) { totalCount } }", None),
    ("query($s: String) { indicators(scope: $s) { scope } }", None),
]


@pytest.mark.parametrize(("query", "_field"), READS)
@EXAMPLES
@given(value=hostile)
def test_reads_treat_hostile_strings_as_values(town_api: Api, query: str, _field: str | None,
                                               value: str) -> None:
    before = counts(town_api.store)
    response = town_api.post(query, {"s": value})
    assert response.status_code == 200, response.text
    body = response.json()
    if "errors" not in body:
        data = next(iter(body["data"].values()))
        assert data is None or data.get("totalCount", 0) == 0 or value == ""
    else:
        assert "Traceback" not in response.text
    assert counts(town_api.store) == before


@EXAMPLES
@given(value=hostile)
def test_mutations_store_hostile_strings_verbatim_or_refuse(town_api: Api, value: str) -> None:
    before = counts(town_api.store)
    response = town_api.post(
        "mutation($v: String) { updateCompound(code: \"C2\", input: {name: $v}) "
        "{ node { name } errors { field message } } }", {"v": value})
    assert response.status_code == 200, response.text
    body = response.json()
    assert counts(town_api.store) == before  # an update creates and deletes nothing
    payload = (body.get("data") or {}).get("updateCompound")
    if payload and not payload["errors"]:
        assert payload["node"]["name"] == (value.strip() or None)
