"""The sweep that delivers a sandbox provider's webhooks: on a real PostgreSQL
database, to a real HTTP receiver that checks the signature."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from flask import Flask, request
from sqlalchemy import Boolean, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from common.clock import FrozenClock
from common.db import make_engine, make_metadata, make_session_factory
from common.testing import free_port, fresh_postgres_database
from common.testing_http import serve_in_thread
from common.webhooks import DueWebhook, SignatureRejected, WebhookSender, backoff, verify

HEADER = "X-Test-Signature"
SECRET = "webhook-test-secret"


class Base(DeclarativeBase):
    metadata = make_metadata()


class OwedWebhook(DueWebhook, Base):
    __tablename__ = "owed_webhooks"

    url: Mapped[str] = mapped_column(String(300), default="")
    push: Mapped[bool] = mapped_column(Boolean, default=True)


@pytest.fixture(scope="module")
def sessions() -> Iterator[Callable[[], Session]]:
    with fresh_postgres_database("webhooks") as url:
        engine = make_engine(url, pool_size=2, max_overflow=2)
        Base.metadata.create_all(engine)
        yield make_session_factory(engine)
        engine.dispose()


class Receiver:
    """A merchant's endpoint: verifies each webhook, answers `status` when it is good."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock, self.status = clock, 200
        self.received: list[str] = []
        app = Flask("receiver")
        app.add_url_rule("/hooks", "hooks", self.receive, methods=["POST"])
        self.url, self.stop = serve_in_thread(app)
        self.url += "/hooks"

    def receive(self) -> tuple[str, int]:
        body = request.get_data()
        try:
            verify(SECRET, body, request.headers.get(HEADER), self.clock.now().timestamp())
        except SignatureRejected as exc:
            return str(exc), 401
        self.received.append(body.decode())
        return "", self.status


@pytest.fixture
def receiver(frozen_clock: FrozenClock) -> Iterator[Receiver]:
    receiver = Receiver(frozen_clock)
    yield receiver
    receiver.stop()


@pytest.fixture
def owe(sessions: Callable[[], Session], frozen_clock: FrozenClock) -> Callable[..., str]:
    with sessions() as session, session.begin():
        session.query(OwedWebhook).delete()
    counter = iter(range(1, 10_000))

    def add(body: str = '{"n":1}', *, after: timedelta = timedelta(0), **columns: Any) -> str:
        webhook_id = f"whk_{next(counter):04d}"
        with sessions() as session, session.begin():
            session.add(
                OwedWebhook(
                    id=webhook_id, body=body, due_at=frozen_clock.now() + after, attempts=0,
                    **columns,
                )
            )  # fmt: skip
        return webhook_id

    return add


def row(sessions: Callable[[], Session], webhook_id: str) -> OwedWebhook:
    with sessions() as session:
        found = session.get(OwedWebhook, webhook_id)
        assert found is not None
        return found


def sender(sessions: Callable[[], Session], url: str | None, **options: Any) -> WebhookSender:
    return WebhookSender(sessions, OwedWebhook, SECRET, HEADER, url=url, **options)


def test_a_due_webhook_is_signed_with_the_time_of_sending_and_delivered_once(
    sessions, owe, receiver, frozen_clock
) -> None:
    webhook_id = owe('{"n":1}')
    owe('{"n":2}', after=timedelta(hours=1))
    # Due ten minutes ago, longer than the receiver's tolerance: signed when sent, it passes.
    frozen_clock.advance(timedelta(minutes=10))
    deliver = sender(sessions, receiver.url)
    [sent] = deliver.deliver_due(frozen_clock.now())
    assert (sent.id, sent.status, sent.error) == (webhook_id, 200, None)
    assert receiver.received == ['{"n":1}']
    assert row(sessions, webhook_id).delivered_at == frozen_clock.now()
    assert deliver.deliver_due(frozen_clock.now()) == []


def test_webhooks_go_out_in_the_order_they_fall_due(sessions, owe, receiver, frozen_clock):
    owe('{"n":2}', after=timedelta(seconds=2))
    owe('{"n":1}', after=timedelta(seconds=1))
    frozen_clock.advance(timedelta(seconds=2))
    sender(sessions, receiver.url).deliver_due(frozen_clock.now())
    assert receiver.received == ['{"n":1}', '{"n":2}']


