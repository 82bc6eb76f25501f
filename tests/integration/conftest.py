"""Helpers for the journey tests: an applicant and staff on the public API, photos,
a ready order, a paid one, and the run's events as a test's own queue hears them."""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pika
import pytest
import requests
from PIL import Image

from common.processes import Stack
from common.testing import RABBITMQ_URL, eventually

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


class Client:
    """Someone using the public API /api/v1 with a bearer token (none until signed in)."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        self.headers: dict[str, str] = {}

    def sign_in(self, identifier: str, password: str) -> None:
        token = self.call(
            "POST", "/sessions", 201, json={"identifier": identifier, "password": password}
        )["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def call(self, method: str, path: str, expected: int, **kwargs: Any) -> dict:
        answer = self.request(method, path, **kwargs)
        assert answer.status_code == expected, (
            f"{method} {path}: {answer.status_code} {answer.text}"
        )
        return answer.json() if answer.content else {}


class Applicant(Client):
    """An applicant with an account of her own."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        identifier = f"applicant-{uuid.uuid4().hex[:8]}@example.cn"
        password = "a long applicant password"
        self.call("POST", "/accounts", 201, json={"identifier": identifier, "password": password})
        self.sign_in(identifier, password)

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


def _ready_to_submit(
    applicant: Applicant, answers: dict | None = None, address: dict | None = None
) -> str:
    order = applicant.call(
        "POST", "/applications", 201, json={"item_code": ITEM},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    order_id = order["id"]
    applicant.call(
        "PUT", f"/applications/{order_id}/answers", 200, json={"answers": answers or ANSWERS}
    )
    codes = [document["code"] for document in order["required_documents"]]
    for seed, code in enumerate(codes, start=1):
        files = {"file": (f"{code}.jpg", _photo(seed), "image/jpeg")}
        eventually(lambda c=code, f=files: _upload(applicant, order_id, c, f) == 201)
    applicant.call(
        "PUT", f"/applications/{order_id}/delivery", 200,
        json={"kind": "courier", "address": address or ADDRESS},
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


def _submitted(
    applicant: Applicant, answers: dict | None = None, address: dict | None = None
) -> str:
    """An order paid with a good card and waiting in the review queue."""
    order_id = _ready_to_submit(applicant, answers, address)
    _submit(applicant, order_id)
    _pay(applicant, order_id, APPROVED_CARD)
    eventually(lambda: applicant.application(order_id)["status"] == "submitted")
    return order_id


def _status_becomes(applicant: Applicant, order_id: str, status: str, timeout: float = 15) -> dict:
    return eventually(  # type: ignore[no-any-return]
        lambda: (o := applicant.application(order_id))["status"] == status and o, timeout=timeout
    )


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
    submitted = staticmethod(_submitted)
    status_becomes = staticmethod(_status_becomes)


@pytest.fixture
def journey(stack: Stack) -> Journey:
    return Journey(stack)


# --- staff -------------------------------------------------------------------------------

STAFF_PASSWORD = "a-long-staff-password-1"
CHECK = "id_number_matches_id_card"


class StaffMember(Client):
    """A member of staff signed in through /api/v1: a new account made with the
    gateway's staff command, or (given an email and password) one that exists."""

    def __init__(
        self, stack: Stack, role: str, *, email: str | None = None, password: str = STAFF_PASSWORD
    ) -> None:
        super().__init__(stack)
        self.role = role
        if email is None:
            email = f"{role}-{uuid.uuid4().hex[:8]}@office.example"
            stack.run(
                [sys.executable, "-m", "gateway.staff", "create", "--email", email, "--role", role],
                env={"GATEWAY_STAFF_PASSWORD": password},
            )
        self.sign_in(email, password)
        self.account_id = str(self.call("GET", "/accounts/current", 200)["id"])

    def review(self, order_id: str) -> dict:
        return self.call("GET", f"/staff/reviews/{order_id}", 200)

    def claim(self, order_id: str) -> dict:
        # The case enters the queue when verification hears orders.submitted; until then
        # it answers 409 case-not-submitted.
        eventually(lambda: self._queued(order_id))
        return self.call("POST", f"/staff/reviews/{order_id}/claim", 200)

    def _queued(self, order_id: str) -> bool:
        answer = self.request("GET", f"/staff/reviews/{order_id}")
        assert answer.status_code in {200, 409}, answer.text
        return answer.status_code == 200 and answer.json()["status"] == "queued"

    def verdicts(self, order_id: str, refuse: dict[str, str] | None = None) -> dict:
        """A verdict on every document still without one (refusing those named, with their
        reason codes) and every answer check a match."""
        refuse = refuse or {}
        review = self.review(order_id)
        for document in review["documents"]:
            if document["verdict"] is not None and document["code"] not in refuse:
                continue
            body = (
                {"verdict": "refused", "reason_code": refuse[document["code"]],
                 "note": "Please take the photo again in daylight."}
                if document["code"] in refuse
                else {"verdict": "accepted"}
            )  # fmt: skip
            review = self.call(
                "PUT", f"/staff/reviews/{order_id}/documents/{document['code']}/verdict", 200,
                json=body,
            )  # fmt: skip
        for check in review["checks"]:
            if check["result"] != "match":
                review = self.call(
                    "PUT", f"/staff/reviews/{order_id}/checks/{check['code']}", 200,
                    json={"result": "match"},
                )  # fmt: skip
        return review

    def decide(self, order_id: str, decision: str, **fields: Any) -> dict:
        return self.call(
            "POST", f"/staff/reviews/{order_id}/decision", 200,
            json={"decision": decision, **fields},
        )  # fmt: skip


_staff_accounts: dict[tuple[str, str], StaffMember] = {}


def staff_member(stack: Stack, role: str) -> StaffMember:
    """A staff member of a role, made once per stack and role."""
    key = (stack.prefix, role)
    if key not in _staff_accounts:
        _staff_accounts[key] = StaffMember(stack, role)
    return _staff_accounts[key]


@pytest.fixture
def staff(stack: Stack) -> Callable[[str], StaffMember]:
    return lambda role: staff_member(stack, role)


# --- events --------------------------------------------------------------------------------


class EventTap:
    """Every event on the run's exchange from the moment the tap opens, on a queue of the
    test's own bound with '#', the way any consumer hears them."""

    def __init__(self, stack: Stack) -> None:
        self.connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
        self.channel = self.connection.channel()
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, f"{stack.prefix}.events", routing_key="#")
        self.heard: list[dict[str, Any]] = []

    def events(self) -> list[dict[str, Any]]:
        """Every event heard so far (what has arrived since the last call is read first)."""
        while True:
            method, _props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return self.heard
            self.heard.append(json.loads(body))

    def of(self, order_id: str) -> list[dict[str, Any]]:
        return [
            event
            for event in self.events()
            if event.get("correlation_id") == order_id
            or (event.get("data") or {}).get("order_id") == order_id
        ]

    def types(self, order_id: str) -> list[str]:
        return [event["type"] for event in self.of(order_id)]

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()


@pytest.fixture
def events(stack: Stack) -> Iterator[EventTap]:
    tap = EventTap(stack)
    try:
        yield tap
    finally:
        tap.close()


# --- running in parallel ---------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for `pytest -n 2 --dist loadgroup --no-loadscope-reorder`
    (scripts/test.sh): a module is one unit of work, so its module fixtures are
    made once; the modules that start stacks of their own (other settings, or
    figures of their own) are one unit together and come first. So their worker
    runs them before it ever starts the session's stack, and PostgreSQL serves
    at most two stacks at once (each holds some forty connections of its 100).
    Without -n the order is the only change: the same tests, one after another."""
    own = {id(item) for item in items if _starts_a_stack_of_its_own(item)}
    for item in items:
        group = "own-stack" if id(item) in own else item.path.stem
        item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: id(item) not in own)  # stable: each module stays in one piece
    if os.environ.get("INTEGRATION_ONLY_OWN_STACKS") == "1":
        _keep_only(config, items, own)


def _keep_only(config: pytest.Config, items: list[pytest.Item], own: set[int]) -> None:
    """INTEGRATION_ONLY_OWN_STACKS=1 (.ci/run): run only the tests that start stacks
    of their own; `make compose-test` runs the rest against the compose stack
    right after, so in CI each test runs once, where it proves the most."""
    shared = [item for item in items if id(item) not in own]
    config.hook.pytest_deselected(items=shared)
    items[:] = [item for item in items if id(item) in own]


def _starts_a_stack_of_its_own(item: pytest.Item) -> bool:
    """A fixture named stack or *_stack that is not the session's."""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(
        definitions and definitions[-1].scope != "session"
        for name, definitions in info.name2fixturedefs.items()
        if name == "stack" or name.endswith("_stack")
    )
