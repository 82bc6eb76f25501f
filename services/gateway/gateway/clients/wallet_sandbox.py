"""Orders' wallet sandbox pages (`/sandbox/wallet/…`), fetched for the browser.

Not common's ServiceClient: these are orders' own HTML pages for a browser,
taken without an internal token, and every answer is wanted as it is (a 303
to the merchant's return address, a 404 or 409 page), not raised. What goes
to orders is only the method, the path, the query, a form's fields and the
language asked for: never the browser's cookies or Authorization header, and
no cookie orders sets is kept (the jar refuses all) or passed back.
A timeout on every call (SERVICE_TIMEOUT_SECONDS), one attempt; orders out of
reach, or failing (5xx), is a ServiceUnavailable, the gateway's 503.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote, urlsplit

import requests

from common.service_client import ServiceUnavailable

log = logging.getLogger("gateway.wallet_sandbox")

PREFIX = "/sandbox/wallet"


@dataclass(frozen=True)
class SandboxAnswer:
    status: int
    body: bytes
    content_type: str
    location: str | None


class WalletSandboxClient:
    def __init__(self, orders_url: str, *, timeout_seconds: float) -> None:
        self.orders_url = orders_url.rstrip("/")
        self.timeout = (timeout_seconds, timeout_seconds)
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy settings, no .netrc credentials
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def forward(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        form: Iterable[tuple[str, str]] = (),
        accept_language: str | None = None,
    ) -> SandboxAnswer:
        """`path` is below PREFIX, already checked (see pages.wallet_sandbox)."""
        url = f"{self.orders_url}{PREFIX}/{quote(path, safe='/')}"
        if query:
            url += "?" + query
        headers = {"Accept": "text/html"}
        if accept_language:
            headers["Accept-Language"] = accept_language
        try:
            answer = self._session.request(
                method,
                url,
                data=list(form) if method == "POST" else None,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            log.warning(
                "wallet sandbox unreachable",
                extra={"upstream": "orders", "error": type(exc).__name__},
            )
            raise ServiceUnavailable("orders", None, "upstream.unavailable") from None
        finally:
            self._session.cookies.clear()
        if answer.status_code >= 500:
            log.error(
                "wallet sandbox failed", extra={"upstream": "orders", "status": answer.status_code}
            )
            raise ServiceUnavailable("orders", answer.status_code, "upstream.unavailable")
        return SandboxAnswer(
            status=answer.status_code,
            body=answer.content,
            content_type=answer.headers.get("Content-Type", "application/octet-stream"),
            location=self._public(answer.headers.get("Location")),
        )

    def _public(self, location: str | None) -> str | None:
        """A redirect to orders' internal address becomes the same path at the
        gateway's; any other (the merchant's return address) is left as it is."""
        if not location:
            return location
        internal = urlsplit(self.orders_url)
        target = urlsplit(location)
        if (target.scheme, target.netloc) == (internal.scheme, internal.netloc):
            path = target.path or "/"
            return path + ("?" + target.query if target.query else "")
        return location
