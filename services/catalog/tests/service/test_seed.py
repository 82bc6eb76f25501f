"""The store's own items, as the seed puts them on sale."""

from __future__ import annotations

from catalog.migrate import upgrade
from catalog.seed import seed
from catalog.services import get_item, list_items


def test_the_seed_puts_the_three_items_on_sale_at_their_approved_prices(
    uow_factory, outbox_events
) -> None:
    assert len(seed(uow_factory())) == 3
    items = {
        item["code"]: item for item in list_items(uow_factory(), status="published", staff=False)
    }
    prices = {
        code: (i["fee"]["production_cost_fen"], i["fee"]["courier_fee_fen"])
        for code, i in items.items()
    }
    assert prices == {
        "driving-licence-replacement": (1000, 1500),
        "licence-plate-replacement": (10000, 2000),
        "annual-licence-verification": (0, 1500),
    }  # fmt: skip
    for item in items.values():
        assert item["fee"]["approval_reference"].startswith("鲁价费发")
        assert item["title"]["zh"] and item["title"]["en"]
    assert [event["type"] for event in outbox_events()] == ["catalog.item_published"] * 3


def test_every_seed_item_can_be_picked_up_free_at_a_qingdao_office(uow_factory) -> None:
    seed(uow_factory())
    item = get_item(uow_factory(), "licence-plate-replacement", staff=False)
    pickups = [o for o in item["delivery_options"] if o["kind"] == "pickup"]
    assert {o["code"] for o in pickups} == {"pickup-shinan", "pickup-huangdao", "pickup-chengyang"}
    assert all(o["fee_fen"] == 0 for o in pickups)
    assert all("青岛" in o["office"]["name"]["zh"] for o in pickups)
    documents = {d["code"] for d in item["required_documents"]}
    assert {"id_card_front", "selfie_with_id_card", "vehicle_photo"} <= documents


def test_seeding_twice_changes_nothing(uow_factory, snapshot) -> None:
    seed(uow_factory())
    before = snapshot()
    assert seed(uow_factory()) == []
    assert snapshot() == before


def test_the_seed_leaves_an_item_staff_already_changed_alone(uow_factory, client, store) -> None:
    store.draft(code="driving-licence-replacement", sla_working_days=9)
    assert "driving-licence-replacement" not in seed(uow_factory())
    assert get_item(uow_factory(), "driving-licence-replacement", staff=True)["status"] == "draft"


def test_the_one_process_mode_migrates_and_seeds_sqlite(tmp_path) -> None:
    from catalog.seed import run

    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    upgrade(url)
    upgrade(url)  # the launcher migrates on every start
    run(url)
    run(url)

    from common.db import UnitOfWork, make_engine, make_session_factory

    engine = make_engine(url)
    try:
        uow = UnitOfWork(make_session_factory(engine), "catalog")
        assert len(list_items(uow, status="published", staff=False)) == 3
    finally:
        engine.dispose()
