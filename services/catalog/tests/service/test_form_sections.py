"""Each form field names the page it is asked on, as the gateway draws the form."""

from __future__ import annotations

import json

import sqlalchemy as sa

from catalog.app import create_app
from catalog.migrate import MIGRATIONS
from catalog.seed import seed
from catalog.services import get_item
from common.db import make_engine
from common.migrations import upgrade as alembic_upgrade
from common.service_client import ServiceClient
from common.testing import fresh_postgres_database
from common.testing_http import serve_in_thread


def test_an_item_keeps_each_fields_section_and_defaults_to_details(
    client, headers, item_body
) -> None:
    fields = item_body()["form_fields"]
    fields[1]["section"] = "vehicle"
    answer = client.post(
        "/items", json=item_body(form_fields=fields), headers=headers("supervisor")
    )
    assert answer.status_code == 201, answer.json
    assert [f["section"] for f in answer.json["form_fields"]] == ["details", "vehicle", "details"]


def test_a_field_with_an_unknown_section_is_refused_naming_it(
    client, headers, item_body, snapshot
) -> None:
    fields = item_body()["form_fields"]
    fields[0]["section"] = "garage"
    before = snapshot()
    answer = client.post(
        "/items", json=item_body(form_fields=fields), headers=headers("supervisor")
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert list(answer.json["errors"]) == ["form_fields.0.section"]
    assert snapshot() == before


def test_the_seed_asks_its_vehicle_questions_on_the_vehicle_page(uow_factory) -> None:
    seed(uow_factory())
    sections = {
        field["name"]: field["section"]
        for code in ("licence-plate-replacement", "annual-licence-verification")
        for field in get_item(uow_factory(), code, staff=False)["form_fields"]
    }
    vehicle = {name for name, section in sections.items() if section == "vehicle"}
    assert vehicle == {
        "plate_number", "plate_kind", "vin_last6", "registration_date", "insurance_valid_until",
    }  # fmt: skip
    assert sections["owner_name"] == sections["phone"] == "details"


def test_another_service_reads_each_fields_section_over_http(
    db, database_url, settings_for, clock, uow_factory
) -> None:
    seed(uow_factory())
    app = create_app(settings_for(database_url), clock=clock)
    url, stop = serve_in_thread(app)
    try:
        catalog = ServiceClient(
            url,
            audience="catalog",
            token_secret=app.config["INTERNAL_TOKEN_SECRET"],
            subject="gateway",
        )
        item = catalog.get("/items/licence-plate-replacement")
    finally:
        stop()
        app.extensions["catalog.engine"].dispose()
    assert {f["name"]: f["section"] for f in item["form_fields"]}["plate_number"] == "vehicle"


def test_the_migration_gives_fields_stored_before_sections_theirs() -> None:
    with fresh_postgres_database("catalog_sections") as url:
        alembic_upgrade(MIGRATIONS, url, "0001")
        engine = make_engine(url)
        stored = [
            {"name": "full_name", "type": "text"},
            {"name": "plate_number", "type": "plate_number"},
            {"name": "vin_last6", "type": "text"},
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
    assert [f["section"] for f in fields] == ["details", "vehicle", "vehicle"]
