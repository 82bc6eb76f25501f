"""Verification's use cases: show a case, upload, replace, delete and serve
its pictures. Each refusal raises a common.errors DomainError before anything
is committed.

An upload touches two stores, the database and the picture files, which
cannot share a transaction. The order is: check the case (cheap, no lock),
read and normalise the picture (slow, no lock held), then in one transaction
lock the case row, check again, write the encrypted files, stage the row and
the event, commit. If anything fails before the commit has succeeded, the new
files are deleted again, so a refusal or a failed commit leaves nothing
behind. The files are written before the commit, not renamed into place after
it, because the other order can lose a document: a crash between a commit and
a rename leaves a row pointing at no file, while a crash between a write and a
commit only leaves an unreferenced encrypted file (garbage, never a wrong
answer). The files a replacement or deletion frees are removed after the
commit, for the same reason. When a commit fails in a way that leaves its
outcome unknown (the connection dropped), the database is asked whether the
row made it before the files are removed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, DomainError, InvalidInput, NotFound
from verification import audit, domain, events, images, retention
from verification.domain import CaseStatus, Refusal, Verdict
from verification.images import ImageLimits, ImageRefused, Normalised
from verification.models import Case, Document
from verification.storage import EncryptedStore, StoredFileMissing

log = logging.getLogger("verification.services")


# --- refusals ----------------------------------------------------------------------


class CaseNotReady(Conflict):
    title = "The application's document case is not open yet"
    slug = "case-not-ready"


class CaseLocked(Conflict):
    title = "The application's documents can no longer change"
    slug = "case-locked"


class CaseClosed(Conflict):
    title = "The application is closed"
    slug = "case-closed"


class NotRefused(Conflict):
    title = "Only the refused documents can be replaced now"
    slug = "not-refused"


class UploadRefused(InvalidInput):
    """422 naming `file` with the reason code, e.g. {"file": ["polyglot"]}."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(domain.REFUSAL_TEXT[reason], errors={"file": [reason.value]})
        self.reason = reason


class UploadTooLarge(DomainError):
    status = 413
    title = "The file is too large"
    slug = "too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"{domain.REFUSAL_TEXT[Refusal.TOO_LARGE]} The limit is {limit:,} bytes.",
            errors={"file": [Refusal.TOO_LARGE.value]},
        )


@dataclass(frozen=True)
class Intake:
    """What an upload needs besides the database: where files go and the limits."""

    store: EncryptedStore
    limits: ImageLimits
    max_upload_bytes: int


# --- views -------------------------------------------------------------------------


def document_status(document: Document | None) -> str:
    """missing, uploaded, or purged once the retention purge deleted its picture."""
    if document is None:
        return "missing"
    return "purged" if document.purged_at is not None else "uploaded"


def document_view(
    required: dict[str, Any], document: Document | None, round_: int = 0
) -> dict[str, Any]:
    return {
        "code": required["code"],
        "title": required.get("title"),
        "status": document_status(document),
        "uploaded_at": document.uploaded_at if document else None,
        "width": document.width if document else None,
        "height": document.height if document else None,
        "size_bytes": document.size_bytes if document else None,
        "verdict": applicant_verdict(document),
        # Replaced during the resubmission round under way.
        "replaced": bool(round_ and document and document.replaced_in_round == round_),
    }


def applicant_verdict(document: Document | None) -> dict[str, Any] | None:
    """The reviewer's verdict without who gave it: the applicant sees what, not whom."""
    if document is None or document.verdict is None:
        return None
    return {
        "verdict": document.verdict,
        "reason_code": document.verdict_reason_code,
        "note": document.verdict_note,
    }


def case_view(case: Case) -> dict[str, Any]:
    uploaded = {document.code: document for document in case.documents}
    missing = domain.missing_documents(case.required_codes, uploaded)
    return {
        "order_id": case.order_id,
        "reference": case.reference,
        "status": case.status,
        "complete": case.opened_at is not None and not missing,
        "revision": case.revision,
        "round": case.round or 0,
        "resubmission_deadline": case.resubmission_deadline,
        "documents": [
            document_view(entry, uploaded.get(entry["code"]), case.round or 0)
            for entry in case.required_documents or []
        ],
    }


# --- finding a case ------------------------------------------------------------------


def find_case(uow: UnitOfWork, order_id: str, *, for_update: bool = False) -> Case | None:
    query = select(Case).where(Case.order_id == order_id)
    if for_update:
        query = query.with_for_update()
    return uow.session.scalars(query).one_or_none()


def _not_found(order_id: str) -> NotFound:
    # The same answer whether the case is someone else's or does not exist.
    return NotFound(f"There is no application {order_id!r} for you.")


