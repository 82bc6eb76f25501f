"""Helpers for the journey tests: an applicant on the public API, photos, a ready order."""

from __future__ import annotations

import io
import uuid

import pytest
import requests
from PIL import Image

from common.processes import Stack
from common.testing import eventually

ITEM = "driving-licence-replacement"
ANSWERS = {
    "full_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "licence_class": "c1",
    "reason": "lost",
}
ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "province": "山东省",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路 1 号",
}
APPROVED_CARD = {"card_number": "4242424242424242", "expiry": "12/30", "cvc": "123"}
DECLINED_CARD = {"card_number": "4000000000000002", "expiry": "12/30", "cvc": "123"}


class Applicant:
    """An applicant using the public API with a bearer token."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        identifier = f"applicant-{uuid.uuid4().hex[:8]}@example.cn"
        password = "a long applicant password"
        self.call("POST", "/accounts", 201, json={"identifier": identifier, "password": password})
        token = self.call(
            "POST", "/sessions", 201, json={"identifier": identifier, "password": password}
        )["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, expected: int, **kwargs) -> dict:
        headers = {**getattr(self, "headers", {}), **kwargs.pop("headers", {})}
        answer = requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)
        assert answer.status_code == expected, (
            f"{method} {path}: {answer.status_code} {answer.text}"
        )
        return answer.json() if answer.content else {}

    def application(self, order_id: str) -> dict:
        return self.call("GET", f"/applications/{order_id}", 200)


def _photo(seed: int) -> bytes:
    """A distinct picture per document: a gradient whose colours depend on the seed."""
    image = Image.new("RGB", (800, 600))
    pixels = image.load()
    for x in range(0, 800, 4):
        for y in range(0, 600, 4):
            colour = ((x * seed) % 256, (y * 3 + seed * 40) % 256, (x + y + seed * 70) % 256)
            for dx in range(4):
                for dy in range(4):
                    pixels[x + dx, y + dy] = colour
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _ready_to_submit(applicant: Applicant) -> str:
    order = applicant.call(
        "POST", "/applications", 201, json={"item_code": ITEM},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    order_id = order["id"]
    applicant.call("PUT", f"/applications/{order_id}/answers", 200, json={"answers": ANSWERS})
    codes = [document["code"] for document in order["required_documents"]]
    for seed, code in enumerate(codes, start=1):
        files = {"file": (f"{code}.jpg", _photo(seed), "image/jpeg")}
        eventually(lambda c=code, f=files: _upload(applicant, order_id, c, f) == 201)
    applicant.call(
        "PUT", f"/applications/{order_id}/delivery", 200,
        json={"kind": "courier", "address": ADDRESS},
    )  # fmt: skip
    eventually(lambda: applicant.application(order_id)["documents"]["complete"])
    return str(order_id)


def _upload(applicant: Applicant, order_id: str, code: str, files: dict) -> int:
    # The case opens when verification hears of the draft: until then, 409 "not ready".
    answer = requests.put(
        f"{applicant.base}/applications/{order_id}/documents/{code}",
        headers=applicant.headers, files=files, timeout=30,
    )  # fmt: skip
    assert answer.status_code in {201, 409}, answer.text
    return answer.status_code


def _submit(applicant: Applicant, order_id: str) -> dict:
    return applicant.call(
        "POST", f"/applications/{order_id}/submit", 200,
        headers={"Idempotency-Key": f"submit-{order_id}"},
    )  # fmt: skip


def _pay(applicant: Applicant, order_id: str, card: dict) -> None:
    applicant.call(
        "POST", f"/applications/{order_id}/payment/card", 202, json=card,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip


class Journey:
    """The steps of the applicant's journey, as fixtures hand them to tests."""

    ANSWERS = ANSWERS
    APPROVED_CARD = APPROVED_CARD
    DECLINED_CARD = DECLINED_CARD
    ITEM = ITEM

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def applicant(self) -> Applicant:
        return Applicant(self.stack)

    photo = staticmethod(_photo)
    ready_to_submit = staticmethod(_ready_to_submit)
    submit = staticmethod(_submit)
    pay = staticmethod(_pay)


@pytest.fixture
def journey(stack: Stack) -> Journey:
    return Journey(stack)
