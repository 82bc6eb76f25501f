"""Notifications as the gateway sees it: the applicant's inbox and its unread
count, the preferences, the supervisor's failed messages with resend and the
counts per day, and the sandbox providers' outbox (docs/design/notify.md).

This is the ONE place that knows the JSON of notifications' API; pages and
/api/v1 use the dataclasses below. Every call carries the caller's own
identity: the applicant is the token's subject, so notifications answers a
404 for another applicant's message without the gateway checking anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from common.service_client import Caller, ServiceClient
from gateway.clients.http import QUICK

CHANNELS = ("sms", "email")


@dataclass(frozen=True)
class InboxMessage:
    id: str
    order_id: str | None
    reference: str | None
    template: str
    title: str
    body: str
    link: str
    created_at: str | None
    read_at: str | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


@dataclass(frozen=True)
class Inbox:
    messages: tuple[InboxMessage, ...]
    unread: int
    page: int
    pages: int


@dataclass(frozen=True)
class Preferences:
    sms: bool
    email: bool
    language: str
    phone_masked: str | None
    email_masked: str | None
    required_templates: tuple[str, ...]


@dataclass(frozen=True)
class StaffMessage:
    """A message as a supervisor sees it: the recipient masked, never the body."""

    id: str
    order_id: str | None
    reference: str | None
    template: str
    channel: str
    status: str
    reason: str | None
    attempts: int
    to_masked: str | None
    created_at: str | None
    failed_at: str | None


@dataclass(frozen=True)
class FailureCount:
    channel: str
    reason: str
    count: int


@dataclass(frozen=True)
class Failures:
    messages: tuple[StaffMessage, ...]
    counts: tuple[FailureCount, ...]
    page: int
    pages: int


@dataclass(frozen=True)
class DayCount:
    date: str
    channel: str
    created: int
    sent: int
    delivered: int
    failed: int


@dataclass(frozen=True)
class SentMessage:
    """What a sandbox provider would have sent (the recipient masked)."""

    channel: str
    to_masked: str
    subject: str
    body: str
    accepted_at: str | None
    receipt: str


class NotificationsClient:
    def __init__(self, client: ServiceClient) -> None:
        self._http = client

    # -- the applicant ---------------------------------------------------------------

    def inbox(self, caller: Caller, *, page: int = 1, per_page: int = 20) -> Inbox:
        """The applicant's messages, newest first."""
        params = {"page": page, "per_page": per_page}
        raw = _dict(self._http.get("/inbox", params=params, caller=caller))
        return Inbox(
            messages=tuple(_message(m) for m in _list(raw.get("messages"))),
            unread=_int(raw.get("unread")),
            page=_int(raw.get("page")) or 1,
            pages=_int(raw.get("pages")) or 1,
        )

    def unread(self, caller: Caller, *, quick: bool = False) -> int:
        """How many messages are unread; `quick` for the page header, which can do
        without it: one attempt, half a second (http.QUICK)."""
        options: dict[str, Any] = {"retry": False, "timeout": QUICK} if quick else {}
        raw = _dict(self._http.get("/inbox/unread-count", caller=caller, **options))
        return _int(raw.get("unread"))

    def mark_read(self, caller: Caller, message_id: str) -> InboxMessage:
        raw = self._http.post(f"/inbox/{_segment(message_id)}/read", json={}, caller=caller)
        return _message(_dict(raw))

    def mark_all_read(self, caller: Caller) -> int:
        raw = _dict(self._http.post("/inbox/read-all", json={}, caller=caller))
        return _int(raw.get("unread"))

    def preferences(self, caller: Caller) -> Preferences:
        return _preferences(_dict(self._http.get("/preferences", caller=caller)))

    def change_preferences(self, caller: Caller, changes: dict[str, Any]) -> Preferences:
        """Only the fields given change; notifications' 422 names each refused one."""
        return _preferences(_dict(self._http.put("/preferences", json=changes, caller=caller)))

    # -- the supervisor --------------------------------------------------------------

    def failures(
        self, caller: Caller, *, channel: str = "", reason: str = "", page: int = 1
    ) -> Failures:
        params: dict[str, Any] = {"page": page}
        if channel:
            params["channel"] = channel
        if reason:
            params["reason"] = reason
        raw = _dict(self._http.get("/staff/failures", params=params, caller=caller))
        counts = tuple(
            FailureCount(str(c.get("channel") or ""), str(c.get("reason") or ""),
                         _int(c.get("count")))
            for c in _list(raw.get("counts"))
        )  # fmt: skip
        return Failures(
            messages=tuple(_staff_message(m) for m in _list(raw.get("messages"))),
            counts=counts,
            page=_int(raw.get("page")) or 1,
            pages=_int(raw.get("pages")) or 1,
        )

    def resend(self, caller: Caller, message_id: str) -> StaffMessage:
        """Send a failed message again with a new key (409 when it is not failed)."""
        path = f"/staff/messages/{_segment(message_id)}/resend"
        return _staff_message(_dict(self._http.post(path, json={}, caller=caller)))

    def stats(self, caller: Caller, *, days: int = 14) -> tuple[DayCount, ...]:
        raw = _dict(self._http.get("/staff/stats", params={"days": days}, caller=caller))
        return tuple(
            DayCount(str(d.get("date") or ""), str(d.get("channel") or ""), _int(d.get("created")),
                     _int(d.get("sent")), _int(d.get("delivered")), _int(d.get("failed")))
            for d in _list(raw.get("days"))
        )  # fmt: skip

    # -- the sandbox providers (make run) --------------------------------------------

    def sandbox_outbox(
        self, caller: Caller, *, channel: str = "", page: int = 1
    ) -> tuple[SentMessage, ...]:
        params: dict[str, Any] = {"page": page}
        if channel:
            params["channel"] = channel
        raw = _dict(self._http.get("/sandbox/outbox", params=params, caller=caller))
        return tuple(
            SentMessage(str(s.get("channel") or ""), str(s.get("to_masked") or ""),
                        str(s.get("subject") or ""), str(s.get("body") or ""),
                        _opt(s.get("accepted_at")), str(s.get("receipt") or ""))
            for s in _list(raw.get("sent"))
        )  # fmt: skip


