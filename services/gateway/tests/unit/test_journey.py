"""The journey's rules, with no I/O: sections, task statuses, refusals in words,
idempotency keys, times and the timeline."""

from __future__ import annotations

from typing import Any

from gateway import journey
from gateway.clients.catalog import FormField, Item, Text, _item
from gateway.clients.orders import Order, Payment, _entry, _order
from gateway.clients.verification import Case, _case


def _question(name: str, kind: str = "text", required: bool = True, **more: Any) -> dict:
    return {
        "name": name,
        "type": kind,
        "label": {"zh": name, "en": name},
        "required": required,
        **more,
    }


def an_item(**overrides: Any) -> Item:
    raw = {
        "code": "licence-plate-replacement",
        "title": {"zh": "补领机动车号牌", "en": "Replace licence plates"},
        "form_fields": [
            _question("owner_name", max_length=6),
            _question("id_number", "id_number"),
            _question("phone", "phone"),
            _question("plate_number", "plate_number", section="vehicle"),
            _question("vin_last6", max_length=6, section="vehicle"),
            _question("reason", "choice", choices=[{"value": "lost", "label": {"en": "Lost"}}]),
            _question("file_number", required=False, section="details"),
        ],
        "required_documents": [
            {"code": "id_card_front", "title": {"zh": "正面", "en": "Front"}},
            {"code": "vehicle_photo", "title": {"zh": "车", "en": "Car"}},
        ],
        "delivery_options": [{"code": "courier-ems", "kind": "courier"}],
        **overrides,
    }
    return _item(raw)


def an_order(**overrides: Any) -> Order:
    raw = {
        "id": "order-1",
        "reference": "LT20261122000042",
        "item_code": "licence-plate-replacement",
        "applicant_id": "acct-1",
        "status": "draft",
        "answers": {},
        "missing_answers": ["owner_name", "id_number", "phone", "plate_number", "vin_last6"],
        "delivery": None,
        "required_documents": [{"code": "id_card_front"}, {"code": "vehicle_photo"}],
        "documents": {"complete": False, "missing": ["id_card_front", "vehicle_photo"]},
        "allowed_actions": ["edit", "cancel"],
        **overrides,
    }
    return _order(raw)


def a_case(**uploaded: bool) -> Case:
    codes = ["id_card_front", "vehicle_photo"]
    documents = [
        {"code": code, "status": "uploaded" if uploaded.get(code) else "missing"} for code in codes
    ]
    complete = all(uploaded.get(code) for code in codes)
    return _case({"order_id": "order-1", "documents": documents, "complete": complete})


def _statuses(tasks: list[journey.Task]) -> dict[str, str]:
    return {task.section: task.status for task in tasks}


def test_questions_the_catalog_puts_in_the_vehicle_section_get_their_own_task() -> None:
    item = an_item()
    assert [q.name for q in journey.questions_in(item, journey.VEHICLE)] == [
        "plate_number",
        "vin_last6",
    ]
    assert "owner_name" in [q.name for q in journey.questions_in(item, journey.DETAILS)]


def test_the_section_is_the_catalogs_word_not_a_guess_from_the_name() -> None:
    item = an_item(
        form_fields=[
            _question("plate_colour", section="details"),
            _question("garage_address", section="vehicle"),
        ]
    )
    assert [q.name for q in journey.questions_in(item, journey.DETAILS)] == ["plate_colour"]
    assert [q.name for q in journey.questions_in(item, journey.VEHICLE)] == ["garage_address"]


def test_a_question_the_catalog_gives_no_section_is_about_the_applicant() -> None:
    item = an_item(form_fields=[_question("plate_number", "plate_number")])
    assert journey.section_of(item.form_fields[0]) == journey.DETAILS


def test_an_item_without_vehicle_questions_has_no_vehicle_task() -> None:
    item = an_item(form_fields=[_question("full_name")])
    sections = [task.section for task in journey.tasks(item, an_order(), None)]
    assert sections == ["details", "documents", "delivery", "check"]


def test_a_new_draft_has_everything_not_started_and_check_cannot_start() -> None:
    statuses = _statuses(journey.tasks(an_item(), an_order(), None))
    assert statuses == {
        "details": "not_started",
        "vehicle": "not_started",
        "documents": "not_started",
        "delivery": "not_started",
        "check": "cannot_start",
    }


def test_a_section_half_answered_is_in_progress_and_optional_questions_never_hold_it_back() -> None:
    some = an_order(answers={"owner_name": "李娜"}, missing_answers=["id_number"])
    assert _statuses(journey.tasks(an_item(), some, None))["details"] == "in_progress"
    answered = {"owner_name": "李娜", "id_number": "x", "phone": "1", "reason": "lost"}
    done = an_order(answers=answered, missing_answers=["plate_number", "vin_last6"])
    assert _statuses(journey.tasks(an_item(), done, None))["details"] == "completed"


