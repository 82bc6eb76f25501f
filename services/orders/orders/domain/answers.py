"""The answers to an item's form: checked per field type (ID number with its
check character, plate, mobile phone, date, choice, text), kept normalised,
masked for staff, labelled for verification."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from common.answer_patterns import answer_pattern
from orders.domain.problems import Problems


class FieldType(StrEnum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    PLATE_NUMBER = "plate_number"
    PHONE = "phone"
    DATE = "date"
    CHOICE = "choice"


# GB 11643-1999: 17 digits, then a check character (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Province-level codes (GB/T 2260) a number can start with: the mainland's
# provinces, plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83 (residence permits).
ID_REGIONS = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
EARLIEST_BIRTH = date(1900, 1, 1)

# GA 36-2018: province abbreviation, the issuing office's letter, then 5
# characters; new-energy plates have 6: D or F then 5 (small vehicles), or
# 5 digits then D or F (large ones). I and O are never used, so they cannot be
# mistaken for 1 and 0.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"
PLATE_NUMBER = re.compile(
    rf"^[{PROVINCES}][{_LETTER}]"
    rf"(?:[{_LETTER}0-9]{{5}}|[DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF])$"
)
MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_id_number(value: str, today: date) -> list[str]:
    """Why `value` is not a resident ID number (GB 11643-1999); empty when it is one."""
    if len(value) != 18:
        return ["A resident ID number has 18 characters."]
    if not _ID_SHAPE.match(value):
        return ["A resident ID number is 17 digits followed by a digit or X."]
    if value[:2] not in ID_REGIONS:
        return ["The number does not start with a known province code."]
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return [f"The birth date in the number ({value[6:14]}) is not a real date."]
    if not EARLIEST_BIRTH <= birth <= today:
        return [f"The birth date in the number ({value[6:14]}) is not possible."]
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return ["The last character does not match the others: check the number for a typo."]
    return []


def id_check_character(first17: str) -> str:
    """The check character GB 11643-1999 puts after 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_plate(value: str) -> list[str]:
    if PLATE_NUMBER.match(value):
        return []
    return ["Not a valid plate number (e.g. 鲁B12345, or 鲁BD12345 for a new-energy vehicle)."]


def check_mobile(value: str) -> list[str]:
    if MOBILE_PHONE.match(value):
        return []
    return ["Not a mainland mobile number (11 digits starting with 1)."]


def check_date(value: str) -> list[str]:
    if ISO_DATE.match(value):
        try:
            date.fromisoformat(value)
            return []
        except ValueError:
            pass
    return ["Not a date in the form YYYY-MM-DD."]


def normalise_phone(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix) :]
    return compact


@dataclass(frozen=True)
class FormField:
    name: str
    type: FieldType
    required: bool = True
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> FormField:
        return cls(
            name=spec["name"],
            type=FieldType(spec["type"]),
            required=bool(spec.get("required", True)),
            max_length=spec.get("max_length"),
            pattern=spec.get("pattern"),
            choices=tuple(choice["value"] for choice in spec.get("choices") or ()),
        )

    def normalise(self, value: str) -> str:
        """The answer as it is kept: trimmed, upper-case where case means nothing."""
        text = value.strip()
        if self.type in (FieldType.ID_NUMBER, FieldType.PLATE_NUMBER):
            return re.sub(r"[\s·-]", "", text).upper()
        if self.type == FieldType.PHONE:
            return normalise_phone(text)
        named = answer_pattern(self.pattern)
        if self.type == FieldType.TEXT and named is not None:
            return named.tidy(text)
        return text

    def _in_format(self, value: str) -> bool:
        """A named format (common.answer_patterns); an order's snapshot taken
        before formats were named still holds the item's regular expression."""
        named = answer_pattern(self.pattern)
        if named is not None:
            return named.matches(value)
        return re.fullmatch(self.pattern or "", value) is not None

    def problems_with(self, value: str, today: date) -> list[str]:
        """What is wrong with a given (normalised, non-empty) answer."""
        if self.type == FieldType.TEXT:
            problems = []
            if self.max_length is not None and len(value) > self.max_length:
                problems.append(f"At most {self.max_length} characters.")
            if self.pattern is not None and not self._in_format(value):
                problems.append(f"The answer is not in the expected format ({self.pattern}).")
            return problems
        if self.type == FieldType.ID_NUMBER:
            return check_id_number(value, today)
        if self.type == FieldType.PLATE_NUMBER:
            return check_plate(value)
        if self.type == FieldType.PHONE:
            return check_mobile(value)
        if self.type == FieldType.DATE:
            return check_date(value)
        if value in self.choices:
            return []
        return [f"Choose one of: {', '.join(self.choices)}."]


def check_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, Any], today: date
) -> tuple[dict[str, str], Problems]:
    """The answers to keep (normalised; blanks dropped) and what is wrong with them.

    A draft may be saved with required answers still missing (they are listed
    as missing); what is given must be right, and only the form's fields exist.
    """
    specs = {spec["name"]: FormField.from_dict(spec) for spec in form_fields}
    kept: dict[str, str] = {}
    problems: Problems = {}
    for name, value in answers.items():
        spec = specs.get(name)
        if spec is None:
            problems[name] = ["This form has no such field."]
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems[name] = ["Give the answer as text."]
            continue
        answer = spec.normalise(value)
        if not answer:
            continue
        messages = spec.problems_with(answer, today)
        if messages:
            problems[name] = messages
        else:
            kept[name] = answer
    return kept, problems


def missing_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> list[str]:
    """The required fields without an answer, in the form's order."""
    return [
        spec["name"]
        for spec in form_fields
        if spec.get("required", True) and not answers.get(spec["name"])
    ]


def answers_needing_attention(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str], today: date
) -> list[str]:
    """Fields that stop a submission: required and missing, or no longer accepted
    (the form may have changed since the answer was saved)."""
    _kept, problems = check_answers(form_fields, answers, today)
    names = set(missing_answers(form_fields, answers)) | set(problems)
    order = [spec["name"] for spec in form_fields]
    return sorted(
        names, key=lambda name: (order.index(name) if name in order else len(order), name)
    )


def mask_id_number(value: str) -> str:
    """An ID number as staff see it: the first 3 and last 4 characters, the rest `*`."""
    hidden = len(value) - 7
    if hidden <= 0:  # too short to show anything and hide something: hide it all
        return "*" * len(value)
    return value[:3] + "*" * hidden + value[-4:]


def masked_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str]
) -> dict[str, str]:
    """The answers with every `id_number` field masked (what a staff read shows)."""
    secret = {spec["name"] for spec in form_fields if spec.get("type") == FieldType.ID_NUMBER}
    return {
        name: mask_id_number(value) if name in secret else value for name, value in answers.items()
    }


def labelled_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The given answers in the form's order, each with its field's type and label
    (what the reviewer reads; `orders.submitted` carries them)."""
    return [
        {"name": spec["name"], "type": spec["type"], "label": spec["label"],
         "value": answers[spec["name"]]}
        for spec in form_fields
        if answers.get(spec["name"])
    ]  # fmt: skip
