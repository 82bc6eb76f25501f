"""A supervisor puts items on sale, changes them and their fees, and takes them
off sale: over HTTP on PostgreSQL, checking what the public then sees and
what the outbox holds. Every refusal leaves the database and outbox as they were.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.events import SCHEMAS

CODE = "driving-licence-replacement"


def event_types(outbox_events) -> list[str]:
    return [event["type"] for event in outbox_events()]


# --- creating ------------------------------------------------------------------------


def test_a_new_item_is_a_draft_invisible_to_the_public(
    client, headers, item_body, outbox_events
) -> None:
    answer = client.post("/items", json=item_body(), headers=headers("supervisor"))
    assert answer.status_code == 201
    assert answer.json["status"] == "draft"
    assert answer.json["fee"] is None
    assert client.get(f"/items/{CODE}", headers=headers("public")).status_code == 404
    assert outbox_events() == []


def test_a_duplicate_item_code_is_a_conflict_and_changes_nothing(
    client, store, headers, item_body, snapshot
) -> None:
    store.draft()
    before = snapshot()
    answer = client.post(
        "/items",
        json=item_body(title={"zh": "另一个", "en": "Another"}),
        headers=headers("supervisor"),
    )
    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert "code" in answer.json["errors"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "Not A Code"}, "code"),
        ({"title": {"zh": "只有中文"}}, "title.en"),
        ({"description": {"zh": "  ", "en": "blank in Chinese"}}, "description.zh"),
        ({"sla_working_days": 0}, "sla_working_days"),
        ({"sla_working_days": 2.5}, "sla_working_days"),
        ({"form_fields": [{"name": "x", "type": "colour", "label": {"zh": "色", "en": "c"}}]}, "form_fields.0.type"),
        ({"delivery_options": [{"code": "drone", "kind": "drone", "title": {"zh": "无", "en": "d"}}]}, "delivery_options.0.kind"),
        ({"price": 100}, "price"),
    ],
)  # fmt: skip
def test_an_item_with_a_bad_part_is_refused_naming_it(
    client, headers, item_body, snapshot, overrides, field
) -> None:
    before = snapshot()
    answer = client.post("/items", json=item_body(**overrides), headers=headers("supervisor"))
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert list(answer.json["errors"]) == [field]
    assert snapshot() == before


def test_a_form_with_inconsistent_fields_is_refused_naming_the_entry(
    client, headers, item_body, snapshot
) -> None:
    fields = item_body()["form_fields"]
    fields[2]["choices"] = []
    before = snapshot()
    answer = client.post(
        "/items", json=item_body(form_fields=fields), headers=headers("supervisor")
    )
    assert answer.status_code == 422
    assert "form_fields.2.choices" in answer.json["errors"]
    assert snapshot() == before


def test_a_request_without_a_body_is_refused(client, headers, snapshot) -> None:
    before = snapshot()
    answer = client.post("/items", headers=headers("supervisor"))
    assert answer.status_code == 422
    assert "code" in answer.json["errors"]
    assert snapshot() == before


# --- the fee schedule ---------------------------------------------------------------


def test_a_fee_change_makes_a_new_version_and_one_item_changed_event(
    client, store, headers, outbox_events, clock
) -> None:
    store.published()
    before = len(outbox_events())
    clock.advance(timedelta(hours=1))
    answer = client.post(
        f"/items/{CODE}/fees",
        json={"production_cost_fen": 1000, "courier_fee_fen": 1800, "approval_reference": "鲁价费发〔2026〕3号"},
        headers=headers("supervisor", subject="staff-9"),
    )  # fmt: skip
    assert answer.status_code == 201
    assert answer.json["version"] == 2
    assert answer.json["state"] == "in_force"
    assert answer.json["created_by"] == "staff-9"
    item = client.get(f"/items/{CODE}", headers=headers("public")).json
    assert item["fee"]["courier_fee_fen"] == 1800
    assert {o["code"]: o["fee_fen"] for o in item["delivery_options"]}["courier-ems"] == 1800
    events = outbox_events()[before:]
    assert [event["type"] for event in events] == ["catalog.item_changed"]
    data = events[0]["data"]
    assert data["changed"] == ["fee"]
    assert data["new_fee_version"]["courier_fee_fen"] == 1800
    assert data["fee"]["version"] == 2
    assert data["actor"] == "staff-9"
    assert SCHEMAS["catalog.item_changed"]().validate(data) == {}


def test_the_earlier_fee_version_stays_exactly_as_it_was(client, store, headers) -> None:
    store.published()
    first = client.get(f"/items/{CODE}/fees", headers=headers("public")).json["versions"][0]
    store.add_fee(CODE, production_cost_fen=1200, approval_reference="鲁价费发〔2026〕4号")
    history = client.get(f"/items/{CODE}/fees", headers=headers("public")).json["versions"]
    assert {**history[1], "state": "in_force"} == first


def test_a_future_dated_fee_is_upcoming_until_its_time_comes(client, store, headers, clock) -> None:
    store.published()
    start = clock.now() + timedelta(days=10)
    store.add_fee(CODE, production_cost_fen=800, effective_from=start.isoformat())
    item = client.get(f"/items/{CODE}", headers=headers("public")).json
    assert item["fee"]["production_cost_fen"] == 1000
    assert item["upcoming_fee"]["production_cost_fen"] == 800
    clock.advance(timedelta(days=10))
    item = client.get(f"/items/{CODE}", headers=headers("public")).json
    assert item["fee"]["production_cost_fen"] == 800
    assert item["upcoming_fee"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"production_cost_fen": -100}, "production_cost_fen"),
        ({"courier_fee_fen": -1}, "courier_fee_fen"),
        ({"production_cost_fen": 10.5}, "production_cost_fen"),
        ({"production_cost_fen": 1000.0}, "production_cost_fen"),
        ({"courier_fee_fen": "1500"}, "courier_fee_fen"),
        ({"production_cost_fen": True}, "production_cost_fen"),
        ({"production_cost_fen": None}, "production_cost_fen"),
        ({"courier_fee_fen": None}, "courier_fee_fen"),
        ({"approval_reference": None}, "approval_reference"),
        ({"approval_reference": "   "}, "approval_reference"),
        ({"production_cost_fen": 10_000_001}, "production_cost_fen"),
        ({"effective_from": "2026-05-01T00:00:00"}, "effective_from"),
        ({"effective_from": "2025-01-01T00:00:00+08:00"}, "effective_from"),
    ],
)
def test_a_bad_fee_is_refused_naming_the_field_and_nothing_is_written(
    client, store, headers, fee_body, snapshot, overrides, field
) -> None:
    store.published()
    before = snapshot()
    answer = client.post(
        f"/items/{CODE}/fees", json=fee_body(**overrides), headers=headers("supervisor")
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]
    assert field in answer.json["detail"]
    assert snapshot() == before


def test_a_fee_for_an_unknown_item_is_a_404(client, headers, fee_body, snapshot) -> None:
    before = snapshot()
    answer = client.post("/items/no-such-item/fees", json=fee_body(), headers=headers("supervisor"))
    assert answer.status_code == 404
    assert snapshot() == before


# --- publishing and withdrawing ---------------------------------------------------------


def test_publishing_puts_the_item_on_sale_and_announces_it(
    client, store, headers, outbox_events
) -> None:
    store.draft()
    store.add_fee(CODE)
    answer = client.post(f"/items/{CODE}/publish", headers=headers("supervisor"))
    assert answer.status_code == 200
    assert answer.json["status"] == "published"
    assert client.get(f"/items/{CODE}", headers=headers("public")).status_code == 200
    [published] = [e for e in outbox_events() if e["type"] == "catalog.item_published"]
    assert published["producer"] == "catalog"
    assert published["data"]["fee"]["production_cost_fen"] == 1000
    assert SCHEMAS["catalog.item_published"]().validate(published["data"]) == {}


def test_an_item_without_a_fee_cannot_be_published_and_the_answer_says_why(
    client, store, headers, snapshot
) -> None:
    store.draft()
    before = snapshot()
    answer = client.post(f"/items/{CODE}/publish", headers=headers("supervisor"))
    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert "no fee in force" in answer.json["detail"]
    assert snapshot() == before


def test_an_item_whose_only_fee_starts_later_cannot_be_published_yet(
    client, store, headers, clock, snapshot
) -> None:
    store.draft()
    store.add_fee(CODE, effective_from=(clock.now() + timedelta(days=2)).isoformat())
    before = snapshot()
    answer = client.post(f"/items/{CODE}/publish", headers=headers("supervisor"))
    assert answer.status_code == 409
    assert snapshot() == before


def test_an_item_cannot_be_published_twice(client, store, headers, snapshot) -> None:
    store.published()
    before = snapshot()
    answer = client.post(f"/items/{CODE}/publish", headers=headers("supervisor"))
    assert answer.status_code == 409
    assert "already published" in answer.json["detail"]
    assert snapshot() == before


def test_withdrawing_takes_the_item_off_sale_with_its_reason(
    client, store, headers, outbox_events
) -> None:
    store.published()
    answer = client.post(
        f"/items/{CODE}/withdraw", json={"reason": "暂停线上办理"}, headers=headers("supervisor")
    )
    assert answer.status_code == 200
    assert answer.json["status"] == "withdrawn"
    assert client.get(f"/items/{CODE}", headers=headers("public")).status_code == 404
    assert client.get("/items", headers=headers("public")).json["items"] == []
    withdrawn = outbox_events()[-1]
    assert withdrawn["type"] == "catalog.item_withdrawn"
    assert withdrawn["data"]["reason"] == "暂停线上办理"
    assert SCHEMAS["catalog.item_withdrawn"]().validate(withdrawn["data"]) == {}


def test_a_draft_cannot_be_withdrawn(client, store, headers, snapshot) -> None:
    store.draft()
    before = snapshot()
    answer = client.post(f"/items/{CODE}/withdraw", headers=headers("supervisor"))
    assert answer.status_code == 409
    assert snapshot() == before


def test_a_withdrawn_item_can_go_back_on_sale(client, store, headers) -> None:
    store.withdrawn()
    answer = client.post(f"/items/{CODE}/publish", headers=headers("supervisor"))
    assert answer.status_code == 200
    assert client.get(f"/items/{CODE}", headers=headers("public")).json["withdrawn_at"] is None


def test_every_change_raises_the_items_revision(client, store, headers, outbox_events) -> None:
    store.published()
    store.add_fee(CODE, courier_fee_fen=1600)
    client.post(f"/items/{CODE}/withdraw", headers=headers("supervisor"))
    revisions = [event["data"]["revision"] for event in outbox_events()]
    assert revisions == sorted(revisions)
    assert len(set(revisions)) == len(revisions)


# --- changing an item ------------------------------------------------------------------


def test_changing_the_texts_is_announced_and_shown(client, store, headers, outbox_events) -> None:
    store.published()
    before = len(outbox_events())
    title = {"zh": "补领驾驶证（遗失）", "en": "Replace a lost licence"}
    answer = client.patch(
        f"/items/{CODE}",
        json={"title": title, "sla_working_days": 2},
        headers=headers("supervisor"),
    )
    assert answer.status_code == 200
    shown = client.get(f"/items/{CODE}", headers=headers("public")).json
    assert shown["title"] == title
    assert shown["sla_working_days"] == 2
    [changed] = outbox_events()[before:]
    assert changed["type"] == "catalog.item_changed"
    assert changed["data"]["changed"] == ["texts", "sla"]
    assert changed["data"]["new_fee_version"] is None


def test_a_change_to_the_same_values_changes_nothing_and_announces_nothing(
    client, store, headers, snapshot
) -> None:
    item = store.published()
    before = snapshot()
    answer = client.patch(
        f"/items/{CODE}", json={"title": item["title"]}, headers=headers("supervisor")
    )
    assert answer.status_code == 200
    assert answer.json["revision"] == item["revision"]
    assert snapshot() == before


def test_an_empty_change_is_refused(client, store, headers) -> None:
    store.draft()
    answer = client.patch(f"/items/{CODE}", json={}, headers=headers("supervisor"))
    assert answer.status_code == 422


def test_a_published_item_cannot_lose_every_delivery_option(
    client, store, headers, snapshot
) -> None:
    store.published()
    before = snapshot()
    answer = client.patch(
        f"/items/{CODE}", json={"delivery_options": []}, headers=headers("supervisor")
    )
    assert answer.status_code == 422
    assert "delivery_options" in answer.json["errors"]
    assert snapshot() == before


def test_the_form_can_be_replaced_whole(client, store, headers) -> None:
    store.published()
    phone = {"name": "phone", "type": "phone", "label": {"zh": "手机", "en": "Mobile"}}
    answer = client.patch(
        f"/items/{CODE}", json={"form_fields": [phone]}, headers=headers("supervisor")
    )
    assert answer.status_code == 200
    [field] = client.get(f"/items/{CODE}", headers=headers("public")).json["form_fields"]
    assert field["name"] == "phone"
    assert field["required"] is True


def test_changing_an_unknown_item_is_a_404(client, headers, snapshot) -> None:
    before = snapshot()
    answer = client.patch(
        "/items/no-such-item", json={"sla_working_days": 2}, headers=headers("supervisor")
    )
    assert answer.status_code == 404
    assert snapshot() == before
