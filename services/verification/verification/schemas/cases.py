"""What the applicant's documents API accepts and returns."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from verification.renditions import ROTATIONS, SIZES
from verification.schemas.shared import LocalTextOut, LooseIn


class UploadIn(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "the picture, JPEG or PNG (judged from its bytes); at most "
            "VERIFICATION_MAX_UPLOAD_BYTES (10 MiB by default). Its name is ignored."
        },
    )


class DocumentOut(Schema):
    code = fields.String()
    title = fields.Nested(LocalTextOut, allow_none=True)
    status = fields.String(metadata={"description": "missing, uploaded or purged"})
    uploaded_at = fields.DateTime(allow_none=True)
    width = fields.Integer(allow_none=True, metadata={"description": "of the stored picture"})
    height = fields.Integer(allow_none=True)
    size_bytes = fields.Integer(allow_none=True, metadata={"description": "of the stored JPEG"})
    verdict = fields.Nested(
        "ApplicantVerdictOut",
        allow_none=True,
        metadata={"description": "the reviewer's verdict, null until given"},
    )
    replaced = fields.Boolean(
        metadata={"description": "replaced during the resubmission round under way"}
    )


class ApplicantVerdictOut(Schema):
    verdict = fields.String(metadata={"description": "accepted or refused"})
    reason_code = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class CaseOut(Schema):
    order_id = fields.String()
    reference = fields.String()
    status = fields.String(
        metadata={
            "description": "collecting, locked, queued, in_review, awaiting_applicant or closed"
        }
    )
    complete = fields.Boolean(metadata={"description": "every required document is uploaded"})
    revision = fields.Integer(
        metadata={"description": "grows with each document-set event published for the case"}
    )
    round = fields.Integer(metadata={"description": "resubmission rounds asked so far"})
    resubmission_deadline = fields.DateTime(
        allow_none=True, metadata={"description": "while new photos are awaited"}
    )
    documents = fields.List(fields.Nested(DocumentOut))


class PictureQuery(LooseIn):
    """Which rendition of a picture: fitted to a screen, large to zoom, or the
    original, turned clockwise by a multiple of 90 degrees."""

    size = fields.String(load_default="full", validate=validate.OneOf(tuple(SIZES)))
    rotate = fields.Integer(load_default=0, validate=validate.OneOf(ROTATIONS))
