"""The baseline for the store front: a bare Flask endpoint serving a fixed JSON body.

It does what any Flask JSON endpoint must do (routing, a response object) and
nothing our services add (tokens, a hop to the catalog, metrics, logging).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response


def create_app() -> Flask:
    body = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
    app = Flask("bare")

    @app.get("/items")
    def items() -> Response:
        return Response(body, mimetype="application/json")

    return app
