"""The audit log for supervisors: a page at a time, or every entry as CSV."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import current_identity
from verification import audit
from verification.api.context import uow
from verification.schemas.audit import AuditPageOut, AuditQuery

blp = Blueprint("audit", __name__, description="Supervisors: what staff did to each case")

_SUPERVISORS: dict[int, Any] = {403: {"description": "not a supervisor"}}


@blp.route("/audit")
class AuditLog(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPageOut)
    @blp.doc(responses=_SUPERVISORS)
    def get(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The matching entries, newest first, 50 a page."""
        return audit.list_entries(uow(), current_identity(), filters)


@blp.route("/audit.csv")
class AuditExport(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, content_type="text/csv")
    @blp.doc(responses={200: {"description": "every matching entry"}, **_SUPERVISORS})
    def get(self, filters: dict[str, Any]) -> Response:
        """Every matching entry as CSV, newest first."""
        body = audit.export_csv(uow(), current_identity(), filters)
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
