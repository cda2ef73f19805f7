"""The demand life cycle through the API: every illegal step refused with the current
status named; a dispatch by the mutation and by matching write-back stores the same.

The legal path, taker refusals and scope are in test_mutations.py; graph.lifecycle's own
table and Cypher in tests/graph/test_lifecycle.py.
"""

from __future__ import annotations

from apihelp import Api

from analysis.matching import Assignment, MatchPlan, write_plan
from graph.lifecycle import STEPS
from graph.store import Query
from graph.writer import NodeRecord, RelRecord, write_graph

ARGS = {"dispatch": ', taker: "Person:P1"', "review": ", satisfaction: 5"}


def _demand(api: Api, code: str, status: str) -> None:
    write_graph(api.store, [NodeRecord("Demand", code, {"title": code, "category": "repair",
                                                        "status": status})],
                [RelRecord("RAISED_IN", "Demand", code, "Compound", "C1")])


def test_every_illegal_step_names_the_current_status(town_api: Api) -> None:
    for status in ("open", "dispatched", "accepted", "done", "reviewed"):
        _demand(town_api, "D1", status)
        for name, move in STEPS.items():
            if move.before == status:
                continue
            q = (f'mutation {{ {name}Demand(code: "D1"{ARGS.get(name, "")}) '
                 "{ node { code } errors { field message } } }")
            # in English: a check of the catalogue (the Chinese: test_mutations.py)
            assert town_api.gql(q, lang="en")[f"{name}Demand"] == {"node": None, "errors": [
                {"field": "status", "message": f"cannot {name} demand D1: it is {status}, "
                                               f"{name} needs {move.before}"}]}, (status, name)


STATE = Query("t_dispatch_state",
              "MATCH (d:Demand)-[a:ASSIGNED_TO]->(o) WHERE d.code IN ['D1', 'D2'] "
              "RETURN d.code AS d, d.status AS s, labels(o) AS labels, o.code AS o, "
              "properties(a) AS a ORDER BY d")


def test_mutation_and_write_plan_store_the_same_dispatch(town_api: Api) -> None:
    _demand(town_api, "D1", "open")
    _demand(town_api, "D2", "open")
    write_graph(town_api.store, [NodeRecord("Resource", "R1", {"category": "repair"})],
                [RelRecord("OFFERS", "Unit", "U1", "Resource", "R1")])
    q = ('mutation { dispatchDemand(code: "D1", taker: "Unit:U1", resource: "R1") '
         "{ errors { field message } } }")
    assert town_api.gql(q)["dispatchDemand"]["errors"] == []
    at = town_api.store.read(STATE)[0]["a"]["at"]
    plan = MatchPlan("County", "K1", [Assignment("D2", "R1", "Unit", "U1", "repair", 1, 0.0)],
                     [], 1, 1, 0.0)
    assert write_plan(town_api.store, plan, at=at).dispatched == ["D2"]
    by_mutation, by_plan = town_api.store.read(STATE)
    assert by_mutation == {"d": "D1", "s": "dispatched", "labels": ["Unit"], "o": "U1",
                           "a": {"at": at, "resource": "R1", "rkey": ""}}
    assert by_plan == {**by_mutation, "d": "D2"}
