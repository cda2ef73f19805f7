"""Who runs each compound: management contracts (MANAGES, with ended ones as history),
owners' committees, and responsible units for compounds nobody manages, leaving at
least one "three-no" compound (no firm, no committee, no responsible unit) to find.
"""

from __future__ import annotations

import datetime as dt

from graph.codes import CommitteeKind, CommunityKind, FirmKind, Mode, UnitKind
from loaders.synthetic.draws import Weighted, day, iso
from loaders.synthetic.presets import PAST_BEFORE
from loaders.synthetic.state import County, Org


def _firms_of(county: County, *kinds: str) -> list[Org]:
    """The firms of these kinds, or every firm when there is none of them."""
    return [f for f in county.firms if f[2] in kinds] or county.firms


def contracts(county: County) -> None:
    """MANAGES: current contracts for firm-run compounds, plus ended ones (history)."""
    rng = county.rng
    market = _firms_of(county, FirmKind.MARKET)
    market_w = Weighted(market, [rng.paretovariate(1.2) for _ in market])
    for cp in county.compounds:
        comm = county.communities[cp.community]
        if cp.mode == Mode.MARKET:
            firm = market_w.draw(rng)
        elif cp.mode == Mode.PARTY_LED:
            village = comm.kind == CommunityKind.URBAN_VILLAGE
            pool = _firms_of(county, FirmKind.VILLAGE if village else FirmKind.PARTY_LED)
            near = [f for f in pool if f[3] == cp.community]
            firm = rng.choice(near or pool)
        elif cp.mode == Mode.CUSTODY:
            firm = rng.choice(_firms_of(county, FirmKind.STATE_CUSTODIAN))
        else:
            firm = None
        since = day(rng, dt.date(max(2008, cp.built_year), 1, 1), dt.date(2025, 12, 31))
        if firm is not None:
            cp.firm = firm[0]
            county.rel("MANAGES", firm[0], cp.code, since=iso(since))
        # An earlier contract that ended: a firm replaced, or one that walked away
        # from what is now a no-property compound (弃管).
        if (firm is not None and rng.random() < 0.12) or (cp.mode == Mode.NONE
                                                         and rng.random() < 0.5):
            old = rng.choice(market)
            if firm is None or old[0] != firm[0]:
                end = min(since - dt.timedelta(days=1), PAST_BEFORE)
                start = day(rng, dt.date(2005, 1, 1), end - dt.timedelta(days=365))
                county.rel("MANAGES", old[0], cp.code, since=iso(start), until=iso(end))


def committees(county: County) -> None:
    """Owners' committees (~60%), responsible units for no-property compounds, and
    at least one three-no compound (no firm, no committee, no responsible unit)."""
    rng = county.rng
    share = {Mode.SELF_MANAGED: 1.0, Mode.MARKET: 0.65, Mode.PARTY_LED: 0.6, Mode.CUSTODY: 0.4,
             Mode.NONE: 0.15}
    for cp in county.compounds:
        if rng.random() >= share[cp.mode]:
            continue
        code = f"{cp.code}-OC"
        kind = CommitteeKind.MANAGEMENT_COMMITTEE if rng.random() < 0.2 \
            else CommitteeKind.OWNERS_COMMITTEE
        start = day(rng, dt.date(2021, 7, 1), dt.date(2026, 5, 31))
        cp.committee = code
        county.committee_start[code] = start
        county.node("OwnersCommittee", code=code,
                    name=cp.name + ("物管会" if kind == CommitteeKind.MANAGEMENT_COMMITTEE
                                        else "业主委员会"),
                    kind=kind, term_start=iso(start),
                    term_end=iso(start + dt.timedelta(days=5 * 365)))
        county.rel("REPRESENTS", code, cp.code)
    organs = [u for u in county.units if u[2] in (UnitKind.GOVERNMENT_ORGAN,
                                                 UnitKind.PUBLIC_INSTITUTION,
                                                 UnitKind.STATE_ENTERPRISE)] or county.units
    orphans = [cp for cp in county.compounds if cp.mode == Mode.NONE and cp.committee is None]
    for i, cp in enumerate(orphans):
        since = day(rng, dt.date(2019, 1, 1), dt.date(2025, 12, 31))
        if i == 0:  # stays three-no; its responsible unit withdrew (history only)
            county.rel("RESPONSIBLE_FOR", rng.choice(organs)[0], cp.code,
                       since=iso(dt.date(2018, 3, 1)), until=iso(dt.date(2021, 12, 31)))
        elif rng.random() < 0.6:
            county.rel("RESPONSIBLE_FOR", rng.choice(organs)[0], cp.code, since=iso(since))
    for cp in county.compounds:
        if cp.mode == Mode.SELF_MANAGED and rng.random() < 0.2:
            county.rel("RESPONSIBLE_FOR", rng.choice(organs)[0], cp.code,
                       since=iso(day(rng, dt.date(2019, 1, 1), dt.date(2025, 12, 31))))
