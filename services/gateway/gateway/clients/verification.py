"""The verification service as the gateway sees it: an order's case and its documents.

This is the ONE place that knows the verification service's JSON and its
upload refusals; pages and the API use the dataclasses and reasons below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from common.errors import DomainError
from common.service_client import (
    Caller,
    ServiceClient,
    ServiceConflict,
    ServiceError,
    ServiceRejected,
)
from gateway.clients.catalog import Text
from gateway.clients.http import Upload, get_bytes, put_file

# Why verification refused a file. The page says each in words.
UPLOAD_REASONS = (
    "not-an-image",
    "polyglot",
    "too-large",
    "too-many-pixels",
    "too-small",
    "corrupt",
    "duplicate",
    "case-not-ready",
    "case-locked",
    "case-closed",
    "not-refused",  # while new photos are asked for, only a refused document may be replaced
)
ACCEPTED, REFUSED = "accepted", "refused"
AWAITING_APPLICANT = "awaiting_applicant"


@dataclass(frozen=True)
class Verdict:
    """A reviewer's verdict on one document, as the applicant may see it."""

    verdict: str  # "accepted" or "refused"
    reason_code: str | None
    note: str | None


@dataclass(frozen=True)
class CaseDocument:
    code: str
    title: Text
    status: str  # "missing" or "uploaded"
    uploaded_at: str | None
    width: int | None
    height: int | None
    size_bytes: int | None
    verdict: Verdict | None = None
    replaced: bool = False  # a new photo was uploaded since it was refused

    @property
    def uploaded(self) -> bool:
        return self.status != "missing"

    @property
    def refused(self) -> bool:
        return self.verdict is not None and self.verdict.verdict == REFUSED


@dataclass(frozen=True)
class Case:
    order_id: str
    reference: str
    status: str  # collecting, locked, queued, in_review, awaiting_applicant or closed
    complete: bool
    revision: int
    documents: tuple[CaseDocument, ...]
    round: int = 0  # how many times new photos were asked for
    resubmission_deadline: str | None = None

    def document(self, code: str) -> CaseDocument | None:
        return next((doc for doc in self.documents if doc.code == code), None)

    @property
    def awaiting_applicant(self) -> bool:
        return self.status == AWAITING_APPLICANT

    @property
    def refused_documents(self) -> tuple[CaseDocument, ...]:
        return tuple(doc for doc in self.documents if doc.refused)

    @property
    def not_yet_replaced(self) -> tuple[CaseDocument, ...]:
        return tuple(doc for doc in self.refused_documents if not doc.replaced)


class UploadRefused(DomainError):
    """Verification would not take the file; `reason` is one of UPLOAD_REASONS (or
    "refused" when it gave none we know). Status, type and field errors are theirs."""

    def __init__(self, cause: ServiceError, reason: str) -> None:
        super().__init__(cause.detail, errors=cause.errors)
        self.status = cause.status
        self.title = cause.title
        self.slug = cause.slug
        self.reason = reason


class VerificationClient:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    def case(self, order_id: str, caller: Caller) -> Case:
        return _case(self._client.get(f"/cases/{_segment(order_id)}", caller=caller))

    def upload(self, order_id: str, code: str, caller: Caller, upload: Upload) -> CaseDocument:
        path = f"/cases/{_segment(order_id)}/documents/{_segment(code)}"
        try:
            return _document(put_file(self._client, path, upload, caller))
        except ServiceError as error:
            refused = isinstance(error, ServiceRejected | ServiceConflict)
            if not refused and error.upstream_status != 413:
                raise  # not about the file: the order is not theirs, or the service is down
            raise UploadRefused(error, refusal_reason(error)) from None

    def resubmit(self, order_id: str, caller: Caller) -> Case:
        """Send the replaced photos back for review: a 409 ServiceConflict while some refused
        document is not replaced yet (`replacements-missing`) or nothing was asked for
        (`not-awaiting-applicant`); the slug says which."""
        return _case(self._client.post(f"/cases/{_segment(order_id)}/resubmit", caller=caller))

    def remove(self, order_id: str, code: str, caller: Caller) -> None:
        self._client.delete(
            f"/cases/{_segment(order_id)}/documents/{_segment(code)}", caller=caller
        )

    def thumbnail(self, order_id: str, code: str, caller: Caller) -> tuple[bytes, str]:
        """The uploaded photo, 320 px wide, as JPEG bytes (owner and staff only)."""
        path = f"/cases/{_segment(order_id)}/documents/{_segment(code)}/thumbnail"
        return get_bytes(self._client, path, caller)


def refusal_reason(error: ServiceError) -> str:
    """The refusal's reason: verification puts its code in `errors.file` (and the
    case's state in the problem type); anything else is a plain refusal."""
    if error.upstream_status == 413:
        return "too-large"
    file_errors = (error.errors or {}).get("file")
    said = [str(m) for m in (file_errors if isinstance(file_errors, list) else [file_errors])]
    said.append(str(error.slug or ""))
    for text in said:
        if text.strip().lower() in UPLOAD_REASONS:
            return text.strip().lower()
    if isinstance(error, ServiceConflict):
        return "case-locked"
    return "refused"


def _segment(value: str) -> str:
    return quote(value, safe="")


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _text(raw: Any) -> Text:
    if isinstance(raw, dict):
        return Text(zh=str(raw.get("zh") or ""), en=str(raw.get("en") or ""))
    return Text(zh=str(raw or ""), en=str(raw or ""))


def _document(raw: Any) -> CaseDocument:
    raw = raw if isinstance(raw, dict) else {}
    return CaseDocument(
        code=str(raw.get("code") or ""),
        title=_text(raw.get("title")),
        status=str(raw.get("status") or "uploaded"),
        uploaded_at=None if raw.get("uploaded_at") is None else str(raw["uploaded_at"]),
        width=_int_or_none(raw.get("width")),
        height=_int_or_none(raw.get("height")),
        size_bytes=_int_or_none(raw.get("size_bytes")),
        verdict=_verdict(raw),
        replaced=bool(raw.get("replaced")),
    )


def _verdict(document: dict[str, Any]) -> Verdict | None:
    """The document's verdict: an object {verdict, reason_code, note}, or the verdict's
    word with the reason and note beside it on the document; None while there is none."""
    raw = document.get("verdict")
    if isinstance(raw, str) and raw:
        raw = {
            "verdict": raw,
            "reason_code": document.get("reason_code"),
            "note": document.get("note"),
        }
    if not isinstance(raw, dict) or not raw.get("verdict"):
        return None
    return Verdict(
        verdict=str(raw["verdict"]),
        reason_code=None if raw.get("reason_code") is None else str(raw["reason_code"]),
        note=None if raw.get("note") is None else str(raw["note"]),
    )


def _case(raw: Any) -> Case:
    raw = raw if isinstance(raw, dict) else {}
    return Case(
        order_id=str(raw.get("order_id") or ""),
        reference=str(raw.get("reference") or ""),
        status=str(raw.get("status") or "collecting"),
        complete=bool(raw.get("complete")),
        revision=int(raw.get("revision") or 0),
        documents=tuple(
            _document(doc) for doc in raw.get("documents") or () if isinstance(doc, dict)
        ),
        round=_int_or_none(raw.get("round")) or 0,
        resubmission_deadline=(
            None if raw.get("resubmission_deadline") is None else str(raw["resubmission_deadline"])
        ),
    )
