"""Synthetic ledgers (台账) for demos, tests and benchmarks, shaped like a real county's.

Why synthetic data matters here: indicators and gap lists are only testable on a graph
that has gaps.  So the generator builds the network the seed texts describe and then
leaves realistic holes in it: compounds no branch covers, no-property compounds
(无物业小区) and among them a few "three-no" compounds with no firm, no owners'
committee and no responsible unit; communities no unit co-builds with; grids without a
full-time grid worker; people with three or more posts; history (posts, management
contracts and co-building agreements that have ended).  Cross-posting (交叉任职) is
created on purpose: some owners' committee members also sit on the branch covering
their compound, some branch secretaries chair the committee, and firm and committee
people are part-time members of community party committees (双向进入).

Output goes through :class:`loaders.ledger_writer.LedgerWriter` in the formats of
:mod:`loaders.formats` and imports with ``loaders.ledger.load_ledgers``.  Every
reference names a code generated earlier, keys are unique, and enum cells hold codes.

Determinism: one ``random.Random`` per county, seeded from (seed, county number), no
iteration over sets, no clock: the same seed writes the same bytes.  Large presets are
streamed: counties are generated and written one at a time (only the current county's
working lists are in memory), so the province preset runs in constant memory.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from graph.model import REL_BY_TYPE
from loaders import synthetic_names as nm
from loaders.ledger_writer import LedgerWriter

Progress = Callable[[str, int, int], None]
T = TypeVar("T")

# The day the data describe.  Fixed (not today) so output never depends on the clock;
# "past" posts and contracts end before PAST_BEFORE, current ones have no end date.
SNAPSHOT = dt.date(2026, 6, 30)
PAST_BEFORE = dt.date(2025, 12, 31)
CENTRE = (30.27, 120.15)  # the first county's centre (lat, lon); others lie on a grid


@dataclass(frozen=True)
class Preset:
    """Sizes of one county and how many counties.  ``scale`` multiplies the per-county
    sizes (with small floors so a tiny county still has every kind of thing)."""

    counties: int
    streets: int = 8
    communities: int = 24
    grids: int = 150
    compounds: int = 200
    members: int = 20_000
    units: int = 150
    firms: int = 60
    social_orgs: int = 20
    volunteer_teams: int = 40
    demands: int = 5_000
    resources: int = 10_000


PRESETS: dict[str, Preset] = {
    "county": Preset(counties=1),
    "city": Preset(counties=10),
    "province": Preset(counties=100),
}


@dataclass(frozen=True)
class _Sizes:
    streets: int
    communities: int
    grids: int
    compounds: int
    members: int
    units: int
    firms: int
    social_orgs: int
    volunteer_teams: int
    demands: int
    resources: int

    @classmethod
    def of(cls, p: Preset, scale: float) -> _Sizes:
        def s(n: int, floor: int) -> int:
            return max(floor, round(n * scale))

        return cls(
            streets=s(p.streets, 2), communities=s(p.communities, 3), grids=s(p.grids, 4),
            compounds=s(p.compounds, 10), members=s(p.members, 200), units=s(p.units, 8),
            firms=s(p.firms, 4), social_orgs=s(p.social_orgs, 2),
            volunteer_teams=s(p.volunteer_teams, 3), demands=s(p.demands, 50),
            resources=s(p.resources, 100),
        )


def generate(
    preset: str,
    seed: int,
    out_dir: str | Path,
    fmt: str = "csv",
    progress: Progress | None = None,
    scale: float = 1.0,
    chinese: bool = True,
) -> dict[str, int]:
    """Write the preset's ledgers to ``out_dir``; returns rows written per sheet."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}")
    if scale <= 0:
        raise ValueError("scale must be positive")
    spec = PRESETS[preset]
    sizes = _Sizes.of(spec, scale)
    names = _county_names(random.Random(seed), spec.counties)
    counts: dict[str, int] = {}
    ids = _Counters()
    with LedgerWriter(out_dir, fmt, chinese) as writer:
        def emit(sheet: str, row: dict[str, Any]) -> None:
            writer.write(sheet, row)
            counts[sheet] = counts.get(sheet, 0) + 1

        for i in range(spec.counties):
            if progress:
                progress(f"county {i + 1}/{spec.counties}", i, spec.counties)
            rng = random.Random(seed * 1_000_003 + i + 1)
            _County(rng, emit, ids, i + 1, names[i], sizes).run()
        if progress:
            progress("done", spec.counties, spec.counties)
    return dict(sorted(counts.items()))


def _county_names(rng: random.Random, n: int) -> list[str]:
    return [stem + rng.choice(("县", "区", "县")) for stem in nm.distinct(rng, nm.COUNTY_STEMS, n)]


class _Counters:
    """Codes that are not hierarchical (people, demands, resources) run across counties."""

    def __init__(self) -> None:
        self.person = itertools.count(1)
        self.demand = itertools.count(1)
        self.resource = itertools.count(1)


# ---------------------------------------------------------------- small helpers

