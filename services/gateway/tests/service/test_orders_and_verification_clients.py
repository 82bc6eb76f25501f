"""The orders and verification clients against a real HTTP server that records
what it was sent and answers what the test tells it to: headers, streaming,
and every refusal passed on with its status, type and field errors."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from common.service_client import (
    ServiceConflict,
    ServiceError,
    ServiceNotFound,
    ServiceRejected,
    ServiceUnavailable,
)
from common.testing import free_port
from gateway.clients.http import Caller, GatewayServiceClient, MultipartBody, Upload
from gateway.clients.orders import Address, DeliveryChoice, OrdersClient
from gateway.clients.verification import UploadRefused, VerificationClient

APPLICANT = Caller("acct-1", ("applicant",))
ORDER = {
    "id": "6f1c2b9e-0000-4000-8000-000000000001",
    "reference": "LT20261122000042",
    "item_code": "driving-licence-replacement",
    "item_title": {"zh": "补领机动车驾驶证", "en": "Replace a lost driving licence"},
    "applicant_id": "acct-1",
    "status": "awaiting_payment",
    "answers": {"full_name": "李娜"},
    "missing_answers": [],
    "delivery": {
        "kind": "courier",
        "address": {
            "recipient": "李娜",
            "phone": "13800138000",
            "province": "山东省",
            "city": "青岛市",
            "district": "市南区",
            "street": "宁夏路 218 号",
        },
        "office_code": None,
    },
    "required_documents": [{"code": "id_card_front", "title": {"zh": "正面", "en": "Front"}}],
    "documents": {"complete": True, "missing": []},
    "price": {
        "fee_version": 2,
        "production_fen": 1000,
        "delivery_fen": 1500,
        "total_fen": 2500,
        "approval_reference": "鲁价费发〔2017〕58号",
        "locked": True,
    },
    "payment": {
        "id": "pay-1",
        "status": "failed",
        "amount_fen": 2500,
        "captured_fen": 0,
        "refunded_fen": 0,
        "failure_reason": "card_declined",
        "card_last4": "0002",
        "updated_at": "2026-11-22T06:03:59+00:00",
    },
    "allowed_actions": ["pay", "cancel"],
    "created_at": "2026-11-22T06:00:00+00:00",
    "updated_at": "2026-11-22T06:03:59+00:00",
    "submitted_at": None,
    "pay_by": "2026-11-22T06:33:00+00:00",
}


class Service:
    """A real HTTP server: records each request, answers with `self.answer`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: tuple[int, Any, str] = (200, ORDER, "application/json")
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _app(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        seen: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "headers": dict(request.headers),
        }
        if request.mimetype == "multipart/form-data":
            sent = request.files["file"]
            seen["file"] = (sent.filename, sent.mimetype, sent.read())
        else:
            seen["body"] = request.get_data()
        self.requests.append(seen)
        status, body, mimetype = self.answer
        payload = body if isinstance(body, bytes) else json.dumps(body)
        return Response(payload, status, mimetype=mimetype)(environ, start_response)

    def client(self, name: str) -> GatewayServiceClient:
        return GatewayServiceClient(
            name,
            f"http://127.0.0.1:{self.port}",
            token_secret="secret",
            timeout_seconds=5,
            read_retries=0,
            not_found="application.not_found",
        )


@pytest.fixture(scope="module")
def running_service() -> Iterator[Service]:
    running = Service()
    yield running
    running.server.shutdown()


@pytest.fixture
def service(running_service: Service) -> Service:
    running_service.requests.clear()
    running_service.answer = (200, ORDER, "application/json")
    return running_service


