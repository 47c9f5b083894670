"""One follower of the log per process, fanning new events out to every live-stream client.

Each client used to poll the store every second on its own: 500 idle clients cost 40% of a core.
Now one task reads each new page of the log once (woken by this process's appends, polling every
second for other processes') and offers it to every subscriber's queue; an idle client costs
nothing but its heartbeat. A client that resumes from an older position reads up to the
follower's position from the store first, then takes the shared pages. A client too slow to
keep up goes back to reading the store, so the follower never waits for anyone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from api.problems import ProblemError
from application.service import TimelineService

POLL_SECONDS = 1.0
PAGE = 200
#: Pages a subscriber may have waiting before it is sent back to read the store.
QUEUE_PAGES = 64

#: Events of the log, each with its Talks id (for the streams' filters).
Page = list[tuple[str | None, dict[str, Any]]]


@dataclass(eq=False)
class Subscriber:
    """One client: its queue of shared pages, and where the shared pages began for it."""

    principal: str | None
    address: str
    #: The follower's position when the queue began: earlier events are read from the store.
    joined_at: int = 0
    queue: asyncio.Queue[Page] = field(default_factory=lambda: asyncio.Queue(QUEUE_PAGES))


class Fanout:
    """The process's one follower of the log for Server-Sent Events."""

    def __init__(self, service: TimelineService, signal: Any, per_key: int, per_address: int):
        self.service, self.signal = service, signal
        self.per_key, self.per_address = per_key, per_address
        self.position = 0
        self.subscribers: set[Subscriber] = set()
        self._keys: Counter[str | None] = Counter()
        self._addresses: Counter[str | None] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Lock()

    async def subscribe(self, principal: str | None, address: str) -> Subscriber:
        """Join the fan-out, or 503 beyond the per-key or per-address cap."""
        for counts, name, limit, cap in (
            (self._keys, principal, self.per_key, "key"),
            (self._addresses, address, self.per_address, "address"),
        ):
            if name is not None and counts[name] >= limit:
                raise ProblemError(
                    503, "busy", "Too many live streams",
                    f"{limit} live streams are open for this {cap} already",
                    headers={"Retry-After": "5"},
                )  # fmt: skip
        await self._start()
        subscriber = Subscriber(principal, address, joined_at=self.position)
        self.subscribers.add(subscriber)
        if principal is not None:
            self._keys[principal] += 1
        self._addresses[address] += 1
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Leave the fan-out."""
        if subscriber in self.subscribers:
            self.subscribers.discard(subscriber)
            if subscriber.principal is not None:
                self._keys[subscriber.principal] -= 1
            self._addresses[subscriber.address] -= 1

    async def _start(self) -> None:
        async with self._started:
            if self._task is None:
                self.position = await run_in_threadpool(self.service.head)
                self._task = asyncio.create_task(self._follow(), name="sse-fanout")

    async def close(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        while True:
            woken = self.signal.register()
            try:
                try:
                    page = await run_in_threadpool(with_talks, self.service, self.position)
                except Exception:  # a storage error: try again at the next poll
                    page = []
                if page:
                    self.position = page[-1][1]["position"]
                    self._offer(page)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), POLL_SECONDS)
            finally:
                self.signal.unregister(woken)

    def _offer(self, page: Page) -> None:
        for subscriber in self.subscribers:
            try:
                subscriber.queue.put_nowait(page)
            except asyncio.QueueFull:  # too slow: it reads the store again up to here
                while not subscriber.queue.empty():
                    subscriber.queue.get_nowait()
                subscriber.joined_at = self.position


def with_talks(service: TimelineService, after: int, limit: int = PAGE) -> Page:
    """The next page of the log after ``after``, each event with its Talks id (for filters)."""
    events = service.log(after, limit)
    if not events:
        return []
    talks = service.index.talks_between(events[0]["position"], events[-1]["position"])
    return [(talks.get(event["position"]), event) for event in events]
