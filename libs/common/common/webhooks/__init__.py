"""Signed webhooks, as payment and courier companies send them.

A sandbox provider (orders' payments, fulfillment's couriers) owes its
merchant webhooks and signs them; the service receiving them verifies the
signature before it acts. Both sides share one shape, kept here:

- signature.py: the `t=<unix seconds>,v1=<hex HMAC-SHA256>` header over
  `"<t>.<body>"`, checked within a tolerance, with several secrets during a
  key rotation (one `v1` per secret when signing, any secret when verifying);
- delivery.py: a table of webhooks due (the `DueWebhook` columns) and the
  sweep that claims, signs, posts and retries them with backoff.

    # the provider's side (a worker timer)
    sender = WebhookSender(sessions, SandboxWebhook, secrets, HEADER, url=url)
    sender.deliver_due(now)

    # the receiving side (a view)
    verify(secrets, request.get_data(), request.headers.get(HEADER), now, header=HEADER)
"""

from common.webhooks.delivery import DueWebhook, Post, Sent, WebhookSender, backoff
from common.webhooks.signature import (
    DEFAULT_TOLERANCE_SECONDS,
    BadSignature,
    SignatureRejected,
    StaleSignature,
    sign,
    verify,
)

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "BadSignature",
    "DueWebhook",
    "Post",
    "Sent",
    "SignatureRejected",
    "StaleSignature",
    "WebhookSender",
    "backoff",
    "sign",
    "verify",
]
