"""Early warning (预警) in the API: a person's steps on an alert, running the evaluation,
and publishing what changed.

Alerts are read like every other label (the generated ``alerts`` connection, scoped by
the area each alert is ``RAISED_AT``, filtered by ``status`` and ``rule``); rules are
changed through the generated mutations, which ask for ``Cap.MANAGE_RULES``
(api.policy.LABEL_CAPS).  This module adds:

* ``acknowledgeAlert`` (新 → 已知悉) and ``resolveAlert`` (新/已知悉 → 已处理, with a
  note): compare-and-set on the status, the alert checked against the caller's scope in
  the same statement, audited (api.graphql.auditing), one history line naming the caller;
* ``evaluateAlerts``: analysis.alerts.evaluate on the caller's request, audited;
* :func:`run_evaluation`, the same for the service itself (the schedule in
  api.http.app, the imports of the console and the command line, restores): one audit
  line naming :data:`SYSTEM_CALLER`, written only when the store holds a rule; after an
  import or a restore it runs in the :class:`Background`, not before the answer;
* :func:`events` / :func:`stepped`: one ``alert`` event per change, published on the app's
  bus once the change is settled (api.graphql.auditing's ``published``; the service's own
  runs through :func:`publish`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

import strawberry

from analysis import alerts
from api.audit import AuditLog
from api.auth import Caller
from api.events import Bus, Event
from api.graphql import auditing, queries
from api.graphql.context import Context, now
from api.graphql.docs import documented
from api.graphql.registry import registry
from api.graphql.subscriptions import ALERT_TOPIC
from api.graphql.types import FieldError, build_node
from api.graphql.writes import Outcome, visible
from api.policy import Cap
from graph.dates import parse_as_of
from graph.i18n import _
from graph.model import NODE_BY_LABEL
from graph.scope import in_scope
from graph.store import Store, Transaction

logger = logging.getLogger("jinlin.alerts")
# Who the service's own runs are audited as (api.audit names people by a token's subject).
SYSTEM_CALLER = Caller(role="system", scope="*", subject=alerts.SYSTEM)
TOPIC = ALERT_TOPIC  # what alertRaised listens to
# The event each person's step publishes.
CHANGES = {"acknowledge": "acknowledged", "resolve": "handled"}
assert set(CHANGES) == set(alerts.STEPS)


def alert_event(code: str, change: str, at: str) -> Event:
    return Event(topic=TOPIC, label="Alert", code=code, change=change, at=at)


def events(changes: alerts.Changes, at: str) -> list[Event]:
    """One ``alert`` event per raised and per cleared alert of an evaluation."""
    return [alert_event(code, change, at)
            for change, codes in (("raised", changes.raised), ("cleared", changes.cleared))
            for code in codes]


def publish(bus: Bus | None, changes: alerts.Changes, at: str) -> None:
    """:func:`events` on ``bus`` (nothing without one): the service's own runs."""
    if bus is not None:
        for event in events(changes, at):
            bus.publish(event)


def stepped(name: str, code: str) -> Callable[[Outcome], list[Event]]:
    """The event of a person's step once settled (api.graphql.auditing), none if refused."""
    return lambda outcome: [] if outcome.errors else [alert_event(code, CHANGES[name], now())]


def _counts(changes: alerts.Changes) -> dict[str, Any]:
    return {"counts": {"raised": len(changes.raised), "cleared": len(changes.cleared)}}


def run_evaluation(store: Store, log: AuditLog, bus: Bus | None, trigger: str,
                   as_of: str | None = None) -> alerts.Changes | None:
    """Evaluate as the service (``trigger``: schedule, import, load, restore), with one
    audit line naming :data:`SYSTEM_CALLER` and the counts, then publish; nothing at all
    (no line, None) when the store holds no rule at all.  The rules are read once."""
    rules = alerts.read_rules(store)
    if not any(rules.values()):
        return None
    entry = log.entry(SYSTEM_CALLER, "evaluate_alerts", {"trigger": trigger, "as_of": as_of})
    at = now()
    try:
        changes = alerts.evaluate(auditing.AuditedStore(store, entry, _counts), as_of, at=at,
                                  rules=rules)
    except BaseException:
        entry.settle_quietly("error")
        raise
    entry.settle("ok", _counts(changes))
    publish(bus, changes, at)
    return changes


def run_quietly(store: Store, log: AuditLog, bus: Bus | None,
                trigger: str) -> alerts.Changes | None:
    """:func:`run_evaluation` where a failure must not fail what came before it (an import
    already committed, the schedule): logged, None (as when there is no rule)."""
    try:
        return run_evaluation(store, log, bus, trigger)
    except Exception:
        logger.exception("alert evaluation (%s) failed", trigger)
        return None


