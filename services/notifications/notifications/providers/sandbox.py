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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.clock import Clock, SystemClock
from common.columns import UTCDateTime
from common.webhooks import DueWebhook, Post, SignatureRejected, WebhookSender, verify
from notifications.models import Base, table_of
from notifications.providers import (
    Answer,
    BadSignature,
    MalformedReceipt,
    Outgoing,
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
        [answer] = self.send_many([Outgoing(idempotency_key, to, subject, body)])
        if answer.rejected is not None:
            raise ProviderRejected(answer.rejected)
        if answer.unavailable is not None:
            raise ProviderUnavailable(answer.unavailable)
        assert answer.accepted is not None
        return answer.accepted

    def send_many(self, messages: Sequence[Outgoing]) -> list[Answer]:
        """Every message's answer from one transaction, as a provider's batch API
        answers one request: down → all unavailable; a key seen before → its
        first acceptance; otherwise accepted or rejected by the recipient."""
        with self._session() as session:
            switch = session.get(SandboxSwitch, self.channel)
            if switch is not None and switch.down:
                down = Answer(unavailable=f"the sandbox {self.channel} provider is down")
                return [down for _ in messages]
            keys = [message.idempotency_key for message in messages]
            seen: dict[str, str] = dict(session.execute(  # type: ignore[arg-type]
                select(SandboxSent.idempotency_key, SandboxSent.id)
                .where(SandboxSent.idempotency_key.in_(keys))
            ).all())  # fmt: skip
            now = self._clock.now()
            answers, sent, receipts = [], [], []
            for message in messages:
                if message.idempotency_key in seen:
                    answers.append(Answer(accepted=seen[message.idempotency_key]))
                    continue
                outcome = outcome_for(self.channel, message.to)
                if outcome == "rejected":
                    answers.append(Answer(rejected="invalid-recipient"))
                    continue
                sent_id = f"sbx_{uuid.uuid4().hex[:20]}"
                sent.append({
                    "id": sent_id, "channel": self.channel,
                    "idempotency_key": message.idempotency_key, "to": message.to,
                    "subject": message.subject, "body": message.body, "accepted_at": now,
                    "receipt": outcome,
                })  # fmt: skip
                receipts.append(self._receipt(sent_id, outcome, now))
                seen[message.idempotency_key] = sent_id  # the same key twice in one call: once
                answers.append(Answer(accepted=sent_id))
            if sent:  # lists of parameters: one batched, pipelined INSERT each
                session.execute(insert(table_of(SandboxSent)), sent)
                session.execute(insert(table_of(SandboxReceipt)), receipts)
            return answers

    def _receipt(self, sent_id: str, status: str, now: datetime) -> dict[str, Any]:
        occurred = now + self._delay
        item = {
            "message_id": sent_id,
            "status": status,
            "reason": "handset-unreachable" if status == "undeliverable" else None,
            "occurred_at": occurred.isoformat(),
        }
        return {"id": uuid.uuid4().hex, "body": json.dumps({"receipts": [item]}),
                "due_at": occurred, "attempts": 0, "url": self._callback_url}  # fmt: skip

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
