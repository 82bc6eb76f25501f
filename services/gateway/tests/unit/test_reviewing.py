"""The console's own part of a review form, with no I/O: a form read into the
request verification decides, and a refused field said in the page's words
with verification's limits."""

from __future__ import annotations

import pytest

from common.cache import TTLCache
from gateway import reviewing
from gateway.clients.http import ANONYMOUS
from gateway.clients.review_rules import Limits, ReviewRulesClient, parse_rules
from gateway.domain import FieldErrors

LIMITS = Limits(
    note_max=500,
    reveal_reason_min=5,
    reveal_reason_max=200,
    deadline_days_min=1,
    deadline_days_max=30,
    max_rounds=3,
    chat_message_max=1000,
)


def test_a_verdict_goes_to_verification_as_typed_whatever_its_reason_or_note() -> None:
    # No reason list and no length here: verification decides both.
    given = reviewing.parse_verdict("refused", "no-such-reason", "x" * 5000)
    assert given == reviewing.VerdictForm("refused", "no-such-reason", "x" * 5000)


def test_the_reason_dropdown_speaks_only_for_a_refusal() -> None:
    assert reviewing.parse_verdict("accepted", "blurred", "fine").reason_code is None


def test_a_verdict_form_with_no_choice_is_refused_by_the_page_naming_the_field() -> None:
    with pytest.raises(FieldErrors) as refused:
        reviewing.parse_verdict("", "blurred", None)
    assert refused.value.errors == {"verdict": ["review.verdict_required"]}


def test_a_deadline_that_is_not_a_whole_number_goes_as_typed_for_verification_to_refuse() -> None:
    assert reviewing.parse_decision("request_resubmission", "", "", "12").deadline_days == 12
    assert reviewing.parse_decision("request_resubmission", "", "", "99").deadline_days == 99
    assert reviewing.parse_decision("request_resubmission", "", "", "two").deadline_days == "two"
    assert reviewing.parse_decision("request_resubmission", "", "", " ").deadline_days is None


def test_a_rejection_keeps_its_reason_and_drops_the_deadline() -> None:
    chosen = reviewing.parse_decision("reject", "not-eligible", "why", "7")
    assert (chosen.reason_code, chosen.deadline_days) == ("not-eligible", None)
    assert reviewing.parse_decision("approve", "not-eligible", "", "").reason_code is None


def test_a_refused_note_is_said_as_too_long_or_as_missing_by_what_was_typed() -> None:
    long = {"note": "x" * 501}
    short = {"note": ""}
    assert reviewing.refused_field_key("verdict", "note", long, LIMITS) == "review.note_at_most"
    assert reviewing.refused_field_key("verdict", "note", short, LIMITS) == "review.note_required"
    assert (
        reviewing.refused_field_key("decision", "note", short, LIMITS)
        == "review.rejection_note_required"
    )
    # At the limit it is not too long: the words follow verification's number.
    at_limit = {"note": "x" * 500}
    assert (
        reviewing.refused_field_key("verdict", "note", at_limit, LIMITS) == "review.note_required"
    )


def test_a_field_the_page_has_no_words_for_shows_verifications_own() -> None:
    assert reviewing.refused_field_key("verdict", "something_new", {}, LIMITS) is None
    assert (
        reviewing.refused_field_key("decision", "deadline_days", {}, LIMITS)
        == "review.deadline_days_between"
    )


def test_the_hints_numbers_are_verifications_limits() -> None:
    values = reviewing.limit_values(LIMITS)
    assert values == {"max": 500, "low": 5, "high": 200, "days_min": 1, "days_max": 30}


def test_verifications_rules_are_read_from_its_published_shape() -> None:
    rules = parse_rules(
        {
            "document_reasons": ["blurred", "other"],
            "rejection_reasons": ["not-eligible"],
            "check_results": ["match", "mismatch"],
            "decisions": ["approve", "request_resubmission", "reject"],
            "limits": {
                "note_max": 400,
                "reveal_reason_min": 3,
                "reveal_reason_max": 100,
                "deadline_days_min": 2,
                "deadline_days_max": 14,
                "max_rounds": 2,
                "chat_message_max": 800,
            },
        }
    )
    assert rules.document_reasons == ("blurred", "other")
    assert rules.limits.note_max == 400 and rules.limits.chat_message_max == 800


class _Verification:
    """Stands in for the HTTP client: counts the reads of /review/rules."""

    def __init__(self) -> None:
        self.reads = 0

    def get(self, path: str, caller: object) -> dict:
        assert path == "/review/rules"
        self.reads += 1
        return {"document_reasons": ["other"], "limits": {"note_max": 100 + self.reads}}


def test_each_process_keeps_the_rules_briefly_and_then_reads_them_again() -> None:
    now = [0.0]
    verification = _Verification()
    client = ReviewRulesClient(verification, TTLCache(60, clock=lambda: now[0]))  # type: ignore[arg-type]
    assert client.rules(ANONYMOUS).limits.note_max == 101
    now[0] = 59.0
    assert client.rules(ANONYMOUS).limits.note_max == 101
    assert verification.reads == 1
    now[0] = 61.0
    assert client.rules(ANONYMOUS).limits.note_max == 102


def test_a_rejection_with_its_reason_left_unchosen_is_refused_before_the_confirmation():
    with pytest.raises(FieldErrors) as refused:
        reviewing.parse_decision("reject", "", "why", "")
    assert refused.value.errors == {"reason_code": ["review.rejection_reason_required"]}
