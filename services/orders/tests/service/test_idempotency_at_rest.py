"""What an Idempotency-Key keeps: its request's fingerprint, the first answer's
status and what it was about; never the answer's body (the applicant's name, ID
number and address would be one more copy outside the order). A retry is shown
the resource as it is now; keys are forgotten after a day."""

from __future__ import annotations

import json
from datetime import timedelta

from orders import timers
from orders.api import CONTEXT


def _stored(rows) -> list[dict]:
    return rows("SELECT endpoint, status_code, body FROM idempotency_keys")


def test_a_key_keeps_what_the_answer_was_about_and_no_personal_data(applicant, rows, answers):
    order = applicant.ready()
    applicant.submit(order["id"], key="submit-pii")
    stored = json.dumps(_stored(rows), ensure_ascii=False, default=str)
    assert answers["id_number"] not in stored
    assert answers["full_name"] not in stored
    assert {row["endpoint"]: row["body"] for row in _stored(rows)}[
        f"POST /orders/{order['id']}/submit"
    ] == {"resource": f"order:{order['id']}"}


def test_a_retry_is_shown_the_order_as_it_is_now(applicant):
    order = applicant.ready()
    first = applicant.submit(order["id"], key="submit-now")
    assert applicant.cancel(order["id"]).status_code == 200
    again = applicant.submit(order["id"], key="submit-now")
    assert again.status_code == first.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == order["id"]
    assert first.json["status"] == "awaiting_payment"
    assert again.json["status"] == applicant.get(order["id"])["status"] != "awaiting_payment"


def test_keys_older_than_a_day_are_forgotten(app, applicant, rows, clock):
    applicant.draft()
    clock.advance(timedelta(hours=23))
    applicant.draft()
    assert len(_stored(rows)) == 2
    clock.advance(timedelta(hours=2))
    assert timers.purge_idempotency_keys(app.extensions[CONTEXT], clock.now()) == 1
    assert len(_stored(rows)) == 1
