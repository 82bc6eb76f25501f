"""Orders past their promised date, on /metrics.

Each item promises a processing time in working days (`sla_working_days`,
locked into the order at submission); domain.expected_completion turns it
into the day the applicant is shown. `orders_past_expected_completion{item}`
counts the orders still on their way whose day has passed (office time), so
an alert can fire before applicants start to complain. Read when Prometheus
scrapes: only orders on their way are read, and those are few next to all.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from common.clock import Clock
from common.working_days import OFFICE_TIME
from orders.domain.sla import ON_ITS_WAY, expected_completion
from orders.models import Order

log = logging.getLogger("orders.sla_metrics")
NAME = "orders_past_expected_completion"


class OrdersPastTheirDate(Collector):
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield self._family()  # names only: registering must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            late = self._late_by_item()
        except SQLAlchemyError as exc:
            log.warning("orders past their date not counted: %s", exc)  # /readyz says more
            return
        family = self._family()
        for item, count in sorted(late.items()):
            family.add_metric([item], count)
        yield family

    def _late_by_item(self) -> Counter[str]:
        today = self.clock.now().astimezone(OFFICE_TIME).date()
        query = select(
            Order.item_code, Order.status, Order.submitted_at, Order.sla_working_days
        ).where(Order.status.in_(ON_ITS_WAY))
        late: Counter[str] = Counter()
        with self.engine.connect() as connection:
            for item, status, submitted_at, days in connection.execute(query):
                due = expected_completion(status, submitted_at, days)
                if due is not None and due < today:
                    late[item] += 1
        return late

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            NAME, "Orders on their way past their expected completion day", labels=["item"]
        )
