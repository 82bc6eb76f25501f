"""Drive many applications through the whole lifecycle at once, through the
public API, while faults come and go.

Each application follows one path (PATHS): approved and delivered by courier,
picked up at the office, asked for new photos then approved, rejected, or
completed and complained about; every path that completes is rated. A call
that fails because of a fault (no connection, 502/503/504, a timeout) is
retried as it was, with the same Idempotency-Key where the API takes one; a
step whose answer was lost after it took effect is recognised by reading the
state back, never done twice. A 500 is retried too, and counted: it is a bug.

The people and their requests are the journey tests' (tests/integration/conftest.py);
only the retrying around them is new here.
"""

from __future__ import annotations

import functools
import random
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from common.processes import Stack

from ..integration.conftest import (
    ADDRESS,
    ANSWERS,
    APPROVED_CARD,
    ITEM,
    Client,
    StaffMember,
    _photo,
)

# Drawing a photo takes a second of CPU: a few, drawn once, serve every application.
photo = functools.lru_cache(maxsize=None)(_photo)

# The paths the issue names, in the order applications are dealt them.
COURIER, PICKUP, RESUBMIT, REJECT, COMPLAINT = (
    "courier", "pickup", "new-photos", "rejected", "complaint",
)  # fmt: skip
PATHS = [COURIER, COURIER, PICKUP, RESUBMIT, REJECT, COMPLAINT]
FINAL_STATUS = {COURIER: "completed", PICKUP: "completed", RESUBMIT: "completed",
                REJECT: "closed", COMPLAINT: "completed"}  # fmt: skip
GOOD = {"level": 5, "tags": ["efficient"], "scores": {"speed": 5, "service": 5, "delivery": 5},
        "comment": "办得很快。"}  # fmt: skip
TRANSIENT = {500, 502, 503, 504}
STEP_SECONDS = 240.0  # how long one step may take to get through faults


@dataclass
class Calls:
    """What the clients met on the way: retried failures by kind, and every 500."""

    retried: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, method: str, path: str, detail: str = "") -> None:
        with self.lock:
            self.retried[kind] += 1
            if kind == "500":
                self.server_errors.append(f"{method} {path}: {detail[:300]}")


class Retrying(Client):
    """A client whose requests go through faults: a transient failure is sent again, as it was."""

    calls: Calls

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        deadline = time.monotonic() + STEP_SECONDS
        while True:
            try:
                # A copy each time: Client.request takes the headers out of what it is given.
                answer = super().request(method, path, **dict(kwargs))
            except requests.RequestException as exc:
                self.calls.note(type(exc).__name__, method, path)
            else:
                if answer.status_code not in TRANSIENT:
                    return answer
                self.calls.note(str(answer.status_code), method, path, answer.text)
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {path} failed through {STEP_SECONDS}s of retries")
            time.sleep(random.uniform(0.2, 0.6))


class Person(Retrying):
    """An applicant with an account of her own, made through faults."""

    def __init__(self, stack: Stack, calls: Calls) -> None:
        super().__init__(stack)
        self.calls = calls
        identifier = f"fault-{uuid.uuid4().hex[:10]}@example.cn"
        password = "a long applicant password"
        made = self.request(
            "POST", "/accounts", json={"identifier": identifier, "password": password}
        )
        # 409: the account was made by a first try whose answer was lost.
        assert made.status_code in {201, 409}, made.text
        self.sign_in(identifier, password)

    def application(self, order_id: str) -> dict:
        return self.call("GET", f"/applications/{order_id}", 200)


class Staff(Retrying, StaffMember):
    """A member of staff whose calls go through faults."""

    def __init__(self, stack: Stack, role: str, calls: Calls) -> None:
        self.calls = calls
        super().__init__(stack, role)


@dataclass
class Application:
    number: int
    path: str
    order_id: str | None = None
    rated: bool = False
    complaint_id: str | None = None
    error: str | None = None

    @property
    def expected_status(self) -> str:
        return FINAL_STATUS[self.path]


