"""Who may call what, through the gateway's public API /api/v1, on real processes.

One table per question, one test per row:

- another applicant against every order, document and chat endpoint of an
  application that is not hers: 404, exactly as if it did not exist;
- each staff role (and an applicant) against every staff endpoint: the roles of
  docs/design/review.md ("Staff API") get through, everyone else is refused 403
  (a refusal by role, before any order is looked up, so it tells nothing about it);
- nobody signed in, or a token that is not one: 401 everywhere;
- making and delivering (docs/design/deliver.md): another applicant against the
  tracking, the pickup code, the address correction and the receipt of an order
  waiting at the office is 404; each staff role against each production, dispatch
  and counter endpoint gets through by the desk's roles or is refused 403; and
  production and dispatch staff, who see the name and the masked ID number, never
  reach a document picture or the full ID number.

The review staff table runs against a case that is closed (its applicant cancelled after
paying), so an allowed change answers 409 `case-closed` and no row changes what
another row sees (a staff message, which a closed case still takes until its
pictures are purged, only adds to the thread). The delivery staff table runs
against an order ready for pickup, with requests that change nothing: a move the
state does not allow (409), the right pickup code (a right code resets nothing),
a hand-over without the ID check (422, refused before the code is read).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from common.processes import Stack
from common.testing import eventually

from .conftest import ADDRESS, ANSWERS, APPROVED_CARD, Applicant, Client, Journey, staff_member

PHOTO = Journey.photo(31)
# What a delivery endpoint's path or body names, for rows called without an order of
# their own (the 401 table): values that exist nowhere.
NOWHERE = {"batch": str(uuid.UUID(int=0)), "reference": "LT00000000000000", "pickup": "123456"}
UNKNOWN_WAYBILL = "EA000000014CN"


def _filled(value: Any, values: Mapping[str, str]) -> Any:
    """A body with its "{order}"-style placeholders filled, at any depth."""
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_filled(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {order} and {code} are filled in
    body: dict[str, Any] = field(default_factory=dict)

    def call(self, client: Client, order_id: str, code: str = "id_card_front", **values: str):
        filled = {**NOWHERE, **values, "order": order_id, "code": code}
        kwargs = dict(self.body)
        if "files" in kwargs:
            kwargs["files"] = {"file": ("photo.jpg", PHOTO, "image/jpeg")}
        if "json" in kwargs:
            kwargs["json"] = _filled(kwargs["json"], filled)
        if self.method != "GET":
            kwargs["headers"] = {"Idempotency-Key": uuid.uuid4().hex}
        return client.request(self.method, self.path.format(**filled), **kwargs)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


APPLICANT_ENDPOINTS = [
    Endpoint("GET", "/applications/{order}"),
    Endpoint("PUT", "/applications/{order}/answers", {"json": {"answers": {"reason": "stolen"}}}),
    Endpoint("PUT", "/applications/{order}/delivery",
             {"json": {"kind": "courier", "address": ADDRESS}}),
    Endpoint("GET", "/applications/{order}/documents"),
    Endpoint("PUT", "/applications/{order}/documents/{code}", {"files": True}),
    Endpoint("GET", "/applications/{order}/documents/{code}/thumbnail"),
    Endpoint("POST", "/applications/{order}/submit"),
    Endpoint("GET", "/applications/{order}/payment"),
    Endpoint("POST", "/applications/{order}/payment/card", {"json": APPROVED_CARD}),
    Endpoint("GET", "/applications/{order}/timeline"),
    Endpoint("GET", "/applications/{order}/resubmission"),
    Endpoint("POST", "/applications/{order}/resubmit"),
    Endpoint("GET", "/applications/{order}/messages"),
    Endpoint("POST", "/applications/{order}/messages", {"json": {"body": "Is it mine now?"}}),
    Endpoint("POST", "/applications/{order}/cancel", {"json": {"reason": "not mine"}}),
]  # fmt: skip
OWNER_READS = [endpoint for endpoint in APPLICANT_ENDPOINTS if endpoint.method == "GET"]

REVIEWERS = frozenset({"reviewer", "supervisor"})
SUPERVISORS = frozenset({"supervisor"})
ROLES = ["reviewer", "production", "dispatcher", "supervisor", "applicant"]
# (endpoint, who gets through, what they get on a closed case)
STAFF_ENDPOINTS = [
    (Endpoint("GET", "/staff/reviews?tab=all"), REVIEWERS, 200),
    (Endpoint("GET", "/staff/reviews/{order}"), REVIEWERS, 200),
    (Endpoint("GET", "/staff/reviews/{order}/documents/{code}/image"), REVIEWERS, 200),
    (Endpoint("POST", "/staff/reviews/{order}/claim"), REVIEWERS, 409),
    (Endpoint("POST", "/staff/reviews/{order}/release"), REVIEWERS, 409),
    (Endpoint("PUT", "/staff/reviews/{order}/documents/{code}/verdict",
              {"json": {"verdict": "accepted"}}), REVIEWERS, 409),
    (Endpoint("PUT", "/staff/reviews/{order}/checks/id_number_matches_id_card",
              {"json": {"result": "match"}}), REVIEWERS, 409),
    (Endpoint("POST", "/staff/reviews/{order}/decision", {"json": {"decision": "approve"}}),
     REVIEWERS, 409),
    # A reviewer not assigned to the case keeps the masked number (409 not-assignee).
    (Endpoint("POST", "/staff/reviews/{order}/reveal",
              {"json": {"field": "id_number", "reason": "Compare with the ID card photo"}}),
     REVIEWERS, {"reviewer": 409, "supervisor": 200}),
    (Endpoint("GET", "/staff/reviews/{order}/messages"), REVIEWERS, 200),
    (Endpoint("POST", "/staff/reviews/{order}/messages", {"json": {"body": "Checked."}}),
     REVIEWERS, 201),
    (Endpoint("GET", "/staff/messages/unread"), REVIEWERS, 200),
    (Endpoint("GET", "/staff/canned-replies"), REVIEWERS, 200),
    (Endpoint("GET", "/staff/audit?order_id={order}"), SUPERVISORS, 200),
    (Endpoint("GET", "/staff/audit.csv?order_id={order}"), SUPERVISORS, 200),
    (Endpoint("POST", "/staff/orders/{order}/capture"), SUPERVISORS, 409),
    (Endpoint("POST", "/staff/orders/{order}/cancel", {"json": {"reason": "Duplicate order"}}),
     SUPERVISORS, 409),
    (Endpoint("GET", "/staff/items"), SUPERVISORS, 200),
]  # fmt: skip
STAFF_ROWS = [
    pytest.param(role, endpoint,
                 (allowed_status.get(role, 403) if isinstance(allowed_status, dict)
                  else allowed_status) if role in allowed else 403,
                 id=f"{role} {endpoint}")
    for endpoint, allowed, allowed_status in STAFF_ENDPOINTS
    for role in ROLES
]  # fmt: skip

# --- making and delivering ---------------------------------------------------------------

DELIVERY_ENDPOINTS = [
    Endpoint("GET", "/applications/{order}/delivery"),
    Endpoint("GET", "/applications/{order}/pickup-code"),
    Endpoint("PUT", "/applications/{order}/delivery-address", {"json": ADDRESS}),
    Endpoint("POST", "/applications/{order}/confirm-receipt"),
]
DELIVERY_READS = [endpoint for endpoint in DELIVERY_ENDPOINTS if endpoint.method == "GET"]

PRODUCTION = frozenset({"production", "supervisor"})
DISPATCH = frozenset({"dispatcher", "supervisor"})
# (endpoint, who gets through, what they get on an order ready for pickup)
FULFILLMENT_ENDPOINTS = [
    (Endpoint("GET", "/staff/production/jobs"), PRODUCTION, 200),
    (Endpoint("POST", "/staff/production/batches", {"json": {"order_ids": ["{order}"]}}),
     PRODUCTION, 409),
    (Endpoint("GET", "/staff/production/batches/{batch}"), PRODUCTION, 200),
    (Endpoint("PUT", "/staff/production/jobs/{order}/credential",
              {"json": {"credential_number": "370212345679"}}), PRODUCTION, 409),
    (Endpoint("POST", "/staff/production/batches/{batch}/produced"), PRODUCTION, 409),
    (Endpoint("GET", "/staff/dispatch/jobs"), DISPATCH, 200),
    (Endpoint("POST", "/staff/dispatch/waybills", {"json": {"order_ids": ["{order}"]}}),
     DISPATCH, 409),
    (Endpoint("GET", f"/staff/dispatch/shipments/{UNKNOWN_WAYBILL}/label.svg"), DISPATCH, 404),
    (Endpoint("POST", "/staff/dispatch/hand-over", {"json": {"waybills": [UNKNOWN_WAYBILL]}}),
     DISPATCH, 404),
    (Endpoint("GET", "/staff/dispatch/exceptions"), DISPATCH, 200),
    (Endpoint("POST", "/staff/dispatch/jobs/{order}/reship", {"json": {}}), DISPATCH, 409),
    (Endpoint("POST", "/staff/dispatch/jobs/{order}/switch-to-pickup",
              {"json": {"office_code": "pickup-shinan"}}), DISPATCH, 409),
    (Endpoint("GET", "/staff/pickup?reference={reference}"), DISPATCH, 200),
    (Endpoint("POST", "/staff/pickup/{order}/verify", {"json": {"code": "{pickup}"}}),
     DISPATCH, 200),
    (Endpoint("POST", "/staff/pickup/{order}/hand-over",
              {"json": {"code": "{pickup}", "id_checked": False}}), DISPATCH, 422),
    (Endpoint("POST", "/staff/pickup/{order}/unlock"), SUPERVISORS, 409),
]  # fmt: skip
FULFILLMENT_ROWS = [
    pytest.param(role, endpoint, allowed_status if role in allowed else 403,
                 id=f"{role} {endpoint}")
    for endpoint, allowed, allowed_status in FULFILLMENT_ENDPOINTS
    for role in ROLES
]  # fmt: skip
# What production and the counter must never reach on an order they handle.
PICTURES_AND_FULL_ID = [
    Endpoint("GET", "/staff/reviews/{order}"),
    Endpoint("GET", "/staff/reviews/{order}/documents/{code}/image"),
    Endpoint("POST", "/staff/reviews/{order}/reveal",
             {"json": {"field": "id_number", "reason": "Compare with the ID card photo"}}),
    Endpoint("GET", "/applications/{order}/documents/{code}/thumbnail"),
]  # fmt: skip

EVERY_ENDPOINT = (
    APPLICANT_ENDPOINTS
    + [endpoint for endpoint, _, _ in STAFF_ENDPOINTS]
    + DELIVERY_ENDPOINTS
    + [endpoint for endpoint, _, _ in FULFILLMENT_ENDPOINTS]
)


@pytest.fixture(scope="module")
def owner(stack: Stack) -> Applicant:
    return Applicant(stack)


@pytest.fixture(scope="module")
def owned_order(stack: Stack, owner: Applicant) -> str:
    """A paid application waiting for review, with a message of its applicant's."""
    order_id = Journey(stack).submitted(owner)
    owner.call("POST", f"/applications/{order_id}/messages", 201, json={"body": "Hello"})
    return order_id


