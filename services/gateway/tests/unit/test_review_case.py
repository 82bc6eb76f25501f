"""The review case page's wording and layout rules, without I/O."""

from __future__ import annotations

from gateway import review_case
from gateway.clients.catalog import Choice, FormField, Text
from gateway.clients.reviews import AuditEntry, Decision, Review, ReviewDocument


def _doc(code: str, title: str = "") -> ReviewDocument:
    return ReviewDocument(code, Text(title, title), "uploaded", None, 800, 600, None, None)


def _entry(action: str, **values) -> AuditEntry:
    base = {
        "id": "1",
        "at": "2026-12-01T02:00:00+00:00",
        "actor_id": "staff-1",
        "actor_role": "reviewer",
        "action": action,
        "order_id": "o-1",
        "reference": "LT1",
        "document_code": None,
        "field": None,
        "reason": None,
        "details": {},
    }
    return AuditEntry(**{**base, **values})


def _review(**values) -> Review:
    base = {
        "order_id": "o-1",
        "reference": "LT1",
        "applicant_id": "a-1",
        "applicant_name": "张三",
        "item_code": "licence",
        "status": "in_review",
        "closed_because": None,
        "assignee_id": "staff-1",
        "queued_at": "2026-12-01T00:00:00+00:00",
        "sla_due_at": None,
        "overdue": False,
        "sla_paused": False,
        "round": 0,
        "max_rounds": 3,
        "resubmission_deadline": None,
        "answers": (),
        "documents": (
            _doc("id_card_back", "ID card back"),
            _doc("portrait_photo", "Portrait"),
            _doc("selfie_with_id_card", "Selfie holding your ID card"),
            _doc("id_card_front", "ID card front"),
        ),
        "checks": (),
        "decision": None,
        "history": (),
    }
    return Review(**{**base, **values})


def test_the_id_card_and_the_selfie_come_first_then_the_item_s_order() -> None:
    codes = [doc.code for doc in review_case.ordered_documents(_review().documents)]
    assert codes == ["id_card_front", "selfie_with_id_card", "id_card_back", "portrait_photo"]


def test_only_quarter_turns_are_taken_from_the_address() -> None:
    documents = _review().documents
    turns = review_case.rotations(
        {"turn-id_card_front": "90", "turn-portrait_photo": "45"}, documents
    )
    assert turns["id_card_front"] == 90 and turns["portrait_photo"] == 0
    assert review_case.next_turn(270, 90) == 0 and review_case.next_turn(0, 270) == 270


def test_a_choice_s_code_is_said_as_its_label_in_the_page_language() -> None:
    field = FormField(
        "licence_class",
        "choice",
        Text("准驾车型", "Licence class"),
        True,
        None,
        (Choice("c1", Text("C1 小型汽车", "C1 car")),),
    )
    fields = {"licence_class": field}
    assert review_case.answer_text("licence_class", "c1", fields, "zh-CN") == "C1 小型汽车"
    assert review_case.answer_text("licence_class", "c1", fields, "en") == "C1 car"
    assert review_case.answer_text("licence_class", "x9", fields, "en") == "x9"
    assert review_case.answer_text("phone", "13800138000", fields, "en") == "13800138000"


def test_the_history_names_people_documents_and_reasons() -> None:
    review = _review(
        history=(
            _entry(
                "document.verdict",
                document_code="selfie_with_id_card",
                reason="face-not-visible",
                details={"verdict": "refused"},
            ),
            _entry("answer.revealed", actor_id="boss-1", field="id_number", reason="spot check"),
            _entry("documents.purged", actor_id="system", actor_role="system"),
        )
    )
    rows = review_case.history_rows(review, {"boss-1": "boss@office.cn"}, me="staff-1", lang="en")
    assert [row.who for row in rows] == ["You", "boss@office.cn", "The system"]
    assert rows[0].what == "Selfie holding your ID card – Refused – Face not visible"
    assert rows[1].what == "id_number – spot check"
    assert "face-not-visible" not in rows[0].what


def test_a_closed_case_says_its_outcome_and_how_long_it_took() -> None:
    closed = _review(
        status="closed",
        closed_because="approved",
        closed_at="2026-12-02T03:30:00+00:00",
        decision=Decision("approve", None, None, "staff-1", "2026-12-02T03:30:00+00:00"),
    )
    outcome = review_case.outcome(closed, "zh-CN")
    assert outcome is not None
    assert (outcome.words, outcome.days, outcome.hours, outcome.minutes) == ("已通过", 1, 3, 30)
    assert review_case.outcome(_review(), "en") is None
