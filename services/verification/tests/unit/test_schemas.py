"""What the API's and the events' schemas accept, refuse and answer, without a
request: each refusal names its field."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from verification import domain
from verification.schemas.chat import MessageIn
from verification.schemas.orders_events import DraftCreated, Submitted
from verification.schemas.review import CheckIn, DecisionIn, RulesOut, VerdictIn

TITLE = {"zh": "居民身份证人像面", "en": "ID card, photo side"}


def refused_fields(schema, data) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        schema.load(data)
    return sorted(refused.value.messages)


def test_the_rules_answer_carries_every_list_and_limit_the_domain_gives() -> None:
    rules = domain.review_rules(max_rounds=4)
    assert RulesOut().dump(rules) == rules
    assert rules["limits"]["max_rounds"] == 4
    assert rules["limits"]["note_max"] == domain.NOTE_MAX
    assert rules["limits"]["chat_message_max"] == domain.CHAT_MESSAGE_MAX


def test_a_decision_s_deadline_must_be_a_whole_number_not_a_string() -> None:
    assert refused_fields(
        DecisionIn(), {"decision": "request_resubmission", "deadline_days": "7"}
    ) == ["deadline_days"]
    assert refused_fields(DecisionIn(), {"decision": "postpone"}) == ["decision"]


def test_a_verdict_or_check_outside_its_values_is_refused_and_unknown_fields_ignored() -> None:
    assert refused_fields(VerdictIn(), {"verdict": "maybe"}) == ["verdict"]
    assert refused_fields(CheckIn(), {"result": "match", "note": "x" * (domain.NOTE_MAX + 1)}) == [
        "note"
    ]
    assert VerdictIn().load({"verdict": "accepted", "colour": "red"}) == {
        "verdict": "accepted",
        "reason_code": None,
        "note": None,
    }


def test_a_chat_message_needs_a_body_and_is_no_note_by_default() -> None:
    assert refused_fields(MessageIn(), {}) == ["body"]
    assert MessageIn().load({"body": "Hello"}) == {"body": "Hello", "internal": False}


def test_a_draft_naming_one_document_twice_is_refused() -> None:
    draft = {
        "order_id": "o-1",
        "reference": "LT-1",
        "applicant_id": "a-1",
        "item_code": "driving-licence-replacement",
        "required_documents": [
            {"code": "id_card_front", "title": TITLE},
            {"code": "id_card_front", "title": TITLE},
        ],
    }
    assert refused_fields(DraftCreated(), draft) == ["required_documents"]


def test_a_submission_without_its_answers_is_refused() -> None:
    submission = {
        "order_id": "o-1",
        "reference": "LT-1",
        "applicant_id": "a-1",
        "item_code": "driving-licence-replacement",
        "sla_working_days": 3,
    }
    assert refused_fields(Submitted(), submission) == ["answers"]
