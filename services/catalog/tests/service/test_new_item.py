"""A new item is data: a supervisor creates it with every part (texts in both
languages, documents with their photo guidance, questions with a named format,
choices and section, delivery, SLA, the first fee with its approval), and the
store serves exactly that; refusals name the entry's field by its dotted path.
A withdrawn item says why to anyone holding a draft of it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from catalog.migrate import MIGRATIONS
from common.db import make_engine
from common.migrations import upgrade as alembic_upgrade
from common.testing import fresh_postgres_database

CODE = "vehicle-registration-certificate-replacement"


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def certificate_item(**overrides):
    body = {
        "code": CODE,
        "title": _t("补领机动车行驶证", "Replace a lost vehicle registration certificate"),
        "description": _t("行驶证遗失可在线补领。", "Replace a lost vehicle licence online."),
        "sla_working_days": 2,
        "required_documents": [
            {
                "code": "vehicle_front_photo",
                "title": _t("车辆左前方 45 度照片", "The car from its front left, at 45°"),
                "guidance": _t("号牌清晰可见。", "The plate must be readable."),
            }
        ],
        "form_fields": [
            {
                "name": "vin",
                "type": "text",
                "label": _t("车辆识别代号", "VIN"),
                "hint": _t("17 位字母和数字。", "17 letters and digits."),
                "pattern": "vin",
                "section": "vehicle",
            },
            {
                "name": "use",
                "type": "choice",
                "label": _t("使用性质", "Use"),
                "choices": [{"value": "private", "label": _t("非营运", "Private")}],
                "required": False,
            },
        ],
        "delivery_options": [
            {"code": "courier-ems", "kind": "courier", "title": _t("EMS", "EMS"), "carrier": "EMS"}
        ],
    }
    return {**body, **overrides}


def test_an_item_created_with_every_part_is_served_as_given(client, headers) -> None:
    staff = headers("supervisor")
    assert client.post("/items", json=certificate_item(), headers=staff).status_code == 201
    fee = {"production_cost_fen": 1000, "courier_fee_fen": 1500, "approval_reference": "鲁价费发〔2017〕58号"}  # fmt: skip
    assert client.post(f"/items/{CODE}/fees", json=fee, headers=staff).status_code == 201
    assert client.post(f"/items/{CODE}/publish", headers=staff).status_code == 200

    item = client.get(f"/items/{CODE}", headers=headers("public")).json
    assert item["title"]["zh"] == "补领机动车行驶证"
    assert item["sla_working_days"] == 2
    assert item["required_documents"][0]["guidance"] == _t("号牌清晰可见。", "The plate must be readable.")  # fmt: skip
    vin, use = item["form_fields"]
    assert (vin["pattern"], vin["section"], vin["hint"]["en"]) == ("vin", "vehicle", "17 letters and digits.")  # fmt: skip
    assert (use["required"], use["section"], use["choices"][0]["value"]) == (False, "details", "private")  # fmt: skip
    assert item["delivery_options"][0]["fee_fen"] == 1500
    assert item["fee"]["approval_reference"] == "鲁价费发〔2017〕58号"


@pytest.mark.parametrize(
    ("field_override", "field"),
    [
        ({"pattern": r"[A-Z0-9]{17}"}, "form_fields.0.pattern"),
        ({"pattern": "colour"}, "form_fields.0.pattern"),
        ({"section": "garage"}, "form_fields.0.section"),
        ({"label": {"zh": "只有中文"}}, "form_fields.0.label.en"),
        ({"name": "Bad Name"}, "form_fields.0.name"),
    ],
)
def test_a_bad_question_is_refused_naming_its_dotted_field(
    client, headers, snapshot, field_override, field
) -> None:
    body = certificate_item()
    body["form_fields"][0] = {**body["form_fields"][0], **field_override}
    before = snapshot()
    answer = client.post("/items", json=body, headers=headers("supervisor"))
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == [field]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("part", "entry", "field"),
    [
        ("required_documents", {"code": "x", "title": _t("照片", "Photo")}, "required_documents.0.guidance"),
        ("required_documents", {"code": "Bad-Code", "title": _t("照", "P"), "guidance": _t("清", "S")}, "required_documents.0.code"),
        ("delivery_options", {"code": "pickup-x", "kind": "pickup", "title": _t("自取", "Pick up")}, "delivery_options.0.office"),
    ],
)  # fmt: skip
def test_a_bad_document_or_delivery_option_is_refused_naming_it(
    client, headers, snapshot, part, entry, field
) -> None:
    before = snapshot()
    answer = client.post("/items", json=certificate_item(**{part: [entry]}), headers=headers("supervisor"))  # fmt: skip
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == [field]
    assert snapshot() == before


def test_a_withdrawn_item_says_why_to_any_caller(client, store, headers) -> None:
    store.published()
    code = "driving-licence-replacement"
    staff = headers("supervisor")
    client.post(f"/items/{code}/withdraw", json={"reason": "改为窗口办理"}, headers=staff)
    answer = client.get(f"/items/{code}/withdrawal", headers=headers("public"))
    assert answer.status_code == 200
    assert answer.json["reason"] == "改为窗口办理"
    assert answer.json["title"]["en"] == "Replace a lost driving licence"
    assert client.post(f"/items/{code}/publish", headers=staff).status_code == 200
    assert client.get(f"/items/{code}/withdrawal", headers=headers("public")).status_code == 404


def test_a_draft_item_is_not_revealed_by_its_withdrawal(client, store, headers) -> None:
    store.draft()
    answer = client.get("/items/driving-licence-replacement/withdrawal", headers=headers("public"))
    assert answer.status_code == 404


def test_the_migration_names_the_seeds_regular_expressions() -> None:
    with fresh_postgres_database("catalog_patterns") as url:
        alembic_upgrade(MIGRATIONS, url, "0002")
        engine = make_engine(url)
        stored = [
            {"name": "vin_last6", "type": "text", "pattern": "[A-HJ-NPR-Z0-9]{6}"},
            {"name": "file_number", "type": "text", "pattern": r"\d{12}"},
            {"name": "odd", "type": "text", "pattern": "[a-z]+"},
            {"name": "full_name", "type": "text", "pattern": None},
        ]
        items = sa.table("items", sa.column("form_fields", sa.JSON))
        try:
            with engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO items (code, status, revision, title_zh, title_en,"
                        " description_zh, description_en, sla_working_days, required_documents,"
                        " form_fields, delivery_options, deal_count, rating_count, created_at,"
                        " updated_at) VALUES ('old', 'draft', 1, 't', 't', 'd', 'd', 3, '[]',"
                        " CAST(:fields AS jsonb), '[]', 0, 0, now(), now())"
                    ),
                    {"fields": json.dumps(stored)},
                )
            alembic_upgrade(MIGRATIONS, url)
            with engine.connect() as connection:
                [fields] = connection.execute(sa.select(items.c.form_fields)).scalars()
        finally:
            engine.dispose()
    assert [f["pattern"] for f in fields] == ["vin_last6", "licence_file_number", None, None]
