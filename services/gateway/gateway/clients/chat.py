"""The order chat, kept by the verification service, as the gateway sees it.

This is the ONE place that knows the chat's JSON and its refusals; the
applicant's pages, the staff console and the API use the dataclasses and the
reasons below. Every call carries the caller's own identity, so verification
decides who may read a thread and which side a message is marked read for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from common.errors import DomainError
from common.service_client import Caller, ServiceClient, ServiceError
from gateway.clients.http import QUICK

APPLICANT, STAFF = "applicant", "staff"

# Why a message was not posted: verification decides (it strips a message, then
# counts it) and names the reason in its 422's `errors.body`; the pages and the
# API say each in words.
EMPTY, TOO_LONG, ATTACHMENT, RATE_LIMITED, CLOSED = (
    "empty",
    "too-long",
    "attachment",
    "rate-limited",
    "case-closed",
)


@dataclass(frozen=True)
class Message:
    id: str
    at: str
    author_role: str  # "applicant" or "staff"
    author_id: str
    body: str
    internal: bool  # a staff-only note; verification never gives these to an applicant

    @property
    def by_staff(self) -> bool:
        return self.author_role == STAFF


@dataclass(frozen=True)
class Thread:
    messages: tuple[Message, ...]
    unread: int  # unread for the caller's side before this read marked them read


class MessageRefused(DomainError):
    """Verification would not take the message (or the form carried a file);
    `reason` is one of the reasons above. Status and field errors are kept."""

    def __init__(self, status: int, reason: str, detail: str, errors: Any = None) -> None:
        super().__init__(detail, errors=errors or {"body": [detail]})
        self.status = status
        self.title = "The message was not sent"
        self.slug = reason
        self.reason = reason


class ChatClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    def thread(self, order_id: str, caller: Caller) -> Thread:
        """The order's messages, oldest first; reading marks the caller's side read."""
        raw = self._client.get(f"/chats/{_segment(order_id)}", caller=caller) or {}
        messages = [_message(m) for m in raw.get("messages") or () if isinstance(m, dict)]
        return Thread(
            messages=tuple(messages),
            unread=_int(raw.get("unread")),
        )

    def post(self, order_id: str, caller: Caller, body: str, *, internal: bool = False) -> Message:
        """Post a message as typed (an internal note when staff ask for one); refusals as
        MessageRefused."""
        payload: dict[str, Any] = {"body": body}
        if internal:
            payload["internal"] = True
        try:
            raw = self._client.post(
                f"/chats/{_segment(order_id)}/messages", json=payload, caller=caller
            )
        except ServiceError as error:
            if error.status in {403, 404, 413} or error.status >= 500:
                raise  # not about the message: someone else's order, or verification is down
            raise _refused(error) from None
        return _message(raw if isinstance(raw, dict) else {})

    def unread(self, caller: Caller, *, quick: bool = False) -> dict[str, int]:
        """Unread messages per order: an applicant's own orders; for staff every case
        with applicant messages nobody on the staff side has read. `quick` for a
        notice a page can do without: one attempt, half a second (http.QUICK)."""
        options: dict[str, Any] = {"retry": False, "timeout": QUICK} if quick else {}
        raw = self._client.get("/chats/unread", caller=caller, **options) or {}
        orders = raw.get("orders")
        if not isinstance(orders, dict):
            return {}
        return {str(order_id): _int(count) for order_id, count in orders.items() if _int(count)}


def _refused(error: ServiceError) -> MessageRefused:
    errors = error.errors or {}
    said = errors.get("body")
    code = str(said[0] if isinstance(said, list) and said else said or "")
    if error.status == 429:
        reason = RATE_LIMITED
    elif error.status == 409:
        reason = CLOSED
    elif "attachment" in errors:
        reason = ATTACHMENT
    elif code in (EMPTY, TOO_LONG):
        reason = code
    else:  # a refusal the gateway has no words for: verification's own, on its field
        return MessageRefused(error.status, code or "invalid", error.detail, errors)
    return MessageRefused(error.status, reason, _detail(reason))


def _detail(reason: str) -> str:
    """The i18n key that says the refusal in words (gateway.i18n)."""
    return f"chat.refused.{reason}"


def _segment(value: str) -> str:
    return quote(value, safe="")


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _message(raw: dict[str, Any]) -> Message:
    return Message(
        id=str(raw.get("id") or ""),
        at=str(raw.get("at") or ""),
        author_role=str(raw.get("author_role") or APPLICANT),
        author_id=str(raw.get("author_id") or ""),
        body=str(raw.get("body") or ""),
        internal=bool(raw.get("internal")),
    )
