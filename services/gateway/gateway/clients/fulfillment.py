"""Fulfillment as the gateway sees it: the production queue and batches, dispatch
(waybills, labels, hand-over, exceptions), the pickup counter, the applicant's
view of an order's making and delivery, and the address correction; and orders'
receipt confirmation, which ends that part of the order's life.

This is the ONE place that knows the JSON of fulfillment's API
(docs/design/deliver.md); pages and /api/v1 use the dataclasses below. Every
call carries the caller's own identity (the staff member's roles, or the
applicant), so fulfillment decides who may do what and records who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from common.service_client import Caller as ServiceCaller
from common.service_client import ServiceClient
from gateway.clients.catalog import Text
from gateway.clients.http import Caller

DUE_TABS = ("all", "on_time", "due_today", "late")
QUEUE_STATUSES = ("queued", "in_production", "produced")
DISPATCH_STAGES = ("to_waybill", "to_hand_over")
ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "street")


@dataclass(frozen=True)
class JobSummary:
    """A production job as production and dispatch staff see it: never a picture,
    never the full ID number (fulfillment holds neither)."""

    order_id: str
    reference: str
    item_code: str
    status: str
    applicant_name: str | None
    id_number_masked: str | None
    plate_number: str | None
    delivery_kind: str
    office_code: str | None
    approved_at: str | None
    due_at: str | None
    due_state: str
    batch_id: str | None
    credential_number: str | None
    produced_at: str | None


@dataclass(frozen=True)
class Queue:
    jobs: tuple[JobSummary, ...]
    counts: dict[str, int]
    page: int
    pages: int


@dataclass(frozen=True)
class Batch:
    id: str
    status: str
    created_by: str
    created_at: str | None
    produced_at: str | None
    jobs: tuple[JobSummary, ...]


@dataclass(frozen=True)
class Shipment:
    order_id: str
    reference: str
    carrier: str
    waybill: str
    status: str
    reship: bool
    failed_attempts: int
    created_at: str | None
    handed_over_at: str | None


@dataclass(frozen=True)
class DispatchJob:
    job: JobSummary
    shipment: Shipment | None
    exception_reason: str | None


@dataclass(frozen=True)
class DispatchList:
    jobs: tuple[DispatchJob, ...]
    counts: dict[str, int]
    page: int
    pages: int


@dataclass(frozen=True)
class Office:
    name: Text
    address: Text
    hours: Text


@dataclass(frozen=True)
class TrackingEvent:
    state: str
    description: Text
    city: str | None
    occurred_at: str | None
    reason: str | None
    what_to_do: Text | None


@dataclass(frozen=True)
class Parcel:
    """The current shipment of an order, with its tracking newest first."""

    carrier: str
    waybill: str
    status: str
    failed_attempts: int
    handed_over_at: str | None
    signer: str | None
    tracking: tuple[TrackingEvent, ...]

    @property
    def failed(self) -> tuple[TrackingEvent, ...]:
        return tuple(event for event in self.tracking if event.state == "problem")


@dataclass(frozen=True)
class Pickup:
    office_code: str | None
    office: Office | None
    ready_at: str | None
    collect_by: str | None
    code: str | None  # the owner's only, while ready for pickup
    attempts_left: int
    locked: bool


@dataclass(frozen=True)
class Job:
    """An order's making and delivery, as its applicant (or delivery staff) sees it."""

    order_id: str
    reference: str
    item_code: str
    status: str
    delivery_kind: str
    due_at: str | None
    produced_at: str | None
    credential_number: str | None
    delivered_at: str | None
    exception_reason: str | None
    address: dict[str, str] | None
    address_editable: bool
    shipment: Parcel | None
    pickup: Pickup | None


@dataclass(frozen=True)
class Counter:
    """What the counter sees for a pickup: the name and the masked ID number only."""

    order_id: str
    reference: str
    item_code: str
    status: str
    applicant_name: str | None
    id_number_masked: str | None
    office_code: str | None
    office: Office | None
    ready_at: str | None
    collect_by: str | None
    attempts_left: int
    locked: bool


