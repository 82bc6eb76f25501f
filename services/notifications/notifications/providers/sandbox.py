"""The sandbox SMS and email providers: they record what they would send and
answer like a real company would.

They keep their own tables and commit in their own transactions, apart from
notifications', as a company on the other side of the internet would:

    a phone ending 0000, an email at invalid.test   rejected: invalid-recipient
    a phone ending 9999, an email starting bounce   accepted; the receipt: undeliverable
    the provider switched down (sandbox_switches)   unavailable
    anything else                                   accepted; the receipt: delivered

An idempotency key seen before is answered with its first acceptance and
nothing new is recorded. Each acceptance owes a delivery receipt, posted
`receipt_delay` later by the worker's timer (common.webhooks.WebhookSender),
signed `X-Provider-Signature: t=<unix>,v1=<HMAC-SHA256>`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.clock import Clock, SystemClock
from common.columns import UTCDateTime
from common.webhooks import DueWebhook, Post, SignatureRejected, WebhookSender, verify
from notifications.models import Base
from notifications.providers import (
    BadSignature,
    MalformedReceipt,
    ProviderRejected,
    ProviderUnavailable,
    Receipt,
)

HEADER = "X-Provider-Signature"
NAME = "sandbox"


class SandboxSent(Base):
    """What the sandbox accepted: what a phone or a mailbox would have received."""

    __tablename__ = "sandbox_sent"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    receipt: Mapped[str] = mapped_column(String(20))  # what its receipt will say


class SandboxSwitch(Base):
    __tablename__ = "sandbox_switches"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    down: Mapped[bool] = mapped_column(Boolean, default=False)


class SandboxReceipt(DueWebhook, Base):
    """A receipt the sandbox owes; the delivery's columns are common.webhooks'."""

    __tablename__ = "sandbox_receipts"

    url: Mapped[str] = mapped_column(String(300))


def receipt_sender(
    sessions: Callable[[], Session], secret: str, *, post: Post | None = None
) -> WebhookSender:
    return WebhookSender(sessions, SandboxReceipt, secret, HEADER, post=post)


def outcome_for(channel: str, to: str) -> str:
    """`rejected`, `undeliverable` or `delivered`: the sandbox's scenario for a recipient."""
    if channel == "sms":
        if to.endswith("0000"):
            return "rejected"
        return "undeliverable" if to.endswith("9999") else "delivered"
    if to.lower().endswith("@invalid.test"):
        return "rejected"
    return "undeliverable" if to.lower().startswith("bounce") else "delivered"


class SandboxProvider:
    name = NAME

    def __init__(
        self,
        channel: str,
        sessions: Callable[[], Session],
        secret: str,
        callback_url: str,
        *,
        clock: Clock | None = None,
        receipt_delay: timedelta = timedelta(seconds=5),
    ) -> None:
        self.channel = channel
        self._sessions = sessions
        self._secret = secret
        self._callback_url = callback_url
        self._clock = clock or SystemClock()
        self._delay = receipt_delay

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def send(self, *, idempotency_key: str, to: str, subject: str, body: str) -> str:
        with self._session() as session:
            switch = session.get(SandboxSwitch, self.channel)
            if switch is not None and switch.down:
                raise ProviderUnavailable(f"the sandbox {self.channel} provider is down")
            seen = session.scalars(
                select(SandboxSent).where(SandboxSent.idempotency_key == idempotency_key)
            ).first()
            if seen is not None:
                return seen.id
            outcome = outcome_for(self.channel, to)
            if outcome == "rejected":
                raise ProviderRejected("invalid-recipient")
            now = self._clock.now()
            sent = SandboxSent(
                id=f"sbx_{uuid.uuid4().hex[:20]}", channel=self.channel,
                idempotency_key=idempotency_key, to=to, subject=subject, body=body,
                accepted_at=now, receipt=outcome,
            )  # fmt: skip
            session.add(sent)
            session.add(self._receipt(sent, now))
            return sent.id

    def _receipt(self, sent: SandboxSent, now: datetime) -> SandboxReceipt:
        occurred = now + self._delay
        status = sent.receipt
        item = {
            "message_id": sent.id,
            "status": status,
            "reason": "handset-unreachable" if status == "undeliverable" else None,
            "occurred_at": occurred.isoformat(),
        }
        return SandboxReceipt(
            id=uuid.uuid4().hex, body=json.dumps({"receipts": [item]}), due_at=occurred,
            attempts=0, url=self._callback_url,
        )  # fmt: skip

    def parse_receipts(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> list[Receipt]:
        lowered = {key.lower(): value for key, value in headers.items()}
        try:
            verify(self._secret, body, lowered.get(HEADER.lower()), now.timestamp(), header=HEADER)
        except SignatureRejected as exc:
            raise BadSignature(str(exc)) from exc
        try:
            items = json.loads(body)["receipts"]
            return [_receipt(item) for item in items]
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedReceipt(f"not a receipt: {type(exc).__name__}: {exc}") from exc


def _receipt(item: dict[str, Any]) -> Receipt:
    status = item["status"]
    if status not in ("delivered", "undeliverable"):
        raise ValueError(f"unknown status {status!r}")
    return Receipt(
        provider_message_id=str(item["message_id"]),
        status=status,
        reason=item.get("reason"),
        occurred_at=datetime.fromisoformat(item["occurred_at"]),
    )


def set_down(sessions: Callable[[], Session], channel: str, down: bool) -> None:
    """The switch a person (or a test) flips to make a provider stop answering."""
    with sessions() as session, session.begin():
        switch = session.get(SandboxSwitch, channel)
        if switch is None:
            session.add(SandboxSwitch(channel=channel, down=down))
        else:
            switch.down = down


def outbox(
    sessions: Callable[[], Session], channel: str | None, page: int, per_page: int = 50
) -> list[SandboxSent]:
    with sessions() as session:
        query = select(SandboxSent).order_by(SandboxSent.accepted_at.desc(), SandboxSent.id)
        if channel:
            query = query.where(SandboxSent.channel == channel)
        rows = session.scalars(query.offset((page - 1) * per_page).limit(per_page)).all()
        session.expunge_all()
        return list(rows)
