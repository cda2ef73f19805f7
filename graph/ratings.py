"""Ratings (评价记录) and the red/black list (红黑榜): the one place a firm's current status
is derived.

A ``Rating`` ``RATES`` a PropertyFirm or a Unit: a date, stars (0–5) and/or a list entry
(``red`` / ``black`` / ``none``), a reason, evidence and the account that entered it.
Ratings are kept as history: a new judgement is a new record, never an edit.

A firm's ``stars`` and ``list_status`` (properties of PropertyFirm, shown wherever a firm
appears) are *derived*: ``stars`` is the stars of its latest rating that gives stars, and
``list_status`` the list of its latest rating that gives one; "latest" is the greatest
``date``, a tie broken by the greater rating code.  A firm without any rating giving one
of them keeps what its ledger says; one with ratings shows theirs even when its own
ledger row or an update says otherwise.  :func:`derive` runs inside the transaction that
writes ratings or firms (``graph.writer.write_graph`` calls it, so the API's create and a
ledger import alike), so no reader ever sees a rating without the status it implies.  Units
carry no status: their ratings are history only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.store import Query, Transaction

LABEL = "Rating"
RATES = "RATES"
FIRM = "PropertyFirm"  # the kind whose status ratings decide
# what the derivation reads of a firm's ratings, and the properties it derives
DERIVED = ("stars", "list_status")

RATED_FIRMS = Query(
    "ratings_rated_firms",
    "UNWIND $codes AS rc MATCH (:Rating {code: rc})-[:RATES]->(f:PropertyFirm) "
    "RETURN DISTINCT f.code AS code",
)
FIRM_RATINGS = Query(
    "ratings_of_firms",
    "UNWIND $firms AS fc MATCH (f:PropertyFirm {code: fc})<-[:RATES]-(r:Rating) "
    "RETURN f.code AS firm, r.code AS code, r.date AS date, r.stars AS stars, "
    "r.list_status AS list_status",
)
SET_FIRM_STATUS = Query(
    "ratings_set_firm_status",
    "UNWIND $rows AS row MATCH (f:PropertyFirm {code: row.firm}) SET f += row.props",
)


def current(ratings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The status a firm's ``ratings`` (rows with code, date, stars, list_status) give
    it: for each derived property, the value of the latest rating that sets it; a
    property no rating sets is left out (the firm keeps its own)."""
    ordered = sorted(ratings, key=lambda r: (r["date"] or "", r["code"]))
    out: dict[str, Any] = {}
    for rating in ordered:
        out.update({p: rating[p] for p in DERIVED if rating.get(p) is not None})
    return out


def derive(tx: Transaction, ratings: Iterable[str], firms: Iterable[str] = ()) -> list[str]:
    """Set the current status of every firm rated by the ratings coded ``ratings``, and
    of the ``firms`` given (just written: a firm ledger's status column does not
    override its ratings), from all its ratings, in ``tx``; the codes of the firms so
    updated (a firm without ratings keeps what it has)."""
    codes = sorted(set(ratings))
    rated = {r["code"] for r in tx.run(RATED_FIRMS, codes=codes)} if codes else set()
    firms = sorted(rated | set(firms))
    if not firms:
        return []
    by_firm: dict[str, list[dict[str, Any]]] = {f: [] for f in firms}
    for row in tx.run(FIRM_RATINGS, firms=firms):
        by_firm[row["firm"]].append(row)
    rows: list[dict[str, Any]] = [{"firm": f, "props": props} for f, rows in sorted(by_firm.items())
            if (props := current(rows))]
    if rows:
        tx.run(SET_FIRM_STATUS, rows=rows)
    return [str(r["firm"]) for r in rows]