def _problem(status: int, slug: str, detail: str, errors: Any = None) -> tuple[int, Any, str]:
    body = {"type": f"/problems/{slug}", "title": "Refused", "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return status, body, "application/problem+json"


def test_an_order_is_read_into_fen_and_dataclasses(service: Service) -> None:
    order = OrdersClient(service.client("orders")).order(ORDER["id"], APPLICANT)
    assert order.reference == "LT20261122000042"
    assert order.item_title.get("en") == "Replace a lost driving licence"
    assert order.price is not None and order.price.total_fen == 2500 and order.price.locked
    assert order.price.approval_ref == "鲁价费发〔2017〕58号"
    assert order.payment is not None and order.payment.settled
    assert order.payment.failure_reason == "card_declined"
    assert order.delivery is not None and order.delivery.address is not None
    assert order.delivery.address.city == "青岛市"
    assert order.documents.complete and order.allows("pay") and not order.allows("edit")
    assert service.requests[0]["path"] == f"/orders/{ORDER['id']}"


def test_writes_that_must_happen_once_carry_the_idempotency_key(service: Service) -> None:
    orders = OrdersClient(service.client("orders"))
    orders.start("driving-licence-replacement", APPLICANT, idempotency_key="key-1")
    orders.submit(ORDER["id"], APPLICANT, idempotency_key="key-2")
    service.answer = (202, ORDER["payment"], "application/json")
    payment = orders.pay_with_card(
        "pay-1", APPLICANT, card_number="4242424242424242", expiry="12/30", cvc="123",
        idempotency_key="key-3",
    )  # fmt: skip
    assert payment.id == "pay-1"
    keys = [(r["method"], r["path"], r["headers"].get("Idempotency-Key")) for r in service.requests]
    assert keys == [
        ("POST", "/orders", "key-1"),
        ("POST", f"/orders/{ORDER['id']}/submit", "key-2"),
        ("POST", "/payments/pay-1/card", "key-3"),
    ]
    assert json.loads(service.requests[2]["body"]) == {
        "card_number": "4242424242424242",
        "expiry": "12/30",
        "cvc": "123",
    }


def test_delivery_is_sent_as_orders_expects_it(service: Service) -> None:
    orders = OrdersClient(service.client("orders"))
    orders.choose_delivery(ORDER["id"], APPLICANT, DeliveryChoice("pickup", office_code="p-1"))
    address = Address("李娜", "13800138000", "山东省", "青岛市", "市南区", "宁夏路 218 号")
    orders.choose_delivery(ORDER["id"], APPLICANT, DeliveryChoice("courier", address=address))
    bodies = [json.loads(r["body"]) for r in service.requests]
    assert bodies[0] == {"kind": "pickup", "office_code": "p-1"}
    assert bodies[1]["kind"] == "courier"
    assert bodies[1]["address"]["street"] == "宁夏路 218 号"
    assert [r["method"] for r in service.requests] == ["PUT", "PUT"]


def test_a_refusal_keeps_its_field_errors_and_its_problem_type(service: Service) -> None:
    orders = OrdersClient(service.client("orders"))
    service.answer = _problem(422, "invalid-input", "Check these fields: id_number.",
                              {"id_number": ["Not a valid 18-character resident ID number."]})  # fmt: skip
    with pytest.raises(ServiceRejected) as refused:
        orders.save_answers(ORDER["id"], APPLICANT, {"id_number": "1"})
    assert refused.value.errors == {"id_number": ["Not a valid 18-character resident ID number."]}
    assert refused.value.slug == "invalid-input"

    service.answer = _problem(400, "idempotency-key-required", "Send an Idempotency-Key.",
                              {"Idempotency-Key": ["Missing."]})  # fmt: skip
    with pytest.raises(ServiceError) as missing:
        orders.submit(ORDER["id"], APPLICANT, idempotency_key="")
    assert missing.value.status == 400
    assert missing.value.slug == "idempotency-key-required"
    assert missing.value.errors == {"Idempotency-Key": ["Missing."]}
    assert "Idempotency-Key" not in service.requests[-1]["headers"]

    service.answer = _problem(409, "conflict", "The order is submitted.", {"status": ["x"]})
    with pytest.raises(ServiceConflict) as conflict:
        orders.cancel(ORDER["id"], APPLICANT)
    assert conflict.value.detail == "The order is submitted."


def test_someone_elses_application_is_not_found_and_a_failing_service_is_unavailable(
    service: Service,
) -> None:
    orders = OrdersClient(service.client("orders"))
    service.answer = _problem(404, "not-found", "There is no order x.")
    with pytest.raises(ServiceNotFound) as missing:
        orders.order("x", APPLICANT)
    assert missing.value.detail == "application.not_found"
    service.answer = _problem(500, "internal-error", "boom")
    with pytest.raises(ServiceUnavailable) as failing:
        orders.timeline("x", APPLICANT)
    assert failing.value.detail == "upstream.unavailable"
    service.answer = _problem(401, "unauthorized", "bad token")
    with pytest.raises(ServiceUnavailable):
        orders.orders(APPLICANT)


def test_a_file_is_streamed_as_multipart_with_its_length(service: Service) -> None:
    verification = VerificationClient(service.client("verification"))
    picture = bytes(range(256)) * 4096  # 1 MiB, every byte value, CRLFs included
    service.answer = (201, {"code": "id_card_front", "status": "uploaded", "width": 640},
                      "application/json")  # fmt: skip
    upload = Upload(io.BytesIO(picture), '身份证 "正面".jpg', "image/jpeg", len(picture))
    stored = verification.upload("order-1", "id_card_front", APPLICANT, upload)
    assert stored.uploaded and stored.width == 640
    seen = service.requests[0]
    assert seen["method"] == "PUT"
    assert seen["path"] == "/cases/order-1/documents/id_card_front"
    assert seen["file"] == ("身份证 _正面_.jpg", "image/jpeg", picture)
    assert int(seen["headers"]["Content-Length"]) > len(picture)
    assert "Transfer-Encoding" not in seen["headers"]


def test_the_multipart_body_reads_in_chunks_to_exactly_its_length() -> None:
    body = MultipartBody(Upload(io.BytesIO(b"x" * 10_000), "a.png", "image/png", 10_000))
    chunks = []
    while chunk := body.read(4096):
        assert len(chunk) <= 4096
        chunks.append(chunk)
    assert sum(len(chunk) for chunk in chunks) == len(body)
    assert b"".join(chunks).startswith(b"--")


@pytest.mark.parametrize(
    ("answer", "reason", "status"),
    [
        (_problem(422, "invalid-input", "not a picture", {"file": ["not-an-image"]}), "not-an-image", 422),
        (_problem(422, "invalid-input", "markup", {"file": ["polyglot"]}), "polyglot", 422),
        (_problem(422, "invalid-input", "same", {"file": ["duplicate"]}), "duplicate", 422),
        (_problem(413, "too-large", "big", {"file": ["too-large"]}), "too-large", 413),
        (_problem(409, "case-not-ready", "not open yet"), "case-not-ready", 409),
        (_problem(409, "case-locked", "locked", {"status": ["locked"]}), "case-locked", 409),
        (_problem(422, "invalid-input", "odd", {"file": ["something new"]}), "refused", 422),
    ],
)  # fmt: skip
def test_an_upload_refusal_carries_its_reason_and_status(
    service: Service, answer: tuple[int, Any, str], reason: str, status: int
) -> None:
    service.answer = answer
    verification = VerificationClient(service.client("verification"))
    with pytest.raises(UploadRefused) as refused:
        verification.upload(
            "order-1",
            "id_card_front",
            APPLICANT,
            Upload(io.BytesIO(b"x"), "a.jpg", "image/jpeg", 1),
        )
    assert refused.value.reason == reason
    assert refused.value.status == status
    assert refused.value.errors == answer[1].get("errors")


def test_a_thumbnail_comes_back_as_bytes_with_its_type(service: Service) -> None:
    service.answer = (200, b"\xff\xd8\xff jpeg", "image/jpeg")
    content, content_type = VerificationClient(service.client("verification")).thumbnail(
        "order-1", "id_card_front", APPLICANT
    )
    assert content == b"\xff\xd8\xff jpeg"
    assert content_type == "image/jpeg"
    assert service.requests[0]["path"] == "/cases/order-1/documents/id_card_front/thumbnail"


def test_a_too_large_answer_is_its_own_refusal(service: Service) -> None:
    service.answer = _problem(413, "too-large", "big")
    with pytest.raises(ServiceError) as refused:
        service.client("orders").put("/x", json={}, caller=APPLICANT)
    assert (refused.value.status, refused.value.slug) == (413, "too-large")