def until(done: Callable[[], Any], what: str, timeout: float = STEP_SECONDS) -> Any:
    """Wait for an outcome of the system (not for a time)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = done()
        except (AssertionError, KeyError, TypeError) as exc:
            last = exc
        if last and not isinstance(last, AssertionError):
            return last
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout}s (last: {last!r})")


def step(act: Callable[[], Any], done: Callable[[], bool], what: str) -> None:
    """Do `act` until `done()` holds: a refusal after a lost answer is read as done."""
    deadline = time.monotonic() + STEP_SECONDS
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if done():
                return
            act()
            if done():
                return
        except (AssertionError, KeyError, TypeError) as exc:
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{what}: not done within {STEP_SECONDS}s ({last})")


class Driver:
    """Runs `count` applications on `threads` threads; each ends in its expected state or
    with the error that stopped it."""

    def __init__(self, stack: Stack, count: int, threads: int) -> None:
        self.stack = stack
        self.calls = Calls()
        self.applications = [Application(n, PATHS[n % len(PATHS)]) for n in range(count)]
        self.threads = threads
        self.staff = {role: Staff(stack, role, self.calls)
                      for role in ("reviewer", "production", "dispatcher", "supervisor")}  # fmt: skip

    def run(self) -> list[Application]:
        with ThreadPoolExecutor(max_workers=self.threads) as pool:
            list(pool.map(self._one, self.applications))
        return self.applications

    def _one(self, application: Application) -> None:
        try:
            self._journey(application)
        except Exception as exc:  # every failure is reported by the oracle, with its trace
            application.error = f"{exc}\n{traceback.format_exc(limit=4)}"

    # -- the journey -------------------------------------------------------------------

    def _journey(self, app: Application) -> None:
        person = Person(self.stack, self.calls)
        order_id = self._draft(person, app)
        self._submit_and_pay(person, order_id)
        reviewer = self.staff["reviewer"]
        step(lambda: reviewer.claim(order_id),
             lambda: reviewer.review(order_id)["status"] == "in_review", "claim")  # fmt: skip
        if app.path == REJECT:
            self._decide(
                order_id, "reject", reason_code="documents-invalid", note="证件照片不是原件。"
            )
            self._status(person, order_id, "closed")
            return
        if app.path == RESUBMIT:
            self._ask_for_new_photos(person, order_id)
        reviewer.verdicts(order_id)
        self._decide(order_id, "approve")
        self._status(person, order_id, "approved", "in_production")
        self._produce(person, order_id)
        if app.path == PICKUP:
            self._pick_up(person, order_id)
        else:
            self._dispatch(person, order_id)
        step(lambda: person.call("POST", f"/applications/{order_id}/confirm-receipt", 200),
             lambda: person.application(order_id)["status"] == "completed", "confirm")  # fmt: skip
        self._rate(person, app)
        if app.path == COMPLAINT:
            self._complain(person, app)

    def _draft(self, person: Person, app: Application) -> str:
        key = uuid.uuid4().hex
        order = person.call("POST", "/applications", 201, json={"item_code": ITEM},
                            headers={"Idempotency-Key": key})  # fmt: skip
        order_id = app.order_id = str(order["id"])
        pickup = {"kind": "pickup", "office_code": "pickup-shinan"}
        courier = {"kind": "courier", "address": ADDRESS}
        person.call("PUT", f"/applications/{order_id}/answers", 200, json={"answers": ANSWERS})
        person.call("PUT", f"/applications/{order_id}/delivery", 200,
                    json=pickup if app.path == PICKUP else courier)  # fmt: skip
        codes = [document["code"] for document in order["required_documents"]]
        for seed, code in enumerate(codes, start=1):
            picture = photo(seed + app.number % 7)
            until(lambda c=code, p=picture: self._upload(person, order_id, c, p), f"upload {code}")
        until(lambda: person.application(order_id)["documents"]["complete"], "documents complete")
        return order_id

    @staticmethod
    def _upload(person: Person, order_id: str, code: str, picture: bytes) -> bool:
        # 409 until verification hears of the draft and opens its case.
        answer = person.request("PUT", f"/applications/{order_id}/documents/{code}",
                                files={"file": (f"{code}.jpg", picture, "image/jpeg")})  # fmt: skip
        assert answer.status_code in {201, 409}, answer.text
        return answer.status_code == 201

    def _submit_and_pay(self, person: Person, order_id: str) -> None:
        status = lambda: person.application(order_id)["status"]  # noqa: E731
        step(lambda: person.call("POST", f"/applications/{order_id}/submit", 200,
                                 headers={"Idempotency-Key": f"submit-{order_id}"}),
             lambda: status() != "draft", "submit")  # fmt: skip
        step(lambda: person.call("POST", f"/applications/{order_id}/payment/card", 202,
                                 json=APPROVED_CARD, headers={"Idempotency-Key": f"pay-{order_id}"}),
             lambda: status() != "awaiting_payment", "pay")  # fmt: skip
        self._status(person, order_id, "submitted")

    def _decide(self, order_id: str, decision: str, **fields: Any) -> None:
        reviewer = self.staff["reviewer"]
        step(lambda: reviewer.decide(order_id, decision, **fields),
             lambda: reviewer.review(order_id)["status"] != "in_review", decision)  # fmt: skip

    def _ask_for_new_photos(self, person: Person, order_id: str) -> None:
        reviewer = self.staff["reviewer"]
        reviewer.verdicts(order_id, refuse={"selfie_with_id_card": "blurred"})
        self._decide(order_id, "request_resubmission", deadline_days=7)
        self._status(person, order_id, "needs_resubmission")
        until(lambda: self._upload(person, order_id, "selfie_with_id_card", photo(22)), "new photo")
        step(lambda: person.call("POST", f"/applications/{order_id}/resubmit", 200),
             lambda: person.application(order_id)["status"] != "needs_resubmission", "resubmit")  # fmt: skip
        until(lambda: reviewer.review(order_id)["status"] == "in_review", "back in review")

    def _produce(self, person: Person, order_id: str) -> None:
        production = self.staff["production"]
        queries = [{"status": s} for s in ("queued", "in_production", "produced")]

        def job() -> dict:
            return _job(production, "/staff/production/jobs", order_id, queries) or {}

        until(job, "production job opened")
        step(lambda: production.call("POST", "/staff/production/batches", 201,
                                     json={"order_ids": [order_id]}),
             lambda: job().get("status", "gone") != "queued", "batch")  # fmt: skip

        def produced() -> None:
            batch_id = job()["batch_id"]
            production.call("PUT", f"/staff/production/jobs/{order_id}/credential", 200,
                            json={"credential_number": "370212345678"})  # fmt: skip
            production.call("POST", f"/staff/production/batches/{batch_id}/produced", 200)

        step(produced, lambda: job().get("status", "gone") != "in_production", "produced")

    def _dispatch(self, person: Person, order_id: str) -> None:
        dispatcher = self.staff["dispatcher"]
        stages = [{"stage": "to_waybill"}, {"stage": "to_hand_over"}]
        job = lambda: _job(dispatcher, "/staff/dispatch/jobs", order_id, stages)  # noqa: E731
        until(job, "waiting for a waybill")
        step(lambda: dispatcher.call("POST", "/staff/dispatch/waybills", 201,
                                     json={"order_ids": [order_id]}),
             lambda: bool((job() or {}).get("shipment")), "waybill")  # fmt: skip

        def handed_over() -> None:
            waybill = job()["shipment"]["waybill"]
            dispatcher.call("POST", "/staff/dispatch/hand-over", 200, json={"waybills": [waybill]})

        step(handed_over, lambda: not job(), "hand-over")
        self._status(person, order_id, "delivered")

    def _pick_up(self, person: Person, order_id: str) -> None:
        self._status(person, order_id, "ready_for_pickup")
        code = person.call("GET", f"/applications/{order_id}/pickup-code", 200)["code"]
        counter = self.staff["dispatcher"]

        def hand_over() -> None:
            counter.call("POST", f"/staff/pickup/{order_id}/verify", 200, json={"code": code})
            counter.call("POST", f"/staff/pickup/{order_id}/hand-over", 200,
                         json={"code": code, "id_checked": True})  # fmt: skip

        step(hand_over, lambda: person.application(order_id)["status"] == "delivered", "pick up")

    def _rate(self, person: Person, app: Application) -> None:
        order_id = app.order_id
        rating = lambda: person.call("GET", f"/applications/{order_id}/rating", 200)  # noqa: E731
        until(lambda: rating()["can_rate"] or rating().get("rating"), "rateable")
        step(lambda: person.call("POST", f"/applications/{order_id}/rating", 201, json=GOOD),
             lambda: not rating()["can_rate"], "rate")  # fmt: skip
        app.rated = True

    def _complain(self, person: Person, app: Application) -> None:
        order_id = app.order_id

        def case() -> dict | None:
            cases = person.call("GET", "/complaints", 200)["cases"]
            return next((c for c in cases if c.get("order_id") == order_id), None)

        step(lambda: person.call("POST", f"/applications/{order_id}/complaints", 201,
                                 json={"category": "fees", "description": "收费与公示不一致？"}),
             lambda: case() is not None, "complain")  # fmt: skip
        case_id = app.complaint_id = str(case()["id"])  # type: ignore[index]
        supervisor = self.staff["supervisor"]
        status = lambda: person.call("GET", f"/complaints/{case_id}", 200)["status"]  # noqa: E731
        step(lambda: supervisor.call("POST", f"/staff/complaints/{case_id}/contact", 200,
                                     json={"note": "电话联系申请人。"}),
             lambda: status() != "open", "contact")  # fmt: skip
        step(lambda: supervisor.call("POST", f"/staff/complaints/{case_id}/answer", 200,
                                     json={"feedback": "已核对收费，与公示一致。"}),
             lambda: status() not in {"open", "contacted"}, "answer")  # fmt: skip
        step(lambda: person.call("POST", f"/complaints/{case_id}/accept", 200),
             lambda: status() == "closed", "accept")  # fmt: skip

    @staticmethod
    def _status(person: Person, order_id: str, *statuses: str) -> None:
        until(lambda: person.application(order_id)["status"] in statuses, f"status {statuses}")


def _job(member: Staff, path: str, order_id: str, queries: list[dict[str, str]]) -> dict | None:
    """The order's job on a staff list (every page of each query), or None."""
    for query in queries:
        page, pages = 1, 1
        while page <= pages:
            listed = member.call("GET", path, 200, params={**query, "page": page})
            for row in listed["jobs"]:
                # The dispatch lists put the job beside its shipment.
                if row.get("job", row)["order_id"] == order_id:
                    return row  # type: ignore[no-any-return]
            pages = int(listed.get("pages") or 1)
            page += 1
    return None