def test_each_row_goes_to_its_own_url_when_the_sender_has_none(
    sessions, owe, receiver, frozen_clock
) -> None:
    owe(url=receiver.url)
    [sent] = sender(sessions, None).deliver_due(frozen_clock.now())
    assert sent.status == 200 and receiver.received == ['{"n":1}']


def test_a_row_the_pending_conditions_exclude_is_never_sent(sessions, owe, receiver, frozen_clock):
    owe(push=False)
    kept = sender(sessions, receiver.url, pending=[OwedWebhook.push.is_(True)])
    assert kept.deliver_due(frozen_clock.now() + timedelta(days=1)) == []
    assert receiver.received == []


def test_a_refused_webhook_is_retried_after_a_backoff_with_the_receivers_answer_kept(
    sessions, owe, receiver, frozen_clock
) -> None:
    webhook_id = owe()
    wrong = WebhookSender(sessions, OwedWebhook, "a-wrong-secret", HEADER, url=receiver.url)
    [refused] = wrong.deliver_due(frozen_clock.now())
    assert refused.status == 401 and "does not match" in (refused.error or "")
    assert row(sessions, webhook_id).due_at == frozen_clock.now() + timedelta(seconds=1)
    right = sender(sessions, receiver.url)
    assert right.deliver_due(frozen_clock.now()) == []  # not due again yet
    frozen_clock.advance(timedelta(seconds=1))
    [delivered] = right.deliver_due(frozen_clock.now())
    assert delivered.status == 200
    stored = row(sessions, webhook_id)
    assert (stored.attempts, stored.delivered_at) == (2, frozen_clock.now())


def test_a_webhook_nobody_answers_is_given_up_after_its_attempts(
    sessions, owe, frozen_clock
) -> None:
    webhook_id = owe()
    dead = sender(sessions, f"http://127.0.0.1:{free_port()}/hooks", max_attempts=3)
    for attempt in (1, 2, 3):
        [sent] = dead.deliver_due(frozen_clock.now())
        assert sent.status is None and "ConnectionError" in (sent.error or "")
        frozen_clock.advance(backoff(attempt))
    stored = row(sessions, webhook_id)
    assert stored.attempts == 3 and stored.delivered_at is None
    assert stored.abandoned_at is not None
    frozen_clock.advance(timedelta(days=1))
    assert dead.deliver_due(frozen_clock.now()) == []


def test_a_claimed_webhook_is_leased_so_a_second_worker_skips_it(
    sessions, owe, frozen_clock
) -> None:
    webhook_id = owe()
    seen: list[str] = []

    def post_while_another_sweeps(url: str, body: bytes, headers: Any) -> tuple[int, str]:
        # While this send is in flight, a second worker's sweep finds nothing due.
        seen.extend(s.id for s in other.deliver_due(frozen_clock.now()))
        return 200, ""

    other = sender(sessions, "http://unused.test/hooks", post=lambda *_: (200, ""))
    first = sender(sessions, "http://unused.test/hooks", post=post_while_another_sweeps)
    [sent] = first.deliver_due(frozen_clock.now())
    assert sent.id == webhook_id and seen == []


def test_redelivery_backs_off_exponentially_up_to_five_minutes() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 9, 10, 30)] == [
        1, 2, 4, 8, 256, 300, 300,
    ]  # fmt: skip


def test_a_sender_without_a_post_uses_http_with_its_timeout(sessions, owe, frozen_clock) -> None:
    owe()
    calls: list[float] = []

    class Recording(requests.Session):
        def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Any:
            calls.append(kwargs["timeout"])
            raise requests.ConnectTimeout("no answer in time")

    from common.webhooks.delivery import requests_post

    deliver = sender(sessions, "http://x.test/h", post=requests_post(2.5, Recording()))
    [sent] = deliver.deliver_due(frozen_clock.now())
    assert calls == [2.5] and "ConnectTimeout" in (sent.error or "")
