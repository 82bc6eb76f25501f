"""Upload routes take files up to GATEWAY_MAX_UPLOAD_BYTES; everything else keeps
the small request limit; too much is a clear 413, never a 500."""

from __future__ import annotations

import io

from flask.testing import FlaskClient

from gateway.settings import Settings

ELEVEN_MB = 11 * 1024 * 1024


def test_an_oversized_photo_on_an_upload_page_is_a_413_page_that_says_so(
    client: FlaskClient,
) -> None:
    client.set_cookie("lang", "en")
    response = client.post(
        "/applications/some-order/documents/id_card_front",
        data={"file": (io.BytesIO(b"\xff" * ELEVEN_MB), "big.jpg"), "csrf_token": "x"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert "larger than 10 MB" in html
    assert 'href="/applications/some-order/documents/id_card_front"' in html


def test_an_oversized_photo_through_the_api_is_a_413_problem(
    client: FlaskClient, make_applicant, api_token
) -> None:
    token = api_token(make_applicant().label)
    response = client.put(
        "/api/v1/applications/some-order/documents/id_card_front",
        data={"file": (io.BytesIO(b"\xff" * ELEVEN_MB), "big.jpg")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert response.get_json()["type"] == "/problems/too-large"
    assert response.get_json()["errors"] == {"file": ["too-large"]}


def test_a_photo_within_the_limit_is_read_on_an_upload_route_not_refused_as_too_large(
    client: FlaskClient, make_applicant, api_token
) -> None:
    token = api_token(make_applicant().label)
    response = client.put(
        "/api/v1/applications/some-order/documents/id_card_front",
        data={"file": (io.BytesIO(b"\xff\xd8" + b"\x01" * 2_000_000), "id.jpg")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    # Read and handed on: verification is not running in these tests.
    assert response.status_code == 503


def test_a_photo_posted_to_the_chat_is_the_chats_own_refusal_not_a_413(
    client: FlaskClient, make_applicant, api_token
) -> None:
    token = api_token(make_applicant().label)
    response = client.post(
        "/api/v1/applications/some-order/messages",
        data={"body": "my ID", "file": (io.BytesIO(b"\xff\xd8" + b"\x01" * 187_000), "id.jpg")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["attachment"]


def test_the_api_asks_who_is_calling_before_it_reads_an_upload(client: FlaskClient) -> None:
    response = client.put(
        "/api/v1/applications/some-order/documents/id_card_front",
        data={"file": (io.BytesIO(b"\xff" * 1024), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 401


def test_other_forms_keep_the_small_request_limit(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"identifier": "x" * 200_000, "csrf_token": "x"})
    assert response.status_code == 413
    assert "text/html" in response.content_type


def test_the_upload_limit_is_a_setting_with_a_ten_megabyte_default(app) -> None:
    settings: Settings = app.extensions["gateway"].settings
    assert settings.max_upload_bytes == 10 * 1024 * 1024


def test_an_uploaded_photo_stays_in_memory_and_never_touches_the_gateways_disk(app) -> None:
    from flask import request

    picture = b"\xff\xd8" + b"\x00" * (2 * 1024 * 1024)  # well past werkzeug's 500 KB spool
    with app.test_request_context(
        "/applications/x/documents/id_card_front",
        method="POST",
        data={"file": (io.BytesIO(picture), "id.jpg")},
        content_type="multipart/form-data",
    ):
        request.max_content_length = 10 * 1024 * 1024  # as on the upload routes
        sent = request.files["file"]
        assert isinstance(sent.stream, io.BytesIO)
        assert sent.read() == picture
