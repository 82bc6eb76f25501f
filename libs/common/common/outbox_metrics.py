"""The outbox's backlog on /metrics: how far behind the relay is.

Read when Prometheus scrapes, from the service's own outbox table (its partial
index on unsent rows keeps this cheap): how many events are not on the broker
yet, and how old the oldest of them is. A backlog that keeps growing, or an
age past a few seconds, means the relay is down or the broker refuses it.
The same numbers for every service, so one alert rule covers them all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from common.events.tables import outbox

log = logging.getLogger("common.outbox_metrics")


class OutboxBacklog(Collector):
    def __init__(self, engine: Engine, now: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.now = now

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Names only: registering must not query the database.
        yield from self._families(None, None)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            unsent, oldest = self._read()
        except SQLAlchemyError as exc:
            # /readyz reports a database that does not answer; a scrape still succeeds.
            log.warning("outbox backlog not read: %s", exc)
            return
        age = 0.0 if oldest is None else max(0.0, self.now() - _aware(oldest).timestamp())
        yield from self._families(unsent, age)

    def _read(self) -> tuple[int, datetime | None]:
        query = select(func.count(), func.min(outbox.c.created_at)).where(
            outbox.c.sent_at.is_(None)
        )
        with self.engine.connect() as connection:
            unsent, oldest = connection.execute(query).one()
        return int(unsent), oldest

    @staticmethod
    def _families(unsent: int | None, age: float | None) -> Iterator[GaugeMetricFamily]:
        unsent_family = GaugeMetricFamily(
            "outbox_unsent_events", "Events in the outbox not yet confirmed by the broker"
        )
        age_family = GaugeMetricFamily(
            "outbox_oldest_unsent_age_seconds",
            "Age of the oldest event not yet on the broker (0 when none waits)",
        )
        if unsent is not None and age is not None:
            unsent_family.add_metric([], unsent)
            age_family.add_metric([], age)
        yield unsent_family
        yield age_family


def _aware(moment: datetime) -> datetime:
    # SQLite (the one-process mode) hands back naive datetimes, stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def watch_outbox(registry: CollectorRegistry, engine: Engine) -> None:
    registry.register(OutboxBacklog(engine))
