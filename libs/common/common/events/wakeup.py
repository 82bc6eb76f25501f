"""Wake the outbox relay as soon as a transaction that wrote to the outbox commits.

A statement trigger on the outbox does `NOTIFY outbox` after every insert
(see common.events.tables); PostgreSQL delivers it when the transaction
commits, once however many rows it wrote, and drops it on rollback. The relay LISTENs on a connection of its own
and drains the outbox the moment one arrives, instead of finding the rows at
its next poll. Notifications are scoped to a database and every service has
its own database, so the one channel name is a channel per service.

The poll stays as the fallback: a notification can be missed (the listening
connection broke, a row was written by hand), so the relay still looks every
`idle_seconds`. A broken listening connection is dropped and re-opened no
more often than every `retry_seconds`; until then the relay only polls.
SQLite has no NOTIFY: there the relay just polls.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Protocol

import psycopg
from psycopg import sql
from sqlalchemy.engine import Engine

from common.events.tables import OUTBOX_CHANNEL, OUTBOX_TRIGGER

log = logging.getLogger("common.events.wakeup")

CHANNEL = OUTBOX_CHANNEL
# How long one wait on the socket lasts at most, so a stop is noticed soon
# even when the relay idles for long.
_SLICE_SECONDS = 0.5


class Wakeup(Protocol):
    def wait(self, timeout: float, stop_event: threading.Event) -> None:
        """Return after `timeout`, at a stop, or earlier when there is something to relay."""

    def close(self) -> None: ...


class Sleep:
    """No notifications (SQLite): the relay polls."""

    def wait(self, timeout: float, stop_event: threading.Event) -> None:
        stop_event.wait(timeout)

    def close(self) -> None:
        pass


class OutboxListener:
    """LISTEN on a dedicated connection; falls back to sleeping while it is broken."""

    def __init__(self, conninfo: str, channel: str = CHANNEL, retry_seconds: float = 5.0) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._retry_seconds = retry_seconds
        self._conn: psycopg.Connection | None = None
        self._retry_at = 0.0
        self._warned = False
        self.connect()

    @property
    def listening(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def backend_pid(self) -> int | None:
        """The listening connection's server process (tests break it through this)."""
        return self._conn.info.backend_pid if self._conn is not None else None

    def connect(self) -> bool:
        """Open the connection and LISTEN; False (and a retry later) if that fails."""
        try:
            conn = psycopg.connect(
                self._conninfo,
                autocommit=True,
                connect_timeout=5,
                keepalives=1,
                keepalives_idle=30,
                keepalives_interval=10,
                keepalives_count=3,
            )
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            trigger = conn.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = %s", (OUTBOX_TRIGGER,)
            ).fetchone()
        except psycopg.Error as exc:
            self._retry_at = time.monotonic() + self._retry_seconds
            log.warning("relay cannot listen for outbox commits (%s); polling", exc)
            return False
        if trigger is None and not self._warned:
            self._warned = True
            log.warning(
                "the outbox has no %s trigger (made before it existed?): the relay only "
                "polls; common.events.tables.install_outbox_trigger adds it",
                OUTBOX_TRIGGER,
            )
        self._conn = conn
        return True

    def wait(self, timeout: float, stop_event: threading.Event) -> None:
        deadline = time.monotonic() + timeout
        while not stop_event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if self._conn is None:
                if time.monotonic() >= self._retry_at and self.connect():
                    return  # notifications may have been missed: look now
                stop_event.wait(min(remaining, max(self._retry_at - time.monotonic(), 0.01)))
                continue
            if self._notified(min(remaining, _SLICE_SECONDS)):
                return

    def _notified(self, timeout: float) -> bool:
        assert self._conn is not None
        try:
            if not any(True for _ in self._conn.notifies(timeout=timeout, stop_after=1)):
                return False
            # One drain answers every commit so far: read the others that queued up.
            for _ in self._conn.notifies(timeout=0):
                pass
            return True
        except psycopg.Error as exc:
            log.warning("relay's listening connection broke (%s); polling until it is back", exc)
            self._drop()
            self._retry_at = time.monotonic() + self._retry_seconds
            return True  # what was notified before the break may be unread: look now

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None

    def close(self) -> None:
        self._drop()


def outbox_wakeup(engine: Engine, retry_seconds: float = 5.0) -> Wakeup:
    """A listener on the engine's PostgreSQL database, or a plain sleep elsewhere."""
    if engine.dialect.name != "postgresql":
        return Sleep()
    return OutboxListener(conninfo(engine), retry_seconds=retry_seconds)


def conninfo(engine: Engine) -> str:
    """The engine's URL as libpq reads it (without SQLAlchemy's driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
