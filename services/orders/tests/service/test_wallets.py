"""Paying with a wallet through orders' HTTP API: the page wallet (cashier page,
RSA2-signed form notification, paid at once, refunded on rejection) and the
QR wallet (QR payload, HMAC-signed XML notification, held, captured on
approval), each with its sandbox's pages; late notifications answered by a
query (the sweep's spaced out as the trade ages), unpaid trades closed at
expiry, every refusal a 4xx naming its field."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from orders import timers
from orders.payments import ProviderUnavailable
from orders.payments import wallet_signing as signing
from orders.payments.wallet_qr import parse_xml
from orders.payments.wallet_sandbox import to_xml
from orders.wiring import build_notification_sender

RETURN_URL = "http://gateway.test/applications/x/pay/return"


@pytest.fixture
def context(app):
    return app.extensions["orders.context"]


@pytest.fixture
def sandbox(app):
    return app.extensions["orders.wallet_sandbox"]


@pytest.fixture
def notifications(app, settings):
    return build_notification_sender(settings, app.extensions["orders.engine"])


def _wallet(applicant, payment_id, method, key=None, return_url=RETURN_URL):
    return applicant.client.post(
        f"/payments/{payment_id}/wallet",
        json={"method": method, "return_url": return_url},
        headers=applicant.with_key(key),
    )


def _opened(applicant, method):
    order = applicant.submitted()
    answer = _wallet(applicant, order["payment"]["id"], method)
    assert answer.status_code == 201, answer.json
    return order, answer.json


def _path(url):
    return urlsplit(url).path


def _phone_pays(client, payment):
    link = payment["wallet"].get("cashier_url") or payment["wallet"]["qr_payload"]
    out_trade_no = _path(link).rsplit("/", 1)[1]
    return client.post(f"/sandbox/wallet/pay/{out_trade_no}")


def _deliver(clock, notifications):
    clock.advance(timedelta(seconds=2))
    return notifications.deliver_due(clock.now())


def _owed(rows):
    return rows("SELECT url, content_type, body FROM wallet_notices ORDER BY created_at")


# --- the page wallet -----------------------------------------------------------------------


def test_the_page_wallet_opens_a_cashier_page_with_a_qr_code_and_a_simulated_phone(
    applicant, client
):
    _order, payment = _opened(applicant, "wallet_page")
    assert payment["method"] == "wallet_page"
    assert payment["paid_at_once"] is True
    assert payment["status"] == "created"
    page = client.get(_path(payment["wallet"]["cashier_url"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "付款二维码" in html
    assert "模拟手机扫码付款" in html
    assert "¥" in html


def test_paying_on_the_cashier_page_returns_the_browser_and_the_signed_notification_submits_the_order(
    applicant, client, clock, notifications, outbox_events, rows
):
    order, payment = _opened(applicant, "wallet_page")
    paid = _phone_pays(client, payment)
    assert paid.status_code == 303
    assert paid.headers["Location"] == RETURN_URL
    [owed] = _owed(rows)
    assert owed["content_type"] == "application/x-www-form-urlencoded"
    params = dict(parse_qsl(owed["body"]))
    assert params["sign_type"] == "RSA2" and params["trade_status"] == "TRADE_SUCCESS"
    [sent] = _deliver(clock, notifications)
    assert (sent.status, sent.error) == (200, None)
    now = applicant.get(order["id"])
    assert now["status"] == "submitted"
    assert (now["payment"]["status"], now["payment"]["captured_fen"]) == (
        "captured", payment["amount_fen"],
    )  # fmt: skip
    types = [event["type"] for event in outbox_events()]
    assert types.count("orders.payment_captured") == 1
    assert "orders.submitted" in types
    entries = client.get(f"/orders/{order['id']}/timeline", headers=applicant.headers).json
    assert entries["entries"][-1]["code"] == "paid"
    assert entries["entries"][-1]["params"]["method"] == "wallet_page"


def test_a_page_notification_with_a_bad_signature_is_refused_401_and_changes_nothing(
    applicant, client, rows, snapshot
):
    _order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    params = dict(parse_qsl(_owed(rows)[0]["body"]))
    forged = {**params, "total_amount": "0.01"}
    before = snapshot()
    answer = client.post(
        "/webhooks/payments/wallet_page", data=urlencode(forged),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code == 401
    assert "sign" in answer.json["errors"]
    assert snapshot() == before


def test_a_page_notification_signed_with_another_key_is_refused(applicant, client, rows):
    _order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    params = dict(parse_qsl(_owed(rows)[0]["body"]))
    params["sign"] = signing.rsa2_sign(params, signing.new_rsa_key())
    answer = client.post(
        "/webhooks/payments/wallet_page", data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code == 401


def test_a_replayed_notification_is_refused_409_and_moves_no_money_twice(
    applicant, client, clock, notifications, rows, outbox_events
):
    order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    body = _owed(rows)[0]["body"]
    _deliver(clock, notifications)
    again = client.post(
        "/webhooks/payments/wallet_page", data=body,
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert again.status_code == 409
    assert "notify_id" in again.json["errors"]
    assert len(outbox_events("orders.payment_captured")) == 1
    assert applicant.get(order["id"])["status"] == "submitted"


def test_a_notification_for_a_trade_orders_does_not_know_is_404(sandbox, client):
    params = {"notify_id": "n1", "out_trade_no": "nobody", "trade_no": "1",
              "trade_status": "TRADE_SUCCESS", "total_amount": "1.00", "sign_type": "RSA2"}  # fmt: skip
    params["sign"] = signing.rsa2_sign(params, sandbox._load_rsa())
    answer = client.post(
        "/webhooks/payments/wallet_page", data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code == 404
    assert "out_trade_no" in answer.json["errors"]


def test_a_notification_for_another_amount_is_422(applicant, sandbox, client):
    _order, payment = _opened(applicant, "wallet_page")
    out_trade_no = _path(payment["wallet"]["cashier_url"]).rsplit("/", 1)[1]
    params = {"notify_id": "n2", "out_trade_no": out_trade_no, "trade_no": "1",
              "trade_status": "TRADE_SUCCESS", "total_amount": "0.01", "sign_type": "RSA2"}  # fmt: skip
    params["sign"] = signing.rsa2_sign(params, sandbox._load_rsa())
    answer = client.post(
        "/webhooks/payments/wallet_page", data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert answer.status_code == 422
    assert "amount" in answer.json["errors"]


def test_something_that_is_not_a_notification_is_400(client):
    answer = client.post("/webhooks/payments/wallet_qr", data=b"<!DOCTYPE x><xml/>",
                         content_type="text/xml")  # fmt: skip
    assert answer.status_code == 400
    assert "body" in answer.json["errors"]
    assert client.post("/webhooks/payments/no_such_wallet", data=b"x").status_code == 404


def test_a_late_notification_is_overtaken_by_the_workers_query(
    applicant, client, clock, context, notifications, outbox_events
):
    order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    assert timers.query_late_wallet_trades(context, clock.now()) == 0  # not late yet
    clock.advance(context.wallet_query_after)
    assert timers.query_late_wallet_trades(context, clock.now()) == 1
    assert applicant.get(order["id"])["status"] == "submitted"
    [sent] = _deliver(clock, notifications)  # the notification arrives after all
    assert sent.status == 200
    assert len(outbox_events("orders.payment_captured")) == 1
    assert len(outbox_events("orders.submitted")) == 1


def test_back_at_the_return_url_the_applicant_asks_and_the_payment_is_known(applicant, client):
    order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    answer = client.post(f"/payments/{payment['id']}/query", headers=applicant.headers)
    assert answer.status_code == 200
    assert answer.json["status"] == "captured"
    assert applicant.get(order["id"])["status"] == "submitted"


# --- the sweep's backoff -------------------------------------------------------------------


def _count_queries(context, monkeypatch, method="wallet_page", fails=False):
    """Every query the wallet is asked, by out_trade_no (one that fails counts too)."""
    wallet = context.wallets[method]
    asked, query = [], wallet.query

    def counting(out_trade_no):
        asked.append(out_trade_no)
        if fails:
            raise ProviderUnavailable("connection refused")
        return query(out_trade_no)

    monkeypatch.setattr(wallet, "query", counting)
    return asked


def _tick(context, clock, seconds=1):
    clock.advance(timedelta(seconds=seconds))
    return timers.query_late_wallet_trades(context, clock.now())


def test_a_late_trade_is_queried_once_by_a_sweep_and_not_again_by_the_next_tick(
    applicant, clock, context, monkeypatch, rows
):
    _opened(applicant, "wallet_page")
    asked = _count_queries(context, monkeypatch)
    clock.advance(context.wallet_query_after)
    assert timers.query_late_wallet_trades(context, clock.now()) == 0  # asked, not paid
    assert len(asked) == 1
    assert rows("SELECT wallet_queried_at FROM payments")[0]["wallet_queried_at"] == clock.now()
    assert timers.query_late_wallet_trades(context, clock.now()) == 0
    _tick(context, clock)
    assert len(asked) == 1


def test_a_late_trade_is_queried_again_once_a_quarter_of_its_age_has_passed(
    applicant, clock, context, monkeypatch
):
    _opened(applicant, "wallet_page")
    asked = _count_queries(context, monkeypatch)
    assert context.wallet_query_after == timedelta(seconds=10)  # the schedule below is its
    _tick(context, clock, seconds=10)  # never asked: asked at 10 s
    assert len(asked) == 1
    _tick(context, clock, seconds=9)  # 19 s: not `wallet_query_after` since the last
    assert len(asked) == 1
    _tick(context, clock)  # 20 s: 10 s since the last, more than a quarter of 20 s
    assert len(asked) == 2
    _tick(context, clock, seconds=7)  # 27 s: more than a quarter of 27 s, less than 10 s
    assert len(asked) == 2
    _tick(context, clock, seconds=3)  # 30 s
    _tick(context, clock, seconds=10)  # 40 s: `wallet_query_after` is the longer wait so far
    assert len(asked) == 4
    _tick(context, clock, seconds=13)  # 53 s: 13 s is less than a quarter of 53 s
    assert len(asked) == 4
    _tick(context, clock)  # 54 s: 14 s is more than a quarter of 54 s
    assert len(asked) == 5


def test_a_trade_left_open_is_queried_about_18_times_in_30_minutes_not_every_tick(
    applicant, clock, context, monkeypatch
):
    order, _payment = _opened(applicant, "wallet_page")
    asked = _count_queries(context, monkeypatch)
    for _ in range(29 * 60 // 5 + 11):  # a tick every 5 s up to just before the expiry
        _tick(context, clock, seconds=5)
    assert 12 <= len(asked) <= 20
    assert applicant.get(order["id"])["status"] == "awaiting_payment"


def test_an_applicants_own_query_postpones_the_sweeps(
    applicant, client, clock, context, monkeypatch, rows
):
    _order, payment = _opened(applicant, "wallet_page")
    asked = _count_queries(context, monkeypatch)
    clock.advance(context.wallet_query_after)
    answer = client.post(f"/payments/{payment['id']}/query", headers=applicant.headers)
    assert answer.status_code == 200 and answer.json["status"] == "created"
    assert len(asked) == 1
    assert rows("SELECT wallet_queried_at FROM payments")[0]["wallet_queried_at"] == clock.now()
    assert timers.query_late_wallet_trades(context, clock.now()) == 0
    _tick(context, clock, seconds=9)
    assert len(asked) == 1  # the sweep waits as if it had asked itself
    _tick(context, clock)
    assert len(asked) == 2


def test_a_failing_query_is_logged_and_not_retried_on_the_next_tick(
    applicant, clock, context, monkeypatch, rows, caplog
):
    order, _payment = _opened(applicant, "wallet_page")
    asked = _count_queries(context, monkeypatch, fails=True)
    clock.advance(context.wallet_query_after)
    assert timers.query_late_wallet_trades(context, clock.now()) == 0
    assert len(asked) == 1
    assert "wallet query failed" in caplog.text
    assert rows("SELECT wallet_queried_at FROM payments")[0]["wallet_queried_at"] == clock.now()
    _tick(context, clock)
    assert len(asked) == 1  # a wallet that is down is not asked every tick
    _tick(context, clock, seconds=9)
    assert len(asked) == 2
    assert applicant.get(order["id"])["status"] == "awaiting_payment"


def test_an_unpaid_trade_is_closed_at_the_orders_expiry(applicant, client, clock, context, rows):
    order, payment = _opened(applicant, "wallet_page")
    clock.advance(timedelta(minutes=30))
    assert timers.expire_unpaid_orders(context, clock.now()) == 1
    closed = applicant.get(order["id"])
    assert (closed["status"], closed["payment"]["status"]) == ("closed_unpaid", "voided")
    assert rows("SELECT status FROM wallet_trades")[0]["status"] == "closed"
    assert _phone_pays(client, payment).status_code == 409


def test_a_trade_paid_just_before_expiry_submits_the_order_instead_of_closing_it(
    applicant, client, clock, context
):
    order, payment = _opened(applicant, "wallet_page")
    clock.advance(timedelta(minutes=29))
    _phone_pays(client, payment)  # its notification is not yet sent
    clock.advance(timedelta(minutes=1))
    assert timers.expire_unpaid_orders(context, clock.now()) == 1
    assert applicant.get(order["id"])["status"] == "submitted"


def test_a_rejection_refunds_the_page_wallet_exactly_once(
    applicant, client, clock, notifications, verification, sweep_money, outbox_events, rows
):
    order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    _deliver(clock, notifications)
    assert verification.reject(order["id"]).action == "ack"
    assert sweep_money() == 1
    assert sweep_money() == 0
    closed = applicant.get(order["id"])
    assert closed["status"] == "closed"
    assert (closed["payment"]["status"], closed["payment"]["refunded_fen"]) == (
        "refunded", payment["amount_fen"],
    )  # fmt: skip
    [trade] = rows("SELECT status, refunded_fen FROM wallet_trades")
    assert (trade["status"], trade["refunded_fen"]) == ("refunded", payment["amount_fen"])
    assert len(outbox_events("orders.payment_refunded")) == 1
    assert verification.reject(order["id"]).action == "ack"  # a repeated rejection: stale
    assert sweep_money() == 0
    assert (
        rows("SELECT refunded_fen FROM wallet_trades")[0]["refunded_fen"] == (payment["amount_fen"])
    )


def test_the_same_refund_asked_twice_refunds_once_at_the_wallet(applicant, client, context, rows):
    _order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    wallet = context.wallets["wallet_page"]
    out_trade_no = _path(payment["wallet"]["cashier_url"]).rsplit("/", 1)[1]
    first = wallet.refund(out_trade_no, payment["amount_fen"], "rejected")
    assert wallet.refund(out_trade_no, payment["amount_fen"], "rejected") == first
    assert (
        rows("SELECT refunded_fen FROM wallet_trades")[0]["refunded_fen"] == (payment["amount_fen"])
    )


def test_an_applicant_who_cancels_a_paid_page_wallet_order_is_refunded(
    applicant, client, clock, notifications
):
    order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    _deliver(clock, notifications)
    assert applicant.cancel(order["id"], "changed my mind").status_code == 200
    cancelled = applicant.get(order["id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["payment"]["status"] == "refunded"


# --- the QR wallet -------------------------------------------------------------------------


def test_the_qr_wallet_holds_the_money_and_approval_captures_it(
    applicant, client, clock, notifications, verification, sweep_money, rows
):
    order, payment = _opened(applicant, "wallet_qr")
    assert payment["paid_at_once"] is False
    scan = client.get(_path(payment["wallet"]["qr_payload"]))
    assert scan.status_code == 200 and "确认付款" in scan.get_data(as_text=True)
    done = _phone_pays(client, payment)
    assert done.status_code == 200 and "冻结" in done.get_data(as_text=True)
    [owed] = _owed(rows)
    assert owed["content_type"] == "text/xml"
    assert parse_xml(owed["body"].encode())["trade_state"] == "AUTHORISED"
    [sent] = _deliver(clock, notifications)
    assert sent.status == 200
    held = applicant.get(order["id"])
    assert (held["status"], held["payment"]["status"]) == ("submitted", "authorised")
    assert verification.approve(order["id"]).action == "ack"
    assert sweep_money() == 1
    approved = applicant.get(order["id"])
    assert (approved["status"], approved["payment"]["status"]) == ("approved", "captured")
    assert rows("SELECT status FROM wallet_trades")[0]["status"] == "paid"


def test_a_qr_rejection_releases_the_hold(
    applicant, client, clock, notifications, verification, sweep_money, rows
):
    order, payment = _opened(applicant, "wallet_qr")
    _phone_pays(client, payment)
    _deliver(clock, notifications)
    verification.reject(order["id"])
    assert sweep_money() == 1
    closed = applicant.get(order["id"])
    assert (closed["status"], closed["payment"]["status"]) == ("closed", "voided")
    assert rows("SELECT status FROM wallet_trades")[0]["status"] == "closed"


def test_a_qr_notification_with_a_bad_hmac_is_refused_401(applicant, client, rows, snapshot):
    _order, payment = _opened(applicant, "wallet_qr")
    _phone_pays(client, payment)
    params = parse_xml(_owed(rows)[0]["body"].encode())
    params["sign"] = signing.hmac_sign(params, "not-the-api-key")
    before = snapshot()
    answer = client.post("/webhooks/payments/wallet_qr", data=to_xml(params),
                         content_type="text/xml")  # fmt: skip
    assert answer.status_code == 401
    assert "sign" in answer.json["errors"]
    assert snapshot() == before


# --- choosing ------------------------------------------------------------------------------


def test_the_applicant_may_change_wallet_and_go_back_to_the_card_before_paying(
    applicant, client, clock, rows
):
    order, page = _opened(applicant, "wallet_page")
    qr = _wallet(applicant, page["id"], "wallet_qr")
    assert qr.status_code == 201
    statuses = {
        row["kind"]: row["status"] for row in rows("SELECT kind, status FROM wallet_trades")
    }
    assert statuses == {"page": "closed", "qr": "waiting"}
    assert applicant.card(page["id"]).status_code == 202
    applicant.webhooks()
    paid = applicant.get(order["id"])
    assert (paid["status"], paid["payment"]["method"]) == ("submitted", "card")
    assert rows("SELECT status FROM wallet_trades WHERE kind = 'qr'")[0]["status"] == "closed"


def test_a_method_is_refused_by_name_and_an_unknown_one_is_422(applicant):
    order = applicant.submitted()
    answer = _wallet(applicant, order["payment"]["id"], "cash")
    assert answer.status_code == 422
    assert "method" in answer.json["errors"]
    bad_return = _wallet(
        applicant, order["payment"]["id"], "wallet_page", return_url="javascript:x"
    )
    assert bad_return.status_code == 422
    assert "return_url" in bad_return.json["errors"]


def test_a_paid_payment_cannot_change_method(applicant, client, clock, notifications):
    _order, payment = _opened(applicant, "wallet_page")
    _phone_pays(client, payment)
    _deliver(clock, notifications)
    answer = _wallet(applicant, payment["id"], "wallet_qr")
    assert answer.status_code == 409


def test_another_applicants_payment_is_404(applicant, other_applicant):
    order = applicant.submitted()
    assert _wallet(other_applicant, order["payment"]["id"], "wallet_page").status_code == 404


def test_the_same_idempotency_key_opens_one_trade(applicant, rows):
    order = applicant.submitted()
    first = _wallet(applicant, order["payment"]["id"], "wallet_page", key="k-1")
    again = _wallet(applicant, order["payment"]["id"], "wallet_page", key="k-1")
    assert again.status_code == 201
    assert again.json["wallet"] == first.json["wallet"]
    assert len(rows("SELECT out_trade_no FROM wallet_trades")) == 1
