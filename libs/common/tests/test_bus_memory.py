"""The in-memory bus and the dispatcher, on SQLite: fast unit tests, no servers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from common.clock import FrozenClock
from common.events.consumer import Delivery, Dispatcher, PermanentFailure, StaleEvent
from common.events.envelope import Envelope
from common.events.memory import MemoryBus, topic_matches
from common.events.relay import relay_once
from common.events.tables import inbox, outbox
from common.events.testkit import (
    EVENT_TYPE,
    bus_engine,
    effects_by_event,
    envelope,
    publish_in_outbox,
    record_effect,
    uow_factory,
)
from common.testing import eventually

SERVICE = "svc"
DELAYS = (1000, 5000)


@pytest.fixture
def engine(tmp_path):
    engine = bus_engine(f"sqlite:///{tmp_path / 'bus.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FrozenClock()


@pytest.fixture
def bus(clock):
    bus = MemoryBus(clock=clock)
    bus.declare(SERVICE, ["test.*"], DELAYS)
    return bus


def dispatcher(engine, handler=record_effect, max_attempts=3):
    return Dispatcher(
        SERVICE, {EVENT_TYPE: handler}, uow_factory(engine), max_attempts=max_attempts
    )


def inbox_outcomes(engine):
    with engine.connect() as conn:
        return dict(conn.execute(select(inbox.c.event_id, inbox.c.outcome)).all())


def test_a_published_event_is_handled_once_and_recorded_in_the_inbox(engine, bus):
    event = envelope()
    bus.publish_batch([event])
    assert bus.process(SERVICE, dispatcher(engine)) == 1
    assert effects_by_event(engine) == {event.id: 1}
    assert inbox_outcomes(engine) == {event.id: "handled"}
    assert bus.idle(SERVICE)


def test_an_event_delivered_twice_has_one_effect(engine, bus):
    bus.deliver_twice = True
    event = envelope()
    bus.publish_batch([event])
    # One message a batch: the copy arrives after the first copy's transaction
    # committed, so only the inbox can tell it is a duplicate.
    assert bus.process(SERVICE, dispatcher(engine), batch_size=1) == 2
    assert effects_by_event(engine) == {event.id: 1}
    assert inbox_outcomes(engine) == {event.id: "handled"}


def test_the_same_event_in_one_batch_twice_has_one_effect(engine, bus):
    event = envelope()
    bus.publish_batch([event, event, envelope()])
    bus.process(SERVICE, dispatcher(engine), batch_size=10)
    assert effects_by_event(engine)[event.id] == 1
    assert len(effects_by_event(engine)) == 2


def test_an_event_bound_to_no_queue_is_dropped_quietly(engine, bus):
    other = Envelope(type="orders.submitted", producer="orders", data={})
    bus.publish_batch([other])
    assert bus.ready(SERVICE) == 0


def test_a_failing_handler_is_retried_after_its_delay_then_dead_lettered_with_its_reason(
    engine, bus, clock
):
    calls = []

    def broken(event, uow):
        calls.append(event.id)
        raise RuntimeError("printer on fire")

    event = envelope()
    bus.publish_batch([event])
    handle = dispatcher(engine, broken, max_attempts=3)
    bus.process(SERVICE, handle)
    assert len(calls) == 1 and bus.waiting_retries(SERVICE) == 1
    clock.advance(timedelta(milliseconds=999))
    assert bus.process(SERVICE, handle) == 0, "the retry waits its full delay"
    clock.advance(timedelta(milliseconds=1))
    assert bus.process(SERVICE, handle) == 1
    clock.advance(timedelta(milliseconds=5000))
    bus.process(SERVICE, handle)
    assert len(calls) == 3
    [letter] = bus.dead_letters(SERVICE)
    assert letter.attempts == 3
    assert letter.reason == "after 3 attempts: RuntimeError: printer on fire"
    assert effects_by_event(engine) == {}
    assert inbox_outcomes(engine) == {}, "a failed attempt leaves no inbox row"


def test_replay_after_the_fix_handles_the_dead_letter_once(engine):
    def broken(event, uow):
        raise RuntimeError("not yet")

    events = [envelope("a"), envelope("b")]
    plain = MemoryBus(immediate_retries=True)
    plain.declare(SERVICE, ["test.*"], DELAYS)
    plain.publish_batch(events)
    plain.process(SERVICE, dispatcher(engine, broken, max_attempts=2))
    assert len(plain.dead_letters(SERVICE)) == 2
    assert plain.replay(SERVICE, limit=1) == 1
    plain.process(SERVICE, dispatcher(engine))
    assert plain.replay(SERVICE) == 1
    plain.process(SERVICE, dispatcher(engine))
    assert effects_by_event(engine) == {events[0].id: 1, events[1].id: 1}
    assert plain.dead_letters(SERVICE) == []


def test_a_malformed_message_is_dead_lettered_at_once_and_the_next_is_still_handled(engine, bus):
    bus.inject(SERVICE, b'{"id": "not-a-uuid"')
    good = envelope()
    bus.publish_batch([good])
    bus.process(SERVICE, dispatcher(engine))
    [letter] = bus.dead_letters(SERVICE)
    assert letter.reason.startswith("malformed: body is not JSON")
    assert letter.attempts == 0
    assert effects_by_event(engine) == {good.id: 1}


def test_an_event_without_a_handler_is_acked_with_no_effect(engine, bus):
    other = Envelope(type="test.something_else", producer="test", data={})
    bus.publish_batch([other])
    assert bus.process(SERVICE, dispatcher(engine)) == 1
    assert effects_by_event(engine) == {} and bus.idle(SERVICE)
    assert bus.dead_letters(SERVICE) == []


def test_a_stale_event_is_recorded_as_stale_and_its_partial_effect_rolled_back(engine, bus):
    def too_late(event, uow):
        record_effect(event, uow)
        raise StaleEvent("the order already moved on")

    event = envelope()
    bus.publish_batch([event])
    bus.process(SERVICE, dispatcher(engine, too_late))
    assert inbox_outcomes(engine) == {event.id: "stale"}
    assert effects_by_event(engine) == {}
    assert bus.idle(SERVICE) and bus.dead_letters(SERVICE) == []


@pytest.mark.parametrize(
    "error",
    [PermanentFailure("no such item"), ValidationError({"key": ["Missing data."]})],
)
def test_a_permanent_failure_is_dead_lettered_without_a_retry(engine, bus, error):
    calls = []

    def refuses(event, uow):
        calls.append(1)
        raise error

    bus.publish_batch([envelope()])
    bus.process(SERVICE, dispatcher(engine, refuses))
    [letter] = bus.dead_letters(SERVICE)
    assert len(calls) == 1
    assert letter.reason.startswith(type(error).__name__)


def test_one_failing_message_in_a_batch_rolls_back_only_itself(engine):
    def picky(event, uow):
        record_effect(event, uow)
        if event.data["key"] == "bad":
            raise RuntimeError("bad key")

    events = [envelope("good1"), envelope("bad"), envelope("good2")]
    outcomes = dispatcher(engine, picky).handle_batch([Delivery(e.to_json()) for e in events])
    assert [o.action for o in outcomes] == ["ack", "retry", "ack"]
    assert effects_by_event(engine) == {events[0].id: 1, events[2].id: 1}


def test_a_handler_that_commits_itself_cannot_commit_half_a_batch(engine, bus):
    def commits_then_fails_on_c(event, uow):
        record_effect(event, uow)
        uow.commit()
        if event.data["key"] == "c":
            raise RuntimeError("after its own commit")

    events = [envelope("a"), envelope("b"), envelope("c")]
    bus.deliver_twice = True
    bus.publish_batch(events)
    bus.process(SERVICE, dispatcher(engine, commits_then_fails_on_c), batch_size=10)
    effects = effects_by_event(engine)
    assert effects == {events[0].id: 1, events[1].id: 1}, "c's commit only flushed"
    assert bus.waiting_retries(SERVICE) == 2, "both copies of c wait for a retry"


def test_a_handler_that_rolls_back_is_refused_and_retried(engine, bus):
    def rolls_back(event, uow):
        uow.rollback()

    bus.publish_batch([envelope()])
    bus.process(SERVICE, dispatcher(engine, rolls_back))
    assert bus.waiting_retries(SERVICE) == 1
    assert effects_by_event(engine) == {}


def test_a_dispatcher_that_keeps_crashing_is_dead_lettered_at_the_delivery_limit(engine):
    bus = MemoryBus()
    bus.declare(SERVICE, ["test.*"], DELAYS, delivery_limit=2)

    class Crashing(Dispatcher):
        def handle_batch(self, deliveries):
            raise SystemError("segfault, in spirit")

    bus.publish_batch([envelope()])
    bus.process(SERVICE, Crashing(SERVICE, {}, uow_factory(engine)))
    [letter] = bus.dead_letters(SERVICE)
    assert letter.reason == "delivery limit exceeded"


def test_the_consumer_thread_handles_events_until_stopped(engine, bus):
    stop = threading.Event()
    consumer = bus.consumer(SERVICE, dispatcher(engine), prefetch=10, delays_ms=DELAYS)
    thread = threading.Thread(target=consumer.run, args=(stop,))
    thread.start()
    events = [envelope(str(n)) for n in range(20)]
    bus.publish_batch(events)
    try:
        eventually(lambda: len(effects_by_event(engine)) == 20, timeout=5)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert bus.idle(SERVICE)


def test_the_relay_publishes_committed_events_and_marks_them_sent(engine, bus):
    ids = publish_in_outbox(engine, 3)
    with uow_factory(engine)() as uow:
        uow.publish(EVENT_TYPE, {"key": "rolled back"})
        uow.rollback()
    assert relay_once(engine, bus, batch_size=2) == 2
    assert relay_once(engine, bus, batch_size=2) == 1
    assert relay_once(engine, bus, batch_size=2) == 0
    bus.process(SERVICE, dispatcher(engine))
    assert sorted(effects_by_event(engine)) == sorted(ids)
    with engine.connect() as conn:
        assert conn.execute(select(outbox.c.sent_at).where(outbox.c.sent_at.is_(None))).all() == []


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("orders.*", "orders.submitted", True),
        ("orders.*", "orders.a.b", False),
        ("orders.#", "orders.a.b", True),
        ("#", "anything.at_all", True),
        ("ratings.summary_changed", "ratings.summary_changed", True),
        ("ratings.summary_changed", "ratings.complaint_opened", False),
        ("*.completed", "orders.completed", True),
    ],
)
def test_topic_patterns_match_like_rabbitmq(pattern, key, expected):
    assert topic_matches(pattern, key) is expected
