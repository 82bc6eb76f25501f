"""The catalog client's per-process cache of items, over a fake of the
service client: what it keeps, for how long, and what a fresh read does."""

from __future__ import annotations

from common.cache import TTLCache
from common.service_client import ServiceNotFound
from orders.clients.catalog import CatalogClient

SECRET = "cache-test-secret"
ITEM = "driving-licence-replacement"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _item_json(version: int) -> dict[str, object]:
    return {
        "code": ITEM, "status": "published", "revision": version,
        "title": {"zh": "补领驾驶证", "en": "Driving licence replacement"},
        "sla_working_days": 3,
        "required_documents": [], "form_fields": [], "delivery_options": [],
        "fee": {"version": version, "production_cost_fen": 1000 * version, "courier_fee_fen": 1500,
                "approval_reference": "ref", "effective_from": "2026-01-01T00:00:00+08:00"},
        "upcoming_fee": None,
    }  # fmt: skip


class _Catalog:
    """A service client whose GET answers the item at the current fee version (or 404)."""

    def __init__(self) -> None:
        self.version = 1
        self.on_sale = True
        self.calls = 0

    def get(self, path: str) -> dict[str, object]:
        self.calls += 1
        if not self.on_sale:
            raise ServiceNotFound("catalog", 404, f"There is no item {path}.")
        return _item_json(self.version)


def _client(seconds: float = 5.0) -> tuple[CatalogClient, _Catalog, _Clock]:
    catalog, clock = _Catalog(), _Clock()
    client = CatalogClient(
        "http://catalog", SECRET, service=catalog,
        cache=TTLCache(seconds, clock=clock),
    )  # fmt: skip
    return client, catalog, clock


def _version(client: CatalogClient, *, fresh: bool = False) -> int:
    item = client.item(ITEM, fresh=fresh)
    assert item is not None and item.fee is not None
    return int(item.fee["version"])


def test_a_draft_read_within_the_time_to_live_does_not_call_the_catalog():
    client, catalog, clock = _client()
    assert _version(client) == 1
    clock.now += 4.9
    assert _version(client) == 1
    assert catalog.calls == 1


def test_an_expired_item_is_read_again():
    client, catalog, clock = _client()
    _version(client)
    catalog.version = 2
    clock.now += 5.1
    assert _version(client) == 2
    assert catalog.calls == 2


def test_a_fresh_read_always_asks_the_catalog_and_refreshes_the_cache():
    client, catalog, _clock = _client()
    assert _version(client) == 1
    catalog.version = 2  # a fee that takes effect at once
    assert _version(client, fresh=True) == 2
    assert _version(client) == 2  # the cached copy was refreshed
    assert catalog.calls == 2


def test_an_item_not_on_sale_is_not_remembered():
    client, catalog, _clock = _client()
    catalog.on_sale = False
    assert client.item(ITEM) is None
    catalog.on_sale = True
    assert _version(client) == 1
    assert catalog.calls == 2


def test_an_item_found_off_sale_by_a_fresh_read_leaves_the_cache():
    client, catalog, _clock = _client()
    _version(client)
    catalog.on_sale = False
    assert client.item(ITEM, fresh=True) is None
    assert client.item(ITEM) is None
    assert catalog.calls == 3


def test_a_time_to_live_of_zero_reads_the_catalog_every_time():
    client, catalog, _clock = _client(0)
    _version(client)
    _version(client)
    assert catalog.calls == 2
