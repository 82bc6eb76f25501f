"""The QR wallet's adapter (`wallet_qr`): a QR payment shown on the gateway's
order page, the money held, then captured.

Orders asks the wallet for a QR payload (its `code_url`) and the gateway
draws it; the wallet's phone app scans it and pays. The wallet notifies
orders asynchronously: flat XML signed HMAC-SHA256 with the merchant's API
key (its family's v2 API). It answers an order query when a notification is
late and closes an unpaid trade.

Paying holds the money (trade_state AUTHORISED, a pre-authorisation): it is
captured on approval and released on rejection or cancellation, as a card's
authorisation is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import datetime

from orders.payments import MalformedWebhook
from orders.payments import wallet_signing as signing
from orders.payments.wallet_sandbox import QR, WalletSandbox
from orders.payments.wallets import CLOSED, HELD, PAID, WAITING, TradeState, refund_request_no

NAME = "wallet_qr"
STATES = {"NOTPAY": WAITING, "USERPAYING": WAITING, "AUTHORISED": HELD, "SUCCESS": PAID,
          "REFUND": PAID, "CLOSED": CLOSED, "REVOKED": CLOSED}  # fmt: skip
MAX_BODY = 16_384


class WalletQr:
    name = NAME
    immediate = False
    ack_body = "<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>"
    ack_type = "text/xml"

    def __init__(self, sandbox: WalletSandbox, api_key: str, notify_url: str) -> None:
        self._sandbox = sandbox
        self._api_key = api_key
        self._notify_url = notify_url

    def open(
        self, *, out_trade_no: str, subject: str, amount_fen: int, expires_at: datetime,
        return_url: str | None,
    ) -> str:  # fmt: skip
        return self._sandbox.open_trade(
            QR, out_trade_no=out_trade_no, subject=subject, amount_fen=amount_fen,
            expires_at=expires_at, notify_url=self._notify_url, return_url=return_url,
        )  # fmt: skip

    def query(self, out_trade_no: str) -> TradeState:
        return self._read(self._sandbox.query(QR, out_trade_no))

    def void(self, provider_payment_id: str) -> None:
        self._sandbox.release(QR, provider_payment_id)

    def capture(self, provider_payment_id: str, amount_fen: int) -> None:
        self._sandbox.capture(QR, provider_payment_id, amount_fen)

    def refund(self, provider_payment_id: str, amount_fen: int, reason: str) -> str:
        number = refund_request_no(provider_payment_id, amount_fen, reason)
        return self._sandbox.refund(QR, provider_payment_id, amount_fen, number, reason)

    def parse_notification(self, body: bytes, content_type: str) -> TradeState:
        state = self._read(parse_xml(body))
        if not state.notify_id:
            raise MalformedWebhook("The notification has no nonce_str.")
        return state

    def _read(self, params: dict[str, str]) -> TradeState:
        signing.hmac_verify(params, self._api_key)  # BadSignature (401) first
        try:
            return TradeState(
                out_trade_no=params["out_trade_no"], state=STATES[params["trade_state"]],
                amount_fen=int(params["total_fee"]), trade_no=params.get("transaction_id", ""),
                notify_id=params.get("nonce_str"),
            )  # fmt: skip
        except (KeyError, ValueError) as exc:
            raise MalformedWebhook(f"The notification lacks or garbles {exc}.") from None


def parse_xml(body: bytes) -> dict[str, str]:
    """The flat <xml><key>value</key>…</xml> the wallet sends; no DTD, no entities."""
    if len(body) > MAX_BODY or b"<!" in body:
        raise MalformedWebhook("The notification is not the QR wallet's plain XML.")
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - no DTD or entity gets this far
    except ElementTree.ParseError:
        raise MalformedWebhook("The notification is not XML.") from None
    if root.tag != "xml" or any(len(child) for child in root):
        raise MalformedWebhook("The notification is not the QR wallet's flat XML.")
    return {child.tag: child.text or "" for child in root}