@dataclass(frozen=True)
class Label:
    content: bytes
    content_type: str


class FulfillmentClient:
    """Fulfillment's API, and orders' receipt confirmation (the next step after delivery)."""

    def __init__(self, fulfillment: ServiceClient, orders: ServiceClient) -> None:
        self._http = fulfillment
        self._orders = orders

    # -- production -----------------------------------------------------------------

    def queue(self, caller: Caller, *, status: str, due: str, item: str, page: int = 1) -> Queue:
        params: dict[str, Any] = {"status": status, "page": page}
        if due != "all":
            params["due"] = due
        if item:
            params["item"] = item
        raw = self._http.get("/production/jobs", params=params, caller=_as(caller))
        return Queue(
            jobs=tuple(_summary(job) for job in raw.get("jobs", [])),
            counts={str(k): int(v) for k, v in (raw.get("counts") or {}).items()},
            page=int(raw.get("page") or 1),
            pages=int(raw.get("pages") or 1),
        )

    def start_batch(self, caller: Caller, order_ids: list[str]) -> Batch:
        raw = self._http.post(
            "/production/batches", json={"order_ids": order_ids}, caller=_as(caller)
        )
        return _batch(raw)

    def batch(self, caller: Caller, batch_id: str) -> Batch:
        return _batch(self._http.get(f"/production/batches/{_q(batch_id)}", caller=_as(caller)))

    def record_credential(self, caller: Caller, order_id: str, number: str) -> JobSummary:
        raw = self._http.put(
            f"/production/jobs/{_q(order_id)}/credential",
            json={"credential_number": number},
            caller=_as(caller),
        )
        return _summary(raw)

    def mark_produced(self, caller: Caller, batch_id: str) -> Batch:
        raw = self._http.post(f"/production/batches/{_q(batch_id)}/produced", caller=_as(caller))
        return _batch(raw)

    # -- dispatch ---------------------------------------------------------------------

    def dispatch_jobs(self, caller: Caller, *, stage: str, page: int = 1) -> DispatchList:
        raw = self._http.get(
            "/dispatch/jobs", params={"stage": stage, "page": page}, caller=_as(caller)
        )
        return _dispatch_list(raw)

    def create_waybills(self, caller: Caller, order_ids: list[str]) -> tuple[Shipment, ...]:
        raw = self._http.post(
            "/dispatch/waybills", json={"order_ids": order_ids}, caller=_as(caller)
        )
        return tuple(_shipment(s) for s in raw.get("shipments", []))

    def label(self, caller: Caller, waybill: str) -> Label:
        answer = self._http.request(
            "GET", f"/dispatch/shipments/{_q(waybill)}/label.svg", caller=_as(caller)
        )
        return Label(answer.content, answer.headers.get("Content-Type", ""))

    def hand_over(self, caller: Caller, waybills: list[str]) -> tuple[Shipment, ...]:
        raw = self._http.post(
            "/dispatch/hand-over", json={"waybills": waybills}, caller=_as(caller)
        )
        return tuple(_shipment(s) for s in raw.get("shipments", []))

    def exceptions(self, caller: Caller, page: int = 1) -> DispatchList:
        raw = self._http.get("/dispatch/exceptions", params={"page": page}, caller=_as(caller))
        return _dispatch_list(raw)

    def reship(
        self, caller: Caller, order_id: str, address: dict[str, str] | None = None
    ) -> Shipment:
        raw = self._http.post(
            f"/dispatch/jobs/{_q(order_id)}/reship",
            json={"address": address} if address else {},
            caller=_as(caller),
        )
        return _shipment(raw)

    def switch_to_pickup(
        self, caller: Caller, order_id: str, office_code: str, office: Office | None = None
    ) -> Job:
        body: dict[str, Any] = {"office_code": office_code}
        if office is not None:
            body["office"] = {
                name: {"zh": value.zh, "en": value.en}
                for name, value in (
                    ("name", office.name),
                    ("address", office.address),
                    ("hours", office.hours),
                )
            }
        raw = self._http.post(
            f"/dispatch/jobs/{_q(order_id)}/switch-to-pickup", json=body, caller=_as(caller)
        )
        return _job(raw)

    # -- the counter ------------------------------------------------------------------

    def counter(self, caller: Caller, reference: str) -> Counter:
        raw = self._http.get("/pickup", params={"reference": reference}, caller=_as(caller))
        return _counter(raw)

    def verify_code(self, caller: Caller, order_id: str, code: str) -> Counter:
        raw = self._http.post(
            f"/pickup/{_q(order_id)}/verify", json={"code": code}, caller=_as(caller)
        )
        return _counter(raw)

    def hand_over_pickup(self, caller: Caller, order_id: str, code: str, id_checked: bool) -> Job:
        raw = self._http.post(
            f"/pickup/{_q(order_id)}/hand-over",
            json={"code": code, "id_checked": id_checked},
            caller=_as(caller),
        )
        return _job(raw)

    def unlock(self, caller: Caller, order_id: str) -> Counter:
        return _counter(self._http.post(f"/pickup/{_q(order_id)}/unlock", caller=_as(caller)))

    # -- the applicant ----------------------------------------------------------------

    def job(self, caller: Caller, order_id: str) -> Job:
        return _job(self._http.get(f"/jobs/{_q(order_id)}", caller=_as(caller)))

    def correct_address(self, caller: Caller, order_id: str, address: dict[str, str]) -> Job:
        body = {name: address.get(name, "") for name in ADDRESS_FIELDS}
        raw = self._http.put(f"/jobs/{_q(order_id)}/address", json=body, caller=_as(caller))
        return _job(raw)

    def receipt(self, caller: Caller, order_id: str) -> dict[str, Any] | None:
        """Orders' auto-confirm timer of a delivered order: `auto_confirm_at`, or `paused`
        with `left_seconds` while a complaint is open (None once it has fired)."""
        raw = self._orders.get(f"/orders/{_q(order_id)}", caller=_as(caller))
        found = (raw or {}).get("receipt")
        return dict(found) if isinstance(found, dict) else None

    def confirm_receipt(self, caller: Caller, order_id: str) -> dict[str, Any]:
        """Orders' endpoint: delivered → completed; its raw Order JSON (the caller reads
        the order again through the orders client to show it)."""
        raw = self._orders.post(f"/orders/{_q(order_id)}/confirm-receipt", caller=_as(caller))
        return dict(raw or {})


