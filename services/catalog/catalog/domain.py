"""The catalog's rules: which fee is in force, what may be published, how a
form field is defined (a text field's format is a name from
common.answer_patterns' fixed list, never a free regular expression). (What an applicant's answer must satisfy is orders'
rule, not the catalog's: the catalog only describes the question.) Pure functions over plain values; no I/O, no Flask, no
SQLAlchemy. Functions that check input return problems keyed by field path
(`{"form_fields.2.choices": ["..."]}`) so the caller can refuse with a 422
that names every field at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from common.answer_patterns import PATTERN_NAMES, answer_pattern

Problems = dict[str, list[str]]

ITEM_CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_CODE = re.compile(r"^[a-z][a-z0-9-]*$")
MAX_FEE_FEN = 10_000_000  # 100,000 yuan: far above any approved fee; catches a typo of units
# A fee "from now" sent by a client arrives a little late; within this skew it
# is taken as now. Anything earlier would rewrite what was in force.
EFFECTIVE_FROM_SKEW = timedelta(minutes=5)


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class FieldType(StrEnum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    PLATE_NUMBER = "plate_number"
    PHONE = "phone"
    DATE = "date"
    CHOICE = "choice"


class Section(StrEnum):
    """Where a question is asked: about the applicant, or about the vehicle."""

    DETAILS = "details"
    VEHICLE = "vehicle"


class DeliveryKind(StrEnum):
    COURIER = "courier"
    PICKUP = "pickup"


# --- the fee schedule ------------------------------------------------------


class FeeLike(Protocol):
    @property
    def version(self) -> int: ...
    @property
    def effective_from(self) -> datetime: ...


F = TypeVar("F", bound=FeeLike)


@dataclass(frozen=True)
class Fee:
    version: int
    production_cost_fen: int
    courier_fee_fen: int
    approval_reference: str
    effective_from: datetime


def fee_in_force(fees: Iterable[F], now: datetime) -> F | None:
    """The latest version already in effect (ties: the higher version number)."""
    started = [fee for fee in fees if fee.effective_from <= now]
    return max(started, key=lambda fee: (fee.effective_from, fee.version), default=None)


def upcoming_fee(fees: Iterable[F], now: datetime) -> F | None:
    """The next version to take effect, if one is scheduled."""
    future = [fee for fee in fees if fee.effective_from > now]
    return min(future, key=lambda fee: (fee.effective_from, -fee.version), default=None)


def fee_state(fee: FeeLike, in_force: FeeLike | None, now: datetime) -> str:
    if fee.effective_from > now:
        return "upcoming"
    if in_force is not None and fee.version == in_force.version:
        return "in_force"
    return "superseded"


def next_fee_version(fees: Iterable[FeeLike]) -> int:
    return max((fee.version for fee in fees), default=0) + 1


def check_fee_effective_from(effective_from: datetime, now: datetime) -> tuple[datetime, Problems]:
    """When a new fee version takes effect: never in the past (history stays as it was)."""
    if effective_from.tzinfo is None:
        return effective_from, {"effective_from": ["Give a time zone (e.g. +08:00)."]}
    if effective_from < now - EFFECTIVE_FROM_SKEW:
        return effective_from, {
            "effective_from": [
                "A fee cannot take effect in the past: that would rewrite the fee history."
            ]
        }
    return max(effective_from, now), {}


def delivery_fee_for(kind: str, courier_fee_fen: int | None) -> int | None:
    """What a delivery option costs: the schedule's courier fee; pickup is free."""
    return 0 if kind == DeliveryKind.PICKUP else courier_fee_fen


# --- the item's lifecycle -------------------------------------------------


def publish_blockers(
    status: str, fee_now: FeeLike | None, delivery_options: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Why the item cannot be published now; empty when it can."""
    if status == Status.PUBLISHED:
        return ["The item is already published."]
    reasons = []
    if fee_now is None:
        reasons.append(
            "The item has no fee in force: add a fee version (with its approval reference) "
            "that takes effect now before publishing."
        )
    if not delivery_options:
        reasons.append("The item has no delivery option: add courier delivery or a pickup office.")
    return reasons


def withdraw_blocker(status: str) -> str | None:
    if status == Status.PUBLISHED:
        return None
    return f"Only a published item can be withdrawn; this one is {status}."


# --- definitions staff write ----------------------------------------------


def check_definitions(
    required_documents: Sequence[Mapping[str, Any]] | None,
    form_fields: Sequence[Mapping[str, Any]] | None,
    delivery_options: Sequence[Mapping[str, Any]] | None,
) -> Problems:
    """Rules across entries that a per-field schema cannot see."""
    problems: Problems = {}
    if required_documents is not None:
        _unique(problems, "required_documents", required_documents, "code")
    if form_fields is not None:
        _unique(problems, "form_fields", form_fields, "name")
        for index, spec in enumerate(form_fields):
            for name, messages in _check_field_spec(spec).items():
                problems.setdefault(f"form_fields.{index}.{name}", []).extend(messages)
    if delivery_options is not None:
        _unique(problems, "delivery_options", delivery_options, "code")
        couriers = [o for o in delivery_options if o.get("kind") == DeliveryKind.COURIER]
        if len(couriers) > 1:
            problems.setdefault("delivery_options", []).append(
                "At most one courier option: the fee schedule has one courier fee."
            )
        for index, option in enumerate(delivery_options):
            if option.get("kind") == DeliveryKind.PICKUP and not option.get("office"):
                problems.setdefault(f"delivery_options.{index}.office", []).append(
                    "A pickup option needs its office (name, address, hours)."
                )
    return problems


def _unique(problems: Problems, path: str, entries: Sequence[Mapping[str, Any]], key: str) -> None:
    seen: set[Any] = set()
    for index, entry in enumerate(entries):
        value = entry.get(key)
        if value in seen:
            problems.setdefault(f"{path}.{index}.{key}", []).append(f"{value!r} appears twice.")
        seen.add(value)


def _check_field_spec(spec: Mapping[str, Any]) -> Problems:
    problems: Problems = {}
    kind = spec.get("type")
    choices = spec.get("choices") or []
    if kind == FieldType.CHOICE and not choices:
        problems["choices"] = ["A choice field needs at least one choice."]
    if kind != FieldType.CHOICE and choices:
        problems["choices"] = ["Only a choice field has choices."]
    values = [choice.get("value") for choice in choices]
    if len(set(values)) != len(values):
        problems.setdefault("choices", []).append("Each choice value must be different.")
    if spec.get("max_length") is not None and kind != FieldType.TEXT:
        problems["max_length"] = ["Only a text field has a max_length."]
    pattern = spec.get("pattern")
    if pattern is not None:
        if answer_pattern(pattern) is None:
            problems["pattern"] = [
                f"Unknown format {pattern!r}: one of {', '.join(PATTERN_NAMES)}."
            ]
        elif kind != FieldType.TEXT:
            problems["pattern"] = ["Only a text field has a pattern."]
    return problems


# --- the denormalised rating summary --------------------------------------


def is_newer_summary(current_as_of: datetime | None, candidate_as_of: datetime) -> bool:
    """Summaries arrive out of order; only a strictly later one replaces the one held."""
    return current_as_of is None or candidate_as_of > current_as_of
