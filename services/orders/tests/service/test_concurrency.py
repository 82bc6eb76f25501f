"""The same request sent twice at once (a double click, a retry racing the
original) still makes one order and one charge: PostgreSQL's locks and the
idempotency key's primary key decide, not timing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _at_once(app, calls: list[Callable[[Any], Any]]) -> list[Any]:
    """Run each call with its own test client, released together."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Any], Any]) -> None:
        client = app.test_client()
        barrier.wait()
        answers[index] = call(client)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_two_creates_with_the_same_key_at_once_make_one_order(app, applicant, rows):
    headers = applicant.with_key("same-create")

    def post(client):
        return client.post(
            "/orders", json={"item_code": "driving-licence-replacement"}, headers=headers
        )

    first, second = _at_once(app, [post, post])
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]
    assert len(rows("SELECT id FROM orders")) == 1
    assert len(rows("SELECT id FROM outbox")) == 1


def test_two_cards_with_the_same_key_at_once_are_charged_once(app, applicant, rows):
    order = applicant.submitted()
    headers = applicant.with_key("same-card")
    body = {"card_number": "4242424242424242", "expiry": "12/30", "cvc": "123"}
    path = f"/payments/{order['payment']['id']}/card"

    def post(client):
        return client.post(path, json=body, headers=headers)

    answers = _at_once(app, [post, post, post])
    assert [answer.status_code for answer in answers] == [202, 202, 202]
    assert rows("SELECT card_attempts FROM sandbox_payments")[0]["card_attempts"] == 1


def test_two_submissions_with_different_keys_at_once_open_one_payment(app, applicant, rows):
    order = applicant.ready()
    calls = [
        lambda client, key=key: client.post(
            f"/orders/{order['id']}/submit", headers=applicant.with_key(key)
        )
        for key in ("submit-a", "submit-b")
    ]
    answers = _at_once(app, calls)
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    assert len(rows("SELECT id FROM payments")) == 1


def test_an_order_read_as_its_payment_is_authorised_shows_both_before_or_both_after(applicant):
    order = applicant.submitted()
    assert applicant.card(order["payment"]["id"]).status_code == 202
    landed: list[bool] = []

    def webhook_between_the_reads(_conn, _cursor, statement: str, *_args: Any) -> None:
        # The provider's webhook commits after the order is read and before its payment is.
        if not landed and "FROM payments" in statement:
            landed.append(True)
            applicant.webhooks()

    event.listen(Engine, "before_cursor_execute", webhook_between_the_reads)
    try:
        seen = applicant.get(order["id"])
    finally:
        event.remove(Engine, "before_cursor_execute", webhook_between_the_reads)
    assert landed
    assert (seen["status"], seen["payment"]["status"]) == ("awaiting_payment", "processing")
    assert "pay" not in seen["allowed_actions"]
    after = applicant.get(order["id"])
    assert (after["status"], after["payment"]["status"]) == ("submitted", "authorised")
