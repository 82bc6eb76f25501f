"""The review as the gateway's staff console sees it: verification's review
queue, cases, verdicts, decisions, reveals, canned replies and audit log, and
the two supervisor actions orders offers on an order whose capture failed.

This is the ONE place that knows the JSON of those staff APIs
(docs/design/review.md); pages and /api/v1/staff use the dataclasses below.
Every call carries the staff member's own identity, so verification audits
each read and decision under their name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from common.service_client import Caller, ServiceClient
from gateway.clients.catalog import Text
from gateway.clients.http import get_bytes
from gateway.clients.orders import Order
from gateway.clients.orders import _order as order_from  # the one reader of orders' JSON

TABS = ("unassigned", "mine", "awaiting_applicant", "all")
FILTERS = ("item", "status", "assignee", "overdue", "q")
AUDIT_FILTERS = ("actor", "order_id", "action", "since", "until")


@dataclass(frozen=True)
class Verdict:
    verdict: str  # "accepted" or "refused"
    reason_code: str | None
    note: str | None
    by: str | None
    at: str | None


@dataclass(frozen=True)
class ReviewDocument:
    code: str
    title: Text
    status: str  # "uploaded", "missing" or "purged"
    uploaded_at: str | None
    width: int | None
    height: int | None
    verdict: Verdict | None
    replaced_in_round: int | None


@dataclass(frozen=True)
class Answer:
    name: str
    type: str
    label: Text
    value: str
    masked: bool
    revealed: bool = False  # shown in full: the assignee's own open case


@dataclass(frozen=True)
class Check:
    code: str
    result: str | None  # "match", "mismatch" or None while not recorded
    note: str | None
    by: str | None
    at: str | None


@dataclass(frozen=True)
class Decision:
    decision: str
    reason_code: str | None
    note: str | None
    by: str | None
    at: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: str
    actor_id: str
    actor_role: str
    action: str
    order_id: str | None
    reference: str | None
    document_code: str | None
    field: str | None
    reason: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class Review:
    order_id: str
    reference: str
    applicant_id: str
    applicant_name: str
    item_code: str
    status: str
    closed_because: str | None
    assignee_id: str | None
    queued_at: str | None
    sla_due_at: str | None
    overdue: bool
    sla_paused: bool
    round: int
    max_rounds: int
    resubmission_deadline: str | None
    answers: tuple[Answer, ...]
    documents: tuple[ReviewDocument, ...]
    checks: tuple[Check, ...]
    decision: Decision | None
    history: tuple[AuditEntry, ...]
    closed_at: str | None = None

    def document(self, code: str) -> ReviewDocument | None:
        return next((doc for doc in self.documents if doc.code == code), None)

    def check(self, code: str) -> Check | None:
        return next((check for check in self.checks if check.code == code), None)

    def answer(self, name: str) -> Answer | None:
        return next((answer for answer in self.answers if answer.name == name), None)


@dataclass(frozen=True)
class CaseSummary:
    order_id: str
    reference: str
    item_code: str
    status: str
    assignee_id: str | None
    queued_at: str | None
    sla_due_at: str | None
    overdue: bool
    round: int
    unread_messages: int


@dataclass(frozen=True)
class Queue:
    cases: tuple[CaseSummary, ...]
    counts: dict[str, int]
    page: int
    pages: int


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    page: int
    pages: int


@dataclass(frozen=True)
class CannedReply:
    code: str
    text: Text


@dataclass(frozen=True)
class Picture:
    content: bytes
    content_type: str


class ReviewsClient:
    def __init__(self, verification: ServiceClient, orders: ServiceClient) -> None:
        self._verification = verification
        self._orders = orders

    # --- the queue and a case --------------------------------------------------

    def queue(self, caller: Caller, *, tab: str, filters: dict[str, str], page: int = 1) -> Queue:
        params = {"tab": tab, "page": page, **{k: v for k, v in filters.items() if v}}
        raw = _dict(self._verification.get("/reviews", params=params, caller=caller))
        counts = _dict(raw.get("counts"))
        return Queue(
            cases=tuple(_summary(case) for case in _dicts(raw.get("cases"))),
            counts={tab: _int(counts.get(tab)) for tab in TABS},
            page=max(_int(raw.get("page")), 1),
            pages=max(_int(raw.get("pages")), 1),
        )

    def review(self, order_id: str, caller: Caller, *, unmask_for_assignee: bool = False) -> Review:
        """The case; with `unmask_for_assignee` its assignee sees the ID number in full
        while the case is theirs (verification audits that once per case)."""
        params = {"unmask_for_assignee": "true"} if unmask_for_assignee else None
        return _review(self._verification.get(_case_path(order_id), params=params, caller=caller))

    def claim(self, order_id: str, caller: Caller) -> Review:
        return _review(self._verification.post(_case_path(order_id, "claim"), caller=caller))

    def release(self, order_id: str, caller: Caller) -> Review:
        return _review(self._verification.post(_case_path(order_id, "release"), caller=caller))

    def picture(
        self, order_id: str, code: str, caller: Caller, *, size: str = "full", rotate: int = 0
    ) -> Picture:
        """A document in one of verification's sizes (fit, large, full), turned clockwise
        by `rotate` degrees; verification audits the staff who look at a case's pictures."""
        path = f"/cases/{_segment(order_id)}/documents/{_segment(code)}/image"
        params = {"size": size, "rotate": rotate}
        content, content_type = get_bytes(self._verification, path, caller, params)
        return Picture(content, content_type.split(";")[0].strip())

    # --- the reviewer's work ---------------------------------------------------

    def give_verdict(
        self,
        order_id: str,
        code: str,
        caller: Caller,
        *,
        verdict: str,
        reason_code: str | None = None,
        note: str | None = None,
    ) -> Review:
        body = _without_empty({"verdict": verdict, "reason_code": reason_code, "note": note})
        path = _case_path(order_id, f"documents/{_segment(code)}/verdict")
        return _review(self._verification.put(path, json=body, caller=caller))

    def give_verdicts(
        self,
        order_id: str,
        caller: Caller,
        *,
        verdicts: list[dict[str, str]],
        checks: list[dict[str, str]],
    ) -> Review:
        """Every verdict and check of the case in one request: all saved, or none
        (422 naming `verdicts.<code>.<field>` or `checks.<code>.<field>`)."""
        body = {
            "verdicts": [_without_empty(item) for item in verdicts],
            "checks": [_without_empty(item) for item in checks],
        }
        path = _case_path(order_id, "verdicts")
        return _review(self._verification.put(path, json=body, caller=caller))

    def record_check(
        self, order_id: str, check: str, caller: Caller, *, result: str, note: str | None = None
    ) -> Review:
        body = _without_empty({"result": result, "note": note})
        path = _case_path(order_id, f"checks/{_segment(check)}")
        return _review(self._verification.put(path, json=body, caller=caller))

    def decide(
        self,
        order_id: str,
        caller: Caller,
        *,
        decision: str,
        reason_code: str | None = None,
        note: str | None = None,
        deadline_days: int | str | None = None,
    ) -> Review:
        body = _without_empty(
            {
                "decision": decision,
                "reason_code": reason_code,
                "note": note,
                "deadline_days": deadline_days,
            }
        )
        return _review(
            self._verification.post(_case_path(order_id, "decision"), json=body, caller=caller)
        )

    def reveal(self, order_id: str, caller: Caller, *, field_name: str, reason: str) -> str:
        """The unmasked answer; verification records who asked and why."""
        body = {"field": field_name, "reason": reason}
        raw = _dict(
            self._verification.post(_case_path(order_id, "reveal"), json=body, caller=caller)
        )
        return str(raw.get("value") or "")

    def canned_replies(self, caller: Caller) -> list[CannedReply]:
        raw = _dict(self._verification.get("/canned-replies", caller=caller))
        return [
            CannedReply(code=str(reply.get("code") or ""), text=_text(reply.get("text")))
            for reply in _dicts(raw.get("replies"))
        ]

    # --- the audit log (supervisor) --------------------------------------------

    def audit(self, caller: Caller, *, filters: dict[str, str], page: int = 1) -> AuditPage:
        params = {"page": page, **{k: v for k, v in filters.items() if v}}
        raw = _dict(self._verification.get("/audit", params=params, caller=caller))
        return AuditPage(
            entries=tuple(_audit_entry(entry) for entry in _dicts(raw.get("entries"))),
            page=max(_int(raw.get("page")), 1),
            pages=max(_int(raw.get("pages")), 1),
        )

    def audit_csv(self, caller: Caller, *, filters: dict[str, str]) -> bytes:
        params = {k: v for k, v in filters.items() if v}
        content, _type = get_bytes(self._verification, "/audit.csv", caller, params)
        return content

    # --- supervisor actions on the order ----------------------------------------

    def retry_capture(self, order_id: str, caller: Caller) -> Order:
        """Capture again after the provider refused; 409 with its reason if it refuses again."""
        return order_from(self._orders.post(f"/orders/{_segment(order_id)}/capture", caller=caller))

    def cancel_order(self, order_id: str, caller: Caller, *, reason: str) -> Order:
        """A supervisor's cancellation: orders voids or refunds what was taken."""
        path = f"/orders/{_segment(order_id)}/cancel"
        return order_from(self._orders.post(path, json={"reason": reason}, caller=caller))


