"""The rules of telling the applicant, with no I/O.

- which channels a message goes out on (`channels_for`): in-app always; SMS and
  email by preference, or always for a required template, when a contact is known;
- quiet hours (`release_at`): 22:00–08:00 Beijing time (a setting,
  NOTIFICATIONS_QUIET_HOURS; `QuietHours.parse`) hold an SMS until they end,
  except the pickup code, which the applicant may be standing at the counter for;
- retries (`backoff`, `after_failure`): 30 s, then twice as long each time,
  at most 30 minutes, until the attempts run out;
- preferences (`check_preferences`): the in-app inbox cannot be switched off;
- how values are written: money in yuan, times in Beijing time, contacts masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=30)
LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


class Channel(StrEnum):
    INAPP = "inapp"
    SMS = "sms"
    EMAIL = "email"


class Status(StrEnum):
    PENDING = "pending"  # waiting to be sent (maybe held by quiet hours or a retry)
    SENDING = "sending"  # claimed by a worker; the lease ends at next_attempt_at
    ACCEPTED = "accepted"  # the provider took it: never sent again
    DELIVERED = "delivered"  # the receipt said so (in-app: at once)
    UNDELIVERABLE = "undeliverable"  # the receipt said it never arrived
    FAILED = "failed"  # rejected, or the attempts ran out
    CANCELLED = "cancelled"  # the account was deleted before it went out


# A resend starts from these; anything else was taken by a provider or is in flight.
RESENDABLE = (Status.FAILED, Status.UNDELIVERABLE)


@dataclass(frozen=True)
class Preferences:
    sms: bool = True
    email: bool = True
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Contact:
    phone: str | None = None
    email: str | None = None


def channels_for(required: bool, preferences: Preferences, contact: Contact) -> list[Channel]:
    """The channels one event's message goes out on."""
    chosen = [Channel.INAPP]
    if contact.phone and (required or preferences.sms):
        chosen.append(Channel.SMS)
    if contact.email and (required or preferences.email):
        chosen.append(Channel.EMAIL)
    return chosen


@dataclass(frozen=True)
class QuietHours:
    """A window of Beijing time in which SMS waits; it may run past midnight."""

    start: time
    until: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """ "22:00-08:00" → the window; "off" → none. ValueError says what is wrong."""
        if text.strip().lower() == "off":
            return None
        start, sep, until = text.strip().partition("-")
        if not sep:
            raise ValueError('must be "HH:MM-HH:MM" in Beijing time, or "off"')
        window = cls(_clock_time(start), _clock_time(until))
        if window.start == window.until:
            raise ValueError("must start and end at different times")
        return window

    def holds(self, moment: datetime) -> bool:
        local = moment.astimezone(BEIJING).time()
        if self.start < self.until:
            return self.start <= local < self.until
        return local >= self.start or local < self.until

    def end_after(self, moment: datetime) -> datetime:
        """The first end of the window after `moment` (a moment inside it)."""
        local = moment.astimezone(BEIJING)
        end = datetime.combine(local.date(), self.until, tzinfo=BEIJING)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(moment.tzinfo)


def _clock_time(text: str) -> time:
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f'must be "HH:MM-HH:MM" ("{text.strip()}" is not HH:MM), or "off"')
    if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
        raise ValueError(f'must be times of day ("{text.strip()}" is not)')
    return time(int(hours), int(minutes))


QUIET_HOURS = QuietHours(time(22, 0), time(8, 0))


def in_quiet_hours(moment: datetime, quiet: QuietHours | None = QUIET_HOURS) -> bool:
    return quiet is not None and quiet.holds(moment)


def release_at(
    moment: datetime, channel: Channel, exempt: bool, quiet: QuietHours | None = QUIET_HOURS
) -> datetime:
    """When a send due at `moment` may go out: an SMS in quiet hours waits for their end."""
    if channel != Channel.SMS or exempt or quiet is None or not quiet.holds(moment):
        return moment
    return quiet.end_after(moment)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2 min … at most 30 min."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def after_failure(attempts: int, max_attempts: int, now: datetime) -> datetime | None:
    """The next try after a provider did not answer, or None when the message has failed."""
    if attempts >= max_attempts:
        return None
    return now + backoff(attempts)


def check_preferences(changes: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors of a preferences change (empty when it may be saved)."""
    errors: dict[str, list[str]] = {}
    if "inapp" in changes:
        errors["inapp"] = ["The in-app inbox holds every message and cannot be switched off."]
    if "language" in changes and changes["language"] not in LANGUAGES:
        errors["language"] = [f"One of: {', '.join(LANGUAGES)}."]
    for name in ("sms", "email"):
        if name in changes and not isinstance(changes[name], bool):
            errors[name] = ["true or false."]
    return errors


def language_of(value: str | None) -> str:
    """A language we write in; anything else reads as the default."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def beijing_time(moment: datetime, language: str) -> str:
    """A deadline as the applicant reads it, in Beijing time."""
    local = moment.astimezone(BEIJING)
    if language == "en":
        return f"{local.day} {local.strftime('%b')} {local:%H:%M} (Beijing time)"
    return f"{local.month}月{local.day}日{local:%H:%M}"


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask(channel: str, to: str | None) -> str | None:
    return mask_phone(to) if channel == Channel.SMS else mask_email(to)
