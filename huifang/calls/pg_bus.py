"""The event bus across nodes: PostgreSQL LISTEN/NOTIFY beside each node's in-process bus.

A node publishes to its own screens at once and NOTIFYs the event (masked, see bus_wire) on
one channel; every node LISTENs on it and hands the events of other nodes to its own screens.
So an agent screen served by node A sees a call handled on node B live, and B's call never
waits on the database: the NOTIFY goes out from a sender thread through a bounded queue.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import psycopg
from sqlalchemy.engine import make_url

from huifang.calls.bus import InProcessEventBus
from huifang.calls.bus_wire import WireError, decode, encode
from huifang.calls.events import CallEvent

log = logging.getLogger(__name__)
CHANNEL = "huifang_events"
NOTIFY_LIMIT = 7900  # PostgreSQL refuses payloads of 8000 bytes or more


def conninfo(url: str) -> str:
    """A libpq connection string from the SQLAlchemy URL the database settings hold."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError("the cross-node event bus needs a PostgreSQL database URL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresEventBus:
    """Live events by call id across every node LISTENing on one PostgreSQL."""

    def __init__(self, url: str, node: str, *, channel: str = CHANNEL,
                 outbox_size: int = 1024, local: InProcessEventBus | None = None) -> None:
        self.node = node
        self.local = local or InProcessEventBus()
        self._conninfo = conninfo(url)
        self._channel = channel
        self._outbox: queue.Queue[tuple[int, CallEvent] | None] = queue.Queue(outbox_size)
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._threads: list[threading.Thread] = []
        self.sent = 0
        self.received = 0
        self.dropped = 0  # not sent: outbox full, payload too big, or the database gone

    def start(self) -> None:
        """Connect and LISTEN (before returning), and start sending."""
        listener = threading.Thread(target=self._listen, name="bus-listen", daemon=True)
        sender = threading.Thread(target=self._send, name="bus-send", daemon=True)
        self._threads = [listener, sender]
        listener.start()
        sender.start()
        if not self._listening.wait(timeout=10):
            self.close()
            raise ConnectionError("the event bus could not LISTEN on the database")

    def close(self) -> None:
        """Stop both threads (events not yet sent are dropped)."""
        self._stopping.set()
        with suppress(queue.Full):
            self._outbox.put_nowait(None)
        for thread in self._threads:
            thread.join(timeout=5)

    def publish(self, call_id: int, event: CallEvent) -> None:
        """To this node's screens now; to the other nodes' through the database."""
        self.local.publish(call_id, event)
        try:
            self._outbox.put_nowait((call_id, event))
        except queue.Full:
            self.dropped += 1

    @asynccontextmanager
    async def subscribe(self, call_id: int) -> AsyncIterator[asyncio.Queue[CallEvent]]:
        """A queue of the call's events, whichever node handles the call."""
        async with self.local.subscribe(call_id) as events:
            yield events

    def _send(self) -> None:
        connection: psycopg.Connection[tuple[object, ...]] | None = None
        while True:
            item = self._outbox.get()
            if item is None or self._stopping.is_set():
                break
            call_id, event = item
            payload = encode(self.node, call_id, event)
            if len(payload.encode()) > NOTIFY_LIMIT:
                self.dropped += 1
                continue
            try:
                if connection is None or connection.closed:
                    connection = psycopg.connect(self._conninfo, autocommit=True)
                connection.execute("SELECT pg_notify(%s, %s)", (self._channel, payload))
                self.sent += 1
            except psycopg.Error as err:
                self.dropped += 1
                log.warning("event not sent to other nodes: %s", err)
                connection = None
        if connection is not None:
            connection.close()

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f'LISTEN "{self._channel}"')
                    self._listening.set()
                    while not self._stopping.is_set():
                        for note in connection.notifies(timeout=0.5):
                            self._receive(note.payload)
            except psycopg.Error as err:
                log.warning("event bus lost the database, reconnecting: %s", err)
                self._stopping.wait(1.0)

    def _receive(self, payload: str) -> None:
        try:
            node, call_id, event = decode(payload)
        except WireError as err:
            log.warning("ignored a bus message: %s", err)
            return
        if node != self.node:  # our own events reached our screens when published
            self.received += 1
            self.local.publish(call_id, event)