# --- reading verification's JSON ------------------------------------------------


def _segment(value: str) -> str:
    return quote(value, safe="")


def _case_path(order_id: str, action: str | None = None) -> str:
    path = f"/reviews/{_segment(order_id)}"
    return f"{path}/{action}" if action else path


def _without_empty(body: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in body.items() if value not in (None, "")}


def _dict(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _dicts(raw: Any) -> list[dict[str, Any]]:
    return [item for item in raw or () if isinstance(item, dict)]


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _int_or_none(value: Any) -> int | None:
    return None if value is None else _int(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _text(raw: Any) -> Text:
    if isinstance(raw, dict):
        return Text(zh=str(raw.get("zh") or ""), en=str(raw.get("en") or ""))
    return Text(zh=str(raw or ""), en=str(raw or ""))


def _verdict(raw: Any) -> Verdict | None:
    if not isinstance(raw, dict) or not raw.get("verdict"):
        return None
    return Verdict(
        verdict=str(raw["verdict"]),
        reason_code=_str(raw.get("reason_code")),
        note=_str(raw.get("note")),
        by=_str(raw.get("by")),
        at=_str(raw.get("at")),
    )


def _document(raw: dict[str, Any]) -> ReviewDocument:
    return ReviewDocument(
        code=str(raw.get("code") or ""),
        title=_text(raw.get("title")),
        status=str(raw.get("status") or "uploaded"),
        uploaded_at=_str(raw.get("uploaded_at")),
        width=_int_or_none(raw.get("width")),
        height=_int_or_none(raw.get("height")),
        verdict=_verdict(raw.get("verdict")),
        replaced_in_round=_int_or_none(raw.get("replaced_in_round")),
    )


def _answer(raw: dict[str, Any]) -> Answer:
    value = raw.get("value")
    return Answer(
        name=str(raw.get("name") or ""),
        type=str(raw.get("type") or "text"),
        label=_text(raw.get("label")),
        value="" if value is None else str(value),
        masked=bool(raw.get("masked")),
        revealed=bool(raw.get("revealed")),
    )


def _check(raw: dict[str, Any]) -> Check:
    return Check(
        code=str(raw.get("code") or ""),
        result=_str(raw.get("result")),
        note=_str(raw.get("note")),
        by=_str(raw.get("by")),
        at=_str(raw.get("at")),
    )


def _decision(raw: Any) -> Decision | None:
    if not isinstance(raw, dict) or not raw.get("decision"):
        return None
    return Decision(
        decision=str(raw["decision"]),
        reason_code=_str(raw.get("reason_code")),
        note=_str(raw.get("note")),
        by=_str(raw.get("by")),
        at=_str(raw.get("at")),
    )


def _audit_entry(raw: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=str(raw.get("id") or ""),
        at=str(raw.get("at") or ""),
        actor_id=str(raw.get("actor_id") or ""),
        actor_role=str(raw.get("actor_role") or ""),
        action=str(raw.get("action") or ""),
        order_id=_str(raw.get("order_id")),
        reference=_str(raw.get("reference")),
        document_code=_str(raw.get("document_code")),
        field=_str(raw.get("field")),
        reason=_str(raw.get("reason")),
        details=_dict(raw.get("details")),
    )


def _summary(raw: dict[str, Any]) -> CaseSummary:
    return CaseSummary(
        order_id=str(raw.get("order_id") or ""),
        reference=str(raw.get("reference") or ""),
        item_code=str(raw.get("item_code") or ""),
        status=str(raw.get("status") or ""),
        assignee_id=_str(raw.get("assignee_id")),
        queued_at=_str(raw.get("queued_at")),
        sla_due_at=_str(raw.get("sla_due_at")),
        overdue=bool(raw.get("overdue")),
        round=_int(raw.get("round")),
        unread_messages=_int(raw.get("unread_messages")),
    )


def _review(raw: Any) -> Review:
    raw = _dict(raw)
    return Review(
        order_id=str(raw.get("order_id") or ""),
        reference=str(raw.get("reference") or ""),
        applicant_id=str(raw.get("applicant_id") or ""),
        applicant_name=str(raw.get("applicant_name") or ""),
        item_code=str(raw.get("item_code") or ""),
        status=str(raw.get("status") or ""),
        closed_because=_str(raw.get("closed_because")),
        assignee_id=_str(raw.get("assignee_id")),
        queued_at=_str(raw.get("queued_at")),
        sla_due_at=_str(raw.get("sla_due_at")),
        overdue=bool(raw.get("overdue")),
        sla_paused=bool(raw.get("sla_paused")),
        round=_int(raw.get("round")),
        max_rounds=_int(raw.get("max_rounds")),
        resubmission_deadline=_str(raw.get("resubmission_deadline")),
        answers=tuple(_answer(answer) for answer in _dicts(raw.get("answers"))),
        documents=tuple(_document(doc) for doc in _dicts(raw.get("documents"))),
        checks=tuple(_check(check) for check in _dicts(raw.get("checks"))),
        decision=_decision(raw.get("decision")),
        history=tuple(_audit_entry(entry) for entry in _dicts(raw.get("history"))),
        closed_at=_str(raw.get("closed_at")),
    )
