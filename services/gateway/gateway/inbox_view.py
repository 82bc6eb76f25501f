"""Words for what notifications sends back: the name of each template, each
channel, the kind of a sending failure and a sandbox receipt. Pure: no I/O.

Notifications' failure reasons are a provider's words (`invalid-recipient`,
`unavailable: …`, `undeliverable: …`); a supervisor reads their kind in their
own language, and filters by the reason as notifications keeps it.
"""

from __future__ import annotations

from gateway.i18n import N_

TEMPLATE_NAMES = (
    N_("template.submitted"),
    N_("template.photos_needed"),
    N_("template.photos_reminder"),
    N_("template.approved"),
    N_("template.rejected"),
    N_("template.refunded"),
    N_("template.in_production"),
    N_("template.dispatched"),
    N_("template.delivery_attempt_failed"),
    N_("template.pickup_ready"),
    N_("template.delivered"),
    N_("template.completed"),
    N_("template.chat_reply"),
    N_("template.complaint_opened"),
    N_("template.complaint_answered"),
    N_("template.complaint_closed"),
)
CHANNEL_NAMES = (N_("channel.sms"), N_("channel.email"), N_("channel.inapp"))
REASON_KINDS = (
    N_("failure.invalid_recipient"),
    N_("failure.unavailable"),
    N_("failure.undeliverable"),
    N_("failure.other"),
)
RECEIPTS = (
    N_("sandbox.receipt.pending"),
    N_("sandbox.receipt.delivered"),
    N_("sandbox.receipt.undeliverable"),
)
NOTICES = (
    N_("inbox.notice.read"),
    N_("inbox.notice.all_read"),
    N_("preferences.notice.saved"),
    N_("staff_notifications.notice.resent"),
    N_("staff_notifications.notice.not_failed"),
    N_("account_delete.notice.deleted"),
)
# The preferences form's switches, named by the channel.
SWITCH_LABELS = (
    N_("preferences.sms"),
    N_("preferences.email"),
    N_("preferences.no_contact.sms"),
    N_("preferences.no_contact.email"),
)
PREFERENCE_REFUSALS = (
    N_("preferences.refused.sms"),
    N_("preferences.refused.email"),
    N_("preferences.refused.language"),
    N_("preferences.refused.inapp"),
)
KNOWN_TEMPLATES = frozenset(key.removeprefix("template.") for key in TEMPLATE_NAMES)


def template_key(template: str) -> str:
    """The message key naming a template; one notifications added later is "a message"."""
    return f"template.{template}" if template in KNOWN_TEMPLATES else "template.other"


def channel_key(channel: str) -> str:
    return f"channel.{channel}" if channel in ("sms", "email", "inapp") else "channel.other"


def reason_key(reason: str | None) -> str:
    """The kind of a failure, in words: a recipient the provider refused, a
    provider that did not answer, a message that never arrived, or another."""
    text = (reason or "").strip().lower()
    if text.startswith("invalid-recipient"):
        return "failure.invalid_recipient"
    if text.startswith("unavailable"):
        return "failure.unavailable"
    if text.startswith("undeliverable"):
        return "failure.undeliverable"
    return "failure.other"


def receipt_key(receipt: str | None) -> str:
    return (
        f"sandbox.receipt.{receipt}"
        if receipt in ("delivered", "undeliverable")
        else ("sandbox.receipt.pending")
    )


OTHER = (N_("template.other"), N_("channel.other"))
# A refusal's detail, translated by the error handlers.
REFUSALS = (N_("inbox.not_found"), N_("account.delete_staff"))
