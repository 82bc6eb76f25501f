"""What anyone holding a token sees of the store, over HTTP on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

PUBLIC = ("public",)


def test_the_public_list_shows_published_items_with_their_fee_sla_rating_and_deals(
    client, store, headers
) -> None:
    store.published()
    store.draft(code="draft-only")
    answer = client.get("/items", headers=headers(*PUBLIC))
    assert answer.status_code == 200
    [item] = answer.json["items"]
    assert item["code"] == "driving-licence-replacement"
    assert item["title"] == {"zh": "补领机动车驾驶证", "en": "Replace a lost driving licence"}
    assert item["fee"]["production_cost_fen"] == 1000
    assert item["fee"]["courier_fee_fen"] == 1500
    assert item["fee"]["approval_reference"] == "鲁价费发〔2017〕58号"
    assert item["sla_working_days"] == 3
    assert item["rating"] == {"average_milli": None, "count": 0}
    assert item["deal_count"] == 0


def test_one_item_shows_its_documents_form_and_delivery_prices(client, store, headers) -> None:
    store.published()
    answer = client.get("/items/driving-licence-replacement", headers=headers("applicant"))
    assert answer.status_code == 200
    item = answer.json
    assert [doc["code"] for doc in item["required_documents"]] == ["id_card_front"]
    assert [field["type"] for field in item["form_fields"]] == ["text", "id_number", "choice"]
    assert item["form_fields"][0]["max_length"] == 30
    fees = {option["code"]: option["fee_fen"] for option in item["delivery_options"]}
    assert fees == {"courier-ems": 1500, "pickup-shinan": 0}
    pickup = item["delivery_options"][1]["office"]
    assert pickup["hours"]["en"] == "Weekdays 9:00–17:00"


def test_an_unknown_item_is_a_404_problem(client, headers) -> None:
    answer = client.get("/items/no-such-item", headers=headers(*PUBLIC))
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 404
    assert "no-such-item" in answer.json["detail"]


def test_drafts_and_withdrawn_items_do_not_exist_for_the_public(client, store, headers) -> None:
    store.draft(code="a-draft")
    store.withdrawn(code="gone-item")
    for code in ("a-draft", "gone-item"):
        for path in (f"/items/{code}", f"/items/{code}/fees"):
            answer = client.get(path, headers=headers("public"))
            assert answer.status_code == 404, path
            answer = client.get(path, headers=headers("applicant"))
            assert answer.status_code == 404, path


def test_staff_see_drafts_and_withdrawn_items(client, store, headers) -> None:
    store.draft(code="a-draft")
    store.withdrawn(code="gone-item")
    assert client.get("/items/a-draft", headers=headers("reviewer")).json["status"] == "draft"
    gone = client.get("/items/gone-item", headers=headers("supervisor")).json
    assert gone["status"] == "withdrawn"
    assert gone["withdrawn_at"] is not None


def test_staff_can_list_every_item_or_those_of_one_status(client, store, headers) -> None:
    store.published(code="on-sale")
    store.draft(code="a-draft")
    store.withdrawn(code="gone-item")

    def codes(status: str) -> list[str]:
        answer = client.get(f"/items?status={status}", headers=headers("supervisor"))
        assert answer.status_code == 200
        return [item["code"] for item in answer.json["items"]]

    assert codes("all") == ["on-sale", "a-draft", "gone-item"]
    assert codes("draft") == ["a-draft"]
    assert codes("withdrawn") == ["gone-item"]
    assert codes("published") == ["on-sale"]


def test_the_public_cannot_list_drafts(client, store, headers) -> None:
    store.draft(code="a-draft")
    answer = client.get("/items?status=all", headers=headers("applicant"))
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"


def test_an_unknown_status_filter_is_refused_naming_it(client, headers) -> None:
    answer = client.get("/items?status=archived", headers=headers("supervisor"))
    assert answer.status_code == 422
    assert "status" in answer.json["errors"]


def test_the_fee_history_lists_every_version_newest_first(client, store, headers, clock) -> None:
    code = store.published()["code"]
    clock.advance(timedelta(days=1))
    store.add_fee(code, courier_fee_fen=1800, approval_reference="鲁价费发〔2026〕3号")
    later = (clock.now() + timedelta(days=30)).isoformat()
    store.add_fee(code, courier_fee_fen=2000, effective_from=later)
    answer = client.get(f"/items/{code}/fees", headers=headers("public"))
    assert answer.status_code == 200
    versions = answer.json["versions"]
    assert [(v["version"], v["state"], v["courier_fee_fen"]) for v in versions] == [
        (3, "upcoming", 2000),
        (2, "in_force", 1800),
        (1, "superseded", 1500),
    ]
    assert versions[1]["approval_reference"] == "鲁价费发〔2026〕3号"
    assert versions[0]["created_by"] == "staff-1"


def test_the_store_summary_counts_published_items(client, store, headers) -> None:
    store.published(code="first-item")
    store.published(code="second-item")
    store.draft(code="a-draft")
    answer = client.get("/store", headers=headers("public"))
    assert answer.status_code == 200
    assert answer.json == {
        "deal_count": 0,
        "published_item_count": 2,
        "rating": {"average_milli": None, "count": 0},
    }