def _visible_case(uow: UnitOfWork, order_id: str, identity: Identity) -> Case:
    case = find_case(uow, order_id)
    if case is None or not domain.may_view(identity.subject, identity.roles, case.applicant_id):
        raise _not_found(order_id)
    return case


def _changeable_case(
    uow: UnitOfWork,
    order_id: str,
    code: str,
    identity: Identity,
    *,
    for_update: bool = False,
    removing: bool = False,
) -> Case:
    case = find_case(uow, order_id, for_update=for_update)
    if case is None:
        raise CaseNotReady(
            "The application's document case is being opened; try again in a moment."
        )
    if not domain.is_owner(identity.subject, identity.roles, case.applicant_id):
        raise _not_found(order_id)
    if code not in case.required_codes:
        raise NotFound(f"This application asks for no document {code!r}.")
    blocker = domain.change_blocker(case.status)
    if blocker:
        error = CaseClosed if case.status == CaseStatus.CLOSED else CaseLocked
        raise error(blocker, errors={"status": [case.status]})
    if case.status == CaseStatus.AWAITING_APPLICANT:
        _refuse_unrefused(case, code, removing=removing)
    return case


def _refuse_unrefused(case: Case, code: str, *, removing: bool) -> None:
    """While the reviewer waits for new photos, only a refused document may be
    replaced, and none removed (the set stays complete)."""
    if removing:
        raise CaseLocked(
            "Replace the refused document with a new photo; it cannot be removed.",
            errors={"status": [case.status]},
        )
    document = _document(case, code)
    if document is None or document.verdict != Verdict.REFUSED:
        refused = [doc.code for doc in case.documents if doc.verdict == Verdict.REFUSED]
        raise NotRefused(
            f"{code!r} was accepted; replace only the refused documents: {', '.join(refused)}.",
            errors={"code": [f"not refused; refused: {', '.join(refused)}"]},
        )


def _document(case: Case, code: str) -> Document | None:
    return next((document for document in case.documents if document.code == code), None)


# --- reads ---------------------------------------------------------------------------


def get_case(uow: UnitOfWork, order_id: str, identity: Identity) -> dict[str, Any]:
    """The case and its documents as of one moment, though an upload commits meanwhile."""
    with uow:
        uow.read_one_snapshot()
        return case_view(_visible_case(uow, order_id, identity))


def document_picture(
    uow: UnitOfWork,
    store: EncryptedStore,
    order_id: str,
    code: str,
    identity: Identity,
    *,
    thumbnail: bool = False,
) -> bytes:
    """The decrypted JPEG (or its thumbnail) of an uploaded document."""
    for attempt in range(2):
        with uow:
            case = _visible_case(uow, order_id, identity)
            document = _document(case, code)
            if document is None:
                raise NotFound(f"No picture has been uploaded for {code!r}.")
            retention.refuse_purged_picture(uow, case.order_id, code)
            name = document.thumbnail_name if thumbnail else document.file_name
            if identity.is_staff and not attempt:
                # Staff looking at an applicant's pictures is on the record: once
                # per person per case per hour, however many pictures and reloads.
                audit.record_view_once(uow, case, identity, code, thumbnail=thumbnail)
                uow.commit()
        try:
            return store.get(name)
        except StoredFileMissing:
            if attempt:
                # Not replaced: a purge deleted it and has not committed yet (or
                # the store lost it, which the log must show).
                log.warning("picture file missing", extra={"correlation_id": order_id})
                raise retention.PicturePurged(
                    f"The picture of {code!r} is no longer kept.", errors={"code": ["purged"]}
                ) from None
            # Replaced between reading the row and the file: read the new row.
    raise AssertionError("unreachable")


# --- changes ---------------------------------------------------------------------------


def read_upload(stream: IO[bytes], limit: int) -> bytes:
    """The upload's bytes, refusing (413) from its size on disk before reading it when
    the stream can tell, and otherwise after reading at most one byte too many."""
    try:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
    except (AttributeError, OSError, ValueError):
        size = None
    if size is not None and size > limit:
        raise UploadTooLarge(limit)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(limit)
    return data


def upload_document(
    uow: UnitOfWork,
    intake: Intake,
    order_id: str,
    code: str,
    stream: IO[bytes],
    identity: Identity,
) -> dict[str, Any]:
    """Check, clean and store the picture for one required document (replacing any)."""
    with uow:
        _changeable_case(uow, order_id, code, identity)
    context = {"correlation_id": order_id, "document": code}
    try:
        data = read_upload(stream, intake.max_upload_bytes)
        picture = images.normalise(data, intake.limits)
    except ImageRefused as refusal:
        log.info("upload refused: %s (%s)", refusal.reason, refusal.note, extra=context)
        raise UploadRefused(refusal.reason) from None
    except UploadTooLarge:
        log.info("upload refused: too-large", extra=context)
        raise
    view = _store(uow, intake.store, order_id, code, picture, identity)
    log.info("document uploaded", extra={**context, "size_bytes": len(picture.jpeg)})
    return view


