"""The order's rules, without I/O: the state machine, the answers to a form,
delivery, prices, references, cards and the payment's own states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from orders import domain
from orders.domain import Action, Actor, Status

TODAY = date(2026, 3, 2)
APPLICANT, STAFF, SYSTEM = Actor.APPLICANT, Actor.STAFF, Actor.SYSTEM
SUPERVISOR = Actor.SUPERVISOR


# --- the state machine ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "actor", "target"),
    [
        ("draft", Action.SUBMIT, APPLICANT, "awaiting_payment"),
        ("draft", Action.CANCEL, APPLICANT, "discarded"),
        ("draft", Action.DISCARD, SYSTEM, "discarded"),
        ("awaiting_payment", Action.AUTHORISE, SYSTEM, "submitted"),
        ("awaiting_payment", Action.EXPIRE, SYSTEM, "closed_unpaid"),
        ("awaiting_payment", Action.CANCEL, APPLICANT, "closed_unpaid"),
        ("submitted", Action.CLAIM, STAFF, "in_review"),
        ("submitted", Action.CANCEL, APPLICANT, "cancelled"),
        ("in_review", Action.APPROVE, STAFF, "approved"),
        ("in_review", Action.ASK, STAFF, "needs_resubmission"),
        ("in_review", Action.FAIL_CAPTURE, SYSTEM, "capture_failed"),
        ("in_review", Action.REJECT, STAFF, "rejected"),
        ("in_review", Action.REJECT, SYSTEM, "rejected"),
        ("in_review", Action.CANCEL, APPLICANT, "cancelled"),
        ("in_review", Action.CANCEL, SUPERVISOR, "cancelled"),
        ("needs_resubmission", Action.RESUBMIT, APPLICANT, "in_review"),
        ("needs_resubmission", Action.REJECT, SYSTEM, "rejected"),
        ("needs_resubmission", Action.CANCEL, APPLICANT, "cancelled"),
        ("capture_failed", Action.RETRY_CAPTURE, SUPERVISOR, "approved"),
        ("capture_failed", Action.CANCEL, SUPERVISOR, "cancelled"),
        ("rejected", Action.CLOSE, SYSTEM, "closed"),
        ("approved", Action.START_PRODUCTION, SYSTEM, "in_production"),
        ("approved", Action.CANCEL, SUPERVISOR, "cancelled"),
        ("in_production", Action.CANCEL, SUPERVISOR, "cancelled"),
        ("shipped", Action.CANCEL, SUPERVISOR, "cancelled"),
        ("delivered", Action.CANCEL, SUPERVISOR, "cancelled"),
        ("in_production", Action.SHIP, SYSTEM, "shipped"),
        ("in_production", Action.OFFER_PICKUP, SYSTEM, "ready_for_pickup"),
        ("shipped", Action.DELIVER, SYSTEM, "delivered"),
        ("shipped", Action.REPORT_EXCEPTION, SYSTEM, "delivery_exception"),
        ("delivery_exception", Action.RESHIP, STAFF, "shipped"),
        ("delivery_exception", Action.SWITCH_TO_PICKUP, STAFF, "ready_for_pickup"),
        ("delivered", Action.CONFIRM, APPLICANT, "completed"),
        ("delivered", Action.CONFIRM, SYSTEM, "completed"),
        ("ready_for_pickup", Action.DELIVER, STAFF, "delivered"),
        ("ready_for_pickup", Action.REPORT_EXCEPTION, SYSTEM, "delivery_exception"),
        ("delivery_exception", Action.RESHIP, SYSTEM, "shipped"),
    ],
)
def test_each_transition_of_the_lifecycle_leads_where_the_design_says(
    status, action, actor, target
):
    assert domain.next_status(status, action, actor) == target


def test_every_status_is_reachable_from_a_draft():
    reached, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        source = frontier.pop()
        for transition in domain.TRANSITIONS:
            if transition.source == source and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(Status)


def test_collected_at_the_counter_is_delivered_not_yet_completed():
    assert domain.next_status("ready_for_pickup", Action.DELIVER, STAFF) == "delivered"
    assert not domain.can("ready_for_pickup", Action.CONFIRM, APPLICANT)


def test_only_the_applicant_or_the_timer_confirms_receipt_and_only_once_delivered():
    assert domain.can("delivered", Action.CONFIRM, APPLICANT)
    assert not domain.can("delivered", Action.CONFIRM, STAFF)
    with pytest.raises(domain.IllegalTransition, match="shipped: it cannot be confirmed"):
        domain.next_status("shipped", Action.CONFIRM, APPLICANT)


def test_a_delivered_order_offers_its_applicant_confirm_receipt():
    assert "confirm_receipt" in domain.allowed_actions(
        "delivered", ready_to_submit=False, payable=False
    )
    assert domain.allowed_actions("shipped", ready_to_submit=False, payable=False) == []


_DELIVER_BY_COURIER = (*domain.COURIER_ROUTE, Action.DELIVER)


@pytest.mark.parametrize(
    ("status", "steps", "path"),
    [
        ("shipped", _DELIVER_BY_COURIER, [Action.DELIVER]),
        ("in_production", _DELIVER_BY_COURIER, [Action.SHIP, Action.DELIVER]),
        ("approved", _DELIVER_BY_COURIER,
         [Action.START_PRODUCTION, Action.SHIP, Action.DELIVER]),
        ("approved", (*domain.PICKUP_ROUTE, Action.REPORT_EXCEPTION),
         [Action.START_PRODUCTION, Action.OFFER_PICKUP, Action.REPORT_EXCEPTION]),
        ("delivery_exception", (Action.RESHIP,), [Action.RESHIP]),
    ],
)  # fmt: skip
def test_an_event_that_overtook_earlier_steps_takes_the_order_through_them_first(
    status, steps, path
):
    assert domain.catch_up(status, steps, SYSTEM) == path


@pytest.mark.parametrize(
    ("status", "steps"),
    [
        ("shipped", domain.COURIER_ROUTE),  # a second dispatch
        ("delivered", _DELIVER_BY_COURIER),  # delivered twice
        ("completed", _DELIVER_BY_COURIER),
        ("cancelled", domain.COURIER_ROUTE[:1]),
        ("shipped", (Action.RESHIP,)),  # a reship without a delivery problem
        ("in_review", domain.COURIER_ROUTE[:1]),  # not approved yet
    ],
)
def test_an_event_the_order_is_past_or_that_does_not_fit_is_stale(status, steps):
    assert domain.catch_up(status, steps, SYSTEM) is None


# --- the auto-confirm timer ------------------------------------------------------------

_DELIVERED = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
_WEEK = timedelta(days=7)


def test_auto_confirm_is_due_its_period_after_delivery():
    assert domain.auto_confirm_due(_DELIVERED, timedelta(days=0.5)) == _DELIVERED + timedelta(
        hours=12
    )


def test_a_pause_keeps_the_time_left_and_a_resume_gives_it_back_from_the_closing():
    due = domain.auto_confirm_due(_DELIVERED, _WEEK)
    left = domain.time_left(due, _DELIVERED + timedelta(days=2))
    assert left == timedelta(days=5)
    closed = _DELIVERED + timedelta(days=20)
    assert domain.resumed_due(left, closed) == closed + timedelta(days=5)


def test_a_pause_after_the_due_time_leaves_nothing_not_a_negative_time():
    due = domain.auto_confirm_due(_DELIVERED, _WEEK)
    assert domain.time_left(due, due + timedelta(hours=1)) == timedelta(0)


def test_the_timer_is_paused_while_any_complaint_is_open():
    assert domain.is_paused(2) and domain.is_paused(1) and not domain.is_paused(0)


def test_final_states_lead_nowhere():
    assert not [t for t in domain.TRANSITIONS if t.source in domain.FINAL]


def test_an_illegal_transition_names_the_state_and_the_action():
    with pytest.raises(domain.IllegalTransition) as refused:
        domain.next_status("awaiting_payment", Action.SUBMIT, APPLICANT)
    assert refused.value.status == "awaiting_payment"
    assert refused.value.action == Action.SUBMIT
    assert str(refused.value) == "The order is awaiting_payment: it cannot be submitted."


@pytest.mark.parametrize(
    "status", ["approved", "in_production", "shipped", "completed", "cancelled"]
)
def test_an_applicant_cannot_cancel_once_the_order_is_approved(status):
    with pytest.raises(domain.IllegalTransition) as refused:
        domain.next_status(status, Action.CANCEL, APPLICANT)
    assert status in str(refused.value)


def test_after_approval_only_a_supervisor_may_cancel_and_the_refusal_says_so():
    with pytest.raises(domain.IllegalTransition, match="only supervisor can have it cancelled"):
        domain.next_status("approved", Action.CANCEL, APPLICANT)
    with pytest.raises(domain.IllegalTransition, match="only supervisor"):
        domain.next_status("approved", Action.CANCEL, STAFF)
    assert domain.next_status("approved", Action.CANCEL, SUPERVISOR) == "cancelled"


def test_a_supervisor_may_cancel_any_order_not_yet_final():
    open_states = set(Status) - domain.FINAL - {Status.REJECTED}  # rejected closes at once
    assert {s for s in open_states if domain.can(s, Action.CANCEL, SUPERVISOR)} == open_states


def test_a_refused_capture_is_retried_only_by_a_supervisor():
    with pytest.raises(domain.IllegalTransition, match="only supervisor"):
        domain.next_status("capture_failed", Action.RETRY_CAPTURE, STAFF)
    with pytest.raises(domain.IllegalTransition, match="capture_failed: it cannot be resubmitted"):
        domain.next_status("capture_failed", Action.RESUBMIT, APPLICANT)


def test_an_id_number_shows_staff_its_first_three_and_last_four_characters():
    assert domain.mask_id_number("11010519491231002X") == "110***********002X"
    assert domain.mask_id_number("1234567") == "*******"


def test_staff_see_only_id_number_answers_masked():
    form = [{"name": "full_name", "type": "text"}, {"name": "id_number", "type": "id_number"}]
    masked = domain.masked_answers(form, {"full_name": "张三", "id_number": "11010519491231002X"})
    assert masked == {"full_name": "张三", "id_number": "110***********002X"}


def test_the_answers_for_review_follow_the_form_with_type_and_label():
    label = {"zh": "姓名", "en": "Full name"}
    form = [
        {"name": "full_name", "type": "text", "label": label},
        {"name": "file_number", "type": "text", "label": {"zh": "档案编号", "en": "File number"}},
    ]
    assert domain.labelled_answers(form, {"full_name": "张三"}) == [
        {"name": "full_name", "type": "text", "label": label, "value": "张三"}
    ]


def test_an_applicant_cannot_authorise_a_payment_or_approve_an_order():
    for status, action in [("awaiting_payment", Action.AUTHORISE), ("in_review", Action.APPROVE)]:
        with pytest.raises(domain.IllegalTransition):
            domain.next_status(status, action, APPLICANT)


def test_only_a_draft_is_editable():
    domain.check_editable("draft")
    with pytest.raises(domain.IllegalTransition, match="submitted: its answers and delivery"):
        domain.check_editable("submitted")


@pytest.mark.parametrize(
    ("status", "ready", "payable", "expected"),
    [
        ("draft", False, False, ["edit", "cancel"]),
        ("draft", True, False, ["edit", "submit", "cancel"]),
        ("awaiting_payment", False, True, ["pay", "cancel"]),
        ("awaiting_payment", False, False, ["cancel"]),
        ("submitted", False, False, ["cancel"]),
        ("approved", False, False, []),
        ("closed_unpaid", False, False, []),
    ],
)
def test_the_applicant_is_offered_only_what_the_state_allows(status, ready, payable, expected):
    assert domain.allowed_actions(status, ready_to_submit=ready, payable=payable) == expected


# --- resident ID numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "370202199003071233", "110101200001010010", "440304198512124569"],
)
def test_a_resident_id_number_with_its_right_check_character_is_accepted(number):
    assert domain.check_id_number(number, TODAY) == []


def test_the_check_character_follows_iso_7064_mod_11_2_and_may_be_x():
    assert domain.id_check_character("11010519491231002") == "X"
    assert domain.id_check_character("37020219900307123") == "3"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "does not match"),  # X expected
        ("370202199003071234", "does not match"),
        ("11010519491231002", "18 characters"),
        ("11010519491231002XX", "18 characters"),
        ("1101051949123100AX", "17 digits"),
        ("99010519491231002X", "province code"),
        ("110105194913310027", "not a real date"),  # month 13
        ("110105201902290026", "not a real date"),  # 2019 was not a leap year
        ("110105203001010011", "not possible"),  # born in the future
        ("110105189912310011", "not possible"),  # before 1900
    ],
)
def test_a_wrong_resident_id_number_is_refused_with_the_reason(number, reason):
    problems = domain.check_id_number(number, TODAY)
    assert problems and reason in problems[0]


def test_a_born_on_the_29th_of_february_of_a_leap_year_is_a_real_date():
    number = "11010520000229001"
    assert domain.check_id_number(number + domain.id_check_character(number), TODAY) == []


# --- plates, phones and dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    "plate", ["鲁B12345", "鲁BA123C", "京AF0236", "鲁BD12345", "粤B12345F", "沪A5Z8Y2"]
)
def test_a_plate_in_the_national_format_is_accepted(plate):
    assert domain.check_plate(plate) == []


@pytest.mark.parametrize(
    "plate",
    [
        "鲁I12345",
        "鲁B1234O",
        "鲁B1234",
        "鲁B1234567",
        "AB12345",
        "鲁12345A",
        "鲁BX12345",
        "鲁B12345X",
        "港B12345",
    ],
)
def test_a_malformed_plate_is_refused(plate):
    assert domain.check_plate(plate)


@pytest.mark.parametrize(("value", "ok"), [("13912345678", True), ("19912345678", True),
                                            ("12912345678", False), ("1391234567", False), ("139123456789", False)])  # fmt: skip
def test_a_mainland_mobile_number_has_eleven_digits_starting_13_to_19(value, ok):
    assert (domain.check_mobile(value) == []) is ok


@pytest.mark.parametrize(("value", "ok"), [("2026-02-28", True), ("2024-02-29", True), ("2026-02-30", False),
                                            ("2026-2-3", False), ("02/03/2026", False), ("2026-02-28T00:00", False)])  # fmt: skip
def test_a_date_is_a_real_day_written_yyyy_mm_dd(value, ok):
    assert (domain.check_date(value) == []) is ok


# --- answers to a form -------------------------------------------------------------------------

FORM = [
    {"name": "full_name", "type": "text", "max_length": 5},
    {"name": "id_number", "type": "id_number"},
    {"name": "plate_number", "type": "plate_number"},
    {"name": "phone", "type": "phone"},
    {"name": "since", "type": "date", "required": False},
    {"name": "vin_last6", "type": "text", "max_length": 6, "pattern": "[A-HJ-NPR-Z0-9]{6}", "required": False},
    {"name": "reason", "type": "choice", "choices": [{"value": "lost"}, {"value": "stolen"}]},
]  # fmt: skip


def test_good_answers_are_kept_normalised():
    kept, problems = domain.check_answers(FORM, {
        "full_name": " 张三 ", "id_number": "11010519491231002x", "plate_number": "鲁b 12345",
        "phone": "+86 139-1234-5678", "since": "2020-01-31", "vin_last6": "AB1234", "reason": "lost",
    }, TODAY)  # fmt: skip
    assert problems == {}
    assert kept == {
        "full_name": "张三", "id_number": "11010519491231002X", "plate_number": "鲁B12345",
        "phone": "13912345678", "since": "2020-01-31", "vin_last6": "AB1234", "reason": "lost",
    }  # fmt: skip


def test_every_bad_answer_is_named_with_its_reason():
    _kept, problems = domain.check_answers(FORM, {
        "full_name": "一二三四五六", "id_number": "110105194912310021", "plate_number": "鲁I12345",
        "phone": "12345", "since": "yesterday", "vin_last6": "IOQ123", "reason": "bored",
        "colour": "red",
    }, TODAY)  # fmt: skip
    assert set(problems) == {
        "full_name", "id_number", "plate_number", "phone", "since", "vin_last6", "reason", "colour",
    }  # fmt: skip
    assert problems["colour"] == ["This form has no such field."]
    assert problems["reason"] == ["Choose one of: lost, stolen."]


def test_an_answer_that_is_not_text_is_refused():
    _kept, problems = domain.check_answers(FORM, {"full_name": 42}, TODAY)
    assert problems == {"full_name": ["Give the answer as text."]}


def test_a_draft_may_leave_answers_out_and_they_are_listed_as_missing():
    kept, problems = domain.check_answers(
        FORM, {"full_name": "张三", "phone": "", "since": None}, TODAY
    )
    assert problems == {} and kept == {"full_name": "张三"}
    assert domain.missing_answers(FORM, kept) == ["id_number", "plate_number", "phone", "reason"]


def test_an_answer_the_form_no_longer_accepts_needs_attention_before_submission():
    answers = {"full_name": "张三四五六七", "id_number": "11010519491231002X", "plate_number": "鲁B12345",
               "phone": "13912345678", "reason": "lost"}  # fmt: skip
    assert domain.answers_needing_attention(FORM, answers, TODAY) == ["full_name"]


# --- named formats (common.answer_patterns): the catalog's FORM above is an old snapshot ------

NAMED_FORM = [
    {"name": "vin", "type": "text", "pattern": "vin"},
    {"name": "file_number", "type": "text", "pattern": "licence_file_number", "required": False},
]


def test_a_named_format_is_checked_after_tidying_what_can_be_tidied():
    kept, problems = domain.check_answers(
        NAMED_FORM, {"vin": " lsvau2180n2183294 ", "file_number": "３７０２ 0012 3456"}, TODAY
    )
    assert problems == {}
    assert kept == {"vin": "LSVAU2180N2183294", "file_number": "370200123456"}


@pytest.mark.parametrize(("name", "value"), [("vin", "LSVAU2180N218329"), ("vin", "LSVAU2180N218329O"),
                                             ("file_number", "37020012345X")])  # fmt: skip
def test_an_answer_outside_its_named_format_is_refused_naming_the_format(name, value):
    _kept, problems = domain.check_answers(NAMED_FORM, {name: value}, TODAY)
    assert list(problems) == [name]
    assert NAMED_FORM[0 if name == "vin" else 1]["pattern"] in problems[name][0]


def test_a_format_name_the_code_does_not_know_is_read_as_an_old_regular_expression():
    form = [{"name": "code", "type": "text", "pattern": "[a-z]{2}"}]
    assert domain.check_answers(form, {"code": "ab"}, TODAY)[1] == {}
    assert list(domain.check_answers(form, {"code": "abc"}, TODAY)[1]) == ["code"]


# --- delivery ---------------------------------------------------------------------------------

OPTIONS = [
    {"code": "courier-ems", "kind": "courier", "fee_fen": 1500, "office": None},
    {
        "code": "pickup-shinan",
        "kind": "pickup",
        "fee_fen": 0,
        "office": {"name": {"zh": "市南", "en": "Shinan"}},
    },
]
ADDRESS = {"recipient": "张三", "phone": "13912345678", "province": "山东省", "city": "青岛市",
           "district": "市南区", "street": "香港中路 76 号"}  # fmt: skip


def test_courier_delivery_with_a_whole_address_is_kept():
    kept, problems = domain.check_delivery(OPTIONS, {"kind": "courier", "address": ADDRESS})
    assert problems == {}
    assert kept == {"kind": "courier", "option_code": "courier-ems", "address": ADDRESS}


def test_courier_delivery_names_each_missing_or_too_long_address_field():
    address = {**ADDRESS, "recipient": " ", "street": "路" * 201, "phone": "0532-8888888"}
    del address["city"]
    _kept, problems = domain.check_delivery(OPTIONS, {"kind": "courier", "address": address})
    assert problems == {
        "address.recipient": ["This field is required."],
        "address.city": ["This field is required."],
        "address.street": ["At most 200 characters."],
        "address.phone": ["Not a mainland mobile number (11 digits starting with 1)."],
    }


def test_courier_delivery_without_an_address_is_refused():
    _kept, problems = domain.check_delivery(OPTIONS, {"kind": "courier"})
    assert problems == {"address": ["Courier delivery needs an address."]}


def test_courier_delivery_for_an_item_without_a_courier_is_refused():
    _kept, problems = domain.check_delivery(OPTIONS[1:], {"kind": "courier", "address": ADDRESS})
    assert list(problems) == ["kind"]


def test_pickup_at_one_of_the_items_offices_is_kept_with_the_office():
    kept, problems = domain.check_delivery(
        OPTIONS, {"kind": "pickup", "office_code": "pickup-shinan"}
    )
    assert problems == {}
    assert kept is not None and kept["office"] == {"name": {"zh": "市南", "en": "Shinan"}}


@pytest.mark.parametrize("code", ["pickup-laoshan", "courier-ems", None])
def test_pickup_anywhere_else_is_refused_naming_the_office_code(code):
    _kept, problems = domain.check_delivery(OPTIONS, {"kind": "pickup", "office_code": code})
    assert list(problems) == ["office_code"]


def test_a_saved_pickup_office_that_is_no_longer_offered_blocks_submission():
    saved = {"kind": "pickup", "office_code": "pickup-shinan"}
    assert domain.delivery_still_offered(OPTIONS, saved) == []
    assert "no longer offered" in domain.delivery_still_offered(OPTIONS[:1], saved)[0]


# --- fees, prices and what blocks a submission -----------------------------------------------------

FEE = domain.Fee(2, 1000, 1500, "鲁价费发〔2017〕58号", datetime(2026, 1, 1, tzinfo=UTC))


def test_the_price_is_production_cost_plus_the_courier_fee_in_whole_fen():
    price = domain.quote(FEE, "courier")
    assert (price.production_fen, price.delivery_fen, price.total_fen) == (1000, 1500, 2500)
    assert price.as_dict(locked=True)["locked"] is True


def test_pickup_costs_only_the_production():
    assert domain.quote(FEE, "pickup").total_fen == 1000


def test_the_fee_in_force_is_the_latest_that_has_started():
    later = domain.Fee(3, 1000, 1800, "x", datetime(2026, 4, 1, tzinfo=UTC))
    assert domain.fee_in_force([FEE, later], datetime(2026, 3, 31, tzinfo=UTC)) == FEE
    assert domain.fee_in_force([FEE, later], datetime(2026, 4, 1, tzinfo=UTC)) == later
    assert domain.fee_in_force([later], datetime(2026, 3, 1, tzinfo=UTC)) is None


def test_a_fee_is_read_from_the_catalogs_json():
    fee = domain.Fee.from_dict({"version": 2, "production_cost_fen": 1000, "courier_fee_fen": 1500,
                                "approval_reference": "r", "effective_from": "2026-01-01T00:00:00+08:00"})  # fmt: skip
    assert fee.effective_from == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)


def test_a_submission_is_blocked_by_each_missing_part():
    blockers = domain.submission_blockers(
        FORM, {"full_name": "张三"}, OPTIONS, None, ["id_card_front"], TODAY
    )
    assert blockers == {
        "answers": ["id_number", "plate_number", "phone", "reason"],
        "documents": ["id_card_front"],
        "delivery": ["Choose courier delivery with an address, or a pickup office."],
    }
    assert domain.describe_blockers(blockers) == (
        "The order cannot be submitted yet: answer id_number, plate_number, phone, reason; "
        "upload id_card_front; choose delivery."
    )


def test_only_a_later_revision_of_the_documents_verdict_counts():
    assert domain.is_newer_revision(0, 1)
    assert not domain.is_newer_revision(3, 3)
    assert not domain.is_newer_revision(3, 2)


# --- references ---------------------------------------------------------------------------------


def test_a_reference_is_lt_the_offices_date_and_the_days_sequence():
    assert domain.format_reference(date(2026, 11, 22), 42) == "LT20261122000042"


def test_the_reference_day_is_the_offices_calendar_day_in_china():
    assert domain.reference_day(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)) == date(2026, 3, 2)


@pytest.mark.parametrize("sequence", [0, 1_000_000])
def test_a_sequence_outside_six_digits_is_a_bug(sequence):
    with pytest.raises(ValueError):
        domain.format_reference(TODAY, sequence)


# --- cards ------------------------------------------------------------------------------------


def test_a_card_is_checked_by_luhn_expiry_and_security_code():
    number, problems = domain.check_card("4242 4242-4242 4242", "03/26", "123", TODAY)
    assert (number, problems) == ("4242424242424242", {})


@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "fields"),
    [
        ("4242 4242 4242 4241", "12/30", "123", ["card_number"]),
        ("4242", "12/30", "123", ["card_number"]),
        ("4242 4242 4242 4242", "13/30", "123", ["expiry"]),
        ("4242 4242 4242 4242", "02/26", "123", ["expiry"]),
        ("4242 4242 4242 4242", "2030-12", "12", ["cvc", "expiry"]),
    ],
)
def test_a_malformed_card_is_refused_naming_each_field(number, expiry, cvc, fields):
    _number, problems = domain.check_card(number, expiry, cvc, TODAY)
    assert sorted(problems) == fields


# --- the payment's own states -------------------------------------------------------------------


def test_a_payment_takes_a_card_only_when_created_or_failed():
    assert [s.value for s in domain.PaymentStatus if domain.takes_card(s)] == ["created", "failed"]


def test_only_an_authorised_payment_is_captured_and_never_for_more():
    assert domain.capture_problem("authorised", 2500, 2500) is None
    assert "1 and 2500" in (domain.capture_problem("authorised", 2501, 2500) or "")
    assert "this one is processing" in (domain.capture_problem("processing", 100, 2500) or "")


def test_refunds_never_exceed_what_was_captured_and_may_be_partial():
    assert domain.refund_problem("captured", 2500, 0, 1000) is None
    assert domain.refund_problem("captured", 2500, 1000, 1500) is None
    assert "Only 1500 fen" in (domain.refund_problem("captured", 2500, 1000, 1501) or "")
    assert domain.refund_problem("captured", 2500, 0, 0) == "Refund at least 1 fen."
    assert "this one is authorised" in (domain.refund_problem("authorised", 0, 0, 1) or "")
    assert domain.status_after_refund(2500, 1000) == "captured"
    assert domain.status_after_refund(2500, 2500) == "refunded"


# --- what an approved order hands over -------------------------------------------------

_PLATE_FORM = [
    {"name": "owner_name", "type": "text"},
    {"name": "id_number", "type": "id_number"},
    {"name": "plate_number", "type": "plate_number"},
]
_OPTIONS = [
    {"code": "courier-ems", "kind": "courier", "carrier": "EMS"},
    {"code": "pickup-shinan", "kind": "pickup", "carrier": None},
]


def test_the_handover_names_the_vehicle_owner_and_masks_the_id_number():
    answers = {"owner_name": "李四", "id_number": "11010519491231002X", "plate_number": "鲁B12345"}
    facts = domain.handover_facts(
        _PLATE_FORM, answers, {"kind": "courier", "option_code": "courier-ems"}, _OPTIONS
    )
    assert facts["applicant_name"] == "李四"
    assert facts["id_number_masked"] == "110***********002X"
    assert facts["plate_number"] == "鲁B12345"
    assert facts["delivery"] == {"kind": "courier", "option_code": "courier-ems", "carrier": "EMS"}


def test_the_handover_of_a_form_without_a_plate_or_id_number_says_none():
    facts = domain.handover_facts(
        [{"name": "full_name", "type": "text"}], {"full_name": "张三"},
        {"kind": "pickup", "option_code": "pickup-shinan", "office_code": "pickup-shinan"},
        _OPTIONS,
    )  # fmt: skip
    assert (facts["applicant_name"], facts["id_number_masked"], facts["plate_number"]) == (
        "张三", None, None,
    )  # fmt: skip
    assert "carrier" not in facts["delivery"]
