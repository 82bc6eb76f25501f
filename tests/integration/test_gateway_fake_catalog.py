"""The gateway's service tests read the catalog from a fake that answers, path
by path, what the catalog answered to the gateway's reads for its seeded items
(services/gateway/tests/service/catalog_answers.json). Here the real catalog,
seeded, is asked the same paths with the same callers: each answer is the
saved one, and the gateway reads the same items from both, so the fake cannot
drift from the catalog it stands for."""

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
from gateway.clients.catalog import _item

FAKE = Path(__file__).resolve().parents[2] / "services/gateway/tests/service/catalog_answers.json"
ANSWERS: dict[str, Any] = json.loads(FAKE.read_text(encoding="utf-8"))
SECRET = "gateway-fake-catalog-check-secret-of-32-bytes"
# What changes with the moment the catalog was seeded, not with its shape.
MOMENTS = {"created_at", "updated_at", "published_at"}
# The gateway lists every item, whatever its status, for supervisors only.
STAFF_PATHS = {"/items?status=all"}


@pytest.fixture(scope="module")
def catalog() -> Iterator[FlaskClient]:
    with migrated_database(upgrade, "gw_fake_catalog") as url:
        seed(url)
        env = {"CATALOG_DATABASE_URL": url, "BUS_URL": "memory://",
               "INTERNAL_TOKEN_SECRET": SECRET, "LOG_FORMAT": "text"}  # fmt: skip
        app = create_app(Settings.from_env(Env(env)))
        try:
            yield app.test_client()
        finally:
            app.extensions["catalog.engine"].dispose()


def real_answer(catalog: FlaskClient, path: str) -> Any:
    roles = ["supervisor"] if path in STAFF_PATHS else ["public"]
    token = issue_token(SECRET, subject="gateway-check", roles=roles, audience="catalog")
    answer = catalog.get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json
    return answer.json


def without_moments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_moments(v) for k, v in value.items() if k not in MOMENTS}
    if isinstance(value, list):
        return [without_moments(v) for v in value]
    return value


def test_the_fake_answers_every_read_the_gateway_makes_of_the_seeded_catalog():
    codes = {item["code"] for item in ANSWERS["/items"]["items"]}
    assert codes == {
        "driving-licence-replacement",
        "licence-plate-replacement",
        "annual-licence-verification",
    }
    assert {"/items", "/items?status=all", "/store"} | {f"/items/{c}" for c in codes} == set(
        ANSWERS
    )


@pytest.mark.parametrize("path", sorted(ANSWERS))
def test_the_fake_catalogs_answer_is_what_the_catalog_answers(catalog, path):
    assert without_moments(ANSWERS[path]) == without_moments(real_answer(catalog, path))


@pytest.mark.parametrize(
    "code", sorted(k.removeprefix("/items/") for k in ANSWERS if k.startswith("/items/"))
)
def test_the_gateway_reads_the_same_item_from_the_fake_and_the_catalog(catalog, code):
    path = f"/items/{code}"
    assert _item(ANSWERS[path]) == _item(real_answer(catalog, path))
