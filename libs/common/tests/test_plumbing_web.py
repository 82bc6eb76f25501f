import json
import logging

import psycopg
import pytest
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from common.auth import issue_token, require_roles
from common.db import make_engine
from common.errors import Conflict
from common.logging import JsonFormatter, redact
from common.testing import POSTGRES_ADMIN_URL, fresh_postgres_database
from common.web import create_service_app

SECRET = "plumbing-test-secret-of-at-least-32-bytes"


class _Fee(Schema):
    amount_fen = fields.Integer(required=True, strict=True)


def _failing_check():
    raise ConnectionError("broker unreachable")


@pytest.fixture
def client():
    app, api = create_service_app(
        "catalog", title="Catalog", internal_token_secret=SECRET, readiness={}
    )
    blp = Blueprint("things", __name__)

    @blp.post("/fees")
    @blp.arguments(_Fee)
    @require_roles("supervisor")
    def add_fee(payload):
        """Add a fee."""
        return {"ok": payload["amount_fen"]}

    @blp.get("/conflict")
    def conflict():
        raise Conflict("The item is already published.")

    @blp.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    api.register_blueprint(blp)
    return app.test_client()


def _auth(roles):
    token = issue_token(SECRET, subject="u", roles=roles, audience="catalog")
    return {"Authorization": f"Bearer {token}"}


def test_a_request_without_a_token_is_refused_with_a_problem_document(client):
    answer = client.get("/conflict")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 401


def test_operational_endpoints_answer_without_a_token(client):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    assert b"http_requests_total" in client.get("/metrics").data
    assert "/fees" in client.get("/openapi.json").json["paths"]
    page = client.get("/docs")
    assert page.status_code == 200 and b"/fees" in page.data and b"<script" not in page.data


def test_an_open_path_answers_without_a_token_and_others_still_need_one():
    app, api = create_service_app(
        "orders",
        title="Orders",
        internal_token_secret=SECRET,
        readiness={},
        open_paths=("/webhooks/",),
    )
    blp = Blueprint("hooks", __name__)

    @blp.post("/webhooks/payments")
    def hook():
        return {"status": "processed"}

    @blp.get("/orders")
    def orders():
        return {"orders": []}

    api.register_blueprint(blp)
    client = app.test_client()
    assert client.post("/webhooks/payments").status_code == 200
    assert client.get("/orders").status_code == 401


def test_bad_input_names_the_field_and_the_reason(client):
    answer = client.post("/fees", json={"amount_fen": 10.5}, headers=_auth(["supervisor"]))
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert "amount_fen" in answer.json["errors"]
    assert "amount_fen" in answer.json["detail"]


def test_a_role_that_may_not_do_it_gets_403(client):
    answer = client.post("/fees", json={"amount_fen": 10}, headers=_auth(["reviewer"]))
    assert answer.status_code == 403
    assert "supervisor" in answer.json["detail"]


def test_a_domain_refusal_becomes_its_status_with_the_detail(client):
    answer = client.get("/conflict", headers=_auth(["public"]))
    assert answer.status_code == 409
    assert answer.json["detail"] == "The item is already published."


def test_an_unexpected_error_is_a_500_problem_without_internals(client):
    answer = client.get("/boom", headers=_auth(["public"]))
    assert answer.status_code == 500
    assert "a bug" not in answer.get_data(as_text=True)


def test_every_answer_carries_a_request_id(client):
    answer = client.get("/healthz", headers={"X-Request-ID": "req-42"})
    assert answer.headers["X-Request-ID"] == "req-42"


def test_readiness_names_the_dependency_that_is_down():
    app, _ = create_service_app(
        "catalog", title="C", internal_token_secret=SECRET, readiness={"bus": _failing_check}
    )
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert "bus" in answer.json["errors"]


def test_logs_never_hold_passwords_tokens_or_id_numbers():
    record = logging.makeLogRecord(
        {"msg": "signed in", "password": "hunter2", "extra_data": {"id_number": "110101"}}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["password"] == "[redacted]"
    assert line["extra_data"]["id_number"] == "[redacted]"
    assert redact({"Token": "t", "items": [{"photo": b"x"}]}) == {
        "Token": "[redacted]",
        "items": [{"photo": "[redacted]"}],
    }


def _database_app(url: str, *, midway=None):
    """A service whose one route reads its database twice, as a use case does; `midway`
    runs between the two reads with the connection's backend pid."""
    app, api = create_service_app(
        "catalog", title="Catalog", internal_token_secret=SECRET, readiness={}
    )
    engine = make_engine(url)
    blp = Blueprint("reads", __name__)

    @blp.get("/read")
    def read():
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            if midway:
                midway(pid)
            return {"one": connection.execute(text("SELECT 1")).scalar_one()}

    api.register_blueprint(blp)
    return app.test_client()


def _terminate(pid):
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _assert_database_unavailable(answer):
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    assert answer.json["type"] == "/problems/database-unavailable"
    assert answer.headers["Retry-After"] == "1"
    assert "127.0.0.1" not in answer.get_data(as_text=True), "no internals"


def test_a_database_that_cannot_be_reached_is_a_503_to_retry_not_a_500():
    client = _database_app("postgresql://postgres@127.0.0.1:9/nowhere")
    _assert_database_unavailable(client.get("/read", headers=_auth(["public"])))


def test_a_request_whose_database_connection_is_terminated_midway_is_a_503_not_a_500():
    with fresh_postgres_database("web") as url:
        client = _database_app(url, midway=_terminate)
        _assert_database_unavailable(client.get("/read", headers=_auth(["public"])))