@pytest.fixture(scope="module")
def stranger(stack: Stack) -> Applicant:
    return Applicant(stack)


@pytest.fixture(scope="module")
def closed_case(stack: Stack) -> str:
    """A paid application its applicant cancelled before review: the case is closed."""
    applicant = Applicant(stack)
    journey = Journey(stack)
    order_id = journey.submitted(applicant)
    applicant.call("POST", f"/applications/{order_id}/cancel", 200, json={"reason": "changed"})
    journey.status_becomes(applicant, order_id, "cancelled")
    supervisor = staff_member(stack, "supervisor")
    eventually(lambda: supervisor.review(order_id)["status"] == "closed")
    return order_id


def _refusal(answer, status: int) -> None:
    assert answer.status_code == status, f"{answer.status_code} {answer.text}"
    assert answer.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("endpoint", APPLICANT_ENDPOINTS, ids=str)
def test_another_applicants_order_is_not_found(stranger, owned_order, endpoint):
    _refusal(endpoint.call(stranger, owned_order), 404)


@pytest.mark.parametrize("endpoint", OWNER_READS, ids=str)
def test_the_owner_reads_what_a_stranger_cannot(owner, owned_order, endpoint):
    answer = endpoint.call(owner, owned_order)
    assert answer.status_code == 200, answer.text


