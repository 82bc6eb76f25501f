"""A new service item as a supervisor types it in the console, made into the
catalog's item (POST /items) and its first fee version.

The page works without JavaScript, so its lists have a fixed number of rows
(DOCUMENT_ROWS documents, QUESTION_ROWS questions); a row left blank is no
entry. A choice question lists its choices one a line, `value = 中文 / English`.
A text question's format is a name from common.answer_patterns' fixed list,
never an expression typed by hand. Delivery is the courier and any pickup
office the store already has, ticked.

Everything the page can check it checks here, naming each input by its id
(`question-2-label_en`) with a message key; a refusal the catalog still makes
comes back under its dotted key (`form_fields.1.pattern`), which `input_for`
turns into the id of the input that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from common.answer_patterns import PATTERN_NAMES
from gateway.clients.catalog import PickupOffice, Text
from gateway.i18n import N_

DOCUMENT_ROWS = 4
QUESTION_ROWS = 6
QUESTION_TYPES = ("text", "id_number", "plate_number", "phone", "date", "choice")
SECTIONS = ("details", "vehicle")
ITEM_CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE_LINE = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*=\s*(.+?)\s*/\s*(.+?)\s*$")
COURIER_CODE = "courier-ems"

DOCUMENT_INPUTS = ("code", "title_zh", "title_en", "guidance_zh", "guidance_en")
QUESTION_TEXTS = ("name", "label_zh", "label_en", "hint_zh", "hint_en", "choices")


class ItemFormErrors(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class ItemDraft:
    """What the form holds, in the catalog's shape, and which row each entry came from."""

    body: dict[str, Any]
    document_rows: list[int] = field(default_factory=list)
    question_rows: list[int] = field(default_factory=list)


