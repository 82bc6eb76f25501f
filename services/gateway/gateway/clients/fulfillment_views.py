"""What fulfillment answers, as the gateway's dataclasses, and the readers that
turn its JSON (docs/design/deliver.md) into them. gateway.clients.fulfillment
makes the calls; pages and /api/v1 import these from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.clients.catalog import Text


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


def read_text(raw: Any) -> Text:
    raw = raw if isinstance(raw, dict) else {}
    return Text(zh=str(raw.get("zh") or ""), en=str(raw.get("en") or ""))


def read_office(raw: Any) -> Office | None:
    if not isinstance(raw, dict) or not raw:
        return None
    return Office(
        name=read_text(raw.get("name")),
        address=read_text(raw.get("address")),
        hours=read_text(raw.get("hours")),
    )


def read_summary(raw: dict[str, Any]) -> JobSummary:
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


def read_batch(raw: dict[str, Any]) -> Batch:
    return Batch(
        id=str(raw["id"]),
        status=str(raw.get("status") or ""),
        created_by=str(raw.get("created_by") or ""),
        created_at=raw.get("created_at"),
        produced_at=raw.get("produced_at"),
        jobs=tuple(read_summary(job) for job in raw.get("jobs", [])),
    )


def read_shipment(raw: dict[str, Any]) -> Shipment:
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


def read_dispatch_list(raw: dict[str, Any]) -> DispatchList:
    jobs = tuple(
        DispatchJob(
            job=read_summary(job),
            shipment=read_shipment(job["shipment"]) if job.get("shipment") else None,
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


def read_tracking(raw: dict[str, Any]) -> TrackingEvent:
    return TrackingEvent(
        state=str(raw.get("state") or ""),
        description=read_text(raw.get("description")),
        city=raw.get("city"),
        occurred_at=raw.get("occurred_at"),
        reason=raw.get("reason"),
        what_to_do=read_text(raw["what_to_do"]) if raw.get("what_to_do") else None,
    )


def read_parcel(raw: dict[str, Any]) -> Parcel:
    return Parcel(
        carrier=str(raw.get("carrier") or ""),
        waybill=str(raw.get("waybill") or ""),
        status=str(raw.get("status") or ""),
        failed_attempts=int(raw.get("failed_attempts") or 0),
        handed_over_at=raw.get("handed_over_at"),
        signer=raw.get("signer"),
        tracking=tuple(read_tracking(event) for event in raw.get("tracking", [])),
    )


def read_pickup(raw: dict[str, Any]) -> Pickup:
    return Pickup(
        office_code=raw.get("office_code"),
        office=read_office(raw.get("office")),
        ready_at=raw.get("ready_at"),
        collect_by=raw.get("collect_by"),
        code=raw.get("code"),
        attempts_left=int(raw.get("attempts_left") or 0),
        locked=bool(raw.get("locked")),
    )


def read_job(raw: dict[str, Any]) -> Job:
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
        shipment=read_parcel(raw["shipment"]) if raw.get("shipment") else None,
        pickup=read_pickup(raw["pickup"]) if raw.get("pickup") else None,
    )


def read_counter(raw: dict[str, Any]) -> Counter:
    return Counter(
        order_id=str(raw["order_id"]),
        reference=str(raw.get("reference") or ""),
        item_code=str(raw.get("item_code") or ""),
        status=str(raw.get("status") or ""),
        applicant_name=raw.get("applicant_name"),
        id_number_masked=raw.get("id_number_masked"),
        office_code=raw.get("office_code"),
        office=read_office(raw.get("office")),
        ready_at=raw.get("ready_at"),
        collect_by=raw.get("collect_by"),
        attempts_left=int(raw.get("attempts_left") or 0),
        locked=bool(raw.get("locked")),
    )
