"""The wallet sandbox: a stand-in for the two wallet companies Chinese drivers
pay with, behaving like them, so that every environment without a contract
can pay by wallet.

It keeps its own state in its own tables (`wallet_trades`,
`wallet_notices`, `wallet_keys`) and commits it in its
own transactions, apart from the orders service's, as a company on the other
side of the internet does. Two faces share it:

- `page` (orders.payments.wallet_page): the merchant opens a trade and sends
  the applicant to the cashier page (`/sandbox/wallet/cashier/<out_trade_no>`,
  orders.payments.wallet_cashier), which shows a QR code to scan with the
  wallet's phone app; paying takes the money at once (TRADE_SUCCESS), and
  the browser goes back to the merchant's return URL. The notification is a
  form post signed RSA2 with the sandbox's private key.
- `qr` (orders.payments.wallet_qr): the merchant gets a QR payload (a
  `code_url`) and shows it on its own page; the phone that scans it opens
  `/sandbox/wallet/scan/<out_trade_no>`. Paying holds the money (a
  pre-authorisation) until the merchant captures or releases it. The
  notification is XML signed HMAC-SHA256 with the merchant's API key.

Notifications are queued, due a moment later, and delivered by the orders
worker over HTTP with retries and backoff (WalletNotificationSender), as the
real companies' notification systems do; a merchant answering anything but
2xx is notified again. A trade not paid by its expiry can no longer be paid.
A refund is idempotent by its `out_request_no`: the same request again
refunds nothing more.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from common.clock import Clock, SystemClock
from common.columns import UTCDateTime
from common.webhooks import DueWebhook, Sent, WebhookSender
from orders.models import Base
from orders.payments import ProviderRefused
from orders.payments import wallet_signing as signing

log = logging.getLogger("orders.payments.wallet_sandbox")

PAGE = "page"
QR = "qr"
KINDS = (PAGE, QR)

# The sandbox's own words for where a trade stands.
WAITING = "waiting"
HELD = "held"
PAID = "paid"
CLOSED = "closed"
REFUNDED = "refunded"

# How each face says those in its notifications and query answers.
PAGE_WORDS = {WAITING: "WAIT_BUYER_PAY", PAID: "TRADE_SUCCESS", CLOSED: "TRADE_CLOSED",
              REFUNDED: "TRADE_CLOSED"}  # fmt: skip
QR_WORDS = {WAITING: "NOTPAY", HELD: "AUTHORISED", PAID: "SUCCESS", CLOSED: "CLOSED",
            REFUNDED: "REFUND"}  # fmt: skip
APP_ID = "2026000000000001"
MCH_ID = "1900000109"
RSA_KEY_NAME = "page_rsa_private"


class WalletTrade(Base):
    __tablename__ = "wallet_trades"

    out_trade_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    trade_no: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    captured_fen: Mapped[int] = mapped_column(Integer, default=0)
    refunded_fen: Mapped[int] = mapped_column(Integer, default=0)
    # The out_request_no of every refund done (a JSON list): a repeated one does nothing.
    refund_requests: Mapped[str] = mapped_column(Text, default="[]")
    notify_url: Mapped[str] = mapped_column(Text)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WalletNotification(DueWebhook, Base):
    """A notification the sandbox owes its merchant, until delivered or given up."""

    __tablename__ = "wallet_notices"

    out_trade_no: Mapped[str] = mapped_column(ForeignKey("wallet_trades.out_trade_no"), index=True)
    url: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WalletKey(Base):
    __tablename__ = "wallet_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    pem: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class TradeView:
    """A trade as the cashier and scan pages show it."""

    out_trade_no: str
    kind: str
    subject: str
    amount_fen: int
    status: str
    return_url: str | None
    expires_at: datetime


def yuan_text(fen: int) -> str:
    """Money as the page wallet writes it: yuan with two decimals ("12.34")."""
    return f"{fen // 100}.{fen % 100:02d}"


def shared_rsa_key(
    sessions: Callable[[], Session], configured_pem: str | None
) -> rsa.RSAPrivateKey:
    """The sandbox's RSA private key: the configured one, or one made by the first
    process and kept in `wallet_keys` for every other."""
    if configured_pem:
        return signing.load_private_key(configured_pem)
    with sessions() as session, session.begin():
        found = session.get(WalletKey, RSA_KEY_NAME)
        if found is not None:
            return signing.load_private_key(found.pem)
        pem = signing.private_key_pem(signing.new_rsa_key())
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                pg_insert(WalletKey)
                .values(name=RSA_KEY_NAME, pem=pem)
                .on_conflict_do_nothing(index_elements=["name"])
            )
        else:
            session.add(WalletKey(name=RSA_KEY_NAME, pem=pem))
    with sessions() as session:
        kept = session.get(WalletKey, RSA_KEY_NAME)
        assert kept is not None
        return signing.load_private_key(kept.pem)


class WalletSandbox:
    """Both wallet companies' side: their trades, their pages' actions, their
    signed notifications and query answers."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        *,
        rsa_private_key: Callable[[], rsa.RSAPrivateKey],
        qr_api_key: str,
        public_url: str,
        clock: Clock | None = None,
        notify_delay: timedelta = timedelta(seconds=1),
    ) -> None:
        self._sessions = sessions
        # Loaded at first use (it may live in the database, which is not read at start).
        self._load_rsa = functools.cache(rsa_private_key)
        self._api_key = qr_api_key
        self.public_url = public_url.rstrip("/")
        self._clock: Clock = clock or SystemClock()
        self._delay = notify_delay

    @property
    def rsa_public_key_pem(self) -> str:
        """What the page wallet's console gives a merchant to check its signatures."""
        return signing.public_key_pem(self._load_rsa())

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def _trade(self, session: Session, kind: str, out_trade_no: str) -> WalletTrade:
        trade = session.get(WalletTrade, out_trade_no, with_for_update=True)
        if trade is None or trade.kind != kind:
            raise ProviderRefused(f"TRADE_NOT_EXIST: there is no trade {out_trade_no}.")
        return trade

    # -- the merchant's API ------------------------------------------------------------

    def open_trade(
        self, kind: str, *, out_trade_no: str, subject: str, amount_fen: int,
        expires_at: datetime, notify_url: str, return_url: str | None,
    ) -> str:  # fmt: skip
        """Open a trade; the cashier URL (page) or the code_url to draw as a QR code (qr).
        The same out_trade_no again answers the same link."""
        if amount_fen <= 0:
            raise ProviderRefused("INVALID_PARAMETER: the amount must be at least 1 fen.")
        with self._transaction() as session:
            trade = session.get(WalletTrade, out_trade_no)
            if trade is None:
                now = self._clock.now()
                trade = WalletTrade(
                    out_trade_no=out_trade_no, kind=kind, trade_no=_trade_no(kind, now),
                    subject=subject[:200], amount_fen=amount_fen, status=WAITING,
                    captured_fen=0, refunded_fen=0, refund_requests="[]",
                    notify_url=notify_url, return_url=return_url, expires_at=expires_at,
                    created_at=now, updated_at=now,
                )  # fmt: skip
                session.add(trade)
            elif trade.amount_fen != amount_fen or trade.kind != kind:
                raise ProviderRefused(
                    "OUT_TRADE_NO_USED: that trade was opened for another amount."
                )
        return self.link(kind, out_trade_no)

    def link(self, kind: str, out_trade_no: str) -> str:
        page = "cashier" if kind == PAGE else "scan"
        return f"{self.public_url}/sandbox/wallet/{page}/{out_trade_no}"

    def query(self, kind: str, out_trade_no: str) -> dict[str, str]:
        """The trade's state, signed as the face signs its answers."""
        with self._transaction() as session:
            trade = self._trade(session, kind, out_trade_no)
            self._close_if_expired(trade)
            return self._signed(trade, notify_id=None)

    def close(self, kind: str, out_trade_no: str) -> None:
        """Close an unpaid trade (idempotent); refused once it was paid."""
        with self._transaction() as session:
            trade = self._trade(session, kind, out_trade_no)
            if trade.status == CLOSED:
                return
            if trade.status != WAITING:
                raise ProviderRefused(f"TRADE_STATUS_ERROR: the trade is {trade.status}.")
            self._move(session, trade, CLOSED)

    def capture(self, kind: str, out_trade_no: str, amount_fen: int) -> None:
        """Take held money (qr only); the same capture again does nothing."""
        with self._transaction() as session:
            trade = self._trade(session, kind, out_trade_no)
            if kind != QR:
                raise ProviderRefused("NOT_SUPPORTED: the page wallet takes the money at once.")
            if trade.status == PAID and trade.captured_fen == amount_fen:
                return
            if trade.status != HELD:
                raise ProviderRefused(f"TRADE_STATUS_ERROR: the trade is {trade.status}.")
            if not 0 < amount_fen <= trade.amount_fen:
                raise ProviderRefused(f"INVALID_AMOUNT: capture 1 to {trade.amount_fen} fen.")
            trade.captured_fen = amount_fen
            self._move(session, trade, PAID)

    def release(self, kind: str, out_trade_no: str) -> None:
        """Release held money (qr), or close a trade never paid (both); idempotent."""
        with self._transaction() as session:
            trade = self._trade(session, kind, out_trade_no)
            if trade.status == CLOSED:
                return
            if trade.status not in (WAITING, HELD):
                raise ProviderRefused(
                    f"TRADE_STATUS_ERROR: the trade is {trade.status}; refund it instead."
                )
            self._move(session, trade, CLOSED)

    def refund(
        self, kind: str, out_trade_no: str, amount_fen: int, out_request_no: str, reason: str
    ) -> str:
        """Give back paid money; the refund's id. The same out_request_no again
        refunds nothing more and answers the same id."""
        refund_id = f"rf_{out_request_no}"
        with self._transaction() as session:
            trade = self._trade(session, kind, out_trade_no)
            done = json.loads(trade.refund_requests)
            if out_request_no in done:
                return refund_id
            if trade.status not in (PAID, REFUNDED):
                raise ProviderRefused(f"TRADE_STATUS_ERROR: the trade is {trade.status}.")
            left = trade.captured_fen - trade.refunded_fen
            if not 0 < amount_fen <= left:
                raise ProviderRefused(f"REFUND_AMT_INVALID: refund 1 to {left} fen.")
            trade.refunded_fen += amount_fen
            trade.refund_requests = json.dumps([*done, out_request_no])
            status = REFUNDED if trade.refunded_fen == trade.captured_fen else PAID
            trade.status, trade.updated_at = status, self._clock.now()
            log.info("wallet sandbox refunded %s fen", amount_fen,
                     extra={"trade": out_trade_no, "reason": reason[:100]})  # fmt: skip
        return refund_id

    # -- what the phone does -------------------------------------------------------------

    def view(self, out_trade_no: str) -> TradeView | None:
        with self._transaction() as session:
            trade = session.get(WalletTrade, out_trade_no, with_for_update=True)
            if trade is None:
                return None
            self._close_if_expired(trade)
            return TradeView(trade.out_trade_no, trade.kind, trade.subject, trade.amount_fen,
                             trade.status, trade.return_url, trade.expires_at)  # fmt: skip

    def pay(self, out_trade_no: str) -> TradeView:
        """The simulated phone confirms the payment: paid (page) or held (qr), and the
        merchant notified. ProviderRefused when the trade is closed or done."""
        with self._transaction() as session:
            trade = session.get(WalletTrade, out_trade_no, with_for_update=True)
            if trade is None:
                raise ProviderRefused(f"TRADE_NOT_EXIST: there is no trade {out_trade_no}.")
            self._close_if_expired(trade)
            if trade.status != WAITING:
                raise ProviderRefused(f"TRADE_STATUS_ERROR: the trade is {trade.status}.")
            if trade.kind == PAGE:
                trade.captured_fen = trade.amount_fen
                self._move(session, trade, PAID)
            else:
                self._move(session, trade, HELD)
            return TradeView(trade.out_trade_no, trade.kind, trade.subject, trade.amount_fen,
                             trade.status, trade.return_url, trade.expires_at)  # fmt: skip

    # -- inside ---------------------------------------------------------------------------

    def _close_if_expired(self, trade: WalletTrade) -> None:
        if trade.status == WAITING and self._clock.now() >= trade.expires_at:
            trade.status, trade.updated_at = CLOSED, self._clock.now()

    def _move(self, session: Session, trade: WalletTrade, status: str) -> None:
        trade.status, trade.updated_at = status, self._clock.now()
        if status in (PAID, HELD):  # the merchant is told of money taken or held
            self._queue(session, trade)

    def _signed(self, trade: WalletTrade, notify_id: str | None) -> dict[str, str]:
        now = self._clock.now()
        if trade.kind == PAGE:
            params = {
                "app_id": APP_ID, "charset": "utf-8", "out_trade_no": trade.out_trade_no,
                "trade_no": trade.trade_no, "trade_status": PAGE_WORDS[trade.status],
                "total_amount": yuan_text(trade.amount_fen), "sign_type": signing.RSA2,
                "gmt_payment": now.strftime("%Y-%m-%d %H:%M:%S") if trade.status == PAID else "",
            }  # fmt: skip
            if notify_id:
                params.update(notify_id=notify_id, notify_type="trade_status_sync",
                              notify_time=now.strftime("%Y-%m-%d %H:%M:%S"))  # fmt: skip
            params = {key: value for key, value in params.items() if value}
            params[signing.SIGN] = signing.rsa2_sign(params, self._load_rsa())
            return params
        params = {
            "appid": "wx" + APP_ID, "mch_id": MCH_ID, "nonce_str": notify_id or secrets.token_hex(16),
            "out_trade_no": trade.out_trade_no, "transaction_id": trade.trade_no,
            "trade_state": QR_WORDS[trade.status], "total_fee": str(trade.amount_fen),
            "result_code": "SUCCESS", "return_code": "SUCCESS",
            "sign_type": signing.HMAC_SHA256,
        }  # fmt: skip
        params[signing.SIGN] = signing.hmac_sign(params, self._api_key)
        return params

    def _queue(self, session: Session, trade: WalletTrade) -> None:
        now = self._clock.now()
        notify_id = uuid.uuid4().hex
        params = self._signed(trade, notify_id)
        if trade.kind == PAGE:
            body, content_type = urlencode(params), "application/x-www-form-urlencoded"
        else:
            body, content_type = to_xml(params), "text/xml"
        session.add(
            WalletNotification(
                id=f"wn_{notify_id}", out_trade_no=trade.out_trade_no, url=trade.notify_url,
                content_type=content_type, body=body, created_at=now,
                due_at=now + self._delay, attempts=0,
            )
        )  # fmt: skip
        log.info("wallet sandbox notification queued", extra={"trade": trade.out_trade_no})


