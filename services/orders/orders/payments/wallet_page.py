"""The page wallet's adapter (`wallet_page`): a page payment, paid at once.

Orders opens a trade and sends the applicant to the wallet's cashier page,
which shows a QR code to scan with the wallet's phone app; once paid, the
browser comes back to the return URL (the gateway's page for the order) and
the wallet notifies orders asynchronously: a form post
(`application/x-www-form-urlencoded`) signed RSA2 with the wallet's private
key, checked here with its public key. The wallet answers an order query
(also signed) when a notification is late, and closes an unpaid trade.

The money is taken when the applicant pays (TRADE_SUCCESS): this wallet
cannot hold it. A rejection or a cancellation refunds it in full.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.asymmetric import rsa

from orders.payments import MalformedWebhook
from orders.payments import wallet_signing as signing
from orders.payments.wallet_sandbox import PAGE, WalletSandbox
from orders.payments.wallets import CLOSED, PAID, WAITING, TradeState, refund_request_no

NAME = "wallet_page"
STATES = {"WAIT_BUYER_PAY": WAITING, "TRADE_SUCCESS": PAID, "TRADE_FINISHED": PAID,
          "TRADE_CLOSED": CLOSED}  # fmt: skip


class WalletPage:
    name = NAME
    immediate = True
    # What the wallet expects back from a notification it may stop sending.
    ack_body = "success"
    ack_type = "text/plain"

    def __init__(
        self, sandbox: WalletSandbox, public_key: Callable[[], rsa.RSAPublicKey], notify_url: str
    ) -> None:
        self._sandbox = sandbox
        self._public_key = functools.cache(public_key)
        self._notify_url = notify_url

    def open(
        self, *, out_trade_no: str, subject: str, amount_fen: int, expires_at: datetime,
        return_url: str | None,
    ) -> str:  # fmt: skip
        return self._sandbox.open_trade(
            PAGE, out_trade_no=out_trade_no, subject=subject, amount_fen=amount_fen,
            expires_at=expires_at, notify_url=self._notify_url, return_url=return_url,
        )  # fmt: skip

    def query(self, out_trade_no: str) -> TradeState:
        return self._read(self._sandbox.query(PAGE, out_trade_no))

    def void(self, provider_payment_id: str) -> None:
        self._sandbox.close(PAGE, provider_payment_id)

    def capture(self, provider_payment_id: str, amount_fen: int) -> None:
        # Paid at once: the money was taken when the applicant paid.
        self._sandbox.capture(PAGE, provider_payment_id, amount_fen)

    def refund(self, provider_payment_id: str, amount_fen: int, reason: str) -> str:
        number = refund_request_no(provider_payment_id, amount_fen, reason)
        return self._sandbox.refund(PAGE, provider_payment_id, amount_fen, number, reason)

    def parse_notification(self, body: bytes, content_type: str) -> TradeState:
        try:
            params = dict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError):
            raise MalformedWebhook("The notification is not a form of the page wallet.") from None
        state = self._read(params)
        if not state.notify_id:
            raise MalformedWebhook("The notification has no notify_id.")
        return state

    def _read(self, params: dict[str, str]) -> TradeState:
        signing.rsa2_verify(params, self._public_key())  # BadSignature (401) first
        try:
            amount = Decimal(params["total_amount"])
            state = STATES[params["trade_status"]]
            return TradeState(
                out_trade_no=params["out_trade_no"], state=state,
                amount_fen=int(amount * 100), trade_no=params.get("trade_no", ""),
                notify_id=params.get("notify_id"),
            )  # fmt: skip
        except (KeyError, InvalidOperation, ValueError) as exc:
            raise MalformedWebhook(f"The notification lacks or garbles {exc}.") from None
