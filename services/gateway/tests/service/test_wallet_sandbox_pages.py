"""The wallet sandbox's pages at the gateway's own address: `/sandbox/wallet/…`
forwarded to orders while the wallet sandbox is in use (WALLET_SANDBOX_URL
set), so a browser that cannot reach orders (`make up` publishes only the
gateway) still opens the page wallet's cashier and pays with its "simulated
phone". Without it the path does not exist.

Orders is a fake of its sandbox pages (orders/payments/wallet_cashier.py):
the cashier with its inline style sheet, SVG code and a form posting to
orders' own path, the phone's pay answered with a redirect to the merchant's
return address, a closed trade's 409 page; it records what reached it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, Response, redirect, request
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from common.testing import free_port
from common.testing_http import serve_in_thread
from gateway.app import create_app
from gateway.browser import CSP

from .conftest import ShiftedClock, gateway_settings, unique_email

STYLE = "body { background: #f3f4f6; }\n.qr svg { width: 100%; }"
RETURN_URL = "http://localhost/applications/abc/pay/return"


class FakeCashier:
    """Orders' sandbox pages, as far as the gateway forwards them."""

    def __init__(self) -> None:
        self.url = ""
        self.seen: list[dict[str, Any]] = []

    def app(self) -> Flask:
        fake = Flask("fake_wallet_sandbox")

        @fake.before_request
        def _record() -> None:
            self.seen.append(
                {
                    "method": request.method,
                    "path": request.full_path.rstrip("?"),
                    "headers": dict(request.headers),
                    "form": request.form.to_dict(flat=False),
                }
            )

        @fake.get("/sandbox/wallet/cashier/<trade>")
        def cashier(trade: str) -> Response:
            if trade == "closed":
                return Response("<h1>无法付款</h1>", status=409, mimetype="text/html")
            html = (
                f'<!doctype html><html lang="zh-CN"><head><style>{STYLE}</style></head><body>'
                f'<h1>钱包收银台（测试环境）</h1><svg class="segno"><path d="M4 4.5h7"/></svg>'
                f'<form method="post" action="/sandbox/wallet/pay/{trade}">'
                f'<button type="submit">模拟手机扫码付款</button></form></body></html>'
            )
            response = Response(html, mimetype="text/html")
            response.set_cookie("orders_cookie", "from-orders")
            return response

        @fake.post("/sandbox/wallet/pay/<trade>")
        def pay(trade: str) -> Any:
            return redirect(RETURN_URL, code=303)

        @fake.get("/sandbox/wallet/moved/<trade>")
        def moved(trade: str) -> Any:
            return redirect(f"{self.url}/sandbox/wallet/scan/{trade}?from=moved", code=302)

        @fake.get("/sandbox/wallet/broken")
        def broken() -> Any:
            return Response("traceback", status=500, mimetype="text/plain")

        @fake.get("/payments/<payment_id>")
        def not_a_sandbox_page(payment_id: str) -> Any:
            return {"id": payment_id}

        return fake


@pytest.fixture(scope="module")
def cashier() -> Iterator[FakeCashier]:
    fake = FakeCashier()
    url, stop = serve_in_thread(fake.app())
    fake.url = url
    try:
        yield fake
    finally:
        stop()


def _gateway(
    database_url: str, catalog_url: str, orders_url: str, clock: ShiftedClock, **overrides: str
) -> Flask:
    settings = gateway_settings(database_url, catalog_url, orders_url, orders_url, **overrides)
    return create_app(settings, clock=clock)


@pytest.fixture
def app(
    clean_database: Engine,
    gateway_database_url: str,
    catalog_url: str,
    cashier: FakeCashier,
    clock: ShiftedClock,
) -> Iterator[Flask]:
    """A gateway whose orders is the fake, with the wallet sandbox in use."""
    cashier.seen.clear()
    app = _gateway(
        gateway_database_url,
        catalog_url,
        cashier.url,
        clock,
        WALLET_SANDBOX_URL="http://localhost",
    )
    yield app
    app.extensions["gateway.engine"].dispose()


@pytest.fixture
def production(
    clean_database: Engine,
    gateway_database_url: str,
    catalog_url: str,
    cashier: FakeCashier,
    clock: ShiftedClock,
) -> Iterator[FlaskClient]:
    """The same orders, but no wallet sandbox: WALLET_SANDBOX_URL unset."""
    cashier.seen.clear()
    app = _gateway(gateway_database_url, catalog_url, cashier.url, clock)
    yield app.test_client()
    app.extensions["gateway.engine"].dispose()


