"""The catalog as the gateway's service tests see it: the catalog's own answers
to the reads the gateway makes (`GET /items`, `/items?status=all`,
`/items/<code>`, `/store`), saved in catalog_answers.json from the real
catalog with its seed, served by path. Any other read is a 404 problem, a
write a 405 (the tests of the gateway's pages that change the catalog run
against the real one, in tests/integration/gateway), and a call without a
token for audience `catalog` a 401.

The gateway's tests thus run with only the gateway and libs/common installed;
tests/integration/test_gateway_fake_catalog.py asks the real catalog the
same paths and checks that it answers this JSON, so the fake cannot drift
from the catalog it stands for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask, request

from common.auth import verify_token
from common.errors import Unauthorized

ANSWERS_FILE = Path(__file__).with_name("catalog_answers.json")
ANSWERS: dict[str, Any] = json.loads(ANSWERS_FILE.read_text(encoding="utf-8"))


def _problem(status: int, title: str) -> tuple[dict[str, Any], int]:
    return {"type": "about:blank", "title": title, "status": status}, status


def create_fake_catalog(token_secret: str) -> Flask:
    app = Flask("fake_catalog")

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def answer(path: str) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            verify_token(token_secret, token, audience="catalog")
        except Unauthorized:
            return _problem(401, "Unauthorized")
        if scheme != "Bearer":
            return _problem(401, "Unauthorized")
        if request.method != "GET":
            return _problem(405, "The fake catalog answers reads only")
        query = request.query_string.decode()
        key = f"/{path}" + (f"?{query}" if query else "")
        if key not in ANSWERS:
            return _problem(404, "Not Found")
        return ANSWERS[key]

    return app
