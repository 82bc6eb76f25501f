"""Load a deployment through the gateway's public API, /api/v1, as applicants and staff do.

    pip install locust==2.47.0    # not among the project's tools: only this file needs it
    locust -f bench/locustfile.py --host http://localhost:8000
    locust -f bench/locustfile.py --headless -u 50 -r 5 -t 10m --host https://store.example

Applicants (`Applicant`) register, browse the store, apply (a draft, its
answers, four photos, delivery by courier), submit, pay by card, track their
applications, confirm receipt once delivered and rate the completed ones.
Staff (`Staff`, one account with the `supervisor` role, or any role that may
review, produce and dispatch) work the review queue (claim, a verdict on
every document, every answer check a match, approve), produce the queued
jobs in batches and dispatch them (waybills, hand-over to the courier).
Payment and delivery need the deployment's sandbox providers (or real ones):
a sandbox card is used, and the sandbox courier delivers by itself.

Settings, from the environment:

    LOCUST_STAFF_EMAIL, LOCUST_STAFF_PASSWORD  the staff account (without them, no staff users run)
    LOCUST_ITEM      the service item applied for (default driving-licence-replacement)
    LOCUST_CARD      card number, expiry and CVC, comma-separated (default the sandbox's approved card)
    LOCUST_APPLICANT_PASSWORD  the password new applicants register with

The photos are a pool of four JPEGs made once at start (one per required
document; verification refuses the same picture twice in one application).
`make bench` (bench/lifecycle.py) measures the same journey on this machine;
this file is for pointing at a bigger deployment.
"""

from __future__ import annotations

import io
import os
import random
import uuid
from typing import Any

from locust import HttpUser, between, events, task
from PIL import Image

API = "/api/v1"
ITEM = os.environ.get("LOCUST_ITEM", "driving-licence-replacement")
CARD = dict(
    zip(
        ("card_number", "expiry", "cvc"),
        os.environ.get("LOCUST_CARD", "4242424242424242,12/30,123").split(","),
        strict=True,
    )
)
APPLICANT_PASSWORD = os.environ.get("LOCUST_APPLICANT_PASSWORD", "a long applicant password")
STAFF_EMAIL = os.environ.get("LOCUST_STAFF_EMAIL", "")
STAFF_PASSWORD = os.environ.get("LOCUST_STAFF_PASSWORD", "")
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
RATING = {"level": 5, "tags": [], "scores": {"speed": 5, "service": 5, "delivery": 5}}
CREDENTIAL_NUMBER = os.environ.get("LOCUST_CREDENTIAL_NUMBER", "370212345678")