def _style_hash(style: str) -> str:
    digest = hashlib.sha256(style.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def test_the_cashier_page_is_served_at_the_gateways_address_with_orders_content(client, cashier):
    page = client.get("/sandbox/wallet/cashier/T123?lang=zh&x=1")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "钱包收银台（测试环境）" in html and "<svg" in html
    assert 'action="/sandbox/wallet/pay/T123"' in html
    [seen] = cashier.seen
    assert seen["method"] == "GET" and seen["path"] == "/sandbox/wallet/cashier/T123?lang=zh&x=1"
    # Orders' cookie stays with orders.
    assert "orders_cookie" not in " ".join(page.headers.getlist("Set-Cookie"))


def test_the_page_renders_under_a_policy_allowing_only_its_own_style_sheet(client):
    page = client.get("/sandbox/wallet/cashier/T123")
    policy = page.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["style-src"] == _style_hash(STYLE)
    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives  # default-src 'none': no script at all
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    # The gateway's own pages keep the gateway's policy.
    assert client.get("/sign-in").headers["Content-Security-Policy"] == CSP


def test_the_phones_post_goes_through_without_a_gateway_csrf_token_and_comes_back(client, cashier):
    paid = client.post("/sandbox/wallet/pay/T123", data={"confirm": "yes"})
    assert paid.status_code == 303
    assert paid.headers["Location"] == RETURN_URL
    [seen] = cashier.seen
    assert seen["method"] == "POST" and seen["path"] == "/sandbox/wallet/pay/T123"
    assert seen["form"] == {"confirm": ["yes"]}
    assert "csrf_token" not in seen["form"]


def test_a_redirect_to_orders_internal_address_comes_back_pointing_at_the_gateway(client):
    moved = client.get("/sandbox/wallet/moved/T123")
    assert moved.status_code == 302
    assert moved.headers["Location"] == "/sandbox/wallet/scan/T123?from=moved"


def test_orders_refusal_is_passed_back_as_it_made_it(client):
    closed = client.get("/sandbox/wallet/cashier/closed")
    assert closed.status_code == 409
    assert "无法付款" in closed.get_data(as_text=True)


def test_no_gateway_cookie_or_authorization_reaches_orders(
    client, cashier, make_applicant, sign_in_page
):
    email = unique_email()
    make_applicant(email)
    assert sign_in_page(client, email).status_code in (302, 303)
    assert client.get_cookie("gw_session").value.startswith("s.")
    client.set_cookie("lang", "en")
    cashier.seen.clear()
    client.get("/sandbox/wallet/cashier/T123", headers={"Authorization": "Bearer api-token-123"})
    client.post(
        "/sandbox/wallet/pay/T123", headers={"Authorization": "Basic dXNlcjpzZWNyZXQ="}, data={}
    )
    assert len(cashier.seen) == 2
    for seen in cashier.seen:
        names = {name.lower() for name in seen["headers"]}
        assert "cookie" not in names
        assert "authorization" not in names
        assert "gw_session" not in str(seen["headers"])


def test_only_the_sandbox_prefix_is_forwarded(client, cashier):
    assert client.get("/sandbox/wallet/../../payments/p1").status_code == 404
    assert client.get("/sandbox/wallet/%2e%2e/%2e%2e/payments/p1").status_code == 404
    assert client.get("/sandbox/wallet/").status_code == 404
    assert all(seen["path"].startswith("/sandbox/wallet/") for seen in cashier.seen)
    assert not any("payments" in seen["path"] for seen in cashier.seen)


def test_control_characters_are_refused_before_orders_is_asked(client, cashier):
    refused = client.get("/sandbox/wallet/cashier/T123?x=%01")
    assert refused.status_code == 422
    assert refused.mimetype == "text/html"
    assert cashier.seen == []


def test_orders_failing_is_the_gateways_503_page(client):
    broken = client.get("/sandbox/wallet/broken")
    assert broken.status_code == 503
    assert "traceback" not in broken.get_data(as_text=True)
    assert broken.headers["Content-Security-Policy"] == CSP


def test_orders_unreachable_is_the_gateways_503_page(
    clean_database: Engine, gateway_database_url: str, catalog_url: str, clock: ShiftedClock
):
    dead = f"http://127.0.0.1:{free_port()}"
    app = _gateway(gateway_database_url, catalog_url, dead, clock, WALLET_SANDBOX_URL="x")
    try:
        page = app.test_client().get("/sandbox/wallet/cashier/T123")
        assert page.status_code == 503
        assert page.mimetype == "text/html"
        assert page.headers["Content-Security-Policy"] == CSP
    finally:
        app.extensions["gateway.engine"].dispose()


@pytest.mark.parametrize(
    "ask",
    [
        lambda c: c.get("/sandbox/wallet/cashier/T123"),
        lambda c: c.get("/sandbox/wallet/scan/T123"),
        lambda c: c.post("/sandbox/wallet/pay/T123", data={}),
    ],
    ids=["cashier", "scan", "pay"],
)
def test_without_the_wallet_sandbox_the_path_does_not_exist(
    production: FlaskClient, cashier: FakeCashier, ask: Callable[[FlaskClient], Any]
):
    answer = ask(production)
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert cashier.seen == []
