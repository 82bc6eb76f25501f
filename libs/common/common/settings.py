"""Read configuration from the environment once, into frozen objects.

A missing required value stops start-up with a message naming the variable,
so a misconfigured deployment fails loudly at boot instead of at first use.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from dataclasses import dataclass


class MissingSetting(RuntimeError):
    """A required environment variable is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(f"required environment variable {name} is not set")
        self.name = name


class InvalidSetting(RuntimeError):
    """An environment variable is set to a value that cannot be used."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"environment variable {name} {reason}")
        self.name = name


class Env:
    """Typed accessors over an environment mapping (os.environ by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def str(self, name: str, default: str | None = None) -> str:
        value = self._environ.get(name)
        if value is None or value == "":
            if default is None:
                raise MissingSetting(name)
            return default
        return value

    def int(self, name: builtins.str, default: builtins.int | None = None) -> builtins.int:
        raw = self._environ.get(name)
        if raw is None or raw == "":
            if default is None:
                raise MissingSetting(name)
            return default
        try:
            return int(raw)
        except ValueError:
            raise InvalidSetting(name, f"must be a whole number, not {raw!r}") from None

    def float(self, name: builtins.str, default: builtins.float | None = None) -> builtins.float:
        raw = self._environ.get(name)
        if raw is None or raw == "":
            if default is None:
                raise MissingSetting(name)
            return default
        try:
            return float(raw)
        except ValueError:
            raise InvalidSetting(name, f"must be a number, not {raw!r}") from None

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        raw = self._environ.get(name)
        if raw is None or raw == "":
            return default
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise InvalidSetting(name, f"must be true or false, not {raw!r}")


@dataclass(frozen=True)
class CommonSettings:
    """What every service reads the same way.

    DATABASE_URL      the service's own database (SQLAlchemy URL)
    BUS_URL           amqp://… for RabbitMQ, or memory:// for the in-process bus
    BUS_PREFIX        prefix for every exchange and queue name (isolates test runs)
    INTERNAL_TOKEN_SECRET  shared HMAC secret for gateway → service tokens
    WORKER_METRICS_PORT    the worker's own Prometheus /metrics port (0 or unset: none)
    WORKER_METRICS_HOST    the address it binds (default 127.0.0.1)
    """

    service: str
    database_url: str
    bus_url: str
    bus_prefix: str
    internal_token_secret: str
    log_format: str
    consumer_prefetch: int
    max_attempts: int
    retry_delays_ms: tuple[int, ...]
    relay_batch_size: int
    relay_idle_seconds: float
    outbox_retention_hours: float = 168.0
    outbox_purge_interval_seconds: float = 3600.0
    worker_metrics_port: int = 0
    worker_metrics_host: str = "127.0.0.1"

    @classmethod
    def from_env(cls, service: str, env: Env | None = None) -> CommonSettings:
        env = env or Env()
        upper = service.upper()
        delays = env.str("BUS_RETRY_DELAYS_MS", "1000,5000,30000")
        try:
            retry_delays = tuple(int(part) for part in delays.split(",") if part.strip())
        except ValueError:
            raise InvalidSetting(
                "BUS_RETRY_DELAYS_MS", "must be comma-separated whole numbers"
            ) from None
        return cls(
            service=service,
            database_url=env.str(f"{upper}_DATABASE_URL"),
            bus_url=env.str("BUS_URL"),
            bus_prefix=env.str("BUS_PREFIX", "licensing"),
            internal_token_secret=env.str("INTERNAL_TOKEN_SECRET"),
            log_format=env.str("LOG_FORMAT", "json"),
            consumer_prefetch=env.int("BUS_PREFETCH", 200),
            max_attempts=env.int("BUS_MAX_ATTEMPTS", 5),
            retry_delays_ms=retry_delays or (1000,),
            relay_batch_size=env.int("RELAY_BATCH_SIZE", 500),
            relay_idle_seconds=env.float("RELAY_IDLE_SECONDS", 0.2),
            outbox_retention_hours=env.float("OUTBOX_RETENTION_HOURS", 168.0),
            outbox_purge_interval_seconds=env.float("OUTBOX_PURGE_INTERVAL_SECONDS", 3600.0),
            worker_metrics_port=env.int("WORKER_METRICS_PORT", 0),
            worker_metrics_host=env.str("WORKER_METRICS_HOST", "127.0.0.1"),
        )
