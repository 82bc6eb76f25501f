"""The envelope every event travels in, and its strict parsing.

A message that does not parse as an envelope is malformed: the consumer sends
it straight to the dead-letter queue instead of retrying it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

EVENT_TYPE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


class MalformedEvent(ValueError):
    """The message body is not a valid envelope; the reason says why."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Envelope:
    type: str
    producer: str
    data: dict[str, Any]
    version: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=_now)
    correlation_id: str | None = None
    causation_id: str | None = None

    def __post_init__(self) -> None:
        if not EVENT_TYPE.match(self.type):
            raise MalformedEvent(f"type {self.type!r} is not '<producer>.<event>'")
        if not self.type.startswith(self.producer + "."):
            raise MalformedEvent(
                f"type {self.type!r} does not start with producer {self.producer!r}"
            )

    @property
    def routing_key(self) -> str:
        return self.type

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "data": self.data,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedEvent(f"body is not JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise MalformedEvent("body is not a JSON object")
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Envelope:
        for name in ("id", "type", "version", "occurred_at", "producer", "data"):
            if name not in raw:
                raise MalformedEvent(f"field {name!r} is missing")
        try:
            event_id = str(uuid.UUID(str(raw["id"])))
        except ValueError:
            raise MalformedEvent("field 'id' is not a UUID") from None
        version = raw["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise MalformedEvent("field 'version' is not a positive whole number")
        try:
            occurred_at = datetime.fromisoformat(str(raw["occurred_at"]))
        except ValueError:
            raise MalformedEvent("field 'occurred_at' is not an ISO 8601 time") from None
        if occurred_at.tzinfo is None:
            raise MalformedEvent("field 'occurred_at' has no time zone")
        if not isinstance(raw["data"], dict):
            raise MalformedEvent("field 'data' is not an object")
        for name in ("type", "producer"):
            if not isinstance(raw[name], str):
                raise MalformedEvent(f"field {name!r} is not a string")
        for name in ("correlation_id", "causation_id"):
            if raw.get(name) is not None and not isinstance(raw[name], str):
                raise MalformedEvent(f"field {name!r} is not a string")
        return cls(
            id=event_id,
            type=raw["type"],
            version=version,
            occurred_at=occurred_at,
            producer=raw["producer"],
            correlation_id=raw.get("correlation_id"),
            causation_id=raw.get("causation_id"),
            data=raw["data"],
        )
