"""Verification's configuration, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from common.settings import CommonSettings, Env, InvalidSetting, MissingSetting

SERVICE = "verification"
MIB = 1024 * 1024
KEYS_VARIABLE = "VERIFICATION_ENCRYPTION_KEYS"
STORAGE_VARIABLE = "VERIFICATION_STORAGE_DIR"


def keys_from(env: Env) -> tuple[str, ...]:
    """VERIFICATION_ENCRYPTION_KEYS as a tuple, empty when unset."""
    return tuple(key.strip() for key in env.str(KEYS_VARIABLE, "").split(",") if key.strip())


def storage_dir_from(env: Env, demo_mode: bool) -> str:
    """VERIFICATION_STORAGE_DIR (required outside the demo)."""
    # The one-process mode keeps its data under RUN_DATA_DIR, as the launcher does.
    demo_storage = str(Path(env.str("RUN_DATA_DIR", "var/run")) / "verification-files")
    return env.str(STORAGE_VARIABLE, demo_storage if demo_mode else None)


@dataclass(frozen=True)
class Settings:
    """VERIFICATION_DATABASE_URL, BUS_URL, BUS_PREFIX, INTERNAL_TOKEN_SECRET and the
    shared bus/log knobs (see common.settings); plus:

    VERIFICATION_STORAGE_DIR       where the encrypted pictures are kept (required;
                                   in DEMO_MODE defaults to $RUN_DATA_DIR/verification-files)
    VERIFICATION_ENCRYPTION_KEYS   comma-separated Fernet keys for the pictures and the
                                   form's answers, the first encrypts, all decrypt (required; in DEMO_MODE a key is generated
                                   once and kept in the storage directory)
    VERIFICATION_MAX_UPLOAD_BYTES  largest accepted upload (default 10 MiB)
    VERIFICATION_MAX_PIXELS        largest picture, width × height, checked before
                                   decoding (default 40,000,000)
    VERIFICATION_MIN_WIDTH / _MIN_HEIGHT  smallest picture (default 640 × 480, either
                                   orientation)
    VERIFICATION_BUS_CHECK_TIMEOUT seconds /readyz waits for RabbitMQ (default 3)
    VERIFICATION_RESUBMISSION_DAYS the applicant's time to replace refused documents
                                   when the reviewer names none (default 7 days)
    VERIFICATION_MAX_RESUBMISSION_ROUNDS  resubmission requests per case (default 3)
    VERIFICATION_TIMER_INTERVAL_SECONDS  how often the worker sweeps its timers (default 30)
    VERIFICATION_CHAT_MESSAGES_PER_MINUTE  messages one author may post to one order's
                                   chat in a minute (default 10)
    VERIFICATION_RETENTION_DAYS    days after an order became final before its pictures
                                   are purged (default 30; fractions allowed)

    The keys' format is checked when the store is opened (`storage.open_store`),
    which every process does at start-up: a bad key stops it with a message
    naming VERIFICATION_ENCRYPTION_KEYS.
    """

    common: CommonSettings
    storage_dir: Path
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    demo_mode: bool = False
    max_upload_bytes: int = 10 * MIB
    max_pixels: int = 40_000_000
    min_width: int = 640
    min_height: int = 480
    bus_check_timeout: float = 3.0
    resubmission_days: float = 7.0
    max_resubmission_rounds: int = 3
    timer_interval_seconds: float = 30.0
    chat_messages_per_minute: int = 10
    retention_days: float = 30.0

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        demo_mode = env.bool("DEMO_MODE")
        storage_dir = storage_dir_from(env, demo_mode)
        keys = keys_from(env)
        if not keys and not demo_mode:
            # Never invent a key outside the demo: pictures encrypted with a key
            # nobody configured could not be read by the next deployment.
            raise MissingSetting(KEYS_VARIABLE)
        settings = cls(
            common=CommonSettings.from_env(SERVICE, env),
            storage_dir=Path(storage_dir),
            encryption_keys=keys,
            demo_mode=demo_mode,
            max_upload_bytes=env.int("VERIFICATION_MAX_UPLOAD_BYTES", 10 * MIB),
            max_pixels=env.int("VERIFICATION_MAX_PIXELS", 40_000_000),
            min_width=env.int("VERIFICATION_MIN_WIDTH", 640),
            min_height=env.int("VERIFICATION_MIN_HEIGHT", 480),
            bus_check_timeout=env.float("VERIFICATION_BUS_CHECK_TIMEOUT", 3.0),
            resubmission_days=env.float("VERIFICATION_RESUBMISSION_DAYS", 7.0),
            max_resubmission_rounds=env.int("VERIFICATION_MAX_RESUBMISSION_ROUNDS", 3),
            timer_interval_seconds=env.float("VERIFICATION_TIMER_INTERVAL_SECONDS", 30.0),
            chat_messages_per_minute=env.int("VERIFICATION_CHAT_MESSAGES_PER_MINUTE", 10),
            retention_days=env.float("VERIFICATION_RETENTION_DAYS", 30.0),
        )
        settings.check()
        return settings

    def check(self) -> None:
        for name, value in (
            ("VERIFICATION_MAX_UPLOAD_BYTES", self.max_upload_bytes),
            ("VERIFICATION_MAX_PIXELS", self.max_pixels),
            ("VERIFICATION_MIN_WIDTH", self.min_width),
            ("VERIFICATION_MIN_HEIGHT", self.min_height),
            ("VERIFICATION_MAX_RESUBMISSION_ROUNDS", self.max_resubmission_rounds),
            ("VERIFICATION_CHAT_MESSAGES_PER_MINUTE", self.chat_messages_per_minute),
        ):
            if value < 1:
                raise InvalidSetting(name, f"must be at least 1, not {value}")
        if self.resubmission_days <= 0:
            raise InvalidSetting("VERIFICATION_RESUBMISSION_DAYS", "must be above 0")
        if self.timer_interval_seconds <= 0:
            raise InvalidSetting("VERIFICATION_TIMER_INTERVAL_SECONDS", "must be above 0")
        if self.min_width * self.min_height > self.max_pixels:
            raise InvalidSetting(
                "VERIFICATION_MAX_PIXELS", "is below VERIFICATION_MIN_WIDTH × _MIN_HEIGHT"
            )
        if self.retention_days < 0:
            raise InvalidSetting(
                "VERIFICATION_RETENTION_DAYS", f"must not be negative, not {self.retention_days}"
            )

    @property
    def database_url(self) -> str:
        return self.common.database_url

    @property
    def retention(self) -> timedelta:
        """How long a final order's pictures are kept."""
        return timedelta(days=self.retention_days)

    @property
    def max_content_length(self) -> int:
        """The request limit: the file's limit plus room for the multipart envelope."""
        return self.max_upload_bytes + 64 * 1024