def _as(caller: Caller) -> ServiceCaller:
    return ServiceCaller(caller.subject, tuple(caller.roles))


def _q(value: str) -> str:
    return quote(value, safe="")


def _text(raw: Any) -> Text:
    raw = raw if isinstance(raw, dict) else {}
    return Text(zh=str(raw.get("zh") or ""), en=str(raw.get("en") or ""))


def _office(raw: Any) -> Office | None:
    if not isinstance(raw, dict) or not raw:
        return None
    return Office(
        name=_text(raw.get("name")),
        address=_text(raw.get("address")),
        hours=_text(raw.get("hours")),
    )


def _summary(raw: dict[str, Any]) -> JobSummary:
    return JobSummary(
        order_id=str(raw["order_id"]),
        reference=str(raw.get("reference") or ""),
        item_code=str(raw.get("item_code") or ""),
        status=str(raw.get("status") or ""),
        applicant_name=raw.get("applicant_name"),
        id_number_masked=raw.get("id_number_masked"),
        plate_number=raw.get("plate_number"),
        delivery_kind=str(raw.get("delivery_kind") or ""),
        office_code=raw.get("office_code"),
        approved_at=raw.get("approved_at"),
        due_at=raw.get("due_at"),
        due_state=str(raw.get("due_state") or "on_time"),
        batch_id=raw.get("batch_id"),
        credential_number=raw.get("credential_number"),
        produced_at=raw.get("produced_at"),
    )


def _batch(raw: dict[str, Any]) -> Batch:
    return Batch(
        id=str(raw["id"]),
        status=str(raw.get("status") or ""),
        created_by=str(raw.get("created_by") or ""),
        created_at=raw.get("created_at"),
        produced_at=raw.get("produced_at"),
        jobs=tuple(_summary(job) for job in raw.get("jobs", [])),
    )


