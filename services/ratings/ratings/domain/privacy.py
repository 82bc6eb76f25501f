"""Names shown masked, and texts refused when they look like personal data.

personal_data_in(text) lists what a text seems to hold, in this order:
  id_number      a resident ID number (GB 11643): 18 characters (area, birth date
                 YYYYMMDD, sequence, check digit or X), 17 without the check
                 character, or the old 15-digit form (birth date YYMMDD). The check
                 character is not verified: a mistyped number is still someone's.
  mobile_number  1[3-9] and nine more digits, also as 3-4-4 with spaces or dashes,
                 with or without +86
  plate_number   a province character, a letter, an optional · or space, then 5 or
                 6 letters or digits (no I or O)
Digits that are part of a longer run of digits match nothing: a waybill is not
someone's phone.
"""

from __future__ import annotations

import re
from datetime import date

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([0-9Xx]?)(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_PLATE = re.compile(rf"[{PROVINCES}][A-HJ-NP-Z][·•\s]?[A-HJ-NP-Z0-9]{{5,6}}(?![A-Za-z0-9])")

REASONS = {
    "id_number": "It seems to hold an ID number; remove it before publishing.",
    "mobile_number": "It seems to hold a mobile number; remove it before publishing.",
    "plate_number": "It seems to hold a plate number; remove it before publishing.",
}


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2099


def _has_id_number(text: str) -> bool:
    for match in _ID.finditer(text):
        birth = match.group(2)
        if _real_date(int(birth[:4]), int(birth[4:6]), int(birth[6:])):
            return True
    for match in _ID15.finditer(text):
        birth = match.group(2)
        if _real_date(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:])):
            return True
    return False


def personal_data_in(text: str) -> list[str]:
    """The kinds of personal data `text` seems to hold (empty: publishable)."""
    found = []
    if _has_id_number(text):
        found.append("id_number")
    if _MOBILE.search(text):
        found.append("mobile_number")
    if _PLATE.search(text.upper()):
        found.append("plate_number")
    return found


def personal_data_errors(text: str | None) -> list[str]:
    """The reasons to refuse `text` (empty when it may be published)."""
    return [REASONS[kind] for kind in personal_data_in(text or "")]


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def mask_name(name: str | None) -> str | None:
    """张三 → 张**; John Smith → J*** S.; Madonna → M***; nothing → None."""
    name = (name or "").strip()
    if not name:
        return None
    if _is_cjk(name[0]):
        return name[0] + "**"
    words = name.replace("·", " ").split()
    masked = words[0][0].upper() + "***"
    return f"{masked} {words[-1][0].upper()}." if len(words) > 1 else masked
