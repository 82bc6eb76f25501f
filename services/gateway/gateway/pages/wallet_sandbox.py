"""The wallet sandbox's pages at the gateway's own address.

Orders serves the sandbox's cashier (`/sandbox/wallet/cashier/<trade>`), the
phone's scan page and its pay form (`/sandbox/wallet/scan/<trade>`, `POST
/sandbox/wallet/pay/<trade>`) while the sandbox is its payment provider, and
sends the browser to WALLET_SANDBOX_URL + those paths. Where orders is not
published (docker compose publishes only the gateway), WALLET_SANDBOX_URL is
the gateway's address and the gateway forwards `/sandbox/wallet/<path>` (GET
and POST, the query and the form) to orders, passing back the status, the
body, its content type and the Location (rewritten to the gateway's address
when it names orders' internal one). Without WALLET_SANDBOX_URL the path is
404, as on a production gateway.

The pages are orders', not the gateway's: their form posts without the
gateway's CSRF token (the blueprint is exempt), and nothing of the gateway's
session (cookies, Authorization) goes to orders. The control-character guard
still runs first. Each answer carries its own Content-Security-Policy: no
script, no source but the gateway, and only the page's own inline style
sheets (each allowed by its SHA-256), which orders' cashier draws with.
"""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Blueprint, Flask, Response, abort, current_app, request

from gateway import browser
from gateway.clients.wallet_sandbox import PREFIX, SandboxAnswer, WalletSandboxClient
from gateway.settings import Settings

bp = Blueprint("wallet_sandbox_pages", __name__, url_prefix=PREFIX)

CLIENT = "gateway.wallet_sandbox"  # app.extensions
# What the sandbox's paths are made of (a page and a trade number); no empty,
# "." or ".." segment, so nothing outside the prefix can be reached.
_SEGMENT = re.compile(r"[A-Za-z0-9_~.-]+")
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)


def install(app: Flask, settings: Settings) -> None:
    app.register_blueprint(bp)
    browser.exempt_from_csrf(app, bp.name)
    if settings.wallet_sandbox_proxy:
        app.extensions[CLIENT] = WalletSandboxClient(
            settings.orders_url, timeout_seconds=settings.service_timeout_seconds
        )


def _allowed(path: str) -> bool:
    segments = path.split("/")
    return all(_SEGMENT.fullmatch(part) and part.strip(".") for part in segments)


def policy_for(answer: SandboxAnswer) -> str:
    """The page's own policy, stricter than the gateway's (no script at all, no
    source but images from the gateway), except that its inline style sheets,
    and only they, may apply."""
    styles = "'none'"
    if answer.content_type.split(";")[0].strip().lower() == "text/html":
        text = answer.body.decode("utf-8", errors="replace")
        hashes = sorted(
            {
                "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
                for css in _STYLE.findall(text)
            }
        )
        styles = " ".join(hashes) or styles
    return (
        f"default-src 'none'; style-src {styles}; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


@bp.route("/<path:path>", methods=["GET", "POST"])
def forward(path: str) -> Response:
    client: WalletSandboxClient | None = current_app.extensions.get(CLIENT)
    if client is None or not _allowed(path):
        abort(404)
    answer = client.forward(
        request.method,
        path,
        query=request.query_string.decode("latin-1"),
        form=request.form.items(multi=True) if request.method == "POST" else (),
        accept_language=request.headers.get("Accept-Language"),
    )
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    if answer.location:
        response.headers["Location"] = answer.location
    response.headers["Content-Security-Policy"] = policy_for(answer)
    return response
