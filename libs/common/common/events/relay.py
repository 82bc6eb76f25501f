"""The outbox relay: publish committed events, then mark them sent.

Rows are picked by `sent_at IS NULL`, never by "ids above the last one sent":
ids are handed out when a transaction inserts, not when it commits, so a
high-water mark would skip a row whose transaction committed late.

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several relays (one per worker
process) share one outbox without ever claiming the same row twice; the same
locks let one relay keep two batches in flight (`relay_backlog`), claiming and
sending the next while the broker confirms the last. A relay
that dies after publishing but before its commit leaves the rows unsent; they
are published again and the consumers' inbox absorbs the copies.

An idle relay sleeps until a commit wakes it (PostgreSQL's LISTEN/NOTIFY, see
`common.events.wakeup`) or `idle_seconds` pass, whichever comes first.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Connection, any_, cast, literal, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from common.events.backoff import Backoff
from common.events.envelope import Envelope, MalformedEvent
from common.events.tables import outbox
from common.events.transport import (
    AsyncPublisher,
    PendingPublish,
    Published,
    Publisher,
    PublishFailed,
)
from common.events.wakeup import Wakeup, outbox_wakeup

log = logging.getLogger("common.events.relay")


def relay_once(engine: Engine, publisher: Publisher, batch_size: int) -> int:
    """Publish up to `batch_size` unsent events as one confirmed batch; returns how many.

    Raises PublishFailed after recording the failure on the rows, which stay unsent.
    """
    claim = _Claim.take(engine, publisher, batch_size)
    return claim.finish() if claim is not None else 0


def relay_backlog(
    engine: Engine,
    publisher: Publisher,
    batch_size: int,
    depth: int = 2,
    stop_event: threading.Event | None = None,
) -> int:
    """Relay until the outbox is drained (or `stop_event` is set), with up to `depth`
    batches awaiting their confirms.

    While the broker confirms one batch the next is already claimed and sent,
    so database time and broker round trips overlap. Batches still go out in
    id order. Needs row locks to keep the batches apart: use depth 1 on SQLite.
    """
    in_flight: deque[_Claim] = deque()
    total = 0
    drained = False
    try:
        while True:
            if stop_event is not None and stop_event.is_set():
                drained = True  # claim no more; finish what is in flight
            while not drained and len(in_flight) < depth:
                claim = _Claim.take(engine, publisher, batch_size)
                drained = claim is None or claim.size < batch_size
                if claim is not None:
                    in_flight.append(claim)
            if not in_flight:
                return total
            total += in_flight.popleft().finish()
    except PublishFailed:
        # The batches behind the failed one record their own outcome.
        while in_flight:
            with suppress(PublishFailed, SQLAlchemyError):
                in_flight.popleft().finish()
        raise
    finally:
        for claim in in_flight:
            claim.abandon()


def run_relay(
    engine: Engine,
    publisher: Publisher,
    stop_event: threading.Event,
    batch_size: int = 500,
    idle_seconds: float = 0.2,
    wakeup: Wakeup | None = None,
) -> None:
    """Relay until `stop_event` is set: drain the backlog, then wait for the next
    commit to the outbox, or `idle_seconds` at most (the fallback poll).

    The wake-up listens before the first drain, so a commit made while the
    relay drains wakes it again instead of waiting for the poll."""
    depth = 2 if engine.dialect.name == "postgresql" else 1
    backoff = Backoff(first=idle_seconds, ceiling=30.0)
    wakeup = wakeup or outbox_wakeup(engine)
    try:
        while not stop_event.is_set():
            try:
                relay_backlog(engine, publisher, batch_size, depth, stop_event)
            except Exception as exc:
                # PublishFailed, a lost database or a bug: back off rather than spin.
                delay = backoff.next()
                log.warning(
                    "relay failed (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay
                )
                stop_event.wait(delay)
                continue
            backoff.reset()
            wakeup.wait(idle_seconds, stop_event)
    finally:
        wakeup.close()


class _Claim:
    """Claimed rows, in an open transaction, whose publish awaits its confirms."""

    def __init__(self, conn: Connection, rows: Sequence[Any], publisher: Publisher) -> None:
        self.size = len(rows)
        self._conn = conn
        self._ids = [row.id for row in rows]
        self._envelopes, self._broken = _parse(rows)
        self._pending = _publish_async(publisher, self._envelopes)

    @classmethod
    def take(cls, engine: Engine, publisher: Publisher, batch_size: int) -> _Claim | None:
        conn = engine.connect()
        try:
            rows = conn.execute(_select_unsent(engine, batch_size)).all()
            if rows:
                return cls(conn, rows, publisher)
        except BaseException:
            conn.close()  # rolls back: the rows stay unsent
            raise
        conn.close()
        return None

    def finish(self) -> int:
        try:
            try:
                self._pending.wait()
            except PublishFailed as exc:
                _record_failure(self._conn, self._ids, str(exc))
                self._conn.commit()
                raise
            now = datetime.now(UTC)
            _mark_sent(self._conn, [i for i in self._ids if i not in self._broken], now)
            _mark_broken(self._conn, self._broken, now)
            self._conn.commit()
            return len(self._envelopes)
        finally:
            self._conn.close()

    def abandon(self) -> None:
        self._conn.close()


def _publish_async(publisher: Publisher, envelopes: list[Envelope]) -> PendingPublish:
    try:
        if isinstance(publisher, AsyncPublisher):
            return publisher.publish_batch_async(envelopes)
        publisher.publish_batch(envelopes)
    except PublishFailed as exc:
        return Published(exc)
    return Published()


def _select_unsent(engine: Engine, batch_size: int) -> Any:
    query = (
        select(outbox.c.id, outbox.c.body, outbox.c.event_id, outbox.c.event_type)
        .where(outbox.c.sent_at.is_(None))
        .order_by(outbox.c.id)
        .limit(batch_size)
    )
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def _parse(rows: Sequence[Any]) -> tuple[list[Envelope], dict[int, str]]:
    envelopes: list[Envelope] = []
    broken: dict[int, str] = {}
    for row in rows:
        try:
            envelopes.append(Envelope.from_json(row.body))
        except MalformedEvent as exc:
            # Only a bug writes such a row; publishing it would just dead-letter
            # it everywhere, and leaving it unsent would retry it forever.
            broken[row.id] = f"not published, malformed: {exc}"
            log.error("outbox row %s (event %s) is malformed: %s", row.id, row.event_id, exc)
    return envelopes, broken


def _mark_sent(conn: Connection, ids: list[int], now: datetime) -> None:
    if ids:
        conn.execute(update(outbox).where(_id_among(conn, ids)).values(sent_at=now))


def _id_among(conn: Connection, ids: list[int]) -> Any:
    # One array parameter instead of hundreds of IN parameters: a third of the
    # relay's database time on PostgreSQL.
    if conn.dialect.name == "postgresql":
        return outbox.c.id == any_(cast(literal(ids), ARRAY(BigInteger)))
    return outbox.c.id.in_(ids)


def _mark_broken(conn: Connection, broken: dict[int, str], now: datetime) -> None:
    for row_id, reason in broken.items():
        conn.execute(
            update(outbox).where(outbox.c.id == row_id).values(sent_at=now, last_error=reason)
        )


def _record_failure(conn: Connection, ids: list[int], error: str) -> None:
    conn.execute(
        update(outbox)
        .where(_id_among(conn, ids))
        .values(publish_attempts=outbox.c.publish_attempts + 1, last_error=error[:1000])
    )