def test_a_strangers_attempts_leave_the_order_as_it_was(owner, stranger, owned_order):
    for endpoint in APPLICANT_ENDPOINTS:
        endpoint.call(stranger, owned_order)
    order = owner.application(owned_order)
    assert (order["status"], order["payment"]["status"]) == ("submitted", "authorised")
    assert order["answers"]["reason"] == "lost"
    thread = owner.call("GET", f"/applications/{owned_order}/messages", 200)["messages"]
    assert [message["body"] for message in thread] == ["Hello"]
    listed = stranger.call("GET", "/applications", 200)["applications"]
    assert owned_order not in {application["id"] for application in listed}


@pytest.mark.parametrize(("role", "endpoint", "expected"), STAFF_ROWS)
def test_each_role_reaches_only_its_staff_endpoints(stack, stranger, closed_case, role, endpoint,
                                                    expected):  # fmt: skip
    caller = stranger if role == "applicant" else staff_member(stack, role)
    answer = endpoint.call(caller, closed_case)
    if expected == 403:
        _refusal(answer, 403)
    else:
        assert answer.status_code == expected, f"{answer.status_code} {answer.text}"


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT, ids=str)
@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no token", "a bad token"])
def test_nobody_signed_in_is_refused_401(stack, closed_case, endpoint, token):
    anonymous = Client(stack)
    if token:
        anonymous.headers = {"Authorization": f"Bearer {token}"}
    _refusal(endpoint.call(anonymous, closed_case), 401)


# --- making and delivering ---------------------------------------------------------------


