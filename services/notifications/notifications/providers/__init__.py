"""The provider adapter: what notifications asks of an SMS or email company.

    send(idempotency_key=, to=, subject=, body=) -> the provider's message id
        ProviderRejected      a permanent no (an invalid number): the message fails
        ProviderUnavailable   no answer, or a 5xx: try again later
        The same idempotency key sent twice is one message: the provider answers
        the first acceptance again (that is what makes a retry after a lost
        answer safe).
    parse_receipts(body, headers, now) -> [Receipt]
        BadSignature (401) / MalformedReceipt (400)

Only `sandbox` exists (notifications.providers.sandbox), one per channel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ProviderRejected(Exception):
    """The provider refused this message for good (reason in the message)."""


class ProviderUnavailable(Exception):
    """The provider did not take the message: nothing was sent, try again later."""


class BadSignature(Exception):
    """A receipt webhook whose signature is missing, forged or stale (401)."""


class MalformedReceipt(Exception):
    """A signed webhook whose body is not a receipt (400)."""


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str
    status: str  # "delivered" | "undeliverable"
    reason: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Outgoing:
    idempotency_key: str
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Answer:
    """One of: accepted (the provider's message id), rejected, or unavailable (why)."""

    accepted: str | None = None
    rejected: str | None = None
    unavailable: str | None = None


class Provider(Protocol):
    name: str
    channel: str

    def send(self, *, idempotency_key: str, to: str, subject: str, body: str) -> str: ...

    def send_many(self, messages: Sequence[Outgoing]) -> list[Answer]: ...

    def parse_receipts(
        self, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> list[Receipt]: ...


def answer_of(send: Callable[[], str]) -> Answer:
    """A single send's outcome as an Answer; no answer is no answer, whatever was raised."""
    try:
        return Answer(accepted=send())
    except ProviderRejected as exc:
        return Answer(rejected=str(exc))
    except Exception as exc:
        return Answer(unavailable=str(exc) if isinstance(exc, ProviderUnavailable)
                      else type(exc).__name__)  # fmt: skip


def send_each(provider: Provider, messages: Sequence[Outgoing]) -> list[Answer]:
    """send_many for an adapter whose provider takes one message per call."""

    def one(m: Outgoing) -> Callable[[], str]:
        return lambda: provider.send(
            idempotency_key=m.idempotency_key, to=m.to, subject=m.subject, body=m.body
        )

    return [answer_of(one(m)) for m in messages]