class Background:
    """The service's runs after an import or a restore, off the answer: a thread of its
    own runs :func:`run_quietly` once the write is over, and the answer only says that
    an evaluation is under way.  One at a time (analysis.alerts lets one evaluation run
    in a process anyway) and none lost: one asked for while another runs is run after it
    (the running one may have read the store before the write), and all asked for
    meanwhile are that one run, since each run reads everything (its audit line names
    the last trigger asked).  :meth:`wait` returns once nothing is running or asked for:
    the command line waits before it closes the store (and says what the run did,
    :attr:`last`), the app before it stops, and tests before they look."""

    def __init__(self, store: Store, log: AuditLog, bus: Bus | None) -> None:
        self.store, self.log, self.bus = store, log, bus
        self._lock = threading.Lock()
        self._asked: str | None = None  # the trigger of the run asked for, not started
        self._worker: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.last: alerts.Changes | None = None  # what the last run did (None: no rule, failed)

    def ask(self, trigger: str) -> None:
        """Run an evaluation (``trigger`` in its audit line) after the one running, if any."""
        with self._lock:
            self._asked = trigger
            self._idle.clear()
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="jinlin-alerts",
                                                daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                trigger, self._asked = self._asked, None
                if trigger is None:
                    self._worker = None
                    self._idle.set()
                    return
            self.last = run_quietly(self.store, self.log, self.bus, trigger)

    @property
    def busy(self) -> bool:
        """Whether a run is under way or asked for."""
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing runs or is asked for; False when ``timeout`` ran out."""
        return self._idle.wait(timeout)


@strawberry.type(description="一次预警评估的结果（AlertEvaluation）：调用者范围内新发出和"
                             "已消除的预警。")
class AlertEvaluation:
    raised: list[str] = strawberry.field(description="新发出或重新发出的预警编码（raised）")
    cleared: list[str] = strawberry.field(description="条件消失、自动消除的预警编码（cleared）")


async def _in_scope(ctx: Context, codes: list[str]) -> list[str]:
    """``codes`` of alerts the caller may see, in order (the evaluation is county-wide)."""
    if not codes:
        return []
    rows = await ctx.read(queries.by_codes("Alert", ctx.scope_label), codes=codes)
    seen = {r["props"]["code"] for r in rows}
    return [c for c in codes if c in seen]


async def evaluate_alerts(self: Any, info: strawberry.Info,
                          as_of: str | None = None) -> AlertEvaluation:
    """Run every enabled rule of the store now (staff); the answer names the alerts of
    the caller's scope that were raised or cleared."""
    ctx: Context = info.context
    ctx.require(Cap.HANDLE_ALERTS)
    at = now()

    async def work(audited: Context) -> alerts.Changes:
        try:
            day = parse_as_of(as_of)
        except ValueError as exc:
            raise auditing.InvalidInput(str(exc)) from None
        return await asyncio.to_thread(alerts.evaluate, audited.store, day, at,
                                       audited.caller.subject)

    changes = await auditing.audited(ctx, "evaluate_alerts", {"as_of": as_of}, work,
                                     published=lambda found: events(found, at))
    return AlertEvaluation(raised=await _in_scope(ctx, changes.raised),
                           cleared=await _in_scope(ctx, changes.cleared))


async def step(ctx: Context, name: str, code: str, note: str | None = None) -> Outcome:
    """A person's step (analysis.alerts.STEPS) on alert ``code`` of the caller's scope."""
    ctx.require(Cap.HANDLE_ALERTS)
    out = Outcome()
    try:
        note = NODE_BY_LABEL["Alert"].prop("note").parse(note)
    except ValueError as exc:
        out.errors.append(FieldError(field="note", message=str(exc)))
        return out
    at, who = now(), ctx.caller.subject
    guard = in_scope("Alert", "a", ctx.scope_label)

    def perform(tx: Transaction) -> bool:
        return alerts.step(tx, name, code, guard, f"{name}_{ctx.scope_label}", at, who, note,
                           scope=ctx.scope_code)

    if not await asyncio.to_thread(ctx.store.transaction, perform):
        row = await visible(ctx, "Alert", code)
        if row is None:
            out.errors.append(FieldError(field="code", message=_(
                "你的管辖范围内没有预警 {code}", code=code)))
        else:
            before, after = alerts.STEPS[name]
            out.errors.append(FieldError(field="status", message=_(
                "预警 {code} 当前状态为 {status}，不能改为 {after}（须为 {before}）",
                code=code, status=row["props"]["status"], after=after,
                before="/".join(before))))
        return out
    row = await visible(ctx, "Alert", code)
    out.node = build_node(ctx, "Alert", row) if row else None
    return out


async def acknowledge_alert(self: Any, info: strawberry.Info, code: str) -> Any:
    outcome = await auditing.audited(info.context, "acknowledge_alert", {"code": code},
                                     lambda ctx: step(ctx, "acknowledge", code),
                                     published=stepped("acknowledge", code))
    return registry()["AlertPayload"](node=outcome.node, errors=outcome.errors)


async def resolve_alert(self: Any, info: strawberry.Info, code: str,
                        note: str | None = None) -> Any:
    outcome = await auditing.audited(info.context, "resolve_alert", {"code": code, "note": note},
                                     lambda ctx: step(ctx, "resolve", code, note),
                                     published=stepped("resolve", code))
    return registry()["AlertPayload"](node=outcome.node, errors=outcome.errors)


def mutation_fields() -> dict[str, Any]:
    payload = registry()["AlertPayload"]
    for fn in (acknowledge_alert, resolve_alert):
        fn.__annotations__["return"] = payload
    return {
        "acknowledge_alert": strawberry.field(
            resolver=documented(acknowledge_alert, code="预警的编码（code）"),
            description="知悉预警（acknowledgeAlert）：新 → 已知悉"),
        "resolve_alert": strawberry.field(
            resolver=documented(resolve_alert, code="预警的编码（code）",
                                note="处理说明（note）"),
            description="处理预警（resolveAlert）：新/已知悉 → 已处理，可附处理说明"),
        "evaluate_alerts": strawberry.field(
            resolver=documented(evaluate_alerts,
                                as_of="评估所依据的日期（asOf，YYYY-MM-DD）；缺省为今天"),
            description="立即按全部启用的预警规则评估（evaluateAlerts）：发出新预警、"
                        "消除条件已消失的预警；返回调用者范围内的变化"),
    }
