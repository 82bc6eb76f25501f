"""The notice of unread messages from the office, for "My applications" and
the page header.

Asked of verification at most once per request, and only when a page shows it
to a signed-in applicant: visitors and staff cost nothing, so the store's
pages are as fast for them as before. A verification that does not answer
within half a second (one attempt) hides the notice instead of failing or
holding up the page around it.
"""

from __future__ import annotations

import logging

from flask import g

from common.errors import DomainError
from gateway import browser
from gateway.context import gateway

log = logging.getLogger("gateway.unread")


def unread_by_order() -> dict[str, int]:
    """Unread messages per order id for the signed-in applicant (empty for anyone else)."""
    if "unread_messages" not in g:
        g.unread_messages = _ask()
    return g.unread_messages  # type: ignore[no-any-return]


def unread_total() -> int:
    return sum(unread_by_order().values())


def _ask() -> dict[str, int]:
    principal = browser.current_principal()
    if principal is None or principal.is_staff:
        return {}
    try:
        return gateway().chat.unread(browser.caller_for(principal), quick=True)
    except DomainError as error:
        log.warning("unread messages not shown", extra={"reason": type(error).__name__})
        return {}


def inbox_unread() -> int:
    """Unread messages in the signed-in applicant's inbox, for the page header;
    asked of notifications like the notice above (once, half a second)."""
    if "inbox_unread" not in g:
        g.inbox_unread = _ask_inbox()
    return g.inbox_unread  # type: ignore[no-any-return]


def _ask_inbox() -> int:
    principal = browser.current_principal()
    client = gateway().notifications
    if principal is None or principal.is_staff or client is None:
        return 0
    try:
        return client.unread(browser.caller_for(principal), quick=True)
    except DomainError as error:
        log.warning("inbox count not shown", extra={"reason": type(error).__name__})
        return 0
