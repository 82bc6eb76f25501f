"""The baseline for the applicant's journey: bare Flask endpoints doing the least
a web request that records something must do.

`POST /rows` inserts one row into PostgreSQL (one connection per gunicorn
worker thread, one transaction per request) and answers its id; `PUT /upload` reads a
multipart file and answers its size. No tokens, no schemas, no outbox, no
second service, no image processing.
"""

from __future__ import annotations

import os
import threading

import psycopg
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from psycopg.types.json import Jsonb


def create_app() -> Flask:
    app = Flask("bare-insert")
    url = os.environ["BENCH_DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute(
            "CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL)"
        )
    local = threading.local()

    def connection() -> psycopg.Connection[tuple[object, ...]]:
        # One per thread, opened once: the least a threaded worker can do.
        if not hasattr(local, "connection"):
            local.connection = psycopg.connect(url, autocommit=True)
        return local.connection  # type: ignore[no-any-return]

    @app.post("/rows")
    def insert_row() -> ResponseReturnValue:
        row = (
            connection()
            .execute(
                "INSERT INTO bench_rows (body) VALUES (%s) RETURNING id",
                (Jsonb(request.get_json(force=True)),),
            )
            .fetchone()
        )
        return jsonify(id=row[0] if row else None), 201

    @app.put("/upload")
    def upload() -> ResponseReturnValue:
        file = request.files["file"]
        return jsonify(size=len(file.read())), 201

    return app
