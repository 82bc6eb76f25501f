"""The catalog's configuration, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from common.settings import CommonSettings, Env

SERVICE = "catalog"


@dataclass(frozen=True)
class Settings:
    """CATALOG_DATABASE_URL, BUS_URL, BUS_PREFIX, INTERNAL_TOKEN_SECRET and the
    shared bus/log knobs (see common.settings); plus:

    CATALOG_BUS_CHECK_TIMEOUT  seconds /readyz waits for RabbitMQ (default 3)
    """

    common: CommonSettings
    bus_check_timeout: float = 3.0

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        return cls(
            common=CommonSettings.from_env(SERVICE, env),
            bus_check_timeout=env.float("CATALOG_BUS_CHECK_TIMEOUT", 3.0),
        )

    @property
    def database_url(self) -> str:
        return self.common.database_url
