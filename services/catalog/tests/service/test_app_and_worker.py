"""The processes around the code: readiness checks and the worker's wiring."""

from __future__ import annotations

import uuid

from catalog.app import create_app
from catalog.seed import seed
from catalog.services import get_item
from catalog.worker import build_worker
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.testing import RABBITMQ_URL, eventually, free_port, require_rabbitmq


def readiness(settings) -> tuple[int, dict]:
    app = create_app(settings)
    try:
        answer = app.test_client().get("/readyz")
        return answer.status_code, answer.json
    finally:
        app.extensions["catalog.engine"].dispose()


def test_the_app_is_ready_when_its_database_and_rabbitmq_answer(db, database_url, settings_for):
    status, body = readiness(settings_for(database_url, bus_url=require_rabbitmq()))
    assert status == 200
    assert body["checks"] == ["bus", "database"]


def test_the_app_is_not_ready_without_its_broker_and_says_so(db, database_url, settings_for):
    unreachable = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    status, body = readiness(settings_for(database_url, bus_url=unreachable))
    assert status == 503
    assert list(body["errors"]) == ["bus"]


def test_the_app_is_not_ready_without_its_database_and_says_so(settings_for):
    status, body = readiness(settings_for(f"postgresql://postgres@127.0.0.1:{free_port()}/none"))
    assert status == 503
    assert list(body["errors"]) == ["database"]


def test_the_worker_relays_catalog_events_and_counts_completed_orders(
    database_url, db, clock, uow_factory, settings_for, memory_bus
):
    bus = memory_bus
    bus.declare("observer", ["catalog.*"], (10,))
    worker = build_worker(settings_for(database_url), transport=bus, clock=clock)
    handle = worker.start_in_background()
    try:
        seed(uow_factory())  # publishes three items through the outbox
        eventually(lambda: bus.ready("observer") == 3)

        order_id = str(uuid.uuid4())
        completed = Envelope(
            type="orders.completed",
            producer="orders",
            data={"order_id": order_id, "item_code": "driving-licence-replacement"},
        )
        bus.publish_batch([completed])
        eventually(
            lambda: (
                get_item(uow_factory(), "driving-licence-replacement", staff=False)["deal_count"]
                == 1
            )
        )
    finally:
        handle.stop()
    seen: list[str] = []
    observer = Dispatcher(
        "observer", {"catalog.item_published": lambda e, _uow: seen.append(e.type)}, uow_factory
    )
    bus.process("observer", observer)
    assert seen == ["catalog.item_published"] * 3


def test_the_worker_and_app_default_to_rabbitmq_from_the_environment(
    database_url, monkeypatch
) -> None:
    monkeypatch.setenv("CATALOG_DATABASE_URL", database_url)
    monkeypatch.setenv("BUS_URL", RABBITMQ_URL)
    monkeypatch.setenv("INTERNAL_TOKEN_SECRET", "x")
    worker = build_worker()
    try:
        assert type(worker.transport).__name__ == "RabbitTransport"
        assert worker.bindings == ["ratings.summary_changed", "orders.completed"]
    finally:
        worker.transport.close()
        worker.engine.dispose()


def test_the_worker_on_rabbitmq_announces_items_and_counts_deals(
    database_url, db, clock, uow_factory, settings_for
):
    from common.events.rabbit import RabbitTransport
    from common.events.topology import main_queue
    from common.testing import unique_name

    prefix = unique_name("catalog_it")
    settings = settings_for(database_url, bus_url=require_rabbitmq())
    transport = RabbitTransport(RABBITMQ_URL, prefix)
    transport.declare("observer", ["catalog.*"], (50,))
    worker = build_worker(settings, transport=transport, clock=clock)
    handle = worker.start_in_background()
    try:
        seed(uow_factory())
        completed = Envelope(
            type="orders.completed",
            producer="orders",
            data={"order_id": str(uuid.uuid4()), "item_code": "licence-plate-replacement"},
        )
        publisher = transport.publisher()
        try:
            publisher.publish_batch([completed])
        finally:
            publisher.close()
        eventually(
            lambda: (
                get_item(uow_factory(), "licence-plate-replacement", staff=False)["deal_count"] == 1
            )
        )
        with transport.channel() as channel:
            eventually(
                lambda: (
                    channel.queue_declare(
                        main_queue(prefix, "observer"), passive=True
                    ).method.message_count
                    == 3
                )
            )
    finally:
        handle.stop()
        for service, delays in (("catalog", settings.common.retry_delays_ms), ("observer", (50,))):
            transport.delete(service, delays)
        transport.delete_exchange()
        transport.close()