def test_documents_follow_the_case_and_check_opens_when_everything_is_done() -> None:
    answers = {
        name: "x"
        for name in ("owner_name", "id_number", "phone", "plate_number", "vin_last6", "reason")
    }
    ready = an_order(
        answers=answers, missing_answers=[], delivery={"kind": "pickup", "office_code": "p"}
    )
    half = _statuses(journey.tasks(an_item(), ready, a_case(id_card_front=True)))
    assert half["documents"] == "in_progress"
    assert half["check"] == "cannot_start"
    full = journey.tasks(an_item(), ready, a_case(id_card_front=True, vehicle_photo=True))
    assert _statuses(full)["documents"] == "completed"
    assert full[-1].status == "not_started" and full[-1].can_start


def test_without_a_case_yet_the_documents_task_reads_what_orders_knows() -> None:
    order = an_order(documents={"complete": False, "missing": ["vehicle_photo"]})
    assert _statuses(journey.tasks(an_item(), order, None))["documents"] == "in_progress"


def test_questions_are_asked_one_after_another_within_their_section() -> None:
    item = an_item()
    following = journey.next_question(item, "owner_name")
    assert following is not None and following.name == "id_number"
    assert journey.next_question(item, "vin_last6") is None  # the vehicle section ends
    previous = journey.previous_question(item, "vin_last6")
    assert previous is not None and previous.name == "plate_number"
    assert journey.previous_question(item, "owner_name") is None


def test_a_refused_answer_is_named_by_what_the_question_expects() -> None:
    def field(kind: str, **more: Any) -> FormField:
        return FormField("q", kind, Text("问", "Q"), True, None, **more)

    assert journey.answer_error(field("text"), "  ") == "answer.enter"
    assert journey.answer_error(field("choice"), "") == "answer.choose"
    assert journey.answer_error(field("id_number"), "123") == "answer.id_number"
    assert journey.answer_error(field("phone"), "123") == "answer.phone"
    assert journey.answer_error(field("plate_number"), "X") == "answer.plate_number"
    assert journey.answer_error(field("date"), "31/12") == "answer.date"
    assert journey.answer_error(field("text", max_length=3), "abcd") == "answer.too_long"
    assert journey.answer_error(field("text", max_length=6), "abc") == "answer.format"
    vin = field("text")
    object.__setattr__(vin, "pattern", "vin")  # the catalog names the format
    assert journey.answer_error(vin, "LSVAU") == "answer.pattern.vin"


def test_an_address_names_each_empty_field_and_each_field_orders_refused() -> None:
    form = {"recipient": "李娜", "phone": "123", "province": "山东省", "city": "青岛市"}
    errors = journey.address_errors(form, ["address.phone", "phone", "unknown"])
    assert errors == {
        "district": ["address.district.required"],
        "street": ["address.street.required"],
        "phone": ["address.phone.invalid"],
    }


def test_card_numbers_lose_their_spaces_and_refusals_name_card_fields_only() -> None:
    assert journey.clean_card_number("4242 4242-4242 4242") == "4242424242424242"
    assert journey.card_errors(["expiry", "Idempotency-Key"]) == {"expiry": ["card.expiry.invalid"]}


def test_a_decline_is_told_by_its_reason() -> None:
    def failed(reason: str | None) -> Payment:
        return Payment("p", "failed", 2500, 0, 0, reason, None, None)

    assert journey.decline_key(failed("card_declined")) == "payment.reason.card_declined"
    assert journey.decline_key(failed("processing_error")) == "payment.reason.processing_error"
    assert journey.decline_key(failed("something new")) == "payment.reason.other"
    assert journey.decline_key(failed(None)) == "payment.reason.other"


def test_the_same_form_sent_twice_gives_the_same_key_and_a_new_form_a_new_one() -> None:
    attempt = journey.new_attempt()
    first = journey.idempotency_key("secret", "acct-1", "start:x", attempt)
    assert first == journey.idempotency_key("secret", "acct-1", "start:x", attempt)
    assert first != journey.idempotency_key("secret", "acct-2", "start:x", attempt)
    assert first != journey.idempotency_key("secret", "acct-1", "start:y", attempt)
    assert first != journey.idempotency_key("secret", "acct-1", "start:x", journey.new_attempt())
    # A missing or malformed attempt never collides with anything: it is random.
    assert journey.idempotency_key("s", "a", "b", None) != journey.idempotency_key(
        "s", "a", "b", None
    )
    assert journey.idempotency_key("s", "a", "b", "<script>") != journey.idempotency_key(
        "s", "a", "b", "<script>"
    )
    assert len(first) == 48


def test_the_timeline_says_who_acted_by_the_kind_orders_gives() -> None:
    def by(actor: str, kind: str | None) -> str:
        raw = {"at": "2026-11-22T06:03:59+00:00", "to_status": "draft", "actor": actor}
        entry = _entry({**raw, "actor_kind": kind} if kind else raw)
        return journey.actor_key(entry)

    assert by("acct-1", "applicant") == "timeline.by_you"
    assert by("sandbox", "provider") == "timeline.by_provider"
    assert by("acct-9", "staff") == "timeline.by_staff"
    assert by("orders", "system") == "timeline.by_system"
    # The actor's name no longer decides: a staff account called "payment" is staff.
    assert by("payment-desk", "staff") == "timeline.by_staff"
    assert by("staff:li.na", None) == "timeline.by_system"