def _message(raw: dict[str, Any]) -> InboxMessage:
    return InboxMessage(
        id=str(raw.get("id") or ""),
        order_id=_opt(raw.get("order_id")),
        reference=_opt(raw.get("reference")),
        template=str(raw.get("template") or ""),
        title=str(raw.get("title") or ""),
        body=str(raw.get("body") or ""),
        link=str(raw.get("link") or ""),
        created_at=_opt(raw.get("created_at")),
        read_at=_opt(raw.get("read_at")),
    )


def _staff_message(raw: dict[str, Any]) -> StaffMessage:
    return StaffMessage(
        id=str(raw.get("id") or ""),
        order_id=_opt(raw.get("order_id")),
        reference=_opt(raw.get("reference")),
        template=str(raw.get("template") or ""),
        channel=str(raw.get("channel") or ""),
        status=str(raw.get("status") or ""),
        reason=_opt(raw.get("reason")),
        attempts=_int(raw.get("attempts")),
        to_masked=_opt(raw.get("to_masked")),
        created_at=_opt(raw.get("created_at")),
        failed_at=_opt(raw.get("failed_at")),
    )


def _preferences(raw: dict[str, Any]) -> Preferences:
    return Preferences(
        sms=bool(raw.get("sms")),
        email=bool(raw.get("email")),
        language=str(raw.get("language") or "zh-CN"),
        phone_masked=_opt(raw.get("phone_masked")),
        email_masked=_opt(raw.get("email_masked")),
        required_templates=_strings(raw.get("required_templates")),
    )


def _segment(value: str) -> str:
    return quote(value, safe="")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
