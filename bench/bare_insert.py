"""The baseline for the applicant's journey: bare Flask endpoints doing the least
a web request that records something must do.

`POST /rows` inserts one row into PostgreSQL (one connection per gunicorn
worker, one transaction per request) and answers its id; `PUT /upload` reads a
multipart file and answers its size. No tokens, no schemas, no outbox, no
second service, no image processing.
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue


def create_app() -> Flask:
    app = Flask("bare-insert")
    connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL)"
    )

    @app.post("/rows")
    def insert_row() -> ResponseReturnValue:
        row = connection.execute(
            "INSERT INTO bench_rows (body) VALUES (%s) RETURNING id",
            (psycopg.types.json.Jsonb(request.get_json(force=True)),),
        ).fetchone()
        return jsonify(id=row[0] if row else None), 201

    @app.put("/upload")
    def upload() -> ResponseReturnValue:
        file = request.files["file"]
        return jsonify(size=len(file.read())), 201

    return app
