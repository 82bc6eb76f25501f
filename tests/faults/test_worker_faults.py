"""Faults across real processes: broker connections cut, a worker killed or stopped."""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Callable

from common.testing import eventually

ITEM = "driving-licence-replacement"


def _deal_counter(catalog_item) -> Callable[[], int]:
    return lambda: int(catalog_item(ITEM)["deal_count"])


def _complete_orders(broker, count: int) -> None:
    for _ in range(count):
        broker.publish("orders.completed", {"order_id": uuid.uuid4().hex, "item_code": ITEM})


def _close_all_broker_connections() -> None:
    subprocess.run(
        ["rabbitmqctl", "-q", "close_all_connections", "fault test"], check=True, timeout=60
    )


def test_cutting_every_broker_connection_loses_no_event_and_doubles_none(
    stack, broker, catalog_item
):
    deal_count = _deal_counter(catalog_item)
    before = deal_count()
    _complete_orders(broker, 150)
    _close_all_broker_connections()  # the test's own connection goes too
    broker.reconnect()
    _complete_orders(broker, 150)
    eventually(lambda: deal_count() == before + 300, timeout=60)


def test_a_killed_worker_redelivers_on_restart_without_doubling_effects(
    stack, broker, catalog_item
):
    deal_count = _deal_counter(catalog_item)
    before = deal_count()
    _complete_orders(broker, 200)
    stack.stop_process("catalog-worker", signal.SIGKILL)
    _complete_orders(broker, 100)
    stack.restart_process("catalog-worker")
    eventually(lambda: deal_count() == before + 300, timeout=60)


def test_a_worker_asked_to_stop_finishes_its_work_and_exits_cleanly(stack, broker, catalog_item):
    deal_count = _deal_counter(catalog_item)
    before = deal_count()
    _complete_orders(broker, 50)
    assert stack.stop_process("catalog-worker", signal.SIGTERM) == 0
    stack.restart_process("catalog-worker")
    eventually(lambda: deal_count() == before + 50, timeout=60)
