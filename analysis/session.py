"""The analyst's entry point: a store opened read-only, a scope, and its answers.

    from analysis.session import Analysis
    with Analysis.open(data_dir="data") as a:        # or uri="bolt://…", user=…, password=…
        street = a.scope("Street:S01", as_of="2025-01-01")
        street.indicators().to_frame()               # one row per indicator
        street.gaps().to_frame()                     # every gap list, ranked
        street.match_plan(radius=800).to_frame()     # one row per open demand
        street.network().to_frame()                  # nodes with their measures

Scopes and dates follow the API's rules exactly: ``Label:CODE``, a bare code that one
spine level holds, or nothing when the store holds one county
(``analysis.fetch.find_scope``); ``as_of`` a ``YYYY-MM-DD`` date, today when omitted
(``graph.dates.parse_as_of``), checked before any query.

Opening never takes the embedded store away from a running ``jinlin serve``: like the
CLI it joins the server that owns the directory (``graph.embedded``), and it applies
no schema.  Every answer is read-only: the store handed to the analyses refuses writes.
Personal properties are masked unless ``personal=True`` (the caller's role may see
them: ``api.policy.Cap.SEE_PERSONAL``, decided by whoever knows the role).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import networkx as nx

from analysis import export, tables, whatif
from analysis.fetch import Row, find_scope
from analysis.frames import Table
from analysis.gaps import gaps_from
from analysis.indicators import IndicatorReport, Options, compute_indicators
from analysis.matching import MatchPlan
from analysis.network import NetworkReport, analyse, build_network
from graph.dates import parse_as_of
from graph.open import open_store
from graph.settings import Settings, load_settings
from graph.store import Query, Store, Transaction

T = TypeVar("T")
READ_ONLY = "分析入口只读，不写入存储"


class ReadOnlyStore:
    """A store that reads and refuses to write: what the analyst entry point hands out."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.backend = store.backend

    @property
    def round_trips(self) -> int:
        return self._store.round_trips

    @round_trips.setter
    def round_trips(self, value: int) -> None:  # the N+1 tests reset the count
        self._store.round_trips = value

    def read(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        return self._store.read(query, **params)

    def write(self, query: Query, **params: Any) -> list[dict[str, Any]]:
        raise PermissionError(READ_ONLY)

    def transaction(self, work: Callable[[Transaction], T]) -> T:
        raise PermissionError(READ_ONLY)

    def ping(self) -> bool:
        return self._store.ping()

    def close(self) -> None:
        self._store.close()


INDICATOR_COLUMNS = ("key", "zh", "title", "numerator", "denominator", "ratio", "reason",
                     "hit_count", "gap_count")
CHILD_COLUMNS = ("label", "code", "name", "numerator", "denominator", "ratio")
GAP_COLUMNS = ("key", "zh", "rank", "label", "code", "name", "numerator", "denominator",
               "households")


@dataclass
class Indicators:
    report: IndicatorReport

    def table(self) -> Table:
        return Table(INDICATOR_COLUMNS, [
            {"key": i.key, "zh": i.zh, "title": i.title, "numerator": i.numerator,
             "denominator": i.denominator, "ratio": i.ratio, "reason": i.reason,
             "hit_count": len(i.hits), "gap_count": len(i.gaps)}
            for i in self.report.indicators])

    def children(self, key: str) -> Table:
        """Indicator ``key`` per child scope (a county's streets, a street's communities,
        …), as ``IndicatorFigure.children`` gives it."""
        rows = [{"label": c.label, "code": c.code, "name": c.name, "numerator": c.numerator,
                 "denominator": c.denominator, "ratio": c.ratio}
                for c in self.report.get(key).children]
        return Table(CHILD_COLUMNS, rows)

    def items(self, key: str) -> Table:
        """Every item behind indicator ``key`` (``analysis.tables.indicator_table``)."""
        return tables.indicator_table(self.report, key)

    def to_frame(self) -> Any:
        return self.table().to_frame()


@dataclass
class Gaps:
    report: IndicatorReport
    walk_m: float

    def table(self) -> Table:
        """Every gap list, one row per item in its rank (1 first)."""
        lists = gaps_from(self.report, self.walk_m).lists
        zh = {i.key: i.zh for i in self.report.indicators}
        return Table(GAP_COLUMNS, [
            {"key": key, "zh": zh[key], "rank": n, "label": i.label, "code": i.code,
             "name": i.name, "numerator": i.num, "denominator": i.den,
             "households": i.households}
            for key, items in lists.items() for n, i in enumerate(items, start=1)])

    def to_frame(self) -> Any:
        return self.table().to_frame()


@dataclass
class Plan:
    plan: MatchPlan

    def table(self) -> Table:
        return whatif.plan_table(self.plan)

    def compare(self, other: Plan,
                weights: dict[str, float] | None = None) -> whatif.Comparison:
        """This plan (a) against ``other`` (b), scored with category ``weights``."""
        return whatif.compare(self.plan, other.plan, weights)

    def to_frame(self) -> Any:
        return self.table().to_frame()


@dataclass
class Network:
    graph: nx.Graph  # (label, code) nodes, as analysis.network builds it
    report: NetworkReport
    measured: nx.Graph  # Label:CODE ids with the measures (analysis.export)

    def nodes(self) -> Table:
        return export.node_table(self.measured)

    def edges(self) -> Table:
        return export.edge_table(self.measured)

    def write(self, fmt: str, out: str | Path) -> list[Path]:
        return export.write_network(self.measured, fmt, out)

    def to_frame(self) -> Any:
        return self.nodes().to_frame()


@dataclass(frozen=True)
class ScopeView:
    """One scope at one as-of date of an open store."""

    store: Store
    label: str
    code: str
    as_of: str
    personal: bool = False

    def at(self, as_of: str) -> ScopeView:
        return replace(self, as_of=parse_as_of(as_of))

    def indicators(self, overload_threshold: int = 3, walk_m: float = 1000.0) -> Indicators:
        return Indicators(compute_indicators(self.store, self.label, self.code, self.as_of,
                                             Options(overload_threshold, walk_m)))

    def gaps(self, walk_m: float = 1000.0, overload_threshold: int = 3) -> Gaps:
        return Gaps(self.indicators(overload_threshold, walk_m).report, walk_m)

    def match_plan(self, radius: float | None = None, k: int = 20,
                   extra: list[Row] | str | Path | None = None) -> Plan:
        """The plan (nothing written); ``extra`` resource rows or a CSV file of them
        (``analysis.whatif.read_resources``)."""
        rows = whatif.read_resources(extra) if isinstance(extra, str | Path) else extra
        return Plan(whatif.what_if(self.store, self.label, self.code, radius=radius, k=k,
                                   extra=rows, as_of=self.as_of))

    def network(self, overload_threshold: int = 3, seed: int = 7) -> Network:
        graph = build_network(self.store, self.label, self.code, self.as_of)
        return Network(graph, analyse(graph, self.label, self.code, overload_threshold,
                                      seed=seed),
                       export.measured_network(graph, seed=seed))

    def nodes(self, kind: str) -> Table:
        """The ``kind`` nodes of the scope (personal data as the view allows)."""
        return tables.node_table(self.store, kind, self.label, self.code, self.personal)

    def points(self, kind: str) -> dict[str, Any]:
        """The located ``kind`` of the scope as a GeoJSON FeatureCollection."""
        return tables.points(self.store, kind, self.label, self.code, self.as_of, self.personal)


class Analysis:
    """An open store, read-only; ``scope`` picks what to analyse."""

    def __init__(self, store: Store, personal: bool = False) -> None:
        self.store: Store = store if isinstance(store, ReadOnlyStore) else ReadOnlyStore(store)
        self.personal = personal

    @classmethod
    def open(cls, data_dir: str | Path | None = None, uri: str | None = None,
             user: str | None = None, password: str | None = None,
             database: str | None = None, settings: Settings | None = None,
             personal: bool = False) -> Analysis:
        """Open the embedded store in ``data_dir`` (joining a running service's), a
        Neo4j at ``uri``, or what ``settings`` (default: the environment's) name."""
        if settings is None:
            settings = load_settings(data_dir=None if data_dir is None else str(data_dir),
                                     store_user=user, store_password=password,
                                     store_database=database)
            # a directory given means the embedded store, whatever the environment says
            settings = replace(settings, store_uri=uri or ("" if data_dir is not None
                                                           else settings.store_uri))
        return cls(open_store(settings, apply=False), personal)

    def scope(self, text: str | None = None, as_of: str | None = None) -> ScopeView:
        """``Label:CODE``, a code one level holds, or None for the store's one county."""
        day = parse_as_of(as_of)
        label, code = find_scope(self.store, text)
        return ScopeView(self.store, label, code, day, self.personal)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Analysis:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
