"""The consumer's event hop histogram, and the worker's own /metrics that serves it."""

from __future__ import annotations

import urllib.request
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from common.events.consumer import Delivery, Dispatcher
from common.events.envelope import Envelope
from common.events.memory import MemoryBus
from common.events.testkit import (
    EVENT_TYPE,
    bus_engine,
    effects_by_event,
    publish_in_outbox,
    record_effect,
    uow_factory,
    worker_settings,
)
from common.testing import eventually, free_port, release_port
from common.worker import Worker

SERVICE = "svc"


SETTINGS = worker_settings(SERVICE)


@pytest.fixture
def engine(tmp_path):
    engine = bus_engine(f"sqlite:///{tmp_path / 'metrics.db'}")
    yield engine
    engine.dispose()


def hops(registry_or_text) -> dict[str, float]:
    """The histogram's _count and _sum samples by event type ('count:type', 'sum:type')."""
    if isinstance(registry_or_text, str):
        families = text_string_to_metric_families(registry_or_text)
    else:
        families = registry_or_text.collect()
    found = {}
    for family in families:
        for sample in family.samples:
            if sample.name in ("event_hop_seconds_count", "event_hop_seconds_sum"):
                kind = sample.name.rsplit("_", 1)[1]
                found[f"{kind}:{sample.labels['event_type']}"] = sample.value
    return found


def event_from(seconds_ago: float) -> Envelope:
    occurred = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return Envelope(type=EVENT_TYPE, producer="test", data={"key": "k"}, occurred_at=occurred)


def test_a_handled_event_records_its_hop_from_occurred_at_under_its_type(engine):
    dispatcher = Dispatcher(SERVICE, {EVENT_TYPE: record_effect}, uow_factory(engine))
    dispatcher.handle_batch([Delivery(event_from(2).to_json()), Delivery(event_from(3).to_json())])
    recorded = hops(dispatcher.metrics.registry)
    assert recorded[f"count:{EVENT_TYPE}"] == 2
    assert recorded[f"sum:{EVENT_TYPE}"] >= 5  # the two events were 2 s and 3 s old


def test_a_duplicate_and_a_failed_event_record_no_hop(engine):
    def refuse(_event, _uow):
        raise RuntimeError("not today")

    event = event_from(1)
    dispatcher = Dispatcher(SERVICE, {EVENT_TYPE: record_effect}, uow_factory(engine))
    dispatcher.handle(event.to_json(), 0)
    dispatcher.handle(event.to_json(), 0)  # the copy
    assert hops(dispatcher.metrics.registry)[f"count:{EVENT_TYPE}"] == 1

    failing = Dispatcher(SERVICE, {EVENT_TYPE: refuse}, uow_factory(engine))
    assert failing.handle(event_from(1).to_json(), 0).action == "retry"
    assert hops(failing.metrics.registry) == {}


def test_a_handler_retried_one_by_one_still_records_the_hop_of_the_others(engine):
    bad = event_from(1)

    def refuse_one(event, uow):
        if event.id == bad.id:
            raise RuntimeError("this one")
        record_effect(event, uow)

    dispatcher = Dispatcher(SERVICE, {EVENT_TYPE: refuse_one}, uow_factory(engine))
    outcomes = dispatcher.handle_batch([Delivery(bad.to_json()), Delivery(event_from(1).to_json())])
    assert [outcome.action for outcome in outcomes] == ["retry", "ack"]
    assert hops(dispatcher.metrics.registry)[f"count:{EVENT_TYPE}"] == 1


def test_a_worker_serves_its_hop_histogram_on_its_own_metrics_port(engine):
    port = free_port()
    try:
        worker = Worker(
            SERVICE,
            replace(SETTINGS, worker_metrics_port=port),
            engine,
            {EVENT_TYPE: record_effect},
            uow_factory(engine),
            bindings=["test.*"],
            transport=MemoryBus(),
        )
        handle = worker.start_in_background()
        try:
            ids = publish_in_outbox(engine, 5)
            eventually(lambda: sorted(effects_by_event(engine)) == sorted(ids), timeout=10)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                served = hops(answer.read().decode())
            assert served[f"count:{EVENT_TYPE}"] == 5
        finally:
            handle.stop(timeout=5)
    finally:
        release_port(port)
