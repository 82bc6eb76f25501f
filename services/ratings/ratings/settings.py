"""The ratings service's configuration, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from common.settings import CommonSettings, Env, InvalidSetting

SERVICE = "ratings"


@dataclass(frozen=True)
class Settings:
    """RATINGS_DATABASE_URL, BUS_URL, BUS_PREFIX, INTERNAL_TOKEN_SECRET, LOG_FORMAT
    and the shared bus knobs (see common.settings); plus (defaults in brackets):

    RATINGS_WINDOW_DAYS               days after completion an order may be rated (15)
    RATINGS_INVITE_AFTER_DAYS         days after completion an unrated order is invited (3)
    RATINGS_MIN_FOR_AVERAGE           fewer ratings than this show no average (5)
    RATINGS_CONTACT_WORKING_DAYS      a case's applicant is contacted within (1)
    RATINGS_RECTIFY_WORKING_DAYS      a case is rectified and answered within (15)
    RATINGS_ACCEPT_DAYS               an answered case the applicant leaves alone closes after (7)
    RATINGS_TIMER_INTERVAL_SECONDS    seconds between the worker's sweeps (5)
    RATINGS_BUS_CHECK_TIMEOUT         seconds /readyz waits for RabbitMQ (3)
    """

    common: CommonSettings
    window_days: float = 15.0
    invite_after_days: float = 3.0
    min_for_average: int = 5
    contact_working_days: int = 1
    rectify_working_days: int = 15
    accept_days: float = 7.0
    timer_interval_seconds: float = 5.0
    bus_check_timeout: float = 3.0

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        settings = cls(
            common=CommonSettings.from_env(SERVICE, env),
            window_days=env.float("RATINGS_WINDOW_DAYS", 15.0),
            invite_after_days=env.float("RATINGS_INVITE_AFTER_DAYS", 3.0),
            min_for_average=env.int("RATINGS_MIN_FOR_AVERAGE", 5),
            contact_working_days=env.int("RATINGS_CONTACT_WORKING_DAYS", 1),
            rectify_working_days=env.int("RATINGS_RECTIFY_WORKING_DAYS", 15),
            accept_days=env.float("RATINGS_ACCEPT_DAYS", 7.0),
            timer_interval_seconds=env.float("RATINGS_TIMER_INTERVAL_SECONDS", 5.0),
            bus_check_timeout=env.float("RATINGS_BUS_CHECK_TIMEOUT", 3.0),
        )
        settings.check()
        return settings

    def check(self) -> None:
        for name, value in (
            ("RATINGS_WINDOW_DAYS", self.window_days),
            ("RATINGS_MIN_FOR_AVERAGE", self.min_for_average),
            ("RATINGS_CONTACT_WORKING_DAYS", self.contact_working_days),
            ("RATINGS_RECTIFY_WORKING_DAYS", self.rectify_working_days),
            ("RATINGS_ACCEPT_DAYS", self.accept_days),
        ):
            if value <= 0:
                raise InvalidSetting(name, "must be more than 0")
        if not 0 < self.invite_after_days < self.window_days:
            raise InvalidSetting("RATINGS_INVITE_AFTER_DAYS", "must fall inside the window")
        if self.rectify_working_days < self.contact_working_days:
            raise InvalidSetting("RATINGS_RECTIFY_WORKING_DAYS", "must not come before contact")

    @property
    def database_url(self) -> str:
        return self.common.database_url
