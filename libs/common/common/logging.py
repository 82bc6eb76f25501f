"""Structured logs: one JSON object a line in production, readable lines in dev.

Every record carries the service, the request id and the correlation id (the
order id where there is one) from context variables. Values of keys that name
secrets or personal data are replaced before a record is written: logs never
hold a password, a token, an ID number or an image.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)

SENSITIVE_KEYS = frozenset(
    {
        "password",
        "password_hash",
        "token",
        "authorization",
        "cookie",
        "secret",
        "id_number",
        "id_card_number",
        "image",
        "photo",
        "card_number",
    }
)

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def redact(value: Any) -> Any:
    """Replace sensitive values anywhere inside dicts and lists."""
    if isinstance(value, dict):
        return {
            key: "[redacted]" if str(key).lower() in SENSITIVE_KEYS else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.correlation_id = getattr(record, "correlation_id", None) or correlation_id_var.get()
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    skip = _STANDARD_ATTRS | {"service", "request_id", "correlation_id"}
    return {key: value for key, value in vars(record).items() if key not in skip}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": getattr(record, "service", None),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "correlation_id": getattr(record, "correlation_id", None),
        }
        body.update(redact(_extras(record)))
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str, ensure_ascii=False)


class ReadableFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = redact(_extras(record))
        context = " ".join(
            f"{key}={value}"
            for key, value in (
                ("req", getattr(record, "request_id", None)),
                ("corr", getattr(record, "correlation_id", None)),
                *extras.items(),
            )
            if value is not None
        )
        line = f"{record.levelname[:4]} {getattr(record, 'service', '-')} {record.name}: {record.getMessage()}"
        if context:
            line += f" [{context}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(service: str, fmt: str = "json", level: int = logging.INFO) -> None:
    """Route the root logger to stderr in the chosen format; safe to call twice."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ReadableFormatter())
    handler.addFilter(_ContextFilter(service))
    for existing in list(root.handlers):
        if getattr(existing, "_licensing", False):
            root.removeHandler(existing)
    handler._licensing = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("pika").setLevel(logging.WARNING)
