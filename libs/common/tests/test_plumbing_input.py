"""Bad input at the edge: nested field errors come back as flat dotted keys,
and control characters are refused with 422 naming the field, before any
view or database sees them (PostgreSQL refuses NUL; SQLite stores it)."""

import pytest
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from common.auth import issue_token
from common.errors import flatten_field_errors
from common.web import create_service_app

SECRET = "input-test-secret-of-at-least-32-bytes!"


class _Address(Schema):
    street = fields.String(required=True)


class _Order(Schema):
    address = fields.Nested(_Address, required=True)
    lines = fields.List(fields.Nested(_Address))
    note = fields.String()


@pytest.fixture
def client():
    app, api = create_service_app(
        "orders", title="Orders", internal_token_secret=SECRET, readiness={}
    )
    blp = Blueprint("things", __name__)
    seen: list[object] = []

    @blp.post("/orders")
    @blp.arguments(_Order)
    def create(payload):
        seen.append(payload)
        return {"ok": True}

    @blp.post("/orders/<code>/notes", endpoint="notes")
    def notes(code):
        seen.append(code)
        return {"ok": True}

    api.register_blueprint(blp)
    test_client = app.test_client()
    test_client.seen = seen
    return test_client


def _auth():
    token = issue_token(SECRET, subject="u", roles=["applicant"], audience="orders")
    return {"Authorization": f"Bearer {token}"}


def test_nested_errors_are_flat_dotted_keys():
    messages = {
        "json": {
            "address": {"fee": ["Unknown field."], "street": ["Missing data."]},
            "lines": {1: {"street": ["Not a string."]}},
            "photo": {"_schema": ["Too small."]},
        }
    }
    assert flatten_field_errors(messages) == {
        "address.fee": ["Unknown field."],
        "address.street": ["Missing data."],
        "lines.1.street": ["Not a string."],
        "photo": ["Too small."],
    }


def test_an_unknown_nested_field_names_its_path_not_a_python_repr(client):
    answer = client.post("/orders", json={"address": {"street": "x", "fee": 1}}, headers=_auth())
    assert answer.status_code == 422
    assert answer.json["errors"] == {"address.fee": ["Unknown field."]}
    assert "address.fee" in answer.json["detail"]


@pytest.mark.parametrize("bad", ["\x00", "a\x00b", "\x1b[2J", "\x7f", "\x0b"])
def test_control_characters_in_a_json_text_are_refused_naming_the_field(client, bad):
    answer = client.post(
        "/orders", json={"address": {"street": bad}, "note": "fine"}, headers=_auth()
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert list(answer.json["errors"]) == ["address.street"]
    assert client.seen == []


def test_control_characters_are_found_in_lists_and_keys(client):
    answer = client.post(
        "/orders",
        json={"address": {"street": "x"}, "lines": [{"street": "ok"}, {"street": "\x00"}]},
        headers=_auth(),
    )
    assert answer.json["errors"] == {"lines.1.street": ["Control characters are not allowed."]}
    answer = client.post("/orders", json={"address": {"street": "x"}, "n\x00": 1}, headers=_auth())
    assert answer.json["errors"] == {"n?": ["Control characters are not allowed."]}
    assert client.seen == []


def test_newlines_and_tabs_are_text(client):
    answer = client.post(
        "/orders", json={"address": {"street": "line 1\r\nline 2\tend"}}, headers=_auth()
    )
    assert answer.status_code == 200


def test_control_characters_in_the_path_the_query_and_a_form_are_refused(client):
    answer = client.post("/orders/ab%00c/notes", headers=_auth())
    assert answer.status_code == 422
    assert "code" in answer.json["errors"]
    answer = client.post("/orders/abc/notes?q=%00", headers=_auth())
    assert answer.status_code == 422
    assert "q" in answer.json["errors"]
    answer = client.post("/orders/abc/notes", data={"text": "hi\x00"}, headers=_auth())
    assert answer.status_code == 422
    assert "text" in answer.json["errors"]
    assert client.seen == []


# Found by the fuzz suite (tests/fuzz): a multipart part with no name crashed the guard (500).
NAMELESS_PART = (
    b"--b0undary\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
    b'--b0undary\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\x00\r\n--b0undary--\r\n'
)


def test_a_form_part_without_a_name_reaches_the_view_and_a_named_one_is_still_checked(client):
    multipart = "multipart/form-data; boundary=b0undary"
    nameless_only = NAMELESS_PART.split(b"--b0undary\r\nContent-Disposition: form-data; name")[0]
    answer = client.post(
        "/orders/abc/notes", data=nameless_only + b"--b0undary--\r\n", content_type=multipart,
        headers=_auth(),
    )  # fmt: skip
    assert answer.status_code == 200
    answer = client.post(
        "/orders/abc/notes", data=NAMELESS_PART, content_type=multipart, headers=_auth()
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"text": ["Control characters are not allowed."]}


def test_a_caller_without_a_token_is_told_that_first(client):
    answer = client.post("/orders", json={"address": {"street": "\x00"}})
    assert answer.status_code == 401
