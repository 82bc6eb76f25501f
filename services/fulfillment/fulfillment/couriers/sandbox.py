"""The sandbox courier: a stand-in for EMS that behaves like a courier company.

It keeps its own state in its own tables and commits it in its own
transactions, apart from fulfillment's, as a company on the other side of the
internet would. Waybill numbers are EMS style with the UPU S10 check digit.
Handing a parcel over (`subscribe_tracking`) schedules the parcel's tracking
events as webhooks, `step` apart; the fulfillment worker's timer delivers the
due ones signed (`webhook_sender`, common.webhooks), as a courier's
notification system would. A courier that stops pushing still answers
`poll_tracking` with every event that has happened.

Its webhooks carry `X-Courier-Signature: t=<unix seconds>,v1=<HMAC-SHA256>`
(common.webhooks.signature); a missing, forged or stale one is BadSignature.

Scenarios, chosen by the recipient's name (like the payment sandbox's cards):

    拒收   collected, in transit, out for delivery, refused (退签)
    退回   collected, in transit, returned (退回)
    三次   collected, in transit, three times out for delivery and a failed attempt
    一次   one failed attempt, then out for delivery again and signed
    乱序   the default path, every webhook sent twice, in reverse order of time
    静默   the default path, never pushed: only polling finds it
    else   collected, in transit, out for delivery, signed by the recipient
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.clock import Clock, SystemClock
from common.columns import UTCDateTime
from common.webhooks import (
    DEFAULT_TOLERANCE_SECONDS,
    DueWebhook,
    Post,
    SignatureRejected,
    WebhookSender,
    verify,
)
from common.webhooks.signature import Secrets
from fulfillment.couriers import (
    BadSignature,
    CourierEvent,
    CourierRefused,
    MalformedWebhook,
    Party,
)
from fulfillment.domain import waybill_number
from fulfillment.models import Base

log = logging.getLogger("fulfillment.couriers.sandbox")

HEADER = "X-Courier-Signature"
PREFIX = "EA"
CREATED, SUBSCRIBED, CANCELLED = "created", "subscribed", "cancelled"


class SandboxWaybill(Base):
    __tablename__ = "sandbox_courier_waybills"

    # The serial of the waybill number: the courier's own sequence.
    serial: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    waybill: Mapped[str] = mapped_column(String(20), unique=True)
    order_reference: Mapped[str] = mapped_column(String(64))
    recipient_name: Mapped[str] = mapped_column(String(100))
    recipient_city: Mapped[str] = mapped_column(String(50))
    sender_city: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    callback_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SandboxCourierWebhook(DueWebhook, Base):
    """A tracking event the sandbox owes (or, silent, only keeps for polling);
    the delivery's columns (due, attempts, answers) are common.webhooks'."""

    __tablename__ = "sandbox_courier_webhooks"

    waybill: Mapped[str] = mapped_column(String(20), index=True)
    event_id: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    url: Mapped[str] = mapped_column(String(300))
    push: Mapped[bool] = mapped_column(Boolean, default=True)


def webhook_sender(
    sessions: Callable[[], Session], secrets: Secrets, *, post: Post | None = None
) -> WebhookSender:
    """The sandbox's notification system: each due pushed webhook to its parcel's callback URL."""
    return WebhookSender(
        sessions,
        SandboxCourierWebhook,
        secrets,
        HEADER,
        pending=[SandboxCourierWebhook.push.is_(True)],
        post=post,
    )


# (state, city source, extras) in the order they happen
Step = tuple[str, dict[str, Any]]


def scenario(name: str, sender_city: str, recipient_city: str) -> tuple[list[Step], str]:
    """The parcel's events for this recipient, and how they are pushed
    (`normal`, `twice_reversed` or `silent`)."""
    collected: Step = ("collected", {"city": sender_city})
    transit: Step = ("in_transit", {"city": "济南"})
    out: Step = ("out_for_delivery", {"city": recipient_city})
    failed: Step = ("problem", {"city": recipient_city, "reason": "no_answer"})
    signed: Step = ("signed", {"city": recipient_city, "signer": name})
    if "拒收" in name:
        return [
            collected,
            transit,
            out,
            ("refused", {"city": recipient_city, "reason": "refused"}),
        ], "normal"
    if "退回" in name:
        return [
            collected,
            transit,
            ("returned", {"city": sender_city, "reason": "returned"}),
        ], "normal"
    if "三次" in name:
        return [collected, transit, out, failed, out, failed, out, failed], "normal"
    if "一次" in name:
        return [collected, transit, out, failed, out, signed], "normal"
    path = [collected, transit, out, signed]
    if "乱序" in name:
        return path, "twice_reversed"
    if "静默" in name:
        return path, "silent"
    return path, "normal"


class SandboxCourier:
    name = "sandbox"
    carrier = "EMS"

    def __init__(
        self,
        sessions: Callable[[], Session],
        secrets: Secrets,
        *,
        clock: Clock | None = None,
        step: timedelta = timedelta(seconds=30),
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._secrets = secrets  # newest first; any of them verifies a webhook
        self._clock: Clock = clock or SystemClock()
        self._step = step
        self._tolerance = tolerance_seconds

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _waybill(self, session: Session, waybill: str) -> SandboxWaybill:
        row = session.scalars(
            select(SandboxWaybill).where(SandboxWaybill.waybill == waybill).with_for_update()
        ).one_or_none()
        if row is None:
            raise CourierRefused(f"The courier has no waybill {waybill}.")
        return row

    # -- the courier's API ---------------------------------------------------------

    def create_waybill(self, *, order_reference: str, recipient: Party, sender: Party) -> str:
        with self._transaction() as session:
            row = SandboxWaybill(
                waybill=f"pending-{uuid.uuid4().hex[:12]}",
                order_reference=order_reference,
                recipient_name=recipient.name,
                recipient_city=recipient.city or "青岛",
                sender_city=sender.city or "青岛",
                status=CREATED,
                created_at=self._clock.now(),
            )
            session.add(row)
            session.flush()  # the serial comes from the courier's sequence
            row.waybill = waybill_number(PREFIX, row.serial)
            return row.waybill

    def cancel_waybill(self, waybill: str) -> None:
        with self._transaction() as session:
            row = self._waybill(session, waybill)
            if row.status == SUBSCRIBED:
                raise CourierRefused(
                    f"The parcel {waybill} was handed over; it cannot be cancelled."
                )
            row.status = CANCELLED

    def subscribe_tracking(self, waybill: str, callback_url: str) -> None:
        with self._transaction() as session:
            row = self._waybill(session, waybill)
            if row.status == SUBSCRIBED:
                return  # a retried hand-over: the parcel's events are already on their way
            if row.status == CANCELLED:
                raise CourierRefused(f"The waybill {waybill} was cancelled.")
            now = self._clock.now()
            row.status, row.callback_url, row.subscribed_at = SUBSCRIBED, callback_url, now
            self._schedule(session, row, now)

    def poll_tracking(self, waybill: str) -> list[CourierEvent]:
        now = self._clock.now()
        with self._transaction() as session:
            self._waybill(session, waybill)
            rows = session.scalars(
                select(SandboxCourierWebhook)
                .where(SandboxCourierWebhook.waybill == waybill)
                .where(SandboxCourierWebhook.occurred_at <= now)
            ).all()
            seen: dict[str, CourierEvent] = {}
            for row in rows:
                for event in _events(json.loads(row.body)):
                    seen[event.event_id] = event
            return sorted(seen.values(), key=lambda e: e.occurred_at)

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> list[CourierEvent]:
        try:
            verify(
                self._secrets, body, headers.get(HEADER), now.timestamp(), self._tolerance,
                header=HEADER,
            )  # fmt: skip
        except SignatureRejected as exc:  # stale or forged alike: the courier gets a 401
            raise BadSignature(str(exc)) from None
        try:
            return _events(json.loads(body))
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedWebhook(
                f"The webhook is not a tracking notice: {type(exc).__name__}."
            ) from None

    # -- the webhooks it owes ----------------------------------------------------------

    def _schedule(self, session: Session, row: SandboxWaybill, start: datetime) -> None:
        steps, mode = scenario(row.recipient_name, row.sender_city, row.recipient_city)
        times = [start + self._step * (index + 1) for index in range(len(steps))]
        for index, ((state, extra), at) in enumerate(zip(steps, times, strict=True)):
            event_id = f"trk_{uuid.uuid4().hex}"
            body = json.dumps(
                {"waybill": row.waybill, "events": [
                    {"event_id": event_id, "waybill": row.waybill, "state": state,
                     "occurred_at": at.isoformat(), **extra},
                ]},
                ensure_ascii=False, separators=(",", ":"),
            )  # fmt: skip
            # Out of order: the last event is sent first, and every one twice.
            due = [times[-1 - index]] * 2 if mode == "twice_reversed" else [at]
            for due_at in due:
                session.add(
                    SandboxCourierWebhook(
                        id=f"whk_{uuid.uuid4().hex}", waybill=row.waybill, event_id=event_id,
                        occurred_at=at, body=body, url=row.callback_url or "",
                        push=mode != "silent", due_at=due_at, attempts=0,
                    )
                )  # fmt: skip
        log.info("sandbox courier scheduled %d events", len(steps), extra={"waybill": row.waybill})


def _events(raw: Any) -> list[CourierEvent]:
    events = raw["events"]
    if not isinstance(events, list) or not events:
        raise ValueError("no events")
    return [
        CourierEvent(
            event_id=str(item["event_id"]),
            waybill=str(item["waybill"]),
            state=str(item["state"]),
            occurred_at=datetime.fromisoformat(item["occurred_at"]),
            city=item.get("city"),
            signer=item.get("signer"),
            reason=item.get("reason"),
        )
        for item in events
    ]
