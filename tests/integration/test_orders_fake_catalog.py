"""Orders' service tests read the catalog from a fake that answers the
catalog's JSON for its seeded items (services/orders/tests/service/
catalog_items.json). Here the real catalog, seeded, answers the same codes:
each item has the same fields, and orders reads the same item from both, so
the fake cannot drift from the catalog it stands for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from catalog.app import create_app
from catalog.migrate import upgrade
from catalog.seed import run as seed
from catalog.settings import Settings
from common.auth import issue_token
from common.settings import Env
from common.testing import migrated_database
from orders.clients.catalog import CatalogItem

FAKE = Path(__file__).resolve().parents[2] / "services/orders/tests/service/catalog_items.json"
ITEMS: dict[str, dict[str, Any]] = json.loads(FAKE.read_text(encoding="utf-8"))
SECRET = "orders-fake-catalog-check-secret-of-32-bytes"
# What changes with the moment the catalog was seeded, not with its shape.
MOMENTS = {"created_at", "updated_at", "published_at"}


@pytest.fixture(scope="module")
def catalog() -> Iterator[FlaskClient]:
    with migrated_database(upgrade, "orders_fake_catalog") as url:
        seed(url)
        env = {"CATALOG_DATABASE_URL": url, "BUS_URL": "memory://",
               "INTERNAL_TOKEN_SECRET": SECRET, "LOG_FORMAT": "text"}  # fmt: skip
        app = create_app(Settings.from_env(Env(env)))
        try:
            yield app.test_client()
        finally:
            app.extensions["catalog.engine"].dispose()


def real_item(catalog: FlaskClient, code: str) -> dict[str, Any]:
    token = issue_token(SECRET, subject="orders", roles=["service"], audience="catalog")
    answer = catalog.get(f"/items/{code}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json
    return answer.json  # type: ignore[no-any-return]


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_the_fake_catalogs_item_is_what_the_catalog_answers(catalog, code):
    real = real_item(catalog, code)
    fake = ITEMS[code]
    assert {k: v for k, v in fake.items() if k not in MOMENTS} == {
        k: v for k, v in real.items() if k not in MOMENTS
    }
    assert CatalogItem.from_json(fake) == CatalogItem.from_json(real)
