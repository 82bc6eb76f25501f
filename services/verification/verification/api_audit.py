"""The audit log for supervisors: a page at a time, or every entry as CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import current_identity
from common.db import UnitOfWork
from verification import audit
from verification.api import UOW_FACTORY
from verification.review_schemas import AuditPageOut, AuditQuery

blp = Blueprint("audit", __name__, description="Supervisors: what staff did to each case")

_SUPERVISORS: dict[int, Any] = {403: {"description": "not a supervisor"}}


def _uow() -> UnitOfWork:
    factory: Callable[[], UnitOfWork] = current_app.extensions[UOW_FACTORY]
    return factory()


@blp.route("/audit")
class AuditLog(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPageOut)
    @blp.doc(responses=_SUPERVISORS)
    def get(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The matching entries, newest first, 50 a page."""
        return audit.list_entries(_uow(), current_identity(), filters)


@blp.route("/audit.csv")
class AuditExport(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, content_type="text/csv")
    @blp.doc(responses={200: {"description": "every matching entry"}, **_SUPERVISORS})
    def get(self, filters: dict[str, Any]) -> Response:
        """Every matching entry as CSV, newest first."""
        body = audit.export_csv(_uow(), current_identity(), filters)
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
