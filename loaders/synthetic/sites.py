"""Service sites: 党群服务中心 per community, 红色驿站, compound stations, neighbourhood
centres and self-service terminals.
"""

from __future__ import annotations

from graph.codes import SiteKind, UnitKind
from loaders.synthetic import names as nm
from loaders.synthetic.draws import jitter
from loaders.synthetic.state import County


def _site(county: County, kind: str, name: str, lat: float, lon: float,
          where: tuple[str, str], owner: tuple[str, str]) -> None:
    """One ServiceSite with 3–7 services, where it is and who owns it ((label, code))."""
    code = f"{county.code}-SS{next(county.site_no):03d}"
    services = "、".join(county.rng.sample(nm.SITE_SERVICES, county.rng.randint(3, 7)))
    county.node("ServiceSite", code=code, name=name, kind=kind, lat=lat, lon=lon,
                services=services)
    county.rel("LOCATED_IN", code, where[1], "ServiceSite", where[0])
    county.rel("OWNED_BY", code, owner[1], tgt_kind=owner[0])


def build(county: County) -> None:
    """党群服务中心 per community, 红色驿站, compound stations (~25% of compounds),
    neighbourhood centres and self-service terminals."""
    rng = county.rng
    for ci, comm in enumerate(county.communities):
        lat, lon = jitter(rng, comm.lat, comm.lon, 0.2)
        _site(county, SiteKind.PARTY_SERVICE_CENTER, f"{comm.name}党群服务中心", lat, lon,
              ("Community", comm.code), ("PartyOrg", comm.committee))
        if rng.random() < 0.5:
            cp = county.compounds[rng.choice(comm.compounds)]
            local_units = [u for u in county.units if u[3] == ci]
            owner = ("Unit", local_units[0][0]) if local_units and rng.random() < 0.3 \
                else ("Community", comm.code)
            lat, lon = jitter(rng, cp.lat, cp.lon, 0.1)
            _site(county, SiteKind.RED_STATION, f"{cp.name}红色驿站", lat, lon,
                  ("Compound", cp.code), owner)
    for cp in county.compounds:
        if rng.random() < 0.25:
            owner = ("PartyOrg", cp.branch) if cp.branch else \
                ("Community", county.communities[cp.community].code)
            lat, lon = jitter(rng, cp.lat, cp.lon, 0.1)
            _site(county, SiteKind.COMPOUND_STATION, f"{cp.name}党群服务站", lat, lon,
                  ("Compound", cp.code), owner)
    for s, (_, s_name, _, _) in enumerate(county.streets):
        comms = [c for c in county.communities if c.street == s]
        if comms:
            comm = rng.choice(comms)
            lat, lon = jitter(rng, comm.lat, comm.lon, 0.5)
            _site(county, SiteKind.NEIGHBOURHOOD_CENTER, f"{s_name[:2]}邻里中心", lat, lon,
                  ("Community", comm.code), ("Community", comm.code))
    soes = [u for u in county.units if u[2] == UnitKind.STATE_ENTERPRISE] or county.units
    for comm in county.communities[::3]:
        lat, lon = jitter(rng, comm.lat, comm.lon, 0.8)
        _site(county, SiteKind.SELF_SERVICE_TERMINAL, f"{comm.name}政务自助终端", lat, lon,
              ("Community", comm.code), ("Unit", rng.choice(soes)[0]))
