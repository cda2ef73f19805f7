"""The working state of one county while it is generated, shared by every phase.

The phases (geography, organisations, party, people, posts, co-building, sites,
services) are functions of this one object so that what a later phase needs from an
earlier one (which compounds a branch covers, who works for which firm …) is a field
here rather than a return value threaded through the driver.  Only the current
county's state is alive at a time, which is what keeps the province preset in constant
memory.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graph.codes import Mode
from graph.model import REL_BY_TYPE
from loaders.synthetic.draws import iso
from loaders.synthetic.presets import CENTRE, Sizes

Emit = Callable[[str, dict[str, Any]], None]
Org = tuple[str, str, str, int]  # a unit or firm: code, name, kind, community index


class Counters:
    """Codes that are not hierarchical (people, demands, resources) run across counties."""

    def __init__(self) -> None:
        self.person = itertools.count(1)
        self.demand = itertools.count(1)
        self.resource = itertools.count(1)


@dataclass
class Community:
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
class Compound:
    code: str
    name: str
    community: int
    households: int
    built_year: int
    lat: float
    lon: float
    mode: str = Mode.MARKET
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
class Person:
    code: str
    name: str
    status: str | None
    compound: int | None
    building: str | None
    employer: str | None = None


class County:
    """One county's working lists plus the writing helpers every phase uses."""

    def __init__(self, rng: random.Random, emit: Emit, ids: Counters, number: int, name: str,
                 sizes: Sizes) -> None:
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
        self.communities: list[Community] = []
        self.compounds: list[Compound] = []
        self.units: list[Org] = []
        self.firms: list[Org] = []
        self.social_orgs: list[tuple[str, int]] = []
        self.teams: list[tuple[str, int]] = []
        self.people: dict[str, Person] = {}
        self.members: list[str] = []
        self.post_keys: set[tuple[str, str, str]] = set()
        self.unit_orgs: dict[str, str] = {}  # unit code → its party org
        self.firm_branches: dict[str, str] = {}  # firm code → its own branch
        self.committee_start: dict[str, dt.date] = {}  # owners' committee → term start
        self.firm_staff: dict[str, list[str]] = {}
        self.street_committees: list[str] = []
        self.mobile_branch = ""
        self.branch_people: dict[str, list[str]] = {}  # branch → people with posts there
        self.community_workers: dict[str, list[str]] = {}
        self.site_no = itertools.count(1)

    def node(self, label: str, **props: Any) -> None:
        self.emit(label, props)

    def rel(self, rtype: str, src: str, tgt: str, src_kind: str = "", tgt_kind: str = "",
            **props: Any) -> None:
        """A relationship row; the end kinds are written only where the model's type
        allows more than one label at that end (as the ledger's columns do)."""
        kind = REL_BY_TYPE[rtype]
        row: dict[str, Any] = {"from": src, "to": tgt, **props}
        if len(kind.sources) > 1:
            row["from_kind"] = src_kind
        if len(kind.targets) > 1:
            row["to_kind"] = tgt_kind
        self.emit(rtype, row)

    def post(self, person: str, label: str, org: str, role: str, since: dt.date,
             until: dt.date | None = None, full_time: bool | None = None) -> bool:
        """One HOLDS_POST; the same person never holds the same role in one org twice."""
        key = (person, org, role)
        if key in self.post_keys:
            return False
        self.post_keys.add(key)
        self.rel("HOLDS_POST", person, org, tgt_kind=label, role=role, since=iso(since),
                 until=iso(until), full_time=full_time)
        return True
