"""The console's new-item form made into the catalog's item: blank rows are no
entries, each bad input is named by its id, and the catalog's dotted refusal
keys lead back to the input that holds the value."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from gateway import item_form
from gateway.clients.catalog import PickupOffice, Text

COURIER = Text("EMS 寄递到家", "EMS courier to your address")
OFFICE = PickupOffice("pickup-shinan", Text("市南大厅", "Shinan hall"), Text("宁夏路", "Ningxia Road"), Text("工作日", "Weekdays"))  # fmt: skip
FORM = {
    "code": "vehicle-licence-replacement", "title_zh": "补领行驶证", "title_en": "Replace a vehicle licence",
    "description_zh": "说明", "description_en": "About", "sla_working_days": "2",
    "document-2-code": "vehicle_photo", "document-2-title_zh": "车辆照片", "document-2-title_en": "The car",
    "document-2-guidance_zh": "号牌清晰。", "document-2-guidance_en": "Plate readable.",
    "question-3-name": "reason", "question-3-type": "choice", "question-3-label_zh": "原因",
    "question-3-label_en": "Reason", "question-3-choices": "lost = 遗失 / Lost\n\nstolen=被盗/Stolen",
    "question-4-name": "vin", "question-4-type": "text", "question-4-pattern": "vin",
    "question-4-section": "vehicle", "question-4-required": "yes",
    "question-4-label_zh": "车辆识别代号", "question-4-label_en": "VIN",
    "courier": "yes", "office": "pickup-shinan",
}  # fmt: skip


def parse(**changes: str) -> item_form.ItemDraft:
    return item_form.parse(MultiDict({**FORM, **changes}), [OFFICE], COURIER)


def test_a_whole_form_is_the_catalogs_item_and_blank_rows_are_skipped() -> None:
    draft = parse()
    body = draft.body
    assert body["sla_working_days"] == 2
    assert [doc["code"] for doc in body["required_documents"]] == ["vehicle_photo"]
    reason, vin = body["form_fields"]
    assert [c["label"]["zh"] for c in reason["choices"]] == ["遗失", "被盗"]
    assert (reason["required"], reason["section"]) == (False, "details")
    assert (vin["pattern"], vin["section"], vin["required"]) == ("vin", "vehicle", True)
    assert [o["code"] for o in body["delivery_options"]] == ["courier-ems", "pickup-shinan"]
    assert body["delivery_options"][1]["office"]["address"] == {
        "zh": "宁夏路",
        "en": "Ningxia Road",
    }
    assert (draft.document_rows, draft.question_rows) == ([2], [3, 4])


@pytest.mark.parametrize(
    ("changes", "input_id", "key"),
    [
        ({"code": "Vehicle Licence"}, "code", "item_form.code_shape"),
        ({"sla_working_days": "0"}, "sla_working_days", "item_form.sla_range"),
        ({"document-2-guidance_en": ""}, "document-2-guidance_en", "item_form.required"),
        ({"question-3-choices": "lost: 遗失"}, "question-3-choices", "item_form.choice_line"),
        ({"question-4-pattern": "[A-Z]{17}"}, "question-4-pattern", "item_form.pattern_text_only"),
        ({"question-4-hint_zh": "只有中文"}, "question-4-hint_en", "item_form.both_languages"),
        ({"courier": "", "office": ""}, "courier", "item_form.no_delivery"),
    ],
)
def test_each_bad_input_is_named_by_its_id(changes, input_id, key) -> None:
    with pytest.raises(item_form.ItemFormErrors) as refused:
        parse(**changes)
    assert refused.value.errors == {input_id: [key]}


@pytest.mark.parametrize(
    ("catalog_key", "input_id"),
    [
        ("form_fields.1.pattern", "question-4-pattern"),
        ("form_fields.0.label.en", "question-3-label_en"),
        ("required_documents.0.guidance", "document-2-guidance_zh"),
        ("title.en", "title_en"),
        ("delivery_options.1.office", "courier"),
        ("sla_working_days", "sla_working_days"),
    ],
)
def test_a_catalog_refusal_leads_back_to_its_input(catalog_key, input_id) -> None:
    assert item_form.input_for(catalog_key, parse()) == input_id
