"""What the HTTP API accepts, without a database: the input schemas on their own."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from catalog.schemas import FormFieldIn, FormFieldOut

QUESTION = {"name": "plate_number", "type": "plate_number", "label": {"zh": "号牌", "en": "Plate"}}


def test_a_form_field_without_a_section_is_asked_on_the_details_page() -> None:
    assert FormFieldIn().load(QUESTION)["section"] == "details"


def test_a_form_field_may_be_asked_on_the_vehicle_page() -> None:
    assert FormFieldIn().load({**QUESTION, "section": "vehicle"})["section"] == "vehicle"


def test_a_section_other_than_details_or_vehicle_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError) as refused:
        FormFieldIn().load({**QUESTION, "section": "garage"})
    assert list(refused.value.messages) == ["section"]


def test_a_field_stored_before_sections_existed_is_shown_on_the_details_page() -> None:
    stored = {key: value for key, value in FormFieldIn().load(QUESTION).items() if key != "section"}
    assert FormFieldOut().dump(stored)["section"] == "details"
