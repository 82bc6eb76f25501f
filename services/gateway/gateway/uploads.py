"""Uploads: a larger request size only where a view takes files, the file
kept in memory (never on the gateway's disk) and handed on as a stream.

Every other request keeps the app's small MAX_CONTENT_LENGTH. A view marked
with `accepts_uploads` may receive GATEWAY_MAX_UPLOAD_BYTES of file plus the
multipart framing; the limit is set before anything reads the body (the CSRF
check reads the form), so an oversized request is refused unread with a 413.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import IO, Any, TypeVar

from flask import Flask, Request, request
from werkzeug.datastructures import FileStorage

from common.errors import DomainError
from gateway.clients.http import Upload

F = TypeVar("F", bound=Callable[..., Any])
# Room for the multipart boundaries, part headers and the CSRF field around the file.
MULTIPART_SLACK = 64 * 1024
# After a 413 the rest of the body is read and dropped (up to this much), so the
# client sees the answer instead of a connection reset in the middle of sending.
DRAIN_LIMIT = 64 * 1024 * 1024


class PayloadTooLarge(DomainError):
    """A file over GATEWAY_MAX_UPLOAD_BYTES, refused before it is sent on."""

    status = 413
    title = "The file is too large"
    slug = "too-large"


class GatewayRequest(Request):
    """Werkzeug spools a file over 500 KB to a temporary file; photos of ID cards
    stay in memory instead (at most the upload limit each) until verification has them."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


def accepts_uploads(view: F) -> F:
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def install(app: Flask, max_upload_bytes: int) -> None:
    """Call before any before_request that reads the body."""
    app.request_class = GatewayRequest

    @app.before_request
    def _upload_limit() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and _marked(view):
            request.max_content_length = max_upload_bytes + MULTIPART_SLACK


def _marked(view: Callable[..., Any]) -> bool:
    while view is not None:
        if getattr(view, "accepts_uploads", False):
            return True
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return False


def size_of(sent: FileStorage) -> int:
    stream = sent.stream
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def upload_of(sent: FileStorage, size: int) -> Upload:
    sent.stream.seek(0)
    return Upload(
        stream=sent.stream,  # type: ignore[arg-type]
        filename=sent.filename or "upload",
        content_type=sent.mimetype or "application/octet-stream",
        size=size,
    )


def drain_refused_body() -> None:
    """Read and drop what is left of a refused body (bounded), then answer."""
    stream = request.environ.get("wsgi.input")
    remaining = min(request.content_length or 0, DRAIN_LIMIT)
    if stream is None:
        return
    try:
        while remaining > 0:
            chunk = stream.read(min(remaining, 1024 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)
    except (OSError, ValueError):
        return