@dataclass(frozen=True)
class AtTheOffice:
    """An approved pickup order, produced and waiting at the office."""

    order_id: str
    reference: str
    batch_id: str
    pickup_code: str

    def values(self) -> dict[str, str]:
        return {"batch": self.batch_id, "reference": self.reference, "pickup": self.pickup_code}


@pytest.fixture(scope="module")
def at_the_office(stack: Stack, owner: Applicant) -> AtTheOffice:
    journey = Journey(stack)
    order_id = journey.ready_to_submit(owner)
    owner.call("PUT", f"/applications/{order_id}/delivery", 200,
               json={"kind": "pickup", "office_code": "pickup-shinan"})  # fmt: skip
    journey.submit(owner, order_id)
    journey.pay(owner, order_id, APPROVED_CARD)
    journey.status_becomes(owner, order_id, "submitted")
    reviewer = staff_member(stack, "reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(owner, order_id, "approved", timeout=30)
    production = staff_member(stack, "production")
    eventually(lambda: order_id in _queued(production), timeout=20)
    batch = production.call("POST", "/staff/production/batches", 201,
                            json={"order_ids": [order_id]})  # fmt: skip
    production.call("PUT", f"/staff/production/jobs/{order_id}/credential", 200,
                    json={"credential_number": "370212345678"})  # fmt: skip
    production.call("POST", f"/staff/production/batches/{batch['id']}/produced", 200)
    journey.status_becomes(owner, order_id, "ready_for_pickup", timeout=20)
    code = owner.call("GET", f"/applications/{order_id}/pickup-code", 200)["code"]
    reference = owner.application(order_id)["reference"]
    return AtTheOffice(order_id, reference, str(batch["id"]), str(code))


def _queued(production: Client) -> set[str]:
    jobs = production.call("GET", "/staff/production/jobs?status=queued", 200)["jobs"]
    return {job["order_id"] for job in jobs}


@pytest.mark.parametrize("endpoint", DELIVERY_ENDPOINTS, ids=str)
def test_another_applicants_delivery_is_not_found(stranger, at_the_office, endpoint):
    _refusal(endpoint.call(stranger, at_the_office.order_id), 404)


@pytest.mark.parametrize("endpoint", DELIVERY_READS, ids=str)
def test_the_owner_reads_the_delivery_a_stranger_cannot(owner, at_the_office, endpoint):
    answer = endpoint.call(owner, at_the_office.order_id)
    assert answer.status_code == 200, answer.text


def test_a_strangers_delivery_attempts_leave_the_order_as_it_was(owner, stranger, at_the_office):
    order_id = at_the_office.order_id
    for endpoint in DELIVERY_ENDPOINTS:
        endpoint.call(stranger, order_id)
    assert owner.application(order_id)["status"] == "ready_for_pickup"
    waiting = owner.call("GET", f"/applications/{order_id}/pickup-code", 200)
    assert waiting["code"] == at_the_office.pickup_code


@pytest.mark.parametrize(("role", "endpoint", "expected"), FULFILLMENT_ROWS)
def test_each_role_reaches_only_its_delivery_desks(stack, stranger, at_the_office, role, endpoint,
                                                  expected):  # fmt: skip
    caller = stranger if role == "applicant" else staff_member(stack, role)
    answer = endpoint.call(caller, at_the_office.order_id, **at_the_office.values())
    if expected == 403:
        _refusal(answer, 403)
    else:
        assert answer.status_code == expected, f"{answer.status_code} {answer.text}"


@pytest.mark.parametrize("role", ["production", "dispatcher"])
@pytest.mark.parametrize("endpoint", PICTURES_AND_FULL_ID, ids=str)
def test_production_and_dispatch_never_reach_a_picture_or_the_full_id_number(
    stack, at_the_office, role, endpoint
):
    answer = endpoint.call(staff_member(stack, role), at_the_office.order_id)
    assert answer.status_code in {403, 404}, f"{answer.status_code} {answer.text}"
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert ANSWERS["id_number"] not in answer.text


def test_the_production_sheet_and_the_counter_show_only_the_masked_id_number(stack, at_the_office):
    sheet = staff_member(stack, "production").request(
        "GET", f"/staff/production/batches/{at_the_office.batch_id}"
    )
    counter = staff_member(stack, "dispatcher").request(
        "GET", f"/staff/pickup?reference={at_the_office.reference}"
    )
    assert sheet.status_code == 200 and counter.status_code == 200, sheet.text + counter.text
    assert [job["id_number_masked"] for job in sheet.json()["jobs"]] == ["110***********002X"]
    assert counter.json()["id_number_masked"] == "110***********002X"
    for answer in (sheet, counter):
        assert ANSWERS["id_number"] not in answer.text
