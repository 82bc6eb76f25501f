"""Pickup at the counter: the code, five wrong tries lock, the ID card checked in
person, a supervisor's unlock, and the uncollected timers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fulfillment import pickup


@pytest.fixture
def ready(client, headers, flow):
    """A pickup order ready at the office: (order_id, reference, code)."""
    order_id = flow.produced(
        kind="pickup", id_number_masked="110***********002X", applicant_name="赵六"
    )
    view = client.get(f"/jobs/{order_id}", headers=headers("applicant", subject="acct-a")).json
    return order_id, view["reference"], view["pickup"]["code"]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_counter_finds_the_order_by_reference_with_the_masked_id_and_no_code(
    client, headers, ready
) -> None:
    order_id, reference, code = ready
    answer = client.get(f"/pickup?reference={reference}", headers=headers("dispatcher"))
    assert answer.status_code == 200
    assert answer.json["order_id"] == order_id
    assert answer.json["id_number_masked"] == "110***********002X"
    assert code not in answer.get_data(as_text=True)


def test_staff_never_see_the_code_only_its_owner_does(client, headers, ready) -> None:
    order_id, _reference, _code = ready
    staff = client.get(f"/jobs/{order_id}", headers=headers("dispatcher")).json
    assert staff["pickup"]["code"] is None


def test_a_wrong_code_says_the_attempts_left_then_the_fifth_locks(
    client, headers, ready, outbox
) -> None:
    order_id, _reference, code = ready
    for left in (4, 3, 2, 1):
        answer = client.post(
            f"/pickup/{order_id}/verify", json={"code": wrong(code)}, headers=headers("dispatcher")
        )
        assert answer.status_code == 422
        assert answer.json["errors"]["attempts_left"] == [left]
    fifth = client.post(
        f"/pickup/{order_id}/verify", json={"code": wrong(code)}, headers=headers("dispatcher")
    )
    assert fifth.status_code == 423
    right = client.post(f"/pickup/{order_id}/hand-over", json={"code": code, "id_checked": True},
                        headers=headers("dispatcher"))  # fmt: skip
    assert right.status_code == 423
    assert outbox("fulfillment.delivered") == []


def test_only_a_supervisor_unlocks_and_then_the_right_code_hands_over(
    client, headers, ready, outbox
) -> None:
    order_id, _reference, code = ready
    for _ in range(5):
        client.post(
            f"/pickup/{order_id}/verify", json={"code": wrong(code)}, headers=headers("dispatcher")
        )
    assert (
        client.post(f"/pickup/{order_id}/unlock", headers=headers("dispatcher")).status_code == 403
    )
    unlocked = client.post(f"/pickup/{order_id}/unlock", headers=headers("supervisor"))
    assert unlocked.status_code == 200 and unlocked.json["attempts_left"] == 5
    done = client.post(f"/pickup/{order_id}/hand-over", json={"code": code, "id_checked": True},
                       headers=headers("dispatcher"))  # fmt: skip
    assert done.status_code == 200
    assert done.json["status"] == "delivered"
    [delivered] = outbox("fulfillment.delivered")
    assert delivered["data"]["how"] == "pickup"


def test_handing_over_needs_the_id_card_checked_in_person(client, headers, ready, snapshot) -> None:
    order_id, _reference, code = ready
    before = snapshot()
    answer = client.post(
        f"/pickup/{order_id}/hand-over", json={"code": code}, headers=headers("dispatcher")
    )
    assert answer.status_code == 422
    assert "id_checked" in answer.json["errors"]
    assert snapshot() == before


def test_handing_over_an_order_not_ready_is_a_conflict_naming_its_state(
    client, headers, flow
) -> None:
    order_id, _batch = flow.in_production(kind="pickup")
    answer = client.post(f"/pickup/{order_id}/hand-over", json={"code": "123456", "id_checked": True},
                         headers=headers("dispatcher"))  # fmt: skip
    assert answer.status_code == 409
    assert answer.json["errors"]["status"] == ["in_production"]


def test_uncollected_for_thirty_days_is_reminded_once_and_for_sixty_returned(
    ctx, clock, ready, outbox, flow
) -> None:
    order_id, _reference, _code = ready
    clock.advance(timedelta(days=30))
    assert pickup.sweep_uncollected(ctx, clock.now()) == 1
    assert pickup.sweep_uncollected(ctx, clock.now()) == 0
    assert len(outbox("fulfillment.pickup_reminder_due")) == 1
    clock.advance(timedelta(days=30))
    assert pickup.sweep_uncollected(ctx, clock.now()) == 1
    [exception] = outbox("fulfillment.delivery_exception")
    assert exception["data"]["reason_code"] == "uncollected"
    assert flow.job_view(order_id)["status"] == "delivery_exception"
