"""A property firm's page (its status on the red/black list, stars, the compounds it manages,
its rating history) and the rating form.

The firm's ``stars`` and ``listStatus`` are derived from its latest rating when a rating is
written (graph.ratings), so this page, the compound page and every answer of the API show
the same current status.  The form posts to ``/ratings``, which runs ``createRating`` under
the rated firm (or unit) as the signed-in account: the API fills ``ratedBy`` with it,
checks the firm is in the user's scope and writes one audit line.  A rating is never
edited; a correction is a new one.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from api.console.dashboard import link
from api.console.items import item_href, node_of
from api.console.web import PageError, View, page, today
from api.policy import Cap
from graph.i18n import _
from graph.model import LIST_STATUSES

STARS = tuple(str(n) for n in range(6))
RATED = ("PropertyFirm", "Unit")  # what a rating may rate (the model's RATES targets)
HISTORY = "ratedByRating { code date stars listStatus listStatusLabel reason evidence ratedBy }"
FIRM = f"""query($id: ID!) {{
  node(id: $id) {{
    ... on PropertyFirm {{
      code name kindLabel stars creditScore listStatus listStatusLabel
      manages {{ since until node {{ code name }} }}
      {HISTORY}
    }}
  }}
}}"""
CREATE = """mutation($code: String!, $input: RatingInput!, $parent: ID) {
  createRating(code: $code, input: $input, parent: $parent) { errors { field message } } }"""


async def firm(view: View) -> Response:
    code = view.request.path_params["code"]
    f = await node_of(view, FIRM, "PropertyFirm", code)
    history = sorted(f["ratedByRating"], key=lambda r: (r["date"] or "", r["code"]),
                     reverse=True)
    return view.render("firm.html", nav="dashboard", f=f, history=history, href=item_href,
                       lists=LIST_STATUSES, today=today())


async def rate(view: View) -> Response:
    """The rating form's post: ``createRating`` as the signed-in account."""
    label, _sep, code = view.field("rated").partition(":")
    if label not in RATED or not code:
        raise PageError(_("请指明被评价的物业服务企业或驻区单位"))
    values: dict[str, Any] = {"date": view.field("date"), "reason": view.field("reason") or None,
                              "evidence": view.field("evidence") or None}
    stars = view.field("stars")
    if stars and stars not in STARS:
        raise PageError(_("星级须为 0 到 5 的整数"))
    values["stars"] = int(stars) if stars else None
    values["listStatus"] = view.field("listStatus") or None
    if values["stars"] is None and values["listStatus"] is None:
        raise PageError(_("请至少给出星级或红黑榜之一"))
    rating = f"RT{values['date'].replace('-', '')}-{secrets.token_hex(3)}"
    data = await view.gql(CREATE, code=rating, input=values, parent=f"{label}:{code}")
    errors = data["createRating"]["errors"]
    if errors:
        raise PageError("；".join(e["message"] for e in errors))
    return view.redirect(item_href(label, code) or link("/"))


routes = [
    Route("/firm/{code:path}", page(firm), methods=["GET"]),
    Route("/ratings", page(rate, cap=Cap.CHANGE_GRAPH), methods=["POST"]),
]
