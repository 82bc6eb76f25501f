"""Structured logs: one JSON object a line in production, readable lines in dev.

Every record carries the service, the request id and the correlation id (the
order id where there is one) from context variables.

The service is the one whose code is running, not the process's: the one-process
mode (`make run`) hosts every service side by side, so a single label per
process would name them all alike. It is read, in this order, from
`service_var` (set for each request by `common.web`, for each worker thread by
`common.worker`, for each served connection by the launcher), from the
logger's name when its first part is a configured service (`catalog.seed`),
and last from the first service configured in the process.

    configure_logging("catalog", "text")
    with service_context("catalog"):      # what web and worker do for you
        log.info("fee changed")           # → INFO catalog common.x: fee changed Values of keys that name
secrets or personal data are replaced before a record is written: logs never
hold a password, a token, an ID number or an image.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
service_var: ContextVar[str | None] = ContextVar("service", default=None)

# Services configured in this process: a logger named "<service>.…" speaks for it.
_configured_services: set[str] = set()

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


@contextmanager
def service_context(service: str) -> Iterator[None]:
    """Lines logged inside (in this thread or task) name `service`."""
    token = service_var.set(service)
    try:
        yield
    finally:
        service_var.reset(token)


def in_service(service: str, target: Callable[[], None]) -> Callable[[], None]:
    """`target` wrapped to run in `service_context(service)`: for thread targets,
    since a new thread starts with empty context variables."""

    def run() -> None:
        with service_context(service):
            target()

    return run


def _service_of(record: logging.LogRecord, default: str) -> str:
    named = service_var.get()
    if named:
        return named
    owner = record.name.partition(".")[0]
    return owner if owner in _configured_services else default


class _ContextFilter(logging.Filter):
    def __init__(self, default_service: str) -> None:
        super().__init__()
        self.default_service = default_service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = _service_of(record, self.default_service)
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
    """Route the root logger to stderr in the chosen format; safe to call again,
    by the same service or by the next one of a one-process run.

    The process keeps one handler. The first service configured names the lines
    no service claims (the launcher's "licensing" in the one-process mode); a
    later call changes the format and level and never relabels the others."""
    _configured_services.add(service)
    root = logging.getLogger()
    previous = [handler for handler in root.handlers if getattr(handler, "_licensing", False)]
    default = previous[0]._licensing_default if previous else service  # type: ignore[attr-defined]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ReadableFormatter())
    handler.addFilter(_ContextFilter(default))
    for existing in previous:
        root.removeHandler(existing)
    handler._licensing = True  # type: ignore[attr-defined]
    handler._licensing_default = default  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("pika").setLevel(logging.WARNING)
