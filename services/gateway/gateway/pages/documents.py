"""The photos an application needs: one upload page per document, with its
guidance, a preview of what was uploaded and the refusal told in words.

Files are streamed on to verification, which checks, re-encodes and stores
them; the gateway keeps nothing. The preview is verification's thumbnail,
fetched with the applicant's identity, so nobody sees another's photos.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response as Redirect

from gateway import browser, journey, uploads
from gateway.clients.catalog import Document, Item
from gateway.clients.orders import Order
from gateway.clients.verification import Case, UploadRefused
from gateway.context import gateway
from gateway.i18n import translate
from gateway.pages import lang, loading, render

bp = Blueprint("document_pages", __name__)


def _required(item: Item, code: str) -> Document:
    document = next((doc for doc in item.required_documents if doc.code == code), None)
    if document is None:
        abort(404)
    return document


def _unless_uploadable(found: Order) -> Redirect | None:
    """Photos are taken while the draft is edited, and again when the office asks for
    new ones (verification then takes only the refused documents: 409 not-refused)."""
    if found.needs_new_photos:
        return None
    return loading.unless_editable(found)


@bp.get("/applications/<order_id>/documents")
@browser.applicant_page
def documents(order_id: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := loading.unless_editable(found)) is not None:
        return elsewhere
    return render(
        "apply/documents.html",
        page_title=translate("documents.title", lang()),
        order=found,
        item=loading.item_of(found),
        case=loading.case_of(found),
    )


def _document_page(
    found: Order,
    item: Item,
    document: Document,
    case: Case | None,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    held = case.document(document.code) if case else None
    codes = [doc.code for doc in item.required_documents]
    following = codes[codes.index(document.code) + 1 :]
    next_url = (
        url_for(".document", order_id=found.id, code=following[0])
        if following
        else url_for(".documents", order_id=found.id)
    )
    back_url = url_for(".documents", order_id=found.id)
    if found.needs_new_photos:  # back to the list of what the office asked for
        next_url = back_url = url_for("resubmit_pages.new_photos", order_id=found.id)
        held = held if held and held.replaced else None
    return render(
        "apply/document.html",
        status,
        page_title=document.title.get(lang()),
        order=found,
        document=document,
        held=held if held and held.uploaded else None,
        next_url=next_url,
        back_url=back_url,
        max_megabytes=gateway().settings.max_upload_bytes // (1024 * 1024),
        errors=errors or {},
    )


@bp.get("/applications/<order_id>/documents/<code>")
@browser.applicant_page
def document(order_id: str, code: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := _unless_uploadable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    return _document_page(found, item, _required(item, code), loading.case_of(found))


@bp.post("/applications/<order_id>/documents/<code>")
@browser.applicant_page
@uploads.accepts_uploads
def upload(order_id: str, code: str) -> Any:
    found = loading.order(order_id)
    if (elsewhere := _unless_uploadable(found)) is not None:
        return elsewhere
    item = loading.item_of(found)
    wanted = _required(item, code)
    sent = request.files.get("file")

    def refuse(reason: str, status: int) -> tuple[str, int]:
        message = translate(
            journey.upload_error_key(reason),
            lang(),
            megabytes=gateway().settings.max_upload_bytes // (1024 * 1024),
        )
        return _document_page(
            found, item, wanted, loading.case_of(found), errors={"file": [message]}, status=status
        )

    if not isinstance(sent, FileStorage) or not sent.filename:
        return refuse("no-file", 422)
    size = uploads.size_of(sent)
    if size == 0:
        return refuse("empty", 422)
    if size > gateway().settings.max_upload_bytes:
        return refuse("too-large", 413)
    try:
        gateway().verification.upload(
            found.id, code, loading.applicant(), uploads.upload_of(sent, size)
        )
    except UploadRefused as refused:
        return refuse(refused.reason, refused.status)
    return redirect(
        url_for(".document", order_id=found.id, code=code, notice="notice.photo_uploaded"),
        code=303,
    )


@bp.get("/applications/<order_id>/documents/<code>/thumbnail")
@browser.applicant_page
def thumbnail(order_id: str, code: str) -> Response:
    """The uploaded photo, small, for the applicant's own preview only."""
    content, content_type = gateway().verification.thumbnail(order_id, code, loading.applicant())
    if not content_type.startswith("image/"):
        abort(404)
    response = Response(content, mimetype=content_type.split(";")[0])
    safe_code = re.sub(r"[^A-Za-z0-9_-]", "", code)
    response.headers["Content-Disposition"] = f'inline; filename="{safe_code}-thumbnail.jpg"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