def _photo(seed: int) -> bytes:
    """A distinct 800 x 600 picture per seed (random blocks of colour)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600))
    for x in range(0, 800, 40):
        for y in range(0, 600, 40):
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            image.paste(colour, (x, y, x + 40, y + 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


PHOTOS = [_photo(seed) for seed in range(1, 5)]


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


class Applicant(HttpUser):
    """Someone applying for a credential and following it to the end."""

    weight = 4
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.orders: list[str] = []
        identifier = f"load-{uuid.uuid4().hex[:12]}@example.cn"
        self.client.post(f"{API}/accounts", json={"identifier": identifier,
                         "password": APPLICANT_PASSWORD}, name=f"{API}/accounts")  # fmt: skip
        answer = self.client.post(f"{API}/sessions", json={"identifier": identifier,
                                  "password": APPLICANT_PASSWORD}, name=f"{API}/sessions")  # fmt: skip
        token = answer.json().get("token", "") if answer.ok else ""
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task(3)
    def browse(self) -> None:
        items = self.client.get(f"{API}/items", name=f"{API}/items")
        self.client.get(f"{API}/items/{ITEM}", name=f"{API}/items/[code]")
        self.client.get(f"{API}/items/{ITEM}/ratings", name=f"{API}/items/[code]/ratings")
        self.client.get(f"{API}/store", name=f"{API}/store")
        if items.ok and not self.orders:
            self.apply()

    @task(1)
    def apply(self) -> None:
        """A draft through to payment; the case opens asynchronously, so uploads wait for it."""
        answer = self.client.post(f"{API}/applications", json={"item_code": ITEM},
                                  headers=_key(), name=f"{API}/applications")  # fmt: skip
        if answer.status_code != 201:
            return
        order = answer.json()
        order_id = order["id"]
        path = f"{API}/applications/{order_id}"
        self.client.put(f"{path}/answers", json={"answers": ANSWERS},
                        name=f"{API}/applications/[id]/answers")  # fmt: skip
        codes = [document["code"] for document in order["required_documents"]]
        for code, photo in zip(codes, PHOTOS, strict=False):
            if not self._upload(path, code, photo):
                return
        self.client.put(f"{path}/delivery", json={"kind": "courier", "address": ADDRESS},
                        name=f"{API}/applications/[id]/delivery")  # fmt: skip
        if not self._until(lambda: self._get(path).get("documents", {}).get("complete")):
            return
        submitted = self.client.post(
            f"{path}/submit", headers={"Idempotency-Key": f"submit-{order_id}"},
            name=f"{API}/applications/[id]/submit",
        )  # fmt: skip
        if submitted.ok:
            self.client.post(f"{path}/payment/card", json=CARD, headers=_key(),
                             name=f"{API}/applications/[id]/payment/card")  # fmt: skip
            self.orders.append(order_id)

    def _upload(self, path: str, code: str, photo: bytes) -> bool:
        def once() -> bool:
            with self.client.put(
                f"{path}/documents/{code}", files={"file": (f"{code}.jpg", photo, "image/jpeg")},
                name=f"{API}/applications/[id]/documents/[code]", catch_response=True,
            ) as answer:  # fmt: skip
                if answer.status_code == 409:  # the case is not open yet: not a failure
                    answer.success()
                    return False
                return bool(answer.status_code == 201)

        return self._until(once)

    @task(2)
    def track(self) -> None:
        """Look at each application; confirm receipt once delivered, rate once completed."""
        for order_id in list(self.orders):
            path = f"{API}/applications/{order_id}"
            status = self._get(path).get("status")
            self.client.get(f"{path}/timeline", name=f"{API}/applications/[id]/timeline")
            if status in {"in_production", "shipped", "delivered", "ready_for_pickup"}:
                self.client.get(f"{path}/delivery", name=f"{API}/applications/[id]/delivery")
            if status == "delivered":
                self.client.post(f"{path}/confirm-receipt",
                                 name=f"{API}/applications/[id]/confirm-receipt")  # fmt: skip
            elif status == "completed":
                self._rate(path)
                self.orders.remove(order_id)
            elif status in {"rejected", "closed", "cancelled", "closed_unpaid", "discarded"}:
                self.orders.remove(order_id)

    def _rate(self, path: str) -> None:
        form = self._get(f"{path}/rating", name=f"{API}/applications/[id]/rating")
        if form.get("can_rate"):
            self.client.post(f"{path}/rating", json=RATING,
                             name=f"{API}/applications/[id]/rating")  # fmt: skip

    def _get(self, path: str, name: str | None = None) -> dict[str, Any]:
        answer = self.client.get(path, name=name or f"{API}/applications/[id]")
        return answer.json() if answer.ok else {}

    def _until(self, check: Any, tries: int = 20) -> bool:
        for _ in range(tries):
            if check():
                return True
            self._sleep(0.5)
        return False

    def _sleep(self, seconds: float) -> None:
        import gevent

        gevent.sleep(seconds)


class Staff(HttpUser):
    """The office: review, produce, dispatch. Runs only with LOCUST_STAFF_EMAIL set."""

    weight = 1
    fixed_count = 1  # one desk is enough to drain what the applicants make
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        answer = self.client.post(f"{API}/sessions", json={"identifier": STAFF_EMAIL,
                                  "password": STAFF_PASSWORD}, name=f"{API}/sessions (staff)")  # fmt: skip
        token = answer.json().get("token", "") if answer.ok else ""
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task(3)
    def review(self) -> None:
        queue = self._get(f"{API}/staff/reviews?tab=unassigned", f"{API}/staff/reviews")
        for case in queue.get("cases", [])[:3]:
            order_id = case["order_id"]
            path = f"{API}/staff/reviews/{order_id}"
            claimed = self.client.post(f"{path}/claim", name=f"{API}/staff/reviews/[id]/claim")
            if not claimed.ok:
                continue
            review = claimed.json()
            for document in review["documents"]:
                if document["verdict"] is None:
                    review = self._put(
                        f"{path}/documents/{document['code']}/verdict", {"verdict": "accepted"},
                        f"{API}/staff/reviews/[id]/documents/[code]/verdict",
                    ) or review  # fmt: skip
            for check in review.get("checks", []):
                if check["result"] != "match":
                    self._put(f"{path}/checks/{check['code']}", {"result": "match"},
                              f"{API}/staff/reviews/[id]/checks/[check]")  # fmt: skip
            self.client.post(f"{path}/decision", json={"decision": "approve"},
                             name=f"{API}/staff/reviews/[id]/decision")  # fmt: skip

    @task(2)
    def produce(self) -> None:
        jobs = self._get(f"{API}/staff/production/jobs?status=queued&item={ITEM}",
                         f"{API}/staff/production/jobs")["jobs"][:10]  # fmt: skip
        if not jobs:
            return
        ids = [job["order_id"] for job in jobs]
        batch = self.client.post(f"{API}/staff/production/batches", json={"order_ids": ids},
                                 name=f"{API}/staff/production/batches")  # fmt: skip
        if batch.status_code != 201:
            return
        for order_id in ids:
            self._put(f"{API}/staff/production/jobs/{order_id}/credential",
                      {"credential_number": CREDENTIAL_NUMBER},
                      f"{API}/staff/production/jobs/[id]/credential")  # fmt: skip
        self.client.post(f"{API}/staff/production/batches/{batch.json()['id']}/produced",
                         name=f"{API}/staff/production/batches/[id]/produced")  # fmt: skip

    @task(2)
    def dispatch(self) -> None:
        to_waybill = self._get(f"{API}/staff/dispatch/jobs?stage=to_waybill",
                               f"{API}/staff/dispatch/jobs")["jobs"][:10]  # fmt: skip
        if to_waybill:
            ids = [entry["job"]["order_id"] for entry in to_waybill]
            self.client.post(f"{API}/staff/dispatch/waybills", json={"order_ids": ids},
                             name=f"{API}/staff/dispatch/waybills")  # fmt: skip
        to_hand_over = self._get(f"{API}/staff/dispatch/jobs?stage=to_hand_over",
                                 f"{API}/staff/dispatch/jobs")["jobs"][:10]  # fmt: skip
        waybills = [entry["shipment"]["waybill"] for entry in to_hand_over if entry.get("shipment")]
        if waybills:
            self.client.post(f"{API}/staff/dispatch/hand-over", json={"waybills": waybills},
                             name=f"{API}/staff/dispatch/hand-over")  # fmt: skip

    def _get(self, path: str, name: str) -> dict[str, Any]:
        answer = self.client.get(path, name=name)
        return answer.json() if answer.ok else {"jobs": [], "cases": []}

    def _put(self, path: str, body: dict[str, Any], name: str) -> dict[str, Any] | None:
        answer = self.client.put(path, json=body, name=name)
        return answer.json() if answer.ok else None


@events.init.add_listener
def _without_staff(environment: Any, **_kwargs: Any) -> None:
    """No staff account given: run the applicants alone rather than fail every staff request."""
    if not STAFF_EMAIL and environment.user_classes:
        environment.user_classes = [cls for cls in environment.user_classes if cls is not Staff]
        environment.user_classes_by_name = {cls.__name__: cls for cls in environment.user_classes}
