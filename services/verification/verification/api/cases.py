"""Verification's HTTP API: thin views that parse, call one use case, dump.

Every call needs an internal token for audience `verification`. The owner
applicant (token subject = the case's applicant, role `applicant`) may read
and change the case's documents (while it awaits new photos, only the refused
ones) and resubmit them; reviewers and supervisors may read them (every
picture they see is audited); to anyone else a case does not exist (404,
never 403).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import current_identity
from verification import renditions, resubmission, services
from verification.api.context import intake, uow
from verification.schemas.cases import CaseOut, DocumentOut, PictureQuery, UploadIn

blp = Blueprint("verification", __name__, description="Applicants' documents and their cases")


def _jpeg(data: bytes, code: str) -> Response:
    response = Response(data, mimetype="image/jpeg")
    # The code is a checked snake_case slug; the uploaded file's name is never used.
    response.headers["Content-Disposition"] = f'inline; filename="{code}.jpg"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


_NOT_YOURS: dict[int, Any] = {404: {"description": "no such case, not yours, or no such document"}}
_UPLOAD_ANSWERS = {
    **_NOT_YOURS,
    409: {
        "description": "case-not-ready (try again in a moment), case-locked, case-closed, "
        "or not-refused (awaiting the applicant, only refused documents)"
    },
    413: {"description": "too-large"},
    422: {
        "description": "errors.file names the reason: not-an-image, polyglot, "
        "too-many-pixels, too-small, corrupt or duplicate"
    },
}
_PICTURE = {"description": "the JPEG", "content": {"image/jpeg": {"schema": {}}}}


@blp.route("/cases/<order_id>")
class OneCase(MethodView):
    @blp.response(200, CaseOut)
    @blp.doc(responses=_NOT_YOURS)
    def get(self, order_id: str) -> dict[str, Any]:
        """The case of an order: its status, completeness and each required document."""
        return services.get_case(uow(), order_id, current_identity())


@blp.route("/cases/<order_id>/documents/<code>")
class OneDocument(MethodView):
    @blp.arguments(UploadIn, location="files")
    @blp.response(201, DocumentOut)
    @blp.doc(responses=_UPLOAD_ANSWERS)
    def put(self, files: dict[str, Any], order_id: str, code: str) -> dict[str, Any]:
        """Upload the picture for a required document, replacing any earlier one."""
        return services.upload_document(
            uow(), intake(), order_id, code, files["file"].stream, current_identity()
        )

    @blp.response(204)
    @blp.doc(responses={**_NOT_YOURS, 409: {"description": "case-locked or case-closed"}})
    def delete(self, order_id: str, code: str) -> None:
        """Remove the picture of a document while the case is collecting."""
        services.delete_document(uow(), intake().store, order_id, code, current_identity())


@blp.route("/cases/<order_id>/resubmit")
class Resubmit(MethodView):
    @blp.response(200, CaseOut)
    @blp.doc(
        responses={
            **_NOT_YOURS,
            409: {"description": "not-awaiting-applicant, or replacements-missing listing them"},
        }
    )
    def post(self, order_id: str) -> dict[str, Any]:
        """Send the replaced documents back to the reviewer."""
        return resubmission.resubmit(uow(), order_id, current_identity())


@blp.route("/cases/<order_id>/documents/<code>/image")
class Picture(MethodView):
    @blp.arguments(PictureQuery, location="query")
    @blp.response(200, content_type="image/jpeg")
    @blp.doc(responses={200: _PICTURE, **_NOT_YOURS, 422: {"description": "size or rotate"}})
    def get(self, query: dict[str, Any], order_id: str, code: str) -> Response:
        """The document's picture, a re-encoded JPEG without metadata: `size` fit
        (longest side 1280 px), large (2400 px) or full (as stored), turned
        clockwise by `rotate` degrees (0, 90, 180 or 270)."""
        data = services.document_picture(uow(), intake().store, order_id, code, current_identity())
        return _jpeg(renditions.render(data, size=query["size"], rotate=query["rotate"]), code)


@blp.route("/cases/<order_id>/documents/<code>/thumbnail")
class Thumbnail(MethodView):
    @blp.response(200, content_type="image/jpeg")
    @blp.doc(responses={200: _PICTURE, **_NOT_YOURS})
    def get(self, order_id: str, code: str) -> Response:
        """The document's picture, 320 px wide."""
        data = services.document_picture(
            uow(), intake().store, order_id, code, current_identity(), thumbnail=True
        )
        return _jpeg(data, code)
