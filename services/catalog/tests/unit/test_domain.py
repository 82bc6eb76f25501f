"""The catalog's rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog import domain
from catalog.domain import Fee

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fee(version: int, days_from_now: float, cost: int = 1000) -> Fee:
    return Fee(
        version=version,
        production_cost_fen=cost,
        courier_fee_fen=1500,
        approval_reference=f"鲁价费发〔2017〕{version}号",
        effective_from=NOW + timedelta(days=days_from_now),
    )


# --- fee in force --------------------------------------------------------------


def test_the_fee_in_force_is_the_latest_version_already_in_effect() -> None:
    history = [fee(1, -400), fee(2, -30), fee(3, 20)]
    assert domain.fee_in_force(history, NOW).version == 2


def test_a_future_dated_version_is_upcoming_not_in_force() -> None:
    history = [fee(1, -400), fee(2, 20), fee(3, 60)]
    assert domain.fee_in_force(history, NOW).version == 1
    assert domain.upcoming_fee(history, NOW).version == 2


def test_a_version_takes_effect_exactly_at_its_effective_time() -> None:
    history = [fee(1, -400), fee(2, 0)]
    assert domain.fee_in_force(history, NOW).version == 2
    assert domain.upcoming_fee(history, NOW) is None


def test_an_item_whose_only_fee_is_in_the_future_has_no_fee_in_force() -> None:
    assert domain.fee_in_force([fee(1, 3)], NOW) is None
    assert domain.fee_in_force([], NOW) is None


def test_the_effective_time_decides_not_the_order_versions_were_added_in() -> None:
    # Version 3 was scheduled for later than version 4, which is already in effect.
    history = [fee(1, -400), fee(3, 10), fee(4, -1)]
    assert domain.fee_in_force(history, NOW).version == 4


def test_two_versions_effective_at_the_same_time_resolve_to_the_later_version() -> None:
    history = [fee(1, -5), fee(2, -5)]
    assert domain.fee_in_force(history, NOW).version == 2


def test_each_version_is_labelled_in_force_upcoming_or_superseded() -> None:
    history = [fee(1, -400), fee(2, -30), fee(3, 20)]
    in_force = domain.fee_in_force(history, NOW)
    states = [domain.fee_state(f, in_force, NOW) for f in history]
    assert states == ["superseded", "in_force", "upcoming"]


def test_a_new_version_number_follows_the_highest_one() -> None:
    assert domain.next_fee_version([]) == 1
    assert domain.next_fee_version([fee(1, -1), fee(4, 1)]) == 5


def test_a_fee_cannot_take_effect_in_the_past() -> None:
    _when, problems = domain.check_fee_effective_from(NOW - timedelta(days=1), NOW)
    assert "effective_from" in problems


def test_a_fee_sent_as_now_that_arrives_a_moment_late_takes_effect_now() -> None:
    when, problems = domain.check_fee_effective_from(NOW - timedelta(seconds=30), NOW)
    assert problems == {}
    assert when == NOW


def test_a_fee_time_without_a_time_zone_is_refused() -> None:
    _when, problems = domain.check_fee_effective_from(datetime(2026, 5, 1, 0, 0), NOW)
    assert "effective_from" in problems


def test_pickup_is_free_and_the_courier_costs_the_schedule_fee() -> None:
    assert domain.delivery_fee_for("pickup", 1500) == 0
    assert domain.delivery_fee_for("courier", 1500) == 1500
    assert domain.delivery_fee_for("courier", None) is None


# --- lifecycle ---------------------------------------------------------------

COURIER = [{"code": "courier-ems", "kind": "courier"}]


def test_a_draft_with_a_fee_in_force_and_a_delivery_option_can_be_published() -> None:
    assert domain.publish_blockers("draft", fee(1, -1), COURIER) == []


def test_an_item_without_a_fee_in_force_cannot_be_published_and_says_so() -> None:
    reasons = domain.publish_blockers("draft", None, COURIER)
    assert any("no fee in force" in reason for reason in reasons)


def test_an_item_without_a_delivery_option_cannot_be_published() -> None:
    reasons = domain.publish_blockers("draft", fee(1, -1), [])
    assert any("delivery option" in reason for reason in reasons)


def test_a_withdrawn_item_can_be_published_again_but_a_published_one_not_twice() -> None:
    assert domain.publish_blockers("withdrawn", fee(1, -1), COURIER) == []
    assert domain.publish_blockers("published", fee(1, -1), COURIER) == [
        "The item is already published."
    ]


def test_only_a_published_item_can_be_withdrawn() -> None:
    assert domain.withdraw_blocker("published") is None
    assert "draft" in (domain.withdraw_blocker("draft") or "")
    assert "withdrawn" in (domain.withdraw_blocker("withdrawn") or "")


# --- definitions staff write --------------------------------------------------------


def field_spec(**spec: object) -> dict[str, object]:
    return {"name": "answer", "type": "text", **spec}


def test_two_form_fields_with_the_same_name_are_refused() -> None:
    problems = domain.check_definitions(None, [field_spec(), field_spec()], None)
    assert list(problems) == ["form_fields.1.name"]


def test_a_choice_field_needs_choices_and_other_fields_cannot_have_them() -> None:
    problems = domain.check_definitions(
        None,
        [
            field_spec(name="a", type="choice", choices=[]),
            field_spec(name="b", type="phone", choices=[{"value": "x"}]),
        ],
        None,
    )
    assert set(problems) == {"form_fields.0.choices", "form_fields.1.choices"}


@pytest.mark.parametrize("pattern", ["[unclosed", r"\d{6}", "VIN"])
def test_a_pattern_that_is_not_a_known_format_name_is_refused(pattern) -> None:
    problems = domain.check_definitions(None, [field_spec(pattern=pattern)], None)
    assert "form_fields.0.pattern" in problems
    assert "vin_last6" in problems["form_fields.0.pattern"][0]


def test_a_known_format_name_is_taken() -> None:
    assert domain.check_definitions(None, [field_spec(pattern="vin")], None) == {}


def test_max_length_and_pattern_only_apply_to_text_fields() -> None:
    problems = domain.check_definitions(
        None, [field_spec(type="date", max_length=10, pattern="postcode")], None
    )
    assert set(problems) == {"form_fields.0.max_length", "form_fields.0.pattern"}


def test_two_documents_with_the_same_code_are_refused() -> None:
    documents = [{"code": "id_card_front"}, {"code": "id_card_front"}]
    assert list(domain.check_definitions(documents, None, None)) == ["required_documents.1.code"]


def test_an_item_has_at_most_one_courier_and_every_pickup_names_its_office() -> None:
    options = [
        {"code": "courier-ems", "kind": "courier"},
        {"code": "courier-sf", "kind": "courier"},
        {"code": "pickup-shinan", "kind": "pickup", "office": None},
    ]
    problems = domain.check_definitions(None, None, options)
    assert set(problems) == {"delivery_options", "delivery_options.2.office"}


def test_a_newer_rating_summary_replaces_an_older_one_and_not_the_reverse() -> None:
    assert domain.is_newer_summary(None, NOW)
    assert domain.is_newer_summary(NOW, NOW + timedelta(seconds=1))
    assert not domain.is_newer_summary(NOW, NOW)
    assert not domain.is_newer_summary(NOW, NOW - timedelta(seconds=1))
