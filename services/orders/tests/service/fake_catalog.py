"""The catalog as orders' service tests see it: `GET /items/<code>` answering
the catalog's own JSON for its three seeded items (catalog_items.json, as
the catalog serves them), 404 for any other code, 401 without a token for
audience `catalog`. Orders' tests thus run with only orders and libs/common
installed; tests/integration/test_orders_fake_catalog.py checks this JSON
against what the real catalog answers, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask, request

from common.auth import verify_token
from common.errors import Unauthorized

ITEMS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).with_name("catalog_items.json")).read_text(encoding="utf-8")
)


def create_fake_catalog(token_secret: str) -> Flask:
    app = Flask("fake_catalog")

    @app.get("/items/<code>")
    def item(code: str) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            verify_token(token_secret, token, audience="catalog")
        except Unauthorized:
            return {"title": "Unauthorized", "status": 401}, 401
        if scheme != "Bearer" or code not in ITEMS:
            return {"title": "Not Found", "status": 404}, 404
        return ITEMS[code]

    return app
