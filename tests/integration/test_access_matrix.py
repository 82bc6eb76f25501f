"""Who may call what, through the gateway's public API /api/v1, on real processes.

One table per question, one test per row:

- another applicant against every order, document and chat endpoint of an
  application that is not hers: 404, exactly as if it did not exist;
- each staff role (and an applicant) against every staff endpoint: the roles of
  docs/design/review.md ("Staff API") get through, everyone else is refused 403
  (a refusal by role, before any order is looked up, so it tells nothing about it);
- nobody signed in, or a token that is not one: 401 everywhere.

The staff table runs against a case that is closed (its applicant cancelled after
paying), so an allowed change answers 409 `case-closed` and no row changes what
another row sees (a staff message, which a closed case still takes until its
pictures are purged, only adds to the thread).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from common.processes import Stack
from common.testing import eventually

from .conftest import ADDRESS, APPROVED_CARD, Applicant, Client, Journey, staff_member

PHOTO = Journey.photo(31)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {order} and {code} are filled in
    body: dict[str, Any] = field(default_factory=dict)

    def call(self, client: Client, order_id: str, code: str = "id_card_front"):
        kwargs = dict(self.body)
        if "files" in kwargs:
            kwargs["files"] = {"file": ("photo.jpg", PHOTO, "image/jpeg")}
        if self.method != "GET":
            kwargs["headers"] = {"Idempotency-Key": uuid.uuid4().hex}
        return client.request(self.method, self.path.format(order=order_id, code=code), **kwargs)

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
    (Endpoint("POST", "/staff/reviews/{order}/reveal",
              {"json": {"field": "id_number", "reason": "Compare with the ID card photo"}}),
     REVIEWERS, 200),
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
    pytest.param(role, endpoint, allowed_status if role in allowed else 403,
                 id=f"{role} {endpoint}")
    for endpoint, allowed, allowed_status in STAFF_ENDPOINTS
    for role in ROLES
]  # fmt: skip
EVERY_ENDPOINT = APPLICANT_ENDPOINTS + [endpoint for endpoint, _, _ in STAFF_ENDPOINTS]


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
