"""Item pages: a compound (its grid, community, firm with its red/black list status and stars,
owners' committee, covering branch, the people posted on them, its demands), a person
(posts now and before, home, memberships) and any other node (its properties and
relationships); a property firm's page is api.console.ratings.

Each page reads one ``node(id:)`` lookup as the signed-in user: a node outside the user's
scope is null there, so the page says "not found" (404) exactly as the API does and shows
nothing of it; phone and ID numbers come masked for roles without SEE_PERSONAL, as the API
masks them.  :func:`item_href` is where every other page links an item to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType, GraphQLSchema
from starlette.responses import Response
from starlette.routing import Route

from api.console.web import PageError, View, page, today
from api.graphql.redact import OUTSIDE
from graph.i18n import _
from graph.model import NODE_BY_LABEL, key_label
from graph.spine import is_current

SHOWN = ("code", "name", "title")  # what a related node shows of itself
PAGES = {"Compound": "/compound/", "Person": "/person/", "PropertyFirm": "/firm/"}
POST = "role roleLabel since until node { code name }"
COMPOUND = f"""query($id: ID!) {{
  node(id: $id) {{
    ... on Compound {{
      code name households buildings builtYear old propertyModeLabel lat lon
      inGrid {{ code name partOfCommunity {{ code name }} }}
      managedByPropertyFirm {{ since until node {{ code name stars listStatus listStatusLabel
                                                   postHolderPerson {{ ...Post }} }} }}
      representedByOwnersCommittee {{ code name kindLabel termStart termEnd
                                      postHolderPerson {{ ...Post }} }}
      coveredByPartyOrg {{ code name kindLabel postHolderPerson {{ ...Post }} }}
      responsibleUnit {{ since until node {{ code name }} }}
      raisedDemand(first: 50) {{ code title status statusLabel categoryLabel urgency
                                 createdAt due doneAt }}
    }}
  }}
}}
fragment Post on HoldsPostPersonLink {{ {POST} }}"""
# a person's posts, one relationship field per kind of post (GraphQL field, label)
POSTS = (("holdsPostPartyOrg", "PartyOrg"), ("holdsPostOwnersCommittee", "OwnersCommittee"),
         ("holdsPostPropertyFirm", "PropertyFirm"), ("holdsPostCommunity", "Community"),
         ("holdsPostGrid", "Grid"), ("holdsPostBuilding", "Building"))
MEMBERSHIPS = (("memberOfPartyOrg", "PartyOrg"), ("memberOfVolunteerTeam", "VolunteerTeam"),
               ("memberOfAlliance", "Alliance"))
WORKPLACES = (("worksAtUnit", "Unit"), ("worksAtPropertyFirm", "PropertyFirm"),
              ("worksAtSocialOrg", "SocialOrg"))
PERSON_FIELDS = " ".join(
    [f"{f}(includePast: true) {{ {POST} }}" for f, _label in POSTS]
    + [f"{f} {{ since node {{ code name }} }}" for f, _label in MEMBERSHIPS]
    + [f"{f} {{ code name }}" for f, _label in WORKPLACES])
PERSON = f"""query($id: ID!) {{
  node(id: $id) {{
    ... on Person {{
      code name genderLabel phone idNumber memberStatusLabel isMember
      livesInCompound {{ code name }} livesInBuilding {{ code name }}
      reportedTo {{ date node {{ code name }} }}
      {PERSON_FIELDS}
    }}
  }}
}}"""


def item_href(label: str, code: str) -> str | None:
    """The page of a node (None for one the API shows as outside the user's scope); a
    party member (label ``Member``) is a person."""
    label = key_label(label)
    if code == OUTSIDE or label not in NODE_BY_LABEL:
        return None
    return PAGES.get(label, f"/node/{label}/") + code


def label_zh(label: str) -> str:
    return NODE_BY_LABEL[key_label(label)].zh


@dataclass(frozen=True)
class Related:
    """A relationship field of the generic node page."""

    field: str
    label: str  # of the related nodes
    link: bool  # a …Link (the node under ``node``, beside the relationship's properties)
    title: str  # the field's description up to its first "（": the relationship in Chinese


@dataclass(frozen=True)
class Post:
    """Someone's post on something, as a row of a table."""

    org_label: str
    org_code: str
    org_name: str | None
    person_code: str
    person_name: str | None
    role: str | None
    since: str | None
    until: str | None
    current: bool

    @property
    def org_href(self) -> str | None:
        return item_href(self.org_label, self.org_code)


def _post(link: dict[str, Any], label: str, org: dict[str, Any] | None, day: str) -> Post:
    """A post from a HoldsPost…Link: ``org`` given, the link's node is the person;
    else the link's node is the organisation (a person's own posts)."""
    node: dict[str, Any] = link["node"]
    person: dict[str, Any] = {"code": "", "name": None} if org is None else node
    held = node if org is None else org
    return Post(label, held["code"], held["name"], person["code"], person["name"],
                link["roleLabel"] or link["role"], link["since"], link["until"],
                is_current(link["since"], link["until"], day))


async def node_of(view: View, document: str, label: str, code: str) -> dict[str, Any]:
    data = await view.gql(document, id=f"{label}:{code}")
    node: dict[str, Any] | None = data.get("node")
    if not node:
        raise PageError(_("未找到{kind} {code}，或不在您的管辖范围内",
                          kind=label_zh(label), code=code), 404, "NOT_FOUND")
    return node


async def compound(view: View) -> Response:
    code = view.request.path_params["code"]
    c = await node_of(view, COMPOUND, "Compound", code)
    day = today()
    posts: list[Post] = []
    for firm in c["managedByPropertyFirm"]:
        posts += [_post(p, "PropertyFirm", firm["node"], day)
                  for p in firm["node"]["postHolderPerson"]]
    for label, field in (("OwnersCommittee", "representedByOwnersCommittee"),
                         ("PartyOrg", "coveredByPartyOrg")):
        for org in c[field]:
            posts += [_post(p, label, org, day) for p in org["postHolderPerson"]]
    communities = {m["code"]: m for g in c["inGrid"] for m in g["partOfCommunity"]}
    return view.render("compound.html", nav="dashboard", c=c, posts=posts,
                       communities=sorted(communities.values(), key=lambda m: m["code"]),
                       href=item_href)


async def person(view: View) -> Response:
    code = view.request.path_params["code"]
    p = await node_of(view, PERSON, "Person", code)
    day = today()
    posts = [_post(link, label, None, day) for field, label in POSTS for link in p[field]]
    posts.sort(key=lambda x: (not x.current, x.since or "", x.org_code))
    memberships = [(label, m) for field, label in MEMBERSHIPS for m in p[field]]
    workplaces = [(label, w) for field, label in WORKPLACES for w in p[field]]
    return view.render("person.html", nav="dashboard", p=p, posts=posts,
                       memberships=memberships, workplaces=workplaces, href=item_href,
                       label_zh=label_zh)


def _unwrap(kind: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(kind, (GraphQLNonNull, GraphQLList)):
        kind = kind.of_type
    return kind


def _shown(kind: GraphQLObjectType) -> str:
    return " ".join(f for f in SHOWN if f in kind.fields)


@cache
def generic_document(schema: GraphQLSchema, label: str) -> tuple[
        str, tuple[tuple[str, str], ...], tuple[Related, ...]]:
    """The lookup of any node: its scalar fields, and each relationship field with the
    related nodes' code and name (read off the schema, which the model generated)."""
    kind = schema.get_type(label)
    assert isinstance(kind, GraphQLObjectType)
    scalars: list[tuple[str, str]] = []
    related: list[Related] = []
    selections: list[str] = []
    for name, field in kind.fields.items():
        target = _unwrap(field.type)
        if not isinstance(target, GraphQLObjectType):
            if name != "id" and f"{name}Label" not in kind.fields:  # the label, not the code
                scalars.append((name, (field.description or name).split("（")[0]))
            continue
        link = "node" in target.fields  # a …Link with the relationship's properties
        other = _unwrap(target.fields["node"].type) if link else target
        if not isinstance(other, GraphQLObjectType) or other.name not in NODE_BY_LABEL:
            continue
        related.append(Related(name, other.name, link,
                               (field.description or name).split("（")[0]))
        shown = _shown(other)
        selections.append(f"{name} {{ node {{ {shown} }} }}" if link else
                          f"{name} {{ {shown} }}")
    document = (f"query($id: ID!) {{ node(id: $id) {{ ... on {label} {{ "
                f"{' '.join(f for f, _t in scalars)} {' '.join(selections)} }} }} }}")
    return document, tuple(scalars), tuple(related)


async def node(view: View) -> Response:
    label, code = view.request.path_params["label"], view.request.path_params["code"]
    if label not in NODE_BY_LABEL:
        raise PageError(_("没有这种节点类型：{label}", label=label), 404, "NOT_FOUND")
    if label in PAGES:
        return view.redirect(PAGES[label] + code)
    schema = view.backend.schema._schema  # type: ignore[attr-defined]
    document, scalars, related = generic_document(schema, label)
    n = await node_of(view, document, label, code)
    rows = []
    for rel in related:
        for value in n[rel.field]:
            target = value["node"] if rel.link else value
            rows.append((rel.title, label_zh(rel.label), target["code"],
                         target.get("name") or target.get("title"),
                         item_href(rel.label, target["code"])))
    return view.render("node.html", nav="dashboard", label=label, kind=label_zh(label),
                       n=n, props=[(title, n[f]) for f, title in scalars if f != "code"],
                       related=rows)


routes = [
    Route("/compound/{code:path}", page(compound), methods=["GET"]),
    Route("/person/{code:path}", page(person), methods=["GET"]),
    Route("/node/{label}/{code:path}", page(node), methods=["GET"]),
]
