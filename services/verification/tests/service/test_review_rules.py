"""GET /review/rules: the reason lists and limits the gateway draws its forms
from, and proof that each published limit is the one verification enforces
(one past it is a 422 naming the field; at it, accepted)."""

from __future__ import annotations

import pytest

from verification.app import create_app

from .conftest import make_settings
from .reviewing import REVIEWER, Staff, submitted_case

EXPECTED = {
    "document_reasons": [
        "blurred",
        "glare",
        "cropped",
        "wrong-document",
        "expired",
        "face-not-visible",
        "not-original",
        "mismatch",
        "other",
    ],
    "rejection_reasons": [
        "documents-invalid",
        "identity-mismatch",
        "not-eligible",
        "suspected-fraud",
        "other",
    ],
    "check_results": ["match", "mismatch"],
    "decisions": ["approve", "request_resubmission", "reject"],
    "limits": {
        "note_max": 500,
        "reveal_reason_min": 5,
        "reveal_reason_max": 200,
        "deadline_days_min": 1,
        "deadline_days_max": 30,
        "max_rounds": 3,
        "chat_message_max": 1000,
    },
}
ID_CHECK = "id_number_matches_id_card"


@pytest.fixture
def reviewer(client) -> Staff:
    return Staff(client, REVIEWER, "reviewer")


@pytest.fixture
def limits(reviewer) -> dict[str, int]:
    return reviewer.ok("get", "/review/rules")["limits"]  # type: ignore[no-any-return]


@pytest.fixture
def claimed(orders, uploads, photo, reviewer) -> str:
    order_id = submitted_case(orders, uploads, photo)
    reviewer.claim(order_id)
    return order_id


def field_errors(answer) -> list[str]:
    assert answer.status_code == 422, answer.json
    return sorted(answer.json["errors"])


# --- who may read them ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "production", "dispatcher", "supervisor"])
def test_every_staff_role_reads_the_rules(client, headers, role) -> None:
    answer = client.get("/review/rules", headers=headers(role, subject="staff-9"))
    assert answer.status_code == 200
    assert answer.json == EXPECTED


def test_the_applicant_reads_the_rules_for_the_chat_s_limit(client, headers) -> None:
    answer = client.get("/review/rules", headers=headers("applicant"))
    assert answer.status_code == 200
    assert answer.json["limits"]["chat_message_max"] == 1000


def test_a_token_of_neither_staff_nor_an_applicant_is_refused(client, headers) -> None:
    assert client.get("/review/rules", headers=headers("public")).status_code == 403
    assert client.get("/review/rules").status_code == 401


def test_the_rounds_are_the_configured_ones(db, database_url, storage_dir, headers) -> None:
    settings = make_settings(database_url, storage_dir, max_resubmission_rounds=5)
    app = create_app(settings)
    try:
        answer = app.test_client().get("/review/rules", headers=headers("reviewer"))
    finally:
        app.extensions["verification.engine"].dispose()
    assert answer.json["limits"]["max_rounds"] == 5


# --- each published value is the one enforced ------------------------------------------------


def test_every_published_document_reason_is_accepted_and_no_other(claimed, reviewer) -> None:
    for reason in reviewer.ok("get", "/review/rules")["document_reasons"]:
        answer = reviewer.verdict(claimed, "id_card_front", "refused", reason_code=reason, note="x")
        assert answer.status_code == 200, (reason, answer.json)
    answer = reviewer.verdict(claimed, "id_card_front", "refused", reason_code="smudged")
    assert field_errors(answer) == ["reason_code"]


def test_the_system_s_rejection_reason_is_not_a_reviewer_s(claimed, reviewer) -> None:
    assert "resubmission-deadline-missed" not in EXPECTED["rejection_reasons"]
    answer = reviewer.decide(
        claimed, "reject", reason_code="resubmission-deadline-missed", note="Too late."
    )
    assert field_errors(answer) == ["reason_code"]


def test_a_note_may_be_as_long_as_published_and_no_longer(claimed, reviewer, limits) -> None:
    longest = "x" * limits["note_max"]
    for note, status in ((longest, 200), (longest + "x", 422)):
        verdict = reviewer.verdict(claimed, "id_card_front", "accepted", note=note)
        check = reviewer.check(claimed, ID_CHECK, note=note)
        assert (verdict.status_code, check.status_code) == (status, status)
    assert field_errors(verdict) == field_errors(check) == ["note"]
    rejection = reviewer.decide(claimed, "reject", reason_code="other", note=longest + "x")
    assert field_errors(rejection) == ["note"]


def test_a_reveal_s_reason_is_counted_after_stripping_within_the_published_range(
    claimed, reviewer, limits
) -> None:
    low, high = limits["reveal_reason_min"], limits["reveal_reason_max"]

    def reveal(reason: str):
        return reviewer.post(f"/reviews/{claimed}/reveal", {"field": "id_number", "reason": reason})

    assert field_errors(reveal("  " + "x" * (low - 1) + "  ")) == ["reason"]
    assert field_errors(reveal("x" * (high + 1))) == ["reason"]
    assert reveal("x" * low).status_code == 200
    assert reveal("x" * high).status_code == 200


def test_a_deadline_must_lie_in_the_published_range(claimed, reviewer, limits) -> None:
    low, high = limits["deadline_days_min"], limits["deadline_days_max"]
    answer = reviewer.verdict(claimed, "id_card_front", "refused", reason_code="glare")
    assert answer.status_code == 200
    for days in (low - 1, high + 1):
        answer = reviewer.decide(claimed, "request_resubmission", deadline_days=days)
        assert field_errors(answer) == ["deadline_days"]
    answer = reviewer.decide(claimed, "request_resubmission", deadline_days=high)
    assert answer.status_code == 200, answer.json


def test_a_chat_message_is_counted_after_stripping_up_to_the_published_length(
    orders, client, headers, limits
) -> None:
    order_id = orders.draft()
    longest = "字" * limits["chat_message_max"]

    def post(body: str):
        return client.post(
            f"/chats/{order_id}/messages", json={"body": body}, headers=headers("applicant")
        )

    assert post(f"\n  {longest}  \n").status_code == 201
    refused = post(longest + "字")
    assert field_errors(refused) == ["body"]
    assert refused.json["errors"]["body"] == ["too-long"]
