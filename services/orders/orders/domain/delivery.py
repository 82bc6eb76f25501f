"""A delivery choice: courier to an address the item's options allow, or
pickup at one of its offices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from orders.domain.answers import check_mobile, normalise_phone
from orders.domain.problems import Problems


class DeliveryKind(StrEnum):
    COURIER = "courier"
    PICKUP = "pickup"


ADDRESS_LIMITS = {
    "recipient": 50,
    "phone": 20,
    "province": 20,
    "city": 30,
    "district": 30,
    "street": 200,
}


def check_delivery(
    options: Sequence[Mapping[str, Any]], choice: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Problems]:
    """The delivery to keep and what is wrong with the applicant's choice.

    Courier needs a whole address with a mainland mobile number and an item
    that can be sent; pickup needs one of the item's pickup offices.
    """
    kind = choice.get("kind")
    if kind == DeliveryKind.COURIER:
        return _check_courier(options, choice)
    if kind == DeliveryKind.PICKUP:
        return _check_pickup(options, choice)
    return None, {"kind": ["Choose courier or pickup."]}


def _check_courier(
    options: Sequence[Mapping[str, Any]], choice: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Problems]:
    problems: Problems = {}
    courier = next((o for o in options if o.get("kind") == DeliveryKind.COURIER), None)
    if courier is None:
        problems["kind"] = ["This item cannot be sent by courier: choose a pickup office."]
    if choice.get("office_code") is not None:
        problems["office_code"] = ["Only pickup has an office; courier needs an address."]
    raw = choice.get("address")
    if not isinstance(raw, Mapping):
        problems["address"] = ["Courier delivery needs an address."]
        return None, problems
    address: dict[str, str] = {}
    for name, limit in ADDRESS_LIMITS.items():
        value = raw.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if name == "phone":
            text = normalise_phone(text)
        if not text:
            problems[f"address.{name}"] = ["This field is required."]
        elif len(text) > limit:
            problems[f"address.{name}"] = [f"At most {limit} characters."]
        elif name == "phone" and check_mobile(text):
            problems[f"address.{name}"] = check_mobile(text)
        address[name] = text
    if problems or courier is None:
        return None, problems
    return {
        "kind": DeliveryKind.COURIER.value,
        "option_code": courier["code"],
        "address": address,
    }, {}


def _check_pickup(
    options: Sequence[Mapping[str, Any]], choice: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Problems]:
    problems: Problems = {}
    if choice.get("address") is not None:
        problems["address"] = ["Pickup needs no address; leave it out."]
    offices = {o["code"]: o for o in options if o.get("kind") == DeliveryKind.PICKUP}
    code = choice.get("office_code")
    if not code:
        problems["office_code"] = ["Choose the office where you will pick it up."]
    elif code not in offices:
        known = ", ".join(offices) or "none"
        problems["office_code"] = [f"This item cannot be picked up there; offices: {known}."]
    if problems:
        return None, problems
    office = offices[code]
    return {
        "kind": DeliveryKind.PICKUP.value,
        "option_code": code,
        "office_code": code,
        "office": office.get("office"),
    }, {}


def delivery_still_offered(
    options: Sequence[Mapping[str, Any]], delivery: Mapping[str, Any]
) -> list[str]:
    """Why a saved delivery choice cannot be used any more (the item's options changed)."""
    _kept, problems = check_delivery(options, delivery)
    if not problems:
        return []
    if delivery.get("kind") == DeliveryKind.PICKUP:
        return [f"The office {delivery.get('office_code')} is no longer offered: choose again."]
    return ["Courier delivery is no longer offered for this item: choose again."]
