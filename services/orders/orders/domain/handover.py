"""What an approved order hands over to production and delivery (the facts
`orders.approved` carries beyond the order's ids), from what the order holds.

Personal data is kept to what making and sending the credential needs: the
name on the form, the ID number masked as staff see it (never the full
number), the plate, and the delivery. Pure functions over plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from orders.domain.answers import FieldType, mask_id_number
from orders.domain.delivery import DeliveryKind

# The form's question for the name on the credential: the driver's, or the vehicle owner's.
NAME_FIELDS = ("full_name", "owner_name")


def _answer_of_type(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str], kind: FieldType
) -> str | None:
    for spec in form_fields:
        if spec.get("type") == kind and answers.get(spec["name"]):
            return answers[spec["name"]]
    return None


def applicant_name(answers: Mapping[str, str]) -> str | None:
    return next((answers[name] for name in NAME_FIELDS if answers.get(name)), None)


def masked_id_number(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str]
) -> str | None:
    number = _answer_of_type(form_fields, answers, FieldType.ID_NUMBER)
    return mask_id_number(number) if number else None


def plate_number(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str]
) -> str | None:
    """The plate as the answers keep it (already normalised: `鲁B12345`), or None."""
    return _answer_of_type(form_fields, answers, FieldType.PLATE_NUMBER)


def delivery_handover(
    delivery: Mapping[str, Any], options: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The delivery as fulfillment needs it: a courier's carrier (from the
    item's option), a pickup office with its name, address and hours."""
    handed = dict(delivery)
    if delivery.get("kind") == DeliveryKind.COURIER:
        option = next((o for o in options if o.get("code") == delivery.get("option_code")), {})
        if option.get("carrier"):
            handed["carrier"] = option["carrier"]
    return handed


def handover_facts(
    form_fields: Sequence[Mapping[str, Any]],
    answers: Mapping[str, str],
    delivery: Mapping[str, Any],
    options: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """applicant_name, id_number_masked, plate_number and delivery, for orders.approved."""
    return {
        "applicant_name": applicant_name(answers),
        "id_number_masked": masked_id_number(form_fields, answers),
        "plate_number": plate_number(form_fields, answers),
        "delivery": delivery_handover(delivery, options),
    }
