"""Forget what the outbox no longer needs, so that it does not grow without end.

A row is needed until the relay has published it; after that it is kept for
a while (OUTBOX_RETENTION_HOURS, a week by default) for whoever investigates
an incident, then deleted. A row the relay refused to publish because it was
malformed ("not published, …") is a bug's evidence and is kept until someone
looks at it. Deleted in bounded batches so that a large backlog never holds
long locks while the relay works on the same table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import Engine

from common.events.tables import outbox

log = logging.getLogger("common.events.retention")

NOT_PUBLISHED = "not published%"


def purge_sent_outbox(engine: Engine, sent_before: datetime, batch_size: int = 5000) -> int:
    """Delete published rows sent before `sent_before`; returns how many."""
    purged = 0
    while True:
        chosen = (
            select(outbox.c.id)
            .where(outbox.c.sent_at < sent_before)
            .where(or_(outbox.c.last_error.is_(None), ~outbox.c.last_error.like(NOT_PUBLISHED)))
            .limit(batch_size)
        )
        with engine.begin() as conn:
            deleted = conn.execute(delete(outbox).where(outbox.c.id.in_(chosen))).rowcount
        purged += deleted
        if deleted < batch_size:
            break
    if purged:
        log.info("purged %d outbox rows sent before %s", purged, sent_before.isoformat())
    return purged


def outbox_purge_timer(
    engine: Engine, retention_hours: float, interval_seconds: float
) -> tuple[str, Callable[[datetime], int], float]:
    """The worker timer (name, sweep(now), interval) every service's worker runs."""

    def sweep(now: datetime) -> int:
        return purge_sent_outbox(engine, now - timedelta(hours=retention_hours))

    return ("outbox-purge", sweep, interval_seconds)
