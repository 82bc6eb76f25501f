"""The production queue, batches and credential numbers, through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import pytest


def test_the_queue_is_oldest_first_with_counts_per_due_state(
    client, headers, flow, clock, now
) -> None:
    late = flow.job(approved_at=now - timedelta(days=10))
    today = flow.job(approved_at=now - timedelta(days=5), sla_working_days=3)  # due Monday 09:00
    fresh = flow.job(approved_at=now)
    clock.advance(timedelta(minutes=-30))  # 08:30: the one due at 09:00 is due today, not late
    answer = client.get("/production/jobs", headers=headers("production")).json
    assert [job["order_id"] for job in answer["jobs"]] == [late, today, fresh]
    assert answer["counts"] == {"all": 3, "late": 1, "due_today": 1, "on_time": 1}
    only_late = client.get("/production/jobs?due=late", headers=headers("production")).json
    assert [job["order_id"] for job in only_late["jobs"]] == [late]


def test_the_queue_filters_by_item(client, headers, flow) -> None:
    flow.job()
    plates = flow.job(item_code="licence-plate-replacement", plate_number="鲁B12345")
    answer = client.get(
        "/production/jobs?item=licence-plate-replacement", headers=headers("production")
    ).json
    assert [job["order_id"] for job in answer["jobs"]] == [plates]
    assert answer["counts"]["all"] == 1


def test_starting_a_batch_puts_every_job_in_production_and_tells_orders(
    client, headers, flow, outbox
) -> None:
    first, second = flow.job(), flow.job()
    answer = client.post(
        "/production/batches", json={"order_ids": [first, second]}, headers=headers("production")
    )
    assert answer.status_code == 201
    assert {job["status"] for job in answer.json["jobs"]} == {"in_production"}
    started = outbox("fulfillment.production_started")
    assert [e["data"]["order_id"] for e in started] == [first, second]
    assert started[0]["correlation_id"] == first


def test_a_batch_with_a_job_not_queued_is_refused_whole(client, headers, flow, snapshot) -> None:
    running, _batch = flow.in_production()
    queued = flow.job()
    before = snapshot()
    answer = client.post(
        "/production/batches", json={"order_ids": [queued, running]}, headers=headers("production")
    )
    assert answer.status_code == 409
    assert answer.json["errors"]["status"] == ["in_production"]
    assert snapshot() == before


@pytest.mark.parametrize("order_ids", [[], ["no-such-order"], ["a", "a"]])
def test_a_batch_needs_known_orders_each_once(client, headers, order_ids) -> None:
    answer = client.post(
        "/production/batches", json={"order_ids": order_ids}, headers=headers("production")
    )
    assert answer.status_code == 422
    assert "order_ids" in answer.json["errors"]


@pytest.mark.parametrize(
    ("item", "number", "plate"),
    [
        ("driving-licence-replacement", "37020012345", None),
        ("licence-plate-replacement", "鲁B54321", "鲁B12345"),
        ("annual-licence-verification", "2026-0001234", None),
    ],
)
def test_a_credential_number_of_the_wrong_format_is_refused_naming_the_field(
    client, headers, flow, snapshot, item, number, plate
) -> None:
    extra = {"plate_number": plate} if plate else {}
    order_id, _batch = flow.in_production(item_code=item, **extra)
    before = snapshot()
    answer = client.put(f"/production/jobs/{order_id}/credential",
                        json={"credential_number": number}, headers=headers("production"))  # fmt: skip
    assert answer.status_code == 422
    assert "credential_number" in answer.json["errors"]
    assert snapshot() == before


def test_a_number_for_a_job_not_in_production_is_a_conflict_naming_the_state(
    client, headers, flow
) -> None:
    order_id = flow.job()
    answer = client.put(f"/production/jobs/{order_id}/credential",
                        json={"credential_number": "370200123456"}, headers=headers("production"))  # fmt: skip
    assert answer.status_code == 409
    assert answer.json["errors"]["status"] == ["queued"]


def test_a_batch_is_produced_only_once_every_number_is_recorded(
    client, headers, flow, outbox
) -> None:
    order_id, batch_id = flow.in_production()
    missing = client.post(f"/production/batches/{batch_id}/produced", headers=headers("production"))
    assert missing.status_code == 409
    assert missing.json["errors"]["credentials-missing"] == [order_id]
    client.put(f"/production/jobs/{order_id}/credential",
               json={"credential_number": "370200123456"}, headers=headers("production"))  # fmt: skip
    done = client.post(f"/production/batches/{batch_id}/produced", headers=headers("production"))
    assert done.status_code == 200
    [produced] = outbox("fulfillment.produced")
    assert produced["data"]["credential_number"] == "370200123456"
    again = client.post(f"/production/batches/{batch_id}/produced", headers=headers("production"))
    assert again.status_code == 409


def test_the_inspection_marks_serial_never_reaches_the_applicant(flow, outbox) -> None:
    flow.produced(item_code="annual-licence-verification", number="2026B0001234")
    [produced] = outbox("fulfillment.produced")
    assert produced["data"]["credential_number"] is None


def test_the_production_sheet_shows_the_masked_id_never_the_full_one(client, headers, flow) -> None:
    _order, batch_id = flow.in_production(
        id_number_masked="110***********002X", applicant_name="王五"
    )
    sheet = client.get(f"/production/batches/{batch_id}", headers=headers("production")).json
    assert sheet["jobs"][0]["id_number_masked"] == "110***********002X"
    assert sheet["jobs"][0]["applicant_name"] == "王五"
    assert "address" not in sheet["jobs"][0]


def test_a_produced_pickup_job_is_ready_with_a_code_that_no_event_carries(
    client, headers, flow, outbox
) -> None:
    order_id = flow.produced(kind="pickup")
    [ready] = outbox("fulfillment.ready_for_pickup")
    assert ready["data"]["office_code"] == "pickup-shinan"
    assert ready["data"]["office"]["name"]["zh"] == "市南大厅"
    owner = client.get(f"/jobs/{order_id}", headers=headers("applicant", subject="acct-a")).json
    code = owner["pickup"]["code"]
    assert code and len(code) == 6
    assert all(code not in str(event) for event in outbox())


ROLE_CALLS = [
    ("get", "/production/jobs", None, ("production", "supervisor")),
    ("post", "/production/batches", {"order_ids": ["x"]}, ("production", "supervisor")),
    ("get", "/dispatch/jobs", None, ("dispatcher", "supervisor")),
    ("post", "/dispatch/waybills", {"order_ids": ["x"]}, ("dispatcher", "supervisor")),
    ("post", "/dispatch/hand-over", {"waybills": ["x"]}, ("dispatcher", "supervisor")),
    ("get", "/dispatch/exceptions", None, ("dispatcher", "supervisor")),
    ("get", "/pickup?reference=LT1", None, ("dispatcher", "supervisor")),
    ("post", "/pickup/x/unlock", None, ("supervisor",)),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROLE_CALLS)
@pytest.mark.parametrize(
    "role", ["applicant", "reviewer", "production", "dispatcher", "supervisor"]
)
def test_each_staff_endpoint_answers_only_its_roles(
    client, headers, method, path, body, allowed, role
) -> None:
    answer = getattr(client, method)(path, json=body, headers=headers(role))
    if role in allowed:
        assert answer.status_code != 403
    else:
        assert answer.status_code == 403
        assert answer.mimetype == "application/problem+json"


def test_a_call_without_a_token_is_refused(client) -> None:
    assert client.get("/production/jobs").status_code == 401