def _trade_no(kind: str, now: datetime) -> str:
    stamp = now.strftime("%Y%m%d")
    digits = "".join(secrets.choice("0123456789") for _ in range(16))
    return f"{stamp}22{digits}" if kind == PAGE else f"42000{stamp}{digits}"


def to_xml(params: Mapping[str, str]) -> str:
    """The QR wallet's flat XML: <xml><key>value</key>…</xml>."""
    root = ElementTree.Element("xml")
    for key, value in params.items():
        ElementTree.SubElement(root, key).text = value
    return ElementTree.tostring(root, encoding="unicode")


class WalletNotificationSender(WebhookSender):
    """common's sender over `wallet_notices`: each row goes to its own
    URL with its own content type, already signed inside its body."""

    def __init__(self, sessions: Callable[[], Session], *, max_attempts: int = 10) -> None:
        super().__init__(
            sessions, WalletNotification, "", "X-Unused", order_by=[WalletNotification.created_at],
            max_attempts=max_attempts,
        )  # fmt: skip
        self._types: dict[str, str] = {}

    def _claim(self, now: datetime) -> list[tuple[str, str, str]]:
        claimed = super()._claim(now)
        with self.sessions() as session:
            found = session.scalars(
                select(WalletNotification).where(
                    WalletNotification.id.in_([row_id for row_id, _, _ in claimed])
                )
            ).all()
            self._types = {row.id: row.content_type for row in found}
        return claimed

    def _send(self, webhook_id: str, url: str, body: str, now: datetime) -> Sent:
        headers = {"Content-Type": self._types.get(webhook_id, "text/plain")}
        try:
            status, text = self._post(url, body.encode(), headers)
        except requests.RequestException as exc:
            return Sent(webhook_id, None, f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= status < 300:
            return Sent(webhook_id, status, None)
        return Sent(webhook_id, status, text[:500] or f"HTTP {status}")
