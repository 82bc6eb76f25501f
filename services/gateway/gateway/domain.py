"""The gateway's rules: identifiers, passwords, money in yuan and fen. No I/O here.

Validation failures name the field and carry a message key from `gateway.i18n`,
so pages show them in the visitor's language and the API in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

STAFF_ROLES = ("reviewer", "production", "dispatcher", "supervisor")
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
MAX_FEE_FEN = 100_000_000  # ¥1,000,000.00: far above any approved fee, below integer trouble

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Deliberately simple: one @, a dot in the domain, no spaces. The mailbox proves the rest.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_YUAN = re.compile(r"^\d+(\.\d+)?$")


class FieldErrors(Exception):
    """One or more fields are invalid: {field: [message key, ...]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass(frozen=True)
class Identifier:
    """How an account signs in: an email address or a China mainland mobile number."""

    kind: str  # "email" or "mobile"
    value: str


def parse_identifier(raw: str | None, field: str = "identifier") -> Identifier:
    text = (raw or "").strip()
    if not text:
        raise FieldErrors({field: ["identifier.required"]})
    compact = re.sub(r"[\s-]", "", text)
    if compact.startswith("+86"):
        compact = compact[3:]
    if compact.isdigit():
        if _MOBILE.match(compact):
            return Identifier("mobile", compact)
        raise FieldErrors({field: ["identifier.bad_mobile"]})
    if len(text) <= 254 and _EMAIL.match(text):
        return Identifier("email", text.lower())
    raise FieldErrors({field: ["identifier.invalid"]})


def check_new_password(password: str | None, confirmation: str | None = None) -> str:
    """The password if it meets the rules; FieldErrors naming what is wrong otherwise."""
    value = password or ""
    if not value:
        raise FieldErrors({"password": ["password.required"]})
    if len(value) < PASSWORD_MIN_LENGTH:
        raise FieldErrors({"password": ["password.too_short"]})
    if len(value) > PASSWORD_MAX_LENGTH:
        raise FieldErrors({"password": ["password.too_long"]})
    if value.strip() == "":
        raise FieldErrors({"password": ["password.blank"]})
    if confirmation is not None and confirmation != value:
        raise FieldErrors({"password_confirmation": ["password.mismatch"]})
    return value


def yuan_to_fen(raw: str | None, field: str) -> int:
    """Exact conversion of a yuan amount typed by a person ("12.5", "¥10.00") to fen."""
    text = (raw or "").strip().replace(",", "").removeprefix("¥").removeprefix("￥").strip()
    if not text:
        raise FieldErrors({field: ["money.required"]})
    if text.startswith("-"):
        raise FieldErrors({field: ["money.negative"]})
    if not _YUAN.match(text):
        raise FieldErrors({field: ["money.not_a_number"]})
    if "." in text and len(text.split(".", 1)[1]) > 2:
        raise FieldErrors({field: ["money.too_many_decimals"]})
    try:
        fen = int(Decimal(text) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only digits
        raise FieldErrors({field: ["money.not_a_number"]}) from None
    if fen > MAX_FEE_FEN:
        raise FieldErrors({field: ["money.too_large"]})
    return fen


def fen_to_yuan(fen: int) -> str:
    """12345 → "123.45", exactly, with no floating point on the way."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def check_roles(roles: list[str]) -> tuple[str, ...]:
    unknown = [role for role in roles if role not in STAFF_ROLES]
    if not roles or unknown:
        raise FieldErrors({"role": ["staff.bad_role"]})
    return tuple(dict.fromkeys(roles))


CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
APPROVAL_REF_MAX = 100


@dataclass(frozen=True)
class FeeChange:
    production_fen: int
    delivery_fen: int
    approval_ref: str
    effective_from: str | None  # ISO 8601 with +08:00, or None for "now"


def parse_fee_form(
    production_yuan: str | None,
    delivery_yuan: str | None,
    approval_ref: str | None,
    effective_from: str | None,
    *,
    today: date,
) -> FeeChange:
    """A fee change typed by staff in yuan, checked field by field (all errors at once)."""
    errors: dict[str, list[str]] = {}
    amounts: dict[str, int] = {}
    for name, raw in (("production_yuan", production_yuan), ("delivery_yuan", delivery_yuan)):
        try:
            amounts[name] = yuan_to_fen(raw, name)
        except FieldErrors as error:
            errors.update(error.errors)
    reference = (approval_ref or "").strip()
    if not reference:
        errors["approval_ref"] = ["approval_ref.required"]
    elif len(reference) > APPROVAL_REF_MAX:
        errors["approval_ref"] = ["approval_ref.too_long"]
    starts: str | None = None
    text = (effective_from or "").strip()
    if text:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors["effective_from"] = ["effective_from.invalid"]
        else:
            if day < today:
                errors["effective_from"] = ["effective_from.past"]
            elif day > today:
                starts = datetime.combine(day, time(0, 0), CHINA_STANDARD_TIME).isoformat()
    if errors:
        raise FieldErrors(errors)
    return FeeChange(amounts["production_yuan"], amounts["delivery_yuan"], reference, starts)


def today_in_china(now: datetime) -> date:
    return now.astimezone(CHINA_STANDARD_TIME).date()
