"""The messages' words, in Simplified Chinese and English, and their renderer.

Each template declares its fields; a text may use exactly those and `link`,
by name only (`{reference}`), never `{a.b}`, `{a[0]}`, a conversion or a
format spec, so an event's value can never reach into an object. `render`
refuses an unknown template or a missing field with TemplateError, which is
common's PermanentFailure: the consumer dead-letters the event with the reason.

Per language a template has a `title` (the inbox and the email's subject), a
`body` (the inbox, which links the order beside it, so the body holds no
address a reader would have to read past), an `sms` (one segment, the short link included; see
tests/unit/test_templates.py) and an `email` body. Fields in `INAPP_AND_SMS_ONLY`
(the pickup code) may appear in `body` and `sms` only; no field holds an ID
number or a picture.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from common.events.consumer import PermanentFailure

INAPP_AND_SMS_ONLY = frozenset({"pickup_code"})
LINK = "link"
PARTS = ("title", "body", "sms", "email")


class TemplateError(PermanentFailure):
    """A template that does not exist, or values that do not fill it."""


@dataclass(frozen=True)
class Template:
    key: str
    fields: tuple[str, ...]
    texts: dict[str, dict[str, str]]  # language → part → text
    required: bool = False  # sent by SMS and email even when switched off
    quiet_exempt: bool = False  # an SMS not held by quiet hours


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    sms: str
    email: str


def _t(key: str, fields: str, zh: dict[str, str], en: dict[str, str], **flags: bool) -> Template:
    return Template(key, tuple(fields.split()), {"zh-CN": zh, "en": en}, **flags)


TEMPLATES: dict[str, Template] = {t.key: t for t in (
    _t("submitted", "reference amount",
       {"title": "申请已提交", "body": "您的申请 {reference} 已提交，已冻结 {amount}，审核通过后扣款。",
        "sms": "申请已提交，已冻结{amount}，通过后扣款：{link}",
        "email": "您的申请 {reference} 已提交，已冻结 {amount}，审核通过后才会扣款。查看申请：{link}"},
       {"title": "Application submitted", "body": "Your application {reference} is submitted; {amount} is held and taken only on approval.",
        "sms": "Application {reference} submitted; {amount} held, taken on approval: {link}",
        "email": "Your application {reference} is submitted. {amount} is held on your card and taken only if it is approved. View it: {link}"}),
    _t("photos_needed", "reference documents deadline",
       {"title": "请重新上传照片", "body": "申请 {reference} 需要重新上传：{documents}。请在 {deadline} 前上传。",
        "sms": "需重新上传照片，请于{deadline}前上传：{link}",
        "email": "申请 {reference} 需要您重新上传：{documents}。请在 {deadline} 前上传，逾期申请将被驳回：{link}"},
       {"title": "New photos needed", "body": "Application {reference} needs new photos: {documents}. Upload them by {deadline}.",
        "sms": "New photos needed by {deadline}: {link}",
        "email": "Application {reference} needs new photos: {documents}. Upload them by {deadline}, or the application is rejected: {link}"},
       required=True),
    _t("photos_reminder", "reference documents deadline",
       {"title": "重传照片即将截止", "body": "申请 {reference} 的照片重传将于 {deadline} 截止：{documents}。",
        "sms": "重传照片将于{deadline}截止，请尽快上传：{link}",
        "email": "申请 {reference} 的照片重传将于 {deadline} 截止，还需上传：{documents}。上传：{link}"},
       {"title": "New photos due soon", "body": "The new photos for {reference} are due by {deadline}: {documents}.",
        "sms": "Reminder: new photos due by {deadline}: {link}",
        "email": "The new photos for application {reference} are due by {deadline}: {documents}. Upload them: {link}"},
       required=True),
    _t("approved", "reference amount",
       {"title": "审核已通过", "body": "申请 {reference} 已审核通过，已扣款 {amount}，即将制作证件。",
        "sms": "审核已通过，已扣款{amount}，即将制证：{link}",
        "email": "申请 {reference} 已审核通过，已扣款 {amount}，我们将尽快制作证件。查看：{link}"},
       {"title": "Application approved", "body": "Application {reference} is approved and {amount} was taken; your credential is being made.",
        "sms": "Application {reference} approved, {amount} taken: {link}",
        "email": "Application {reference} is approved and {amount} was taken. Your credential is being made. View it: {link}"}),
    _t("rejected", "reference reason",
       {"title": "申请未通过审核", "body": "申请 {reference} 未通过审核。原因：{reason}。已付款项将原路退回。",
        "sms": "申请未通过审核，款项将原路退回，原因见：{link}",
        "email": "申请 {reference} 未通过审核。原因：{reason}。已付款项将原路退回。查看：{link}"},
       {"title": "Application rejected", "body": "Application {reference} was rejected. Reason: {reason}. The money goes back to your card.",
        "sms": "Application {reference} was rejected; the money goes back. Reason: {link}",
        "email": "Application {reference} was rejected. Reason: {reason}. The money goes back to your card. View it: {link}"},
       required=True),
    _t("refunded", "reference amount",
       {"title": "已退款", "body": "申请 {reference} 已退款 {amount}，原路退回。",
        "sms": "已退款{amount}，原路退回，详情：{link}",
        "email": "申请 {reference} 已退款 {amount}，将原路退回您的支付账户。查看：{link}"},
       {"title": "Refunded", "body": "{amount} for application {reference} was refunded to your card.",
        "sms": "{amount} refunded to your card: {link}",
        "email": "{amount} for application {reference} was refunded to your card. View it: {link}"},
       required=True),
    _t("in_production", "reference",
       {"title": "证件制作中", "body": "申请 {reference} 的证件已开始制作。",
        "sms": "证件已开始制作：{link}",
        "email": "申请 {reference} 的证件已开始制作。查看：{link}"},
       {"title": "Being made", "body": "The credential for {reference} is being made.",
        "sms": "Your credential is being made: {link}",
        "email": "The credential for application {reference} is being made. View it: {link}"}),
    _t("dispatched", "reference carrier waybill",
       {"title": "证件已寄出", "body": "申请 {reference} 的证件已由 {carrier} 寄出，运单号 {waybill}。",
        "sms": "证件已寄出，{carrier}{waybill}：{link}",
        "email": "申请 {reference} 的证件已由 {carrier} 寄出，运单号 {waybill}。跟踪：{link}"},
       {"title": "On its way", "body": "The credential for {reference} is on its way with {carrier}, waybill {waybill}.",
        "sms": "Sent by {carrier}, waybill {waybill}: {link}",
        "email": "The credential for application {reference} is on its way with {carrier}, waybill {waybill}. Track it: {link}"}),
    _t("delivery_attempt_failed", "reference what_to_do",
       {"title": "派送未成功", "body": "申请 {reference} 的快递派送未成功。{what_to_do}",
        "sms": "快递派送未成功，请查看处理办法：{link}",
        "email": "申请 {reference} 的快递派送未成功。{what_to_do} 查看：{link}"},
       {"title": "Delivery attempt failed", "body": "The courier could not deliver {reference}. {what_to_do}",
        "sms": "The courier could not deliver; what to do: {link}",
        "email": "The courier could not deliver application {reference}. {what_to_do} View it: {link}"}),
    _t("pickup_ready", "reference office hours pickup_code",
       {"title": "证件可领取", "body": "申请 {reference} 的证件可在 {office} 领取（{hours}），取件码 {pickup_code}，请携带身份证。",
        "sms": "证件可领取，取件码{pickup_code}，带身份证到办理点：{link}",
        "email": "申请 {reference} 的证件可在 {office} 领取（{hours}）。取件码请在订单页查看，领取时请携带身份证：{link}"},
       {"title": "Ready for pickup", "body": "The credential for {reference} is ready at {office} ({hours}). Pickup code {pickup_code}; bring your ID card.",
        "sms": "Ready for pickup, code {pickup_code}; bring your ID card: {link}",
        "email": "The credential for application {reference} is ready at {office} ({hours}). Your pickup code is on the order page; bring your ID card: {link}"},
       quiet_exempt=True),
    _t("delivered", "reference",
       {"title": "证件已签收", "body": "申请 {reference} 的证件已签收，请确认收货。",
        "sms": "证件已签收，请确认收货：{link}",
        "email": "申请 {reference} 的证件已签收，请在订单页确认收货：{link}"},
       {"title": "Delivered", "body": "The credential for {reference} was delivered; please confirm receipt.",
        "sms": "Delivered; please confirm receipt: {link}",
        "email": "The credential for application {reference} was delivered. Please confirm receipt: {link}"}),
    _t("completed", "reference",
       {"title": "办理完成", "body": "申请 {reference} 已办理完成，欢迎为本次服务评价。",
        "sms": "办理完成，欢迎评价本次服务：{link}",
        "email": "申请 {reference} 已办理完成，欢迎为本次服务评价：{link}"},
       {"title": "Completed", "body": "Application {reference} is complete. You are welcome to rate the service.",
        "sms": "Done! Rate the service: {link}",
        "email": "Application {reference} is complete. Please rate the service: {link}"}),
    _t("chat_reply", "reference",
       {"title": "工作人员回复了您", "body": "申请 {reference} 的留言有了新回复。",
        "sms": "工作人员回复了您的留言：{link}",
        "email": "申请 {reference} 的留言有了新回复。查看：{link}"},
       {"title": "Staff replied", "body": "Staff replied in the chat of {reference}.",
        "sms": "Staff replied to your message: {link}",
        "email": "Staff replied in the chat of application {reference}. View it: {link}"}),
    _t("complaint_opened", "reference",
       {"title": "投诉已受理", "body": "您对申请 {reference} 的投诉已受理，我们会在一个工作日内联系您。",
        "sms": "您的投诉已受理，我们会尽快联系您：{link}",
        "email": "您对申请 {reference} 的投诉已受理，我们会在一个工作日内联系您。查看：{link}"},
       {"title": "Complaint received", "body": "Your complaint about {reference} is received; we will contact you within one working day.",
        "sms": "Complaint received; we will contact you soon: {link}",
        "email": "Your complaint about application {reference} is received. We will contact you within one working day. View it: {link}"}),
    _t("complaint_answered", "reference",
       {"title": "投诉有了答复", "body": "您对申请 {reference} 的投诉有了答复，请查看并确认是否满意。",
        "sms": "您的投诉有了答复，请查看：{link}",
        "email": "您对申请 {reference} 的投诉有了答复，请查看并确认是否满意：{link}"},
       {"title": "Complaint answered", "body": "Your complaint about {reference} has an answer; please read it and tell us if it settles the matter.",
        "sms": "Your complaint has an answer: {link}",
        "email": "Your complaint about application {reference} has an answer. Please read it and tell us if it settles the matter: {link}"}),
    _t("complaint_closed", "reference",
       {"title": "投诉已处理完毕", "body": "您对申请 {reference} 的投诉已处理完毕。",
        "sms": "您的投诉已处理完毕：{link}",
        "email": "您对申请 {reference} 的投诉已处理完毕。查看：{link}"},
       {"title": "Complaint resolved", "body": "Your complaint about {reference} is resolved.",
        "sms": "Your complaint is resolved: {link}",
        "email": "Your complaint about application {reference} is resolved. View it: {link}"}),
)}  # fmt: skip


def template(key: str) -> Template:
    try:
        return TEMPLATES[key]
    except KeyError:
        raise TemplateError(f"unknown template {key!r}") from None


def placeholders(text: str) -> list[str]:
    """The named fields of a text; TemplateError for anything but a plain name."""
    names = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise TemplateError(f"placeholder {{{name}}} must be a plain field name")
        names.append(name)
    return names


def check(item: Template) -> None:
    """A template's texts use only its fields; the SMS and the email carry the
    link (the inbox shows it beside the body, never in it); the pickup code
    stays out of the email."""
    allowed = {*item.fields, LINK}
    for language, parts in item.texts.items():
        for part in PARTS:
            used = set(placeholders(parts[part]))
            if used - allowed:
                raise TemplateError(f"{item.key}.{language}.{part} uses {sorted(used - allowed)}")
            if part in ("sms", "email") and LINK not in used:
                raise TemplateError(f"{item.key}.{language}.{part} has no link")
            if part in ("title", "body") and LINK in used:
                raise TemplateError(f"{item.key}.{language}.{part} shows the address itself")
            if part in ("title", "email") and used & INAPP_AND_SMS_ONLY:
                raise TemplateError(f"{item.key}.{language}.{part} holds an in-app-only field")


def render(key: str, language: str, values: dict[str, Any], link: str, sms_link: str) -> Rendered:
    """The four texts of a template in a language; TemplateError when a field is missing."""
    item = template(key)
    missing = [name for name in item.fields if values.get(name) in (None, "")]
    if missing:
        raise TemplateError(f"{key}: missing {', '.join(missing)}")
    parts = item.texts[language]
    fields = {name: str(values[name]) for name in item.fields}
    return Rendered(
        title=parts["title"].format(**fields),
        body=parts["body"].format(**fields),
        sms=parts["sms"].format(**fields, link=sms_link),
        email=parts["email"].format(**fields, link=link),
    )
