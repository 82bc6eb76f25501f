"""The canned replies staff pick from in the chat, in Simplified Chinese and English.

Migration 0003 seeds the `canned_replies` table from this list. A later
change to the wording needs a migration of its own (an UPDATE by code), so
that databases seeded earlier get it too.
"""

from __future__ import annotations

from typing import TypedDict


class CannedText(TypedDict):
    zh: str
    en: str


SEEDED: list[tuple[str, CannedText]] = [
    (
        "photos-received",
        {
            "zh": "我们已收到您上传的照片，正在审核，请耐心等待。",
            "en": "We have received your photos and are reviewing them.",
        },
    ),
    (
        "retake-daylight",
        {
            "zh": "请在自然光下重新拍摄，避免反光和阴影，确保证件上的文字清晰可读。",
            "en": "Please retake the photo in daylight without glare or shadows, so that "
            "every line of the document can be read.",
        },
    ),
    (
        "whole-document",
        {
            "zh": "请将证件完整拍入画面，四个角都要可见，不要裁剪或遮挡。",
            "en": "Please photograph the whole document with all four corners visible; "
            "do not crop or cover any part of it.",
        },
    ),
    (
        "original-only",
        {
            "zh": "请拍摄证件原件，不要翻拍屏幕或复印件。",
            "en": "Please photograph the original document, not a screen or a photocopy.",
        },
    ),
    (
        "approved-courier",
        {
            "zh": "您的申请已审核通过，证件制作完成后将通过快递寄出。",
            "en": "Your application has been approved; your licence will be sent by courier "
            "once it has been made.",
        },
    ),
    (
        "working-days",
        {
            "zh": "审核在工作日（周一至周五）进行，我们会在承诺时限内给您答复。",
            "en": "Applications are reviewed on working days (Monday to Friday); you will "
            "hear from us within the promised time.",
        },
    ),
]
