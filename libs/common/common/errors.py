"""One error shape everywhere: application/problem+json.

Use cases raise the domain errors below; views never build error responses
by hand. `register_error_handlers` maps every exception to a problem document
with `type`, `title`, `status`, `detail` and, for bad input, `errors`
(field → list of messages). Anything unexpected becomes a 500 that is logged
with its traceback: a 500 is a bug. A database that cannot be reached, or
whose connection is cut mid-request, is a 503 with Retry-After: a fault to
wait out and send the request again (with its Idempotency-Key, where it has one).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, json
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("common.errors")

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A refusal the caller can understand and act on."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class InvalidInput(DomainError):
    status = 422
    title = "The request has invalid fields"
    slug = "invalid-input"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"
    slug = "unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"
    slug = "forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict with the current state"
    slug = "conflict"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
    slug = "too-many-requests"


class DatabaseUnavailable(DomainError):
    """The service's database could not be reached, or its connection was cut mid-request."""

    status = 503
    title = "The database is unavailable"
    slug = "database-unavailable"


class UpstreamUnavailable(DomainError):
    status = 503
    title = "A service this request needs is unavailable"
    slug = "upstream-unavailable"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    slug: str | None = None,
    errors: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"/problems/{slug or _slug_for(status)}",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    return response


def _slug_for(status: int) -> str:
    return {
        400: "bad-request",
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        409: "conflict",
        413: "too-large",
        415: "unsupported-media-type",
        422: "invalid-input",
        429: "too-many-requests",
        500: "internal-error",
        503: "unavailable",
    }.get(status, "error")


def flatten_field_errors(messages: Any) -> dict[str, Any]:
    """webargs' {location: {field: [...]}} and marshmallow's nested errors as
    flat dotted keys, the shape docs/api.md promises: {"address.street": [...],
    "lines.1.name": [...]}. A nested schema's own errors (`_schema`) belong to
    the field that holds it."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    locations = {"json", "query", "form", "headers", "files", "view_args", "path", "cookies"}
    if messages and set(messages) <= locations:
        merged: dict[str, Any] = {}
        for fields in messages.values():
            merged.update(fields if isinstance(fields, dict) else {"_schema": fields})
        messages = merged
    flat: dict[str, Any] = {}
    _flatten_into(flat, "", messages)
    return flat


def _flatten_into(flat: dict[str, Any], prefix: str, messages: dict[Any, Any]) -> None:
    for name, value in messages.items():
        key = prefix if name == "_schema" and prefix else f"{prefix}{name}"
        if isinstance(value, dict):
            _flatten_into(flat, f"{key}.", value)
        else:
            listed = value if isinstance(value, list) else [value]
            flat.setdefault(key.rstrip("."), []).extend(listed)


def _describe(errors: dict[str, Any]) -> str:
    names = ", ".join(sorted(str(name) for name in errors))
    return f"Check these fields: {names}."


def register_error_handlers(app: Flask) -> None:
    """Install the problem+json handlers; call after any extension that adds its own."""

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return problem(
            error.status, error.title, error.detail, slug=error.slug, errors=error.errors
        )

    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError) -> Response:
        errors = flatten_field_errors(error.messages)
        return problem(422, InvalidInput.title, _describe(errors), errors=errors)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if messages:
            errors = flatten_field_errors(messages)
            return problem(status, InvalidInput.title, _describe(errors), errors=errors)
        detail = data.get("message") if isinstance(data, dict) else None
        response = problem(status, error.name, detail or error.description)
        for header, value in (data.get("headers") or {}).items() if isinstance(data, dict) else ():
            response.headers[header] = value
        return response

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError) -> Response:
        if not (isinstance(error, OperationalError) or error.connection_invalidated):
            return _unexpected(error)
        log.warning("database unavailable: %s", type(error.orig).__name__)
        # Through the app's own DomainError handler, so a service with pages (the
        # gateway) answers in its own shape and words.
        response = current_app.make_response(
            current_app.handle_user_exception(DatabaseUnavailable(""))
        )
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error", exc_info=error)
        return problem(
            500, "Internal error", "Something went wrong on our side; it has been logged."
        )
