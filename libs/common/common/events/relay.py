"""The outbox relay: publish committed events, then mark them sent.

Rows are picked by `sent_at IS NULL`, never by "ids above the last one sent":
ids are handed out when a transaction inserts, not when it commits, so a
high-water mark would skip a row whose transaction committed late.

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several relays (one per worker
process) share one outbox without ever claiming the same row twice. A relay
that dies after publishing but before its commit leaves the rows unsent; they
are published again and the consumers' inbox absorbs the copies.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.engine import Engine

from common.events.backoff import Backoff
from common.events.envelope import Envelope, MalformedEvent
from common.events.tables import outbox
from common.events.transport import Publisher, PublishFailed

log = logging.getLogger("common.events.relay")


def relay_once(engine: Engine, publisher: Publisher, batch_size: int) -> int:
    """Publish up to `batch_size` unsent events as one confirmed batch; returns how many.

    Raises PublishFailed after recording the failure on the rows, which stay unsent.
    """
    with engine.connect() as conn:
        rows = conn.execute(_claim(engine, batch_size)).all()
        if not rows:
            conn.rollback()
            return 0
        envelopes, broken = _parse(rows)
        try:
            publisher.publish_batch(envelopes)
        except PublishFailed as exc:
            _record_failure(conn, [row.id for row in rows], str(exc))
            conn.commit()
            raise
        now = datetime.now(UTC)
        _mark_sent(conn, [row.id for row in rows if row.id not in broken], now)
        _mark_broken(conn, broken, now)
        conn.commit()
    return len(envelopes)


def run_relay(
    engine: Engine,
    publisher: Publisher,
    stop_event: threading.Event,
    batch_size: int = 500,
    idle_seconds: float = 0.2,
) -> None:
    """Relay until `stop_event` is set: at once while there is a backlog, else poll."""
    backoff = Backoff(first=idle_seconds, ceiling=30.0)
    while not stop_event.is_set():
        try:
            sent = relay_once(engine, publisher, batch_size)
        except Exception as exc:
            # PublishFailed, a lost database or a bug: back off rather than spin.
            delay = backoff.next()
            log.warning("relay failed (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
            stop_event.wait(delay)
            continue
        backoff.reset()
        if sent < batch_size:
            stop_event.wait(idle_seconds)


def _claim(engine: Engine, batch_size: int) -> Any:
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
        conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(sent_at=now))


def _mark_broken(conn: Connection, broken: dict[int, str], now: datetime) -> None:
    for row_id, reason in broken.items():
        conn.execute(
            update(outbox).where(outbox.c.id == row_id).values(sent_at=now, last_error=reason)
        )


def _record_failure(conn: Connection, ids: list[int], error: str) -> None:
    conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(ids))
        .values(publish_attempts=outbox.c.publish_attempts + 1, last_error=error[:1000])
    )
