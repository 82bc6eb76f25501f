"""The rules on their own: a case's lifecycle, access, completeness."""

from __future__ import annotations

import pytest

from verification import domain
from verification.domain import CaseStatus


@pytest.mark.parametrize(
    ("current", "target", "forward"),
    [
        ("collecting", CaseStatus.LOCKED, True),
        ("collecting", CaseStatus.CLOSED, True),
        ("locked", CaseStatus.CLOSED, True),
        ("locked", CaseStatus.LOCKED, False),
        ("closed", CaseStatus.LOCKED, False),
        ("closed", CaseStatus.CLOSED, False),
    ],
)
def test_a_case_only_moves_forward(current, target, forward) -> None:
    assert domain.moves_forward(current, target) is forward


def test_only_a_collecting_case_takes_changes() -> None:
    assert domain.change_blocker("collecting") is None
    assert "submitted" in (domain.change_blocker("locked") or "")
    assert "closed" in (domain.change_blocker("closed") or "")


def test_the_owner_is_the_applicant_named_on_the_case() -> None:
    assert domain.is_owner("a-1", ["applicant"], "a-1")
    assert not domain.is_owner("a-1", ["reviewer"], "a-1")
    assert not domain.is_owner("a-2", ["applicant"], "a-1")
    assert not domain.is_owner("a-1", ["applicant"], None)


def test_reviewers_and_supervisors_may_view_other_staff_may_not() -> None:
    assert domain.may_view("s-1", ["reviewer"], "a-1")
    assert domain.may_view("s-1", ["supervisor"], "a-1")
    assert not domain.may_view("s-1", ["production", "dispatcher"], "a-1")
    assert not domain.may_view("s-1", ["public"], "a-1")


def test_missing_documents_keep_the_item_s_order() -> None:
    required = ["id_card_front", "id_card_back", "selfie_with_id_card"]
    assert domain.missing_documents(required, {"id_card_back"}) == [
        "id_card_front",
        "selfie_with_id_card",
    ]
    assert domain.missing_documents(required, required) == []


def test_every_refusal_has_a_text() -> None:
    assert set(domain.REFUSAL_TEXT) == set(domain.Refusal)