def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _jitter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """A point uniformly inside a disc of ``km`` around (lat, lon), rounded to ~0.1 m."""
    r = km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    dlat = r * math.cos(a) / 111.0
    dlon = r * math.sin(a) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` positive integers of similar size summing exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [max(1, int(w * scale)) for w in weights]
    i = 0
    while sum(shares) != total:
        step = 1 if sum(shares) < total else -1
        if shares[i % parts] + step >= 1:
            shares[i % parts] += step
        i += 1
    return shares


def _allocate(rng: random.Random, n: int, bins: int) -> list[int]:
    """``n`` items into ``bins`` bins, each at least one (when n >= bins), unevenly."""
    counts = [1] * bins if n >= bins else [0] * bins
    weights = [rng.uniform(0.5, 1.5) for _ in range(bins)]
    for b in rng.choices(range(bins), weights, k=n - sum(counts)):
        counts[b] += 1
    return counts


def _quota(rng: random.Random, items: Sequence[T], share: float, floor: int = 1) -> list[T]:
    """A random subset of about ``share`` of ``items`` (at least ``floor``), in item order."""
    k = min(len(items), max(floor, round(share * len(items))))
    picked = sorted(rng.sample(range(len(items)), k))
    return [items[i] for i in picked]


class _Weighted:
    """Repeated weighted draws from a fixed list (cumulative weights + bisect)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


# ---------------------------------------------------------------- county model

@dataclass
class _Community:
    code: str
    name: str
    kind: str
    street: int
    lat: float
    lon: float
    compounds: list[int] = field(default_factory=list)
    grids: list[str] = field(default_factory=list)
    committee: str = ""  # community party committee code


@dataclass
class _Compound:
    code: str
    name: str
    community: int
    households: int
    built_year: int
    lat: float
    lon: float
    mode: str = "market"
    grids: list[str] = field(default_factory=list)
    buildings: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, hh
    firm: str | None = None  # current managing firm
    committee: str | None = None  # owners' committee code
    branch: str | None = None  # covering compound/grid branch
    residents: list[str] = field(default_factory=list)  # person codes living here
    members: dict[str, list[str]] = field(default_factory=dict)  # status → member codes

    @property
    def old(self) -> bool:
        return self.built_year < 2000


@dataclass
class _Person:
    code: str
    name: str
    status: str | None
    compound: int | None
    building: str | None
    employer: str | None = None


_COMMUNITY_KINDS = _Weighted(
    ("residential", "urban_village", "transitional", "industrial_park", "international"),
    (60, 15, 11, 8, 6),
)
_UNIT_KINDS = _Weighted(
    ("government_organ", "public_institution", "state_enterprise", "private_enterprise",
     "school", "hospital", "other"),
    (26, 16, 12, 28, 10, 4, 4),
)
_CATEGORIES = _Weighted(
    ("elder_care", "child_care", "medical", "legal", "employment", "repair", "environment",
     "safety", "culture", "disability"),
    (18, 9, 11, 6, 5, 20, 13, 8, 6, 4),
)
_DEMAND_STATUS = _Weighted(("open", "dispatched", "accepted", "done", "reviewed"),
                           (22, 10, 13, 20, 35))


class _County:
    """Generates and writes one county.  Sections run in dependency order, so every
    reference written points at a code written before it."""

    def __init__(self, rng: random.Random, emit: Callable[[str, dict[str, Any]], None],
                 ids: _Counters, number: int, name: str, sizes: _Sizes) -> None:
        self.rng = rng
        self.emit = emit
        self.ids = ids
        self.n = sizes
        self.code = f"C{number:02d}"
        self.name = name
        self.stem = name[:-1]
        row, col = divmod(number - 1, 10)
        self.lat, self.lon = CENTRE[0] + 0.35 * row, CENTRE[1] + 0.4 * col
        self.region = f"33{number:04d}"[-6:]
        self.streets: list[tuple[str, str, float, float]] = []
        self.communities: list[_Community] = []
        self.compounds: list[_Compound] = []
        self.units: list[tuple[str, str, str, int]] = []  # code, name, kind, community
        self.firms: list[tuple[str, str, str, int]] = []
        self.social_orgs: list[tuple[str, int]] = []
        self.teams: list[tuple[str, int]] = []
        self.people: dict[str, _Person] = {}
        self.members: list[str] = []
        self.posts: dict[str, int] = {}  # person → current posts
        self._post_keys: set[tuple[str, str, str]] = set()
        self.unit_orgs: dict[str, str] = {}  # unit code → its party org
        self.firm_branches: dict[str, str] = {}  # firm code → its own branch
        self.committee_start: dict[str, dt.date] = {}  # owners' committee → term start
        self.firm_staff: dict[str, list[str]] = {}
        self.street_committees: list[str] = []
        self.mobile_branch = ""
        self.branch_people: dict[str, list[str]] = {}  # branch → people with posts there
        self.community_workers: dict[str, list[str]] = {}
        self.site_no = itertools.count(1)

    def run(self) -> None:
        self.geography()
        self.organisations()
        self.party_orgs()
        self.residents()
        self.posts_and_roles()
        self.co_building()
        self.sites()
        self.resources_and_demands()

    # ------------------------------------------------------------ writing helpers

    def node(self, label: str, **props: Any) -> None:
        self.emit(label, props)

    def rel(self, rtype: str, src: str, tgt: str, src_kind: str = "", tgt_kind: str = "",
            **props: Any) -> None:
        kind = REL_BY_TYPE[rtype]
        row: dict[str, Any] = {"from": src, "to": tgt, **props}
        if len(kind.sources) > 1:
            row["from_kind"] = src_kind
        if len(kind.targets) > 1:
            row["to_kind"] = tgt_kind
        self.emit(rtype, row)

    # ------------------------------------------------------------ geography

    def geography(self) -> None:
        rng, n = self.rng, self.n
        self.node("County", code=self.code, name=self.name)
        street_names = nm.distinct(rng, nm.STREET_STEMS, n.streets)
        for s, stem in enumerate(street_names, 1):
            code = f"{self.code}-S{s:02d}"
            name = stem + ("镇" if rng.random() < 0.2 else "街道")
            lat, lon = _jitter(rng, self.lat, self.lon, 8.0)
            self.streets.append((code, name, lat, lon))
            self.node("Street", code=code, name=name)
            self.rel("PART_OF", code, self.code, "Street", "County")

        per_street = _allocate(rng, n.communities, n.streets)
        comm_names = iter(nm.distinct(rng, nm.COMMUNITY_STEMS, n.communities))
        village_names = iter(nm.distinct(rng, nm.VILLAGE_STEMS, n.communities))
        for s, count in enumerate(per_street):
            s_code, _, s_lat, s_lon = self.streets[s]
            for m in range(1, count + 1):
                kind = _COMMUNITY_KINDS.draw(rng)
                stem = next(village_names) if kind == "urban_village" else next(comm_names)
                lat, lon = _jitter(rng, s_lat, s_lon, 3.0)
                c = _Community(f"{s_code}-M{m:02d}", stem + "社区", kind, s, lat, lon)
                self.communities.append(c)

        per_comm = _allocate(rng, n.compounds, len(self.communities))
        for ci, (comm, count) in enumerate(zip(self.communities, per_comm, strict=True)):
            n_grids = max(1, min(count, round(count * n.grids / n.compounds)))
            comm.grids = [f"{comm.code}-G{g:02d}" for g in range(1, n_grids + 1)]
            for k in range(1, count + 1):
                hh = int(min(3000, max(200, rng.lognormvariate(math.log(880), 0.6))))
                year = rng.randint(1978, 1999) if rng.random() < 0.32 else rng.randint(2000, 2023)
                lat, lon = _jitter(rng, comm.lat, comm.lon, 1.5)
                cp = _Compound(f"{comm.code}-K{k:02d}", nm.compound_name(rng, year < 2000), ci,
                               hh, year, lat, lon)
                comm.compounds.append(len(self.compounds))
                self.compounds.append(cp)
            self._assign_grids(comm)
        self._property_modes()

        grid_households: dict[str, int] = {}
        for comm in self.communities:
            for cpi in comm.compounds:
                cp = self.compounds[cpi]
                for g, share in zip(cp.grids, _split(rng, cp.households, len(cp.grids)),
                                    strict=True):
                    grid_households[g] = grid_households.get(g, 0) + share
        for comm in self.communities:
            self.node("Community", code=comm.code, name=comm.name, kind=comm.kind,
                      population=int(sum(self.compounds[i].households for i in comm.compounds)
                                     * rng.uniform(2.4, 3.0)))
            self.rel("PART_OF", comm.code, self.streets[comm.street][0], "Community", "Street")
            for g_no, g in enumerate(comm.grids, 1):
                self.node("Grid", code=g, name=f"{comm.name}第{g_no}网格",
                          households=grid_households.get(g, 0))
                self.rel("PART_OF", g, comm.code, "Grid", "Community")
        for cp in self.compounds:
            n_b = max(1, round(cp.households / rng.uniform(70, 130)))
            suffix = "幢" if rng.random() < 0.4 else "号楼"
            for b, hh in enumerate(_split(rng, cp.households, n_b), 1):
                cp.buildings.append((f"{cp.code}-B{b:02d}", f"{b}{suffix}", hh))
            self.node("Compound", code=cp.code, name=cp.name, households=cp.households,
                      buildings=n_b, built_year=cp.built_year, old=cp.old, lat=cp.lat,
                      lon=cp.lon, property_mode=cp.mode)
            for g in cp.grids:
                self.rel("IN_GRID", cp.code, g)
            for b_code, b_name, hh in cp.buildings:
                self.node("Building", code=b_code, name=f"{cp.name}{b_name}", households=hh)
                self.rel("PART_OF", b_code, cp.code, "Building", "Compound")

    def _assign_grids(self, comm: _Community) -> None:
        """Every grid gets a compound; large compounds span two grids."""
        order = list(comm.compounds)
        self.rng.shuffle(order)
        for i, cpi in enumerate(order):
            cp = self.compounds[cpi]
            g = comm.grids[i] if i < len(comm.grids) else self.rng.choice(comm.grids)
            cp.grids = [g]
            if cp.households > 2000 and len(comm.grids) > 1:
                other = self.rng.choice([x for x in comm.grids if x != g])
                cp.grids = sorted([g, other])

    def _property_modes(self) -> None:
        """About 6% none (mostly old compounds), 12% self-managed, the rest firms."""
        rng, total = self.rng, len(self.compounds)
        by_age = sorted(range(total), key=lambda i: (not self.compounds[i].old, rng.random()))
        n_none = max(1, round(0.06 * total))
        n_self = max(1, round(0.12 * total))
        n_custody = max(1, round(0.12 * total))
        n_party = max(1, round(0.15 * total))
        for i in by_age[:n_none]:
            self.compounds[i].mode = "none"
        rest = by_age[n_none:]
        rng.shuffle(rest)
        modes = (["self_managed"] * n_self + ["custody"] * n_custody + ["party_led"] * n_party)
        for i, mode in zip(rest, modes, strict=False):
            self.compounds[i].mode = mode

    # ------------------------------------------------------------ units, firms, committees

    def organisations(self) -> None:
        rng, n = self.rng, self.n
        streets = [s[1][:2] for s in self.streets]
        organs = nm.unit_names(rng, self.name, nm.GOVERNMENT_ORGANS, streets, "government_organ")
        publics = nm.unit_names(rng, self.name, nm.PUBLIC_INSTITUTIONS, streets,
                                "public_institution")
        soes = nm.unit_names(rng, self.stem, nm.STATE_ENTERPRISES, streets, "state_enterprise")
        hospitals = nm.unit_names(rng, self.stem, nm.HOSPITALS, streets, "hospital")
        for u in range(1, n.units + 1):
            if u <= len(self.streets) and u <= n.units // 4:
                kind, name = "police_station", self.streets[u - 1][1][:2] + "派出所"
            else:
                kind = _UNIT_KINDS.draw(rng)
                name = {
                    "government_organ": lambda: next(organs),
                    "public_institution": lambda: next(publics),
                    "state_enterprise": lambda: next(soes),
                    "hospital": lambda: next(hospitals),
                    "school": lambda: self.stem + rng.choice(nm.COMMUNITY_STEMS)
                    + rng.choice(nm.SCHOOL_TAILS),
                    "private_enterprise": lambda: self.stem + rng.choice(nm.PRIVATE_STEMS)
                    + rng.choice(nm.PRIVATE_TRADES),
                    "other": lambda: self.stem + rng.choice(nm.COMMUNITY_STEMS) + "服务中心",
                }[kind]()
            comm = rng.randrange(len(self.communities))
            code = f"{self.code}-U{u:03d}"
            self.units.append((code, name, kind, comm))
            self.node("Unit", code=code, name=name, kind=kind)
            self.rel("LOCATED_IN", code, self.communities[comm].code, "Unit", "Community")
            if rng.random() < 0.8:
                self.rel("REPORTED_TO", code, self.communities[comm].code, "Unit",
                         date=_iso(_day(rng, dt.date(2019, 3, 1), SNAPSHOT)))

        villages = any(c.kind == "urban_village" for c in self.communities)
        kinds = ["state_custodian"] * max(1, round(0.1 * n.firms)) \
            + ["party_led"] * max(1, round(0.2 * n.firms)) \
            + ["village"] * (max(1, round(0.08 * n.firms)) if villages else 0)
        kinds += ["market"] * max(1, n.firms - len(kinds))
        for f, kind in enumerate(kinds, 1):
            comm = rng.randrange(len(self.communities))
            stem = rng.choice(nm.FIRM_STEMS)
            cname = self.communities[comm].name[:-2]
            name = {
                "market": f"{stem}物业服务有限公司{self.stem}分公司",
                "party_led": f"{self.stem}{cname}社区物业服务有限公司",
                "village": f"{cname}村物业管理有限公司",
                "state_custodian": f"{self.stem}{nm.STATE_FIRM_STEMS[(f - 1) % 6]}物业有限公司"
                + ("" if f <= 6 else f"第{f}分公司"),
            }[kind]
            code = f"{self.code}-F{f:02d}"
            listed = rng.random()
            status = "black" if listed < 0.05 else "red" if listed < 0.17 else "none"
            credit = rng.uniform(45, 70) if status == "black" else rng.uniform(70, 100)
            self.firms.append((code, name, kind, comm))
            self.node("PropertyFirm", code=code, name=name, kind=kind,
                      stars=rng.randint(0, 2) if status == "black" else rng.randint(1, 5),
                      credit_score=round(credit, 1), list_status=status)
            self.rel("LOCATED_IN", code, self.communities[comm].code, "PropertyFirm",
                     "Community")
        self._management()
        self._committees_and_responsibility()

        for s in range(1, n.social_orgs + 1):
            comm = rng.randrange(len(self.communities))
            base = nm.SOCIAL_ORGS[0] if s == 1 else rng.choice(nm.SOCIAL_ORGS[1:])
            name = self.stem + base if s == 1 else self.communities[comm].name + base
            code = f"{self.code}-SO{s:02d}"
            self.social_orgs.append((code, comm))
            self.node("SocialOrg", code=code, name=name)
            self.rel("LOCATED_IN", code, self.communities[comm].code, "SocialOrg", "Community")
        for t in range(1, n.volunteer_teams + 1):
            comm = rng.randrange(len(self.communities))
            code = f"{self.code}-VT{t:02d}"
            self.teams.append((code, comm))
            self.node("VolunteerTeam", code=code,
                      name=self.communities[comm].name + rng.choice(nm.VOLUNTEER_TEAMS))

    def _firms_of(self, *kinds: str) -> list[tuple[str, str, str, int]]:
        return [f for f in self.firms if f[2] in kinds] or self.firms

    def _management(self) -> None:
        """MANAGES: current contracts for firm-run compounds, plus ended ones (history)."""
        rng = self.rng
        market = self._firms_of("market")
        market_w = _Weighted(market, [rng.paretovariate(1.2) for _ in market])
        for cp in self.compounds:
            comm = self.communities[cp.community]
            if cp.mode == "market":
                firm = market_w.draw(rng)
            elif cp.mode == "party_led":
                pool = self._firms_of("village" if comm.kind == "urban_village" else "party_led")
                near = [f for f in pool if f[3] == cp.community]
                firm = rng.choice(near or pool)
            elif cp.mode == "custody":
                firm = rng.choice(self._firms_of("state_custodian"))
            else:
                firm = None
            since = _day(rng, dt.date(max(2008, cp.built_year), 1, 1), dt.date(2025, 12, 31))
            if firm is not None:
                cp.firm = firm[0]
                self.rel("MANAGES", firm[0], cp.code, since=_iso(since))
            # An earlier contract that ended: a firm replaced, or one that walked away
            # from what is now a no-property compound (弃管).
            if (firm is not None and rng.random() < 0.12) or (cp.mode == "none"
                                                             and rng.random() < 0.5):
                old = rng.choice(market)
                if firm is None or old[0] != firm[0]:
                    end = min(since - dt.timedelta(days=1), PAST_BEFORE)
                    start = _day(rng, dt.date(2005, 1, 1), end - dt.timedelta(days=365))
                    self.rel("MANAGES", old[0], cp.code, since=_iso(start), until=_iso(end))

    def _committees_and_responsibility(self) -> None:
        """Owners' committees (~60%), responsible units for no-property compounds, and
        at least one three-no compound (no firm, no committee, no responsible unit)."""
        rng = self.rng
        share = {"self_managed": 1.0, "market": 0.65, "party_led": 0.6, "custody": 0.4,
                 "none": 0.15}
        for cp in self.compounds:
            if rng.random() >= share[cp.mode]:
                continue
            code = f"{cp.code}-OC"
            kind = "management_committee" if rng.random() < 0.2 else "owners_committee"
            start = _day(rng, dt.date(2021, 7, 1), dt.date(2026, 5, 31))
            cp.committee = code
            self.committee_start[code] = start
            self.node("OwnersCommittee", code=code,
                      name=cp.name + ("物管会" if kind == "management_committee" else "业主委员会"),
                      kind=kind, term_start=_iso(start),
                      term_end=_iso(start + dt.timedelta(days=5 * 365)))
            self.rel("REPRESENTS", code, cp.code)
        organs = [u for u in self.units if u[2] in ("government_organ", "public_institution",
                                                     "state_enterprise")] or self.units
        orphans = [cp for cp in self.compounds if cp.mode == "none" and cp.committee is None]
        for i, cp in enumerate(orphans):
            since = _day(rng, dt.date(2019, 1, 1), dt.date(2025, 12, 31))
            if i == 0:  # stays three-no; its responsible unit withdrew (history only)
                self.rel("RESPONSIBLE_FOR", rng.choice(organs)[0], cp.code,
                         since=_iso(dt.date(2018, 3, 1)), until=_iso(dt.date(2021, 12, 31)))
            elif rng.random() < 0.6:
                self.rel("RESPONSIBLE_FOR", rng.choice(organs)[0], cp.code, since=_iso(since))
        for cp in self.compounds:
            if cp.mode == "self_managed" and rng.random() < 0.2:
                self.rel("RESPONSIBLE_FOR", rng.choice(organs)[0], cp.code,
                         since=_iso(_day(rng, dt.date(2019, 1, 1), dt.date(2025, 12, 31))))

    # ------------------------------------------------------------ party organisations

    def party_org(self, code: str, name: str, kind: str, parent: str | None = None,
                  functional: bool | None = None) -> str:
        founded = _day(self.rng, dt.date(2005, 1, 1), dt.date(2025, 12, 31))
        self.node("PartyOrg", code=code, name=name, kind=kind, functional=functional,
                  founded=_iso(founded))
        if parent:
            self.rel("UNDER", code, parent)
        return code

    def party_orgs(self) -> None:
        rng = self.rng
        for s_code, s_name, _, _ in self.streets:
            self.street_committees.append(
                self.party_org(f"{s_code}-PW", f"中共{s_name}工作委员会",
                               "street_working_committee"))
        industry = self.party_org(f"{self.code}-PIC", f"中共{self.name}物业服务行业委员会",
                                  "property_industry_committee")
        district = self.party_org(f"{self.code}-BDC", f"中共{self.stem}中心商圈委员会",
                                  "business_district_committee", self.street_committees[0])
        self.party_org(f"{self.code}-NEB", f"{self.stem}快递外卖新就业群体联合党支部",
                       "new_employment_branch", district)
        self.mobile_branch = self.party_org(f"{self.code}-MMB", f"{self.stem}流动党员党支部",
                                            "mobile_member_branch", self.street_committees[0])
        for comm in self.communities:
            comm.committee = self.party_org(
                f"{comm.code}-PC", f"中共{comm.name}委员会", "community_party_committee",
                self.street_committees[comm.street])
            self.rel("COVERS", comm.committee, comm.code, tgt_kind="Community")
            self._branches(comm)

        covered_firms = _quota(rng, self.firms, 0.55)
        for code, name, _, _ in covered_firms:
            branch = self.party_org(f"{code}-PB", f"中共{name}支部委员会",
                                    "property_firm_branch", industry)
            self.firm_branches[code] = branch
            self.rel("IN_ORG", branch, code, tgt_kind="PropertyFirm")
        rest = [f for f in self.firms if f not in covered_firms]
        joined = rest[: round(len(rest) * 0.6)]
        for j in range(0, len(joined), 3):
            group = joined[j: j + 3]
            branch = self.party_org(f"{self.code}-JB{j // 3 + 1:02d}",
                                    f"{self.stem}物业企业第{j // 3 + 1}联合党支部",
                                    "joint_branch", industry)
            for firm in group:
                self.rel("IN_ORG", branch, firm[0], tgt_kind="PropertyFirm")
        if self.social_orgs:
            branch = self.party_org(f"{self.code}-AB", f"{self.stem}物业管理协会党支部",
                                    "association_branch", industry)
            self.rel("IN_ORG", branch, self.social_orgs[0][0], tgt_kind="SocialOrg")
        for code, name, _, _ in _quota(rng, self.units, 0.6):
            self.unit_orgs[code] = self.party_org(f"{code}-PO", f"中共{name}委员会", "unit_org")
            self.rel("IN_ORG", self.unit_orgs[code], code, tgt_kind="Unit")

    def _branches(self, comm: _Community) -> None:
        """Compound branches for large compounds, grid branches for the small ones of a
        grid, building groups for ~30% of buildings; ~10% of compounds stay uncovered."""
        rng = self.rng
        covered = [i for i in comm.compounds if rng.random() < 0.9]
        by_grid: dict[str, list[int]] = {}
        for i in covered:
            cp = self.compounds[i]
            if cp.households >= 600:
                cp.branch = self.party_org(f"{cp.code}-PB", f"中共{cp.name}支部委员会",
                                           "compound_branch", comm.committee,
                                           functional=rng.random() < 0.3)
                self.rel("COVERS", cp.branch, cp.code, tgt_kind="Compound")
            else:
                by_grid.setdefault(cp.grids[0], []).append(i)
        for grid in comm.grids:
            if grid not in by_grid:
                continue
            branch = self.party_org(f"{grid}-PB", f"中共{comm.name}第{grid[-2:].lstrip('0')}"
                                    "网格支部委员会", "grid_branch", comm.committee,
                                    functional=rng.random() < 0.3)
            self.rel("COVERS", branch, grid, tgt_kind="Grid")
            for i in by_grid[grid]:
                self.compounds[i].branch = branch
                self.rel("COVERS", branch, self.compounds[i].code, tgt_kind="Compound")
        for i in covered:
            cp = self.compounds[i]
            for b_code, b_name, _ in cp.buildings:
                if rng.random() < 0.3:
                    group = self.party_org(f"{b_code}-PG", f"{cp.name}{b_name}党小组",
                                           "building_group", cp.branch)
                    self.rel("COVERS", group, b_code, tgt_kind="Building")

    # ------------------------------------------------------------ people

    def person(self, status: str | None, compound: int | None, female: bool | None = None,
               employer: tuple[str, str] | None = None) -> _Person:
        """Write a Person (and where they live and work); members also get their org."""
        rng = self.rng
        code = f"P{next(self.ids.person):07d}"
        female = rng.random() < 0.5 if female is None else female
        born = {"retired": (1940, 1965), "student": (2000, 2007)}.get(status or "", (1965, 2000))
        building = None
        if compound is not None:
            cp = self.compounds[compound]
            if rng.random() < 0.7:
                building = rng.choice(cp.buildings)[0]
        p = _Person(code, nm.person_name(rng, female), status, compound, building,
                    employer[1] if employer else None)
        self.people[code] = p
        self.node("Person", code=code, name=p.name, gender="female" if female else "male",
                  phone=nm.phone(rng),
                  id_number=nm.id_number(rng, self.region, rng.randint(*born), female),
                  member_status=status)
        if compound is not None:
            cp = self.compounds[compound]
            if building is not None:
                self.rel("LIVES_IN", code, building, tgt_kind="Building")
            else:
                self.rel("LIVES_IN", code, cp.code, tgt_kind="Compound")
            cp.residents.append(code)
            if status:
                cp.members.setdefault(status, []).append(code)
        if employer:
            self.rel("WORKS_AT", code, employer[1], tgt_kind=employer[0])
            if employer[0] == "PropertyFirm":
                self.firm_staff.setdefault(employer[1], []).append(code)
        if status:
            self.members.append(code)
        return p

    def residents(self) -> None:
        """Members: where they live, work, belong, report (双报到) and liaise (联户)."""
        rng = self.rng
        homes = _Weighted(range(len(self.compounds)), [c.households for c in self.compounds])
        statuses = _Weighted(("in_service", "retired", "mobile", "student"), (45, 40, 10, 5))
        units = _Weighted(self.units, [{"government_organ": 4, "public_institution": 3,
                                        "state_enterprise": 3, "school": 3, "hospital": 4}
                                       .get(u[2], 1) for u in self.units])
        for _ in range(self.n.members):
            status = statuses.draw(rng)
            home = None if status == "mobile" and rng.random() < 0.5 else homes.draw(rng)
            employer: tuple[str, str] | None = None
            if status == "in_service":
                r = rng.random()
                if r < 0.85:
                    employer = ("Unit", units.draw(rng)[0])
                elif r < 0.9:
                    employer = ("PropertyFirm", rng.choice(self.firms)[0])
            p = self.person(status, home, employer=employer)
            self._membership(p)
            if home is None:
                continue
            comm = self.communities[self.compounds[home].community]
            if status == "in_service" and rng.random() < 0.7:
                self.rel("REPORTED_TO", p.code, comm.code, "Member",
                         date=_iso(_day(rng, dt.date(2019, 3, 1), SNAPSHOT)))
            liaise = {"retired": 0.15, "in_service": 0.05}.get(status, 0.0)
            if rng.random() < liaise:
                target = p.building or rng.choice(self.compounds[home].buildings)[0]
                self.rel("LIAISES", p.code, target, tgt_kind="Building",
                         since=_iso(_day(rng, dt.date(2020, 1, 1), SNAPSHOT)))
            if rng.random() < 0.1 and self.teams:
                local = [t for t in self.teams if t[1] == self.compounds[home].community]
                team = rng.choice(local or self.teams)
                self.rel("MEMBER_OF", p.code, team[0], "Person", "VolunteerTeam",
                         since=_iso(_day(rng, dt.date(2018, 1, 1), SNAPSHOT)))

    def _membership(self, p: _Person) -> None:
        """One organisational relationship per member (组织关系)."""
        rng = self.rng
        org: str
        if p.status == "mobile":
            org = self.mobile_branch if (rng.random() < 0.7 or p.compound is None) else ""
        elif p.status == "in_service" and p.employer in self.unit_orgs and rng.random() < 0.6:
            org = self.unit_orgs[p.employer]
        elif p.status == "in_service" and p.employer in self.firm_branches:
            org = self.firm_branches[p.employer]
        else:
            org = ""
        if not org:
            assert p.compound is not None
            cp = self.compounds[p.compound]
            org = cp.branch if cp.branch and p.status != "student" else \
                self.communities[cp.community].committee
        self.rel("MEMBER_OF", p.code, org, "Member", "PartyOrg",
                 since=_iso(_day(rng, dt.date(1985, 1, 1), SNAPSHOT)))

    def new_member(self, status: str, compound: int | None,
                   employer: tuple[str, str] | None = None) -> str:
        p = self.person(status, compound, employer=employer)
        self._membership(p)
        return p.code

    def resident(self, compound: int, member_share: float, exclude: Sequence[str] = (),
                 prefer: Sequence[str] = ("retired", "in_service")) -> str:
        """A person living in the compound: a member with probability ``member_share``
        (an existing one when there is one), else a new non-member resident."""
        rng = self.rng
        if rng.random() < member_share:
            cp = self.compounds[compound]
            for status in prefer:
                pool = [c for c in cp.members.get(status, ()) if c not in exclude]
                if pool:
                    return rng.choice(pool)
            return self.new_member(prefer[0], compound)
        return self.person(None, compound).code

    # ------------------------------------------------------------ posts (任职)

    def post(self, person: str, label: str, org: str, role: str, since: dt.date,
             until: dt.date | None = None, full_time: bool | None = None) -> bool:
        """One HOLDS_POST; the same person never holds the same role in one org twice."""
        key = (person, org, role)
        if key in self._post_keys:
            return False
        self._post_keys.add(key)
        self.rel("HOLDS_POST", person, org, tgt_kind=label, role=role, since=_iso(since),
                 until=_iso(until), full_time=full_time)
        if until is None:
            self.posts[person] = self.posts.get(person, 0) + 1
        return True

    def _since(self, earliest: dt.date = dt.date(2018, 1, 1)) -> dt.date:
        return _day(self.rng, earliest, dt.date(2026, 5, 31))

    def _past(self, start: dt.date) -> tuple[dt.date, dt.date]:
        """A post that ended before ``start`` (its successor's start)."""
        end = min(start, PAST_BEFORE) - dt.timedelta(days=self.rng.randint(1, 60))
        return _day(self.rng, dt.date(2012, 1, 1), end - dt.timedelta(days=400)), end

    def posts_and_roles(self) -> None:
        rng = self.rng
        organs = {u[0] for u in self.units if u[2] in ("government_organ", "public_institution")}
        organ_staff = [c for c in self.members if self.people[c].employer in organs]
        leaders = rng.sample(organ_staff, min(len(organ_staff), max(1, len(self.communities) // 3)))
        committee_people: list[list[str]] = []
        for ci, comm in enumerate(self.communities):
            committee_people.append(self._community_posts(ci, comm, organ_staff, leaders))
        for comm in self.communities:
            self._grid_workers(comm)
        branch_compounds: dict[str, list[int]] = {}
        for i, cp in enumerate(self.compounds):
            if cp.branch:
                branch_compounds.setdefault(cp.branch, []).append(i)
        for branch, cps in branch_compounds.items():
            self._branch_posts(branch, cps)
        pms = self._firm_posts()
        for i, cp in enumerate(self.compounds):
            if cp.committee:
                self._committee_posts(i, cp)
        for ci, comm in enumerate(self.communities):
            self._two_way_entry(comm, committee_people[ci], pms)
        for i, cp in enumerate(self.compounds):
            self._building_heads(i, cp)

    def _community_posts(self, ci: int, comm: _Community, organ_staff: list[str],
                         leaders: list[str]) -> list[str]:
        """Community party committee, residents' committee (the Community), workers,
        first secretary and liaison leader (挂钩领导)."""
        rng = self.rng
        homes = comm.compounds
        secretary = self.new_member("in_service", rng.choice(homes))
        since = self._since(dt.date(2016, 1, 1))
        self.post(secretary, "PartyOrg", comm.committee, "secretary", since)
        self.post(secretary, "Community", comm.code, "community_worker", since, full_time=True)
        if rng.random() < 0.85:  # 一肩挑: the secretary also chairs the residents' committee
            self.post(secretary, "Community", comm.code, "chair", since)
        else:
            chair = self.new_member("in_service", rng.choice(homes))
            self.post(chair, "Community", comm.code, "chair", since)
        if rng.random() < 0.2:
            past, until = self._past(since)
            self.post(self.new_member("retired", rng.choice(homes)), "PartyOrg", comm.committee,
                      "secretary", past, until)
        workers = [self.new_member("in_service", rng.choice(homes)) if rng.random() < 0.6
                   else self.person(None, rng.choice(homes)).code
                   for _ in range(rng.randint(4, 8))]
        for w in workers:
            self.post(w, "Community", comm.code, "community_worker", self._since(),
                      full_time=True)
        member_workers = [w for w in workers if self.people[w].status]
        committee = [secretary]
        for k, w in enumerate(member_workers[: rng.randint(2, 4)]):
            role = "deputy_secretary" if k == 0 else "committee_member"
            self.post(w, "PartyOrg", comm.committee, role, self._since())
            committee.append(w)
        if organ_staff and rng.random() < 0.25:
            self.post(rng.choice(organ_staff), "PartyOrg", comm.committee, "first_secretary",
                      self._since(dt.date(2021, 1, 1)))
        if leaders and rng.random() < 0.75:
            self.post(leaders[ci % len(leaders)], "Community", comm.code, "liaison_leader",
                      self._since(dt.date(2021, 1, 1)))
        self.community_workers[comm.code] = workers
        return committee

    def _grid_workers(self, comm: _Community) -> None:
        """1–3 grid workers per grid; ~15% of grids have no full-time one."""
        rng = self.rng
        workers = self.community_workers.get(comm.code, [])
        for g in comm.grids:
            staffed = rng.random() < 0.85
            for k in range(rng.randint(1, 3)):
                if workers and rng.random() < 0.3:
                    person = rng.choice(workers)
                else:
                    person = self.resident(rng.choice(comm.compounds), 0.4, prefer=("in_service",))
                self.post(person, "Grid", g, "grid_worker", self._since(),
                          full_time=staffed and k == 0)

    def _branch_posts(self, branch: str, cps: list[int]) -> None:
        rng = self.rng
        home = cps[0]
        secretary = self.resident(home, 1.0, prefer=("retired", "in_service") if rng.random()
                                  < 0.6 else ("in_service", "retired"))
        since = self._since(dt.date(2017, 1, 1))
        self.post(secretary, "PartyOrg", branch, "secretary", since)
        people = [secretary]
        if rng.random() < 0.15:
            past, until = self._past(since)
            self.post(self.resident(home, 1.0, exclude=people), "PartyOrg", branch, "secretary",
                      past, until)
        roles = (["deputy_secretary"] if rng.random() < 0.5 else []) + \
            ["committee_member"] * rng.randint(2, 4)
        for role in roles:
            who = self.resident(rng.choice(cps), 1.0, exclude=people)
            if self.post(who, "PartyOrg", branch, role, self._since()):
                people.append(who)
        self.branch_people[branch] = people

    def _firm_posts(self) -> dict[int, str]:
        """Firm branch secretaries and one project manager per managed compound."""
        rng = self.rng
        homes = range(len(self.compounds))
        for firm, branch in self.firm_branches.items():
            staff = [s for s in self.firm_staff.get(firm, ()) if self.people[s].status]
            who = rng.choice(staff) if staff else self.new_member(
                "in_service", rng.choice(homes), employer=("PropertyFirm", firm))
            self.post(who, "PartyOrg", branch, "secretary", self._since())
        pms: dict[int, str] = {}
        for i, cp in enumerate(self.compounds):
            if cp.firm is None:
                continue
            employer = ("PropertyFirm", cp.firm)
            home = rng.choice(homes)
            pm = self.new_member("in_service", home, employer) if rng.random() < 0.3 else \
                self.person(None, home, employer=employer).code
            self.post(pm, "PropertyFirm", cp.firm, "project_manager", self._since())
            pms[i] = pm
        return pms

    def _committee_posts(self, i: int, cp: _Compound) -> None:
        """Chair, vice chair, members and a supervisor; cross-posting with the branch."""
        rng = self.rng
        assert cp.committee is not None
        start = self.committee_start[cp.committee]
        branch_people = list(self.branch_people.get(cp.branch or "", []))
        seated: list[str] = []
        if branch_people and rng.random() < 0.12:  # the branch secretary chairs it
            chair = branch_people.pop(0)
        else:
            chair = self.resident(i, 0.5)
        self.post(chair, "OwnersCommittee", cp.committee, "chair", start)
        seated.append(chair)
        roles = ["vice_chair"] + ["owners_committee_member"] * rng.randint(3, 6)
        if rng.random() < 0.3:
            roles.append("supervisor")
        for role in roles:
            r = rng.random()
            if branch_people and r < 0.25:
                who = branch_people.pop(rng.randrange(len(branch_people)))
            else:
                who = self.resident(i, 0.45 if r < 0.7 else 0.0, exclude=seated)
            if self.post(who, "OwnersCommittee", cp.committee, role, start):
                seated.append(who)
        if rng.random() < 0.1:
            past, until = self._past(start)
            self.post(self.resident(i, 0.5, exclude=seated), "OwnersCommittee", cp.committee,
                      "chair", past, until)

    def _two_way_entry(self, comm: _Community, committee: list[str],
                       pms: dict[int, str]) -> None:
        """双向进入: community committee members on owners' committees, and firm or
        committee people as part-time members of the community party committee."""
        rng = self.rng
        r = rng.random()
        with_committee = [self.compounds[i].committee for i in comm.compounds
                          if self.compounds[i].committee]
        if r < 0.65 and with_committee and committee:
            oc = rng.choice(with_committee)
            assert oc is not None
            self.post(rng.choice(committee), "OwnersCommittee", oc,
                      rng.choice(("owners_committee_member", "supervisor")),
                      self.committee_start[oc])
        if r < 0.5 or 0.65 <= r < 0.75:
            outsiders = [pms[i] for i in comm.compounds if i in pms]
            if rng.random() < 0.5 or not outsiders:
                outsiders = self._committee_chairs(comm) or outsiders
            if outsiders:
                self.post(rng.choice(outsiders), "PartyOrg", comm.committee,
                          "part_time_committee_member", self._since(dt.date(2021, 1, 1)))

    def _committee_chairs(self, comm: _Community) -> list[str]:
        codes = {c for i in comm.compounds if (c := self.compounds[i].committee)}
        return sorted(p for (p, org, role) in self._post_keys if role == "chair" and org in codes)

    def _building_heads(self, i: int, cp: _Compound) -> None:
        """Building heads (楼栋长) for ~40% of buildings, red neighbour heads for some;
        a few branch secretaries take their own building too (overloaded people)."""
        rng = self.rng
        heads = self.branch_people.get(cp.branch or "")
        secretary = heads[0] if heads else None
        for b_code, _, _ in cp.buildings:
            if secretary and self.people[secretary].building == b_code and rng.random() < 0.5:
                self.post(secretary, "Building", b_code, "building_head", self._since())
            elif rng.random() < 0.4:
                self.post(self.resident(i, 0.65), "Building", b_code, "building_head",
                          self._since())
            if rng.random() < 0.08:
                self.post(self.resident(i, 1.0), "Building", b_code, "red_neighbour_head",
                          self._since())

    # ------------------------------------------------------------ co-building

    def co_building(self) -> None:
        """Co-building agreements (~85% of communities), alliances and projects."""
        rng = self.rng
        n_comm = len(self.communities)
        n_uncovered = max(1 if n_comm >= 3 else 0, round(0.15 * n_comm))
        uncovered = set(rng.sample(range(n_comm), n_uncovered))
        partners: dict[int, list[str]] = {}
        for ci, comm in enumerate(self.communities):
            same_street = [u for u in self.units if self.communities[u[3]].street == comm.street]
            pool = same_street if len(same_street) >= 5 else self.units
            k = 0 if ci in uncovered else rng.randint(1, 5)
            chosen = rng.sample(pool, min(len(pool), k))
            for u in chosen:
                since = _day(rng, dt.date(2018, 1, 1), dt.date(2026, 5, 31))
                self.rel("CO_BUILDS_WITH", u[0], comm.code, since=_iso(since),
                         agreement=f"{comm.name}共建协议〔{since.year}〕{rng.randint(1, 60)}号")
            partners[ci] = [u[0] for u in chosen]
            if ci in uncovered and rng.random() < 0.5:  # an agreement that lapsed
                u = rng.choice(pool)
                self.rel("CO_BUILDS_WITH", u[0], comm.code, since=_iso(dt.date(2018, 4, 1)),
                         until=_iso(dt.date(2021, 3, 31)),
                         agreement=f"{comm.name}共建协议〔2018〕{rng.randint(1, 60)}号")
            elif chosen and rng.random() < 0.1 and len(pool) > len(chosen):
                # CO_BUILDS_WITH has no key property: one relationship per unit and
                # community, so an ended agreement must be with another unit.
                lapsed = rng.choice([u for u in pool if u not in chosen])
                self.rel("CO_BUILDS_WITH", lapsed[0], comm.code,
                         since=_iso(dt.date(2015, 6, 1)), until=_iso(dt.date(2017, 12, 31)),
                         agreement=f"{comm.name}共建协议〔2015〕{rng.randint(1, 60)}号")

        county_alliance = f"{self.code}-A00"
        self.node("Alliance", code=county_alliance, name=f"{self.name}城市基层党建联盟")
        for s, (_, s_name, _, _) in enumerate(self.streets):
            alliance = f"{self.code}-A{s + 1:02d}"
            self.node("Alliance", code=alliance, name=f"{s_name}区域党建联盟")
            self.rel("MEMBER_OF", self.street_committees[s], county_alliance, "PartyOrg",
                     "Alliance")
            members: list[tuple[str, str]] = []
            for ci, comm in enumerate(self.communities):
                if comm.street != s:
                    continue
                members.append(("PartyOrg", comm.committee))
                members += [("Unit", u) for u in partners[ci]]
            members += [("PropertyFirm", f[0]) for f in self.firms
                        if self.communities[f[3]].street == s and rng.random() < 0.5]
            members += [("SocialOrg", o[0]) for o in self.social_orgs
                        if self.communities[o[1]].street == s and rng.random() < 0.5]
            seen: set[str] = set()
            for kind, code in members:
                if code not in seen:
                    seen.add(code)
                    self.rel("MEMBER_OF", code, alliance, kind, "Alliance",
                             since=_iso(_day(rng, dt.date(2019, 1, 1), dt.date(2026, 5, 31))))

        statuses = _Weighted(("planned", "active", "completed", "cancelled"), (15, 45, 35, 5))
        for p in range(1, max(2, round(0.3 * len(self.units))) + 1):
            ci = rng.randrange(n_comm)
            comm = self.communities[ci]
            status = statuses.draw(rng)
            since = _day(rng, dt.date(2021, 1, 1), dt.date(2026, 5, 31))
            until = None
            if status == "planned":
                since = _day(rng, dt.date(2026, 7, 1), dt.date(2026, 12, 31))
            elif status in ("completed", "cancelled"):
                since = _day(rng, dt.date(2020, 1, 1), dt.date(2024, 6, 30))
                until = since + dt.timedelta(days=rng.randint(60, 540))
            code = f"{self.code}-PJ{p:03d}"
            self.node("Project", code=code, name=comm.name + rng.choice(nm.PROJECT_THEMES) + "项目",
                      status=status, since=_iso(since), until=_iso(until))
            runners = partners[ci] or [rng.choice(self.units)[0]]
            self.rel("RUNS", rng.choice(runners), code)
            self.rel("SERVES", code, comm.code)
            if rng.random() < 0.2:
                other = self.communities[rng.randrange(n_comm)].code
                if other != comm.code:
                    self.rel("SERVES", code, other)

    # ------------------------------------------------------------ service sites

    def site(self, kind: str, name: str, lat: float, lon: float, where: tuple[str, str],
             owner: tuple[str, str]) -> None:
        code = f"{self.code}-SS{next(self.site_no):03d}"
        services = "、".join(self.rng.sample(nm.SITE_SERVICES, self.rng.randint(3, 7)))
        self.node("ServiceSite", code=code, name=name, kind=kind, lat=lat, lon=lon,
                  services=services)
        self.rel("LOCATED_IN", code, where[1], "ServiceSite", where[0])
        self.rel("OWNED_BY", code, owner[1], tgt_kind=owner[0])

    def sites(self) -> None:
        """党群服务中心 per community, 红色驿站, compound stations (~25% of compounds),
        neighbourhood centres and self-service terminals."""
        rng = self.rng
        for ci, comm in enumerate(self.communities):
            lat, lon = _jitter(rng, comm.lat, comm.lon, 0.2)
            self.site("party_service_center", f"{comm.name}党群服务中心", lat, lon,
                      ("Community", comm.code), ("PartyOrg", comm.committee))
            if rng.random() < 0.5:
                cp = self.compounds[rng.choice(comm.compounds)]
                local_units = [u for u in self.units if u[3] == ci]
                owner = ("Unit", local_units[0][0]) if local_units and rng.random() < 0.3 \
                    else ("Community", comm.code)
                lat, lon = _jitter(rng, cp.lat, cp.lon, 0.1)
                self.site("red_station", f"{cp.name}红色驿站", lat, lon, ("Compound", cp.code),
                          owner)
        for cp in self.compounds:
            if rng.random() < 0.25:
                owner = ("PartyOrg", cp.branch) if cp.branch else \
                    ("Community", self.communities[cp.community].code)
                lat, lon = _jitter(rng, cp.lat, cp.lon, 0.1)
                self.site("compound_station", f"{cp.name}党群服务站", lat, lon,
                          ("Compound", cp.code), owner)
        for s, (_, s_name, _, _) in enumerate(self.streets):
            comms = [c for c in self.communities if c.street == s]
            if comms:
                comm = rng.choice(comms)
                lat, lon = _jitter(rng, comm.lat, comm.lon, 0.5)
                self.site("neighbourhood_center", f"{s_name[:2]}邻里中心", lat, lon,
                          ("Community", comm.code), ("Community", comm.code))
        soes = [u for u in self.units if u[2] == "state_enterprise"] or self.units
        for comm in self.communities[::3]:
            lat, lon = _jitter(rng, comm.lat, comm.lon, 0.8)
            self.site("self_service_terminal", f"{comm.name}政务自助终端", lat, lon,
                      ("Community", comm.code), ("Unit", rng.choice(soes)[0]))

    # ------------------------------------------------------------ demands and resources

    def resources_and_demands(self) -> None:
        rng = self.rng
        housed = [c for c in self.members if self.people[c].compound is not None]
        offerers = _Weighted(("Member", "Unit", "VolunteerTeam", "SocialOrg", "PropertyFirm"),
                             (50, 25, 15, 5, 5))
        offered: dict[tuple[str, str], str] = {}
        comm_of: dict[str, int] = {}
        for u in self.units:
            comm_of[u[0]] = u[3]
        for f in self.firms:
            comm_of[f[0]] = f[3]
        for code, ci in self.social_orgs + self.teams:
            comm_of[code] = ci
        for _ in range(self.n.resources):
            kind = offerers.draw(rng)
            category = _CATEGORIES.draw(rng)
            if kind == "Member":
                who = rng.choice(housed)
                cp = self.compounds[self.people[who].compound or 0]
                lat, lon = _jitter(rng, cp.lat, cp.lon, 0.1)
                capacity, radius = rng.randint(1, 5), rng.randint(5, 10) * 100
                label = self.people[who].name
            else:
                who, label = {
                    "Unit": lambda: rng.choice(self.units)[:2],
                    "PropertyFirm": lambda: rng.choice(self.firms)[:2],
                    "VolunteerTeam": lambda: (rng.choice(self.teams)[0], "志愿服务队"),
                    "SocialOrg": lambda: (rng.choice(self.social_orgs)[0], "社会组织"),
                }[kind]()
                comm = self.communities[comm_of[who]]
                lat, lon = _jitter(rng, comm.lat, comm.lon, 0.5)
                capacity, radius = rng.randint(5, 50), rng.randint(10, 30) * 100
            code = f"R{next(self.ids.resource):07d}"
            self.node("Resource", code=code,
                      name=f"{rng.choice(nm.RESOURCE_NAMES[category])}（{label}）",
                      category=category, capacity=capacity, lat=lat, lon=lon,
                      radius_m=float(radius), committed=rng.random() < 0.3)
            self.rel("OFFERS", who, code, kind)
            offered.setdefault((who, category), code)
        self._demands(offered)

    def _demands(self, offered: dict[tuple[str, str], str]) -> None:
        """Demands across the life cycle; dispatched and later ones have a taker."""
        rng = self.rng
        homes = _Weighted(range(len(self.compounds)), [c.households for c in self.compounds])
        units_in: dict[int, list[str]] = {}
        for u in self.units:
            units_in.setdefault(u[3], []).append(u[0])
        teams_in: dict[int, list[str]] = {}
        for code, ci in self.teams:
            teams_in.setdefault(ci, []).append(code)
        urgency = _Weighted((1, 2, 3, 4, 5), (25, 30, 25, 13, 7))
        satisfaction = _Weighted((5, 4, 3, 2, 1), (55, 30, 10, 3, 2))
        snapshot = dt.datetime(SNAPSHOT.year, SNAPSHOT.month, SNAPSHOT.day, 18, 0)
        for _ in range(self.n.demands):
            i = homes.draw(rng)
            cp = self.compounds[i]
            comm = self.communities[cp.community]
            category = _CATEGORIES.draw(rng)
            status = _DEMAND_STATUS.draw(rng)
            level = urgency.draw(rng)
            span = 60 if status in ("open", "dispatched") and rng.random() < 0.8 else 365
            created = snapshot - dt.timedelta(days=rng.uniform(0.1, span))
            created = created.replace(hour=rng.randint(7, 21), second=0, microsecond=0)
            created = min(created, snapshot - dt.timedelta(hours=1))
            due = created.date() + dt.timedelta(days=rng.randint(2, 8) * (6 - level))
            done_at = None
            if status in ("done", "reviewed"):
                hours = min(rng.lognormvariate(math.log(40), 1.0), 24 * 60)
                done_at = min(created + dt.timedelta(hours=hours), snapshot)
                done_at = done_at.replace(microsecond=0)
            whistle = rng.random() < 0.05
            code = f"D{next(self.ids.demand):07d}"
            building = rng.choice(cp.buildings)[1] if category == "repair" else ""
            self.node("Demand", code=code,
                      title=f"{cp.name}{building}{rng.choice(nm.DEMAND_TITLES[category])}",
                      category=category, urgency=level, status=status,
                      created_at=created.isoformat(), due=_iso(due),
                      done_at=done_at.isoformat() if done_at else None,
                      satisfaction=satisfaction.draw(rng) if status == "reviewed" else None,
                      whistle=whistle)
            if rng.random() < 0.95:
                self.rel("RAISED_IN", code, cp.code, tgt_kind="Compound")
            else:
                self.rel("RAISED_IN", code, comm.code, tgt_kind="Community")
            if cp.residents and rng.random() < 0.4:
                self.rel("RAISED_BY", code, rng.choice(cp.residents))
            if status == "open":
                continue
            r = rng.random()
            local_members = [c for s in ("retired", "in_service") for c in cp.members.get(s, ())]
            if whistle or r < 0.35 or (r < 0.75 and not local_members):
                kind, taker = "Unit", rng.choice(units_in.get(cp.community)
                                                 or [u[0] for u in self.units])
            elif r < 0.75:
                kind, taker = "Member", rng.choice(local_members)
            else:
                kind, taker = "VolunteerTeam", rng.choice(teams_in.get(cp.community)
                                                          or [t[0] for t in self.teams])
            at = created + dt.timedelta(hours=rng.uniform(0.5, 24))
            if done_at is not None:
                at = min(at, done_at)
            self.rel("ASSIGNED_TO", code, taker, tgt_kind=kind,
                     at=at.replace(microsecond=0).isoformat(),
                     resource=offered.get((taker, category)))