def _shipment(raw: dict[str, Any]) -> Shipment:
    return Shipment(
        order_id=str(raw.get("order_id") or ""),
        reference=str(raw.get("reference") or ""),
        carrier=str(raw.get("carrier") or ""),
        waybill=str(raw.get("waybill") or ""),
        status=str(raw.get("status") or ""),
        reship=bool(raw.get("reship")),
        failed_attempts=int(raw.get("failed_attempts") or 0),
        created_at=raw.get("created_at"),
        handed_over_at=raw.get("handed_over_at"),
    )


def _dispatch_list(raw: dict[str, Any]) -> DispatchList:
    jobs = tuple(
        DispatchJob(
            job=_summary(job),
            shipment=_shipment(job["shipment"]) if job.get("shipment") else None,
            exception_reason=job.get("exception_reason"),
        )
        for job in raw.get("jobs", [])
    )
    return DispatchList(
        jobs=jobs,
        counts={str(k): int(v) for k, v in (raw.get("counts") or {}).items()},
        page=int(raw.get("page") or 1),
        pages=int(raw.get("pages") or 1),
    )


def _tracking(raw: dict[str, Any]) -> TrackingEvent:
    return TrackingEvent(
        state=str(raw.get("state") or ""),
        description=_text(raw.get("description")),
        city=raw.get("city"),
        occurred_at=raw.get("occurred_at"),
        reason=raw.get("reason"),
        what_to_do=_text(raw["what_to_do"]) if raw.get("what_to_do") else None,
    )


def _parcel(raw: dict[str, Any]) -> Parcel:
    return Parcel(
        carrier=str(raw.get("carrier") or ""),
        waybill=str(raw.get("waybill") or ""),
        status=str(raw.get("status") or ""),
        failed_attempts=int(raw.get("failed_attempts") or 0),
        handed_over_at=raw.get("handed_over_at"),
        signer=raw.get("signer"),
        tracking=tuple(_tracking(event) for event in raw.get("tracking", [])),
    )


def _pickup(raw: dict[str, Any]) -> Pickup:
    return Pickup(
        office_code=raw.get("office_code"),
        office=_office(raw.get("office")),
        ready_at=raw.get("ready_at"),
        collect_by=raw.get("collect_by"),
        code=raw.get("code"),
        attempts_left=int(raw.get("attempts_left") or 0),
        locked=bool(raw.get("locked")),
    )


def _job(raw: dict[str, Any]) -> Job:
    address = raw.get("address")
    return Job(
        order_id=str(raw["order_id"]),
        reference=str(raw.get("reference") or ""),
        item_code=str(raw.get("item_code") or ""),
        status=str(raw.get("status") or ""),
        delivery_kind=str(raw.get("delivery_kind") or ""),
        due_at=raw.get("due_at"),
        produced_at=raw.get("produced_at"),
        credential_number=raw.get("credential_number"),
        delivered_at=raw.get("delivered_at"),
        exception_reason=raw.get("exception_reason"),
        address={str(k): str(v or "") for k, v in address.items()}
        if isinstance(address, dict)
        else None,
        address_editable=bool(raw.get("address_editable")),
        shipment=_parcel(raw["shipment"]) if raw.get("shipment") else None,
        pickup=_pickup(raw["pickup"]) if raw.get("pickup") else None,
    )


def _counter(raw: dict[str, Any]) -> Counter:
    return Counter(
        order_id=str(raw["order_id"]),
        reference=str(raw.get("reference") or ""),
        item_code=str(raw.get("item_code") or ""),
        status=str(raw.get("status") or ""),
        applicant_name=raw.get("applicant_name"),
        id_number_masked=raw.get("id_number_masked"),
        office_code=raw.get("office_code"),
        office=_office(raw.get("office")),
        ready_at=raw.get("ready_at"),
        collect_by=raw.get("collect_by"),
        attempts_left=int(raw.get("attempts_left") or 0),
        locked=bool(raw.get("locked")),
    )
