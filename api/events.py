"""Change events inside one server process: what GraphQL subscriptions listen to.

A mutation (a demand step, an alert raised by the evaluator) publishes an :class:`Event`
naming the node that changed; every subscriber whose topics include it gets the event on
its own bounded queue.  An event carries no data a subscriber may not see: it names a node
(label and code), and the subscription reads that node again *as its caller*, through the
caller's scope, before it sends anything (api.graphql.subscriptions).  So scope is decided
by the same queries as every other read, never by the publisher.

Why in-process: one server process serves a county (sessions are in memory too); a cluster
of servers would put a broker here.  Publishing never blocks and never fails the mutation:
a subscriber too slow to keep up loses its oldest events and is told it lagged.

``publish`` may be called from any thread (writes run in worker threads): the event is
handed to each subscriber's event loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

QUEUE_SIZE = 100  # events a subscriber may have waiting before the oldest are dropped


@dataclass(frozen=True)
class Event:
    """``topic``: what kind of thing changed ("demand", "alert"); ``label``/``code``: the
    node to read again; ``change``: what happened to it (a life-cycle step, "raised",
    "cleared", ...); ``at``: when (ISO datetime)."""

    topic: str
    label: str
    code: str
    change: str
    at: str


@dataclass(eq=False)
class Subscriber:
    """One subscription's queue, on the event loop that reads it."""

    topics: frozenset[str]
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: int = 0  # events lost because the queue was full

    def _offer(self, event: Event) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(event)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


class Bus:
    """The subscribers of one app (api.http.app makes one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()

    def subscribe(self, topics: frozenset[str]) -> Subscriber:
        """A new subscriber on the running loop; ``unsubscribe`` it when done."""
        sub = Subscriber(topics, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    def count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, event: Event) -> None:
        """Hand ``event`` to every subscriber of its topic; never blocks, never raises."""
        with self._lock:
            targets = [s for s in self._subscribers if event.topic in s.topics]
        for sub in targets:
            try:
                sub.loop.call_soon_threadsafe(sub._offer, event)
            except RuntimeError:  # its loop is closed: the subscription is over
                self.unsubscribe(sub)
