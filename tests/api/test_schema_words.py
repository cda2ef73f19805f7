"""The schema describes itself: enum properties are GraphQL enums carrying their Chinese
labels, every type, field, argument and enum value has a description, and the answers
stay the strings they were."""

from __future__ import annotations

from typing import Any

import pytest
from apihelp import Api
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from analysis.indicators import catalogue
from api.graphql.results import indicator_list
from api.graphql.schema import build_schema
from api.graphql.types import enum_name
from graph.model import NODES, RELS, PropType

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def _schema() -> Any:
    return build_schema()._schema


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def undescribed(schema: Any) -> list[str]:
    """Every type, field, argument and enum value without a description, introspection's
    own types and GraphQL's built-in scalars left out."""
    out: list[str] = []
    for name, typ in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not typ.description:
            out.append(name)
        if isinstance(typ, GraphQLObjectType | GraphQLInterfaceType):
            for fname, field in typ.fields.items():
                if not field.description:
                    out.append(f"{name}.{fname}")
                out += [f"{name}.{fname}({a})" for a, arg in field.args.items()
                        if not arg.description]
        elif isinstance(typ, GraphQLInputObjectType):
            out += [f"{name}.{f}" for f, field in typ.fields.items() if not field.description]
        elif isinstance(typ, GraphQLEnumType):
            out += [f"{name}.{v}" for v, value in typ.values.items() if not value.description]
    return out


def test_everything_is_described() -> None:
    assert undescribed(_schema()) == []


def test_the_walk_notices_a_missing_description() -> None:
    schema = _schema()
    field = schema.type_map["Compound"].fields["propertyMode"]
    saved, field.description = field.description, None
    try:
        assert undescribed(schema) == ["Compound.propertyMode"]
    finally:
        field.description = saved


def test_every_enum_property_is_an_enum_of_its_codes_with_labels() -> None:
    schema = _schema()
    owners = [(k.label, k.props) for k in NODES] + [
        (f"{''.join(w.capitalize() for w in r.type.split('_'))}"
         f"{r.targets[0]}Link", r.props) for r in RELS]
    seen = 0
    for owner, props in owners:
        for p in (p for p in props if p.type is PropType.ENUM):
            typ = schema.type_map[owner]
            enum = typ.fields[_camel(p.name)].type
            assert isinstance(enum, GraphQLEnumType), (owner, p.name)
            assert {n: (v.value, v.description) for n, v in enum.values.items()} == {
                c.code: (c.code, c.zh) for c in p.choices}
            assert typ.fields[_camel(p.name) + "Label"].type.name == "String"
            seen += 1
    assert seen == 23  # 22 node properties and the role of a post


def test_shared_choice_sets_are_one_enum_named_after_the_model() -> None:
    schema = _schema()
    assert schema.type_map["Demand"].fields["category"].type is \
        schema.type_map["Resource"].fields["category"].type
    assert schema.type_map["Compound"].fields["propertyMode"].type.name == "PropertyMode"
    assert schema.type_map["HoldsPostPartyOrgLink"].fields["role"].type.name == "PostRole"
    assert schema.type_map["PartyOrg"].fields["kind"].type.name == "PartyOrgKind"
    # inputs take the enum; filters keep strings (codes or Chinese labels)
    assert schema.type_map["CompoundInput"].fields["propertyMode"].type.name == "PropertyMode"
    assert schema.type_map["LinkInput"].fields["role"].type.name == "PostRole"
    assert str(schema.type_map["CompoundFilter"].fields["propertyMode"].type) == "[String!]"


@pytest.mark.parametrize(("code", "name"), [
    ("market", "market"), ("party_led", "party_led"), ("2-star", "_2_star"),
    ("a.b", "a_b"), ("null", "null_"), ("true", "true_")])
def test_codes_that_are_not_graphql_names_are_mapped(code: str, name: str) -> None:
    assert enum_name(code) == name


def test_analysis_fields_carry_the_indicator_definitions() -> None:
    schema = _schema()
    text = schema.query_type.fields["indicators"].description
    for ind in catalogue():
        assert f"{ind.key}（{ind.zh}）：{ind.definition}" in text
    assert "two_way_entry" in schema.type_map["IndicatorFigure"].fields["key"].description
    assert schema.query_type.fields["indicators"].args["asOf"].description.startswith(
        "统计日期（asOf）")


SAME = """{ communities(first: 5) { edges { node { code kind } } }
  propertyFirms(first: 5) { edges { node { code kind stars } } }
  people(first: 5) { edges { node { code memberStatus
    holdsPostOwnersCommittee { role since } } } } }"""


def test_answers_are_the_strings_they_were(town_api: Api) -> None:
    """A query written before the enums answers byte for byte as it did."""
    assert town_api.post(SAME).json() == {"data": {
        "communities": {"edges": [{"node": {"code": "M1", "kind": "residential"}},
                                  {"node": {"code": "M2", "kind": None}}]},
        "propertyFirms": {"edges": [{"node": {"code": "F1", "kind": "party_led", "stars": 4}},
                                    {"node": {"code": "F2", "kind": None, "stars": None}}]},
        "people": {"edges": [
            {"node": {"code": "P1", "memberStatus": "in_service", "holdsPostOwnersCommittee": [
                {"role": "chair", "since": "2021-03-01"}]}},
            {"node": {"code": "P2", "memberStatus": None, "holdsPostOwnersCommittee": []}}]}}}


def test_labels_beside_enum_fields(town_api: Api) -> None:
    got = town_api.gql("""{ node(id: "Person:P1") { ... on Person { memberStatusLabel
      genderLabel holdsPostOwnersCommittee { roleLabel } } }
      f: node(id: "PropertyFirm:F1") { ... on PropertyFirm { kindLabel listStatusLabel } } }""")
    assert got == {"node": {"memberStatusLabel": "在职", "genderLabel": None,
                            "holdsPostOwnersCommittee": [{"roleLabel": "主任"}]},
                   "f": {"kindLabel": "社区领办物业企业", "listStatusLabel": None}}


UPDATE = """mutation($input: PersonInput!) { updatePerson(code: "P2", input: $input) {
  node { memberStatus memberStatusLabel } errors { field message } } }"""


def test_inputs_take_the_enum(town_api: Api) -> None:
    done = town_api.gql(UPDATE, {"input": {"memberStatus": "retired"}})["updatePerson"]
    assert done == {"node": {"memberStatus": "retired", "memberStatusLabel": "离退休"},
                    "errors": []}
    inline = town_api.gql('mutation { updatePerson(code: "P2", input: {memberStatus: '
                          "student}) { node { memberStatus } } }")
    assert inline["updatePerson"]["node"] == {"memberStatus": "student"}
    body = town_api.post(UPDATE, {"input": {"memberStatus": "离退休"}}).json()
    assert "data" not in body or body["data"] is None
    assert "MemberStatus" in body["errors"][0]["message"]


def test_filters_still_take_codes_and_chinese_labels(town_api: Api) -> None:
    q = """query($k: [String!]) { communities(filter: {kind: $k}) { edges { node { code } } } }"""
    for kinds in (["residential"], ["居住型社区"]):
        assert town_api.gql(q, {"k": kinds})["communities"]["edges"] == [{"node": {"code": "M1"}}]


def test_descriptions_do_not_follow_the_process_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema is built once: JINLIN_LANG=en must not turn its definitions English."""
    monkeypatch.setenv("JINLIN_LANG", "en")
    assert "有小区或网格党支部覆盖的小区数 ÷ 小区数" in indicator_list()