def _store(
    uow: UnitOfWork,
    store: EncryptedStore,
    order_id: str,
    code: str,
    picture: Normalised,
    identity: Identity,
) -> dict[str, Any]:
    written: list[str] = []
    freed: list[str] = []
    try:
        with uow:
            case = _changeable_case(uow, order_id, code, identity, for_update=True)
            _refuse_duplicate(case, code, picture.pixel_sha256)
            written = [store.put(picture.jpeg), store.put(picture.thumbnail)]
            document = _document(case, code)
            if document is None:
                document = Document(order_id=case.order_id, code=code)
                case.documents.append(document)
            else:
                freed = [document.file_name, document.thumbnail_name]
            document.file_name, document.thumbnail_name = written
            document.width, document.height = picture.width, picture.height
            document.size_bytes = len(picture.jpeg)
            document.pixel_sha256 = picture.pixel_sha256
            document.uploaded_at = uow.clock.now()
            if case.status == CaseStatus.AWAITING_APPLICANT:
                document.replaced_in_round = case.round
                case.updated_at = document.uploaded_at
            else:
                announce_document_set(uow, case)
            _flush_refusing_duplicates(uow)
            required = next(
                entry for entry in case.required_documents or [] if entry["code"] == code
            )
            view = document_view(required, document, case.round or 0)
            uow.commit()
    except BaseException as failure:
        _forget(uow, store, written, certain=isinstance(failure, DomainError))
        raise
    for name in freed:
        store.delete(name)
    return view


def _refuse_duplicate(case: Case, code: str, pixel_sha256: str) -> None:
    for other in case.documents:
        if other.code != code and other.pixel_sha256 == pixel_sha256:
            log.info(
                "upload refused: duplicate of another document",
                extra={"correlation_id": case.order_id, "document": code, "other": other.code},
            )
            raise UploadRefused(Refusal.DUPLICATE)


def _flush_refusing_duplicates(uow: UnitOfWork) -> None:
    try:
        uow.session.flush()
    except IntegrityError as exc:
        if "pixels" in str(exc.orig):  # uq_documents_order_pixels: a racing twin upload
            raise UploadRefused(Refusal.DUPLICATE) from None
        raise Conflict("The document changed at the same moment; try again.") from None


def _forget(uow: UnitOfWork, store: EncryptedStore, names: list[str], *, certain: bool) -> None:
    """Remove files written for a change that did not commit.

    After a refusal nothing was committed, certainly. After an unexpected error
    (a failed commit) the database is asked; if it cannot answer, the files
    stay: an unreferenced encrypted file is harmless, a row without its file is not.
    """
    if not names:
        return
    if not certain:
        try:
            with uow:
                referenced = uow.session.scalar(
                    select(func.count()).select_from(Document).where(Document.file_name == names[0])
                )
        except Exception:
            log.error("upload failed and its files' fate is unknown; they are kept")
            return
        if referenced:
            return
    for name in names:
        store.delete(name)


def delete_document(
    uow: UnitOfWork, store: EncryptedStore, order_id: str, code: str, identity: Identity
) -> None:
    """Remove an uploaded picture while the case is collecting; nothing to remove is fine."""
    with uow:
        case = _changeable_case(uow, order_id, code, identity, for_update=True, removing=True)
        document = _document(case, code)
        if document is None:
            return
        freed = [document.file_name, document.thumbnail_name]
        case.documents.remove(document)  # delete-orphan: the row goes with it
        announce_document_set(uow, case)
        uow.commit()
    for name in freed:
        store.delete(name)
    log.info("document deleted", extra={"correlation_id": order_id, "document": code})


def announce_document_set(uow: UnitOfWork, case: Case) -> None:
    """Next revision of the case; publish whether its document set is complete."""
    case.revision += 1
    case.updated_at = uow.clock.now()
    required = case.required_codes
    missing = domain.missing_documents(required, (document.code for document in case.documents))
    values: dict[str, Any] = {"order_id": case.order_id, "revision": case.revision}
    if missing:
        event_type, values["missing"] = events.DOCUMENT_SET_INCOMPLETE, missing
    else:
        event_type, values["documents"] = events.DOCUMENT_SET_COMPLETED, required
    uow.publish(event_type, events.payload(event_type, values), correlation_id=case.order_id)
