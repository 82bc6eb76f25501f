"""The review's rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from verification import domain
from verification.review import applicant_name


def test_an_id_number_shows_its_first_three_and_last_four_characters() -> None:
    assert domain.mask("110101199003071234") == "110***********1234"
    assert domain.mask("1234567") == "*******"


def test_the_clock_paused_while_waiting_moves_the_due_time_on() -> None:
    due = datetime(2026, 3, 5, tzinfo=UTC)
    paused = datetime(2026, 3, 3, tzinfo=UTC)
    assert domain.resumed_due(due, paused, paused + timedelta(days=2)) == due + timedelta(days=2)
    assert not domain.is_overdue(due, paused, datetime(2026, 3, 9, tzinfo=UTC))
    assert domain.is_overdue(due, None, datetime(2026, 3, 9, tzinfo=UTC))


def test_checks_follow_the_form_and_the_documents() -> None:
    answers = [{"type": "id_number"}, {"type": "plate_number"}]
    assert domain.derive_checks(answers, ["id_card_front", "vehicle_front"]) == [
        domain.ID_CHECK,
        domain.PLATE_CHECK,
    ]
    assert domain.derive_checks(answers, ["selfie_with_id_card"]) == []


def test_approval_lists_documents_not_accepted_and_checks_not_matching() -> None:
    blockers = domain.approval_blockers(
        {"a": "accepted", "b": "refused", "c": None}, {"x": "match", "y": None}
    )
    assert blockers == {"documents": ["b", "c"], "checks": ["y"]}
    assert domain.approval_blockers({"a": "accepted"}, {"x": "match"}) == {}


def test_other_needs_a_note_and_notes_are_bounded() -> None:
    reasons = domain.DOCUMENT_REFUSAL_REASONS
    assert domain.reason_problems("other", " ", reasons).keys() == {"note"}
    assert domain.reason_problems("glare", "x" * 501, reasons).keys() == {"note"}
    assert domain.reason_problems("glare", None, reasons) == {}
    assert domain.reason_problems(None, None, reasons).keys() == {"reason_code"}


def test_the_applicant_is_named_by_the_forms_name_question_or_the_owners() -> None:
    def answer(name: str, value: str) -> dict[str, str]:
        return {"name": name, "type": "text", "label": {"zh": name, "en": name}, "value": value}

    assert applicant_name([answer("full_name", "王芳")]) == "王芳"
    assert applicant_name([answer("owner_name", "李雷")]) == "李雷"
    assert applicant_name([answer("plate_number", "鲁B12345")]) is None
    assert applicant_name([]) is None