def _local(form: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {"zh": form.get(f"{prefix}_zh", "").strip(), "en": form.get(f"{prefix}_en", "").strip()}


def _need(errors: dict[str, list[str]], form: Mapping[str, str], names: Iterable[str]) -> None:
    for name in names:
        if not form.get(name, "").strip():
            errors.setdefault(name, []).append("item_form.required")


def _blank(form: Mapping[str, str], prefix: str, names: Iterable[str]) -> bool:
    return not any(form.get(f"{prefix}-{name}", "").strip() for name in names)


def parse(
    form: Mapping[str, str], offices: Iterable[PickupOffice], courier_title: Text
) -> ItemDraft:
    """The catalog's item from the typed form; ItemFormErrors naming each bad input."""
    errors: dict[str, list[str]] = {}
    _need(errors, form, ("code", "title_zh", "title_en", "description_zh", "description_en"))
    code = form.get("code", "").strip()
    if code and not ITEM_CODE.match(code):
        errors.setdefault("code", []).append("item_form.code_shape")
    sla = form.get("sla_working_days", "").strip()
    if not (sla.isdigit() and 1 <= int(sla) <= 365):
        errors["sla_working_days"] = ["item_form.sla_range"]
    draft = ItemDraft(
        body={
            "code": code,
            "title": _local(form, "title"),
            "description": _local(form, "description"),
            "sla_working_days": int(sla) if sla.isdigit() else 0,
        }
    )
    draft.body["required_documents"] = _documents(form, draft, errors)
    draft.body["form_fields"] = _questions(form, draft, errors)
    draft.body["delivery_options"] = _delivery(form, offices, courier_title, errors)
    if errors:
        raise ItemFormErrors(errors)
    return draft


def _documents(
    form: Mapping[str, str], draft: ItemDraft, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    documents = []
    for row in range(DOCUMENT_ROWS):
        prefix = f"document-{row}"
        if _blank(form, prefix, DOCUMENT_INPUTS):
            continue
        _need(errors, form, (f"{prefix}-{name}" for name in DOCUMENT_INPUTS))
        code = form.get(f"{prefix}-code", "").strip()
        if code and not SLUG.match(code):
            errors.setdefault(f"{prefix}-code", []).append("item_form.slug_shape")
        draft.document_rows.append(row)
        documents.append(
            {
                "code": code,
                "title": _local(form, f"{prefix}-title"),
                "guidance": _local(form, f"{prefix}-guidance"),
            }
        )
    if not documents:
        errors["document-0-code"] = ["item_form.no_documents"]
    return documents


def _questions(
    form: Mapping[str, str], draft: ItemDraft, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    questions = []
    for row in range(QUESTION_ROWS):
        prefix = f"question-{row}"
        if _blank(form, prefix, QUESTION_TEXTS):
            continue
        _need(errors, form, (f"{prefix}-{name}" for name in ("name", "label_zh", "label_en")))
        name = form.get(f"{prefix}-name", "").strip()
        if name and not SLUG.match(name):
            errors.setdefault(f"{prefix}-name", []).append("item_form.slug_shape")
        kind = form.get(f"{prefix}-type", "text")
        if kind not in QUESTION_TYPES:
            errors[f"{prefix}-type"] = ["item_form.unknown"]
        pattern = form.get(f"{prefix}-pattern", "").strip() or None
        if pattern is not None and (pattern not in PATTERN_NAMES or kind != "text"):
            errors[f"{prefix}-pattern"] = ["item_form.pattern_text_only"]
        section = form.get(f"{prefix}-section", "details")
        if section not in SECTIONS:
            errors[f"{prefix}-section"] = ["item_form.unknown"]
        hint = _local(form, f"{prefix}-hint")
        choices = _choices(form.get(f"{prefix}-choices", ""), f"{prefix}-choices", kind, errors)
        draft.question_rows.append(row)
        questions.append(
            {
                "name": name,
                "type": kind,
                "label": _local(form, f"{prefix}-label"),
                "hint": hint if hint["zh"] and hint["en"] else None,
                "required": form.get(f"{prefix}-required") == "yes",
                "pattern": pattern,
                "choices": choices,
                "section": section,
            }
        )
        if bool(hint["zh"]) != bool(hint["en"]):
            errors[f"{prefix}-hint_{'en' if hint['zh'] else 'zh'}"] = ["item_form.both_languages"]
    return questions


def _choices(
    raw: str, input_id: str, kind: str, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    lines = [line for line in raw.splitlines() if line.strip()]
    if kind != "choice":
        if lines:
            errors[input_id] = ["item_form.choices_only_for_choice"]
        return []
    choices = []
    for line in lines:
        found = CHOICE_LINE.match(line)
        if found is None:
            errors[input_id] = ["item_form.choice_line"]
            return []
        value, zh, en = found.groups()
        choices.append({"value": value, "label": {"zh": zh, "en": en}})
    if not choices:
        errors[input_id] = ["item_form.choice_line"]
    return choices


def _delivery(
    form: Mapping[str, str],
    offices: Iterable[PickupOffice],
    courier_title: Text,
    errors: dict[str, list[str]],
) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    if form.get("courier") == "yes":
        title = {"zh": courier_title.zh, "en": courier_title.en}
        options.append({"code": COURIER_CODE, "kind": "courier", "title": title, "carrier": "EMS"})
    chosen = set(form.getlist("office") if hasattr(form, "getlist") else [form.get("office")])
    for office in offices:
        if office.code in chosen:
            options.append(pickup_option(office))
    if not options:
        errors["courier"] = ["item_form.no_delivery"]
    return options


def pickup_option(office: PickupOffice) -> dict[str, Any]:
    def local(text: Text | None) -> dict[str, str]:
        return {"zh": text.zh, "en": text.en} if text else {"zh": "", "en": ""}

    return {
        "code": office.code,
        "kind": "pickup",
        "title": local(office.title or office.name),
        "office": {
            "name": local(office.name),
            "address": local(office.address),
            "hours": local(office.hours),
        },
    }


def known_offices(items: Iterable[Any]) -> list[PickupOffice]:
    """Every pickup office the store's items offer, once each, in their order."""
    seen: dict[str, PickupOffice] = {}
    for item in items:
        for office in item.delivery.pickup_offices:
            seen.setdefault(office.code, office)
    return list(seen.values())


_LIST_INPUTS = {
    "required_documents": ("document", "document_rows"),
    "form_fields": ("question", "question_rows"),
}
_NESTED = {"title", "guidance", "label", "hint", "description"}


def input_for(catalog_key: str, draft: ItemDraft) -> str:
    """The input that holds what the catalog refused under `catalog_key`
    (`form_fields.1.label.en` → `question-3-label_en` when row 3 was the second)."""
    parts = catalog_key.split(".")
    if parts[0] in _LIST_INPUTS and len(parts) >= 3 and parts[1].isdigit():
        prefix, rows_name = _LIST_INPUTS[parts[0]]
        rows: list[int] = getattr(draft, rows_name)
        index = int(parts[1])
        row = rows[index] if index < len(rows) else 0
        rest = parts[2:]
        name = f"{rest[0]}_{rest[1]}" if rest[0] in _NESTED and len(rest) > 1 else rest[0]
        if rest[0] in _NESTED and len(rest) == 1:
            name = f"{rest[0]}_zh"
        return f"{prefix}-{row}-{name}"
    if parts[0] == "delivery_options":
        return "courier"
    if parts[0] in _NESTED:
        return f"{parts[0]}_{parts[1] if len(parts) > 1 else 'zh'}"
    return parts[0]


# The keys above are plain strings (refusals) or computed (a type's or a format's
# name); listed with N_() so `make messages` keeps them in the catalogs.
MESSAGE_KEYS = (
    N_("item_form.required"),
    N_("item_form.code_shape"),
    N_("item_form.sla_range"),
    N_("item_form.slug_shape"),
    N_("item_form.no_documents"),
    N_("item_form.unknown"),
    N_("item_form.pattern_text_only"),
    N_("item_form.both_languages"),
    N_("item_form.choices_only_for_choice"),
    N_("item_form.choice_line"),
    N_("item_form.no_delivery"),
    N_("item_form.code_taken"),
    N_("item_form.refused"),
    N_("item_form.type.text"),
    N_("item_form.type.id_number"),
    N_("item_form.type.plate_number"),
    N_("item_form.type.phone"),
    N_("item_form.type.date"),
    N_("item_form.type.choice"),
    N_("item_form.pattern.vin"),
    N_("item_form.pattern.vin_last6"),
    N_("item_form.pattern.licence_file_number"),
    N_("item_form.pattern.registration_certificate_number"),
    N_("item_form.pattern.engine_number"),
    N_("item_form.pattern.postcode"),
    # journey.answer_error: f"answer.pattern.{name}"
    N_("answer.pattern.vin"),
    N_("answer.pattern.vin_last6"),
    N_("answer.pattern.licence_file_number"),
    N_("answer.pattern.registration_certificate_number"),
    N_("answer.pattern.engine_number"),
    N_("answer.pattern.postcode"),
)
